from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pymarc import Field, Indicators, Record, Subfield
from pymarc.leader import Leader

from shufang.catalogue.marc.convert import DATA_FIELD_MAP, cnmarc_to_marc21, marc21_to_cnmarc
from shufang.catalogue.marc.extract import extract_fields
from shufang.catalogue.marc.read import decode_iso2709, iter_marc
from shufang.catalogue.marc.write import record_as_iso2709

from .conftest import DATA

MAPPED = {m21: set(codes) for m21, _cn, codes in DATA_FIELD_MAP if m21 != "260"}
text = (
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)


def _mapped_subfields(record: Record) -> list[tuple[str, str, str]]:
    out = []
    for f in record.fields:
        if f.is_control_field():
            if f.tag in ("001", "005"):
                out.append((f.tag, "", f.data))
            continue
        if f.tag == "084" and "clc" in f.get_subfields("2"):
            out += [("084", "a", v) for v in f.get_subfields("a")]
        for code in sorted(MAPPED.get(f.tag, ())):
            out += [(f.tag, code, v) for v in f.get_subfields(code)]
    return sorted(out)


@st.composite
def marc21_records(draw):
    r = Record(force_utf8=True)
    r.leader = Leader("00000nam a2200000 a 4500")
    r.fields.append(Field(tag="001", data=draw(text.filter(lambda s: " " not in s))))
    for tag, codes in MAPPED.items():
        for _ in range(draw(st.integers(0, 2 if tag in ("020", "650", "700") else 1))):
            chosen = draw(st.lists(st.sampled_from(sorted(codes)), min_size=1, max_size=3))
            r.fields.append(
                Field(
                    tag=tag,
                    indicators=Indicators(" ", " "),
                    subfields=[Subfield(c, draw(text)) for c in chosen],
                )
            )
    if draw(st.booleans()):
        r.fields.append(
            Field(
                tag="084",
                indicators=Indicators(" ", " "),
                subfields=[Subfield("a", draw(text)), Subfield("2", "clc")],
            )
        )
    r.fields.sort(key=lambda f: f.tag)
    return r


@settings(max_examples=60, deadline=None)
@given(marc21_records())
def test_marc21_to_cnmarc_and_back_keeps_every_mapped_subfield(record):
    # given any MARC 21 record using the fields of the mapping table
    before = _mapped_subfields(record)

    # when it goes to CNMARC (written and read back as ISO 2709) and back to MARC 21
    cnmarc = decode_iso2709(
        record_as_iso2709(marc21_to_cnmarc(record), "cnmarc"), flavour="cnmarc"
    ).record
    after = _mapped_subfields(cnmarc_to_marc21(cnmarc))

    # then every mapped subfield is there again
    assert after == before


def test_real_records_keep_their_extracted_fields_through_a_round_trip():
    for name in (
        "marc4j/summerland.mrc",
        "pymarc/marc.dat",
        "pymarc/multi_isbn.dat",
        "marc4j/oclc_63111280_export_as_UTF8_from_connexion.mrc",
    ):
        for result in iter_marc(DATA / name):
            original = extract_fields(result.record, "marc21")
            back = extract_fields(cnmarc_to_marc21(marc21_to_cnmarc(result.record)), "marc21")
            original.holdings = back.holdings = []
            assert back == original, (name, result.position)


def test_cnmarc_fields_land_in_their_marc21_places():
    from .conftest import cnmarc_record

    marc21 = cnmarc_to_marc21(cnmarc_record("丽江古城史话", isbn="7222123458", control="LJ1"))

    assert marc21["245"]["a"] == "丽江古城史话"
    assert marc21["245"]["c"] == "和力民著"
    assert marc21["020"]["a"] == "7222123458"
    assert marc21["264"].get_subfields("a", "b", "c") == ["昆明", "云南人民出版社", "2023"]
    assert marc21["084"].get_subfields("a", "2") == ["K297.43", "clc"]
    assert marc21["100"]["a"] == "和力民"
    assert marc21["008"].data[35:38] == "chi"
