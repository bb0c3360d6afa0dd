"""Reader suggestions (读者荐购): submit (account, desk, API), merge, review by the rules,
approve into an order line, decline with a reason the reader sees.

Submitting locks the reader row, so one reader's two submissions at once cannot both pass
the yearly quota; approving and declining lock the suggestion row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.errors import (
    AlreadyHeld,
    AlreadySuggested,
    OnOrder,
    QuotaExceeded,
    RulesRefuse,
)
from shufang.acquisitions.models import (
    BudgetLine,
    Order,
    OrderLine,
    Suggestion,
    SuggestionChannel,
    SuggestionRequest,
    SuggestionRule,
    SuggestionStatus,
)
from shufang.acquisitions.notices import suggestion_notice_queue
from shufang.acquisitions.selectors import (
    catalogue_check,
    reader_quota_used,
    suggestion_rule_for,
)
from shufang.acquisitions.services.common import (
    clean_isbn,
    clean_price,
    marc_for,
    record_by_isbn,
    require_acq,
    title_key,
)
from shufang.catalogue.models import AcquisitionSource, Collection, Item, Record
from shufang.catalogue.services.records import record_create_from_marc
from shufang.circulation import errors as circ_errors
from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import InvalidTransition, ValidationFailed
from shufang.network.models import Library, ServicePoint
from shufang.readers.models import CardStatus, Reader
from shufang.readers.selectors import card_current


def check_card(reader: Reader, day: dt.date) -> None:
    """A suggestion, like a loan, needs a valid card."""
    card = card_current(reader=reader)
    if card is None or card.status == CardStatus.CANCELLED:
        raise circ_errors.CardNotValid(reader=reader.pk)
    if card.status == CardStatus.LOST:
        raise circ_errors.CardLost(card=card.number)
    if card.status == CardStatus.SUSPENDED:
        raise circ_errors.CardSuspended(card=card.number)
    if card.status == CardStatus.EXPIRED or card.expires_on < day:
        raise circ_errors.CardExpired(card=card.number)


@dataclass(frozen=True)
class Finding:
    """A review rule a suggestion does not meet."""

    code: str
    message: str


def rule_findings(
    *,
    rule: SuggestionRule,
    price: Decimal | None,
    clc: str,
    copies_held: int,
) -> list[Finding]:
    """The rules (as data) a title breaks: price cap, excluded classes, copies per title."""
    found: list[Finding] = []
    if rule.price_cap is not None and price is not None and price > rule.price_cap:
        found.append(
            Finding(
                "price_cap",
                str(_("The price %(price)s is over the cap of %(cap)s."))
                % {"price": price, "cap": rule.price_cap},
            )
        )
    cls = clc.strip().upper()
    for prefix in rule.excluded():
        if cls and cls.startswith(prefix):
            found.append(
                Finding(
                    "excluded_class",
                    str(_("Class %(clc)s is not bought on suggestion.")) % {"clc": clc},
                )
            )
            break
    if copies_held >= rule.copies_per_title:
        found.append(
            Finding(
                "copies_per_title",
                str(_("The library already has %(n)s copies of this title.")) % {"n": copies_held},
            )
        )
    return found


def suggestion_review(*, suggestion: Suggestion) -> list[Finding]:
    """What the rules say about a pending suggestion (empty: it may be approved)."""
    rule = suggestion_rule_for(library=suggestion.library_id)
    held = 0
    if suggestion.record_id is not None:
        held = Item.objects.filter(record_id=suggestion.record_id).count()
    return rule_findings(rule=rule, price=suggestion.price, clc=suggestion.clc, copies_held=held)


def suggestion_submit(
    *,
    reader: Reader,
    library: Library,
    channel: str,
    actor: Actor,
    isbn: str = "",
    title: str = "",
    authors: str = "",
    publisher: str = "",
    year: int | None = None,
    clc: str = "",
    price: Any = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Suggestion:
    """A reader suggests a title by ISBN or description. Refused (nothing written): an
    invalid ISBN, a card that is not valid, a title already held (AlreadyHeld: place a hold)
    or on order, a second suggestion of the same title by the same reader, a reader over the
    yearly quota. An open suggestion of the same title is merged: the reader is added and the
    count goes up."""
    at = at or timezone.now()
    if channel not in SuggestionChannel.values:
        raise ValidationFailed(_("Unknown channel."), field="channel")
    if actor.user is not None:
        require_acq(actor, library, perm="acquisitions.suggest")
    isbn = clean_isbn(isbn)
    title = title.strip()
    money = clean_price(price)
    if not isbn and not title:
        raise ValidationFailed(_("Give an ISBN or a title."), field="title")
    check = catalogue_check(library=library, isbn=isbn, title=title)
    if check.held:
        raise AlreadyHeld(record=check.record.pk if check.record else None)
    if check.on_order and check.suggestion is None:
        raise OnOrder(record=check.record.pk if check.record else None)
    rule = suggestion_rule_for(library=library)
    with transaction.atomic():
        locked = Reader.objects.select_for_update(of=("self",)).get(pk=reader.pk)
        check_card(locked, timezone.localdate(at))
        used = reader_quota_used(reader=locked, year=timezone.localdate(at).year)
        if used >= rule.yearly_quota:
            raise QuotaExceeded(quota=rule.yearly_quota, used=used)
        target = check.suggestion
        if target is not None:
            target = Suggestion.objects.select_for_update().get(pk=target.pk)
            if target.requests.filter(reader=locked).exists():
                raise AlreadySuggested(suggestion=target.pk)
            Suggestion.objects.filter(pk=target.pk).update(request_count=F("request_count") + 1)
            target.refresh_from_db()
            action = "suggestion.merge"
        else:
            if not title and check.record is None:
                raise ValidationFailed(
                    _("This ISBN is not known here: give the title too."), field="title"
                )
            record = check.record
            target = Suggestion.objects.create(
                library=library,
                isbn=isbn,
                title=title or (record.title if record else ""),
                title_key=title_key(title or (record.title if record else "")),
                authors=authors.strip() or (record.authors if record else ""),
                publisher=publisher.strip() or (record.publisher if record else ""),
                year=year or (record.year if record else None),
                clc=clc.strip() or (record.clc if record else ""),
                price=money,
                record=record,
                created_at=at,
            )
            action = "suggestion.create"
        try:
            with transaction.atomic():
                request = SuggestionRequest.objects.create(
                    suggestion=target,
                    reader=locked,
                    channel=channel,
                    note=note[:500],
                    created_at=at,
                )
        except IntegrityError:
            raise AlreadySuggested(suggestion=target.pk) from None
        audit_record(
            actor=actor,
            action=action,
            obj=target,
            library=library.pk,
            changes={
                "reader": locked.pk,
                "channel": channel,
                "isbn": isbn,
                "count": target.request_count,
                "request": request.pk,
            },
        )
    return target


def _record_for(suggestion: Suggestion, actor: Actor) -> Record:
    record = suggestion.record or record_by_isbn(suggestion.isbn)
    if record is not None:
        return record
    marc = marc_for(
        title=suggestion.title,
        isbn=suggestion.isbn,
        authors=suggestion.authors,
        publisher=suggestion.publisher,
        year=suggestion.year,
        clc=suggestion.clc,
        price=suggestion.price,
    )
    return record_create_from_marc(record=marc, flavour="marc21", actor=actor)


def suggestion_approve(
    *,
    suggestion: Suggestion,
    order: Order,
    actor: Actor,
    copies: int | None = None,
    unit_price: Any = None,
    budget_line: BudgetLine | None = None,
    service_point: ServicePoint | None = None,
    collection: Collection | None = None,
    override_rules: bool = False,
    allow_overspend: bool = False,
    message: str = "",
) -> OrderLine:
    """Approve a pending suggestion: its record (found by ISBN or created brief) is ordered on
    `order` for the rule's copies per title, charged to the rule's budget line unless another
    is given. Refused when a rule is broken (unless `override_rules`) or the budget line would
    be overspent. Each reader who asked is told. Locks the suggestion row."""
    from shufang.acquisitions.services.orders import order_line_add

    require_acq(actor, suggestion.library_id)
    if order.library_id != suggestion.library_id:
        raise ValidationFailed(_("The order is for another library."), field="order")
    rule = suggestion_rule_for(library=suggestion.library_id)
    with transaction.atomic():
        locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if locked.status != SuggestionStatus.PENDING:
            raise InvalidTransition(
                _("Only a suggestion waiting for review can be approved."), state=locked.status
            )
        price = clean_price(unit_price, field="unit_price")
        if price is not None and price != locked.price:
            locked.price = price
        findings = suggestion_review(suggestion=locked)
        if findings and not override_rules:
            raise RulesRefuse(
                "; ".join(f.message for f in findings), rules=[f.code for f in findings]
            )
        if locked.price is None:
            raise ValidationFailed(_("Give the price to order it."), field="unit_price")
        record = _record_for(locked, actor)
        line = order_line_add(
            order=order,
            record=record,
            copies=copies or rule.copies_per_title,
            unit_price=locked.price,
            actor=actor,
            budget_line=budget_line or rule.budget_line or order.budget_line,
            service_point=service_point,
            collection=collection,
            acquisition_source=AcquisitionSource.READER_SUGGESTION,
            suggestion=locked,
            allow_overspend=allow_overspend,
        )
        locked.record = record
        locked.status = SuggestionStatus.APPROVED
        locked.reason = message.strip()[:500]
        locked.decided_at = timezone.now()
        locked.decided_by = actor.user if getattr(actor.user, "pk", None) else None
        locked.save()
        audit_record(
            actor=actor,
            action="suggestion.approve",
            obj=locked,
            library=locked.library_id,
            changes={
                "order_line": line.pk,
                "overridden": [f.code for f in findings],
                "price": locked.price,
            },
        )
        for request in locked.requests.all():
            suggestion_notice_queue(request=request, event="approved")
    return line


def suggestion_decline(*, suggestion: Suggestion, reason: str, actor: Actor) -> Suggestion:
    """Decline with a reason each reader who asked will read. Locks the suggestion row."""
    require_acq(actor, suggestion.library_id)
    if not reason.strip():
        raise ValidationFailed(_("Give the reader a reason."), field="reason")
    with transaction.atomic():
        locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if locked.status != SuggestionStatus.PENDING:
            raise InvalidTransition(
                _("Only a suggestion waiting for review can be declined."), state=locked.status
            )
        locked.status = SuggestionStatus.DECLINED
        locked.reason = reason.strip()[:500]
        locked.decided_at = timezone.now()
        locked.decided_by = actor.user if getattr(actor.user, "pk", None) else None
        locked.save()
        audit_record(
            actor=actor,
            action="suggestion.decline",
            obj=locked,
            library=locked.library_id,
            changes={"reason": locked.reason},
        )
        for request in locked.requests.all():
            suggestion_notice_queue(request=request, event="declined")
    return locked


def suggestion_rule_set(
    *,
    library: Library,
    actor: Actor,
    price_cap: Any = None,
    excluded_classes: str = "",
    yearly_quota: int = 10,
    copies_per_title: int = 1,
    budget_line: BudgetLine | None = None,
    bookshop_enabled: bool = False,
) -> SuggestionRule:
    """Set a library's review rules (created or replaced)."""
    require_acq(actor, library)
    if copies_per_title < 1:
        raise ValidationFailed(_("At least one copy per title."), field="copies_per_title")
    values = {
        "price_cap": clean_price(price_cap, field="price_cap"),
        "excluded_classes": ",".join(
            c.strip().upper() for c in excluded_classes.replace("，", ",").split(",") if c.strip()
        ),
        "yearly_quota": yearly_quota,
        "copies_per_title": copies_per_title,
        "budget_line": budget_line,
        "bookshop_enabled": bookshop_enabled,
    }
    with transaction.atomic():
        rule, _created = SuggestionRule.objects.update_or_create(library=library, defaults=values)
        audit_record(
            actor=actor, action="suggestion_rule.set", obj=rule, library=library.pk, changes=values
        )
    return rule
