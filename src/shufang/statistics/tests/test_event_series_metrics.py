"""events.series and events.attendance_by_kind: a series' events since it began and the
attendance of the offline events by kind, counted from the events held."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shufang.core.audit import Actor
from shufang.programmes.models import EventKind, EventStatus
from shufang.programmes.services import event_create, event_update, series_create
from shufang.statistics import metrics as m

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("test")
Y2020 = m.Period.year(2020)


def _held(lj, main, title, kind, day, heads, *, series=None, online=False):
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(14)))
    event = event_create(
        library=lj,
        title=title,
        kind=kind,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        actor=SYSTEM,
        series=series,
        online=online,
        service_point=None if online else main,
    )
    return event_update(event=event, actor=SYSTEM, status=EventStatus.HELD, head_count=heads)


def test_a_series_counts_its_events_since_it_began_and_their_attendance(lj, main) -> None:
    # given a film series numbered from 1: two screenings in 2019, three in 2020 (one of
    # them cancelled), and a lecture series continuing its numbering from 36
    films = series_create(
        library=lj, code="film", name="周末电影", kind=EventKind.FILM, actor=SYSTEM
    )
    lectures = series_create(
        library=lj,
        code="tianyu",
        name="天雨流芳文化讲坛",
        kind=EventKind.LECTURE,
        first_number=36,
        actor=SYSTEM,
    )
    _held(lj, main, "电影一", EventKind.FILM, dt.date(2019, 5, 4), 20, series=films)
    _held(lj, main, "电影二", EventKind.FILM, dt.date(2019, 5, 11), 25, series=films)
    _held(lj, main, "电影三", EventKind.FILM, dt.date(2020, 10, 31), 30, series=films)
    _held(lj, main, "电影四", EventKind.FILM, dt.date(2020, 11, 7), 35, series=films)
    cancelled = event_create(
        library=lj,
        title="电影五",
        kind=EventKind.FILM,
        starts_at=timezone.make_aware(dt.datetime(2020, 11, 14, 14)),
        ends_at=timezone.make_aware(dt.datetime(2020, 11, 14, 16)),
        actor=SYSTEM,
        series=films,
    )
    event_update(event=cancelled, actor=SYSTEM, status=EventStatus.CANCELLED)
    _held(lj, main, "讲座", EventKind.LECTURE, dt.date(2020, 9, 24), 110, series=lectures)
    _held(lj, main, "线上讲座", EventKind.LECTURE, dt.date(2020, 10, 2), 900, online=True)

    # when the 2020 metrics are computed
    series = m.compute("events.series", Y2020)
    by_kind = m.compute("events.attendance_by_kind", Y2020)

    # then each series gives its year and its history (the cancelled number is not held)
    assert series["film"] == {
        "name": "周末电影",
        "kind": "film",
        "held": 2,
        "numbers": [[3, "2020-10-31"], [4, "2020-11-07"]],
        "attendance": 65,
        "since_start": 4,
        "attendance_since_start": 110,
    }
    assert series["tianyu"]["numbers"] == [[36, "2020-09-24"]]
    assert (series["tianyu"]["since_start"], series["tianyu"]["attendance_since_start"]) == (
        36,
        110,
    )
    # and attendance by kind counts the offline events only, summing to events.attendance
    assert by_kind == {"film": 65, "lecture": 110}
    assert sum(by_kind.values()) == m.compute("events.attendance", Y2020)
    # and 2019 has only its own screenings
    assert m.compute("events.series", m.Period.year(2019))["film"]["numbers"] == [
        [1, "2019-05-04"],
        [2, "2019-05-11"],
    ]
