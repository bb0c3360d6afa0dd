"""Importing items from CSV and XLSX files (`shufang import-items`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from shufang.catalogue.models import AcquisitionSource, Item, Record, RecordIdentifier
from shufang.catalogue.services.item_import import items_import, parse_price
from shufang.core.tabular import MissingColumns


def isbn13(first12: str) -> str:
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


@pytest.fixture
def record(db):
    isbn = isbn13("978722212345")
    record = Record.objects.create(title="丽江史话", isbn=isbn)
    RecordIdentifier.objects.create(record=record, scheme="isbn", value=isbn)
    RecordIdentifier.objects.create(record=record, scheme="control", value="LJ000123")
    return record


def write_csv(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "items.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_items_are_attached_to_records_by_isbn_or_control_number(
    tmp_path, record, service_point, collection, actor, encoding
):
    isbn = record.isbn
    path = write_csv(
        tmp_path,
        "条码号,ISBN,控制号,服务点,馆藏类型,索书号,价格,来源,入藏日期\n"
        f"T0001,{isbn[:3]}-{isbn[3:]},,LJ-MAIN,ADULT,K297.4/1,CNY38.00,捐赠,2019-04-01\n"
        f"T0002,,LJ000123,LJ-MAIN,ADULT,K297.4/1,38元,,2019/4/2\n"
        f"T0003,9780000000000,,LJ-MAIN,ADULT,,,,\n"
        f"T0004,,NOPE,LJ-MAIN,ADULT,,,,\n"
        f"T0001,{isbn},,LJ-MAIN,ADULT,,,,\n"
        f"T0006,{isbn},,NOWHERE,ADULT,,,,\n"
        f"T0007,{isbn},,LJ-MAIN,ADULT,,abc,,\n",
        encoding,
    )

    result = items_import(path=path, actor=actor)

    assert result.loaded == 2
    assert [e.line for e in result.rejected] == [4, 5, 6, 7, 8]
    first = Item.objects.get(barcode="T0001")
    assert (first.record, first.price, first.acquisition_source, first.acquired_on) == (
        record,
        Decimal("38.00"),
        AcquisitionSource.DONATION,
        dt.date(2019, 4, 1),
    )
    second = Item.objects.get(barcode="T0002")
    assert (second.record, second.acquisition_source) == (record, AcquisitionSource.LEGACY)
    assert second.owning_library == service_point.library
    assert Item.objects.count() == 2


@pytest.mark.django_db
def test_minimal_records_are_created_only_when_asked(tmp_path, service_point, collection, actor):
    path = write_csv(
        tmp_path,
        "barcode,title,author,service_point,collection\n"
        "T1,纳西族东巴文化,和力民,LJ-MAIN,ADULT\n"
        "T2,纳西族东巴文化,和力民,LJ-MAIN,ADULT\n",
    )
    refused = items_import(path=path, actor=actor)
    assert refused.loaded == 0
    assert Record.objects.count() == 0

    result = items_import(path=path, actor=actor, create_records=True)

    assert result.loaded == 2
    record = Record.objects.get()
    assert record.title == "纳西族东巴文化"
    assert "和力民" in record.authors
    assert sorted(record.items.values_list("barcode", flat=True)) == ["T1", "T2"]


@pytest.mark.django_db
def test_a_record_made_for_a_failed_row_is_rolled_back_with_it(
    tmp_path, service_point, collection, actor
):
    path = write_csv(
        tmp_path,
        "barcode,title,service_point,collection,price\nT1,无主之书,LJ-MAIN,ADULT,not a price\n",
    )
    result = items_import(path=path, actor=actor, create_records=True)
    assert [e.line for e in result.rejected] == [2]
    assert Record.objects.count() == 0


@pytest.mark.django_db
def test_xlsx_items_with_numeric_barcodes(tmp_path, record, service_point, collection, actor):
    book = Workbook()
    sheet = book.active
    sheet.append(["条码号", "ISBN", "服务点", "馆藏类型", "价格", "入藏日期"])
    sheet.append([31000001, record.isbn, "LJ-MAIN", "ADULT", 38.5, dt.datetime(2020, 1, 2)])
    path = tmp_path / "items.xlsx"
    book.save(path)

    result = items_import(path=path, actor=actor)

    assert result.loaded == 1
    item = Item.objects.get()
    assert (item.barcode, item.price, item.acquired_on) == (
        "31000001",
        Decimal("38.5"),
        dt.date(2020, 1, 2),
    )


@pytest.mark.django_db
def test_missing_columns_load_no_item(tmp_path, record, service_point, collection, actor):
    path = write_csv(tmp_path, f"条码号,ISBN\nT1,{record.isbn}\n")
    with pytest.raises(MissingColumns) as caught:
        items_import(path=path, actor=actor)
    assert caught.value.details == {"columns": ["service_point", "collection"]}
    assert Item.objects.count() == 0


@pytest.mark.django_db
def test_the_command_prints_a_summary(tmp_path, record, service_point, collection, capsys):
    path = write_csv(
        tmp_path, f"barcode,isbn,service_point,collection\nT1,{record.isbn},LJ-MAIN,ADULT\n"
    )
    call_command("import_items", str(path))
    assert capsys.readouterr().out.splitlines()[-1] == "1 rows: 1 loaded, 0 rejected."


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("35", Decimal("35")),
        ("CNY35.00", Decimal("35.00")),
        ("¥35.5", Decimal("35.5")),
        ("1,200.00元", Decimal("1200.00")),
        ("", None),
    ],
)
def test_prices_as_old_systems_write_them(text, price):
    assert parse_price(text) == price
