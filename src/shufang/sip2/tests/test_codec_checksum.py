import pytest

from shufang.sip2.protocol import (
    BadChecksum,
    LoginResponse,
    RequestACSResend,
    RequestSCResend,
    checksum,
    checksum_valid,
    decode,
    encode,
)

# A 64 answered by a TLC server, as recorded in the tests of an open-source SIP2 client
# (NYPL's circulation); its checksum is the server's own.
TLC_PATRON_INFORMATION = (
    b"64YYYY          00020171031    092000000000000000000000000000AOhq|AA2642|AE|BLN|"
    b"AF#Unknown borrower barcode - please refer to the circulation desk.|AY1AZD46E"
)


def test_checksum_is_the_twos_complement_of_the_byte_sum():
    # "97AZ" sums to 0x010B; 0x10000 - 0x010B = 0xFEF5
    assert checksum(b"97AZ") == "FEF5"
    assert checksum(b"96AZ") == "FEF6"
    assert checksum(b"some data|AY7AZ") == "FAAA"


def test_a_frame_from_a_real_server_has_a_valid_checksum():
    assert checksum_valid(TLC_PATRON_INFORMATION) is True

    message = decode(TLC_PATRON_INFORMATION + b"\r")

    assert message.frame is not None
    assert (message.frame.seq, message.frame.checksum) == (1, True)
    assert message.patron_id == "2642"
    assert message.valid_patron is False
    assert message.screen_message == (
        "#Unknown borrower barcode - please refer to the circulation desk.",
    )


def test_resend_messages_carry_a_checksum_but_no_sequence_number():
    assert encode(RequestACSResend(), seq=4, checksum=True) == b"97AZFEF5\r"
    assert encode(RequestSCResend(), seq=4, checksum=True) == b"96AZFEF6\r"


def test_encoding_with_sequence_and_checksum_ends_with_ay_and_az():
    frame = encode(LoginResponse(ok=True), seq=3, checksum=True)

    assert frame[:-5] == b"941AY3AZ"
    assert frame.endswith(b"\r")
    assert (sum(frame[:-5]) + int(frame[-5:-1], 16)) & 0xFFFF == 0


def test_encoding_a_sequence_number_without_checksum_writes_only_ay():
    assert encode(LoginResponse(ok=False), seq=7, checksum=False) == b"940AY7\r"


def test_a_wrong_checksum_is_reported_as_bad_checksum_with_the_message_code():
    good = encode(LoginResponse(ok=True), seq=3, checksum=True)
    bad = good[:-5] + (b"0000" if good[-5:-1] != b"0000" else b"0001") + b"\r"

    with pytest.raises(BadChecksum) as raised:
        decode(bad)

    assert raised.value.code == "bad_checksum"
    assert raised.value.message_code == "94"


def test_a_lower_case_checksum_is_accepted():
    frame = b"97AZfef5\r"

    assert decode(frame) == RequestACSResend()


def test_sequence_numbers_outside_0_to_9_are_refused_when_encoding():
    with pytest.raises(ValueError):
        encode(LoginResponse(ok=True), seq=10, checksum=True)
