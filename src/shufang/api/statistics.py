"""Statistics: the metrics of any period and scope, and the annual report's data (figures
with last year's, breakdowns, consistency checks). Read-only; needs `statistics.view` where
the scope lies (a branch manager: their own library)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from shufang.core.exceptions import NotFound, PermissionDenied
from shufang.core.permissions import require, visible_library_ids
from shufang.network.models import ServicePoint
from shufang.statistics import metrics as m
from shufang.statistics.report import annual_report

router = Router(tags=["statistics"])


class MetricsOut(Schema):
    start: dt.date
    end: dt.date
    library_id: int | None
    service_point_id: int | None
    metrics: dict[str, Any]


def _scope(request: HttpRequest, library_id: int | None, service_point_id: int | None) -> m.Scope:
    if service_point_id is not None:
        point = ServicePoint.objects.filter(pk=service_point_id).first()
        if point is None:
            raise NotFound()
        scope = m.Scope.of(service_point=point)
    elif library_id is not None:
        scope = m.Scope.of(library=library_id)
    else:
        scope = m.NETWORK
    user = request.auth  # type: ignore[attr-defined]
    if scope.library_id is None and visible_library_ids(user, "statistics.view") is not None:
        # a library-scoped grant does not cover the whole network
        raise PermissionDenied(permission="statistics.view")
    require(user, "statistics.view", library=scope.library_id)
    return scope


@router.get("/statistics/metrics", response=MetricsOut)
def metrics_get(
    request: HttpRequest,
    start: dt.date,
    end: dt.date,
    library_id: int | None = None,
    service_point_id: int | None = None,
    only: str = "",
) -> dict[str, Any]:
    """The metrics (keys of the annual-report spec; comma-separated `only` to choose) for
    the period from `start` to `end` (both included)."""
    scope = _scope(request, library_id, service_point_id)
    period = m.Period(start, end)
    wanted = [k for k in only.split(",") if k] or list(m.REGISTRY)
    unknown = [k for k in wanted if k not in m.REGISTRY]
    if unknown:
        raise NotFound(f"Unknown metric(s): {', '.join(unknown)}")
    return {
        "start": start,
        "end": end,
        "library_id": scope.library_id,
        "service_point_id": scope.service_point_id,
        "metrics": {k: m.compute(k, period, scope) for k in wanted},
    }


@router.get("/statistics/annual/{year}")
def annual_get(
    request: HttpRequest,
    year: int,
    library_id: int | None = None,
    service_point_id: int | None = None,
) -> dict[str, Any]:
    """The annual report's data, as `shufang report annual --format json` prints it (the
    borrowing ranking left out: it is on the staff dashboard only)."""
    scope = _scope(request, library_id, service_point_id)
    data = annual_report(year=year, scope=scope, ranking_size=0).as_json()
    data.pop("ranking", None)
    return data
