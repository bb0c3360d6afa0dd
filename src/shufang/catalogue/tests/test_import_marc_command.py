from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

from shufang.catalogue.models import Item, Record

from .conftest import DATA, cnmarc_bytes, cnmarc_record

pytestmark = pytest.mark.django_db


def test_command_prints_rejects_and_a_one_line_summary():
    stdout = io.StringIO()

    call_command("import_marc", str(DATA / "pymarc/bad_records.mrc"), stdout=stdout)

    lines = stdout.getvalue().splitlines()
    assert lines[-1] == "loaded 3 / updated 0 / skipped 0 / rejected 5; 3 indexed for search"
    assert lines[0].endswith("bad_records.mrc #2 (byte 127): bad directory: no end of directory")
    assert Record.objects.count() == 3


def test_command_writes_rejects_to_csv(tmp_path):
    rejects = tmp_path / "rejects.csv"

    call_command(
        "import_marc",
        str(DATA / "marc4j/sample1.mrc"),
        "--rejects",
        str(rejects),
        stdout=io.StringIO(),
    )

    with open(rejects, encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["source", "position", "offset", "barcode", "reason"]
    assert [(r[1], r[4]) for r in rows[1:]] == [
        ("2", "a MARC 21 holdings record, not a bibliographic record"),
        ("4", "a MARC 21 holdings record, not a bibliographic record"),
        ("6", "a MARC 21 holdings record, not a bibliographic record"),
        ("7", "field 245: undecodable bytes for utf-8 at byte 78 of the field"),
        ("8", "a MARC 21 holdings record, not a bibliographic record"),
    ]


def test_command_exits_1_when_every_record_is_rejected():
    with pytest.raises(SystemExit) as exited:
        call_command(
            "import_marc", str(DATA / "marc4j/datos-20161010-slice.mrc"), stdout=io.StringIO()
        )

    assert exited.value.code == 1
    assert Record.objects.count() == 0


def test_command_items_option_creates_items(tmp_path, service_point, collection):
    path = tmp_path / "cn.mrc"
    path.write_bytes(
        cnmarc_bytes(
            [cnmarc_record("丽江古城史话", control="A", holdings=[("LJ", "B1", "1")])], "gb18030"
        )
    )
    stdout = io.StringIO()

    call_command(
        "import_marc",
        str(path),
        "--items",
        "--service-point",
        "LJ-MAIN",
        "--collection",
        "ADULT",
        stdout=stdout,
    )

    assert stdout.getvalue().splitlines()[-1] == (
        "loaded 1 / updated 0 / skipped 0 / rejected 0; items created 1 / rejected 0"
        "; 1 indexed for search"
    )
    assert list(Item.objects.values_list("barcode", "record__title")) == [("B1", "丽江古城史话")]


def test_command_on_match_skip_leaves_the_first_record():
    call_command("import_marc", str(DATA / "marc4j/summerland.mrc"), stdout=io.StringIO())
    stdout = io.StringIO()

    call_command(
        "import_marc", str(DATA / "marc4j/summerland.xml"), "--on-match", "skip", stdout=stdout
    )

    assert stdout.getvalue().splitlines()[-1] == "loaded 0 / updated 0 / skipped 1 / rejected 0"
    assert Record.objects.get().marc_format == "iso2709"
