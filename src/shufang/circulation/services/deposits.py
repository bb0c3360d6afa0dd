"""Deposit collections (集体外借): a batch of items lent to an outreach point or a group
account — a public reading point, a mobile library room, the 2,400 books lent to a military
training camp from September to December 2020.

Each item is lent through the ordinary checkout (`loan_checkout`, channel `deposit`, the
deposit set on the loan), in its own savepoint: an unknown, duplicate or refused barcode is
reported with its reason and the others are lent. Deposit loans are due on the deposit's due
date and are counted apart from reader loans (`CirculationEvent.deposit`). The group account
needs a rule in the matrix that lets it hold the batch (a reader category of kind "group" with
a high `max_loans`).

The return is a batch too, with a discrepancy list: items of the deposit not returned, items
returned that are not in the deposit (not checked in: staff decide), unknown barcodes. A
deposit is returned when none of its loans is open any more; returns may come in several
batches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shufang.catalogue.models import Item
from shufang.circulation.models import (
    OPEN_LOAN_STATUSES,
    CirculationChannel,
    Deposit,
    DepositStatus,
    Loan,
)
from shufang.circulation.services.checkin import CheckinResult, loan_checkin
from shufang.circulation.services.checkout import end_of_day, loan_checkout
from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import ShufangError, ValidationFailed
from shufang.core.permissions import require
from shufang.core.tabular import iter_rows
from shufang.network.models import ServicePoint
from shufang.readers.models import CategoryKind, Reader

BARCODE_ALIASES = {"barcode": ("barcode", "条码", "条形码", "册条码", "条码号")}


@dataclass(frozen=True)
class BarcodeRefusal:
    barcode: str
    code: str
    message: str


@dataclass
class BatchResult:
    """What a batch lend did: the loans made and each refused barcode with its reason."""

    lent: list[Loan] = field(default_factory=list)
    refused: list[BarcodeRefusal] = field(default_factory=list)


@dataclass
class DepositReturnResult:
    returned: list[CheckinResult] = field(default_factory=list)
    missing: list[Item] = field(default_factory=list)  # lent in the deposit, still out
    not_in_deposit: list[str] = field(default_factory=list)  # known items, not in this deposit
    unknown: list[str] = field(default_factory=list)  # barcodes of no item
    refused: list[BarcodeRefusal] = field(default_factory=list)  # the return failed

    @property
    def complete(self) -> bool:
        return not (self.missing or self.not_in_deposit or self.unknown or self.refused)


def _require(actor: Actor, service_point: ServicePoint) -> None:
    if actor.user is not None:
        require(actor.user, "circulation.lend", service_point=service_point)


def barcodes_from_file(path: Path) -> list[str]:
    """Barcodes from an uploaded file: a CSV/XLSX with a barcode column (条码), or a plain
    list with one barcode per line (.txt or a one-column file without that heading)."""
    path = Path(path)
    if path.suffix.lower() in (".csv", ".xlsx", ".xlsm"):
        from shufang.core.tabular import read_header

        if "barcode" in read_header(path, BARCODE_ALIASES):
            return [
                row.values["barcode"]
                for row in iter_rows(path, aliases=BARCODE_ALIASES, required=["barcode"])
                if row.values.get("barcode")
            ]
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    return [line.split(",")[0].strip() for line in text.splitlines() if line.strip()]


@transaction.atomic
def deposit_create(
    *,
    name: str,
    borrower: Reader,
    lent_from: ServicePoint,
    lent_on: dt.date,
    due_on: dt.date,
    actor: Actor,
    destination: ServicePoint | None = None,
) -> Deposit:
    """Opens a deposit for a group account (a reader of a "group" category). Locks nothing."""
    _require(actor, lent_from)
    if not name.strip():
        raise ValidationFailed(_("Give the deposit a name."), field="name")
    if borrower.category.kind != CategoryKind.GROUP:
        raise ValidationFailed(
            _("A deposit is lent to a group account, not to a person."), field="borrower"
        )
    if due_on < lent_on:
        raise ValidationFailed(
            _("The deposit is due (%(due)s) before it is lent (%(lent)s).")
            % {"due": due_on.isoformat(), "lent": lent_on.isoformat()},
            field="due_on",
        )
    deposit = Deposit.objects.create(
        name=name.strip(),
        borrower=borrower,
        destination=destination,
        lent_from=lent_from,
        lent_on=lent_on,
        due_on=due_on,
    )
    audit_record(
        actor=actor,
        action="deposit.created",
        obj=deposit,
        changes={
            "name": deposit.name,
            "borrower": borrower,
            "destination": destination,
            "lent_from": lent_from,
            "lent_on": lent_on,
            "due_on": due_on,
        },
        library=lent_from.library_id,
    )
    return deposit


def _clean(barcodes: Iterable[str]) -> list[str]:
    return [b.strip() for b in barcodes if b and b.strip()]


@transaction.atomic
def deposit_lend(
    *,
    deposit: Deposit,
    barcodes: Iterable[str],
    actor: Actor,
    at: dt.datetime | None = None,
    override: Iterable[str] = (),
) -> BatchResult:
    """Lends each barcode to the deposit's group account through `loan_checkout` (channel
    deposit), each in its own savepoint; refused ones are reported. Locks the deposit row, and
    each item row in turn (in the checkout)."""
    at = at or timezone.now()
    deposit = (
        Deposit.objects.select_for_update()
        .select_related("borrower", "lent_from")
        .get(pk=deposit.pk)
    )
    _require(actor, deposit.lent_from)
    if deposit.status != DepositStatus.OPEN:
        raise ValidationFailed(_("This deposit has been returned."), field="deposit")
    codes = _clean(barcodes)
    items = {i.barcode: i for i in Item.objects.filter(barcode__in=set(codes))}
    result = BatchResult()
    seen: set[str] = set()
    due_at = end_of_day(deposit.due_on)
    for barcode in codes:
        if barcode in seen:
            result.refused.append(
                BarcodeRefusal(barcode, "duplicate", gettext("Scanned twice in this batch."))
            )
            continue
        seen.add(barcode)
        item = items.get(barcode)
        if item is None:
            result.refused.append(
                BarcodeRefusal(barcode, "unknown_barcode", gettext("No item has this barcode."))
            )
            continue
        try:
            with transaction.atomic():
                loan = loan_checkout(
                    item=item,
                    reader=deposit.borrower,
                    service_point=deposit.lent_from,
                    actor=actor,
                    channel=CirculationChannel.DEPOSIT,
                    at=at,
                    override=override,
                    deposit=deposit,
                )
                Loan.objects.filter(pk=loan.pk).update(due_at=due_at)
                loan.due_at = due_at
        except ShufangError as exc:
            result.refused.append(BarcodeRefusal(barcode, exc.code, str(exc.message)))
            continue
        result.lent.append(loan)
    audit_record(
        actor=actor,
        action="deposit.lent",
        obj=deposit,
        changes={
            "lent": len(result.lent),
            "refused": [[r.barcode, r.code] for r in result.refused],
        },
        library=deposit.lent_from.library_id,
    )
    return result


def deposit_lend_file(
    *, deposit: Deposit, path: Path, actor: Actor, at: dt.datetime | None = None
) -> BatchResult:
    """`deposit_lend` with the barcodes of an uploaded file (see `barcodes_from_file`)."""
    return deposit_lend(deposit=deposit, barcodes=barcodes_from_file(path), actor=actor, at=at)


@transaction.atomic
def deposit_return(
    *,
    deposit: Deposit,
    barcodes: Iterable[str],
    actor: Actor,
    at: dt.datetime | None = None,
    service_point: ServicePoint | None = None,
) -> DepositReturnResult:
    """Returns the scanned items of the deposit at `service_point` (default: where it was lent
    from) through `loan_checkin`, each in its own savepoint, and lists the discrepancies. Marks
    the deposit returned when none of its loans is open any more. Locks the deposit row, and
    each item and loan row in turn (in the checkin)."""
    at = at or timezone.now()
    deposit = Deposit.objects.select_for_update().select_related("lent_from").get(pk=deposit.pk)
    point = service_point or deposit.lent_from
    _require(actor, point)
    codes = list(dict.fromkeys(_clean(barcodes)))  # a second scan of one item is no news
    items = {i.barcode: i for i in Item.objects.filter(barcode__in=codes)}
    open_loans = Loan.objects.filter(deposit=deposit, status__in=OPEN_LOAN_STATUSES)
    in_deposit = set(open_loans.values_list("item__barcode", flat=True))
    result = DepositReturnResult()
    for barcode in codes:
        item = items.get(barcode)
        if item is None:
            result.unknown.append(barcode)
            continue
        if barcode not in in_deposit:
            result.not_in_deposit.append(barcode)
            continue
        try:
            with transaction.atomic():
                checked = loan_checkin(
                    item=item,
                    service_point=point,
                    actor=actor,
                    channel=CirculationChannel.DEPOSIT,
                    at=at,
                )
        except ShufangError as exc:
            result.refused.append(BarcodeRefusal(barcode, exc.code, str(exc.message)))
            continue
        result.returned.append(checked)
    result.missing = list(
        Item.objects.filter(loans__deposit=deposit, loans__status__in=OPEN_LOAN_STATUSES).order_by(
            "barcode"
        )
    )
    changes: dict[str, Any] = {
        "returned": len(result.returned),
        "missing": [i.barcode for i in result.missing],
        "not_in_deposit": result.not_in_deposit,
        "unknown": result.unknown,
        "refused": [[r.barcode, r.code] for r in result.refused],
    }
    if not result.missing and deposit.status == DepositStatus.OPEN:
        deposit.status = DepositStatus.RETURNED
        deposit.returned_on = timezone.localtime(at).date()
        deposit.save(update_fields=["status", "returned_on", "updated_at"])
        changes["status"] = [DepositStatus.OPEN, DepositStatus.RETURNED]
    audit_record(
        actor=actor,
        action="deposit.returned",
        obj=deposit,
        changes=changes,
        library=point.library_id,
    )
    return result
