"""Bibliographic records (fields, and MARCXML on request) and items."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import pymarc
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pymarc.marcxml import record_to_xml_node

from shufang.api.auth import api_actor
from shufang.api.schemas import Input
from shufang.catalogue.models import Collection, Item, MarcFlavour, Record
from shufang.core.exceptions import ValidationFailed
from shufang.core.permissions import require
from shufang.network.models import Library, ServicePoint

router = Router(tags=["catalogue"])


class RecordOut(Schema):
    id: int
    control_number: str
    title: str
    responsibility: str
    authors: str
    publisher: str
    place: str
    year: int | None
    edition: str
    series: str
    isbn: str
    issn: str
    clc: str
    subjects: str
    summary: str
    language: str
    audience: str
    material_type: str
    marc_flavour: str
    marcxml: str | None = None


class RecordFields(Input):
    """A record described by fields; the API writes it as a MARC 21 record."""

    title: str
    responsibility: str = ""
    authors: list[str] = []
    publisher: str = ""
    place: str = ""
    year: int | None = None
    edition: str = ""
    series: str = ""
    isbn: list[str] = []
    clc: str = ""
    subjects: list[str] = []
    summary: str = ""
    language: str = ""


class RecordIn(Input):
    marcxml: str | None = None
    flavour: str = MarcFlavour.MARC21
    fields: RecordFields | None = None


def _marc_from_fields(fields: RecordFields) -> pymarc.Record:
    """Translate the JSON description into MARC 21 (what the catalogue services take)."""
    record = pymarc.Record(force_utf8=True)
    record.leader = pymarc.Leader("00000nam a2200000 a 4500")

    def add(tag: str, ind: tuple[str, str], *pairs: tuple[str, str]) -> None:
        subfields = [pymarc.Subfield(code, value) for code, value in pairs if value]
        if subfields:
            record.add_field(
                pymarc.Field(tag=tag, indicators=pymarc.Indicators(*ind), subfields=subfields)
            )

    for isbn in fields.isbn:
        add("020", (" ", " "), ("a", isbn))
    if fields.language:
        add("041", ("0", " "), ("a", fields.language))
    if fields.clc:
        add("084", (" ", " "), ("a", fields.clc), ("2", "clc"))
    if fields.authors:
        add("100", ("1", " "), ("a", fields.authors[0]))
    add(
        "245",
        ("1" if fields.authors else "0", "0"),
        ("a", fields.title),
        ("c", fields.responsibility),
    )
    add("250", (" ", " "), ("a", fields.edition))
    add(
        "260",
        (" ", " "),
        ("a", fields.place),
        ("b", fields.publisher),
        ("c", str(fields.year) if fields.year else ""),
    )
    add("490", ("0", " "), ("a", fields.series))
    add("520", (" ", " "), ("a", fields.summary))
    for subject in fields.subjects:
        add("650", (" ", "7"), ("a", subject))
    for author in fields.authors[1:]:
        add("700", ("1", " "), ("a", author))
    return record


def _marc_from_payload(payload: RecordIn) -> tuple[pymarc.Record, str, dict[str, Any]]:
    """The MARC record, its flavour, and how it came (for the record's `original`)."""
    if payload.marcxml and payload.fields:
        raise ValidationFailed(_("Send either MARCXML or fields, not both."), field="marcxml")
    if payload.fields is not None:
        return _marc_from_fields(payload.fields), MarcFlavour.MARC21, {"fmt": "json"}
    if not payload.marcxml:
        raise ValidationFailed(_("Send MARCXML or fields."), field="marcxml")
    if payload.flavour not in MarcFlavour.values:
        raise ValidationFailed(_("Unknown MARC flavour."), field="flavour")
    try:
        records = pymarc.parse_xml_to_array(io.BytesIO(payload.marcxml.encode("utf-8")))
    except Exception as exc:  # noqa: BLE001  (any parser error is the client's data)
        raise ValidationFailed(
            _("The MARCXML could not be read."), field="marcxml", error=str(exc)[:200]
        ) from exc
    records = [r for r in records if r is not None]
    if len(records) != 1:
        raise ValidationFailed(
            _("Send exactly one MARCXML record."), field="marcxml", count=len(records)
        )
    original = {"original": payload.marcxml.encode("utf-8"), "fmt": "marcxml"}
    return records[0], payload.flavour, original


def _marcxml(record: Record) -> str:
    data = bytes(record.marc or b"")
    if not data:
        return ""
    marc = pymarc.Record(data=data, to_unicode=True, force_utf8=True)
    node = record_to_xml_node(marc, namespace=True)
    return ET.tostring(node, encoding="unicode")


def _record_out(record: Record, include_marcxml: bool) -> RecordOut:
    out = RecordOut.from_orm(record)
    if include_marcxml:
        out.marcxml = _marcxml(record)
    return out


@router.get("/records", response=list[RecordOut])
@paginate(LimitOffsetPagination)
def record_list(request: HttpRequest, q: str = "", isbn: str = "", clc: str = "") -> Any:
    require(request.user, "catalogue.view")
    records = Record.objects.filter(deleted_at__isnull=True).order_by("title_sort", "pk")
    if q:
        records = records.filter(
            Q(title__icontains=q)
            | Q(authors__icontains=q)
            | Q(title_pinyin__icontains=q)
            | Q(title_pinyin_initials__iexact=q)
        )
    if isbn:
        digits = isbn.replace("-", "").replace(" ", "").upper()
        records = records.filter(
            Q(isbn=digits) | Q(identifiers__scheme="isbn", identifiers__value=digits)
        ).distinct()
    if clc:
        records = records.filter(clc__startswith=clc)
    return records


@router.get("/records/{record_id}", response=RecordOut)
def record_get(request: HttpRequest, record_id: int, include: str = "") -> Any:
    """`include=marcxml` adds the record as MARCXML."""
    require(request.user, "catalogue.view")
    record = get_object_or_404(Record, pk=record_id, deleted_at__isnull=True)
    return _record_out(record, include_marcxml="marcxml" in include.split(","))


@router.post("/records", response={201: RecordOut})
def record_create(request: HttpRequest, payload: RecordIn) -> Any:
    from shufang.catalogue.services.records import record_create_from_marc

    require(request.user, "catalogue.change")
    marc, flavour, source = _marc_from_payload(payload)
    record = record_create_from_marc(
        record=marc, flavour=flavour, actor=api_actor(request), **source
    )
    return Status(201, _record_out(record, include_marcxml=True))


@router.put("/records/{record_id}", response=RecordOut)
def record_update(request: HttpRequest, record_id: int, payload: RecordIn) -> Any:
    """Replaces the record's MARC (from MARCXML or fields); its items stay."""
    from shufang.catalogue.services.records import record_update_from_marc

    require(request.user, "catalogue.change")
    record = get_object_or_404(Record, pk=record_id, deleted_at__isnull=True)
    marc, flavour, source = _marc_from_payload(payload)
    record = record_update_from_marc(
        target=record, record=marc, flavour=flavour, actor=api_actor(request), **source
    )
    return _record_out(record, include_marcxml=True)


class ItemOut(Schema):
    id: int
    barcode: str
    record_id: int
    owning_library_id: int
    home_service_point_id: int
    current_service_point_id: int
    collection_id: int
    call_number: str
    price: Decimal | None
    acquisition_source: str
    acquired_on: dt.date | None
    status: str
    status_changed_at: dt.datetime
    notes: str


class ItemIn(Input):
    record_id: int
    barcode: str
    home_service_point_id: int
    collection_id: int
    call_number: str = ""
    price: Decimal | None = None
    acquisition_source: str | None = None
    acquired_on: dt.date | None = None
    owning_library_id: int | None = None


class ItemPatch(Input):
    call_number: str | None = None
    price: Decimal | None = None
    collection_id: int | None = None
    home_service_point_id: int | None = None
    acquisition_source: str | None = None
    acquired_on: dt.date | None = None
    notes: str | None = None


def _items() -> Any:
    return Item.objects.order_by("barcode")


@router.get("/items", response=list[ItemOut])
@paginate(LimitOffsetPagination)
def item_list(
    request: HttpRequest,
    record: int | None = None,
    barcode: str = "",
    service_point: int | None = None,
) -> Any:
    require(request.user, "catalogue.view")
    items = _items()
    if record is not None:
        items = items.filter(record_id=record)
    if barcode:
        items = items.filter(barcode=barcode)
    if service_point is not None:
        items = items.filter(home_service_point_id=service_point)
    return items


@router.get("/items/{item_id}", response=ItemOut)
def item_get(request: HttpRequest, item_id: int) -> Any:
    require(request.user, "catalogue.view")
    return get_object_or_404(Item, pk=item_id)


@router.post("/items", response={201: ItemOut})
def item_create(request: HttpRequest, payload: ItemIn) -> Any:
    from shufang.catalogue.services.items import item_create as create

    data = payload.dict(exclude_none=True)
    point = get_object_or_404(ServicePoint, pk=data.pop("home_service_point_id"))
    require(request.user, "catalogue.change", library=point.library_id)
    kwargs: dict[str, Any] = {
        "record": get_object_or_404(Record, pk=data.pop("record_id"), deleted_at__isnull=True),
        "collection": get_object_or_404(Collection, pk=data.pop("collection_id")),
        "home_service_point": point,
    }
    if "owning_library_id" in data:
        kwargs["owning_library"] = get_object_or_404(Library, pk=data.pop("owning_library_id"))
    item = create(**kwargs, **data, actor=api_actor(request))
    return Status(201, item)


@router.patch("/items/{item_id}", response=ItemOut)
def item_update(request: HttpRequest, item_id: int, payload: ItemPatch) -> Any:
    from shufang.catalogue.services.items import item_update as update

    item = get_object_or_404(Item, pk=item_id)
    require(request.user, "catalogue.change", library=item.owning_library_id)
    changes = payload.dict(exclude_unset=True)
    if "collection_id" in changes:
        changes["collection"] = get_object_or_404(Collection, pk=changes.pop("collection_id"))
    if "home_service_point_id" in changes:
        point = get_object_or_404(ServicePoint, pk=changes.pop("home_service_point_id"))
        require(request.user, "catalogue.change", library=point.library_id)
        changes["home_service_point"] = point
    return update(item=item, actor=api_actor(request), **changes)
