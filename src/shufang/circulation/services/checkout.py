"""Checkout (lending) and the desk's preview of a checkout.

Invariants kept here:
- one open loan per item, enforced by the `one_open_loan_per_item` constraint; the item row is
  locked first, so a second desk scanning the same item waits and then sees it on loan;
- every block is raised unless it is overridable, asked for in `override` and the actor holds
  `circulation.override` there; the codes overridden are kept on the loan and in the audit;
- a `no_block` (offline) checkout records a loan for an item that was physically lent while
  the system could not be asked: it ignores the reader's blocks and the item's bookkeeping
  status (missing, lost, in transit, on the hold shelf), records them in `overrides` and sets
  `Loan.no_block`; it never makes a second open loan of one item;
- the due date is the lending calendar's open day `loan_days` ahead (see
  `selectors.calendar_point_for`: kiosks and 24-hour rooms use the main building's calendar),
  due at 23:59:59 local time;
- one AuditEvent and one CirculationEvent per checkout.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shufang.catalogue.models import Item, ItemStatus
from shufang.catalogue.states import Trigger, next_status
from shufang.circulation import errors
from shufang.circulation.calendar_lock import calendar_lock_shared
from shufang.circulation.events import circulation_event_record
from shufang.circulation.models import (
    CirculationChannel,
    EventKind,
    HoldStatus,
    Loan,
    LoanRule,
)
from shufang.circulation.rules import due_date_for, explain
from shufang.circulation.selectors import (
    holds_bearing_on_checkout,
    item_for_circulation,
    lending_calendar,
    reader_card_current,
    reader_fines_outstanding,
    reader_loan_counts,
    rule_for_transaction,
)
from shufang.circulation.services.blocks import (
    card_blocks,
    item_blocks,
    limit_blocks,
    resolve_blocks,
)
from shufang.core.audit import Actor, audit_record, insert_row, update_row
from shufang.core.models import Channel
from shufang.core.permissions import require
from shufang.network.models import ServicePoint

# Item statuses an offline (no_block) checkout passes through the state table to reach
# "available" first: the item was in the reader's hands, whatever the record said.
_NO_BLOCK_PATHS: dict[str, tuple[str, ...]] = {
    ItemStatus.MISSING: (Trigger.FOUND,),
    ItemStatus.LOST: (Trigger.FOUND,),
    ItemStatus.IN_TRANSIT: (Trigger.ARRIVE,),
}


def audit_actor(actor: Actor, channel: str) -> Actor:
    """The actor as the audit trail records it: self-service transactions come from a kiosk."""
    if channel == CirculationChannel.SELF_SERVICE and actor.channel != Channel.KIOSK:
        return dataclasses.replace(actor, channel=Channel.KIOSK)
    return actor


def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def due_date(*, rule: LoanRule, service_point: ServicePoint, start: dt.date, days: int) -> dt.date:
    """`days` after `start`, moved to the next open day of the lending calendar."""
    calendar = lending_calendar(service_point=service_point, start=start)
    return due_date_for(start=start, days=days, calendar=calendar)


@dataclass
class CheckoutPreview:
    """What a checkout would do, without doing it: for the desk before the scan is confirmed."""

    rule: LoanRule
    explanation: str
    rule_scope: list[str]
    due_date: dt.date
    due_at: dt.datetime
    blocks: list[errors.Block] = field(default_factory=list)
    card: Any = None
    hold_id: int | None = None  # the hold this checkout would fulfil

    @property
    def block_codes(self) -> list[str]:
        return [b.code for b in self.blocks]


def rule_explanation(rule: LoanRule) -> str:
    """Why this rule applies, in words staff can read."""
    if rule.pk is None:
        return _("No rule matches; the built-in defaults apply.")
    labels = {
        "service_point": _("service point %(v)s"),
        "library": _("library %(v)s"),
        "reader_category": _("reader category %(v)s"),
        "collection": _("collection %(v)s"),
        "material_type": _("material type %(v)s"),
    }
    parts = [labels[name] % {"v": getattr(rule, name)} for name in explain(rule)]
    if not parts:
        return _("Rule “%(name)s” applies: the network-wide default.") % {"name": rule}
    return _("Rule “%(name)s” applies: the most specific rule for %(scope)s.") % {
        "name": rule,
        "scope": _(", ").join(parts),
    }


@dataclass
class _Assessment:
    rule: LoanRule
    card: Any
    blocks: list[errors.Block]
    hold_id: int | None
    due: dt.date
    reader_waiting: bool = False


def _assess(
    *, item: Item, reader: Any, service_point: ServicePoint, at: dt.datetime, card: Any
) -> _Assessment:
    today = timezone.localtime(at).date()
    if card is None:
        card = reader_card_current(reader_id=reader.pk)
    rule = rule_for_transaction(item=item, reader=reader, service_point=service_point)
    # One query for the holds that matter here: the hold this item is set aside for (anyone's)
    # and this reader's waiting holds on the title (a copy taken from the shelf fulfils them).
    hold_id = trapped_for = None
    reader_waiting = False
    relevant = holds_bearing_on_checkout(
        item_id=item.pk, reader_id=reader.pk, record_id=item.record_id
    )
    for pk, holder, trapped_item_id, hold_status in relevant:
        if trapped_item_id == item.pk and hold_status != HoldStatus.WAITING:
            hold_id, trapped_for = pk, holder
        else:
            reader_waiting = True
    # the per-collection count only when the rule limits it (it joins every loan's item)
    by_collection = item.collection_id if rule.max_loans_in_collection is not None else None
    counts = reader_loan_counts(reader=reader, collection_id=by_collection, at=at)
    fines = reader_fines_outstanding(reader=reader) if rule.max_fines is not None else None
    blocks = (
        card_blocks(card=card, today=today)
        + item_blocks(item=item, rule=rule, trapped_for_reader_id=trapped_for, reader=reader)
        + limit_blocks(rule=rule, counts=counts, fines=fines)
    )
    due = due_date(rule=rule, service_point=service_point, start=today, days=rule.loan_days)
    return _Assessment(
        rule=rule,
        card=card,
        blocks=blocks,
        hold_id=hold_id if trapped_for == reader.pk else None,
        due=due,
        reader_waiting=reader_waiting,
    )


def loan_checkout_preview(
    *, item: Item, reader: Any, service_point: ServicePoint, at: dt.datetime | None = None
) -> CheckoutPreview:
    """The rule that would apply and why, the due date and every block. Writes nothing."""
    at = at or timezone.now()
    item = item_for_circulation(pk=item.pk, lock=False)
    found = _assess(item=item, reader=reader, service_point=service_point, at=at, card=None)
    rule = found.rule
    return CheckoutPreview(
        rule=rule,
        explanation=rule_explanation(rule),
        rule_scope=explain(rule) if rule.pk is not None else [],
        due_date=found.due,
        due_at=end_of_day(found.due),
        blocks=found.blocks,
        card=found.card,
        hold_id=found.hold_id,
    )


def loan_checkout(
    *,
    item: Item,
    reader: Any,
    service_point: ServicePoint,
    actor: Actor,
    channel: str = CirculationChannel.DESK,
    at: dt.datetime | None = None,
    override: Iterable[str] = (),
    no_block: bool = False,
    card: Any = None,
    deposit: Any = None,
    device: str = "",
) -> Loan:
    """Lends `item` to `reader` at `service_point`. Locks the item row. Raises the first
    block not lifted (see module docstring); with the item on the hold shelf for this reader,
    the hold is fulfilled (`holds.hold_fulfil_on_checkout`)."""
    at = at or timezone.now()
    if actor.user is not None:
        require(
            actor.user,
            "circulation.lend",
            library=service_point.library_id,
            service_point=service_point,
        )
    with transaction.atomic():
        # lock the item row only (not its record or collection, which other desks share)
        item = item_for_circulation(pk=item.pk, lock=True)
        calendar_lock_shared(service_point)
        found = _assess(item=item, reader=reader, service_point=service_point, at=at, card=card)
        if no_block:
            hard = [b for b in found.blocks if isinstance(b, errors.ItemAlreadyOnLoan)]
            if hard:
                raise hard[0]
            lifted = [b.code for b in found.blocks]
        else:
            lifted = resolve_blocks(
                blocks=found.blocks, override=override, actor=actor, service_point=service_point
            )
        before = item.status
        status = before
        for trigger in _NO_BLOCK_PATHS.get(status, ()) if no_block else ():
            status = next_status(status, trigger)
        status = next_status(status, Trigger.CHECKOUT)
        loan = Loan(
            item=item,
            reader=reader,
            card=found.card,
            deposit=deposit,
            service_point=service_point,
            channel=channel,
            staff=actor.user if getattr(actor.user, "pk", None) else None,
            device=device,
            checked_out_at=at,
            due_at=end_of_day(found.due),
            rule=found.rule if found.rule.pk is not None else None,
            overrides=lifted,
            no_block=no_block,
        )
        try:
            # one INSERT with its SQL built once (see core.audit.insert_row); no savepoint:
            # an IntegrityError ends this whole transaction, so nothing is half-written
            insert_row(loan)
        except IntegrityError:
            # Another transaction lent it between our read and our insert (only possible
            # where the lock is not taken); nothing is half-written: we roll back.
            raise errors.ItemAlreadyOnLoan(barcode=item.barcode) from None
        item.status = status
        item.status_changed_at = at
        update_row(item, ["status", "status_changed_at"])
        if found.hold_id is not None or found.reader_waiting:
            from shufang.circulation.services.holds import hold_fulfil_on_checkout

            hold_fulfil_on_checkout(item=item, reader=reader, loan=loan, at=at, actor=actor)
        audit_record(
            actor=audit_actor(actor, channel),
            action="loan.checkout",
            obj=loan,
            object_repr=f"{item.barcode} → {reader}",
            changes={
                "item": item.barcode,
                "reader": reader.pk,
                "item_status": [before, status],
                "due_at": loan.due_at,
                "rule": loan.rule_id,
                "channel": channel,
                "overrides": lifted,
                "no_block": no_block,
            },
            library=service_point.library_id,
        )
        circulation_event_record(
            kind=EventKind.CHECKOUT,
            item=item,
            reader=reader,
            service_point=service_point,
            channel=channel,
            at=at,
            deposit=deposit is not None,
        )
    return loan
