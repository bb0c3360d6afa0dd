"""Transits between service points: an item going home after a return elsewhere (通借通还),
or going to the pickup point of the hold it was trapped for."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.catalogue.models import Item, ItemStatus
from shufang.circulation.models import Hold, HoldStatus, Transit, TransitReason
from shufang.circulation.services.routing import (
    ROUTE,
    CheckinResult,
    Routing,
    hold_message,
    hold_ready_notice,
    hold_rule,
    hold_shelf_expiry,
    item_lock,
    item_move,
    route_item,
    transit_open,
)
from shufang.circulation.states import hold_next
from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import InvalidTransition, ValidationFailed
from shufang.core.permissions import require
from shufang.network.models import ServicePoint


def transit_send(
    *,
    item: Item,
    to_service_point: ServicePoint,
    reason: str,
    actor: Actor,
    hold: Hold | None = None,
    at: dt.datetime | None = None,
) -> Transit:
    """Sends `item` from where it is to `to_service_point`. Locks the item row; the
    `one_open_transit_per_item` constraint refuses a second open transit
    (`TransitAlreadyOpen`)."""
    at = at or timezone.now()
    if reason not in TransitReason.values:
        raise ValidationFailed(_("Unknown transit reason."), field="reason")
    with transaction.atomic():
        locked = item_lock(item)
        if actor.user is not None:
            require(actor.user, "circulation.lend", service_point=locked.current_service_point)
        if locked.current_service_point_id == to_service_point.pk:
            raise ValidationFailed(
                _("The item is already at %(place)s.") % {"place": to_service_point.name},
                field="to_service_point",
            )
        return transit_open(
            locked, to_service_point=to_service_point, reason=reason, actor=actor, at=at, hold=hold
        )


def transit_receive(
    *,
    item: Item,
    service_point: ServicePoint,
    actor: Actor,
    at: dt.datetime | None = None,
) -> CheckinResult:
    """Receives an item in transit at `service_point`: for a hold picked up here the hold
    becomes ready on the hold shelf; an item for a hold picked up elsewhere is sent on; any
    other item is routed as a return without quarantine (next hold, home, or the shelf).
    Locks the item row, its open transit and the transit's hold."""
    at = at or timezone.now()
    if actor.user is not None:
        require(
            actor.user,
            "circulation.lend",
            library=service_point.library_id,
            service_point=service_point,
        )
    with transaction.atomic():
        locked = item_lock(item)
        routing = transit_receive_locked(locked, service_point=service_point, actor=actor, at=at)
    return CheckinResult(loan=None, routing=routing, fine=None)


def transit_receive_locked(
    item: Item, *, service_point: ServicePoint, actor: Actor, at: dt.datetime
) -> Routing:
    transit = (
        Transit.objects.select_for_update(of=("self",))
        .filter(item=item, received_at__isnull=True, cancelled_at__isnull=True)
        .first()
    )
    if transit is None and item.status != ItemStatus.IN_TRANSIT:
        raise InvalidTransition(
            _("This item is not in transit."), state=item.status, trigger="arrive"
        )
    hold: Hold | None = None
    if transit is not None:
        transit.received_at = at
        transit.save(update_fields=["received_at"])
        audit_record(
            actor=actor,
            action="transit.receive",
            obj=transit,
            library=service_point.library_id,
            changes={
                "item": item.barcode,
                "at": service_point.pk,
                "expected_at": transit.to_service_point_id,
            },
        )
        if transit.hold_id is not None:
            hold = (
                Hold.objects.select_for_update(of=("self",))
                .select_related("reader", "pickup_service_point")
                .get(pk=transit.hold_id)
            )
    if hold is not None and hold.status == HoldStatus.IN_TRANSIT:
        if hold.pickup_service_point_id == service_point.pk:
            return _arrive_for_hold(
                item, hold=hold, service_point=service_point, actor=actor, at=at
            )
        # the pickup point changed on the way, or the item came to the wrong place: send on
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
    return route_item(item, service_point=service_point, actor=actor, at=at, quarantine=False)


def _arrive_for_hold(
    item: Item, *, hold: Hold, service_point: ServicePoint, actor: Actor, at: dt.datetime
) -> Routing:
    day = timezone.localdate(at)
    rule = hold_rule(hold=hold, item=item)
    before = hold.status
    hold.status = hold_next(hold.status, "arrive")
    hold.ready_at = at
    hold.shelf_expires_on = hold_shelf_expiry(
        pickup=service_point, day=day, days=rule.hold_shelf_days
    )
    hold.save(update_fields=["status", "ready_at", "shelf_expires_on"])
    item_move(item, target=ItemStatus.ON_HOLD_SHELF, at=at, location=service_point)
    audit_record(
        actor=actor,
        action="hold.arrive",
        obj=hold,
        library=service_point.library_id,
        changes={
            "status": [before, hold.status],
            "item": item.barcode,
            "shelf_expires_on": hold.shelf_expires_on,
        },
    )
    hold_ready_notice(hold, item=item, at=at)
    return Routing(action=ROUTE.HOLD, message=hold_message(hold), hold=hold, sort_bin="hold-shelf")
