from __future__ import annotations

import pytest

from shufang.catalogue.models import Item, ItemStatus, Record, RecordIdentifier
from shufang.catalogue.services.importing import marc_import
from shufang.core.models import AuditEvent

from .conftest import DATA, cnmarc_bytes, cnmarc_record, stream

pytestmark = pytest.mark.django_db


def test_good_file_loads_every_record_with_identifiers_and_one_audit_row_each(actor):
    report = marc_import(sources=[DATA / "pymarc/marc.dat"], actor=actor, match="none")

    assert (report.loaded, report.updated, report.skipped, report.rejected) == (20, 0, 0, 0)
    assert Record.objects.count() == 20
    assert Record.objects.order_by("pk").first().title == (
        "The pragmatic programmer : from journeyman to master"
    )
    assert AuditEvent.objects.filter(action="record.import_create").count() == 20
    first = Record.objects.order_by("pk").first()
    assert set(first.identifiers.values_list("scheme", "value")) == {
        ("isbn", "9780201616224"),
        ("control", "11778504"),
    }


def test_broken_file_reports_positions_and_reasons_and_loads_the_rest(actor):
    report = marc_import(
        sources=[DATA / "marc4j/pride-and-prejudice-with-many-errors.mrc"],
        actor=actor,
        match="none",
    )

    assert (report.loaded, report.rejected) == (298, 85)
    assert report.rejects[0].position == 2
    assert report.rejects[0].offset == 665
    assert (
        report.rejects[0].reason == "field 350: undecodable bytes for utf-8 at byte 0 of the field"
    )
    assert Record.objects.count() == 298


def test_rejected_records_leave_nothing_behind(actor):
    report = marc_import(sources=[DATA / "pymarc/bad_records.mrc"], actor=actor, match="none")

    assert (report.loaded, report.rejected) == (3, 5)
    assert Record.objects.count() == 3
    assert RecordIdentifier.objects.exclude(record__in=Record.objects.all()).count() == 0
    assert AuditEvent.objects.count() == 3


def test_xml_with_missing_tag_is_rejected_with_its_reason(actor):
    report = marc_import(sources=[DATA / "marc4j/chabon-missing-datafield-tag.xml"], actor=actor)

    assert (report.loaded, report.rejected) == (0, 1)
    assert report.rejects[0].reason == "datafield without a tag attribute"
    assert Record.objects.count() == 0


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8"])
def test_cnmarc_import_keeps_chinese_title_pinyin_and_original_bytes(actor, encoding):
    data = cnmarc_bytes(
        [
            cnmarc_record("丽江古城史话", isbn="7-222-12345-8", control="LJ001"),
            cnmarc_record("纳西族东巴文化", pinyin="Naxizu Dongba wenhua"),
        ],
        encoding,
    )

    report = marc_import(sources=[stream(data)], actor=actor)

    assert (report.loaded, report.rejected) == (2, 0)
    first, second = Record.objects.order_by("pk")
    assert (first.title, first.title_pinyin, first.title_pinyin_initials) == (
        "丽江古城史话",
        "li jiang gu cheng shi hua",
        "ljgcsh",
    )
    assert (second.title, second.title_pinyin, second.title_pinyin_initials) == (
        "纳西族东巴文化",
        "naxizu dongba wenhua",
        "ndw",
    )
    assert (first.marc_flavour, first.marc_encoding, first.clc, first.year) == (
        "cnmarc",
        encoding,
        "K297.43",
        2023,
    )
    assert first.isbn == "9787222123458"
    assert bytes(first.marc_original) == data[: len(bytes(first.marc_original))]
    assert "丽江古城史话".encode() in bytes(first.marc)


def test_duplicate_by_isbn_updates_the_existing_record(actor):
    marc_import(
        sources=[stream(cnmarc_bytes([cnmarc_record("旧题名", isbn="9787222123458")], "utf-8"))],
        actor=actor,
    )

    report = marc_import(
        sources=[stream(cnmarc_bytes([cnmarc_record("丽江古城史话", isbn="7222123458")], "utf-8"))],
        actor=actor,
        on_match="update",
    )

    assert (report.loaded, report.updated, report.skipped) == (0, 1, 0)
    assert list(Record.objects.values_list("title", flat=True)) == ["丽江古城史话"]
    assert AuditEvent.objects.filter(action="record.import_update").count() == 1


def test_duplicate_by_isbn_is_skipped_when_asked_and_nothing_changes(actor):
    marc_import(
        sources=[stream(cnmarc_bytes([cnmarc_record("旧题名", isbn="9787222123458")], "utf-8"))],
        actor=actor,
    )

    report = marc_import(
        sources=[stream(cnmarc_bytes([cnmarc_record("丽江古城史话", isbn="7222123458")], "utf-8"))],
        actor=actor,
        on_match="skip",
    )

    assert (report.loaded, report.updated, report.skipped) == (0, 0, 1)
    assert list(Record.objects.values_list("title", flat=True)) == ["旧题名"]
    assert AuditEvent.objects.filter(action="record.import_update").count() == 0


@pytest.mark.parametrize("batch_size", [1, 500])
def test_duplicates_within_one_file_are_matched_across_and_within_batches(actor, batch_size):
    records = [
        cnmarc_record("第一版", control="C1"),
        cnmarc_record("第二版", control="C1"),
        cnmarc_record("另一本", control="C2"),
    ]

    report = marc_import(
        sources=[stream(cnmarc_bytes(records, "utf-8"))],
        actor=actor,
        match="control-number",
        batch_size=batch_size,
    )

    assert (report.loaded, report.updated) == (2, 1)
    assert sorted(Record.objects.values_list("title", flat=True)) == ["另一本", "第二版"]


def test_items_are_created_from_905_and_barcode_collisions_are_reported(
    actor, service_point, collection
):
    records = [
        cnmarc_record(
            "丽江古城史话", control="A", holdings=[("LJ", "B0001", "12"), ("LJ", "B0002", "12:2")]
        ),
        cnmarc_record("纳西族东巴文化", control="B", holdings=[("LJ", "B0002", "7")]),
    ]

    report = marc_import(
        sources=[stream(cnmarc_bytes(records, "utf-8"))],
        actor=actor,
        create_items=True,
        service_point=service_point,
        collection=collection,
    )

    assert (report.loaded, report.items_created, report.items_rejected) == (2, 2, 1)
    assert report.rejects[0].barcode == "B0002"
    assert report.rejects[0].position == 2
    items = list(
        Item.objects.order_by("barcode").values_list(
            "barcode", "call_number", "status", "owning_library_id", "record__title"
        )
    )
    assert items == [
        ("B0001", "K297.43/12", ItemStatus.AVAILABLE, service_point.library_id, "丽江古城史话"),
        ("B0002", "K297.43/12:2", ItemStatus.AVAILABLE, service_point.library_id, "丽江古城史话"),
    ]
    assert AuditEvent.objects.filter(action="item.import_create").count() == 2


def test_koha_952_holdings_become_items(actor, service_point, collection):
    from pymarc import Field, Indicators, Subfield

    from shufang.catalogue.marc.read import iter_marc
    from shufang.catalogue.marc.write import record_as_iso2709

    record = next(iter_marc(DATA / "marc4j/summerland.mrc")).record
    record.fields.append(
        Field(
            tag="952",
            indicators=Indicators(" ", " "),
            subfields=[
                Subfield("a", "LJ"),
                Subfield("b", "LJ"),
                Subfield("o", "I712.84/3"),
                Subfield("p", "K952001"),
                Subfield("g", "25.00"),
            ],
        )
    )

    report = marc_import(
        sources=[stream(record_as_iso2709(record))],
        actor=actor,
        create_items=True,
        service_point=service_point,
        collection=collection,
    )

    assert report.items_created == 1
    item = Item.objects.get()
    assert (item.barcode, item.call_number, str(item.price)) == ("K952001", "I712.84/3", "25.00")
