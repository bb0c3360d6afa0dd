"""Cutting a byte stream into SIP2 frames, without I/O.

    buffer = FrameBuffer()
    for frame in buffer.feed(data_from_socket):
        message = decode(frame, encoding=...)

Frames end at CR; an LF right after the CR belongs to the same frame (CRLF clients). Each frame
is yielded with its terminator, so `decode` can record the client's style and the response
can use it. A frame longer than `max_frame` bytes raises `FrameTooLong` once; its bytes are
dropped up to its CR (never buffered beyond `max_frame`) and the frames after it come out
normally: call `feed(b"")` to go on collecting what the same chunk still holds.
"""

from __future__ import annotations

from collections.abc import Iterator

from .codec import MAX_FRAME
from .errors import FrameTooLong


class FrameBuffer:
    def __init__(self, *, max_frame: int = MAX_FRAME) -> None:
        self.max_frame = max_frame
        self._buffer = bytearray()
        self._discarding = False
        self._lf_may_follow = False
        self.terminator = b"\r"
        """The line end the client used last: CR, or CRLF once seen."""

    def __len__(self) -> int:
        """Bytes held that are not yet a complete frame."""
        return len(self._buffer)

    def feed(self, data: bytes) -> Iterator[Frame]:
        """Take bytes from the stream; yield each complete frame (with its terminator)."""
        self._take(data)
        return self._frames()

    def _take(self, data: bytes) -> None:
        if self._lf_may_follow and data:
            self._lf_may_follow = False
            if data[:1] == b"\n":
                data = data[1:]
                self.terminator = b"\r\n"
        if self._discarding:
            end = data.find(b"\r")
            if end == -1:
                return
            self._discarding = False
            data = data[end + 1 :]
            if data[:1] == b"\n":
                data = data[1:]
            elif not data:
                self._lf_may_follow = True
        self._buffer += data

    def _frames(self) -> Iterator[Frame]:
        while True:
            end = self._buffer.find(b"\r")
            if end == -1:
                if len(self._buffer) > self.max_frame:
                    size = len(self._buffer)
                    self._buffer.clear()
                    self._discarding = True
                    raise FrameTooLong(f"frame over {self.max_frame} bytes ({size} so far)")
                return
            if end + 1 < len(self._buffer):
                crlf = self._buffer[end + 1] == 0x0A
                self.terminator = b"\r\n" if crlf else b"\r"
                terminator = self.terminator
            else:
                # The LF, if any, has not arrived yet: answer in the style seen so far.
                self._lf_may_follow = True
                terminator = self.terminator
                crlf = False
            body = bytes(self._buffer[:end])
            del self._buffer[: end + (2 if crlf else 1)]
            body = body.lstrip(b"\n")
            if len(body) > self.max_frame:
                raise FrameTooLong(f"frame of {len(body)} bytes is over {self.max_frame}")
            if body:
                yield Frame(body + terminator)


class Frame(bytes):
    """A complete frame as received, terminator included."""
