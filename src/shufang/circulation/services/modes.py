"""Service modes per service point over date ranges: normal service, closed-stack lending
(闭架借阅: readers request online or by phone, staff fetch from a pick list, the items wait on
the hold shelf) and lending only (no reading room, no events).

A day with no period is a normal day. Periods of one service point never overlap; an open-ended
period (no end date) lasts until it is ended with `service_mode_end`."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shufang.circulation.models import ServiceMode, ServiceModePeriod
from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import Conflict, ValidationFailed
from shufang.core.permissions import require
from shufang.network.models import ServicePoint

ACTIVITIES = ("browse", "reading_room", "events", "lending")

# What each mode allows. Closed-stack lending is the stricter of the two reduced modes: as in
# Lijiang's 2020 reopening, readers neither browse the stacks nor sit in the reading room, and
# no events are held; they collect the items they requested.
MODE_ALLOWS: dict[str, frozenset[str]] = {
    ServiceMode.NORMAL: frozenset(ACTIVITIES),
    ServiceMode.CLOSED_STACK: frozenset({"lending"}),
    ServiceMode.LENDING_ONLY: frozenset({"browse", "lending"}),
}


class ServiceModeOverlap(Conflict):
    code = "service_mode_overlap"
    default_message = _("This period overlaps another service mode period of the service point.")


def _require(actor: Actor, service_point: ServicePoint) -> None:
    if actor.user is not None:
        require(actor.user, "network.change", library=service_point.library)


def _overlapping(
    service_point: ServicePoint, start: dt.date, end: dt.date | None, exclude_pk: int | None
) -> ServiceModePeriod | None:
    rows = ServiceModePeriod.objects.filter(service_point=service_point)
    if end is not None:
        rows = rows.filter(start_date__lte=end)
    rows = rows.exclude(end_date__lt=start)  # NULL end dates are kept: they never end
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return rows.order_by("start_date").first()


def _refuse_overlap(other: ServiceModePeriod) -> None:
    end = other.end_date.isoformat() if other.end_date else "…"
    raise ServiceModeOverlap(
        _("This period overlaps “%(mode)s” from %(start)s to %(end)s.")
        % {"mode": other.get_mode_display(), "start": other.start_date.isoformat(), "end": end},
        field="start_date",
        other=other.pk,
    )


@transaction.atomic
def service_mode_set(
    *,
    service_point: ServicePoint,
    mode: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    reason: str = "",
    actor: Actor,
) -> ServiceModePeriod:
    """Puts `service_point` in `mode` from `start_date` to `end_date` (inclusive; None = until
    ended). Refuses a period overlapping another one of the same service point
    (ServiceModeOverlap). Locks the service point row, so two editors cannot both insert
    overlapping periods."""
    _require(actor, service_point)
    if mode not in ServiceMode.values:
        raise ValidationFailed(_("Unknown service mode: %(m)s") % {"m": mode}, field="mode")
    if end_date is not None and end_date < start_date:
        raise ValidationFailed(
            _("The period ends (%(end)s) before it starts (%(start)s).")
            % {"end": end_date.isoformat(), "start": start_date.isoformat()},
            field="end_date",
        )
    ServicePoint.objects.select_for_update().filter(pk=service_point.pk).first()
    other = _overlapping(service_point, start_date, end_date, None)
    if other is not None:
        _refuse_overlap(other)
    period = ServiceModePeriod.objects.create(
        service_point=service_point,
        mode=mode,
        start_date=start_date,
        end_date=end_date,
        reason=reason.strip(),
    )
    audit_record(
        actor=actor,
        action="service_mode.set",
        obj=period,
        changes={
            "service_point": service_point,
            "mode": mode,
            "start_date": start_date,
            "end_date": end_date,
            "reason": period.reason,
        },
    )
    return period


@transaction.atomic
def service_mode_end(
    *, period: ServiceModePeriod, end_date: dt.date, actor: Actor
) -> ServiceModePeriod:
    """Ends (or moves the end of) a period, e.g. on the day normal service resumes. Locks the
    service point row and the period."""
    _require(actor, period.service_point)
    ServicePoint.objects.select_for_update().filter(pk=period.service_point_id).first()
    period = ServiceModePeriod.objects.select_for_update().get(pk=period.pk)
    if end_date < period.start_date:
        raise ValidationFailed(
            _("The period ends (%(end)s) before it starts (%(start)s).")
            % {"end": end_date.isoformat(), "start": period.start_date.isoformat()},
            field="end_date",
        )
    other = _overlapping(period.service_point, period.start_date, end_date, period.pk)
    if other is not None:
        _refuse_overlap(other)
    before = period.end_date
    period.end_date = end_date
    period.save(update_fields=["end_date", "updated_at"])
    audit_record(
        actor=actor,
        action="service_mode.ended",
        obj=period,
        changes={"end_date": [before, end_date]},
    )
    return period


def service_mode_on(*, service_point: ServicePoint, day: dt.date) -> str:
    """The mode of `service_point` on `day` (a ServiceMode value); normal when no period
    covers the day. One query."""
    mode = (
        ServiceModePeriod.objects.filter(service_point=service_point, start_date__lte=day)
        .exclude(end_date__lt=day)
        .values_list("mode", flat=True)
        .first()
    )
    return mode or ServiceMode.NORMAL


def service_mode_allows(*, service_point: ServicePoint, day: dt.date, activity: str) -> bool:
    """Whether `activity` ("browse", "reading_room", "events" or "lending") is offered at
    `service_point` on `day` under its service mode. For events (programmes) and the desk."""
    if activity not in ACTIVITIES:
        raise ValidationFailed(_("Unknown activity: %(a)s") % {"a": activity}, field="activity")
    return activity in MODE_ALLOWS[service_mode_on(service_point=service_point, day=day)]
