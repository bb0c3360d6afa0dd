"""Events and registrations (reader programmes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from shufang.api.auth import api_actor
from shufang.api.schemas import Input
from shufang.core.permissions import require, visible_library_ids
from shufang.network.models import Library, ServicePoint
from shufang.programmes import services
from shufang.programmes.models import Event, Registration, Series
from shufang.readers.identity import mask_name
from shufang.readers.models import Reader

router = Router(tags=["programmes"])


class EventOut(Schema):
    id: int
    library_id: int
    series_id: int | None
    number: int | None
    title: str
    kind: str
    online: bool
    service_point_id: int | None
    room: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    audience: str
    speaker: str
    capacity: int | None
    registration_open: bool
    status: str
    suspended: bool
    head_count: int | None


class EventIn(Input):
    library_id: int
    title: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    series_id: int | None = None
    number: int | None = None
    online: bool = False
    service_point_id: int | None = None
    room: str = ""
    audience: str = "all"
    organisers: str = ""
    partners: str = ""
    speaker: str = ""
    description: str = ""
    capacity: int | None = None
    registration_open: bool = False
    status: str = "planned"


class EventPatch(Input):
    title: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    room: str | None = None
    speaker: str | None = None
    description: str | None = None
    capacity: int | None = None
    registration_open: bool | None = None
    status: str | None = None
    head_count: int | None = None
    online_views: int | None = None
    online_participants: int | None = None


class RegistrationIn(Input):
    reader_id: int


class RegistrationOut(Schema):
    id: int
    event_id: int
    reader_id: int
    reader_name: str
    status: str
    channel: str

    @staticmethod
    def resolve_reader_name(obj: Registration) -> str:
        return mask_name(obj.reader.name)


def _event(request: HttpRequest, event_id: int, perm: str) -> Event:
    event = get_object_or_404(Event.objects.select_related("series"), pk=event_id)
    require(request.user, perm, library=event.library_id)
    return event


@router.get("/events", response=list[EventOut])
def event_list(request: HttpRequest, year: int | None = None) -> Any:
    require(request.user, "programmes.view")
    rows = Event.objects.order_by("-starts_at", "-id")
    ids = visible_library_ids(request.user, "programmes.view")
    if ids is not None:
        rows = rows.filter(library_id__in=ids)
    if year is not None:
        rows = rows.filter(starts_at__year=year)
    return rows[:500]


@router.post("/events", response={201: EventOut})
def event_create(request: HttpRequest, payload: EventIn) -> Any:
    data = payload.dict()
    library = get_object_or_404(Library, pk=data.pop("library_id"))
    require(request.user, "programmes.change", library=library)
    series_id = data.pop("series_id")
    point_id = data.pop("service_point_id")
    event = services.event_create(
        library=library,
        series=get_object_or_404(Series, pk=series_id) if series_id else None,
        service_point=get_object_or_404(ServicePoint, pk=point_id) if point_id else None,
        actor=api_actor(request),
        **data,
    )
    return Status(201, event)


@router.patch("/events/{event_id}", response=EventOut)
def event_update(request: HttpRequest, event_id: int, payload: EventPatch) -> Any:
    event = _event(request, event_id, "programmes.change")
    changes = payload.dict(exclude_unset=True)
    return services.event_update(event=event, actor=api_actor(request), **changes)


@router.post("/events/{event_id}/registrations", response={201: RegistrationOut})
def registration_create(request: HttpRequest, event_id: int, payload: RegistrationIn) -> Any:
    event = _event(request, event_id, "programmes.change")
    reader = get_object_or_404(Reader, pk=payload.reader_id)
    registration = services.registration_create(
        event=event, reader=reader, channel="api", actor=api_actor(request)
    )
    return Status(201, registration)


@router.post("/registrations/{registration_id}/cancel", response=RegistrationOut)
def registration_cancel(request: HttpRequest, registration_id: int) -> Any:
    registration = get_object_or_404(
        Registration.objects.select_related("event", "reader"), pk=registration_id
    )
    require(request.user, "programmes.change", library=registration.event.library_id)
    services.registration_cancel(registration=registration, actor=api_actor(request))
    registration.refresh_from_db()
    return registration
