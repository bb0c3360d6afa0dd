"""Due dates and closures must not cross in flight.

A checkout or renewal reads the lending calendar and writes a due date; `closure_declare`
adds a closure and moves the open loans due inside it. On PostgreSQL (READ COMMITTED) a
checkout that read the calendar before the closure committed, and commits after the closure's
UPDATE, would keep a due date inside the closure. So both take a transaction-scoped advisory
lock per calendar point (the point whose calendar sets the due date,
`selectors.calendar_point_for`): shared for checkouts and renewals (they never wait for each
other), exclusive for a closure, taken before the closure touches any row. A checkout
therefore either finishes before the closure moves due dates (and its loan is moved) or reads
the calendar after the closure committed.

SQLite needs nothing: its write transactions start IMMEDIATE, one at a time."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from shufang.network.models import ServicePoint

# The first key of the two-key advisory lock: "calendar" in the circulation app.
_LOCK_CLASS = 0x5346_0001 & 0x7FFF_FFFF


def calendar_lock_shared(service_point: ServicePoint) -> None:
    """Inside a transaction: wait while a closure of the calendar that sets due dates at
    `service_point` is being declared."""
    if connection.vendor == "postgresql":
        from shufang.circulation.selectors import calendar_point_for

        point_id = calendar_point_for(service_point).pk
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)", [_LOCK_CLASS, point_id])


def calendar_lock_exclusive(point_ids: Iterable[int]) -> None:
    """Inside a transaction: wait for checkouts and renewals in flight at these calendar
    points to commit, and hold new ones back until this transaction ends. Ids are locked in
    ascending order, so two closures cannot deadlock."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for point_id in sorted(set(point_ids)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, point_id])
