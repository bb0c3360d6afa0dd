"""Serials services: subscriptions, the next year's subscription round, issue prediction,
check-in (记到, optionally barcoded for loan), claims (催缺), binding and discarding.

A subscription commits `unit_price × copies` to its budget line (see
`acquisitions.selectors.budget_line_committed`) until it is invoiced; creating an ordered one
goes through `budget_line_reserve`, which locks the line."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import issn as stdnum_issn

from shufang.acquisitions.errors import BudgetExceeded
from shufang.acquisitions.models import BudgetLine, Invoice, InvoiceLine, Vendor
from shufang.acquisitions.services.budgets import budget_line_reserve
from shufang.acquisitions.services.common import clean_price, marc_for
from shufang.catalogue.models import AcquisitionSource, Collection, ItemStatus, Record
from shufang.catalogue.services.items import item_create
from shufang.catalogue.services.records import record_create_from_marc
from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import InvalidTransition, ValidationFailed
from shufang.core.permissions import require
from shufang.network.models import ServicePoint
from shufang.serials.models import (
    Frequency,
    Issue,
    IssueClaim,
    IssueStatus,
    SerialKind,
    Subscription,
    SubscriptionStatus,
)
from shufang.serials.prediction import predict_issues
from shufang.serials.selectors import subscription_round_worksheet

CN_NUMBER = re.compile(r"^CN\s?(\d{2}-\d{4})(/[A-Z0-9.]+)?$", re.IGNORECASE)


class InvalidSerialNumber(ValidationFailed):
    code = "invalid_serial_number"
    default_message = _("Give a valid ISSN or CN number (e.g. CN 53-1001/I).")


def _require(actor: Actor, library: Any = None) -> None:
    if actor.user is not None:
        require(actor.user, "serials.change", library=library)


def _clean_numbers(issn: str, cn_number: str) -> tuple[str, str]:
    issn = issn.strip()
    cn_number = cn_number.strip().upper()
    if issn:
        try:
            issn = str(stdnum_issn.format(stdnum_issn.validate(issn)))
        except Exception:
            raise InvalidSerialNumber(field="issn", issn=issn) from None
    if cn_number:
        match = CN_NUMBER.match(cn_number)
        if match is None:
            raise InvalidSerialNumber(field="cn_number", cn_number=cn_number)
        cn_number = f"CN {match.group(1)}{match.group(2) or ''}"
    if not issn and not cn_number:
        raise InvalidSerialNumber(field="issn")
    return issn, cn_number


def subscription_create(
    *,
    year: int,
    title: str,
    kind: str,
    frequency: str,
    vendor: Vendor,
    budget_line: BudgetLine,
    unit_price: Decimal,
    service_point: ServicePoint,
    actor: Actor,
    copies: int = 1,
    issn: str = "",
    cn_number: str = "",
    status: str = SubscriptionStatus.ORDERED,
    skip_months: list[int] | None = None,
    skip_dates: list[dt.date] | None = None,
    first_issue_on: dt.date | None = None,
    keep_years: int | None = None,
    bind: bool = False,
    issues_per_volume: int = 12,
    collection: Collection | None = None,
    claim_after_days: int = 14,
    allow_overspend: bool = False,
    previous: Subscription | None = None,
) -> Subscription:
    """Subscribe to a title for a year (or plan it for the subscription round). An ordered
    subscription commits its price to the budget line; refused if that overspends it."""
    _require(actor, service_point.library_id)
    if kind not in SerialKind.values:
        raise ValidationFailed(_("Unknown kind of serial."), field="kind")
    if frequency not in Frequency.values:
        raise ValidationFailed(_("Unknown frequency."), field="frequency")
    if status not in (SubscriptionStatus.ORDERED, SubscriptionStatus.PLANNED):
        raise ValidationFailed(_("Unknown status."), field="status")
    if not title.strip():
        raise ValidationFailed(_("A subscription needs a title."), field="title")
    if copies < 1:
        raise ValidationFailed(_("At least one copy."), field="copies")
    issn, cn_number = _clean_numbers(issn, cn_number)
    price = clean_price(unit_price, field="unit_price")
    if price is None:
        raise ValidationFailed(_("A subscription needs a price."), field="unit_price")
    months = sorted({int(m) for m in skip_months or []})
    if any(m < 1 or m > 12 for m in months):
        raise ValidationFailed(_("Months are 1 to 12."), field="skip_months")
    with transaction.atomic():
        if status == SubscriptionStatus.ORDERED:
            budget_line_reserve(
                line=budget_line, amount=price * copies, allow_overspend=allow_overspend
            )
        sub = Subscription.objects.create(
            year=year,
            title=title.strip(),
            issn=issn,
            cn_number=cn_number,
            kind=kind,
            frequency=frequency,
            vendor=vendor,
            budget_line=budget_line,
            unit_price=price,
            copies=copies,
            service_point=service_point,
            status=status,
            skip_months=months,
            skip_dates=sorted(d.isoformat() for d in skip_dates or []),
            first_issue_on=first_issue_on,
            keep_years=keep_years,
            bind=bind,
            issues_per_volume=issues_per_volume,
            collection=collection,
            claim_after_days=claim_after_days,
            previous=previous,
        )
        audit_record(
            actor=actor,
            action="subscription.create",
            obj=sub,
            library=service_point.library_id,
            changes={"year": year, "status": status, "price": price, "copies": copies},
        )
    return sub


SUBSCRIPTION_FIELDS = (
    "title",
    "frequency",
    "copies",
    "unit_price",
    "skip_months",
    "first_issue_on",
    "keep_years",
    "bind",
    "issues_per_volume",
    "claim_after_days",
)


def subscription_update(
    *, subscription: Subscription, actor: Actor, allow_overspend: bool = False, **changes: Any
) -> Subscription:
    """Change a subscription. A higher price or more copies of an ordered, not yet invoiced
    subscription commits the difference, refused when it overspends the budget line. Locks
    the subscription and (through the reservation) the budget line."""
    from shufang.core.audit import diff

    _require(actor, subscription.service_point.library_id)
    unknown = set(changes) - set(SUBSCRIPTION_FIELDS)
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed."), fields=sorted(unknown))
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip()
        if not changes["title"]:
            raise ValidationFailed(_("A subscription needs a title."), field="title")
    if "frequency" in changes and changes["frequency"] not in Frequency.values:
        raise ValidationFailed(_("Unknown frequency."), field="frequency")
    if "copies" in changes and (changes["copies"] or 0) < 1:
        raise ValidationFailed(_("At least one copy."), field="copies")
    if "unit_price" in changes:
        changes["unit_price"] = clean_price(changes["unit_price"], field="unit_price")
        if changes["unit_price"] is None:
            raise ValidationFailed(_("A subscription needs a price."), field="unit_price")
    if "skip_months" in changes:
        months = sorted({int(m) for m in changes["skip_months"] or []})
        if any(m < 1 or m > 12 for m in months):
            raise ValidationFailed(_("Months are 1 to 12."), field="skip_months")
        changes["skip_months"] = months
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if locked.status == SubscriptionStatus.CANCELLED:
            raise InvalidTransition(_("A cancelled subscription cannot change."))
        before = {key: getattr(locked, key) for key in changes}
        old_total = locked.unit_price * locked.copies
        for key, value in changes.items():
            setattr(locked, key, value)
        new_total = locked.unit_price * locked.copies
        if (
            locked.status == SubscriptionStatus.ORDERED
            and locked.invoice_line_id is None
            and new_total > old_total
        ):
            budget_line_reserve(
                line=locked.budget_line,
                amount=new_total - old_total,
                allow_overspend=allow_overspend,
            )
        locked.save()
        audit_record(
            actor=actor,
            action="subscription.update",
            obj=locked,
            library=subscription.service_point.library_id,
            changes=diff(before, changes),
        )
    return locked


def subscription_predict_issues(*, subscription: Subscription, actor: Actor) -> list[Issue]:
    """Create the expected issues of the year from the frequency and the known gaps (those
    already there are kept). Irregular titles get none: their issues are checked in as they
    come (`issue_check_in_unexpected`)."""
    _require(actor, subscription.service_point.library_id)
    predicted = predict_issues(
        frequency=subscription.frequency,
        year=subscription.year,
        first_issue_on=subscription.first_issue_on,
        skip_months=subscription.skip_months,
        skip_dates=[dt.date.fromisoformat(d) for d in subscription.skip_dates],
    )
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        have = set(locked.issues.values_list("sequence", flat=True))
        new = [
            Issue(
                subscription=locked, sequence=p.sequence, label=p.label, expected_on=p.expected_on
            )
            for p in predicted
            if p.sequence not in have
        ]
        Issue.objects.bulk_create(new)
        audit_record(
            actor=actor,
            action="subscription.predict",
            obj=locked,
            library=subscription.service_point.library_id,
            changes={"issues": len(new)},
        )
    return list(locked.issues.order_by("sequence"))


def _serial_record(sub: Subscription, actor: Actor) -> Record:
    if sub.record_id is not None:
        assert sub.record is not None
        return sub.record
    record = record_create_from_marc(
        record=marc_for(title=sub.title, issn=sub.issn, serial=sub.kind),
        flavour="marc21",
        actor=actor,
    )
    Subscription.objects.filter(pk=sub.pk).update(record=record)
    sub.record = record
    return record


def issue_check_in(
    *,
    issue: Issue,
    actor: Actor,
    copies: int | None = None,
    received_on: dt.date | None = None,
    barcodes: list[str] | None = None,
) -> Issue:
    """Check in (记到) an expected or claimed issue; with barcodes, each copy also becomes an
    item for loan (in the subscription's collection, priced per issue). Locks the issue."""
    received_on = received_on or timezone.localdate()
    with transaction.atomic():
        locked = (
            Issue.objects.select_for_update(of=("self",))
            .select_related("subscription__service_point", "subscription__record")
            .get(pk=issue.pk)
        )
        sub = locked.subscription
        _require(actor, sub.service_point.library_id)
        if locked.status not in (IssueStatus.EXPECTED, IssueStatus.CLAIMED):
            raise InvalidTransition(_("This issue was checked in already."), state=locked.status)
        count = copies or sub.copies
        codes = [b.strip() for b in barcodes or [] if b.strip()]
        if codes:
            if sub.collection is None:
                raise ValidationFailed(
                    _("Give the subscription a collection to barcode its issues."),
                    field="barcodes",
                )
            record = _serial_record(sub, actor)
            issues_in_year = max(1, sub.issues.count())
            per_issue = (sub.unit_price / issues_in_year).quantize(Decimal("0.01"))
            items = [
                item_create(
                    record=record,
                    barcode=code,
                    home_service_point=sub.service_point,
                    collection=sub.collection,
                    actor=actor,
                    price=per_issue,
                    acquisition_source=AcquisitionSource.PURCHASE,
                    acquired_on=received_on,
                    status=ItemStatus.AVAILABLE,
                )
                for code in codes
            ]
            locked.items.add(*items)
        before = locked.status
        locked.status = IssueStatus.RECEIVED
        locked.received_on = received_on
        locked.copies_received = count
        locked.received_by = actor.user if getattr(actor.user, "pk", None) else None
        locked.save()
        audit_record(
            actor=actor,
            action="issue.check_in",
            obj=locked,
            library=sub.service_point.library_id,
            changes={"status": [before, locked.status], "copies": count, "barcodes": codes},
        )
    return locked


def issue_check_in_unexpected(
    *, subscription: Subscription, label: str, actor: Actor, received_on: dt.date | None = None
) -> Issue:
    """An issue nobody predicted (an irregular title, a supplement): numbered next."""
    _require(actor, subscription.service_point.library_id)
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        top = locked.issues.aggregate(top=Max("sequence"))["top"] or 0
        issue = Issue.objects.create(
            subscription=locked,
            sequence=top + 1,
            label=label.strip() or f"{locked.year}-{top + 1:02d}",
        )
    return issue_check_in(issue=issue, actor=actor, received_on=received_on)


def issue_claim(*, issue: Issue, actor: Actor, on: dt.date | None = None, note: str = "") -> Issue:
    """Claim a missing issue from the vendor (催缺). Claimed issues may be claimed again."""
    with transaction.atomic():
        locked = (
            Issue.objects.select_for_update(of=("self",))
            .select_related("subscription__service_point")
            .get(pk=issue.pk)
        )
        _require(actor, locked.subscription.service_point.library_id)
        if locked.status not in (IssueStatus.EXPECTED, IssueStatus.CLAIMED):
            raise InvalidTransition(_("Only a missing issue can be claimed."), state=locked.status)
        claim = IssueClaim.objects.create(
            issue=locked, claimed_on=on or timezone.localdate(), note=note
        )
        locked.status = IssueStatus.CLAIMED
        locked.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="issue.claim",
            obj=locked,
            library=locked.subscription.service_point.library_id,
            changes={"claimed_on": claim.claimed_on, "note": note},
        )
    return locked


def issues_set_status(*, issues: list[Issue], status: str, actor: Actor) -> int:
    """Bind (装订) a volume of checked-in issues, or discard issues past retention, or give
    claimed issues up as missing. One audit event per issue."""
    allowed: dict[str, tuple[str, ...]] = {
        IssueStatus.BOUND: (IssueStatus.RECEIVED,),
        IssueStatus.DISCARDED: (IssueStatus.RECEIVED, IssueStatus.BOUND),
        IssueStatus.MISSING: (IssueStatus.EXPECTED, IssueStatus.CLAIMED),
    }
    if status not in allowed:
        raise ValidationFailed(_("Unknown status."), field="status")
    with transaction.atomic():
        locked = list(
            Issue.objects.select_for_update(of=("self",))
            .select_related("subscription__service_point")
            .filter(pk__in=[i.pk for i in issues])
            .order_by("pk")
        )
        for issue in locked:
            _require(actor, issue.subscription.service_point.library_id)
            if issue.status not in allowed[status]:
                raise InvalidTransition(state=issue.status, issue=issue.pk)
        for issue in locked:
            before = issue.status
            issue.status = status
            issue.save(update_fields=["status"])
            audit_record(
                actor=actor,
                action="issue.status",
                obj=issue,
                library=issue.subscription.service_point.library_id,
                changes={"status": [before, status]},
            )
    return len(locked)


def subscription_round_open(
    *,
    from_year: int,
    budget_line: BudgetLine,
    actor: Actor,
    price_changes: dict[int, Decimal] | None = None,
    drop: list[int] | None = None,
) -> list[Subscription]:
    """Next year's round (报刊征订): every title subscribed in `from_year` on the budget line
    of the same code last year is planned again for `from_year + 1` on `budget_line`, at its
    new price when given (by previous subscription id), unless dropped. Titles already
    planned are not planned twice."""
    _require(actor, budget_line.fund.library_id)
    price_changes = price_changes or {}
    dropped = set(drop or [])
    current = Subscription.objects.filter(
        year=from_year,
        status=SubscriptionStatus.ORDERED,
        budget_line__code=budget_line.code,
        budget_line__fund__library_id=budget_line.fund.library_id,
    ).select_related("vendor", "service_point", "collection")
    planned_from = set(
        Subscription.objects.filter(year=from_year + 1, previous__isnull=False).values_list(
            "previous_id", flat=True
        )
    )
    created = []
    with transaction.atomic():
        for sub in current.order_by("pk"):
            if sub.pk in dropped or sub.pk in planned_from:
                continue
            created.append(
                subscription_create(
                    year=from_year + 1,
                    title=sub.title,
                    kind=sub.kind,
                    frequency=sub.frequency,
                    vendor=sub.vendor,
                    budget_line=budget_line,
                    unit_price=price_changes.get(sub.pk, sub.unit_price),
                    service_point=sub.service_point,
                    actor=actor,
                    copies=sub.copies,
                    issn=sub.issn,
                    cn_number=sub.cn_number,
                    status=SubscriptionStatus.PLANNED,
                    skip_months=sub.skip_months,
                    first_issue_on=None,
                    keep_years=sub.keep_years,
                    bind=sub.bind,
                    issues_per_volume=sub.issues_per_volume,
                    collection=sub.collection,
                    claim_after_days=sub.claim_after_days,
                    previous=sub,
                )
            )
    return created


def subscription_round_confirm(
    *, year: int, budget_line: BudgetLine, actor: Actor, allow_overspend: bool = False
) -> int:
    """Order every planned subscription of the worksheet at once: refused (nothing ordered)
    when the worksheet's total is more than the budget line has left."""
    _require(actor, budget_line.fund.library_id)
    with transaction.atomic():
        budget_line_reserve(line=budget_line, amount=Decimal("0"))  # lock the line
        sheet = subscription_round_worksheet(year=year, budget_line=budget_line)
        if sheet.over_budget > 0 and not allow_overspend:
            raise BudgetExceeded(
                _("The round costs %(total)s; the budget line has %(available)s.")
                % {"total": sheet.total, "available": sheet.available},
                total=str(sheet.total),
                available=str(sheet.available),
            )
        for sub in sheet.rows:
            Subscription.objects.filter(pk=sub.pk).update(status=SubscriptionStatus.ORDERED)
            audit_record(
                actor=actor,
                action="subscription.order",
                obj=sub,
                library=budget_line.fund.library_id,
                changes={"status": [SubscriptionStatus.PLANNED, SubscriptionStatus.ORDERED]},
            )
    return len(sheet.rows)


def subscription_invoice(
    *, subscription: Subscription, invoice: Invoice, amount: Decimal, actor: Actor
) -> InvoiceLine:
    """The agent's invoice for a subscription: its commitment becomes spending."""
    from shufang.acquisitions.services.orders import invoice_line_add

    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if locked.invoice_line_id is not None:
            raise InvalidTransition(_("This subscription is invoiced already."))
        line = invoice_line_add(
            invoice=invoice,
            actor=actor,
            amount=amount,
            budget_line=locked.budget_line,
            copies=locked.copies,
            description=f"{locked.year} {locked.title}",
        )
        Subscription.objects.filter(pk=locked.pk).update(invoice_line=line)
    return line
