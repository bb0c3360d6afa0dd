"""Network services: codes, opening hours, calendar exceptions, and the calendar selector."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shufang.core.exceptions import Conflict, ValidationFailed
from shufang.core.models import AuditEvent
from shufang.network.calendar import is_open_on, next_open_day, open_hours_per_week
from shufang.network.models import CalendarException, Library, OpeningHours, ServicePoint
from shufang.network.selectors import calendar_for
from shufang.network.services import (
    calendar_exception_add,
    library_create,
    library_system_create,
    library_update,
    opening_hours_set,
    service_point_create,
    service_point_update,
)

T = dt.time
MONDAY = dt.date(2020, 1, 6)


@pytest.mark.django_db
def test_creating_the_network_writes_one_audit_event_per_object(actor):
    system = library_system_create(code="CN-530700", name="丽江市总分馆", actor=actor)
    library = library_create(
        system=system,
        code="CN-530700-LJ",
        name="丽江市图书馆",
        kind="city",
        actor=actor,
        admin_area_code="530700",
    )
    point = service_point_create(
        library=library, code="CN-530700-LJ-01", name="总馆", kind="main", actor=actor
    )
    assert point.library == library
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "library_system.created",
        "library.created",
        "service_point.created",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["LJ", "CN-5307-LJ", "CN-530700-", "CN-530700-L J", "cn-530700"])
def test_a_code_that_is_not_isil_style_is_refused(system, actor, code):
    with pytest.raises(ValidationFailed) as caught:
        library_create(system=system, code=code, name="x", kind="city", actor=actor)
    assert caught.value.details == {"field": "code"}
    assert Library.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_a_duplicate_code_is_a_conflict(library, actor):
    with pytest.raises(Conflict):
        library_create(system=library.system, code=library.code, name="x", kind="city", actor=actor)
    assert Library.objects.count() == 1


@pytest.mark.django_db
def test_library_update_records_only_the_changed_fields(library, actor):
    library_update(library=library, actor=actor, name="丽江市图书馆", address="古城区")
    event = AuditEvent.objects.get()
    assert event.action == "library.updated"
    assert event.changes == {"address": ["", "古城区"]}
    library.refresh_from_db()
    assert library.address == "古城区"


@pytest.mark.django_db
def test_service_point_update_refuses_unknown_fields(service_point, actor):
    with pytest.raises(ValidationFailed):
        service_point_update(service_point=service_point, actor=actor, code="CN-530700-X")
    service_point.refresh_from_db()
    assert service_point.code == "CN-530700-LJ-MAIN"


@pytest.mark.django_db
def test_opening_hours_set_replaces_the_week(service_point, actor):
    opening_hours_set(service_point=service_point, periods=[(0, T(9), T(17))], actor=actor)
    opening_hours_set(
        service_point=service_point,
        periods=[(1, T(14), T(18)), (1, T(9), T(12))],
        actor=actor,
    )
    assert list(OpeningHours.objects.values_list("weekday", "opens", "closes")) == [
        (1, T(9), T(12)),
        (1, T(14), T(18)),
    ]
    assert AuditEvent.objects.filter(action="service_point.opening_hours_set").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "periods",
    [
        [(0, T(9), T(12)), (0, T(11), T(14))],  # overlap
        [(0, T(12), T(9))],  # out of order
        [(7, T(9), T(12))],  # no such weekday
    ],
)
def test_bad_opening_hours_are_refused_and_the_week_is_kept(service_point, actor, periods):
    opening_hours_set(service_point=service_point, periods=[(0, T(9), T(17))], actor=actor)
    with pytest.raises(ValidationFailed):
        opening_hours_set(service_point=service_point, periods=periods, actor=actor)
    assert list(OpeningHours.objects.values_list("weekday", "opens", "closes")) == [
        (0, T(9), T(17))
    ]


@pytest.mark.django_db
def test_exception_with_dates_out_of_order_is_refused(actor):
    with pytest.raises(ValidationFailed) as caught:
        calendar_exception_add(
            kind="holiday",
            start_date=dt.date(2020, 2, 1),
            end_date=dt.date(2020, 1, 25),
            reason="春节",
            actor=actor,
        )
    assert "2020-01-25" in str(caught.value.message)
    assert caught.value.details == {"field": "end_date"}
    assert CalendarException.objects.count() == 0


@pytest.mark.django_db
def test_special_hours_need_times(service_point, actor):
    with pytest.raises(ValidationFailed):
        calendar_exception_add(
            kind="special_hours",
            start_date=MONDAY,
            end_date=MONDAY,
            reason="x",
            actor=actor,
            service_point=service_point,
        )
    assert CalendarException.objects.count() == 0


@pytest.mark.django_db
def test_calendar_for_loads_network_library_and_own_exceptions_only(service_point, actor):
    other_library = Library.objects.create(
        system=service_point.library.system,
        code="CN-530700-YL",
        name="玉龙县图书馆",
        kind="county",
    )
    other_point = ServicePoint.objects.create(
        library=service_point.library, code="CN-530700-LJ-02", name="分馆", kind="branch"
    )
    opening_hours_set(
        service_point=service_point, periods=[(d, T(9), T(17)) for d in range(7)], actor=actor
    )
    day = MONDAY
    calendar_exception_add(
        kind="holiday", start_date=day, end_date=day, reason="network", actor=actor
    )
    calendar_exception_add(
        kind="closure",
        start_date=day + dt.timedelta(days=1),
        end_date=day + dt.timedelta(days=1),
        reason="library",
        actor=actor,
        library=service_point.library,
    )
    calendar_exception_add(
        kind="closure",
        start_date=day + dt.timedelta(days=2),
        end_date=day + dt.timedelta(days=2),
        reason="own",
        actor=actor,
        service_point=service_point,
    )
    calendar_exception_add(
        kind="closure",
        start_date=day + dt.timedelta(days=3),
        end_date=day + dt.timedelta(days=3),
        reason="other library",
        actor=actor,
        library=other_library,
    )
    calendar_exception_add(
        kind="closure",
        start_date=day + dt.timedelta(days=4),
        end_date=day + dt.timedelta(days=4),
        reason="other point",
        actor=actor,
        service_point=other_point,
    )

    with CaptureQueriesContext(connection) as queries:
        calendar = calendar_for(service_point=service_point)

    assert len(queries) == 2
    assert [is_open_on(calendar, day + dt.timedelta(days=i)) for i in range(5)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert next_open_day(calendar, day - dt.timedelta(days=1)) == day + dt.timedelta(days=3)
    assert open_hours_per_week(calendar) == 56


@pytest.mark.django_db
def test_calendar_for_a_date_range_leaves_out_exceptions_outside_it(service_point, actor):
    calendar_exception_add(
        kind="holiday", start_date=MONDAY, end_date=MONDAY, reason="x", actor=actor
    )
    calendar = calendar_for(
        service_point=service_point,
        start=MONDAY + dt.timedelta(days=1),
        end=MONDAY + dt.timedelta(days=30),
    )
    assert calendar.exceptions == ()


@pytest.mark.django_db
def test_staff_without_network_change_cannot_create_a_service_point(library):
    from django.contrib.auth import get_user_model

    from shufang.core.audit import Actor
    from shufang.core.exceptions import PermissionDenied

    user = get_user_model().objects.create_user("clerk", password="x")
    with pytest.raises(PermissionDenied):
        service_point_create(
            library=library,
            code="CN-530700-LJ-09",
            name="x",
            kind="branch",
            actor=Actor(user=user, channel="desk"),
        )
    assert ServicePoint.objects.count() == 0
