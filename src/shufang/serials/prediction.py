"""Issue prediction from a frequency, with the publisher's known gaps. Pure: no ORM."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

DAILY, WEEKLY, SEMI_MONTHLY, MONTHLY = "daily", "weekly", "semimonthly", "monthly"
BI_MONTHLY, QUARTERLY, IRREGULAR = "bimonthly", "quarterly", "irregular"


@dataclass(frozen=True)
class Predicted:
    sequence: int  # issue number in the year, counting only issues that appear
    expected_on: dt.date
    label: str


def _dates(frequency: str, year: int, first: dt.date | None) -> list[dt.date]:
    start = first or dt.date(year, 1, 1)
    end = dt.date(year, 12, 31)
    if frequency == DAILY:
        return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    if frequency == WEEKLY:
        return [start + dt.timedelta(weeks=n) for n in range((end - start).days // 7 + 1)]
    day = start.day if first else 1
    if frequency == SEMI_MONTHLY:
        return [dt.date(year, m, d) for m in range(1, 13) for d in (1, 16)]
    months = {
        MONTHLY: range(1, 13),
        BI_MONTHLY: range(start.month, 13, 2),
        QUARTERLY: range(start.month, 13, 3),
    }.get(frequency)
    if months is None:
        return []  # irregular: issues are checked in as they come
    return [dt.date(year, m, min(day, 28)) for m in months]


def predict_issues(
    *,
    frequency: str,
    year: int,
    first_issue_on: dt.date | None = None,
    skip_months: Iterable[int] = (),
    skip_dates: Iterable[dt.date] = (),
) -> list[Predicted]:
    """The issues of `year`: dates from the frequency (from `first_issue_on`, or 1 January),
    less the months and dates the publisher is known to skip (a combined summer issue, the
    Spring Festival break of a daily). Numbering runs over the issues that appear."""
    months = set(skip_months)
    dates = set(skip_dates)
    kept = [
        d
        for d in _dates(frequency, year, first_issue_on)
        if d.year == year
        and d.month not in months
        and d not in dates
        and (first_issue_on is None or d >= first_issue_on)
    ]
    return [
        Predicted(
            sequence=n,
            expected_on=d,
            label=f"{year}-{n:03d}" if len(kept) > 99 else f"{year}-{n:02d}",
        )
        for n, d in enumerate(kept, start=1)
    ]
