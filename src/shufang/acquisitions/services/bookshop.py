"""In-bookshop lending (你选书我买单): a partner bookshop's terminal submits a reader's card
number and the ISBN of the book the reader picked; if the rules allow, the record (found by
ISBN or created from the shop's data), the item and the loan are made in one transaction.

Every request carries an idempotency key, unique per terminal (`bookshop_request_once`): a
replayed request is refused with `request_replayed` and the original loan, and two copies of
one request racing each other cannot both commit. The shop's invoice is reconciled later
against these purchases (`bookshop_invoice_reconcile`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.errors import (
    AlreadyHeld,
    BookshopNotEnabled,
    QuotaExceeded,
    RequestReplayed,
    RulesRefuse,
    TerminalRefused,
    UnknownCard,
)
from shufang.acquisitions.models import (
    BookshopPurchase,
    BookshopTerminal,
    BudgetLine,
    Invoice,
    InvoiceLine,
    Suggestion,
    SuggestionChannel,
    SuggestionRequest,
    SuggestionStatus,
    Vendor,
)
from shufang.acquisitions.selectors import catalogue_check, reader_quota_used, suggestion_rule_for
from shufang.acquisitions.services.budgets import budget_line_reserve
from shufang.acquisitions.services.common import (
    clean_isbn,
    clean_price,
    marc_for,
    next_barcodes,
    require_acq,
    title_key,
)
from shufang.acquisitions.services.suggestions import check_card, rule_findings
from shufang.catalogue.models import AcquisitionSource, Collection, ItemStatus
from shufang.catalogue.services.items import item_create
from shufang.catalogue.services.records import record_create_from_marc
from shufang.circulation.models import CirculationChannel
from shufang.circulation.services.checkout import loan_checkout
from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import Conflict, InvalidTransition, ValidationFailed
from shufang.core.models import Channel
from shufang.network.models import ServicePoint
from shufang.readers.selectors import card_by_number


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def terminal_create(
    *,
    code: str,
    name: str,
    vendor: Vendor,
    service_point: ServicePoint,
    collection: Collection,
    budget_line: BudgetLine,
    actor: Actor,
    barcode_prefix: str = "BS",
) -> tuple[BookshopTerminal, str]:
    """A terminal and its secret, shown once (only its digest is kept)."""
    require_acq(actor, service_point.library_id)
    if not code.strip() or not name.strip():
        raise ValidationFailed(_("A terminal needs a code and a name."), field="code")
    if ":" in code:
        raise ValidationFailed(_("A terminal code cannot contain a colon."), field="code")
    if budget_line.fund.library_id != service_point.library_id:
        raise ValidationFailed(_("The budget line is another library's."), field="budget_line")
    if BookshopTerminal.objects.filter(code=code.strip()).exists():
        raise Conflict(_("A terminal with this code exists."), field="code")
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        terminal = BookshopTerminal.objects.create(
            code=code.strip(),
            name=name.strip(),
            vendor=vendor,
            service_point=service_point,
            collection=collection,
            budget_line=budget_line,
            secret_digest=_digest(secret),
            barcode_prefix=barcode_prefix,
        )
        audit_record(
            actor=actor, action="bookshop_terminal.create", obj=terminal, changes={"code": code}
        )
    return terminal, secret


def terminal_revoke(*, terminal: BookshopTerminal, actor: Actor) -> BookshopTerminal:
    """Revoke a terminal: its credentials are refused from now on (its purchases stay)."""
    require_acq(actor, terminal.service_point.library_id)
    with transaction.atomic():
        locked = BookshopTerminal.objects.select_for_update().get(pk=terminal.pk)
        if not locked.active:
            raise InvalidTransition(_("This terminal is revoked already."))
        locked.active = False
        locked.save(update_fields=["active", "updated_at"])
        audit_record(
            actor=actor,
            action="bookshop_terminal.revoke",
            obj=locked,
            library=terminal.service_point.library_id,
        )
    return locked


def terminal_update(
    *, terminal: BookshopTerminal, actor: Actor, name: str | None = None
) -> BookshopTerminal:
    """Renames a terminal (its code, which the shop signs in with, does not change).
    Locks the terminal."""
    require_acq(actor, terminal.service_point.library_id)
    with transaction.atomic():
        locked = BookshopTerminal.objects.select_for_update().get(pk=terminal.pk)
        if name is None or name.strip() == locked.name:
            return locked
        if not name.strip():
            raise ValidationFailed(_("A terminal needs a name."), field="name")
        changes = {"name": [locked.name, name.strip()]}
        locked.name = name.strip()
        locked.save(update_fields=["name", "updated_at"])
        audit_record(
            actor=actor,
            action="bookshop_terminal.update",
            obj=locked,
            changes=changes,
            library=terminal.service_point.library_id,
        )
    return locked


def terminal_authenticate(*, code: str, secret: str) -> BookshopTerminal:
    """The active terminal with this code and secret; TerminalRefused otherwise (the same
    refusal for an unknown code and a wrong secret)."""
    terminal = (
        BookshopTerminal.objects.select_related("service_point", "vendor")
        .filter(code=code.strip(), active=True)
        .first()
    )
    expected = terminal.secret_digest if terminal is not None else _digest("-")
    if not hmac.compare_digest(expected, _digest(secret or "")) or terminal is None:
        raise TerminalRefused()
    return terminal


def terminal_actor(terminal: BookshopTerminal) -> Actor:
    return Actor(user=None, channel=Channel.API, label=f"bookshop:{terminal.code}")


def _payload_digest(**values: Any) -> str:
    text = json.dumps({k: str(v) for k, v in sorted(values.items())}, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _replayed(purchase: BookshopPurchase, digest: str) -> RequestReplayed:
    return RequestReplayed(
        purchase=purchase.pk,
        loan=purchase.loan_id,
        item=purchase.item.barcode,
        same_request=purchase.payload_digest == digest,
    )


def bookshop_lend(
    *,
    terminal: BookshopTerminal,
    idempotency_key: str,
    card_number: str,
    isbn: str,
    price: Any,
    title: str = "",
    authors: str = "",
    publisher: str = "",
    clc: str = "",
    at: dt.datetime | None = None,
) -> BookshopPurchase:
    """Buy the book for the reader and lend it, all or nothing. Refused with a reason (and
    nothing written): a missing key, a replayed key, an invalid ISBN, an unknown card, a card
    that is not valid, in-bookshop lending not enabled, the title already held, a broken rule
    (price cap, excluded class), the reader's yearly quota used up, the budget line spent,
    and any loan block (too many loans, fines)."""
    at = at or timezone.now()
    key = (idempotency_key or "").strip()
    if not key or len(key) > 80:
        raise ValidationFailed(
            _("Each request needs an idempotency key (1 to 80 characters)."),
            field="idempotency_key",
        )
    money = clean_price(price)
    digest = _payload_digest(card=card_number.strip(), isbn=isbn.strip(), price=money)
    earlier = BookshopPurchase.objects.filter(terminal=terminal, idempotency_key=key).first()
    if earlier is not None:
        raise _replayed(earlier, digest)
    isbn13 = clean_isbn(isbn, required=True)
    if money is None:
        raise ValidationFailed(_("Give the book's price."), field="price")
    card = card_by_number(number=card_number.strip())
    if card is None:
        raise UnknownCard(card=card_number.strip())
    reader = card.reader
    library = terminal.service_point.library
    rule = suggestion_rule_for(library=library)
    if not rule.bookshop_enabled:
        raise BookshopNotEnabled()
    check = catalogue_check(library=library, isbn=isbn13)
    if check.held and check.copies >= rule.copies_per_title:
        raise AlreadyHeld(record=check.record.pk if check.record else None)
    findings = [
        f
        for f in rule_findings(rule=rule, price=money, clc=clc, copies_held=check.copies)
        if f.code != "copies_per_title"
    ]
    if findings:
        raise RulesRefuse("; ".join(f.message for f in findings), rules=[f.code for f in findings])
    actor = terminal_actor(terminal)
    try:
        with transaction.atomic():
            check_card(reader, timezone.localdate(at))
            used = reader_quota_used(reader=reader, year=timezone.localdate(at).year)
            if used >= rule.yearly_quota:
                raise QuotaExceeded(quota=rule.yearly_quota, used=used)
            budget_line_reserve(line=terminal.budget_line, amount=money)
            record = check.record
            if record is None:
                if not title.strip():
                    raise ValidationFailed(
                        _("This ISBN is not known here: send the title too."), field="title"
                    )
                record = record_create_from_marc(
                    record=marc_for(
                        title=title.strip(),
                        isbn=isbn13,
                        authors=authors,
                        publisher=publisher,
                        clc=clc,
                        price=money,
                    ),
                    flavour="marc21",
                    actor=actor,
                )
            suggestion = Suggestion.objects.create(
                library=library,
                isbn=isbn13,
                title=record.title,
                title_key=title_key(record.title),
                authors=record.authors,
                publisher=record.publisher,
                clc=clc or record.clc,
                price=money,
                status=SuggestionStatus.LENT,
                record=record,
                decided_at=at,
            )
            SuggestionRequest.objects.create(
                suggestion=suggestion,
                reader=reader,
                channel=SuggestionChannel.BOOKSHOP,
                created_at=at,
            )
            item = item_create(
                record=record,
                barcode=next_barcodes(terminal.barcode_prefix, 1)[0],
                home_service_point=terminal.service_point,
                collection=terminal.collection,
                actor=actor,
                price=money,
                acquisition_source=AcquisitionSource.READER_SUGGESTION,
                acquired_on=timezone.localdate(at),
                status=ItemStatus.AVAILABLE,
            )
            loan = loan_checkout(
                item=item,
                reader=reader,
                service_point=terminal.service_point,
                actor=actor,
                channel=CirculationChannel.DESK,
                at=at,
                card=card,
                device=terminal.code,
            )
            purchase = BookshopPurchase.objects.create(
                terminal=terminal,
                idempotency_key=key,
                payload_digest=digest,
                reader=reader,
                isbn=isbn13,
                price=money,
                item=item,
                loan=loan,
                suggestion=suggestion,
                created_at=at,
            )
            audit_record(
                actor=actor,
                action="bookshop.lend",
                obj=purchase,
                library=library.pk,
                changes={
                    "reader": reader.pk,
                    "isbn": isbn13,
                    "price": money,
                    "item": item.barcode,
                    "loan": loan.pk,
                    "key": key,
                },
            )
    except IntegrityError:
        # The same key committed by a concurrent copy of this request: ours rolled back.
        earlier = BookshopPurchase.objects.filter(terminal=terminal, idempotency_key=key).first()
        if earlier is not None:
            raise _replayed(earlier, digest) from None
        raise
    return purchase


@dataclass
class Reconciliation:
    matched: list[tuple[BookshopPurchase, InvoiceLine]] = field(default_factory=list)
    price_differences: list[tuple[BookshopPurchase, Decimal]] = field(default_factory=list)
    unmatched_lines: list[tuple[str, Decimal]] = field(default_factory=list)
    not_invoiced: list[BookshopPurchase] = field(default_factory=list)


def bookshop_invoice_reconcile(
    *, invoice: Invoice, lines: list[tuple[str, Any]], actor: Actor
) -> Reconciliation:
    """Match the shop's invoice lines (ISBN, price) against its terminals' purchases not yet
    invoiced, oldest first. A matched line is written as an invoice line (the purchase is
    then spent, no longer committed); lines with no purchase, purchases with no line and
    price differences are reported and change nothing."""
    require_acq(actor, invoice.library_id)
    result = Reconciliation()
    with transaction.atomic():
        open_purchases = list(
            BookshopPurchase.objects.select_for_update(of=("self",))
            .filter(terminal__vendor=invoice.vendor, invoice_line__isnull=True)
            .select_related("terminal", "item")
            .order_by("created_at", "pk")
        )
        for raw_isbn, raw_price in lines:
            try:
                isbn13 = clean_isbn(str(raw_isbn), required=True)
            except ValidationFailed:
                isbn13 = str(raw_isbn)
            amount = clean_price(raw_price, field="amount") or Decimal("0.00")
            purchase = next((p for p in open_purchases if p.isbn == isbn13), None)
            if purchase is None:
                result.unmatched_lines.append((isbn13, amount))
                continue
            open_purchases.remove(purchase)
            line = InvoiceLine.objects.create(
                invoice=invoice,
                budget_line=purchase.terminal.budget_line,
                copies=1,
                amount=amount,
                description=f"{purchase.isbn} {purchase.item.barcode}",
            )
            purchase.invoice_line = line
            purchase.save(update_fields=["invoice_line"])
            result.matched.append((purchase, line))
            if amount != purchase.price:
                result.price_differences.append((purchase, amount - purchase.price))
        result.not_invoiced = open_purchases
        audit_record(
            actor=actor,
            action="invoice.reconcile",
            obj=invoice,
            library=invoice.library_id,
            changes={
                "matched": [p.pk for p, _line in result.matched],
                "unmatched_lines": [i for i, _a in result.unmatched_lines],
                "not_invoiced": [p.pk for p in result.not_invoiced],
            },
        )
    return result
