"""The rules matrix read by small pure functions.

A rule matches a transaction when each of its scope columns is empty or equal to the
transaction's value. The most specific match wins: service point beats library, and then
reader category, collection and material type each add specificity, in that order of weight.
Ties are broken by the newest rule id, so an explicit later rule wins over an older one.
`explain` says, in words staff can read, why the chosen rule applies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from shufang.network.calendar import Calendar, is_open_on, next_open_day


@dataclass(frozen=True)
class RuleContext:
    library_id: int
    service_point_id: int
    reader_category_id: int | None
    collection_id: int | None
    material_type: str


# weights: a service point match outranks everything below it, and so on
_WEIGHTS = (
    ("service_point_id", 32),
    ("library_id", 16),
    ("reader_category_id", 8),
    ("collection_id", 4),
    ("material_type", 2),
)


def _value(rule: object, name: str) -> object:
    value = getattr(rule, name)
    return value if value not in ("", None) else None


def matches(rule: object, ctx: RuleContext) -> bool:
    for name, _weight in _WEIGHTS:
        value = _value(rule, name)
        if value is not None and value != getattr(ctx, name):
            return False
    return True


def specificity(rule: object) -> int:
    return sum(weight for name, weight in _WEIGHTS if _value(rule, name) is not None)


def best_rule(rules: Iterable[object], ctx: RuleContext) -> object | None:
    candidates = [r for r in rules if matches(r, ctx)]
    if not candidates:
        return None
    return max(candidates, key=lambda r: (specificity(r), getattr(r, "pk", 0) or 0))


def explain(rule: object) -> list[str]:
    """The scope columns that made this rule apply, as (column, value) words for the UI."""
    parts = []
    for name, _weight in _WEIGHTS:
        if _value(rule, name) is not None:
            parts.append(name.removesuffix("_id"))
    return parts


def due_date_for(*, start: dt.date, days: int, calendar: Calendar) -> dt.date:
    """The due date `days` after `start`, moved forward to the next day the calendar is open.
    If the calendar is never open again within its horizon, the plain date is kept."""
    due = start + dt.timedelta(days=days)
    if is_open_on(calendar, due):
        return due
    moved = next_open_day(calendar, due)
    return moved if moved is not None else due
