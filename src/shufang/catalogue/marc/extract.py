"""The indexed fields of a bibliographic record, from MARC 21 or CNMARC. Pure: no ORM."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from pymarc import Record
from pypinyin.constants import Style
from pypinyin.converter import UltimateConverter
from pypinyin.core import Pinyin
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn

from shufang.catalogue.marc.read import FieldValue, MarcFields


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

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_YEAR = re.compile(r"(1[0-9]{3}|20[0-9]{2})")
_ISBN_CANDIDATE = re.compile(r"[0-9Xx][0-9Xx\- ]{8,16}[0-9Xx]")


_NON_SORTING = str.maketrans("", "", "\x88\x89\x98\x9c")


def trim_isbd(value: str) -> str:
    if not value.isascii():  # the non-sorting marks are not ASCII
        value = value.translate(_NON_SORTING)
    # What `re.sub(r"[\s/:;=,]+$", "", value.strip())` did, without the regex trying every
    # position of long values (summaries): strip blanks and ISBD marks until none is left.
    value = value.strip()
    while value:
        trimmed = value.rstrip().rstrip("/:;=,")
        if trimmed == value:
            break
        value = trimmed
    if value.endswith(".") and not value.endswith("..") and not re.search(r"\b\w\.$", value):
        value = value[:-1].rstrip()
    return value


class _Index:
    """A record's fields by tag, built once per record: extraction asks for some 20 tags, and
    scanning the whole field list for each (pymarc's `get_fields`) was most of its cost."""

    __slots__ = ("by_tag", "fields", "leader")

    def __init__(self, leader: str, fields: list[tuple[str, FieldValue]]) -> None:
        self.leader = leader
        self.fields = fields
        by_tag: dict[str, list[FieldValue]] = {}
        for tag, value in fields:
            if tag in by_tag:
                by_tag[tag].append(value)
            else:
                by_tag[tag] = [value]
        self.by_tag = by_tag

    def get(self, tag: str) -> FieldValue | None:
        found = self.by_tag.get(tag)
        return found[0] if found else None

    def get_fields(self, *tags: str) -> list[FieldValue]:
        if len(tags) == 1:
            return self.by_tag.get(tags[0], [])
        # Several tags: in record order, as pymarc gives them.
        return [value for tag, value in self.fields if tag in tags]


def _index_of_record(record: Record) -> _Index:
    fields: list[tuple[str, FieldValue]] = []
    for f in record.fields:
        if f.control_field:
            fields.append((f.tag, f.data or ""))
        else:
            ind = "".join(f.indicators or ("", ""))
            fields.append((f.tag, (ind, list(f.subfields))))
    return _Index(str(record.leader), fields)


def _subs(f: FieldValue | None, *codes: str) -> list[str]:
    if f is None or isinstance(f, str):
        return []
    return [v for c, v in f[1] if c in codes and v and v.strip()]


def _first(record: _Index, tag: str, code: str) -> str:
    for f in record.get_fields(tag):
        values = _subs(f, code)
        if values:
            return trim_isbd(values[0])
    return ""


def _join(parts: list[str], sep: str = " ") -> str:
    return sep.join([t for t in map(trim_isbd, parts) if t])


_TITLE_SEPARATORS = {"b": " : ", "e": " : ", "n": ". ", "p": ". ", "h": ". ", "i": ". ", "a": " ; "}


def _title(f: FieldValue | None, codes: str) -> str:
    """Title proper and its parts, trailing ISBD punctuation trimmed, joined the ISBD way."""
    if f is None or isinstance(f, str):
        return ""
    out = ""
    for code, text in f[1]:
        if code not in codes:
            continue
        value = trim_isbd(text)
        if value:
            out = out + _TITLE_SEPARATORS.get(code, " ") + value if out else value
    return out


class _CachingConverter(UltimateConverter):
    """The converter of pypinyin's `lazy_pinyin`, memoised per segment (a phrase or a run
    of characters).

    pypinyin segments a title into phrases (so that polyphonic characters read right) and
    converts each; the conversion was 70% of the pinyin cost and titles share their words.
    Same input, same output: only the repeated work goes."""

    @lru_cache(maxsize=50_000)  # noqa: B019 -- one module-level instance, lives as long
    def _cached(
        self, words: str, style: Style, heteronym: bool, errors: Any, strict: bool
    ) -> tuple[tuple[str, ...], ...]:
        pys = super().convert(words, style, heteronym, errors, strict)
        return tuple(tuple(p) for p in pys)

    def convert(
        self,
        words: str,
        style: Style,
        heteronym: bool,
        errors: Callable[[str], str] | str,
        strict: bool = True,
        **kwargs: Any,
    ) -> list[list[str]]:
        if kwargs:
            return super().convert(words, style, heteronym, errors, strict, **kwargs)
        return [list(p) for p in self._cached(words, style, heteronym, errors, strict)]


_PINYIN = Pinyin(_CachingConverter())


@lru_cache(maxsize=20_000)
def pinyin_of(text: str) -> tuple[str, str]:
    """(space-separated lower-case syllables, initials) for a Chinese title, or ("", "")."""
    if not _HAN.search(text):
        return "", ""
    syllables = [s.lower() for s in _PINYIN.lazy_pinyin(text, errors="ignore") if s.strip()]
    words = [re.sub(r"[^a-z0-9]", "", s) for s in syllables]
    words = [w for w in words if w]
    initials = "".join(w[0] for w in words)
    return " ".join(words), initials


def _isbn13_checked(candidate: str) -> bool:
    """A plain, valid ISBN-13: what almost every record carries, checked without stdnum."""
    if len(candidate) != 13 or not candidate.isascii() or not candidate.isdigit():
        return False
    if candidate[:3] not in ("978", "979"):
        return False
    total = sum(int(d) for d in candidate[0:12:2]) + 3 * sum(int(d) for d in candidate[1:12:2])
    return (10 - total % 10) % 10 == int(candidate[12])


def normalise_isbns(values: list[str]) -> tuple[list[str], list[str]]:
    valid: list[str] = []
    invalid: list[str] = []
    for value in values:
        match = _ISBN_CANDIDATE.search(value)
        candidate = match.group(0) if match else value.strip()
        if not candidate:
            continue
        if _isbn13_checked(candidate):
            number = candidate  # what stdnum's validate and to_isbn13 would return
        else:
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


def _control(record: _Index, tag: str) -> str:
    f = record.get(tag)
    return f.strip() if isinstance(f, str) else ""


def extract_fields(record: Record, flavour: str) -> BibFields:
    """The indexed fields of a pymarc record."""
    return _extract(_index_of_record(record), flavour)


def extract_marc_fields(fields: MarcFields, flavour: str) -> BibFields:
    """The indexed fields of a record read with `build_records=False`; same result as
    `extract_fields` on the pymarc record."""
    return _extract(_Index(fields.leader, fields.fields), flavour)


def _extract(record: _Index, flavour: str) -> BibFields:
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


def _extract_marc21(record: _Index) -> BibFields:
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
    leader = record.leader
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


def _extract_cnmarc(record: _Index) -> BibFields:
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
    b.material_type = _cnmarc_material(record.leader, record)
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


def _cnmarc_material(leader: str, record: _Index) -> str:
    kind, level = leader[6:7], leader[7:8]
    if kind in ("g", "i", "j", "k", "r"):
        return "audiovisual"
    if kind == "l":
        return "ebook"
    if level == "s":
        f110 = _first_of(_subs(record.get("110"), "a"))
        return "newspaper" if f110[:1] == "c" else "periodical"
    return "book"
