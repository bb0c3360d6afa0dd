"""MARC 21 <-> CNMARC conversion of the fields in the spec's side-by-side table. Pure: no ORM.

Every row of the table in `spec/cataloguing.md` is mapped both ways, so a MARC 21 -> CNMARC ->
MARC 21 round trip keeps those fields. Fields outside the table are dropped (a conversion
keeps the catalogue's fields, not the other format's local practice)."""

from __future__ import annotations

from pymarc import Field, Indicators, Record, Subfield
from pymarc.leader import Leader

# (MARC 21 tag, CNMARC tag, {MARC 21 code: CNMARC code}) for the data fields of the table.
DATA_FIELD_MAP: list[tuple[str, str, dict[str, str]]] = [
    ("020", "010", {"a": "a", "q": "b", "c": "d"}),
    ("022", "011", {"a": "a"}),
    ("041", "101", {"a": "a", "h": "c"}),
    ("245", "200", {"a": "a", "b": "e", "c": "f", "n": "h", "p": "i"}),
    ("250", "205", {"a": "a"}),
    ("264", "210", {"a": "a", "b": "c", "c": "d"}),
    ("260", "210", {"a": "a", "b": "c", "c": "d"}),
    ("300", "215", {"a": "a", "b": "c", "c": "d", "e": "e"}),
    ("490", "225", {"a": "a", "v": "v"}),
    ("500", "300", {"a": "a"}),
    ("520", "330", {"a": "a"}),
    ("650", "606", {"a": "a", "x": "x", "z": "y", "y": "z", "v": "j"}),
    ("651", "607", {"a": "a", "x": "x", "z": "y", "y": "z", "v": "j"}),  # geographic subject
    ("100", "701", {"a": "a", "4": "4"}),
    ("700", "702", {"a": "a", "4": "4"}),
    ("040", "801", {"a": "b"}),
    ("852", "905", {"a": "a", "p": "b", "h": "d", "i": "e"}),
]
# CNMARC -> MARC 21: 210 always becomes 264 (the current field; 260 is older practice).
_TO_MARC21 = {
    cn: (m21, {v: k for k, v in codes.items()}) for m21, cn, codes in DATA_FIELD_MAP if m21 != "260"
}
_TO_CNMARC = {m21: (cn, codes) for m21, cn, codes in DATA_FIELD_MAP}
CONTROL_TAGS = ("001", "003", "005")


def _copy(f: Field, tag: str, codes: dict[str, str], indicators: tuple[str, str]) -> Field | None:
    subfields = [Subfield(codes[s.code], s.value) for s in f.subfields if s.code in codes]
    if not subfields:
        return None
    return Field(tag=tag, indicators=Indicators(*indicators), subfields=subfields)


def _leader(leader: str, utf8: bool) -> str:
    leader = (str(leader) + " " * 24)[:24]
    return leader[:9] + ("a" if utf8 else " ") + leader[10:20] + ("4500" if utf8 else "450 ")


def marc21_to_cnmarc(record: Record) -> Record:
    out = Record(force_utf8=True)
    out.leader = Leader(_leader(str(record.leader), utf8=False))
    language = ""
    f008 = ""
    clc: list[Field] = []
    for f in record.fields:
        if f.is_control_field():
            if f.tag in CONTROL_TAGS:
                out.fields.append(Field(tag=f.tag, data=f.data))
            if f.tag == "008":
                f008 = f.data or ""
            continue
        if f.tag == "041":
            language = "x"  # 041 carries the language itself
        if f.tag == "084" and any(v.lower() == "clc" for v in f.get_subfields("2")):
            clc.append(f)
            continue
        if f.tag in _TO_CNMARC:
            tag, codes = _TO_CNMARC[f.tag]
            ind = ("1", " ") if tag in ("200", "701", "702") else (" ", " ")
            new = _copy(f, tag, codes, ind)
            if new is not None:
                out.fields.append(new)
    out.fields.append(
        Field(
            tag="100", indicators=Indicators(" ", " "), subfields=[Subfield("a", _cnmarc_100(f008))]
        )
    )
    f008_language = (f008 + " " * 40)[35:38].strip()
    if not language and f008_language.isalpha():
        out.fields.append(
            Field(
                tag="101", indicators=Indicators("0", " "), subfields=[Subfield("a", f008_language)]
            )
        )
    for f in clc:
        sub = [Subfield("a", v) for v in f.get_subfields("a")]
        sub += [Subfield("v", v) for v in f.get_subfields("q")]
        out.fields.append(Field(tag="690", indicators=Indicators(" ", " "), subfields=sub))
    out.fields.sort(key=lambda f: f.tag)
    return out


def cnmarc_to_marc21(record: Record) -> Record:
    out = Record(force_utf8=True)
    out.leader = Leader(_leader(str(record.leader), utf8=True))
    f100 = ""
    language = ""
    for f in record.fields:
        if f.is_control_field():
            if f.tag in CONTROL_TAGS:
                out.fields.append(Field(tag=f.tag, data=f.data))
            continue
        if f.tag == "100":
            f100 = (f.get_subfields("a") or [""])[0]
            continue
        if f.tag == "101" and not language:
            language = (f.get_subfields("a") or [""])[0]
        if f.tag == "690":
            sub = [Subfield("a", v) for v in f.get_subfields("a")]
            sub += [Subfield("q", v) for v in f.get_subfields("v")]
            sub.append(Subfield("2", "clc"))
            out.fields.append(Field(tag="084", indicators=Indicators(" ", " "), subfields=sub))
            continue
        if f.tag in _TO_MARC21:
            tag, codes = _TO_MARC21[f.tag]
            ind = {
                "245": ("1", "0"),
                "264": (" ", "1"),
                "100": ("1", " "),
                "700": ("1", " "),
                "650": (" ", "4"),
                "651": (" ", "4"),
            }.get(tag, (" ", " "))
            new = _copy(f, tag, codes, ind)
            if new is not None:
                out.fields.append(new)
    out.fields.append(Field(tag="008", data=_marc21_008(f100, language)))
    out.fields.sort(key=lambda f: f.tag)
    return out


# MARC 21 008/22 target audience <-> CNMARC 100 $a/17 (first of the three positions).
_AUD_TO_CN = {"a": "b", "b": "c", "c": "d", "d": "e", "j": "a", "e": "m", "f": "k", "g": "m"}
_AUD_TO_21 = {"a": "j", "b": "a", "c": "b", "d": "c", "e": "d", "k": "f", "m": "e", "u": " "}


def _cnmarc_100(f008: str) -> str:
    f008 = (f008 + " " * 40)[:40]
    entered = f008[0:6].strip()
    entered = ("20" + entered) if len(entered) == 6 and entered.isdigit() else "        "
    date_type = {"s": "d", "m": "f", "r": "e", "t": "d"}.get(f008[6], "d")
    date1 = f008[7:11]
    date2 = f008[11:15] if f008[11:15].strip() else "    "
    audience = _AUD_TO_CN.get(f008[22], "u") + "  "
    # 0-7 entry date, 8 type of date, 9-12 date 1, 13-16 date 2, 17-19 audience,
    # 20 government publication, 21 modified record, 22-24 cataloguing language,
    # 25 transliteration, 26-33 character sets, 34-35 script of title.
    value = (
        entered
        + date_type
        + date1
        + date2
        + audience
        + "0"
        + "0"
        + "chi"
        + "y"
        + "50  "
        + "    "
        + "ea"
    )
    return (value + " " * 36)[:36]


def _marc21_008(f100: str, language: str = "") -> str:
    f100 = (f100 + " " * 36)[:36]
    entered = f100[2:8] if f100[0:8].strip().isdigit() else "      "
    date_type = {"d": "s", "f": "m", "e": "r"}.get(f100[8], "s")
    audience = _AUD_TO_21.get(f100[17], " ")
    language = language[:3] if len(language) >= 3 and language[:3].isalpha() else "und"
    value = (
        entered
        + date_type
        + f100[9:13]
        + f100[13:17]
        + "xx "
        + "    "
        + audience
        + " " * 12
        + language
        + " d"
    )
    return (value + " " * 40)[:40]
