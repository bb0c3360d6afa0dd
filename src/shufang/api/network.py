"""Libraries and service points (with their opening hours)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from shufang.api.auth import api_actor
from shufang.api.schemas import Input
from shufang.core.exceptions import PermissionDenied
from shufang.core.permissions import require, visible_library_ids
from shufang.network import services
from shufang.network.models import Library, LibrarySystem, ServicePoint

router = Router(tags=["network"])


class LibraryOut(Schema):
    id: int
    system_id: int
    code: str
    name: str
    name_en: str
    kind: str
    admin_area_code: str
    host_organisation: str
    address: str
    contact_phone: str
    contact_email: str
    service_population: int | None
    opened_on: dt.date | None
    closed_on: dt.date | None


class LibraryIn(Input):
    system_id: int
    code: str
    name: str
    kind: str
    name_en: str = ""
    admin_area_code: str = ""
    host_organisation: str = ""
    address: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    service_population: int | None = None
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None


class LibraryPatch(Input):
    name: str | None = None
    name_en: str | None = None
    kind: str | None = None
    admin_area_code: str | None = None
    host_organisation: str | None = None
    address: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    service_population: int | None = None
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None


class OpeningPeriod(Schema):
    weekday: int
    opens: dt.time
    closes: dt.time


class ServicePointOut(Schema):
    id: int
    library_id: int
    code: str
    name: str
    name_en: str
    kind: str
    host_organisation: str
    address: str
    contact_name: str
    contact_phone: str
    opened_on: dt.date | None
    closed_on: dt.date | None
    opening_hours: list[OpeningPeriod]

    @staticmethod
    def resolve_opening_hours(obj: ServicePoint) -> list[dict[str, Any]]:
        return [
            {"weekday": h.weekday, "opens": h.opens, "closes": h.closes}
            for h in obj.opening_hours.all()
        ]


class ServicePointIn(Input):
    library_id: int
    code: str
    name: str
    kind: str
    name_en: str = ""
    host_organisation: str = ""
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None


class ServicePointPatch(Input):
    name: str | None = None
    name_en: str | None = None
    kind: str | None = None
    host_organisation: str | None = None
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None


class OpeningHoursIn(Input):
    periods: list[OpeningPeriod]


def _service_points() -> Any:
    return ServicePoint.objects.prefetch_related("opening_hours").order_by("code")


@router.get("/libraries", response=list[LibraryOut])
@paginate(LimitOffsetPagination)
def library_list(request: HttpRequest) -> Any:
    require(request.user, "staff.access")
    return Library.objects.order_by("code")


@router.get("/libraries/{library_id}", response=LibraryOut)
def library_get(request: HttpRequest, library_id: int) -> Any:
    require(request.user, "staff.access")
    return get_object_or_404(Library, pk=library_id)


@router.post("/libraries", response={201: LibraryOut})
def library_create(request: HttpRequest, payload: LibraryIn) -> Any:
    if visible_library_ids(request.user, "network.change") is not None:
        # A new library is a change to the whole network, not to one library.
        raise PermissionDenied(permission="network.change")
    data = payload.dict()
    system = get_object_or_404(LibrarySystem, pk=data.pop("system_id"))
    return Status(201, services.library_create(system=system, actor=api_actor(request), **data))


@router.patch("/libraries/{library_id}", response=LibraryOut)
def library_update(request: HttpRequest, library_id: int, payload: LibraryPatch) -> Any:
    library = get_object_or_404(Library, pk=library_id)
    changes = payload.dict(exclude_unset=True)
    return services.library_update(library=library, actor=api_actor(request), **changes)


@router.get("/service-points", response=list[ServicePointOut])
@paginate(LimitOffsetPagination)
def service_point_list(request: HttpRequest, library: int | None = None) -> Any:
    require(request.user, "staff.access")
    points = _service_points()
    if library is not None:
        points = points.filter(library_id=library)
    return points


@router.get("/service-points/{service_point_id}", response=ServicePointOut)
def service_point_get(request: HttpRequest, service_point_id: int) -> Any:
    require(request.user, "staff.access")
    return get_object_or_404(_service_points(), pk=service_point_id)


@router.post("/service-points", response={201: ServicePointOut})
def service_point_create(request: HttpRequest, payload: ServicePointIn) -> Any:
    data = payload.dict()
    library = get_object_or_404(Library, pk=data.pop("library_id"))
    point = services.service_point_create(library=library, actor=api_actor(request), **data)
    return Status(201, _service_points().get(pk=point.pk))


@router.patch("/service-points/{service_point_id}", response=ServicePointOut)
def service_point_update(
    request: HttpRequest, service_point_id: int, payload: ServicePointPatch
) -> Any:
    point = get_object_or_404(ServicePoint, pk=service_point_id)
    services.service_point_update(
        service_point=point, actor=api_actor(request), **payload.dict(exclude_unset=True)
    )
    return _service_points().get(pk=point.pk)


@router.put("/service-points/{service_point_id}/opening-hours", response=ServicePointOut)
def opening_hours_set(request: HttpRequest, service_point_id: int, payload: OpeningHoursIn) -> Any:
    point = get_object_or_404(ServicePoint, pk=service_point_id)
    services.opening_hours_set(
        service_point=point,
        periods=[(p.weekday, p.opens, p.closes) for p in payload.periods],
        actor=api_actor(request),
    )
    return _service_points().get(pk=point.pk)
