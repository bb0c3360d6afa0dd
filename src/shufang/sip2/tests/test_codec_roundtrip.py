import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shufang.sip2.protocol import LAYOUTS, FrameInfo, decode, encode
from shufang.sip2.protocol.messages import REQUEST_CODES, RESPONSE_CODES

from . import strategies


def test_the_layout_table_has_every_message_of_the_sip2_notes():
    assert sorted(LAYOUTS) == sorted(REQUEST_CODES + RESPONSE_CODES)
    assert len(LAYOUTS) == 31


@pytest.mark.parametrize("code", sorted(LAYOUTS))
def test_each_layout_names_every_dataclass_field_exactly_once(code):
    layout = LAYOUTS[code]
    in_layout = [f.name for f in layout.fixed] + [
        v.name for v in (*layout.required, *layout.optional)
    ]
    in_class = [f.name for f in dataclasses.fields(layout.message_class)]

    assert layout.message_class.code == code
    assert sorted(in_layout) == sorted(set(in_layout))
    assert sorted(in_layout + ["extra", "frame"]) == sorted(in_class)


@pytest.mark.parametrize("code", sorted(LAYOUTS))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_message_survives_encode_then_decode(code, data):
    original = data.draw(strategies.message(code))
    seq = data.draw(st.none() | st.integers(min_value=0, max_value=9))
    with_checksum = data.draw(st.booleans())
    terminator = data.draw(st.sampled_from([b"\r", b"\r\n"]))

    frame = encode(original, seq=seq, checksum=with_checksum, terminator=terminator)
    decoded = decode(frame)

    assert decoded == original
    expected_seq = None if code in ("96", "97") else seq
    assert decoded.frame == FrameInfo(
        seq=expected_seq, checksum=with_checksum, terminator=terminator
    )


@settings(max_examples=50, deadline=None)
@given(original=strategies.any_message)
def test_every_message_survives_a_gb18030_round_trip(original):
    frame = encode(original, seq=1, checksum=True, encoding="gb18030")

    assert decode(frame, encoding="gb18030") == original
