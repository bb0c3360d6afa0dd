"""Streaming MARC reader: ISO 2709 (MARC 21 or CNMARC/UNIMARC) and MARCXML.

Pure: no ORM. Memory stays flat whatever the file size: ISO 2709 is read in chunks and split
on the record terminator (0x1D) while tracking the byte offset; MARCXML goes through
`iterparse`, clearing each record element once built.

A broken record (bad leader, bad directory, truncated, undecodable bytes, XML element without
tag or code) yields a result with `error` set, and reading goes on with the next record.

We decode ISO 2709 ourselves rather than through `pymarc.MARCReader` because the encoding
depends on the flavour (MARC 21: leader/09; CNMARC: UTF-8 or GB18030), and the flavour is only
known once the directory has been read; and because splitting on the terminator, not on the
leader's length, survives the off-by-one lengths that real exports contain.
"""

from __future__ import annotations

import contextlib
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pymarc import Field, Indicators, Record, Subfield
from pymarc.leader import Leader
from pymarc.marc8 import MARC8ToUnicode

RECORD_TERMINATOR = b"\x1d"
FIELD_TERMINATOR = b"\x1e"
SUBFIELD_DELIMITER = b"\x1f"
MAX_RECORD_LENGTH = 99_999  # five digits in the leader
# Bytes without a terminator after which we give up on finding the end of a record.
MAX_SCAN = 1_000_000
CHUNK = 1 << 20
# Directory entries: three ASCII bytes of tag, four digits of length, five of start.
_GOOD_DIRECTORY = re.compile(rb"(?:[\x00-\x7f]{3}[0-9]{9})*")
# A subfield delimiter followed by a byte that cannot be an ASCII subfield code.
_NON_ASCII_CODE = re.compile(rb"\x1f[\x80-\xff]")

FLAVOURS = ("marc21", "cnmarc")
ENCODINGS = ("utf-8", "marc-8", "gb18030")
MARCXML_NS = "http://www.loc.gov/MARC21/slim"


# A decoded field as plain values: a control field's data, or (indicators, [(code, value)]).
FieldValue = str | tuple[str, list[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class MarcFields:
    """A decoded record as plain tuples, fields in record order.

    What extraction needs, at a fraction of the cost of pymarc objects (building those was a
    third of an import's time); `as_record()` makes the pymarc `Record` when one is needed."""

    leader: str
    fields: list[tuple[str, FieldValue]]

    def as_record(self) -> Record:
        record = Record(force_utf8=True)
        record.leader = Leader(self.leader)  # the constructor would overwrite 9 and 20-23
        append = record.fields.append
        for tag, value in self.fields:
            if isinstance(value, str):
                append(Field(tag=tag, data=value))
            else:
                ind, subfields = value
                append(
                    Field(
                        tag=tag,
                        indicators=Indicators(ind[0], ind[1]),
                        subfields=[Subfield(code, text) for code, text in subfields],
                    )
                )
        return record


@dataclass(frozen=True, slots=True)
class MarcReadResult:
    position: int  # 1-based record number in the file
    offset: int  # byte offset of the record (MARCXML: approximate, where the parser was)
    record: Record | None
    raw: bytes
    flavour: str
    encoding: str
    format: str  # "iso2709" or "marcxml"
    error: str | None = None
    # Set instead of `record` when read with `build_records=False` (ISO 2709 only).
    fields: MarcFields | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and (self.record is not None or self.fields is not None)

    @property
    def leader(self) -> str:
        if self.fields is not None:
            return self.fields.leader
        return str(self.record.leader) if self.record is not None else ""

    def as_record(self) -> Record | None:
        """The pymarc record, built now when the result was read without one."""
        if self.record is None and self.fields is not None:
            return self.fields.as_record()
        return self.record


class MarcDecodeError(Exception):
    pass


def iter_marc(
    source: str | Path | BinaryIO,
    *,
    flavour: str = "auto",
    encoding: str = "auto",
    build_records: bool = True,
) -> Iterator[MarcReadResult]:
    """Yield one `MarcReadResult` per record of `source` (a path or a binary stream).

    With `build_records=False`, ISO 2709 results carry `fields` (plain tuples) instead of a
    pymarc `record`: the import's fast path. MARCXML results always carry a `record`."""
    if flavour not in ("auto", *FLAVOURS):
        raise ValueError(f"unknown flavour {flavour!r}")
    if encoding not in ("auto", *ENCODINGS):
        raise ValueError(f"unknown encoding {encoding!r}")
    if isinstance(source, str | Path):
        with open(source, "rb") as stream:
            yield from _iter_stream(stream, flavour, encoding, build_records)
    else:
        yield from _iter_stream(source, flavour, encoding, build_records)


def _iter_stream(
    stream: BinaryIO, flavour: str, encoding: str, build_records: bool
) -> Iterator[MarcReadResult]:
    head = stream.read(4096)
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if body.startswith(b"<"):
        yield from _iter_xml(_Prefixed(head, stream), flavour)
    else:
        yield from _iter_iso2709(head, stream, flavour, encoding, build_records)


class _Prefixed(io.RawIOBase):
    """A stream with already-read bytes put back in front, counting what is consumed."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b):  # type: ignore[no-untyped-def]
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
        else:
            data = self._stream.read(len(b))
            n = len(data)
            b[:n] = data
        self.consumed += n
        return n


# ---------------------------------------------------------------------------------- ISO 2709


def _iter_iso2709(
    head: bytes, stream: BinaryIO, flavour: str, encoding: str, build_records: bool
) -> Iterator[MarcReadResult]:
    buffer = head
    base_offset = 0  # file offset of buffer[0]
    # Start of the unread part of `buffer`: records are cut out in place, and the buffer is
    # only shortened when it runs dry (slicing off each record copied the rest of the chunk).
    pos = 0
    position = 0
    eof = False
    while True:
        end = buffer.find(RECORD_TERMINATOR, pos)
        if end < 0:
            if pos:
                buffer = buffer[pos:]
                base_offset += pos
                pos = 0
            if not eof and len(buffer) <= MAX_SCAN:
                data = stream.read(CHUNK)
                if data:
                    buffer += data
                    continue
                eof = True
            # No terminator: the rest of the file (or MAX_SCAN bytes) is one broken record.
            start = _skip_blank(buffer)
            if start >= len(buffer):
                return
            position += 1
            raw = buffer[start : start + MAX_SCAN] if not eof else buffer[start:]
            yield MarcReadResult(
                position,
                base_offset + start,
                None,
                raw[:MAX_RECORD_LENGTH],
                flavour if flavour != "auto" else "marc21",
                encoding if encoding != "auto" else "",
                "iso2709",
                "truncated record: no record terminator (0x1D) found",
            )
            if eof:
                return
            # Skip to the next terminator and carry on.
            base_offset += len(buffer)
            buffer = b""
            while True:
                data = stream.read(CHUNK)
                if not data:
                    return
                cut = data.find(RECORD_TERMINATOR)
                if cut >= 0:
                    buffer = data[cut + 1 :]
                    base_offset += cut + 1
                    break
                base_offset += len(data)
            continue
        start = _skip_blank(buffer, pos, end)
        raw = buffer[start : end + 1]
        offset = base_offset + start
        pos = end + 1
        if len(raw) <= 1:
            continue  # stray terminator
        position += 1
        yield decode_iso2709(
            raw,
            position=position,
            offset=offset,
            flavour=flavour,
            encoding=encoding,
            build_record=build_records,
        )


def _skip_blank(buffer: bytes, start: int = 0, end: int | None = None) -> int:
    end = len(buffer) if end is None else end
    while start < end and buffer[start] in b" \t\r\n\x00\x1a":
        start += 1
    return start


def decode_iso2709(
    raw: bytes,
    *,
    position: int = 1,
    offset: int = 0,
    flavour: str = "auto",
    encoding: str = "auto",
    build_record: bool = True,
) -> MarcReadResult:
    """Decode one ISO 2709 record (ending with 0x1D) into a `MarcReadResult` (with `fields`
    instead of a pymarc `record` when not `build_record`)."""
    guessed_flavour = flavour if flavour != "auto" else "marc21"
    try:
        leader, entries = _structure(raw)
        tags = {tag for tag, _data in entries}
        if flavour == "auto":
            guessed_flavour = _guess_flavour(leader, tags)
        used = encoding if encoding != "auto" else _guess_encoding(raw, leader, guessed_flavour)
        fields = MarcFields(leader, _decode_fields(entries, used))
    except MarcDecodeError as error:
        return MarcReadResult(
            position,
            offset,
            None,
            raw,
            guessed_flavour,
            encoding if encoding != "auto" else "",
            "iso2709",
            str(error),
        )
    if build_record:
        return MarcReadResult(
            position, offset, fields.as_record(), raw, guessed_flavour, used, "iso2709"
        )
    return MarcReadResult(
        position, offset, None, raw, guessed_flavour, used, "iso2709", None, fields
    )


def _structure(raw: bytes) -> tuple[str, list[tuple[str, bytes]]]:
    if len(raw) < 25:
        raise MarcDecodeError(f"truncated record: only {len(raw)} bytes")
    if len(raw) > MAX_RECORD_LENGTH:
        raise MarcDecodeError(
            f"record too long: {len(raw)} bytes, more than ISO 2709 allows ({MAX_RECORD_LENGTH})"
        )
    try:
        leader = raw[:24].decode("ascii")
    except UnicodeDecodeError:
        raise MarcDecodeError("bad leader: not ASCII") from None
    if not leader[:5].isdigit():
        raise MarcDecodeError(f"bad leader: record length {leader[:5]!r} is not a number")
    if not leader[12:17].isdigit():
        raise MarcDecodeError(f"bad leader: base address {leader[12:17]!r} is not a number")
    base = int(leader[12:17])
    directory_end = raw.find(FIELD_TERMINATOR, 24)
    if directory_end < 0 or base > len(raw):
        raise MarcDecodeError("bad directory: no end of directory")
    if base != directory_end + 1:
        # Trust the directory's own terminator when the leader's base address disagrees.
        base = directory_end + 1
    directory = raw[24:directory_end]
    if len(directory) % 12:
        raise MarcDecodeError(f"bad directory: length {len(directory)} is not a multiple of 12")
    if _GOOD_DIRECTORY.fullmatch(directory):
        entries = _entries(raw, base, directory)
    else:
        entries = _checked_entries(raw, base, directory)
    if not entries:
        raise MarcDecodeError("record without fields")
    return leader, entries


def _entries(raw: bytes, base: int, directory: bytes) -> list[tuple[str, bytes]]:
    """Fields of a directory known to be well-formed (ASCII tags, digits): no per-entry checks
    but the bounds."""
    tags = directory.decode("ascii")
    size = len(raw)
    entries: list[tuple[str, bytes]] = []
    append = entries.append
    for i in range(0, len(directory), 12):
        start = base + int(directory[i + 7 : i + 12])
        stop = start + int(directory[i + 3 : i + 7])
        if stop > size or start >= size:
            raise MarcDecodeError(
                f"bad directory: field {tags[i : i + 3]} at {tags[i + 7 : i + 12]} runs past "
                "the record end"
            )
        data = raw[start:stop]
        if data.endswith(FIELD_TERMINATOR):
            data = data[:-1]
        elif data.endswith(RECORD_TERMINATOR):
            data = data[:-1].rstrip(FIELD_TERMINATOR)
        append((tags[i : i + 3], data))
    return entries


def _checked_entries(raw: bytes, base: int, directory: bytes) -> list[tuple[str, bytes]]:
    """Fields of any directory, entry by entry, saying which entry is wrong."""
    entries: list[tuple[str, bytes]] = []
    for i in range(0, len(directory), 12):
        entry = directory[i : i + 12]
        tag_bytes, length_bytes, start_bytes = entry[:3], entry[3:7], entry[7:12]
        if not (length_bytes.isdigit() and start_bytes.isdigit()):
            raise MarcDecodeError(f"bad directory: entry {i // 12 + 1} {entry!r}")
        try:
            tag = tag_bytes.decode("ascii")
        except UnicodeDecodeError:
            raise MarcDecodeError(f"bad directory: tag {tag_bytes!r} is not ASCII") from None
        start = base + int(start_bytes)
        stop = start + int(length_bytes)
        if stop > len(raw) - 1 + 1 or start >= len(raw):
            raise MarcDecodeError(
                f"bad directory: field {tag} at {start_bytes.decode()} runs past the record end"
            )
        data = raw[start:stop]
        if data.endswith(FIELD_TERMINATOR):
            data = data[:-1]
        elif data.endswith(RECORD_TERMINATOR):
            data = data[:-1].rstrip(FIELD_TERMINATOR)
        entries.append((tag, data))
    return entries


def _guess_flavour(leader: str, tags: set[str]) -> str:
    if "245" in tags:
        return "marc21"
    if "200" in tags:
        return "cnmarc"
    if leader[20:23] == "450" and leader[23] != "0":
        return "cnmarc"
    return "marc21"


def _guess_encoding(raw: bytes, leader: str, flavour: str) -> str:
    if flavour == "marc21":
        if leader[9] == "a":
            return "utf-8"
        # Undeclared UTF-8 (a common export fault): valid UTF-8 with non-ASCII and no MARC-8
        # escape sequences. ANSEL diacritics before an ASCII letter are never valid UTF-8.
        if b"\x1b" not in raw and not raw.isascii():
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return "marc-8"
            return "utf-8"
        return "marc-8"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _decoder(encoding: str):  # type: ignore[no-untyped-def]
    if encoding == "marc-8":
        converter = MARC8ToUnicode(quiet=True)

        def marc8(data: bytes) -> str:
            if data.isascii() and b"\x1b" not in data:
                return data.decode("ascii")
            try:
                # pymarc writes warnings about malformed multi-byte sequences to stderr.
                with contextlib.redirect_stderr(io.StringIO()):
                    return str(converter.translate(data))
            except Exception as error:  # pymarc raises a variety of errors here
                raise MarcDecodeError(f"undecodable MARC-8 bytes: {error}") from None

        return marc8
    codec = "utf-8" if encoding == "utf-8" else "gb18030"

    def decode(data: bytes) -> str:
        try:
            return data.decode(codec)
        except UnicodeDecodeError as error:
            raise MarcDecodeError(
                f"undecodable bytes for {encoding} at byte {error.start} of the field"
            ) from None

    return decode


def _decode_fields(entries: list[tuple[str, bytes]], encoding: str) -> list[tuple[str, FieldValue]]:
    # UTF-8 and GB18030 never use 0x1F inside a multi-byte character, so a field that decodes
    # as a whole can be split after decoding: one decode per field instead of one per
    # subfield. Anything unusual (undecodable bytes, a non-ASCII indicator or subfield code)
    # goes the subfield-by-subfield way, which gives the exact error.
    codec = {"utf-8": "utf-8", "gb18030": "gb18030"}.get(encoding)
    decode = _decoder(encoding)
    fields: list[tuple[str, FieldValue]] = []
    append = fields.append
    for tag, data in entries:
        if tag < "010" and tag.isdigit():
            append((tag, _field_decode(decode, tag, data)))
            continue
        if codec is not None:
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                text = None
            if text is not None:
                parts = text.split("\x1f")
                ind = parts[0]
                if ind.isascii() and not _NON_ASCII_CODE.search(data):
                    subfields = [(p[0], p[1:]) for p in parts[1:] if p]
                    append((tag, ((ind + "  ")[:2], subfields)))
                    continue
        append((tag, _decode_data_field(decode, tag, data)))
    return fields


def _decode_data_field(decode, tag: str, data: bytes) -> FieldValue:  # type: ignore[no-untyped-def]
    parts = data.split(SUBFIELD_DELIMITER)
    indicators = parts[0]
    ind = indicators.decode("ascii", "replace") if indicators else ""
    ind = (ind + "  ")[:2]
    subfields = []
    for part in parts[1:]:
        if not part:
            continue
        code = chr(part[0]) if part[0] < 128 else "?"
        subfields.append((code, _field_decode(decode, tag, part[1:])))
    return (ind, subfields)


def _field_decode(decode, tag: str, data: bytes) -> str:  # type: ignore[no-untyped-def]
    try:
        return str(decode(data))
    except MarcDecodeError as error:
        raise MarcDecodeError(f"field {tag}: {error}") from None


# ---------------------------------------------------------------------------------- MARCXML


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _iter_xml(stream: _Prefixed, flavour: str) -> Iterator[MarcReadResult]:
    position = 0
    offset = 0
    try:
        context = ET.iterparse(io.BufferedReader(stream), events=("start", "end"))
        root = None
        for event, elem in context:
            if root is None:
                root = elem
            if event == "start":
                if _local(elem.tag) == "record":
                    offset = stream.consumed
                continue
            if _local(elem.tag) != "record":
                continue
            position += 1
            raw = ET.tostring(elem, encoding="utf-8")
            try:
                record = _xml_record(elem)
                used = (
                    flavour
                    if flavour != "auto"
                    else _guess_flavour(str(record.leader), {f.tag for f in record.fields})
                )
                result = MarcReadResult(position, offset, record, raw, used, "utf-8", "marcxml")
            except MarcDecodeError as error:
                result = MarcReadResult(
                    position,
                    offset,
                    None,
                    raw,
                    flavour if flavour != "auto" else "marc21",
                    "utf-8",
                    "marcxml",
                    str(error),
                )
            elem.clear()
            if root is not None and root is not elem:
                root.clear()  # drop finished records from the tree
            yield result
    except ET.ParseError as error:
        yield MarcReadResult(
            position + 1,
            stream.consumed,
            None,
            b"",
            flavour if flavour != "auto" else "marc21",
            "utf-8",
            "marcxml",
            f"XML not well-formed: {error}",
        )


def _xml_record(elem: ET.Element) -> Record:
    record = Record(force_utf8=True)
    leader_seen = False
    for child in elem:
        name = _local(child.tag)
        if name == "leader":
            text = child.text or ""
            if len(text) != 24:
                raise MarcDecodeError(f"bad leader: {len(text)} characters instead of 24")
            record.leader = Leader(text)
            leader_seen = True
        elif name == "controlfield":
            tag = child.get("tag")
            if not tag:
                raise MarcDecodeError("controlfield without a tag attribute")
            record.fields.append(Field(tag=tag, data=child.text or ""))
        elif name == "datafield":
            tag = child.get("tag")
            if not tag:
                raise MarcDecodeError("datafield without a tag attribute")
            subfields = []
            for sub in child:
                if _local(sub.tag) != "subfield":
                    continue
                code = sub.get("code")
                if code is None or code == "":
                    raise MarcDecodeError(f"field {tag}: subfield without a code attribute")
                subfields.append(Subfield(code, sub.text or ""))
            ind1 = (child.get("ind1") or " ")[:1] or " "
            ind2 = (child.get("ind2") or " ")[:1] or " "
            record.fields.append(
                Field(tag=tag, indicators=Indicators(ind1, ind2), subfields=subfields)
            )
    if not leader_seen:
        raise MarcDecodeError("record without a leader")
    return record
