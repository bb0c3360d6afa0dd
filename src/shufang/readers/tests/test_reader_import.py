"""Importing readers from CSV (UTF-8, UTF-8 with BOM, GB18030) and XLSX files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from shufang.core.audit import Actor
from shufang.core.models import AuditEvent
from shufang.core.tabular import MissingColumns, RowError
from shufang.readers.models import Card, Reader
from shufang.readers.services_import import readers_import

DATA = Path(__file__).parent / "data"

EXPECTED_LOADED = ["小红", "张博涵", "杨洋"]
EXPECTED_REJECTED_LINES = [3, 4, 6, 7, 9]


@pytest.fixture
def importer():
    return Actor.importer("test import")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filename", ["readers_en.csv", "readers_zh_gb18030.csv", "readers_zh_utf8_bom.csv"]
)
def test_good_rows_are_loaded_and_bad_rows_reported_by_line(
    adult, juvenile, service_point, importer, filename
):
    result = readers_import(path=DATA / filename, actor=importer)

    assert result.loaded == 3
    assert [e.line for e in result.rejected] == EXPECTED_REJECTED_LINES
    assert sorted(Reader.objects.values_list("name", flat=True)) == EXPECTED_LOADED
    reasons = {e.line: e.reason for e in result.rejected}
    assert "check character" in reasons[3]
    assert "guardian" in reasons[4]
    assert "VIP" in reasons[6]
    assert "already registered" in reasons[7]
    assert "2019-13-01" in reasons[9]
    assert result.summary() == "8 rows: 3 loaded, 5 rejected."


@pytest.mark.django_db
def test_imported_rows_keep_their_card_dates_guardian_and_audit(
    adult, juvenile, service_point, importer
):
    readers_import(path=DATA / "readers_en.csv", actor=importer)

    card = Card.objects.get(number="LJ1001")
    assert card.expires_on == dt.date(2022, 3, 1)
    assert card.issued_at.date() == dt.date(2019, 3, 1)
    child = Reader.objects.get(name="小红")
    assert child.guardian == card.reader
    assert child.birth_date == dt.date(2015, 6, 1)
    generated = Card.objects.get(reader__name="杨洋")
    assert generated.number == "R000000001"
    # Two events per loaded row (reader, card), none for rejected rows, all from the import.
    assert AuditEvent.objects.count() == 6
    assert set(AuditEvent.objects.values_list("channel", flat=True)) == {"import"}


@pytest.mark.django_db
def test_xlsx_import_reads_numbers_and_dates_as_text(
    adult, juvenile, service_point, importer, tmp_path
):
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "category", "服务点", "读者证号", "出生日期", "手机"])
    sheet.append(
        ["张博涵", "ADULT", "CN-530700-LJ-MAIN", 20190001, dt.datetime(1990, 1, 1), 13800000001]
    )
    sheet.append(["", "ADULT", "CN-530700-LJ-MAIN", 20190002, None, None])
    path = tmp_path / "readers.xlsx"
    book.save(path)

    result = readers_import(path=path, actor=importer)

    assert result.loaded == 1
    assert result.rejected == [RowError(3, "The reader's name is required.")]
    reader = Reader.objects.get()
    assert (reader.phone, reader.birth_date) == ("13800000001", dt.date(1990, 1, 1))
    assert reader.cards.get().number == "20190001"


@pytest.mark.django_db
def test_missing_columns_load_nothing(adult, service_point, importer):
    with pytest.raises(MissingColumns) as caught:
        readers_import(path=DATA / "readers_missing_columns.csv", actor=importer)
    assert caught.value.details == {"columns": ["category", "home_service_point"]}
    assert Reader.objects.count() == 0


@pytest.mark.django_db
def test_the_command_prints_rejections_and_a_summary(adult, juvenile, service_point, capsys):
    call_command("import_readers", str(DATA / "readers_en.csv"))
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "8 rows: 3 loaded, 5 rejected."
    assert out.count("line ") == 5


@pytest.mark.django_db
def test_the_command_refuses_a_file_without_the_required_columns(adult, service_point):
    with pytest.raises(CommandError, match="category"):
        call_command("import_readers", str(DATA / "readers_missing_columns.csv"))
    assert Reader.objects.count() == 0
