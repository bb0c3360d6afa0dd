"""The SIP2 2.00 codec: pure, no Django, no I/O.

`decode(frame)` -> message, `encode(message, seq=..., checksum=...)` -> frame,
`FrameBuffer().feed(data)` -> frames, `LAYOUTS[code]` -> the layout of each message.
"""

from .codec import MAX_FRAME, checksum, checksum_valid, decode, encode, split_terminator
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
from .fields import (
    AlertType,
    CirculationStatus,
    FeeType,
    HoldMode,
    HoldType,
    Language,
    MediaType,
    PatronStatus,
    PaymentType,
    SecurityMarker,
    StatusCode,
    Summary,
    SupportedMessages,
)
from .framing import Frame, FrameBuffer
from .messages import *  # noqa: F403 - every message class is part of the API
from .messages import LAYOUTS, RESPONSE_FOR, FrameInfo, Layout, Message, Request, Response

__all__ = [
    "LAYOUTS",
    "MAX_FRAME",
    "RESPONSE_FOR",
    "AlertType",
    "BadChecksum",
    "BadEncoding",
    "BadField",
    "CirculationStatus",
    "FeeType",
    "Frame",
    "FrameBuffer",
    "FrameInfo",
    "FrameTooLong",
    "HoldMode",
    "HoldType",
    "Language",
    "Layout",
    "MediaType",
    "Message",
    "MissingField",
    "PatronStatus",
    "PaymentType",
    "ProtocolError",
    "Request",
    "Response",
    "SecurityMarker",
    "StatusCode",
    "Summary",
    "SupportedMessages",
    "Truncated",
    "UnknownMessage",
    "checksum",
    "checksum_valid",
    "decode",
    "encode",
    "split_terminator",
]
