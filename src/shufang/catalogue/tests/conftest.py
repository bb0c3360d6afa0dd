from __future__ import annotations

import io
from pathlib import Path

import pytest
from pymarc import Field, Indicators, Record, Subfield
from pymarc.leader import Leader

from shufang.catalogue.models import Collection
from shufang.core.audit import Actor
from shufang.network.models import Library, LibraryKind, LibrarySystem, ServicePoint

DATA = Path(__file__).parent / "data"


@pytest.fixture
def actor() -> Actor:
    return Actor.importer("test")


@pytest.fixture
def service_point(db) -> ServicePoint:
    system = LibrarySystem.objects.create(code="LJ", name="丽江市图书馆总分馆")
    library = Library.objects.create(
        system=system, code="CN-530700-1-LJ", name="丽江市图书馆", kind=LibraryKind.CITY
    )
    return ServicePoint.objects.create(library=library, code="LJ-MAIN", name="总馆", kind="main")


@pytest.fixture
def collection(db) -> Collection:
    return Collection.objects.create(code="ADULT", name="成人外借")


def cnmarc_record(
    title: str,
    *,
    isbn: str = "",
    control: str = "",
    pinyin: str = "",
    holdings: list[tuple[str, str, str]] = (),
) -> Record:  # type: ignore[assignment]
    """A CNMARC book record as a Chinese vendor would send it."""
    r = Record(force_utf8=True)
    r.leader = Leader("00000nam0 2200000   450 ")
    if control:
        r.fields.append(Field(tag="001", data=control))
    if isbn:
        r.fields.append(
            Field(
                tag="010",
                indicators=Indicators(" ", " "),
                subfields=[Subfield("a", isbn), Subfield("d", "CNY38.00")],
            )
        )
    r.fields.append(
        Field(
            tag="100",
            indicators=Indicators(" ", " "),
            subfields=[Subfield("a", "20240101d2023    em y0chiy50      ea")],
        )
    )
    r.fields.append(
        Field(tag="101", indicators=Indicators("0", " "), subfields=[Subfield("a", "chi")])
    )
    sub = [Subfield("a", title)]
    if pinyin:
        sub.append(Subfield("9", pinyin))
    sub.append(Subfield("f", "和力民著"))
    r.fields.append(Field(tag="200", indicators=Indicators("1", " "), subfields=sub))
    r.fields.append(
        Field(
            tag="210",
            indicators=Indicators(" ", " "),
            subfields=[
                Subfield("a", "昆明"),
                Subfield("c", "云南人民出版社"),
                Subfield("d", "2023"),
            ],
        )
    )
    r.fields.append(
        Field(
            tag="690",
            indicators=Indicators(" ", " "),
            subfields=[Subfield("a", "K297.43"), Subfield("v", "5")],
        )
    )
    r.fields.append(
        Field(
            tag="701",
            indicators=Indicators(" ", "0"),
            subfields=[Subfield("a", "和力民"), Subfield("4", "著")],
        )
    )
    for library, barcode, book_number in holdings:
        r.fields.append(
            Field(
                tag="905",
                indicators=Indicators(" ", " "),
                subfields=[
                    Subfield("a", library),
                    Subfield("b", barcode),
                    Subfield("d", "K297.43"),
                    Subfield("e", book_number),
                ],
            )
        )
    return r


def cnmarc_bytes(records: list[Record], encoding: str) -> bytes:
    """ISO 2709 with field data in `encoding` (pymarc only writes UTF-8, so re-encode)."""
    out = b""
    for r in records:
        r.to_unicode = False
        raw = r.as_marc()
        if encoding != "utf-8":
            raw = _reencode(raw, encoding)
        out += raw
    return out


def _reencode(raw: bytes, encoding: str) -> bytes:
    leader = raw[:24].decode("ascii")
    base = int(leader[12:17])
    directory = raw[24 : base - 1]
    fields = []
    for i in range(0, len(directory), 12):
        entry = directory[i : i + 12]
        start, length = int(entry[7:12]), int(entry[3:7])
        data = raw[base + start : base + start + length]
        fields.append((entry[:3], data.decode("utf-8").encode(encoding)))
    new_dir = b""
    body = b""
    for tag, data in fields:
        new_dir += tag + f"{len(data):04d}{len(body):05d}".encode()
        body += data
    new_base = 24 + len(new_dir) + 1
    total = new_base + len(body) + 1
    new_leader = f"{total:05d}{leader[5:12]}{new_base:05d}{leader[17:]}".encode()
    return new_leader + new_dir + b"\x1e" + body + b"\x1d"


def stream(data: bytes, name: str = "test.mrc") -> io.BytesIO:
    s = io.BytesIO(data)
    s.name = name  # type: ignore[attr-defined]
    return s
