"""Renewals.

A renewal extends an active loan to `renewal_days` after the day of renewal, moved to the
next open day of the lending calendar; it never brings a due date forward. Refused when the
loan has used its renewals, when another reader waits for the title and the rule says so, or
when the reader's card or fines block (overridable blocks may be overridden by staff with
`circulation.override`). The rule is the one that applies now (policy changes apply to
renewals), resolved for the loan's item, reader and lending service point."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shufang.circulation import errors
from shufang.circulation.calendar_lock import calendar_lock_shared
from shufang.circulation.events import circulation_event_record
from shufang.circulation.models import EventKind, Hold, HoldStatus, Loan, LoanStatus
from shufang.circulation.selectors import (
    reader_fines_outstanding,
    rule_for_transaction,
)
from shufang.circulation.services.blocks import card_blocks, resolve_blocks
from shufang.circulation.services.checkout import audit_actor, due_date, end_of_day
from shufang.circulation.states import loan_next
from shufang.core.audit import Actor, audit_record
from shufang.core.permissions import require
from shufang.readers.selectors import card_current


def renewal_blocks(*, loan: Loan, at: dt.datetime) -> tuple[list[errors.Block], Any]:
    """The blocks against renewing `loan` now, and the rule that applies."""
    reader = loan.reader
    assert reader is not None  # anonymised loans are closed, never renewed
    item = loan.item
    rule = rule_for_transaction(item=item, reader=reader, service_point=loan.service_point)
    today = timezone.localtime(at).date()
    found = card_blocks(card=card_current(reader=reader), today=today)
    if loan.renewals >= rule.renewals_allowed:
        found.append(errors.RenewalNotAllowed(renewals=loan.renewals, limit=rule.renewals_allowed))
    if rule.refuse_renewal_when_held:
        waiting = (
            Hold.objects.filter(
                record_id=item.record_id,
                status__in=(HoldStatus.WAITING, HoldStatus.IN_TRANSIT, HoldStatus.READY),
            )
            .filter(Q(item__isnull=True) | Q(item_id=item.pk))
            .exclude(reader_id=reader.pk)
            .exists()
        )
        if waiting:
            found.append(errors.RenewalRefusedHeld(record=item.record_id))
    if rule.max_fines is not None:
        fines = reader_fines_outstanding(reader=reader)
        if fines > rule.max_fines:
            found.append(errors.FinesOverLimit(outstanding=str(fines), limit=str(rule.max_fines)))
    return found, rule


def loan_renew(
    *,
    loan: Loan,
    actor: Actor,
    channel: str,
    at: dt.datetime | None = None,
    override: Iterable[str] = (),
) -> Loan:
    """Renews `loan`. Locks the loan row. Staff need `circulation.lend` somewhere in the
    network: a reader may renew at any desk, whichever library lent the book. Readers
    (OPAC) and devices (SIP2) act without a staff user and reach only their own loans
    through their interfaces."""
    at = at or timezone.now()
    if actor.user is not None:
        require(actor.user, "circulation.lend")
    with transaction.atomic():
        # the calendar lock before the loan's row lock, as closures take them
        calendar_lock_shared(loan.service_point)
        loan = (
            Loan.objects.select_for_update(of=("self",))
            .select_related(
                "item",
                "item__record",
                "item__collection",
                "reader",
                "reader__category",
                "service_point",
            )
            .get(pk=loan.pk)
        )
        if loan.reader is None:
            raise errors.RenewalNotAllowed()
        status = loan_next(loan.status, "renew")
        blocks, rule = renewal_blocks(loan=loan, at=at)
        lifted = resolve_blocks(
            blocks=blocks, override=override, actor=actor, service_point=loan.service_point
        )
        today = timezone.localtime(at).date()
        new_due = end_of_day(
            due_date(
                rule=rule, service_point=loan.service_point, start=today, days=rule.renewal_days
            )
        )
        old_due = loan.due_at
        loan.due_at = max(old_due, new_due)
        loan.renewals += 1
        loan.status = status
        loan.overrides = [*loan.overrides, *lifted]
        loan.save(update_fields=["due_at", "renewals", "status", "overrides"])
        audit_record(
            actor=audit_actor(actor, channel),
            action="loan.renew",
            obj=loan,
            object_repr=f"{loan.item.barcode} → {loan.reader}",
            changes={
                "due_at": [old_due, loan.due_at],
                "renewals": [loan.renewals - 1, loan.renewals],
                "channel": channel,
                "overrides": lifted,
            },
            library=loan.service_point.library_id,
        )
        circulation_event_record(
            kind=EventKind.RENEWAL,
            item=loan.item,
            reader=loan.reader,
            service_point=loan.service_point,
            channel=channel,
            at=at,
            deposit=loan.deposit_id is not None,
        )
    return loan


@dataclass
class RenewAllResult:
    renewed: list[Loan] = field(default_factory=list)
    refused: list[tuple[Loan, errors.Block]] = field(default_factory=list)


def loans_renew_all(
    *, reader: Any, actor: Actor, channel: str, at: dt.datetime | None = None
) -> RenewAllResult:
    """Renews every active loan of `reader` that may be renewed; each renewal is its own
    transaction (one refusal does not undo the others). Locks each loan row in turn."""
    at = at or timezone.now()
    result = RenewAllResult()
    loans = Loan.objects.filter(reader=reader, status=LoanStatus.ACTIVE).order_by("due_at", "pk")
    for loan in loans:
        try:
            result.renewed.append(loan_renew(loan=loan, actor=actor, channel=channel, at=at))
        except errors.Block as block:
            result.refused.append((loan, block))
    return result
