"""Returns (还书): close the loan, work out a fine if the policy has one, and route the item
(quarantine, a hold here or elsewhere, home, or the shelf — see `services.routing`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.catalogue.models import Item, ItemStatus
from shufang.circulation.events import circulation_event_record
from shufang.circulation.models import (
    EventKind,
    Fine,
    Hold,
    HoldStatus,
    Loan,
    QuarantineEntry,
)
from shufang.circulation.selectors import open_loan_for_item
from shufang.circulation.services.checkout import audit_actor
from shufang.circulation.services.routing import (
    ROUTE,
    CheckinResult,
    Routing,
    hold_message,
    item_lock,
    route_item,
)
from shufang.circulation.services.transits import transit_receive_locked
from shufang.circulation.states import loan_next
from shufang.core.audit import Actor, audit_record, update_row
from shufang.core.exceptions import InvalidTransition
from shufang.core.permissions import require
from shufang.network.models import ServicePoint

__all__ = ["CheckinResult", "Routing", "loan_checkin"]


def _fine_for_return(loan: Loan, at: dt.datetime) -> Fine | None:
    """Engineer L's fine policy (fines are optional: fine_per_day defaults to 0)."""
    try:
        from shufang.circulation.services.fines import fine_for_return
    except ImportError:  # pragma: no cover - until the fines module exists
        return None
    fine: Fine | None = fine_for_return(loan=loan, returned_at=at)
    return fine


def loan_checkin(
    *,
    item: Item,
    service_point: ServicePoint,
    actor: Actor,
    channel: str,
    at: dt.datetime | None = None,
) -> CheckinResult:
    """Returns `item` at `service_point` and says where it goes next.

    Locks the item row first, then its open loan, then (when trapping) one waiting hold by a
    conditional UPDATE. A second return of the same item waits on the item lock and then finds
    no open loan, so it never closes a loan twice. An item scanned without an open loan is
    received if it is in transit, found if missing or lost, routed if it is on the shelf, and
    only described if it is on the hold shelf or in quarantine."""
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
        # the open loan with reader, category, rule and lending point: one query, loan row locked
        loan = open_loan_for_item(item_id=locked.pk, lock=True)
        if loan is None:
            return _checkin_without_loan(locked, service_point=service_point, actor=actor, at=at)
        before = loan.status
        loan.status = loan_next(loan.status, "checkin")
        loan.returned_at = at
        loan.returned_at_service_point = service_point
        update_row(loan, ["status", "returned_at", "returned_at_service_point"])
        fine = _fine_for_return(loan, at)
        circulation_event_record(
            kind=EventKind.CHECKIN,
            item=locked,
            reader=loan.reader,
            service_point=service_point,
            channel=channel,
            at=at,
            deposit=loan.deposit_id is not None,
        )
        item_before = locked.status
        routing = route_item(
            locked, service_point=service_point, actor=actor, at=at, quarantine=True
        )
        audit_record(
            actor=audit_actor(actor, channel),
            action="loan.checkin",
            obj=loan,
            library=service_point.library_id,
            changes={
                "status": [before, loan.status],
                "returned_at_service_point": service_point.pk,
                "channel": channel,
                "item_status": [item_before, locked.status],
                "routing": routing.action,
                "fine": fine.amount if fine is not None else None,
            },
        )
    return CheckinResult(loan=loan, routing=routing, fine=fine)


def _checkin_without_loan(
    item: Item, *, service_point: ServicePoint, actor: Actor, at: dt.datetime
) -> CheckinResult:
    status = item.status
    if status == ItemStatus.IN_TRANSIT:
        return CheckinResult(
            loan=None,
            routing=transit_receive_locked(item, service_point=service_point, actor=actor, at=at),
        )
    if status == ItemStatus.ON_HOLD_SHELF:
        hold = (
            Hold.objects.select_related("reader", "pickup_service_point")
            .filter(trapped_item=item, status=HoldStatus.READY)
            .first()
        )
        message = hold_message(hold) if hold is not None else str(_("On the hold shelf"))
        return CheckinResult(
            loan=None,
            routing=Routing(action=ROUTE.HOLD, message=message, hold=hold, sort_bin="hold-shelf"),
        )
    if status == ItemStatus.IN_QUARANTINE:
        entry = QuarantineEntry.objects.filter(item=item, released_at__isnull=True).first()
        end = f"{timezone.localtime(entry.ends_at):%Y-%m-%d %H:%M}" if entry else "—"
        return CheckinResult(
            loan=None,
            routing=Routing(
                action=ROUTE.QUARANTINE,
                message=str(_("In quarantine until %(end)s") % {"end": end}),
                sort_bin="quarantine",
            ),
        )
    if status not in (ItemStatus.AVAILABLE, ItemStatus.MISSING, ItemStatus.LOST):
        raise InvalidTransition(
            _("An item in status “%(state)s” cannot be returned.")
            % {"state": item.get_status_display()},
            state=status,
        )
    before = (status, item.current_service_point_id)
    routing = route_item(item, service_point=service_point, actor=actor, at=at, quarantine=False)
    if (item.status, item.current_service_point_id) != before and routing.action == ROUTE.SHELF:
        # hold traps and transits write their own audit events
        audit_record(
            actor=actor,
            action="item.checkin",
            obj=item,
            changes={
                "status": [before[0], item.status],
                "current_service_point": [before[1], item.current_service_point_id],
            },
        )
    return CheckinResult(loan=None, routing=routing)
