import pytest

from shufang.sip2.protocol import FrameBuffer, FrameTooLong, decode


def test_frames_come_out_whole_however_the_bytes_are_split():
    stream = b"9900802.00\r9300CNkiosk|COsecret|\r"
    buffer = FrameBuffer()

    frames = [frame for i in range(len(stream)) for frame in buffer.feed(stream[i : i + 1])]

    assert frames == [b"9900802.00\r", b"9300CNkiosk|COsecret|\r"]
    assert len(buffer) == 0


def test_crlf_frames_keep_their_terminator_and_the_buffer_remembers_the_style():
    buffer = FrameBuffer()

    frames = list(buffer.feed(b"9900802.00\r\n9900802.00\r\n"))

    assert frames == [b"9900802.00\r\n", b"9900802.00\r\n"]
    assert buffer.terminator == b"\r\n"
    assert decode(frames[0]).frame.terminator == b"\r\n"


def test_an_lf_arriving_in_the_next_chunk_belongs_to_the_previous_frame():
    buffer = FrameBuffer()

    first = list(buffer.feed(b"9900802.00\r"))
    second = list(buffer.feed(b"\n9900802.00\r\n"))

    assert first == [b"9900802.00\r"]
    assert second == [b"9900802.00\r\n"]
    assert buffer.terminator == b"\r\n"


def test_an_incomplete_frame_waits_for_its_end():
    buffer = FrameBuffer()

    assert list(buffer.feed(b"9900802")) == []
    assert len(buffer) == 7
    assert list(buffer.feed(b".00\r")) == [b"9900802.00\r"]


def test_a_frame_over_the_limit_is_refused_once_and_the_next_frame_comes_through():
    buffer = FrameBuffer(max_frame=100)

    with pytest.raises(FrameTooLong) as raised:
        list(buffer.feed(b"17" + b"x" * 200))
    held_after_refusal = len(buffer)
    assert list(buffer.feed(b"y" * 500)) == []
    frames = list(buffer.feed(b"zz\r9900802.00\r"))

    assert raised.value.code == "too_long"
    assert held_after_refusal == 0
    assert len(buffer) == 0
    assert frames == [b"9900802.00\r"]


def test_frames_after_a_long_one_in_the_same_chunk_are_collected_by_feeding_nothing():
    buffer = FrameBuffer(max_frame=10)
    collected = []

    with pytest.raises(FrameTooLong):
        collected.extend(buffer.feed(b"9900802.00\r" + b"x" * 20 + b"\r9900802.00\r"))
    collected.extend(buffer.feed(b""))

    assert collected == [b"9900802.00\r", b"9900802.00\r"]


def test_the_buffer_never_holds_much_more_than_the_limit():
    buffer = FrameBuffer(max_frame=1000)
    refusals = 0

    for _ in range(100):
        try:
            list(buffer.feed(b"x" * 300))
        except FrameTooLong:
            refusals += 1
        assert len(buffer) <= 1000 + 300

    assert refusals == 1
