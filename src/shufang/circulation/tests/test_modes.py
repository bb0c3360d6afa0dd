from __future__ import annotations

import datetime as dt

import pytest

from shufang.circulation.models import ServiceMode, ServiceModePeriod
from shufang.circulation.services.modes import (
    ServiceModeOverlap,
    service_mode_allows,
    service_mode_end,
    service_mode_on,
    service_mode_set,
)
from shufang.core.exceptions import PermissionDenied, ValidationFailed
from shufang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

D = dt.date


def test_a_day_without_a_period_is_normal(main):
    assert service_mode_on(service_point=main, day=D(2020, 5, 1)) == ServiceMode.NORMAL


def test_closed_stack_period_applies_on_its_days_only(main, system_actor):
    # given a closed-stack period in May 2020
    service_mode_set(
        service_point=main,
        mode=ServiceMode.CLOSED_STACK,
        start_date=D(2020, 4, 28),
        end_date=D(2020, 5, 31),
        reason="疫情防控",
        actor=system_actor,
    )
    # then
    assert service_mode_on(service_point=main, day=D(2020, 4, 27)) == ServiceMode.NORMAL
    assert service_mode_on(service_point=main, day=D(2020, 4, 28)) == ServiceMode.CLOSED_STACK
    assert service_mode_on(service_point=main, day=D(2020, 5, 31)) == ServiceMode.CLOSED_STACK
    assert service_mode_on(service_point=main, day=D(2020, 6, 1)) == ServiceMode.NORMAL


def test_mode_of_one_service_point_does_not_touch_another(main, yl_main, system_actor):
    service_mode_set(
        service_point=main,
        mode=ServiceMode.LENDING_ONLY,
        start_date=D(2020, 6, 1),
        actor=system_actor,
    )
    assert service_mode_on(service_point=yl_main, day=D(2020, 6, 1)) == ServiceMode.NORMAL


def test_open_ended_period_lasts_until_ended(main, system_actor):
    # given
    period = service_mode_set(
        service_point=main,
        mode=ServiceMode.LENDING_ONLY,
        start_date=D(2020, 6, 1),
        actor=system_actor,
    )
    assert service_mode_on(service_point=main, day=D(2021, 6, 1)) == ServiceMode.LENDING_ONLY
    # when
    service_mode_end(period=period, end_date=D(2020, 8, 31), actor=system_actor)
    # then
    assert service_mode_on(service_point=main, day=D(2020, 8, 31)) == ServiceMode.LENDING_ONLY
    assert service_mode_on(service_point=main, day=D(2020, 9, 1)) == ServiceMode.NORMAL
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["service_mode.set", "service_mode.ended"]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2020, 5, 31), D(2020, 6, 10)),  # overlaps the last day
        (D(2020, 4, 1), D(2020, 4, 28)),  # overlaps the first day
        (D(2020, 5, 5), D(2020, 5, 6)),  # inside
        (D(2020, 4, 1), None),  # open-ended, covering it
    ],
)
def test_overlapping_period_is_refused(main, system_actor, start, end):
    # given
    service_mode_set(
        service_point=main,
        mode=ServiceMode.CLOSED_STACK,
        start_date=D(2020, 4, 28),
        end_date=D(2020, 5, 31),
        actor=system_actor,
    )
    events = AuditEvent.objects.count()
    # when / then
    with pytest.raises(ServiceModeOverlap) as refused:
        service_mode_set(
            service_point=main,
            mode=ServiceMode.LENDING_ONLY,
            start_date=start,
            end_date=end,
            actor=system_actor,
        )
    assert refused.value.code == "service_mode_overlap"
    assert ServiceModePeriod.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_period_after_an_open_ended_one_is_refused(main, system_actor):
    service_mode_set(
        service_point=main,
        mode=ServiceMode.LENDING_ONLY,
        start_date=D(2020, 6, 1),
        actor=system_actor,
    )
    with pytest.raises(ServiceModeOverlap):
        service_mode_set(
            service_point=main,
            mode=ServiceMode.CLOSED_STACK,
            start_date=D(2021, 1, 1),
            end_date=D(2021, 1, 31),
            actor=system_actor,
        )
    assert ServiceModePeriod.objects.count() == 1


def test_adjacent_periods_are_allowed(main, system_actor):
    service_mode_set(
        service_point=main,
        mode=ServiceMode.CLOSED_STACK,
        start_date=D(2020, 4, 28),
        end_date=D(2020, 5, 31),
        actor=system_actor,
    )
    service_mode_set(
        service_point=main,
        mode=ServiceMode.LENDING_ONLY,
        start_date=D(2020, 6, 1),
        end_date=D(2020, 8, 31),
        actor=system_actor,
    )
    assert service_mode_on(service_point=main, day=D(2020, 6, 1)) == ServiceMode.LENDING_ONLY


def test_ending_a_period_into_the_next_is_refused(main, system_actor):
    first = service_mode_set(
        service_point=main,
        mode=ServiceMode.CLOSED_STACK,
        start_date=D(2020, 4, 28),
        end_date=D(2020, 5, 31),
        actor=system_actor,
    )
    service_mode_set(
        service_point=main,
        mode=ServiceMode.LENDING_ONLY,
        start_date=D(2020, 6, 1),
        actor=system_actor,
    )
    with pytest.raises(ServiceModeOverlap):
        service_mode_end(period=first, end_date=D(2020, 6, 15), actor=system_actor)
    first.refresh_from_db()
    assert first.end_date == D(2020, 5, 31)


def test_period_ending_before_it_starts_is_refused(main, system_actor):
    with pytest.raises(ValidationFailed):
        service_mode_set(
            service_point=main,
            mode=ServiceMode.CLOSED_STACK,
            start_date=D(2020, 5, 1),
            end_date=D(2020, 4, 1),
            actor=system_actor,
        )
    assert ServiceModePeriod.objects.count() == 0


def test_unknown_mode_is_refused(main, system_actor):
    with pytest.raises(ValidationFailed):
        service_mode_set(
            service_point=main, mode="party", start_date=D(2020, 5, 1), actor=system_actor
        )
    assert ServiceModePeriod.objects.count() == 0


def test_circulation_clerk_may_not_set_modes(main, clerk_actor):
    with pytest.raises(PermissionDenied):
        service_mode_set(
            service_point=main,
            mode=ServiceMode.CLOSED_STACK,
            start_date=D(2020, 5, 1),
            actor=clerk_actor,
        )
    assert ServiceModePeriod.objects.count() == 0


def test_branch_manager_may_set_modes(main, manager_actor):
    period = service_mode_set(
        service_point=main,
        mode=ServiceMode.CLOSED_STACK,
        start_date=D(2020, 5, 1),
        actor=manager_actor,
    )
    assert period.mode == ServiceMode.CLOSED_STACK


@pytest.mark.parametrize(
    ("mode", "allowed"),
    [
        (ServiceMode.NORMAL, {"browse", "reading_room", "events", "lending"}),
        (ServiceMode.CLOSED_STACK, {"lending"}),
        (ServiceMode.LENDING_ONLY, {"browse", "lending"}),
    ],
)
def test_each_mode_allows_its_activities(main, system_actor, mode, allowed):
    service_mode_set(
        service_point=main,
        mode=mode,
        start_date=D(2020, 5, 1),
        end_date=D(2020, 5, 31),
        actor=system_actor,
    )
    got = {
        activity
        for activity in ("browse", "reading_room", "events", "lending")
        if service_mode_allows(service_point=main, day=D(2020, 5, 10), activity=activity)
    }
    assert got == allowed


def test_unknown_activity_is_refused(main):
    with pytest.raises(ValidationFailed):
        service_mode_allows(service_point=main, day=D(2020, 5, 10), activity="dancing")
