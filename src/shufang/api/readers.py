"""Readers. Lists show no personal data; reading one reader is audited as a view of personal
data; the national ID number only ever leaves masked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from shufang.api.auth import api_actor
from shufang.api.schemas import Input
from shufang.core.permissions import require, visible_library_ids
from shufang.network.models import ServicePoint
from shufang.readers.models import Card, Reader, ReaderCategory

router = Router(tags=["readers"])


class CardOut(Schema):
    number: str
    status: str
    issued_at: dt.datetime
    expires_on: dt.date


class ReaderSummary(Schema):
    id: int
    name: str
    category_id: int
    home_service_point_id: int
    cards: list[CardOut]

    @staticmethod
    def resolve_cards(obj: Reader) -> list[Card]:
        return list(obj.cards.all())


class ReaderOut(ReaderSummary):
    birth_date: dt.date | None
    id_number_masked: str
    phone: str
    email: str
    address: str
    guardian_id: int | None
    guardian_name: str
    guardian_phone: str
    keep_loan_history: bool


class ReaderIn(Input):
    name: str
    category_id: int
    home_service_point_id: int
    birth_date: dt.date | None = None
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    guardian_id: int | None = None
    guardian_name: str = ""
    guardian_phone: str = ""
    pin: str = ""
    card_number: str | None = None
    card_expires_on: dt.date | None = None


class ReaderPatch(Input):
    name: str | None = None
    category_id: int | None = None
    home_service_point_id: int | None = None
    birth_date: dt.date | None = None
    id_number: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    guardian_name: str | None = None
    guardian_phone: str | None = None
    notes: str | None = None


def _readers() -> Any:
    return Reader.objects.select_related("home_service_point").prefetch_related(
        Prefetch("cards", queryset=Card.objects.order_by("-issued_at"))
    )


def _visible(user: Any) -> Q:
    library_ids = visible_library_ids(user, "readers.view")
    if library_ids is None:
        return Q()
    return Q(home_service_point__library_id__in=library_ids)


def _reader_in_scope(request: HttpRequest, reader_id: int, perm: str) -> Reader:
    reader = get_object_or_404(_readers(), pk=reader_id)
    require(request.user, perm, library=reader.home_service_point.library_id)
    return reader


@router.get("/readers", response=list[ReaderSummary])
@paginate(LimitOffsetPagination)
def reader_list(request: HttpRequest, q: str = "") -> Any:
    """Readers of the libraries the caller may see; `q` is a card number or part of a name."""
    require(request.user, "readers.view")
    readers = _readers().filter(_visible(request.user)).order_by("name", "pk")
    if q:
        readers = readers.filter(Q(cards__number=q) | Q(name__icontains=q)).distinct()
    return readers


@router.get("/readers/{reader_id}", response=ReaderOut)
def reader_get(request: HttpRequest, reader_id: int) -> Any:
    from shufang.readers.services import reader_personal_data_viewed

    reader = _reader_in_scope(request, reader_id, "readers.view_personal")
    reader_personal_data_viewed(reader=reader, actor=api_actor(request), purpose="api")
    return reader


@router.post("/readers", response={201: ReaderOut})
def reader_create(request: HttpRequest, payload: ReaderIn) -> Any:
    from shufang.readers.services import reader_register

    data = payload.dict()
    point = get_object_or_404(ServicePoint, pk=data.pop("home_service_point_id"))
    require(request.user, "readers.change", library=point.library_id)
    category = get_object_or_404(ReaderCategory, pk=data.pop("category_id"))
    guardian_id = data.pop("guardian_id")
    if guardian_id is not None:
        data["guardian"] = _reader_in_scope(request, guardian_id, "readers.view")
    if data["card_number"] is None:
        data.pop("card_number")
    if data["card_expires_on"] is None:
        data.pop("card_expires_on")
    reader = reader_register(
        category=category, home_service_point=point, actor=api_actor(request), **data
    )
    return Status(201, _readers().get(pk=reader.pk))


@router.patch("/readers/{reader_id}", response=ReaderOut)
def reader_update(request: HttpRequest, reader_id: int, payload: ReaderPatch) -> Any:
    from shufang.readers.services import reader_update as update

    reader = _reader_in_scope(request, reader_id, "readers.change")
    changes = payload.dict(exclude_unset=True)
    if "category_id" in changes:
        changes["category"] = get_object_or_404(ReaderCategory, pk=changes.pop("category_id"))
    if "home_service_point_id" in changes:
        point = get_object_or_404(ServicePoint, pk=changes.pop("home_service_point_id"))
        require(request.user, "readers.change", library=point.library_id)
        changes["home_service_point"] = point
    update(reader=reader, actor=api_actor(request), **changes)
    return _readers().get(pk=reader.pk)
