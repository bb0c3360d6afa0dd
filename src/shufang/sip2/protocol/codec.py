"""Reading and writing whole SIP2 frames: checksum, sequence number, fixed and variable fields.

Sans-I/O: bytes in, messages out, and back. Checksums work on the encoded bytes; fields are
parsed only after the frame has been decoded to text, because in GB18030 a '|' byte can be the
second half of a Chinese character.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import (
    BadChecksum,
    BadEncoding,
    BadField,
    FrameTooLong,
    MissingField,
    ProtocolError,
    Truncated,
    UnknownMessage,
)
from .fields import Kind
from .messages import LAYOUTS, FrameInfo, Layout, Message

MAX_FRAME = 64 * 1024
"""The largest frame accepted, in bytes, without its terminator."""

_TRAILER = re.compile(rb"AZ([0-9A-Fa-f]{4})\Z")
_NO_SEQUENCE = frozenset({"96", "97"})


def checksum(data: bytes) -> str:
    """The checksum of `data`, which runs from the first byte up to and including `AZ`: the
    two's complement of the low 16 bits of the byte sum, as 4 upper-case hex digits."""
    return f"{-sum(data) & 0xFFFF:04X}"


_checksum = checksum  # `encode` has a parameter of the same name


def checksum_valid(body: bytes) -> bool:
    """Whether a frame without its terminator, ending in `AZxxxx`, adds up to 0 mod 0x10000."""
    match = _TRAILER.search(body)
    if match is None:
        return False
    return (sum(body[: match.start(1)]) + int(match.group(1), 16)) & 0xFFFF == 0


def split_terminator(frame: bytes) -> tuple[bytes, bytes]:
    """(body, terminator) of a frame that ends in CR, CRLF or (leniently) nothing."""
    if frame.endswith(b"\r\n"):
        return frame[:-2], b"\r\n"
    if frame.endswith(b"\r"):
        return frame[:-1], b"\r"
    if frame.endswith(b"\n"):
        return frame[:-1], b"\n"
    return frame, b"\r"


# ----------------------------------------------------------------------------------- decode


def decode(frame: bytes, *, encoding: str = "utf-8") -> Message:
    """Read one frame (terminator optional) into its message.

    Raises a `ProtocolError` subclass: `BadChecksum` when an `AZ` checksum does not add up
    (checked before anything else, so the server can answer 96), `UnknownMessage`,
    `Truncated`, `FrameTooLong`, `MissingField` (only for essential fields), `BadEncoding`,
    `BadField`.
    """
    body, terminator = split_terminator(frame)
    # Stray LF or NUL left over from a previous CRLF client or line noise.
    body = body.lstrip(b"\n\x00")
    if len(body) > MAX_FRAME:
        raise FrameTooLong(f"frame of {len(body)} bytes is over {MAX_FRAME}")
    message_code = _message_code(body)

    has_checksum = False
    match = _TRAILER.search(body)
    if match is not None:
        if not checksum_valid(body):
            raise BadChecksum(
                f"checksum {match.group(1).decode()} does not match", message_code=message_code
            )
        has_checksum = True
        body = body[: match.start()]

    if message_code is None:
        raise (Truncated if len(body) < 2 else UnknownMessage)(f"no message code in {body[:8]!r}")
    layout = LAYOUTS.get(message_code)
    if layout is None:
        raise UnknownMessage(f"unknown message {message_code!r}", message_code=message_code)

    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise BadEncoding(
            f"frame is not valid {encoding}: {exc.reason} at byte {exc.start}",
            message_code=message_code,
        ) from None
    except LookupError:
        raise BadEncoding(f"unknown encoding {encoding!r}", message_code=message_code) from None

    values, seq = _parse(text, layout, message_code)
    values["frame"] = FrameInfo(seq=seq, checksum=has_checksum, terminator=terminator)
    return layout.message_class(**values)


def _message_code(body: bytes) -> str | None:
    head = body[:2]
    if len(head) == 2 and head.isdigit():
        return head.decode("ascii")
    return None


def _read(kind: Kind, raw: str, name: str, message_code: str) -> Any:
    try:
        return kind.decode(raw)
    except ValueError as exc:
        raise BadField(f"{name}: {exc}", message_code=message_code, field=name) from None


def _parse(text: str, layout: Layout, message_code: str) -> tuple[dict[str, Any], int | None]:
    values: dict[str, Any] = {}
    cursor = 2
    for fixed in layout.fixed:
        raw = text[cursor : cursor + fixed.width]
        if len(raw) < fixed.width:
            raise Truncated(
                f"fixed part ends inside {fixed.name} ({len(text)} characters)",
                message_code=message_code,
            )
        values[fixed.name] = _read(fixed.kind, raw, fixed.name, message_code)
        cursor += fixed.width

    known = {v.code: v for v in (*layout.required, *layout.optional)}
    repeated: dict[str, list[str]] = {v.name: [] for v in known.values() if v.repeatable}
    extra: list[tuple[str, str]] = []
    seq: int | None = None
    while cursor < len(text):
        field_code = text[cursor : cursor + 2]
        end = text.find("|", cursor + 2)
        if end == -1:  # the last field may lack its '|'
            end = len(text)
        raw = text[cursor + 2 : end]
        cursor = end + 1
        if field_code == "AY" and len(raw) == 1 and raw.isdigit():
            seq = int(raw)
            continue
        spec = known.get(field_code)
        if spec is None:
            extra.append((field_code, raw))
        elif spec.repeatable:
            repeated[spec.name].append(raw)
        elif spec.name in values:  # a second copy of a single field: keep the first
            extra.append((field_code, raw))
        else:
            values[spec.name] = _read(spec.kind, raw, spec.name, message_code)

    for spec in layout.required:
        if spec.repeatable or spec.name in values:
            continue
        if spec.essential:
            raise MissingField(
                f"required field {spec.code} ({spec.name}) is missing",
                message_code=message_code,
                field=spec.code,
            )
        values[spec.name] = None
    for name, items in repeated.items():
        values[name] = tuple(items)
    values["extra"] = tuple(extra)
    return values, seq


# ----------------------------------------------------------------------------------- encode


def _clean(text: str) -> str:
    # A '|' or line end inside a value would break the frame for every client.
    return text.replace("|", "/").replace("\r", " ").replace("\n", " ")


def encode(
    msg: Message,
    *,
    seq: int | None,
    checksum: bool,
    encoding: str = "utf-8",
    terminator: bytes = b"\r",
) -> bytes:
    """Write a message as one frame.

    With `checksum`, the frame ends `AY<seq>AZxxxx` (96 and 97 carry no sequence number, per
    the standard); without it, `AY<seq>` is still written when `seq` is given. Required
    fields are always written (empty when None); optional ones only when not None. Values
    containing '|', CR or LF are cleaned ('|' -> '/', line ends -> space). Characters the
    encoding cannot represent become '?'.
    """
    layout = LAYOUTS[msg.code]
    if type(msg) is not layout.message_class:
        raise TypeError(f"{type(msg).__name__} is not the message class for {msg.code}")
    if seq is not None and not 0 <= seq <= 9:
        raise ValueError(f"sequence number must be 0-9, not {seq}")
    parts = [msg.code]
    for fixed in layout.fixed:
        raw = fixed.kind.encode(getattr(msg, fixed.name))
        if len(raw) != fixed.width:
            raise ValueError(f"{fixed.name} must be {fixed.width} characters, got {raw!r}")
        parts.append(raw)
    for spec in layout.required:
        value = getattr(msg, spec.name)
        if spec.repeatable:
            parts.extend(f"{spec.code}{_clean(item)}|" for item in value)
        else:
            raw = "" if value is None else spec.kind.encode(value)
            parts.append(f"{spec.code}{_clean(raw)}|")
    for spec in layout.optional:
        value = getattr(msg, spec.name)
        if spec.repeatable:
            parts.extend(f"{spec.code}{_clean(item)}|" for item in value)
        elif value is not None:
            parts.append(f"{spec.code}{_clean(spec.kind.encode(value))}|")
    for field_code, raw in msg.extra:
        parts.append(f"{field_code}{_clean(raw)}|")
    data = "".join(parts).encode(encoding, errors="replace")
    if seq is not None and msg.code not in _NO_SEQUENCE:
        data += b"AY%d" % seq
    if checksum:
        data += b"AZ"
        data += _checksum(data).encode("ascii")
    return data + terminator


__all__ = [
    "MAX_FRAME",
    "ProtocolError",
    "checksum",
    "checksum_valid",
    "decode",
    "encode",
    "split_terminator",
]
