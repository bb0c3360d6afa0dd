"""Settling fines: paying them (at the desk, over the API, at a self-service machine) and
waiving them (managers only).

A payment never exceeds what is owed: there is no change to give and no credit balance, so an
amount above the fine (or above all of a reader's outstanding fines) is refused. A partial
payment splits the fine: the fine keeps the paid part and becomes `paid`, and a new
outstanding fine of the same reader, loan and kind holds the remainder (its note says which
fine it was split from). So a fine is always settled whole, once, and the sum of a reader's
fines never changes by paying.

Each change writes one audit event: `fine.pay` (amount, channel, payment type), `fine.split`
for the remainder created by a partial payment, `fine.waive` (reason). Refusals change
nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.circulation.models import Fine, FineStatus
from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import InvalidTransition, ValidationFailed
from shufang.core.permissions import require

CENT = Decimal("0.01")
PAYMENT_TYPES = ("cash", "card", "wechat", "alipay", "other")


class FineNotOutstanding(InvalidTransition):
    code = "fine_not_outstanding"
    default_message = _("This fine has already been paid or waived.")


class PaymentInvalid(ValidationFailed):
    code = "payment_invalid"
    default_message = _("The amount must be above zero, in yuan and fen.")


class PaymentOverBalance(ValidationFailed):
    code = "payment_over_balance"
    default_message = _("The amount is more than is owed.")


class NoFinesOutstanding(ValidationFailed):
    code = "no_fines_outstanding"
    default_message = _("The reader owes nothing.")


def payment_amount(value: Any) -> Decimal:
    """`value` as an amount of money: above zero, at most two decimal places."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise PaymentInvalid(amount=str(value)) from exc
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise PaymentInvalid(amount=str(value))
    return amount.quantize(CENT)


def _library_id(fine: Fine) -> int | None:
    from shufang.network.models import ServicePoint

    return (
        ServicePoint.objects.filter(readers__pk=fine.reader_id)
        .values_list("library_id", flat=True)
        .first()
    )


def _lock(fine: Fine) -> Fine:
    locked = Fine.objects.select_for_update().get(pk=fine.pk)
    if locked.status != FineStatus.OUTSTANDING:
        raise FineNotOutstanding(fine=fine.pk, status=locked.status)
    return locked


@transaction.atomic
def fine_pay(
    *,
    fine: Fine,
    amount: Decimal,
    actor: Actor,
    channel: str,
    at: dt.datetime | None = None,
    payment_type: str = "cash",
) -> Fine:
    """Pays `amount` of `fine` and returns the fine, now `paid`. Paying less than the fine
    splits it (see the module docstring); paying more is refused. Staff need
    `circulation.lend` at the reader's home library; a device or system actor (no user) is
    trusted by its channel. Locks the fine's row."""
    amount = payment_amount(amount)
    if payment_type not in PAYMENT_TYPES:
        raise ValidationFailed(
            _("Unknown payment type %(t)s.") % {"t": payment_type}, field="payment_type"
        )
    library_id = _library_id(fine)
    if actor.user is not None:
        require(actor.user, "circulation.lend", library=library_id)
    locked = _lock(fine)
    if amount > locked.amount:
        raise PaymentOverBalance(fine=locked.pk, owed=str(locked.amount), amount=str(amount))
    when = at or timezone.now()
    remainder = locked.amount - amount
    if remainder > 0:
        rest = Fine.objects.create(
            reader_id=locked.reader_id,
            loan_id=locked.loan_id,
            kind=locked.kind,
            amount=remainder,
            created_at=locked.created_at,
            note=f"remainder of fine {locked.pk}"[:300],
        )
        audit_record(
            actor=actor,
            action="fine.split",
            obj=rest,
            changes={"from_fine": locked.pk, "amount": remainder},
            library=library_id,
        )
    Fine.objects.filter(pk=locked.pk).update(amount=amount, status=FineStatus.PAID, settled_at=when)
    audit_record(
        actor=actor,
        action="fine.pay",
        obj=locked,
        changes={
            "amount": amount,
            "owed_before": locked.amount,
            "channel": channel,
            "payment_type": payment_type,
            "at": when,
        },
        library=library_id,
    )
    locked.amount, locked.status, locked.settled_at = amount, FineStatus.PAID, when
    return locked


@transaction.atomic
def fine_waive(*, fine: Fine, actor: Actor, reason: str, at: dt.datetime | None = None) -> Fine:
    """Waives the whole of an outstanding fine with a reason. Staff need
    `circulation.override` at the reader's home library. Locks the fine's row."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for waiving the fine."), field="reason")
    library_id = _library_id(fine)
    if actor.user is not None:
        require(actor.user, "circulation.override", library=library_id)
    locked = _lock(fine)
    when = at or timezone.now()
    note = f"{locked.note} · waived: {reason}" if locked.note else f"waived: {reason}"
    Fine.objects.filter(pk=locked.pk).update(
        status=FineStatus.WAIVED, settled_at=when, note=note[:300]
    )
    audit_record(
        actor=actor,
        action="fine.waive",
        obj=locked,
        changes={"amount": locked.amount, "reason": reason, "at": when},
        library=library_id,
    )
    locked.status, locked.settled_at, locked.note = FineStatus.WAIVED, when, note[:300]
    return locked


@transaction.atomic
def reader_fines_pay(
    *,
    reader: Any,
    amount: Decimal,
    actor: Actor,
    channel: str,
    at: dt.datetime | None = None,
    payment_type: str = "cash",
) -> list[Fine]:
    """Pays `amount` towards the reader's outstanding fines, oldest first; the last fine
    reached may be paid in part (and split). Returns the fines paid, oldest first. Refused,
    with nothing changed, when the reader owes nothing or less than `amount`. Locks all the
    reader's outstanding fines (in id order, so two payments for one reader queue)."""
    amount = payment_amount(amount)
    outstanding = list(
        Fine.objects.select_for_update()
        .filter(reader=reader, status=FineStatus.OUTSTANDING)
        .order_by("pk")
    )
    if not outstanding:
        raise NoFinesOutstanding(reader=reader.pk)
    owed = sum((f.amount for f in outstanding), start=Decimal(0))
    if amount > owed:
        raise PaymentOverBalance(reader=reader.pk, owed=str(owed), amount=str(amount))
    outstanding.sort(key=lambda f: (f.created_at, f.pk))
    paid: list[Fine] = []
    left = amount
    for fine in outstanding:
        if left <= 0:
            break
        part = min(left, fine.amount)
        paid.append(
            fine_pay(
                fine=fine,
                amount=part,
                actor=actor,
                channel=channel,
                at=at,
                payment_type=payment_type,
            )
        )
        left -= part
    return paid


def reader_fines_owed(*, reader: Any) -> Decimal:
    """The sum of the reader's outstanding fines."""
    total = sum(
        Fine.objects.filter(reader=reader, status=FineStatus.OUTSTANDING).values_list(
            "amount", flat=True
        ),
        start=Decimal(0),
    )
    return Decimal(total).quantize(CENT)
