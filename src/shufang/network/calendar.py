"""The network calendar as pure values and functions (no ORM): weekly opening periods per
weekday plus dated exceptions. `network.selectors.calendar_for` builds one from the database;
circulation reads it to compute due dates ("next open day").

Rules kept here, in one place:

- A day's hours are the weekly periods of its weekday, unless a dated exception covers it.
- Among the exceptions covering a day, only the most specific scope counts (service point over
  library over the whole network), so a 24-hour study room can stay open on a network holiday
  by giving it special hours of its own.
- At that scope a holiday or closure closes the whole day; otherwise special hours replace the
  day's hours (several special-hours exceptions on one day add their periods together).
- A period runs from `opens` (included) to `closes` (excluded). A `closes` of 23:59 or later is
  the end of the day (24:00), so a 24-hour service point is 00:00-23:59:59.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

HOLIDAY = "holiday"
CLOSURE = "closure"
SPECIAL_HOURS = "special_hours"
CLOSING_KINDS = frozenset({HOLIDAY, CLOSURE})

SCOPE_NETWORK = 0
SCOPE_LIBRARY = 1
SCOPE_SERVICE_POINT = 2

# How far next_open_day looks before giving up: a year and a day.
HORIZON_DAYS = 366

# Anything closing at 23:59 or later closes at midnight.
_END_OF_DAY = dt.time(23, 59)


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _closing_seconds(t: dt.time) -> int:
    return 24 * 3600 if t >= _END_OF_DAY else _seconds(t)


@dataclass(frozen=True, order=True)
class Period:
    """One opening period within a day."""

    opens: dt.time
    closes: dt.time

    def __post_init__(self) -> None:
        if _closing_seconds(self.closes) <= _seconds(self.opens):
            raise ValueError(f"period closes before it opens: {self.opens}-{self.closes}")

    @property
    def hours(self) -> float:
        return (_closing_seconds(self.closes) - _seconds(self.opens)) / 3600

    def contains(self, t: dt.time) -> bool:
        return _seconds(self.opens) <= _seconds(t) < _closing_seconds(self.closes)


@dataclass(frozen=True)
class DatedException:
    """A holiday, closure or special hours from `start` to `end` (both included)."""

    kind: str
    start: dt.date
    end: dt.date
    periods: tuple[Period, ...] = ()
    scope: int = SCOPE_NETWORK
    reason: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"exception ends before it starts: {self.start}-{self.end}")
        if self.kind not in CLOSING_KINDS and self.kind != SPECIAL_HOURS:
            raise ValueError(f"unknown exception kind: {self.kind}")

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Calendar:
    """Weekly periods (index 0 = Monday ... 6 = Sunday) and dated exceptions."""

    weekly: tuple[tuple[Period, ...], ...] = field(default=((),) * 7)
    exceptions: tuple[DatedException, ...] = ()
    time_zone: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("a week has seven days")

    @classmethod
    def build(
        cls,
        periods: Iterable[tuple[int, dt.time, dt.time]],
        exceptions: Iterable[DatedException] = (),
        time_zone: str = "Asia/Shanghai",
    ) -> Calendar:
        """From (weekday, opens, closes) triples, as stored in OpeningHours."""
        days: list[list[Period]] = [[] for _ in range(7)]
        for weekday, opens, closes in periods:
            days[weekday].append(Period(opens, closes))
        return cls(
            weekly=tuple(tuple(sorted(day)) for day in days),
            exceptions=tuple(exceptions),
            time_zone=time_zone,
        )


def opening_periods_on(calendar: Calendar, day: dt.date) -> tuple[Period, ...]:
    """The periods the service point is open on `day`, after exceptions."""
    covering = [e for e in calendar.exceptions if e.covers(day)]
    if not covering:
        return calendar.weekly[day.weekday()]
    top = max(e.scope for e in covering)
    decisive = [e for e in covering if e.scope == top]
    if any(e.kind in CLOSING_KINDS for e in decisive):
        return ()
    return tuple(sorted(p for e in decisive for p in e.periods))


def is_open_on(calendar: Calendar, day: dt.date) -> bool:
    return bool(opening_periods_on(calendar, day))


def is_open_at(calendar: Calendar, when: dt.datetime) -> bool:
    """`when` is converted to the calendar's time zone when aware; naive means local time."""
    if when.tzinfo is not None:
        when = when.astimezone(ZoneInfo(calendar.time_zone))
    return any(p.contains(when.time()) for p in opening_periods_on(calendar, when.date()))


def next_open_day(calendar: Calendar, after: dt.date) -> dt.date | None:
    """The first open day strictly after `after`, or None if closed for the whole horizon."""
    day = after
    for _ in range(HORIZON_DAYS):
        day += dt.timedelta(days=1)
        if is_open_on(calendar, day):
            return day
    return None


def open_hours_per_week(calendar: Calendar) -> float:
    """Regular weekly opening hours (exceptions not counted), as reported in statistics."""
    return sum(p.hours for day in calendar.weekly for p in day)
