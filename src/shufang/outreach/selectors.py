"""Read-only helpers for the annual report (outreach.*): counts of outreach points open on a
date, by the kind of their network.ServicePoint, and what each point holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from shufang.network.models import ServicePoint


def _open_at(kind: str, at: dt.date, library: Any = None) -> QuerySet[ServicePoint]:
    rows = ServicePoint.objects.filter(kind=kind).filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=at),
        Q(closed_on__isnull=True) | Q(closed_on__gt=at),
    )
    if library is not None:
        rows = rows.filter(library_id=getattr(library, "pk", library))
    return rows


def _count(kind: str, at: dt.date, opened_in: int | None, library: Any) -> int:
    rows = _open_at(kind, at, library)
    if opened_in is not None:
        rows = rows.filter(opened_on__year=opened_in)
    return rows.count()


def reading_points_count(*, at: dt.date, opened_in: int | None = None, library: Any = None) -> int:
    """outreach.reading_points: public reading points open on `at` (those opened in the year
    `opened_in` only, when given)."""
    return _count("reading_point", at, opened_in, library)


def mobile_rooms_count(*, at: dt.date, opened_in: int | None = None, library: Any = None) -> int:
    """outreach.mobile_rooms."""
    return _count("mobile_room", at, opened_in, library)


def ebook_machines_count(*, at: dt.date, opened_in: int | None = None, library: Any = None) -> int:
    """outreach.ebook_machines."""
    return _count("ebook_machine", at, opened_in, library)


def kiosks_count(*, at: dt.date, opened_in: int | None = None, library: Any = None) -> int:
    return _count("kiosk", at, opened_in, library)


def point_deposits(*, service_point: ServicePoint) -> QuerySet[Any]:
    """The deposit collections lent to an outreach point that it still holds."""
    from shufang.circulation.models import Deposit, DepositStatus

    return Deposit.objects.filter(destination=service_point, status=DepositStatus.OPEN).order_by(
        "-lent_on"
    )


def outreach_visits_count(*, start: dt.date, end: dt.date, library: Any = None) -> int:
    from shufang.outreach.models import OutreachVisit

    rows = OutreachVisit.objects.filter(visited_on__gte=start, visited_on__lte=end)
    if library is not None:
        rows = rows.filter(service_point__library_id=getattr(library, "pk", library))
    return rows.count()


def county_guidance(*, start: dt.date, end: dt.date, library: Any = None) -> dict[str, int]:
    """Guidance visits and trainings given to county libraries, with participants."""
    from shufang.outreach.models import CountyGuidance

    rows = CountyGuidance.objects.filter(held_on__gte=start, held_on__lte=end)
    if library is not None:
        rows = rows.filter(library_id=getattr(library, "pk", library))
    out: dict[str, int] = {"visit": 0, "training": 0, "survey": 0, "participants": 0}
    for kind, participants in rows.values_list("kind", "participants"):
        out[kind] += 1
        out["participants"] += participants
    return out
