"""Read-only helpers for the network."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q

from shufang.network import calendar as cal
from shufang.network.models import CalendarException, OpeningHours, ServicePoint


def _scope(exception: CalendarException) -> int:
    if exception.service_point_id is not None:
        return cal.SCOPE_SERVICE_POINT
    if exception.library_id is not None:
        return cal.SCOPE_LIBRARY
    return cal.SCOPE_NETWORK


def calendar_for(
    *,
    service_point: ServicePoint,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> cal.Calendar:
    """The calendar of one service point: its weekly hours and the exceptions for it, for its
    library and for the whole network. Two queries. `start`/`end` limit the exceptions loaded
    to those overlapping that range (both optional)."""
    weekly = OpeningHours.objects.filter(service_point=service_point).values_list(
        "weekday", "opens", "closes"
    )
    applies = (
        Q(service_point_id=service_point.pk)
        | Q(service_point__isnull=True, library_id=service_point.library_id)
        | Q(service_point__isnull=True, library__isnull=True)
    )
    rows = CalendarException.objects.filter(applies)
    if start is not None:
        rows = rows.filter(end_date__gte=start)
    if end is not None:
        rows = rows.filter(start_date__lte=end)
    exceptions = []
    for row in rows.order_by("start_date", "pk"):
        periods: tuple[cal.Period, ...] = ()
        if row.kind == cal.SPECIAL_HOURS and row.opens is not None and row.closes is not None:
            periods = (cal.Period(row.opens, row.closes),)
        exceptions.append(
            cal.DatedException(
                kind=row.kind,
                start=row.start_date,
                end=row.end_date,
                periods=periods,
                scope=_scope(row),
                reason=row.reason,
            )
        )
    return cal.Calendar.build(list(weekly), exceptions, time_zone=settings.TIME_ZONE)
