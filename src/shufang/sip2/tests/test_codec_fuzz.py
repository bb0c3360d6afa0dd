"""Whatever bytes arrive, the codec raises nothing but `ProtocolError` subclasses."""

from hypothesis import given, settings
from hypothesis import strategies as st

from shufang.sip2.protocol import FrameBuffer, ProtocolError, decode, encode

from . import strategies


def _decode_or_protocol_error(frame: bytes, encoding: str = "utf-8") -> None:
    try:
        decode(frame, encoding=encoding)
    except ProtocolError as error:
        assert error.code in {
            "bad_checksum",
            "unknown_message",
            "truncated",
            "too_long",
            "missing_field",
            "bad_encoding",
            "bad_field",
        }


@settings(max_examples=300, deadline=None)
@given(frame=st.binary(max_size=300), encoding=st.sampled_from(["utf-8", "gb18030"]))
def test_arbitrary_bytes_raise_only_protocol_errors(frame, encoding):
    _decode_or_protocol_error(frame, encoding)


@settings(max_examples=300, deadline=None)
@given(
    code=st.sampled_from(["93", "99", "63", "23", "11", "09", "29", "17", "15", "37", "64"]),
    tail=st.text(alphabet="0123456789YN |AOBZCQ\u4e00Z ", max_size=120),
)
def test_plausible_frames_raise_only_protocol_errors(code, tail):
    _decode_or_protocol_error((code + tail).encode())


@settings(max_examples=200, deadline=None)
@given(
    message=strategies.any_message,
    cut=st.integers(min_value=0, max_value=400),
    flip=st.tuples(st.integers(min_value=0, max_value=400), st.integers(0, 255)),
)
def test_damaged_valid_frames_raise_only_protocol_errors(message, cut, flip):
    frame = bytearray(encode(message, seq=5, checksum=False))
    if frame:
        frame[flip[0] % len(frame)] = flip[1]

    _decode_or_protocol_error(bytes(frame[:cut]))


@settings(max_examples=200, deadline=None)
@given(chunks=st.lists(st.binary(max_size=200), max_size=20))
def test_the_frame_buffer_yields_frames_or_raises_only_protocol_errors(chunks):
    buffer = FrameBuffer(max_frame=256)

    for chunk in chunks:
        try:
            for frame in buffer.feed(chunk):
                assert frame.endswith(b"\r") or frame.endswith(b"\r\n")
                _decode_or_protocol_error(frame)
        except ProtocolError as error:
            assert error.code == "too_long"
        assert len(buffer) <= 256 + 200
