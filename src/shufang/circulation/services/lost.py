"""Lost, claimed returned, missing and found.

- `loan_declare_lost`: the reader lost the item; the loan closes as lost, the item is lost,
  and a replacement charge is written when one is given.
- `loan_claim_returned`: the reader says it came back; the loan stays open (it still holds the
  item, so nobody else can borrow it) but no longer counts as overdue.
- `item_declare_missing`: not on the shelf where it should be.
- `item_found`: a missing or lost item turns up (or the one claimed returned is found): the
  item is available again where it was found, a lost or claimed-returned loan is closed as
  returned and outstanding lost charges on that loan are waived.
Each locks the item row (and the loan row where there is one) and writes one audit event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from shufang.catalogue.models import Item, ItemStatus
from shufang.catalogue.states import Trigger, next_status
from shufang.circulation.models import Fine, FineStatus, Loan, LoanStatus
from shufang.circulation.states import loan_next
from shufang.core.audit import Actor, audit_record
from shufang.network.models import ServicePoint

LOST_CHARGE = "lost"


def _lock_loan(loan: Loan) -> Loan:
    return (
        Loan.objects.select_for_update(of=("self",))
        .select_related("item", "service_point")
        .get(pk=loan.pk)
    )


def _lock_item(item_id: int) -> Item:
    return Item.objects.select_for_update().get(pk=item_id)


def loan_declare_lost(
    *,
    loan: Loan,
    actor: Actor,
    at: dt.datetime | None = None,
    charge: Decimal | None = None,
) -> Loan:
    """Closes `loan` as lost and marks the item lost; with `charge`, writes a lost-item fine."""
    at = at or timezone.now()
    with transaction.atomic():
        item = _lock_item(loan.item_id)
        loan = _lock_loan(loan)
        status = loan_next(loan.status, "declare_lost")
        item_before = item.status
        item_status = next_status(item.status, Trigger.DECLARE_LOST)
        before = loan.status
        loan.status = status
        loan.returned_at = None
        loan.save(update_fields=["status", "returned_at"])
        Item.objects.filter(pk=item.pk).update(status=item_status, status_changed_at=at)
        fine = None
        if charge is not None and charge > 0 and loan.reader_id is not None:
            fine = Fine.objects.create(
                reader_id=loan.reader_id, loan=loan, kind=LOST_CHARGE, amount=charge, created_at=at
            )
        audit_record(
            actor=actor,
            action="loan.declare_lost",
            obj=loan,
            changes={
                "status": [before, status],
                "item_status": [item_before, item_status],
                "charge": charge,
                "fine": fine.pk if fine else None,
            },
            library=loan.service_point.library_id,
        )
    return loan


def loan_claim_returned(*, loan: Loan, actor: Actor, at: dt.datetime | None = None) -> Loan:
    """Marks `loan` claimed returned. Locks the loan row."""
    at = at or timezone.now()
    with transaction.atomic():
        loan = _lock_loan(loan)
        before = loan.status
        loan.status = loan_next(loan.status, "claim_returned")
        loan.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="loan.claim_returned",
            obj=loan,
            changes={"status": [before, loan.status], "at": at},
            library=loan.service_point.library_id,
        )
    return loan


def item_declare_missing(*, item: Item, actor: Actor, at: dt.datetime | None = None) -> Item:
    """Marks `item` missing. Locks the item row."""
    at = at or timezone.now()
    with transaction.atomic():
        item = _lock_item(item.pk)
        before = item.status
        item.status = next_status(item.status, Trigger.DECLARE_MISSING)
        item.status_changed_at = at
        item.save(update_fields=["status", "status_changed_at"])
        audit_record(
            actor=actor,
            action="item.declare_missing",
            obj=item,
            changes={"status": [before, item.status]},
        )
    return item


def item_found(
    *,
    item: Item,
    service_point: ServicePoint,
    actor: Actor,
    at: dt.datetime | None = None,
) -> Item:
    """A missing, lost or claimed-returned item is found at `service_point`. Locks the item
    row and its lost or claimed-returned loan, if any."""
    at = at or timezone.now()
    with transaction.atomic():
        item = _lock_item(item.pk)
        before = item.status
        loan: Any = (
            Loan.objects.select_for_update()
            .filter(item=item, status__in=(LoanStatus.CLAIMS_RETURNED, LoanStatus.LOST))
            .order_by("-checked_out_at", "-pk")
            .first()
        )
        loan_change: list[str] | None = None
        waived = 0
        if loan is not None:
            loan_before = loan.status
            loan.status = loan_next(loan.status, "found")
            loan.returned_at = at
            loan.returned_at_service_point = service_point
            loan.save(update_fields=["status", "returned_at", "returned_at_service_point"])
            loan_change = [loan_before, loan.status]
            waived = Fine.objects.filter(
                loan=loan, kind=LOST_CHARGE, status=FineStatus.OUTSTANDING
            ).update(status=FineStatus.WAIVED, settled_at=at, note="found")
        # An item claimed returned is still "on loan": finding it checks it in. An item on an
        # ordinary active loan is not found (the state table refuses FOUND from on_loan).
        on_claimed_loan = loan_change is not None and item.status == ItemStatus.ON_LOAN
        trigger = Trigger.CHECKIN if on_claimed_loan else Trigger.FOUND
        item.status = next_status(item.status, trigger)
        item.status_changed_at = at
        item.current_service_point = service_point
        item.save(update_fields=["status", "status_changed_at", "current_service_point"])
        audit_record(
            actor=actor,
            action="item.found",
            obj=item,
            changes={
                "status": [before, item.status],
                "service_point": service_point.pk,
                "loan": loan.pk if loan_change else None,
                "loan_status": loan_change,
                "lost_charges_waived": waived,
            },
        )
    return item
