"""Events of a series are numbered without gaps or duplicates."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from shufang.core.audit import Actor
from shufang.operations.tests.fixtures import Lijiang
from shufang.programmes.models import Event
from shufang.programmes.services import (
    DatesOutOfOrder,
    DuplicateNumber,
    NumberGap,
    event_create,
    series_create,
)

ACTOR = Actor.system("tests")


def when(day: int, hour: int = 14) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2020, 11, day, hour))


def lecture(lj: Lijiang, series, **kw) -> Event:  # type: ignore[no-untyped-def]
    return event_create(library=lj.library, title="讲座", kind="lecture", starts_at=when(28),
                        ends_at=when(28, 16), series=series, actor=ACTOR, **kw)  # fmt: skip


@pytest.fixture
def lectures(lj: Lijiang):  # type: ignore[no-untyped-def]
    return series_create(library=lj.library, code="tianyu", name="天雨流芳文化讲坛",
                         kind="lecture", number_format="第{n}讲", first_number=36, actor=ACTOR)  # fmt: skip


@pytest.mark.django_db
def test_events_of_a_series_take_the_next_numbers(lj: Lijiang, lectures) -> None:  # type: ignore[no-untyped-def]
    first = lecture(lj, lectures)
    second = lecture(lj, lectures)

    assert (first.number, second.number) == (36, 37)
    assert second.number_label == "第37讲"
    assert second.numbered_title == "天雨流芳文化讲坛 第37讲 讲座"


@pytest.mark.django_db
def test_a_number_already_used_is_refused_and_nothing_is_saved(lj: Lijiang, lectures) -> None:  # type: ignore[no-untyped-def]
    lecture(lj, lectures)

    with pytest.raises(DuplicateNumber) as refused:
        lecture(lj, lectures, number=36)

    assert refused.value.code == "event_number_taken"
    assert refused.value.details["next"] == 37
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_a_number_that_would_leave_a_gap_is_refused(lj: Lijiang, lectures) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NumberGap):
        lecture(lj, lectures, number=38)

    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_an_event_ending_before_it_starts_is_refused(lj: Lijiang) -> None:
    with pytest.raises(DatesOutOfOrder) as refused:
        event_create(library=lj.library, title="展览", kind="exhibition", starts_at=when(28),
                     ends_at=when(12), actor=ACTOR)  # fmt: skip

    assert refused.value.details == {"field": "ends_at"}
    assert Event.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_editors_adding_at_once_get_consecutive_numbers(lj: Lijiang, lectures) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the lock matters on PostgreSQL")
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def add() -> None:
        try:
            barrier.wait()
            lecture(lj, lectures)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(Event.objects.values_list("number", flat=True)) == [36, 37, 38, 39]
