from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command

from shufang.catalogue.marc.read import iter_marc
from shufang.catalogue.services.exporting import marc_export
from shufang.catalogue.services.importing import marc_import

from .conftest import DATA, cnmarc_bytes, cnmarc_record, stream

pytestmark = pytest.mark.django_db
yaz = pytest.mark.skipif(shutil.which("yaz-marcdump") is None, reason="yaz not installed")


@pytest.fixture
def catalogue(actor):
    marc_import(sources=[DATA / "marc4j/chabon.mrc", DATA / "pymarc/marc8.dat"], actor=actor)
    marc_import(
        sources=[stream(cnmarc_bytes([cnmarc_record("丽江古城史话", control="LJ1")], "gb18030"))],
        actor=actor,
    )


def _yaz(path, *args):
    return subprocess.run(
        ["yaz-marcdump", *args, str(path)], capture_output=True, text=True, check=False
    )


@yaz
@pytest.mark.parametrize("flavour", ["marc21", "cnmarc"])
def test_iso2709_export_is_accepted_by_yaz_marcdump(catalogue, tmp_path, flavour):
    path = tmp_path / "out.mrc"
    with open(path, "wb") as out:
        count = marc_export(out=out, flavour=flavour, fmt="iso2709")

    result = _yaz(path, "-np")

    # yaz prints one comment line per record and a line per structural fault it finds
    lines = (result.stdout + result.stderr).splitlines()
    assert count == 4
    assert result.returncode == 0
    assert len(lines) == 4
    assert all(re.fullmatch(r"<!-- Record \d offset \d+ \(0x[0-9a-f]+\) -->", x) for x in lines)
    assert [r.ok for r in iter_marc(path)] == [True] * 4


@yaz
@pytest.mark.parametrize("flavour", ["marc21", "cnmarc"])
def test_marcxml_export_is_accepted_by_yaz_marcdump(catalogue, tmp_path, flavour):
    path = tmp_path / "out.xml"
    with open(path, "wb") as out:
        count = marc_export(out=out, flavour=flavour, fmt="marcxml")

    result = _yaz(path, "-i", "marcxml", "-o", "line")

    assert count == 4
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout.count("\n\n") >= 3
    titles = [r.record for r in iter_marc(path)]
    tag = "245" if flavour == "marc21" else "200"
    assert sorted(r[tag]["a"] for r in titles)[-1] == "丽江古城史话"


def test_export_converts_cnmarc_to_marc21_with_the_chinese_title(catalogue):
    out = io.BytesIO()

    marc_export(out=out, flavour="marc21")

    records = [r.record for r in iter_marc(io.BytesIO(out.getvalue()))]
    assert [r["245"]["a"] for r in records][-1] == "丽江古城史话"
    assert records[-1]["084"].get_subfields("a", "2") == ["K297.43", "clc"]


def test_export_command_filters_by_title(catalogue, tmp_path):
    path = tmp_path / "out.mrc"
    stdout = io.StringIO()

    call_command("export_marc", str(path), "--query", "丽江", stdout=stdout)

    assert [r.record["245"]["a"] for r in iter_marc(path)] == ["丽江古城史话"]
    assert stdout.getvalue().startswith("exported 1 records")
