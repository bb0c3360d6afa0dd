"""Emergency closures (闭馆) of one service point, one library or the whole network.

`closure_declare` adds the closure to the network calendar, then moves what falls inside it:

- every open loan due on a day the closure closes moves to the next day its lending calendar
  is open. The lending calendar is the one due dates are computed with
  (`selectors.calendar_point_for`: a kiosk, e-book machine or 24-hour study room follows its
  library's main building, where its loans are returned). The calendar already includes the
  new closure and the weekly closing days, so a due date never lands on a day that is normally
  closed either (Evergreen's closed-dates handling can; ours cannot). A day inside the range on
  which a point stays open (special hours of its own) is left alone;
- every hold waiting on the hold shelf whose last day falls inside moves likewise (by the
  pickup point's calendar);
- no fine accrues for closed days: fines count open days only (`services.fines.overdue_days`);
- each affected reader (moved loans or holds) gets one closure notice.

Speed: loans are grouped by (lending point, due day) in one query; consecutive due days of the
same points that move to the same day are moved with one UPDATE, so 50,000 due dates take a
handful of statements. One audit event
records the closure with its counts (the calendar exception writes its own), not one per loan.

Checkouts and renewals in flight cannot slip a due date into the range: the closure first
takes the exclusive calendar lock of the points it closes (`circulation.calendar_lock`).
Holds trapped while the closure is being declared can still get a shelf expiry inside it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shufang.circulation.calendar_lock import calendar_lock_exclusive
from shufang.circulation.models import (
    OPEN_LOAN_STATUSES,
    Closure,
    Hold,
    HoldStatus,
    Loan,
)
from shufang.circulation.notices import closure_notices_queue
from shufang.circulation.selectors import calendar_point_for
from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import PermissionDenied, ValidationFailed
from shufang.core.permissions import visible_library_ids
from shufang.network.calendar import Calendar, is_open_on, next_open_day
from shufang.network.models import CalendarExceptionKind, Library, LibrarySystem, ServicePoint
from shufang.network.selectors import calendar_for
from shufang.network.services import calendar_exception_add


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _day_end(day: dt.date) -> dt.datetime:
    """A due time: the end of the day, 23:59:59 local."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def _points_in_scope(library: Library | None, service_point: ServicePoint | None) -> list[Any]:
    points = ServicePoint.objects.all()
    if service_point is not None:
        points = points.filter(library_id=service_point.library_id)
    elif library is not None:
        points = points.filter(library=library)
    return list(points)


def _calendar_points(
    library: Library | None, service_point: ServicePoint | None
) -> dict[int, ServicePoint]:
    """{lending point id: the point whose calendar sets its due dates}, for the points whose
    due dates the closure can touch."""
    out = {}
    for point in _points_in_scope(library, service_point):
        home = calendar_point_for(point)
        if service_point is None or home.pk == service_point.pk:
            out[point.pk] = home
    return out


Run = tuple[dt.date, dt.date, dt.date]  # first old day, last old day, new day


def _moves(
    groups: list[dict[str, Any]],
    point_field: str,
    day_field: str,
    calendar_points: dict[int, ServicePoint],
    calendars: dict[int, Calendar],
    start: dt.date,
) -> dict[Run, list[int]]:
    """{(first old day, last old day, new day): [point ids]}: for each point, the runs of
    consecutive days with rows (days without rows in between are no obstacle) that all move
    to the same new day. A run breaks at a day the calendar keeps open. A whole-range closure
    is thus one run per distinct reopening day, and one UPDATE each."""
    days_of: dict[int, list[dt.date]] = defaultdict(list)
    for group in groups:
        if group[point_field] in calendar_points:
            days_of[group[point_field]].append(group[day_field])
    moves: dict[Run, list[int]] = defaultdict(list)
    for point_id, days in days_of.items():
        home = calendar_points[point_id]
        if home.pk not in calendars:
            calendars[home.pk] = calendar_for(service_point=home, start=start)
        calendar = calendars[home.pk]
        run: list[dt.date] | None = None  # [first, last, new]
        for day in sorted(set(days)):
            new = None if is_open_on(calendar, day) else next_open_day(calendar, day)
            if run is not None and new == run[2]:
                run[1] = day
                continue
            if run is not None:
                moves[(run[0], run[1], run[2])].append(point_id)
            run = [day, day, new] if new is not None else None
        if run is not None:
            moves[(run[0], run[1], run[2])].append(point_id)
    return moves


def _place_name(library: Library | None, service_point: ServicePoint | None) -> str:
    if service_point is not None:
        return service_point.name
    if library is not None:
        return library.name
    system = LibrarySystem.objects.order_by("pk").first()
    return system.name if system is not None else gettext("All libraries")


@transaction.atomic
def closure_declare(
    *,
    start_date: dt.date,
    end_date: dt.date,
    reason: str,
    actor: Actor,
    library: Library | None = None,
    service_point: ServicePoint | None = None,
    at: dt.datetime | None = None,
) -> Closure:
    """Closes `service_point`, `library` or (neither given) the whole network from
    `start_date` to `end_date` inclusive, moving due dates and hold-shelf expiries out of the
    range and queueing one notice per affected reader (see the module docstring).

    Needs `network.change` for the library concerned (the whole network for a network-wide
    closure) when the actor is a staff user. Locks, through its UPDATEs, the open loans and
    ready holds it moves."""
    at = at or timezone.now()
    if not reason.strip():
        raise ValidationFailed(_("Give a reason for the closure."), field="reason")
    if end_date < start_date:
        raise ValidationFailed(
            _("The closure ends (%(end)s) before it starts (%(start)s).")
            % {"end": end_date.isoformat(), "start": start_date.isoformat()},
            field="end_date",
        )
    # A network-wide closure needs network.change over the whole network, not in one library
    # (calendar_exception_add accepts any scope for network-wide entries).
    network_wide = library is None and service_point is None
    if (
        network_wide
        and actor.user is not None
        and visible_library_ids(actor.user, "network.change") is not None
    ):
        raise PermissionDenied(
            _("Only staff responsible for the whole network can close the whole network."),
            permission="network.change",
        )
    # Before any row is touched: checkouts and renewals in flight at these calendar points
    # finish first, new ones wait for this closure (see circulation.calendar_lock).
    calendar_lock_exclusive(
        home.pk
        for home in _calendar_points(
            None if service_point is not None else library, service_point
        ).values()
    )
    exception = calendar_exception_add(
        kind=CalendarExceptionKind.CLOSURE,
        start_date=start_date,
        end_date=end_date,
        reason=reason,
        actor=actor,
        library=library,
        service_point=service_point,
    )
    if service_point is not None:
        library = None  # the service point is the scope
    closure = Closure.objects.create(
        library=library,
        service_point=service_point,
        start_date=start_date,
        end_date=end_date,
        reason=reason.strip(),
        calendar_exception=exception,
    )
    calendar_points = _calendar_points(library, service_point)
    calendars: dict[int, Calendar] = {}

    # --- loans
    loans = Loan.objects.filter(
        status__in=OPEN_LOAN_STATUSES,
        due_at__gte=_day_start(start_date),
        due_at__lt=_day_start(end_date + dt.timedelta(days=1)),
    )
    if not network_wide:
        loans = loans.filter(service_point_id__in=list(calendar_points))
    groups = list(
        loans.annotate(due_day=TruncDate("due_at", tzinfo=timezone.get_current_timezone()))
        .values("service_point_id", "due_day")
        .annotate(n=Count("id"))
        .order_by()
    )
    moves = _moves(groups, "service_point_id", "due_day", calendar_points, calendars, start_date)
    reader_ids: set[int] = set()
    loans_moved = 0
    for (first, last, new), point_ids in sorted(moves.items()):
        moving = Loan.objects.filter(
            status__in=OPEN_LOAN_STATUSES,
            service_point_id__in=point_ids,
            due_at__gte=_day_start(first),
            due_at__lt=_day_start(last + dt.timedelta(days=1)),
        )
        reader_ids.update(
            r for r in moving.values_list("reader_id", flat=True).distinct() if r is not None
        )
        loans_moved += moving.update(due_at=_day_end(new))

    # --- holds waiting on the hold shelf
    holds = Hold.objects.filter(
        status=HoldStatus.READY,
        shelf_expires_on__gte=start_date,
        shelf_expires_on__lte=end_date,
    )
    if not network_wide:
        holds = holds.filter(pickup_service_point_id__in=list(calendar_points))
    hold_groups = list(
        holds.values("pickup_service_point_id", "shelf_expires_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    hold_moves = _moves(
        hold_groups,
        "pickup_service_point_id",
        "shelf_expires_on",
        calendar_points,
        calendars,
        start_date,
    )
    holds_moved = 0
    for (first, last, new), point_ids in sorted(hold_moves.items()):
        moving_holds = Hold.objects.filter(
            status=HoldStatus.READY,
            pickup_service_point_id__in=point_ids,
            shelf_expires_on__gte=first,
            shelf_expires_on__lte=last,
        )
        reader_ids.update(moving_holds.values_list("reader_id", flat=True).distinct())
        holds_moved += moving_holds.update(shelf_expires_on=new)

    notices = closure_notices_queue(
        closure=closure,
        reader_ids=reader_ids,
        place=_place_name(library, service_point),
        at=at,
    )
    closure.loans_moved, closure.holds_moved = loans_moved, holds_moved
    closure.save(update_fields=["loans_moved", "holds_moved", "updated_at"])
    audit_record(
        actor=actor,
        action="closure.declared",
        obj=closure,
        changes={
            "library": library,
            "service_point": service_point,
            "start_date": start_date,
            "end_date": end_date,
            "reason": closure.reason,
            "loans_moved": loans_moved,
            "holds_moved": holds_moved,
            "notices_queued": notices,
        },
        library=library or (service_point.library_id if service_point else None),
    )
    return closure
