"""Where an item goes next, and the low-level moves shared by returns, holds, transits and
quarantine (engineer R).

The routing order, applied whenever an item becomes free at a service point (returned, received
from a transit, released from quarantine, released from an expired or cancelled hold):

1. quarantine, when the service point's `QuarantinePolicy.hours` > 0 and the item comes back
   from a reader (it goes on to a hold, home or the shelf only when quarantine ends);
2. the next waiting hold this item can fill (FIFO by `placed_at`, then `id`): an item-level hold
   on this item, or a record-level ("any copy") hold when the copy is loanable to that reader at
   the pickup point. Pickup here -> ready on the hold shelf; elsewhere -> transit for the hold;
3. home: returned away from its home service point -> transit home (通借通还);
4. the shelf.

The functions here take an item row the caller has already locked (`select_for_update`) and
never commit on their own; services wrap them in `transaction.atomic`. Item statuses change only
along `catalogue.states.TRANSITIONS` (`_path` finds the triggers), holds along
`circulation.states.HOLD_TRANSITIONS`.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.catalogue.models import Item, ItemStatus
from shufang.catalogue.states import TRANSITIONS, Trigger
from shufang.circulation.models import (
    Fine,
    Hold,
    HoldStatus,
    Loan,
    QuarantineEntry,
    Transit,
    TransitReason,
)
from shufang.circulation.rules import RuleContext, due_date_for
from shufang.circulation.selectors import (
    calendar_point_for,
    item_for_circulation,
    quarantine_hours_at,
    rule_for,
    waiting_holds_exist,
)
from shufang.circulation.states import hold_next
from shufang.core.audit import Actor, audit_record, update_row
from shufang.core.exceptions import Conflict, InvalidTransition
from shufang.network.models import ServicePoint
from shufang.network.selectors import calendar_for
from shufang.readers.identity import mask_name


class ROUTE:
    SHELF = "shelf"
    QUARANTINE = "quarantine"
    HOLD = "hold"
    TRANSIT = "transit"


@dataclass(frozen=True)
class Routing:
    """What staff do with the item in their hand. `destination` is the service point the item
    must be sent to (None when it stays here); `sort_bin` names the bin of a returns sorter."""

    action: str  # "shelf" | "quarantine" | "hold" | "transit"
    message: str
    hold: Hold | None = None
    destination: ServicePoint | None = None
    sort_bin: str = ""


@dataclass(frozen=True)
class CheckinResult:
    loan: Loan | None
    routing: Routing
    fine: Fine | None = None


class TransitAlreadyOpen(Conflict):
    code = "transit_already_open"
    default_message = _("This item is already in transit.")


# --------------------------------------------------------------------------- item statuses

# The triggers routing may use to move an item; `release` adds HOLD_CANCELLED or HOLD_EXPIRED.
_ROUTING_TRIGGERS = frozenset(
    {
        Trigger.CHECKIN,
        Trigger.CHECKIN_AWAY,
        Trigger.CHECKIN_QUARANTINE,
        Trigger.QUARANTINE_END,
        Trigger.SEND,
        Trigger.ARRIVE,
        Trigger.ARRIVE_FOR_HOLD,
        Trigger.TRAP_HOLD,
    }
)


def _path(current: str, target: str, release: str) -> list[str]:
    """The shortest list of triggers taking an item from `current` to `target` in the item
    state table (breadth first, so the table stays the only source of allowed moves)."""
    if current == target:
        return []
    allowed = _ROUTING_TRIGGERS | {release}
    seen = {current}
    queue: deque[tuple[str, list[str]]] = deque([(current, [])])
    while queue:
        state, triggers = queue.popleft()
        for trigger, nxt in TRANSITIONS.get(state, {}).items():
            if trigger not in allowed or nxt in seen:
                continue
            if nxt == target:
                return [*triggers, trigger]
            seen.add(nxt)
            queue.append((nxt, [*triggers, trigger]))
    raise InvalidTransition(
        _("An item in status “%(state)s” cannot become “%(target)s”.")
        % {"state": current, "target": target},
        state=current,
        target=target,
    )


def item_move(
    item: Item,
    *,
    target: str,
    at: dt.datetime,
    location: ServicePoint | None = None,
    release: str = Trigger.HOLD_CANCELLED,
) -> list[str]:
    """Moves a locked item to status `target` (and `location`), saving it; returns the
    triggers used."""
    triggers = _path(item.status, target, release)
    fields = []
    if triggers:
        item.status = target
        item.status_changed_at = at
        fields += ["status", "status_changed_at"]
    if location is not None and item.current_service_point_id != location.pk:
        item.current_service_point = location
        fields.append("current_service_point")
    if fields:
        # one UPDATE of these columns with its SQL built once (as save(update_fields=...))
        update_row(item, [*fields, "updated_at"])
    return triggers


# --------------------------------------------------------------------------- transits


def transit_open(
    item: Item,
    *,
    to_service_point: ServicePoint,
    reason: str,
    actor: Actor,
    at: dt.datetime,
    hold: Hold | None = None,
    location: ServicePoint | None = None,
) -> Transit:
    """Sends a locked item from where it is (`location`, default its current service point)
    to `to_service_point`. One open transit per item is kept by the `one_open_transit_per_item`
    constraint."""
    triggers = item_move(item, target=ItemStatus.IN_TRANSIT, at=at, location=location)
    from_point_id = item.current_service_point_id
    try:
        with transaction.atomic():
            transit = Transit.objects.create(
                item=item,
                from_service_point_id=from_point_id,
                to_service_point=to_service_point,
                reason=reason,
                hold=hold,
                sent_at=at,
            )
    except IntegrityError:
        raise TransitAlreadyOpen(item=item.barcode) from None
    audit_record(
        actor=actor,
        action="transit.send",
        obj=transit,
        library=to_service_point.library_id,
        changes={
            "item": item.barcode,
            "from": from_point_id,
            "to": to_service_point.pk,
            "reason": reason,
            "hold": hold.pk if hold is not None else None,
            "item_triggers": triggers,
        },
    )
    return transit


# --------------------------------------------------------------------------- holds


def hold_shelf_expiry(*, pickup: ServicePoint, day: dt.date, days: int) -> dt.date:
    """The last day to collect: `days` after `day`, moved to a day the pickup point is open
    (for an unstaffed pickup point, the calendar of its library's main building)."""
    point = calendar_point_for(pickup)
    return due_date_for(start=day, days=days, calendar=calendar_for(service_point=point, start=day))


def hold_rule(*, hold: Hold, item: Item) -> Any:
    """The rule for lending `item` to the hold's reader at its pickup point."""
    pickup = hold.pickup_service_point
    return rule_for(
        RuleContext(
            library_id=pickup.library_id,
            service_point_id=pickup.pk,
            reader_category_id=hold.reader.category_id,
            collection_id=item.collection_id,
            material_type=item.record.material_type,
        )
    )


def hold_candidates(*, item: Item, day: dt.date, limit: int = 20) -> list[Hold]:
    """Waiting holds `item` could fill, first in the queue first."""
    if not item.collection.loanable:
        return []
    # Most returned copies have no one waiting: a tiny indexed probe first, and the full
    # query (reader and pickup point loaded) only when there is someone.
    if not waiting_holds_exist(record_id=item.record_id):
        return []
    rows = (
        Hold.objects.filter(record_id=item.record_id, status=HoldStatus.WAITING)
        .filter(Q(item__isnull=True) | Q(item_id=item.pk))
        .exclude(not_needed_after__lt=day)
        .select_related("reader", "pickup_service_point")
        .order_by("placed_at", "id")
    )
    return list(rows[:limit])


def hold_message(hold: Hold) -> str:
    return str(
        _("Hold: %(reader)s, pick up at %(place)s")
        % {"reader": mask_name(hold.reader.name), "place": hold.pickup_service_point.name}
    )


def hold_trap_next(
    item: Item, *, service_point: ServicePoint, actor: Actor, at: dt.datetime
) -> Routing | None:
    """Traps the locked `item`, which is physically at `service_point`, for the first waiting
    hold it can fill, and moves it (hold shelf here, or a transit to the pickup point).

    The hold is claimed with a conditional UPDATE (`status = waiting`), so two copies returned
    at once can never both be trapped for one hold: the second sees no row updated and tries
    the next hold. The `item_trapped_for_one_hold` constraint keeps one item on one hold."""
    day = timezone.localdate(at)
    for hold in hold_candidates(item=item, day=day):
        rule = hold_rule(hold=hold, item=item)
        if not (rule.loanable and rule.holds_allowed):
            continue
        here = hold.pickup_service_point_id == service_point.pk
        trigger = "trap_here" if here else "trap_elsewhere"
        status = hold_next(HoldStatus.WAITING, trigger)
        values: dict[str, Any] = {"status": status, "trapped_item": item, "trapped_at": at}
        if here:
            values["ready_at"] = at
            values["shelf_expires_on"] = hold_shelf_expiry(
                pickup=hold.pickup_service_point, day=day, days=rule.hold_shelf_days
            )
        try:
            with transaction.atomic():
                claimed = Hold.objects.filter(pk=hold.pk, status=HoldStatus.WAITING).update(
                    **values
                )
        except IntegrityError:
            # the item is trapped already: the caller did not lock it; refuse loudly
            raise Conflict(
                _("This item is already set aside for a hold."), item=item.barcode
            ) from None
        if not claimed:
            continue  # taken by a concurrent return: next in the queue
        for key, value in values.items():
            setattr(hold, key, value)
        audit_record(
            actor=actor,
            action="hold.trap",
            obj=hold,
            library=hold.pickup_service_point.library_id,
            changes={
                "status": [HoldStatus.WAITING, status],
                "item": item.barcode,
                "at": service_point.pk,
                "shelf_expires_on": values.get("shelf_expires_on"),
            },
        )
        if here:
            item_move(item, target=ItemStatus.ON_HOLD_SHELF, at=at, location=service_point)
            hold_ready_notice(hold, item=item, at=at)
            return Routing(
                action=ROUTE.HOLD,
                message=hold_message(hold),
                hold=hold,
                destination=None,
                sort_bin="hold-shelf",
            )
        transit_open(
            item,
            to_service_point=hold.pickup_service_point,
            reason=TransitReason.HOLD,
            actor=actor,
            at=at,
            hold=hold,
            location=service_point,
        )
        return Routing(
            action=ROUTE.HOLD,
            message=str(
                _("%(hold)s. Send to %(place)s")
                % {"hold": hold_message(hold), "place": hold.pickup_service_point.name}
            ),
            hold=hold,
            destination=hold.pickup_service_point,
            sort_bin=f"transit:{hold.pickup_service_point.code}",
        )
    return None


def hold_ready_notice(hold: Hold, *, item: Item, at: dt.datetime) -> None:
    """Queues the "hold ready" notice at once, under the key engineer C's scheduled
    `notices_queue_hold_ready` uses (`hold_ready:<hold>`), so the reader gets exactly one."""
    from shufang.circulation.models import NoticeKind
    from shufang.circulation.notices import notice_queue

    notice_queue(
        reader=hold.reader,
        kind=NoticeKind.HOLD_READY,
        key=f"hold_ready:{hold.pk}",
        values={
            "title": item.record.title,
            "place": hold.pickup_service_point.name,
            "until": hold.shelf_expires_on.isoformat() if hold.shelf_expires_on else "",
        },
        at=at,
    )


# --------------------------------------------------------------------------- routing


def quarantine_hours(service_point: ServicePoint) -> int:
    return quarantine_hours_at(service_point_id=service_point.pk)


def route_item(
    item: Item,
    *,
    service_point: ServicePoint,
    actor: Actor,
    at: dt.datetime,
    quarantine: bool,
    release: str = Trigger.HOLD_CANCELLED,
) -> Routing:
    """Sends the locked `item`, now physically at `service_point`, where it goes next (see the
    module docstring) and says so. `quarantine`: the item comes back from a reader, so the
    service point's quarantine policy applies."""
    if quarantine:
        hours = quarantine_hours(service_point)
        if hours > 0:
            ends_at = at + dt.timedelta(hours=hours)
            item_move(item, target=ItemStatus.IN_QUARANTINE, at=at, location=service_point)
            try:
                with transaction.atomic():
                    entry = QuarantineEntry.objects.create(
                        item=item, service_point=service_point, started_at=at, ends_at=ends_at
                    )
            except IntegrityError:
                raise Conflict(
                    _("This item is already in quarantine."), item=item.barcode
                ) from None
            audit_record(
                actor=actor,
                action="quarantine.start",
                obj=entry,
                changes={"item": item.barcode, "hours": hours, "ends_at": ends_at},
            )
            local_end = timezone.localtime(ends_at)
            return Routing(
                action=ROUTE.QUARANTINE,
                message=str(
                    _("To quarantine until %(end)s") % {"end": f"{local_end:%Y-%m-%d %H:%M}"}
                ),
                sort_bin="quarantine",
            )
    if item.status == ItemStatus.ON_HOLD_SHELF:
        # released from a hold: back to available first, so the next hold can trap it
        item_move(item, target=ItemStatus.AVAILABLE, at=at, location=service_point, release=release)
    routed = hold_trap_next(item, service_point=service_point, actor=actor, at=at)
    if routed is not None:
        return routed
    home = item.home_service_point
    if home.pk != service_point.pk:
        transit_open(
            item,
            to_service_point=home,
            reason=TransitReason.RETURN_HOME,
            actor=actor,
            at=at,
            location=service_point,
        )
        return Routing(
            action=ROUTE.TRANSIT,
            message=str(_("Send to %(place)s") % {"place": home.name}),
            destination=home,
            sort_bin=f"transit:{home.code}",
        )
    item_move(item, target=ItemStatus.AVAILABLE, at=at, location=service_point, release=release)
    return Routing(
        action=ROUTE.SHELF,
        message=str(
            _("To the shelf: %(collection)s %(call_number)s")
            % {"collection": item.collection.name, "call_number": item.call_number}
        ),
        sort_bin=f"shelf:{item.collection.code}",
    )


def item_lock(item: Item | int) -> Item:
    """Locks and loads the item row with what routing reads."""
    pk = item.pk if isinstance(item, Item) else item
    return item_for_circulation(pk=pk, lock=True)
