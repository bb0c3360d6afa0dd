"""A small catalogue for the OPAC, account, SRU and browser tests: titles in Chinese and
English with classes, years and copies at both libraries, indexed for search."""

from __future__ import annotations

import datetime as dt

import pymarc

from shufang.catalogue.models import Item, Record
from shufang.catalogue.services.items import item_create
from shufang.catalogue.services.records import record_create_from_marc
from shufang.core.audit import Actor
from shufang.web.tests.fixtures import Network

# title, author, year, CLC, ISBN
BOOKS = [
    ("丽江古城史话", "木丽春", 2005, "K297.44", "9787222043916"),
    ("玉龙雪山植物志", "和志刚", 2012, "Q948.527.4", ""),
    ("纳西东巴文化研究", "李霖灿", 2001, "K281.7", ""),
    ("Lijiang: the old town", "Peter Goullart", 1999, "K928.974", ""),
    ("丽江民歌选", "和丽梅", 2018, "I277.2", ""),
]


def marc_book(title: str, author: str, year: int, clc: str, isbn: str) -> pymarc.Record:
    marc = pymarc.Record(force_utf8=True)
    fields = []
    if isbn:
        fields.append(("020", [("a", isbn)]))
    fields += [
        ("084", [("a", clc), ("2", "clc")]),
        ("100", [("a", author)]),
        ("245", [("a", title)]),
        ("264", [("a", "昆明"), ("b", "云南人民出版社"), ("c", str(year))]),
    ]
    for tag, subs in fields:
        marc.add_field(
            pymarc.Field(
                tag=tag,
                indicators=pymarc.Indicators("1", " "),
                subfields=[pymarc.Subfield(c, v) for c, v in subs],
            )
        )
    return marc


def build_catalogue(net: Network, *, acquired_on: dt.date | None = None) -> dict[str, Record]:
    """The five BOOKS (plus the network's 红楼梦), one copy each at library A, and a second
    copy of 丽江古城史话 at library B; everything indexed."""
    from shufang.catalogue.search.indexing import search_index_records

    actor = Actor.system("tests")
    records: dict[str, Record] = {net.record.title: net.record}
    for n, (title, author, year, clc, isbn) in enumerate(BOOKS, start=1):
        record = record_create_from_marc(
            record=marc_book(title, author, year, clc, isbn), flavour="marc21", actor=actor
        )
        records[title] = record
        item_create(
            record=record,
            barcode=f"A{n:07d}",
            home_service_point=net.point_a,
            collection=net.collection,
            actor=actor,
            call_number=f"{clc}/{n}",
        )
    item_create(
        record=records["丽江古城史话"],
        barcode="B0000001",
        home_service_point=net.point_b,
        collection=net.collection,
        actor=actor,
        call_number="K297.44/1",
    )
    Item.objects.exclude(status="available").update(status="available")
    if acquired_on is not None:
        Item.objects.update(acquired_on=acquired_on)
    search_index_records(r.pk for r in records.values())
    return records
