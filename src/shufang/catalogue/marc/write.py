"""Streaming MARC writers: ISO 2709 and MARCXML, always UTF-8. Pure: no ORM."""

from __future__ import annotations

from typing import BinaryIO

from pymarc import Record, record_to_xml
from pymarc.leader import Leader

XML_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">\n'
)
XML_TAIL = b"</collection>\n"


def record_as_iso2709(record: Record, flavour: str = "marc21") -> bytes:
    """UTF-8 ISO 2709. MARC 21 declares UTF-8 in leader/09; CNMARC keeps its leader/09."""
    leader = str(record.leader)
    if len(leader) != 24:
        leader = (leader + " " * 24)[:24]
    if flavour == "marc21":
        record.leader = Leader(leader[:9] + "a" + leader[10:])
        record.to_unicode = True
    else:
        record.leader = Leader(leader)
        record.to_unicode = False
    record.force_utf8 = True
    return bytes(record.as_marc())


class MarcWriter:
    """Writes records one by one to a binary stream; `close()` ends a MARCXML collection."""

    def __init__(self, out: BinaryIO, *, fmt: str = "iso2709", flavour: str = "marc21") -> None:
        if fmt not in ("iso2709", "marcxml"):
            raise ValueError(f"unknown format {fmt!r}")
        self.out = out
        self.fmt = fmt
        self.flavour = flavour
        self.count = 0
        if fmt == "marcxml":
            out.write(XML_HEAD)

    def write(self, record: Record) -> None:
        if self.fmt == "iso2709":
            self.out.write(record_as_iso2709(record, self.flavour))
        else:
            if self.flavour == "marc21":
                leader = str(record.leader)
                record.leader = Leader(leader[:9] + "a" + leader[10:])
            self.out.write(b"  " + record_to_xml(record, namespace=False) + b"\n")
        self.count += 1

    def close(self) -> None:
        if self.fmt == "marcxml":
            self.out.write(XML_TAIL)
