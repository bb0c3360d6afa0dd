from __future__ import annotations

import csv

import pytest

from shufang.catalogue.marc.extract import extract_fields
from shufang.catalogue.marc.read import iter_marc

from .conftest import DATA, cnmarc_bytes, cnmarc_record, stream

with open(DATA / "MANIFEST.tsv", encoding="utf-8") as _handle:
    MANIFEST = list(csv.DictReader(_handle, delimiter="\t"))

# Where we deliberately differ from the counts pymarc's own reader gives (the manifest):
# (good, bad) as we read them, and why.
DIFFERENT = {
    # Leader says ' ' (MARC-8) but the bytes are valid UTF-8: read as UTF-8.
    "marc4j/185258.mrc": (1, 0),
    # First record longer than 99,999 bytes is refused; we split on 0x1D, so the next two load.
    "marc4j/bad_too_long_plus_2.mrc": (2, 1),
    # pymarc raises KeyError on the whole file; we reject the one record and carry on.
    "marc4j/chabon-missing-controlfield-tag.xml": (0, 1),
    "marc4j/chabon-missing-datafield-tag.xml": (0, 1),
    "marc4j/chabon-missing-subfield-code.xml": (0, 1),
    "pymarc/bad_tag.xml": (0, 1),
    # Trailing blanks after the last terminator are not a record.
    "pymarc/bad_indicator.dat": (1, 0),
    "pymarc/testunimarc.dat": (1, 0),
    # A wrong base address is repaired from the directory terminator (records 2 and 3 load
    # in pymarc's reader too when permissive); bad directories, bad leader, empty record refused.
    "pymarc/bad_records.mrc": (3, 5),
    # Leader/09 'a' with invalid UTF-8 in 260: refused like the 85 of pride-and-prejudice.
    "pymarc/utf8_invalid.mrc": (0, 1),
}


@pytest.mark.parametrize("row", MANIFEST, ids=[r["file"] for r in MANIFEST])
def test_every_manifest_file_reads_with_the_expected_counts_and_first_title(row):
    # given a real MARC file from the marc4j or pymarc test suites
    path = DATA / row["file"]

    # when it is read
    results = list(iter_marc(path))

    # then good and bad records are counted as expected, and bad ones carry a reason
    good = [r for r in results if r.ok]
    bad = [r for r in results if not r.ok]
    expected = DIFFERENT.get(row["file"], (int(row["records"]), int(row["bad"])))
    assert (len(good), len(bad)) == expected
    assert all(r.error and r.position >= 1 for r in bad)
    if (
        good
        and row["title"].startswith(("245$a", "200$a"))
        and row["file"]
        in (
            "marc4j/chabon.mrc",
            "marc4j/summerland.xml",
            "pymarc/marc.dat",
            "pymarc/batch.xml",
            "marc4j/pride-and-prejudice-fixed.mrc",
            "marc4j/sample1a.xml",
        )
    ):
        title_tag = row["title"][:3]
        expected_a = row["title"].split(" ", 1)[1].strip()
        assert good[0].record.get(title_tag)["a"].strip().startswith(expected_a)


def test_bad_records_report_position_offset_and_reason_and_reading_goes_on():
    results = list(iter_marc(DATA / "pymarc/bad_records.mrc"))

    assert [(r.position, r.offset, r.error) for r in results if not r.ok] == [
        (2, 127, "bad directory: no end of directory"),
        (4, 381, "bad directory: length 13 is not a multiple of 12"),
        (5, 509, "bad directory: length 13 is not a multiple of 12"),
        (6, 637, "bad leader: base address 'f0037' is not a number"),
        (7, 764, "record without fields"),
    ]
    assert [r.position for r in results if r.ok] == [1, 3, 8]


def test_marc8_record_is_decoded_to_unicode():
    result = next(iter_marc(DATA / "marc4j/cyrillic_capital_e.mrc"))

    assert result.encoding == "marc-8"
    assert result.record["245"]["a"] == "Vor, shpion i ubiĭt︠s︡a /"


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8"])
def test_cnmarc_chinese_title_is_read_in_either_encoding(encoding):
    data = cnmarc_bytes(
        [cnmarc_record("丽江古城史话", isbn="9787222123458"), cnmarc_record("纳西族东巴文化")],
        encoding,
    )

    results = list(iter_marc(stream(data)))

    assert [(r.flavour, r.encoding) for r in results] == [("cnmarc", encoding)] * 2
    fields = [extract_fields(r.record, r.flavour) for r in results]
    assert [(f.title, f.title_pinyin, f.title_pinyin_initials) for f in fields] == [
        ("丽江古城史话", "li jiang gu cheng shi hua", "ljgcsh"),
        ("纳西族东巴文化", "na xi zu dong ba wen hua", "nxzdbwh"),
    ]


def test_offsets_point_at_each_record_start():
    data = (DATA / "pymarc/marc.dat").read_bytes()

    results = list(iter_marc(stream(data)))

    assert len(results) == 20
    assert all(data[r.offset : r.offset + len(r.raw)] == r.raw for r in results)
    assert all(r.raw.endswith(b"\x1d") for r in results)


def test_a_file_without_terminator_is_one_truncated_record():
    results = list(iter_marc(stream(b"00100nam  2200037   4500" + b"x" * 30)))

    assert [(r.position, r.error) for r in results] == [
        (1, "truncated record: no record terminator (0x1D) found")
    ]
