"""Registration with capacity and a waiting list; check-in and attendance; suspension where a
service mode forbids gatherings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shufang.circulation.services.modes import service_mode_set
from shufang.core.audit import Actor
from shufang.core.exceptions import PermissionDenied
from shufang.operations.tests.fixtures import Lijiang
from shufang.programmes.models import Event, Registration
from shufang.programmes.selectors import event_attendance, event_attendance_of
from shufang.programmes.services import (
    AlreadyRegistered,
    RegistrationClosed,
    event_create,
    event_mode_check,
    event_update,
    registration_cancel,
    registration_check_in,
    registration_create,
)

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")


def story(lj: Lijiang, capacity: int | None = 2, days: int = 7) -> Event:
    start = timezone.now() + dt.timedelta(days=days)
    return event_create(library=lj.library, title="丽图周末故事会", kind="story",
                        starts_at=start, ends_at=start + dt.timedelta(hours=1),
                        service_point=lj.main, capacity=capacity, registration_open=True,
                        actor=ACTOR)  # fmt: skip


def test_readers_beyond_the_capacity_wait_and_the_first_is_promoted_on_a_cancellation(
    lj: Lijiang,
) -> None:
    event = story(lj, capacity=2)
    a, b, c, d = (
        lj.reader(n, f"LJ00000{i}") for i, n in enumerate(("和一", "和二", "和三", "和四"))
    )

    regs = [
        registration_create(event=event, reader=r, channel="opac", actor=ACTOR)
        for r in (a, b, c, d)
    ]
    assert [r.status for r in regs] == ["confirmed", "confirmed", "waiting", "waiting"]

    promoted = registration_cancel(registration=regs[0], actor=ACTOR)

    assert promoted is not None and promoted.pk == regs[2].pk
    statuses = dict(Registration.objects.values_list("reader__name", "status"))
    assert statuses == {
        "和一": "cancelled",
        "和二": "confirmed",
        "和三": "confirmed",
        "和四": "waiting",
    }


def test_a_reader_cannot_register_twice(lj: Lijiang) -> None:
    event = story(lj)
    reader = lj.reader("和丽梅", "LJ0000001")
    registration_create(event=event, reader=reader, channel="opac", actor=ACTOR)

    with pytest.raises(AlreadyRegistered):
        registration_create(event=event, reader=reader, channel="desk", actor=ACTOR)

    assert Registration.objects.count() == 1


def test_the_desk_role_without_programmes_permission_cannot_register_anyone(lj: Lijiang) -> None:
    event = story(lj)
    reader = lj.reader("和丽梅", "LJ0000001")

    with pytest.raises(PermissionDenied):
        registration_create(event=event, reader=reader, channel="desk", actor=lj.actor("desk"))

    assert Registration.objects.count() == 0


def test_attendance_is_the_checked_in_registrations_until_a_head_count_is_recorded(
    lj: Lijiang,
) -> None:
    event = story(lj, capacity=None)
    regs = [
        registration_create(event=event, reader=lj.reader(f"读者{i}", f"LJ10{i}"), channel="desk",
                            actor=ACTOR)
        for i in range(3)
    ]  # fmt: skip
    registration_check_in(registration=regs[0], actor=lj.actor("events"))
    registration_check_in(registration=regs[2], actor=lj.actor("events"))
    assert event_attendance_of(event=event) == 2

    event = event_update(event=event, status="held", actor=lj.actor("events"))
    day = timezone.localtime(event.starts_at).date()
    assert event_attendance(start=day, end=day) == 2

    event_update(event=event, head_count=31, actor=lj.actor("events"))
    assert event_attendance(start=day, end=day) == 31


def test_an_event_where_the_service_mode_forbids_gatherings_is_suspended_and_closed(
    lj: Lijiang,
) -> None:
    event = story(lj, days=10)
    day = timezone.localtime(event.starts_at).date()

    service_mode_set(service_point=lj.main, mode="closed_stack", start_date=day - dt.timedelta(days=3),
                     end_date=day + dt.timedelta(days=3), actor=ACTOR)  # fmt: skip
    assert event_mode_check(today=timezone.localdate(), actor=ACTOR) == 1

    event.refresh_from_db()
    assert event.suspended is True
    with pytest.raises(RegistrationClosed):
        registration_create(event=event, reader=lj.reader("和丽梅", "LJ0000001"), channel="opac",
                            actor=ACTOR)  # fmt: skip
    assert Registration.objects.count() == 0
    # and an event planned later in the closed-stack period is saved suspended
    later = story(lj, days=11)
    assert later.suspended is True


def test_a_book_swap_day_records_books_brought_and_exchanged_and_participants(
    lj: Lijiang,
) -> None:
    start = timezone.make_aware(dt.datetime(2021, 4, 23, 9))
    swap = event_create(library=lj.library, title="图书赶街天", kind="book_swap", starts_at=start,
                        ends_at=start + dt.timedelta(hours=3), service_point=lj.main, actor=ACTOR)  # fmt: skip

    event_update(event=swap, status="held", head_count=86, books_brought=412,
                 books_exchanged=265, actor=lj.actor("events"))  # fmt: skip

    from shufang.programmes.selectors import book_swaps

    assert book_swaps(start=dt.date(2021, 1, 1), end=dt.date(2021, 12, 31)) == {
        "days": 1,
        "books_brought": 412,
        "books_exchanged": 265,
        "participants": 86,
    }
