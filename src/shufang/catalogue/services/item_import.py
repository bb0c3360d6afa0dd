"""Bulk loading of items (copies) from a CSV or XLSX file (migration from another system).

A row names its bibliographic record by ISBN or control number; with `create_records`, a row
whose record is not found (or that only gives a title and author) gets a minimal MARC 21
record, made through `record_create_from_marc`. Each row is loaded through
`catalogue.services.items.item_create` in its own savepoint; bad rows are reported by line.
Columns: ITEM_COLUMNS, documented in docs/import-formats.md."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from itertools import chain
from pathlib import Path

import pymarc
from django.utils.translation import gettext_lazy as _

from shufang.catalogue.marc.extract import normalise_isbns
from shufang.catalogue.models import (
    AcquisitionSource,
    Collection,
    IdentifierScheme,
    MarcFlavour,
    Record,
)
from shufang.catalogue.services.items import item_create
from shufang.catalogue.services.records import record_create_from_marc
from shufang.core.audit import Actor
from shufang.core.exceptions import ValidationFailed
from shufang.core.permissions import require
from shufang.core.tabular import (
    ImportResult,
    RowError,
    TabularRow,
    iter_rows,
    load_rows,
    parse_date,
)
from shufang.network.models import ServicePoint

ITEM_COLUMNS: dict[str, list[str]] = {
    "barcode": ["条码号", "条码", "册条码号"],
    "isbn": ["ISBN", "国际标准书号"],
    "control_number": ["控制号", "记录号", "书目控制号"],
    "title": ["题名", "书名", "正题名"],
    "author": ["责任者", "著者", "作者"],
    "publisher": ["出版社", "出版者"],
    "year": ["出版年", "出版年份"],
    "service_point": ["服务点", "服务点代码", "馆藏地点", "home_service_point"],
    "collection": ["馆藏类型", "馆藏代码", "藏书类型", "collection_code"],
    "call_number": ["索书号"],
    "price": ["价格", "单价", "定价"],
    "acquisition_source": ["来源", "采访来源", "入藏方式"],
    "acquired_on": ["入藏日期", "登到日期", "验收日期"],
}
ITEM_REQUIRED = ["barcode", "service_point", "collection"]

# Acquisition sources as the previous system may have written them.
SOURCE_ALIASES: dict[str, str] = {
    "采购": AcquisitionSource.PURCHASE,
    "购买": AcquisitionSource.PURCHASE,
    "零散采购": AcquisitionSource.PURCHASE,
    "荐购": AcquisitionSource.READER_SUGGESTION,
    "读者荐购": AcquisitionSource.READER_SUGGESTION,
    "你选书我买单": AcquisitionSource.READER_SUGGESTION,
    "地方文献": AcquisitionSource.LOCAL_DOCUMENTS,
    "捐赠": AcquisitionSource.DONATION,
    "赠送": AcquisitionSource.DONATION,
    "交换": AcquisitionSource.EXCHANGE,
    "调拨": AcquisitionSource.EXCHANGE,
    "迁移": AcquisitionSource.LEGACY,
}

_PRICE = re.compile(r"\d+(?:\.\d{1,2})?")


def parse_price(text: str) -> Decimal | None:
    """35, 35.00, CNY35.00, ¥35.5, 35.00元 -> Decimal; empty -> None."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    match = _PRICE.search(text)
    try:
        if match is None:
            raise InvalidOperation
        return Decimal(match.group(0))
    except InvalidOperation:
        raise ValidationFailed(_("“%(p)s” is not a price.") % {"p": text}, field="price") from None


def parse_source(text: str) -> str:
    text = text.strip()
    if not text:
        return AcquisitionSource.LEGACY
    if text in AcquisitionSource.values:
        return text
    if text in SOURCE_ALIASES:
        return SOURCE_ALIASES[text]
    for value, label in AcquisitionSource.choices:
        if text.casefold() == str(label).casefold():
            return value
    raise ValidationFailed(
        _("Unknown acquisition source “%(s)s”.") % {"s": text}, field="acquisition_source"
    )


def _minimal_marc(
    *, title: str, author: str, isbn: str, publisher: str, year: str
) -> pymarc.Record:
    record = pymarc.Record(force_utf8=True)
    record.leader = pymarc.Leader("00000nam a2200000 a 4500")
    if isbn:
        record.add_field(
            pymarc.Field(
                tag="020",
                indicators=pymarc.Indicators(" ", " "),
                subfields=[pymarc.Subfield("a", isbn)],
            )
        )
    if author:
        record.add_field(
            pymarc.Field(
                tag="100",
                indicators=pymarc.Indicators("1", " "),
                subfields=[pymarc.Subfield("a", author)],
            )
        )
    record.add_field(
        pymarc.Field(
            tag="245",
            indicators=pymarc.Indicators("1" if author else "0", "0"),
            subfields=[pymarc.Subfield("a", title)],
        )
    )
    if publisher or year:
        subfields = []
        if publisher:
            subfields.append(pymarc.Subfield("b", publisher))
        if year:
            subfields.append(pymarc.Subfield("c", year))
        record.add_field(
            pymarc.Field(tag="260", indicators=pymarc.Indicators(" ", " "), subfields=subfields)
        )
    return record


class _Lookups:
    def __init__(self) -> None:
        self.points = {p.code.casefold(): p for p in ServicePoint.objects.select_related("library")}
        self.collections = {c.code.casefold(): c for c in Collection.objects.all()}
        self.records: dict[tuple[str, str], Record] = {}

    def point(self, code: str) -> ServicePoint:
        try:
            return self.points[code.strip().casefold()]
        except KeyError:
            raise ValidationFailed(
                _("Unknown service point “%(c)s”.") % {"c": code}, field="service_point"
            ) from None

    def collection(self, code: str) -> Collection:
        try:
            return self.collections[code.strip().casefold()]
        except KeyError:
            raise ValidationFailed(
                _("Unknown collection “%(c)s”.") % {"c": code}, field="collection"
            ) from None

    def record_by_identifier(self, scheme: str, value: str) -> Record | None:
        key = (scheme, value)
        if key not in self.records:
            match = (
                Record.objects.filter(
                    identifiers__scheme=scheme, identifiers__value=value, deleted_at__isnull=True
                )
                .order_by("pk")
                .first()
            )
            if match is None and scheme == IdentifierScheme.CONTROL:
                match = (
                    Record.objects.filter(control_number=value, deleted_at__isnull=True)
                    .order_by("pk")
                    .first()
                )
            if match is None:
                return None
            self.records[key] = match
        return self.records[key]


def items_import(
    *,
    path: Path,
    actor: Actor,
    create_records: bool = False,
    on_row: Callable[[TabularRow, RowError | None], None] | None = None,
) -> ImportResult:
    """Loads the items of `path`. Raises MissingColumns (nothing loaded) when a required column
    is absent; otherwise returns what was loaded and what was rejected, by line."""
    if actor.user is not None:
        require(actor.user, "catalogue.import")
    rows = iter_rows(Path(path), aliases=ITEM_COLUMNS, required=ITEM_REQUIRED)
    first = next(rows, None)
    lookups = _Lookups()
    created_in_row: list[tuple[str, str]] = []

    def find_record(row: TabularRow) -> Record:
        isbn_text, control = row.get("isbn"), row.get("control_number")
        title, author = row.get("title"), row.get("author")
        isbn = ""
        if isbn_text:
            valid, _invalid = normalise_isbns([isbn_text])
            if not valid:
                raise ValidationFailed(
                    _("“%(i)s” is not a valid ISBN.") % {"i": isbn_text}, field="isbn"
                )
            isbn = valid[0]
            found = lookups.record_by_identifier(IdentifierScheme.ISBN, isbn)
            if found is not None:
                return found
        if control:
            found = lookups.record_by_identifier(IdentifierScheme.CONTROL, control)
            if found is not None:
                return found
        if not (isbn_text or control or title):
            raise ValidationFailed(
                _("Name the record by ISBN, control number or title."), field="isbn"
            )
        if not create_records or not title:
            raise ValidationFailed(
                _("No record with ISBN %(i)s or control number %(c)s.")
                % {"i": isbn_text or "-", "c": control or "-"}
                if (isbn_text or control)
                else _("A record is only created from a title with --create-records."),
                field="isbn",
            )
        key = ("title", f"{title}\x1f{author}\x1f{isbn}")
        if key not in lookups.records:
            lookups.records[key] = record_create_from_marc(
                record=_minimal_marc(
                    title=title,
                    author=author,
                    isbn=isbn,
                    publisher=row.get("publisher"),
                    year=row.get("year"),
                ),
                flavour=MarcFlavour.MARC21,
                actor=actor,
                fmt="tabular",
            )
            created_in_row.append(key)
            if isbn:
                lookups.records[(IdentifierScheme.ISBN, isbn)] = lookups.records[key]
                created_in_row.append((IdentifierScheme.ISBN, isbn))
        return lookups.records[key]

    def load_one(row: TabularRow) -> None:
        point = lookups.point(row.get("service_point"))
        collection = lookups.collection(row.get("collection"))
        price = parse_price(row.get("price"))
        source = parse_source(row.get("acquisition_source"))
        acquired_on = parse_date(row.get("acquired_on"), "acquired_on")
        record = find_record(row)
        item_create(
            record=record,
            barcode=row.get("barcode"),
            home_service_point=point,
            collection=collection,
            actor=actor,
            call_number=row.get("call_number"),
            price=price,
            acquisition_source=source,
            acquired_on=acquired_on,
            owning_library=point.library,
        )

    def forget_records(row: TabularRow, error: RowError | None) -> None:
        # A record created for a row that then failed was rolled back with the row.
        if error is not None:
            for key in created_in_row:
                lookups.records.pop(key, None)
        created_in_row.clear()
        if on_row is not None:
            on_row(row, error)

    return load_rows(chain([first] if first else [], rows), load_one, on_row=forget_records)
