"""The indexed fields of a bibliographic record, from MARC 21 or CNMARC. Pure: no ORM."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from pymarc import Field, Record
from pypinyin import lazy_pinyin
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn


@dataclass(slots=True)
class Holding:
    """One local copy described in the record (CNMARC 905, MARC 21 852, Koha 952)."""

    barcode: str = ""
    library: str = ""
    branch: str = ""
    location: str = ""
    call_number: str = ""
    class_number: str = ""
    book_number: str = ""
    price: Decimal | None = None


@dataclass(slots=True)
class BibFields:
    control_number: str = ""
    title: str = ""
    title_pinyin: str = ""
    title_pinyin_initials: str = ""
    responsibility: str = ""
    authors: list[str] = field(default_factory=list)
    publisher: str = ""
    place: str = ""
    year: int | None = None
    edition: str = ""
    series: str = ""
    isbns: list[str] = field(default_factory=list)
    invalid_isbns: list[str] = field(default_factory=list)
    issn: str = ""
    clc: str = ""
    subjects: list[str] = field(default_factory=list)
    summary: str = ""
    language: str = ""
    audience: str = "unknown"
    material_type: str = "book"
    price: str = ""
    holdings: list[Holding] = field(default_factory=list)

    @property
    def isbn(self) -> str:
        return self.isbns[0] if self.isbns else ""


# ISBD punctuation that ends a MARC subfield: " /", " :", " ;", " =", ",", "." (not "...").
_TRAILING = re.compile(r"[\s/:;=,]+$")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_YEAR = re.compile(r"(1[0-9]{3}|20[0-9]{2})")
_ISBN_CANDIDATE = re.compile(r"[0-9Xx][0-9Xx\- ]{8,16}[0-9Xx]")


_NON_SORTING = str.maketrans("", "", "\x88\x89\x98\x9c")


def trim_isbd(value: str) -> str:
    value = _TRAILING.sub("", value.translate(_NON_SORTING).strip())
    if value.endswith(".") and not value.endswith("..") and not re.search(r"\b\w\.$", value):
        value = value[:-1].rstrip()
    return value


def _subs(f: Field | None, *codes: str) -> list[str]:
    if f is None or f.is_control_field():
        return []
    return [v for v in f.get_subfields(*codes) if v and v.strip()]


def _first(record: Record, tag: str, code: str) -> str:
    for f in record.get_fields(tag):
        values = _subs(f, code)
        if values:
            return trim_isbd(values[0])
    return ""


def _join(parts: list[str], sep: str = " ") -> str:
    return sep.join(trim_isbd(p) for p in parts if trim_isbd(p))


_TITLE_SEPARATORS = {"b": " : ", "e": " : ", "n": ". ", "p": ". ", "h": ". ", "i": ". ", "a": " ; "}


def _title(f: Field | None, codes: str) -> str:
    """Title proper and its parts, trailing ISBD punctuation trimmed, joined the ISBD way."""
    if f is None or f.is_control_field():
        return ""
    out = ""
    for sub in f.subfields:
        if sub.code not in codes:
            continue
        value = trim_isbd(sub.value)
        if value:
            out = out + _TITLE_SEPARATORS.get(sub.code, " ") + value if out else value
    return out


def pinyin_of(text: str) -> tuple[str, str]:
    """(space-separated lower-case syllables, initials) for a Chinese title, or ("", "")."""
    if not _HAN.search(text):
        return "", ""
    syllables = [s.lower() for s in lazy_pinyin(text, errors="ignore") if s.strip()]
    words = [re.sub(r"[^a-z0-9]", "", s) for s in syllables]
    words = [w for w in words if w]
    initials = "".join(w[0] for w in words)
    return " ".join(words), initials


def normalise_isbns(values: list[str]) -> tuple[list[str], list[str]]:
    valid: list[str] = []
    invalid: list[str] = []
    for value in values:
        match = _ISBN_CANDIDATE.search(value)
        candidate = match.group(0) if match else value.strip()
        if not candidate:
            continue
        try:
            number = stdnum_isbn.to_isbn13(stdnum_isbn.validate(candidate))
        except Exception:
            if candidate not in invalid:
                invalid.append(candidate)
            continue
        if number not in valid:
            valid.append(number)
    return valid, invalid


def _issn(values: list[str]) -> str:
    for value in values:
        try:
            return str(stdnum_issn.format(stdnum_issn.validate(value.strip().split()[0])))
        except Exception:
            continue
    return ""


def _year(text: str) -> int | None:
    match = _YEAR.search(text or "")
    return int(match.group(1)) if match else None


def _price(values: list[str]) -> Decimal | None:
    for value in values:
        match = re.search(r"[0-9]+(?:\.[0-9]{1,2})?", value)
        if match:
            try:
                return Decimal(match.group(0))
            except InvalidOperation:
                continue
    return None


def _control(record: Record, tag: str) -> str:
    f = record.get(tag)
    return (f.data or "").strip() if f is not None and f.is_control_field() else ""


def extract_fields(record: Record, flavour: str) -> BibFields:
    if flavour == "cnmarc":
        return _extract_cnmarc(record)
    return _extract_marc21(record)


# ---------------------------------------------------------------------------------- MARC 21

_MARC21_AUDIENCE = {
    "a": "juvenile",
    "b": "juvenile",
    "c": "juvenile",
    "d": "juvenile",
    "j": "juvenile",
    "e": "adult",
    "f": "adult",
    "g": "general",
}


def _extract_marc21(record: Record) -> BibFields:
    b = BibFields(control_number=_control(record, "001"))
    f245 = record.get("245")
    b.title = _title(f245, "abnp")
    b.responsibility = _join(_subs(f245, "c"))
    authors = [
        trim_isbd(v)
        for t in ("100", "110", "111", "700", "710")
        for f in record.get_fields(t)
        for v in _subs(f, "a")
    ]
    b.authors = [a for a in dict.fromkeys(authors) if a]
    pub = record.get("264") or record.get("260")
    b.place = _join(_subs(pub, "a")[:1])
    b.publisher = _join(_subs(pub, "b")[:1])
    date = " ".join(_subs(pub, "c"))
    f008 = _control(record, "008")
    b.year = _year(date) or (_year(f008[7:11]) if len(f008) >= 11 else None)
    b.edition = _first(record, "250", "a")
    b.series = _join([v for f in record.get_fields("490", "830") for v in _subs(f, "a", "v")][:2])
    isbn_values = [v for f in record.get_fields("020") for v in _subs(f, "a")]
    b.isbns, b.invalid_isbns = normalise_isbns(isbn_values)
    b.issn = _issn([v for f in record.get_fields("022") for v in _subs(f, "a")])
    for f in record.get_fields("084"):
        if any(v.strip().lower() == "clc" for v in _subs(f, "2")):
            b.clc = _first_of(_subs(f, "a"))
            break
    b.subjects = list(
        dict.fromkeys(
            _join(_subs(f, "a", "x", "y", "z", "v"), "--")
            for tag in ("650", "651")
            for f in record.get_fields(tag)
            if _subs(f, "a")
        )
    )
    b.summary = _join([v for f in record.get_fields("520") for v in _subs(f, "a")])
    b.language = _first(record, "041", "a")[:3] or (f008[35:38] if len(f008) >= 38 else "")
    b.language = b.language.strip().lower() if b.language.strip().isalpha() else ""
    leader = str(record.leader)
    b.audience = _MARC21_AUDIENCE.get(f008[22:23], "unknown") if len(f008) > 22 else "unknown"
    b.material_type = _marc21_material(leader, f008)
    b.price = _first_of([v for f in record.get_fields("020") for v in _subs(f, "c")])
    b.title_pinyin, b.title_pinyin_initials = pinyin_of(b.title)
    for f in record.get_fields("852"):
        b.holdings.append(
            Holding(
                barcode=_first_of(_subs(f, "p")),
                library=_first_of(_subs(f, "a")),
                branch=_first_of(_subs(f, "b")),
                location=_first_of(_subs(f, "c")),
                call_number=_join(_subs(f, "h", "i"), "/"),
                class_number=_first_of(_subs(f, "h")),
                book_number=_first_of(_subs(f, "i")),
                price=_price(_subs(f, "9")),
            )
        )
    for f in record.get_fields("952"):  # Koha
        b.holdings.append(
            Holding(
                barcode=_first_of(_subs(f, "p")),
                library=_first_of(_subs(f, "a")),
                branch=_first_of(_subs(f, "b")),
                location=_first_of(_subs(f, "c")) or _first_of(_subs(f, "8")),
                call_number=_first_of(_subs(f, "o")),
                price=_price(_subs(f, "g", "v")),
            )
        )
    return b


def _first_of(values: list[str]) -> str:
    return values[0].strip() if values else ""


def _marc21_material(leader: str, f008: str) -> str:
    kind, level = leader[6:7], leader[7:8]
    if kind in ("g", "i", "j", "k", "o", "r"):
        return "audiovisual"
    if kind == "m":
        return "ebook"
    if level in ("s", "b") or (kind == "a" and level == "i"):
        return "newspaper" if len(f008) > 21 and f008[21] == "n" else "periodical"
    if kind == "a" and len(f008) > 23 and f008[23] in ("o", "q", "s"):
        return "ebook"
    return "book"


# ---------------------------------------------------------------------------------- CNMARC

_CNMARC_AUDIENCE = {
    "a": "juvenile",
    "b": "juvenile",
    "c": "juvenile",
    "d": "juvenile",
    "e": "juvenile",
    "k": "adult",
    "m": "adult",
    "u": "unknown",
}


def _extract_cnmarc(record: Record) -> BibFields:
    b = BibFields(control_number=_control(record, "001"))
    f200 = record.get("200")
    b.title = _title(f200, "aehi")
    b.responsibility = _join(_subs(f200, "f", "g"), " ; ")
    pinyin = _join(_subs(f200, "9", "A"))
    if pinyin:
        words = [re.sub(r"[^a-z0-9]", "", w) for w in pinyin.lower().split()]
        words = [w for w in words if w]
        b.title_pinyin, b.title_pinyin_initials = " ".join(words), "".join(w[0] for w in words)
    else:
        b.title_pinyin, b.title_pinyin_initials = pinyin_of(b.title)
    authors = [
        trim_isbd(v)
        for t in ("700", "701", "702", "710", "711", "712")
        for f in record.get_fields(t)
        for v in _subs(f, "a")
    ]
    b.authors = [a for a in dict.fromkeys(authors) if a]
    f210 = record.get("210")
    b.place = _join(_subs(f210, "a")[:1])
    b.publisher = _join(_subs(f210, "c")[:1])
    b.year = _year(" ".join(_subs(f210, "d")))
    f100 = _first_of(_subs(record.get("100"), "a"))
    if b.year is None and len(f100) >= 13:
        b.year = _year(f100[9:13])
    b.edition = _first(record, "205", "a")
    b.series = _join([v for f in record.get_fields("225") for v in _subs(f, "a", "v")][:2])
    b.isbns, b.invalid_isbns = normalise_isbns(
        [v for f in record.get_fields("010") for v in _subs(f, "a")]
    )
    b.issn = _issn([v for f in record.get_fields("011") for v in _subs(f, "a")])
    b.clc = _first(record, "690", "a")
    b.subjects = list(
        dict.fromkeys(
            _join(_subs(f, "a", "x", "y", "z", "j"), "--")
            for f in record.get_fields("606")
            if _subs(f, "a")
        )
    )
    b.summary = _join([v for f in record.get_fields("330") for v in _subs(f, "a")])
    language = _first(record, "101", "a")
    b.language = language[:3].lower() if language[:3].isalpha() else ""
    codes = f100[17:20] if len(f100) >= 20 else ""
    b.audience = _cnmarc_audience(codes)
    b.material_type = _cnmarc_material(str(record.leader), record)
    b.price = _first_of([v for f in record.get_fields("010") for v in _subs(f, "d")])
    for f in record.get_fields("905"):
        cls, num = _first_of(_subs(f, "d")), _first_of(_subs(f, "e"))
        b.holdings.append(
            Holding(
                library=_first_of(_subs(f, "a")),
                barcode=_first_of(_subs(f, "b")),
                location=_first_of(_subs(f, "c")) or _first_of(_subs(f, "f")),
                class_number=cls,
                book_number=num,
                call_number=f"{cls}/{num}" if cls and num else cls,
                price=_price(_subs(f, "p", "z")) or _price([b.price]),
            )
        )
    return b


def _cnmarc_audience(codes: str) -> str:
    found = [_CNMARC_AUDIENCE[c] for c in codes if c in _CNMARC_AUDIENCE]
    if not found:
        return "unknown"
    if "juvenile" in found and "adult" in found:
        return "general"
    if all(c == "unknown" for c in found):
        return "unknown"
    return str(next(c for c in found if c != "unknown"))


def _cnmarc_material(leader: str, record: Record) -> str:
    kind, level = leader[6:7], leader[7:8]
    if kind in ("g", "i", "j", "k", "r"):
        return "audiovisual"
    if kind == "l":
        return "ebook"
    if level == "s":
        f110 = _first_of(_subs(record.get("110"), "a"))
        return "newspaper" if f110[:1] == "c" else "periodical"
    return "book"
