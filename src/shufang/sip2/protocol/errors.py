"""Errors of the SIP2 codec. Each carries a stable `code` so the server can choose its answer:
`bad_checksum` -> 96 (please resend), the others -> a response with ok=0 and a screen message,
or a clean close when nothing sensible can be answered."""

from __future__ import annotations


class ProtocolError(Exception):
    """Base of every error the codec raises on bad input.

    `message_code` is the two-digit code of the offending frame when it could be read, so the
    server can answer with the matching response type.
    """

    code = "protocol_error"

    def __init__(self, detail: str, *, message_code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.message_code = message_code


class BadChecksum(ProtocolError):
    code = "bad_checksum"


class UnknownMessage(ProtocolError):
    code = "unknown_message"


class Truncated(ProtocolError):
    code = "truncated"


class FrameTooLong(ProtocolError):
    code = "too_long"


class MissingField(ProtocolError):
    code = "missing_field"

    def __init__(self, detail: str, *, message_code: str | None = None, field: str) -> None:
        super().__init__(detail, message_code=message_code)
        self.field = field


class BadEncoding(ProtocolError):
    code = "bad_encoding"


class BadField(ProtocolError):
    """A fixed or variable field whose value cannot be read (e.g. letters in a count)."""

    code = "bad_field"

    def __init__(self, detail: str, *, message_code: str | None = None, field: str) -> None:
        super().__init__(detail, message_code=message_code)
        self.field = field
