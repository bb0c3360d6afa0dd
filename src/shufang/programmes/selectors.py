"""Read-only helpers, named by the metric keys of the annual report (events.*, awards.*).

Counting rules (annual-report-metrics.md): only events held count; an event is filed under the
local date it starts, so an exhibition running for weeks counts once, in the period it opens;
online and offline are counted separately; attendance is the head-count, or the number of
checked-in registrations where no head-count was recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from shufang.programmes.models import (
    Award,
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
    Series,
)

# Kinds that the report counts on their own, not among "activities".
NOT_ACTIVITIES = (EventKind.EXHIBITION, EventKind.FILM)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware datetimes for [start, end] inclusive, as local (library time zone) days."""
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
        timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)),
    )


def events_held(
    *,
    start: dt.date,
    end: dt.date,
    kind: str | list[str] | tuple[str, ...] | None = None,
    online: bool | None = None,
    library: Any = None,
    series: Series | None = None,
) -> QuerySet[Event]:
    low, high = _bounds(start, end)
    rows = Event.objects.filter(status=EventStatus.HELD, starts_at__gte=low, starts_at__lt=high)
    if isinstance(kind, str):
        rows = rows.filter(kind=kind)
    elif kind is not None:
        rows = rows.filter(kind__in=kind)
    if online is not None:
        rows = rows.filter(online=online)
    if library is not None:
        rows = rows.filter(library_id=getattr(library, "pk", library))
    if series is not None:
        rows = rows.filter(series=series)
    return rows


def events_count(
    *,
    start: dt.date,
    end: dt.date,
    kind: str | list[str] | tuple[str, ...] | None = None,
    online: bool | None = None,
    library: Any = None,
    series: Series | None = None,
) -> int:
    """events.*: events held in the period (an exhibition once, whatever its length)."""
    return events_held(
        start=start, end=end, kind=kind, online=online, library=library, series=series
    ).count()


def exhibitions_count(
    *, start: dt.date, end: dt.date, online: bool | None = None, library: Any = None
) -> int:
    """events.exhibitions."""
    return events_count(
        start=start, end=end, kind=EventKind.EXHIBITION, online=online, library=library
    )


def films_count(*, start: dt.date, end: dt.date, library: Any = None) -> int:
    """events.films: screenings held."""
    return events_count(start=start, end=end, kind=EventKind.FILM, library=library)


def activities_count(
    *, start: dt.date, end: dt.date, online: bool | None = None, library: Any = None
) -> int:
    """events.online_activities (online=True) and events.offline (online=False): events held
    other than exhibitions and film screenings."""
    kinds = [k for k in EventKind.values if k not in NOT_ACTIVITIES]
    return events_count(start=start, end=end, kind=kinds, online=online, library=library)


def activities_by_kind(
    *, start: dt.date, end: dt.date, online: bool | None = None, library: Any = None
) -> dict[str, int]:
    """events.offline broken down by kind (lecture 2, class 5, story 5, ceremony 1)."""
    kinds = [k for k in EventKind.values if k not in NOT_ACTIVITIES]
    rows = (
        events_held(start=start, end=end, kind=kinds, online=online, library=library)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("kind")
    )
    return {row["kind"]: row["n"] for row in rows}


def event_attendance(
    *,
    start: dt.date,
    end: dt.date,
    kind: str | list[str] | tuple[str, ...] | None = None,
    online: bool | None = None,
    library: Any = None,
    series: Series | None = None,
) -> int:
    """Attendance of the events held: head-count, else checked-in registrations."""
    rows = events_held(
        start=start, end=end, kind=kind, online=online, library=library, series=series
    ).annotate(
        checked_in=Count(
            "registrations",
            filter=Q(
                registrations__checked_in_at__isnull=False,
                registrations__status=RegistrationStatus.CONFIRMED,
            ),
        )
    )
    return sum(
        row.head_count if row.head_count is not None else row.checked_in
        for row in rows.only("id", "head_count")
    )


def event_attendance_of(*, event: Event) -> int:
    if event.head_count is not None:
        return event.head_count
    return Registration.objects.filter(
        event=event, status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=False
    ).count()


def online_reach(*, start: dt.date, end: dt.date, library: Any = None) -> dict[str, int]:
    """Views and participants of online events held."""
    rows = events_held(start=start, end=end, online=True, library=library)
    views = participants = 0
    for views_n, participants_n in rows.values_list("online_views", "online_participants"):
        views += views_n or 0
        participants += participants_n or 0
    return {"views": views, "participants": participants}


def series_total(*, series: Series, until: dt.date | None = None) -> int:
    """How many events the series has had since it began (its numbering includes the ones
    before the system): the highest number held, or first_number - 1 when none."""
    rows = Event.objects.filter(series=series, status=EventStatus.HELD)
    if until is not None:
        rows = rows.filter(starts_at__lt=_bounds(until, until)[1])
    last = rows.order_by("-number").values_list("number", flat=True).first()
    return last if last is not None else series.first_number - 1


def awards_count(*, start: dt.date, end: dt.date, library: Any = None) -> dict[str, int]:
    """awards.readers: awards to readers in the period, by kind, with the total."""
    rows = Award.objects.filter(awarded_on__gte=start, awarded_on__lte=end)
    if library is not None:
        rows = rows.filter(library_id=getattr(library, "pk", library))
    counts = {
        row["kind"]: row["n"] for row in rows.values("kind").annotate(n=Count("id")).order_by()
    }
    counts["total"] = sum(counts.values())
    return counts


def book_swaps(*, start: dt.date, end: dt.date, library: Any = None) -> dict[str, int]:
    """Book swap days held: how many, books brought and exchanged, participants."""
    rows = events_held(start=start, end=end, kind=EventKind.BOOK_SWAP, library=library)
    out = {"days": 0, "books_brought": 0, "books_exchanged": 0, "participants": 0}
    for event in rows:
        out["days"] += 1
        out["books_brought"] += event.books_brought or 0
        out["books_exchanged"] += event.books_exchanged or 0
        out["participants"] += event_attendance_of(event=event)
    return out


def public_events(*, now: dt.datetime | None = None) -> QuerySet[Event]:
    """Planned and current events for the public page, soonest first."""
    now = now or timezone.now()
    return (
        Event.objects.filter(ends_at__gte=now)
        .exclude(status=EventStatus.CANCELLED)
        .select_related("series", "service_point")
        .order_by("starts_at", "id")
    )


def registration_counts(*, event: Event) -> dict[str, int]:
    rows = (
        Registration.objects.filter(event=event).values("status").annotate(n=Count("id")).order_by()
    )
    counts = {status: 0 for status in RegistrationStatus.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts
