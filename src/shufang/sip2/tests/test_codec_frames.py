"""Decoding raw frames: examples from independent implementations, and the tolerance the
SIP2 notes ask for."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shufang.sip2.protocol import (
    LAYOUTS,
    BadEncoding,
    BadField,
    Checkin,
    CheckinResponse,
    Checkout,
    CirculationStatus,
    FeeType,
    FrameTooLong,
    HoldMode,
    ItemInformationResponse,
    Language,
    Login,
    MissingField,
    PatronInformation,
    PatronInformationResponse,
    PatronStatus,
    PatronStatusRequest,
    SCStatus,
    StatusCode,
    Summary,
    SupportedMessages,
    Truncated,
    UnknownMessage,
    decode,
    encode,
)
from shufang.sip2.protocol.codec import MAX_FRAME

DATA = Path(__file__).parent / "data"
CERIDWEN = [
    line
    for line in (DATA / "ceridwen_frames.txt").read_text().splitlines()
    if line and not line.startswith("#")
]
EPOCH = datetime(1970, 1, 1, 1, 0, 0)


def _field_codes(frame: str, fixed_width: int) -> list[str]:
    """The sorted codes of the variable fields: layouts fix the order we write, other
    implementations write in another order."""
    return sorted(part[:2] for part in frame[fixed_width:].split("|") if part)


@pytest.mark.parametrize("frame", CERIDWEN)
def test_frames_of_an_independent_implementation_decode_and_encode_to_the_same_fields(frame):
    message = decode(frame.encode())
    width = 2 + LAYOUTS[message.code].fixed_width

    assert message.frame is not None
    again = encode(message, seq=None, checksum=message.frame.checksum).decode()[:-1]

    assert message.extra == ()
    assert again[:width] == frame[:width]
    assert _field_codes(again, width) == _field_codes(frame, width)
    assert decode(again.encode()) == message


def test_a_populated_checkout_decodes_to_typed_fields():
    frame = (
        b"11YY19700101    01000019700101    010000AApatronIdentifier|ABitemIdentifier|"
        b"ACterminalPassword|ADpatronPassword|AOinstitutionId|BIY|BOY|CHitemProperties|"
    )

    assert decode(frame) == Checkout(
        sc_renewal_policy=True,
        no_block=True,
        transaction_date=EPOCH,
        nb_due_date=EPOCH,
        institution_id="institutionId",
        patron_id="patronIdentifier",
        item_id="itemIdentifier",
        terminal_password="terminalPassword",
        item_properties="itemProperties",
        patron_password="patronPassword",
        fee_acknowledged=True,
        cancel=True,
    )


def test_a_populated_patron_information_response_decodes_counts_lists_and_limits():
    message = decode(next(f for f in CERIDWEN if f.startswith("64YYYY")).encode())

    assert isinstance(message, PatronInformationResponse)
    assert message.patron_status == PatronStatus.from_wire("Y" * 14)
    assert message.patron_status.card_reported_lost is True
    assert message.language == Language.TAIWANESE
    assert (message.hold_items_count, message.unavailable_holds_count) == (1234, 1234)
    assert message.hold_items == ("holdItems1", "holdItems2")
    assert message.unavailable_hold_items == ("unavailableHoldItems1", "unavailableHoldItems2")
    assert (message.hold_items_limit, message.charged_items_limit) == (1234, 1234)
    assert (message.valid_patron, message.valid_patron_password) == (True, True)


def test_an_item_information_response_decodes_circulation_status_and_fee_type():
    message = decode(next(f for f in CERIDWEN if f.startswith("181303")).encode())

    assert isinstance(message, ItemInformationResponse)
    assert message.circulation_status is CirculationStatus.MISSING
    assert message.fee_type is FeeType.HOLD_FEE
    assert message.hold_queue_length == 12345
    assert message.recall_date == EPOCH


def test_sc_status_and_login_decode():
    assert decode(b"9900802.00\r") == SCStatus(
        status_code=StatusCode.OK, max_print_width=80, protocol_version="2.00"
    )
    assert decode(b"93UPCNkiosk|COsecret|CPLJ-01|") == Login(
        uid_algorithm="U",
        pwd_algorithm="P",
        login_user_id="kiosk",
        login_password="secret",
        location_code="LJ-01",
    )


def test_a_checkin_response_tells_a_sorter_where_the_item_goes():
    response = CheckinResponse(
        ok=True,
        resensitize=False,
        magnetic_media=None,
        alert=True,
        transaction_date=datetime(2025, 3, 1, 9, 30, 0),
        institution_id="LJ",
        item_id="31234000012345",
        permanent_location="总馆三楼",
        sort_bin="T2",
        destination="LJ-GC",
        alert_type="04",
        screen_message=("请将图书放入转运箱",),
    )

    frame = encode(response, seq=2, checksum=True, terminator=b"\r\n")

    assert frame.startswith(b"101NUY20250301    093000AOLJ|AB31234000012345|")
    assert "CLT2|CTLJ-GC|CV04|AF请将图书放入转运箱|".encode() in frame
    assert frame.endswith(b"\r\n")
    assert decode(frame) == response


def test_the_summary_position_of_a_patron_information_request_selects_the_list():
    frame = b"6301920250301    093000  Y       AOLJ|AA0001|ADpin|BP1|BQ5|"

    message = decode(frame)

    assert message == PatronInformation(
        language=Language.CHINESE,
        transaction_date=datetime(2025, 3, 1, 9, 30),
        summary=Summary.CHARGED_ITEMS,
        institution_id="LJ",
        patron_id="0001",
        patron_password="pin",
        start_item=1,
        end_item=5,
    )


def test_the_patron_status_flags_are_named_and_positional():
    status = PatronStatus(card_reported_lost=True, too_many_items_billed=True)

    assert status.to_wire() == "    Y        Y"
    assert PatronStatus.from_wire(status.to_wire()) == status
    assert SupportedMessages.all().to_wire() == "Y" * 16
    assert SupportedMessages(checkout=True).to_wire() == "NYNNNNNNNNNNNNNN"


# ---------------------------------------------------------------------- dates


def test_eighteen_blanks_for_a_due_date_mean_none():
    frame = b"11NN20250301    093000                  AOLJ|AA0001|AB3123|AC|"

    assert decode(frame).nb_due_date is None


def test_a_date_with_zone_z_is_utc_and_a_blank_zone_is_local():
    blank = decode(b"1720250301    093000AOLJ|AB3123|")
    utc = decode(b"1720250301   Z093000AOLJ|AB3123|")

    assert blank.transaction_date == datetime(2025, 3, 1, 9, 30)
    assert blank.transaction_date.tzinfo is None
    assert utc.transaction_date == datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def test_an_aware_date_is_written_in_utc_with_zone_z():
    message = SCStatus()
    assert encode(message, seq=None, checksum=False) == b"9900802.00\r"
    from datetime import timedelta, timezone

    checkin = Checkin(
        transaction_date=datetime(2025, 3, 1, 17, 30, tzinfo=timezone(timedelta(hours=8))),
        return_date=None,
        current_location="",
        institution_id="LJ",
        item_id="3123",
        terminal_password="",
    )

    assert encode(checkin, seq=None, checksum=False).startswith(
        b"09N20250301   Z093000                  AP|"
    )


def test_an_impossible_date_is_a_bad_field():
    with pytest.raises(BadField) as raised:
        decode(b"1720251301    093000AOLJ|AB3123|")

    assert (raised.value.code, raised.value.field) == ("bad_field", "transaction_date")


# ---------------------------------------------------------------------- tolerance


def test_a_patron_status_request_without_ad_decodes_with_none():
    message = decode(b"2300120250301    093000AOLJ|AA0001|AC|")

    assert message == PatronStatusRequest(
        language=Language.ENGLISH,
        transaction_date=datetime(2025, 3, 1, 9, 30),
        institution_id="LJ",
        patron_id="0001",
        terminal_password="",
        patron_password=None,
    )


def test_unknown_fields_are_kept_in_extra_and_otherwise_ignored():
    message = decode(b"1720250301    093000AOLJ|XXvendor|AB3123|ZZ|AOagain|")

    assert message.item_id == "3123"
    assert message.institution_id == "LJ"
    assert message.extra == (("XX", "vendor"), ("ZZ", ""), ("AO", "again"))


def test_the_last_field_may_lack_its_separator():
    message = decode(b"1720250301    093000AOLJ|AB3123\r")

    assert message.item_id == "3123"


def test_a_missing_item_id_on_checkout_is_a_missing_field():
    with pytest.raises(MissingField) as raised:
        decode(b"11NN20250301    093000                  AOLJ|AA0001|AC|")

    assert (raised.value.code, raised.value.field, raised.value.message_code) == (
        "missing_field",
        "AB",
        "11",
    )


def test_an_unknown_message_code_is_unknown_message():
    with pytest.raises(UnknownMessage) as raised:
        decode(b"4220250301    093000AOLJ|\r")

    assert (raised.value.code, raised.value.message_code) == ("unknown_message", "42")


def test_garbage_is_unknown_message():
    with pytest.raises(UnknownMessage) as raised:
        decode(b"\xff\xfeGET / HTTP/1.1\r\n")

    assert raised.value.message_code is None


def test_a_fixed_part_cut_short_is_truncated():
    with pytest.raises(Truncated) as raised:
        decode(b"11NN20250301    09\r")

    assert (raised.value.code, raised.value.message_code) == ("truncated", "11")


def test_an_empty_frame_is_truncated():
    with pytest.raises(Truncated):
        decode(b"\r")


def test_a_frame_over_64_kb_is_too_long():
    frame = b"17" + b"x" * MAX_FRAME + b"\r"

    with pytest.raises(FrameTooLong) as raised:
        decode(frame)

    assert raised.value.code == "too_long"


def test_bytes_that_are_not_utf_8_are_bad_encoding():
    frame = "1720250301    093000AOLJ|AB3123|AJ红楼梦|".encode("gb18030")

    with pytest.raises(BadEncoding) as raised:
        decode(frame)

    assert (raised.value.code, raised.value.message_code) == ("bad_encoding", "17")


def test_gb18030_names_and_titles_decode_for_a_gb18030_account():
    # 丽 (C0 F6) and 馆 (B9 DD): trail bytes that are not ASCII, and 亅 whose GB18030 trail
    # byte is 0x7C ('|'), the field separator: fields are split only after decoding.
    response = PatronInformationResponse(
        transaction_date=datetime(2025, 3, 1, 9, 30),
        institution_id="丽江市图书馆",
        patron_id="0001",
        personal_name="木亅",
        charged_items=("红楼梦", "亅"),
    )

    frame = encode(response, seq=0, checksum=True, encoding="gb18030")

    assert "亅".encode("gb18030")[1:] == b"|"
    assert decode(frame, encoding="gb18030") == response


def test_a_crlf_frame_records_its_terminator_and_a_cr_frame_its_own():
    assert decode(b"9900802.00\r\n").frame.terminator == b"\r\n"
    assert decode(b"9900802.00\r").frame.terminator == b"\r"


def test_a_stray_line_feed_before_a_frame_is_ignored():
    assert decode(b"\n9900802.00\r") == SCStatus()


def test_lower_case_and_unexpected_flags_read_leniently():
    message = decode(b"11yX20250301    093000                  AOLJ|AA0001|AB3123|AC|")

    assert (message.sc_renewal_policy, message.no_block) == (True, False)


def test_values_with_a_separator_or_line_end_are_cleaned_when_encoding():
    response = CheckinResponse(
        ok=True,
        transaction_date=None,
        institution_id="LJ",
        item_id="3123",
        permanent_location="a|b\r\nc",
    )

    frame = encode(response, seq=None, checksum=False)

    assert b"AQa/b  c|" in frame
    assert frame.count(b"\r") == 1


def test_hold_mode_is_an_enum():
    message = decode(b"15+20250301    093000AOLJ|AA0001|AB3123|BY3|")

    assert message.hold_mode is HoldMode.ADD
    assert message.hold_type == 3
