"""Reading CSV and XLSX files for imports."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from shufang.core.tabular import (
    MissingColumns,
    TabularError,
    TabularRow,
    iter_rows,
    normalise_header,
    read_header,
)

ALIASES = {"name": ["姓名"], "card_number": ["读者证号", "证号"], "id_number": ["身份证号"]}


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_chinese_and_english_headings_are_normalised():
    assert normalise_header(["姓名", " Card Number ", "证号", "备注"], ALIASES) == [
        "name",
        "card_number",
        "card_number",
        "备注",
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_reads_the_same(tmp_path, encoding):
    text = "姓名,读者证号\r\n张博涵,LJ0001\r\n\r\n王锋,LJ0002\r\n"
    path = write(tmp_path, "r.csv", text.encode(encoding))
    rows = list(iter_rows(path, aliases=ALIASES, required=["name"]))
    assert rows == [
        TabularRow(line=2, values={"name": "张博涵", "card_number": "LJ0001"}),
        TabularRow(line=4, values={"name": "王锋", "card_number": "LJ0002"}),
    ]


def test_a_quoted_field_over_two_lines_keeps_the_next_rows_line_number(tmp_path):
    path = write(tmp_path, "r.csv", '姓名,地址\n甲,"古城区\n七一街"\n乙,玉龙县\n'.encode())
    rows = list(iter_rows(path, aliases=ALIASES))
    assert [(r.line, r.values["地址"]) for r in rows] == [(2, "古城区\n七一街"), (4, "玉龙县")]


def test_short_rows_get_empty_values(tmp_path):
    path = write(tmp_path, "r.csv", "name,card_number\n甲\n".encode())
    assert list(iter_rows(path, aliases=ALIASES)) == [
        TabularRow(line=2, values={"name": "甲", "card_number": ""})
    ]


def test_missing_columns_are_reported_before_any_row(tmp_path):
    path = write(tmp_path, "r.csv", "姓名,电话\n甲,139\n".encode())
    rows = iter_rows(path, aliases=ALIASES, required=["name", "card_number"])
    with pytest.raises(MissingColumns) as caught:
        next(rows)
    assert caught.value.details == {"columns": ["card_number"]}
    assert "card_number (读者证号 / 证号)" in str(caught.value.message)


def test_an_undecodable_line_is_named(tmp_path):
    data = "姓名\n张三\n".encode() + b"\xff\xfe bad\n" + "李四\n".encode()
    path = write(tmp_path, "r.csv", data)
    with pytest.raises(TabularError) as caught:
        list(iter_rows(path, aliases=ALIASES))
    assert caught.value.details == {"line": 3}
    assert "Line 3" in str(caught.value.message)


def test_a_gb18030_file_with_a_broken_byte_names_the_line(tmp_path):
    data = "姓名\n张三\n".encode("gb18030") + b"\x81\n"
    path = write(tmp_path, "r.csv", data)
    with pytest.raises(TabularError) as caught:
        list(iter_rows(path))
    assert caught.value.details == {"line": 3}


def test_xlsx_cells_become_text(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["条码号", "价格", "入藏日期", "姓名"])
    sheet.append([31234567.0, 35.5, dt.datetime(2020, 5, 1), "张博涵"])
    sheet.append([None, None, None, None])
    sheet.append(["X1", 20, dt.date(2020, 5, 2), None])
    path = tmp_path / "items.xlsx"
    book.save(path)
    rows = list(iter_rows(path, aliases={"barcode": ["条码号"], **ALIASES}))
    assert rows == [
        TabularRow(
            2, {"barcode": "31234567", "价格": "35.5", "入藏日期": "2020-05-01", "name": "张博涵"}
        ),
        TabularRow(4, {"barcode": "X1", "价格": "20", "入藏日期": "2020-05-02", "name": ""}),
    ]
    assert read_header(path, ALIASES) == ["条码号", "价格", "入藏日期", "name"]


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = write(tmp_path, "r.xlsx", b"not a zip")
    with pytest.raises(TabularError):
        list(iter_rows(path))


def test_other_file_types_are_refused(tmp_path):
    path = write(tmp_path, "r.json", b"{}")
    with pytest.raises(TabularError):
        list(iter_rows(path))
