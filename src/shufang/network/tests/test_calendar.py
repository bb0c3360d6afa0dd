"""The pure calendar: weekly periods, dated exceptions and the next open day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shufang.network.calendar import (
    CLOSURE,
    HOLIDAY,
    SCOPE_LIBRARY,
    SCOPE_NETWORK,
    SCOPE_SERVICE_POINT,
    SPECIAL_HOURS,
    Calendar,
    DatedException,
    Period,
    is_open_at,
    is_open_on,
    next_open_day,
    open_hours_per_week,
    opening_periods_on,
)

T = dt.time
MONDAY = dt.date(2020, 1, 6)


def weekdays_9_to_17() -> Calendar:
    # Monday to Friday, morning and afternoon; closed at the weekend.
    periods = [(d, T(9), T(12)) for d in range(5)] + [(d, T(14), T(17, 30)) for d in range(5)]
    return Calendar.build(periods)


def test_open_within_a_period_and_closed_at_lunch_and_closing_time():
    calendar = weekdays_9_to_17()
    assert is_open_at(calendar, dt.datetime(2020, 1, 6, 9, 0)) is True
    assert is_open_at(calendar, dt.datetime(2020, 1, 6, 12, 30)) is False
    assert is_open_at(calendar, dt.datetime(2020, 1, 6, 17, 30)) is False
    assert is_open_at(calendar, dt.datetime(2020, 1, 11, 10, 0)) is False  # Saturday


def test_aware_datetime_is_read_in_the_calendar_time_zone():
    calendar = weekdays_9_to_17()
    # 01:30 UTC is 09:30 in Lijiang.
    when = dt.datetime(2020, 1, 6, 1, 30, tzinfo=ZoneInfo("UTC"))
    assert is_open_at(calendar, when) is True


def test_open_hours_per_week_sums_the_weekly_periods():
    assert open_hours_per_week(weekdays_9_to_17()) == 5 * (3 + 3.5)


def test_a_24_hour_study_room_is_open_at_midnight_and_just_before_it():
    calendar = Calendar.build([(d, T(0), T(23, 59, 59)) for d in range(7)])
    assert is_open_at(calendar, dt.datetime(2020, 1, 6, 0, 0)) is True
    assert is_open_at(calendar, dt.datetime(2020, 1, 6, 23, 59, 59, 999999)) is True
    assert open_hours_per_week(calendar) == 168


def test_holiday_closes_the_whole_day():
    calendar = Calendar.build(
        [(0, T(9), T(17))],
        [DatedException(HOLIDAY, MONDAY, MONDAY, reason="元旦")],
    )
    assert is_open_on(calendar, MONDAY) is False
    assert is_open_at(calendar, dt.datetime(2020, 1, 6, 10, 0)) is False
    assert is_open_on(calendar, MONDAY + dt.timedelta(days=7)) is True


def test_special_hours_replace_the_day_hours():
    calendar = Calendar.build(
        [(0, T(9), T(17))],
        [DatedException(SPECIAL_HOURS, MONDAY, MONDAY, periods=(Period(T(13), T(15)),))],
    )
    assert opening_periods_on(calendar, MONDAY) == (Period(T(13), T(15)),)
    assert is_open_at(calendar, dt.datetime(2020, 1, 6, 10, 0)) is False
    assert is_open_at(calendar, dt.datetime(2020, 1, 6, 14, 0)) is True


def test_special_hours_open_a_day_that_is_normally_closed():
    sunday = MONDAY + dt.timedelta(days=6)
    calendar = Calendar.build(
        [(0, T(9), T(17))],
        [DatedException(SPECIAL_HOURS, sunday, sunday, periods=(Period(T(10), T(12)),))],
    )
    assert is_open_on(calendar, sunday) is True


def test_service_point_special_hours_win_over_a_network_holiday():
    calendar = Calendar.build(
        [(d, T(0), T(23, 59, 59)) for d in range(7)],
        [
            DatedException(HOLIDAY, MONDAY, MONDAY + dt.timedelta(days=6), scope=SCOPE_NETWORK),
            DatedException(
                SPECIAL_HOURS,
                MONDAY,
                MONDAY,
                periods=(Period(T(8), T(20)),),
                scope=SCOPE_SERVICE_POINT,
            ),
        ],
    )
    assert opening_periods_on(calendar, MONDAY) == (Period(T(8), T(20)),)
    assert is_open_on(calendar, MONDAY + dt.timedelta(days=1)) is False


def test_closure_at_the_same_scope_wins_over_special_hours():
    calendar = Calendar.build(
        [(0, T(9), T(17))],
        [
            DatedException(
                SPECIAL_HOURS, MONDAY, MONDAY, periods=(Period(T(9), T(20)),), scope=SCOPE_LIBRARY
            ),
            DatedException(CLOSURE, MONDAY, MONDAY, scope=SCOPE_LIBRARY),
        ],
    )
    assert is_open_on(calendar, MONDAY) is False


def test_next_open_day_skips_the_weekend_and_is_strictly_after():
    calendar = weekdays_9_to_17()
    friday = MONDAY + dt.timedelta(days=4)
    assert next_open_day(calendar, friday) == MONDAY + dt.timedelta(days=7)
    assert next_open_day(calendar, MONDAY) == MONDAY + dt.timedelta(days=1)


def test_next_open_day_is_none_when_never_open():
    assert next_open_day(Calendar(), MONDAY) is None


def test_next_open_day_is_none_when_closed_beyond_the_horizon():
    calendar = Calendar.build(
        [(0, T(9), T(17))],
        [DatedException(CLOSURE, MONDAY, MONDAY + dt.timedelta(days=400), reason="rebuilding")],
    )
    assert next_open_day(calendar, MONDAY) is None


def test_a_period_that_closes_before_it_opens_is_refused():
    with pytest.raises(ValueError):
        Period(T(17), T(9))


# --- properties -------------------------------------------------------------------------

times = st.times().map(lambda t: t.replace(microsecond=0))


@st.composite
def calendars(draw):
    periods = []
    for weekday in range(7):
        if draw(st.booleans()):
            opens = draw(
                st.times(max_value=T(22)).map(lambda t: t.replace(second=0, microsecond=0))
            )
            closes = draw(
                st.times(
                    min_value=(dt.datetime.combine(MONDAY, opens) + dt.timedelta(minutes=1)).time()
                )
            )
            periods.append((weekday, opens, closes))
    exceptions = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.dates(dt.date(2020, 1, 1), dt.date(2020, 12, 31)))
        end = start + dt.timedelta(days=draw(st.integers(0, 60)))
        kind = draw(st.sampled_from([HOLIDAY, CLOSURE, SPECIAL_HOURS]))
        extra: tuple[Period, ...] = ()
        if kind == SPECIAL_HOURS:
            extra = (Period(T(10), T(12)),)
        exceptions.append(
            DatedException(kind, start, end, periods=extra, scope=draw(st.integers(0, 2)))
        )
    return Calendar.build(periods, exceptions)


@given(calendars(), st.dates(dt.date(2019, 12, 1), dt.date(2021, 1, 31)))
def test_next_open_day_is_open_and_every_day_between_is_closed(calendar, after):
    found = next_open_day(calendar, after)
    if found is None:
        for offset in range(1, 367):
            assert is_open_on(calendar, after + dt.timedelta(days=offset)) is False
    else:
        assert found > after
        assert is_open_on(calendar, found) is True
        day = after + dt.timedelta(days=1)
        while day < found:
            assert is_open_on(calendar, day) is False
            day += dt.timedelta(days=1)


@given(calendars(), st.dates(dt.date(2020, 1, 1), dt.date(2020, 12, 31)), times)
def test_open_at_some_time_means_open_on_that_day(calendar, day, at):
    if is_open_at(calendar, dt.datetime.combine(day, at)):
        assert is_open_on(calendar, day) is True


@given(calendars())
def test_weekly_hours_are_between_zero_and_168(calendar):
    assert 0 <= open_hours_per_week(calendar) <= 168
