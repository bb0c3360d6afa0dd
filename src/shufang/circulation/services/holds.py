"""Holds (预约): place, cancel, change pickup, trap, expire, and fulfil on checkout.

The queue of a record is FIFO by `placed_at`, ties broken by `id`. A record-level hold is
filled by any loanable copy the rules let the reader borrow at the pickup point; an item-level
hold only by its item. Trapping happens on return, on receipt of a transit, at the end of a
quarantine, when a trapped hold is cancelled or expires, and when staff scan a picked item
(`hold_trap`): see `services.routing.hold_trap_next`.

In closed-stack mode (闭架借阅) a hold is how readers ask for an item: a copy available at the
pickup point appears on that point's pick list (`selectors.pick_list`), staff fetch it and scan
it (`hold_trap`), and it waits on the hold shelf."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.catalogue.models import Item, ItemStatus, Record
from shufang.catalogue.states import Trigger
from shufang.circulation.errors import (
    AlreadyHeld,
    CardExpired,
    CardLost,
    CardNotValid,
    CardSuspended,
    HoldNotAllowed,
    TooManyHolds,
)
from shufang.circulation.events import circulation_event_record
from shufang.circulation.models import EventKind, Hold, HoldStatus, Loan, Transit
from shufang.circulation.rules import RuleContext
from shufang.circulation.selectors import rule_for
from shufang.circulation.services.routing import hold_trap_next, item_lock, route_item
from shufang.circulation.states import hold_next
from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import InvalidTransition, ValidationFailed
from shufang.core.permissions import require
from shufang.network.models import ServicePoint
from shufang.readers.models import CardStatus, Reader
from shufang.readers.selectors import card_current

OPEN_HOLD_STATUSES = (HoldStatus.WAITING, HoldStatus.IN_TRANSIT, HoldStatus.READY)

# Copies in these statuses cannot fill a hold in any foreseeable time.
_GONE = (ItemStatus.WITHDRAWN, ItemStatus.LOST, ItemStatus.MISSING)


def _require_staff(actor: Actor, service_point: ServicePoint) -> None:
    if actor.user is not None:
        require(
            actor.user,
            "circulation.lend",
            library=service_point.library_id,
            service_point=service_point,
        )


def _check_card(reader: Reader, day: dt.date) -> None:
    card = card_current(reader=reader)
    if card is None or card.status == CardStatus.CANCELLED:
        raise CardNotValid(reader=reader.pk)
    if card.status == CardStatus.LOST:
        raise CardLost(card=card.number)
    if card.status == CardStatus.SUSPENDED:
        raise CardSuspended(card=card.number)
    if card.status == CardStatus.EXPIRED or card.expires_on < day:
        raise CardExpired(card=card.number)


def hold_place(
    *,
    reader: Reader,
    record: Record,
    pickup_service_point: ServicePoint,
    actor: Actor,
    channel: str,
    item: Item | None = None,
    at: dt.datetime | None = None,
    not_needed_after: dt.date | None = None,
) -> Hold:
    """Places a hold for `reader` on `record` (any copy), or on `item` alone.

    Refuses (nothing written): a card that is not valid (CardExpired, CardLost, ...); a record
    with no loanable copy in the network that the rules let this reader borrow and hold at the
    pickup point (HoldNotAllowed); a second open hold on the record (AlreadyHeld); more open
    holds than the rule's `max_holds` (TooManyHolds). Locks the reader row, so two placements
    by one reader at once cannot both pass the limits."""
    at = at or timezone.now()
    day = timezone.localdate(at)
    _require_staff(actor, pickup_service_point)
    if item is not None and item.record_id != record.pk:
        raise ValidationFailed(_("This item is not a copy of this title."), field="item")
    if not_needed_after is not None and not_needed_after < day:
        raise ValidationFailed(_("The date is in the past."), field="not_needed_after")
    with transaction.atomic():
        locked_reader = (
            Reader.objects.select_for_update(of=("self",))
            .select_related("category")
            .get(pk=reader.pk)
        )
        _check_card(locked_reader, day)
        copies = Item.objects.filter(record=record, collection__loanable=True).exclude(
            status__in=_GONE
        )
        if item is not None:
            copies = copies.filter(pk=item.pk)
        collections = sorted(set(copies.values_list("collection_id", flat=True)))
        rule: Any = None
        for collection_id in collections:
            candidate = rule_for(
                RuleContext(
                    library_id=pickup_service_point.library_id,
                    service_point_id=pickup_service_point.pk,
                    reader_category_id=locked_reader.category_id,
                    collection_id=collection_id,
                    material_type=record.material_type,
                )
            )
            if candidate.loanable and candidate.holds_allowed:
                rule = candidate
                break
        if rule is None:
            raise HoldNotAllowed(record=record.pk)
        open_holds = Hold.objects.filter(reader=locked_reader, status__in=OPEN_HOLD_STATUSES)
        if open_holds.filter(record=record).exists():
            raise AlreadyHeld(record=record.pk)
        if open_holds.count() >= rule.max_holds:
            raise TooManyHolds(max_holds=rule.max_holds)
        hold = Hold.objects.create(
            reader=locked_reader,
            record=record,
            item=item,
            pickup_service_point=pickup_service_point,
            channel=channel,
            placed_at=at,
            not_needed_after=not_needed_after,
        )
        audit_record(
            actor=actor,
            action="hold.place",
            obj=hold,
            library=pickup_service_point.library_id,
            changes={
                "record": record.pk,
                "item": item.barcode if item is not None else None,
                "pickup_service_point": pickup_service_point.pk,
                "channel": channel,
                "not_needed_after": not_needed_after,
            },
        )
        event_item = item or (copies.select_related("record", "collection").order_by("pk").first())
        if event_item is not None:
            circulation_event_record(
                kind=EventKind.HOLD_PLACED,
                item=event_item,
                reader=locked_reader,
                service_point=pickup_service_point,
                channel=channel,
                at=at,
            )
    return hold


def _lock_hold_and_item(hold: Hold) -> tuple[Hold, Item | None]:
    """Locks in the order every circulation service uses: the item row first, then the hold."""
    item_id = Hold.objects.filter(pk=hold.pk).values_list("trapped_item_id", flat=True).first()
    item = item_lock(item_id) if item_id is not None else None
    locked = (
        Hold.objects.select_for_update(of=("self",))
        .select_related("reader", "pickup_service_point")
        .get(pk=hold.pk)
    )
    return locked, item


def _release_item(
    item: Item | None, hold: Hold, *, actor: Actor, at: dt.datetime, trigger: str
) -> None:
    """The trapped item of a hold that ended: on the hold shelf it goes to the next hold,
    home, or the shelf; in transit it keeps travelling (routed again on receipt)."""
    if item is None or item.status != ItemStatus.ON_HOLD_SHELF:
        return
    route_item(
        item,
        service_point=item.current_service_point,
        actor=actor,
        at=at,
        quarantine=False,
        release=trigger,
    )


def hold_cancel(
    *, hold: Hold, actor: Actor, reason: str = "", at: dt.datetime | None = None
) -> Hold:
    """Cancels a hold (by the reader or staff). A trapped item on the hold shelf is released
    at once: to the next hold, home or the shelf. Locks the trapped item, then the hold."""
    at = at or timezone.now()
    with transaction.atomic():
        locked, item = _lock_hold_and_item(hold)
        _require_staff(actor, locked.pickup_service_point)
        before = locked.status
        locked.status = hold_next(locked.status, "cancel")
        locked.closed_at = at
        locked.close_reason = reason.strip()[:300]
        locked.save(update_fields=["status", "closed_at", "close_reason"])
        audit_record(
            actor=actor,
            action="hold.cancel",
            obj=locked,
            library=locked.pickup_service_point.library_id,
            changes={"status": [before, locked.status], "reason": locked.close_reason},
        )
        if before == HoldStatus.READY:
            _release_item(item, locked, actor=actor, at=at, trigger=Trigger.HOLD_CANCELLED)
    return locked


def hold_change_pickup(*, hold: Hold, pickup_service_point: ServicePoint, actor: Actor) -> Hold:
    """Moves the pickup point of a waiting hold or of one in transit (the item is sent on
    when it arrives at the old pickup point). A hold already on the shelf cannot move: cancel
    it and place a new one. Locks the hold row."""
    with transaction.atomic():
        locked = (
            Hold.objects.select_for_update(of=("self",))
            .select_related("pickup_service_point")
            .get(pk=hold.pk)
        )
        _require_staff(actor, pickup_service_point)
        if locked.status not in (HoldStatus.WAITING, HoldStatus.IN_TRANSIT):
            raise InvalidTransition(
                _("Only a waiting hold or one in transit can change its pickup point."),
                state=locked.status,
                trigger="change_pickup",
            )
        before = locked.pickup_service_point_id
        if before == pickup_service_point.pk:
            return locked
        locked.pickup_service_point = pickup_service_point
        locked.save(update_fields=["pickup_service_point"])
        audit_record(
            actor=actor,
            action="hold.change_pickup",
            obj=locked,
            library=pickup_service_point.library_id,
            changes={"pickup_service_point": [before, pickup_service_point.pk]},
        )
    return locked


def hold_trap(
    *, item: Item, service_point: ServicePoint, actor: Actor, at: dt.datetime | None = None
) -> Hold | None:
    """Staff scan an available item (from the pick list, or off the shelf): it is trapped for
    the first waiting hold it can fill (hold shelf here, or sent to the pickup point). None
    when no hold wants it (nothing changes). Locks the item row, then claims the hold with a
    conditional UPDATE."""
    at = at or timezone.now()
    _require_staff(actor, service_point)
    with transaction.atomic():
        locked = item_lock(item)
        if locked.status != ItemStatus.AVAILABLE:
            raise InvalidTransition(
                _("Only an available item can be set aside for a hold."),
                state=locked.status,
                trigger="trap_hold",
            )
        routing = hold_trap_next(locked, service_point=service_point, actor=actor, at=at)
    return routing.hold if routing is not None else None


def holds_expire(*, at: dt.datetime | None = None) -> int:
    """The scheduled job: waiting holds past their "not needed after" date expire; ready holds
    not collected by `shelf_expires_on` expire and their item goes to the next hold, home or
    the shelf. One transaction per hold, which is locked and re-checked, so two servers
    running the job at once expire each hold once. Returns the number expired."""
    at = at or timezone.now()
    day = timezone.localdate(at)
    actor = Actor.system("holds")
    due = list(
        Hold.objects.filter(
            Q(status=HoldStatus.WAITING, not_needed_after__lt=day)
            | Q(status=HoldStatus.READY, shelf_expires_on__lt=day)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    expired = 0
    for hold_id in due:
        with transaction.atomic():
            locked, item = _lock_hold_and_item(Hold(pk=hold_id))
            still_due = (
                locked.status == HoldStatus.WAITING
                and locked.not_needed_after is not None
                and locked.not_needed_after < day
            ) or (
                locked.status == HoldStatus.READY
                and locked.shelf_expires_on is not None
                and locked.shelf_expires_on < day
            )
            if not still_due:
                continue
            before = locked.status
            locked.status = hold_next(locked.status, "expire")
            locked.closed_at = at
            locked.save(update_fields=["status", "closed_at"])
            audit_record(
                actor=actor,
                action="hold.expire",
                obj=locked,
                library=locked.pickup_service_point.library_id,
                changes={"status": [before, locked.status]},
            )
            if before == HoldStatus.READY:
                _release_item(item, locked, actor=actor, at=at, trigger=Trigger.HOLD_EXPIRED)
            expired += 1
    return expired


def hold_fulfil_on_checkout(
    *, item: Item, reader: Reader, loan: Loan, at: dt.datetime, actor: Actor | None = None
) -> Hold | None:
    """Called by `loan_checkout` inside its transaction (the item row is locked there): the
    reader's hold that this loan satisfies becomes fulfilled — the one the item is set aside
    for, or else the reader's waiting hold on this item or its title (a copy taken from the
    open shelf, or fetched from a closed stack). Returns it, or None."""
    with transaction.atomic():
        hold = (
            Hold.objects.select_for_update(of=("self",))
            .filter(
                reader=reader,
                trapped_item=item,
                status__in=(HoldStatus.READY, HoldStatus.IN_TRANSIT),
            )
            .first()
        )
        if hold is None:
            hold = (
                Hold.objects.select_for_update(of=("self",))
                .filter(reader=reader, record_id=item.record_id, status=HoldStatus.WAITING)
                .filter(Q(item__isnull=True) | Q(item=item))
                .order_by("placed_at", "id")
                .first()
            )
        if hold is None:
            return None
        before = hold.status
        status = hold.status
        if status == HoldStatus.IN_TRANSIT:
            # collected before it was received (lent at a desk on the way): the transit ends
            status = hold_next(status, "arrive")
            Transit.objects.filter(
                item=item, received_at__isnull=True, cancelled_at__isnull=True
            ).update(received_at=at)
        if status == HoldStatus.WAITING:
            status = hold_next(status, "trap_here")
            hold.trapped_item = item
            hold.trapped_at = at
            hold.ready_at = at
        hold.status = hold_next(status, "collect")
        hold.closed_at = at
        hold.save(update_fields=["status", "trapped_item", "trapped_at", "ready_at", "closed_at"])
        audit_record(
            actor=actor or Actor.system("checkout"),
            action="hold.fulfil",
            obj=hold,
            library=loan.service_point.library_id,
            changes={"status": [before, hold.status], "loan": loan.pk, "item": item.barcode},
        )
        circulation_event_record(
            kind=EventKind.HOLD_FULFILLED,
            item=item,
            reader=reader,
            service_point=loan.service_point,
            channel=loan.channel,
            at=at,
        )
    return hold
