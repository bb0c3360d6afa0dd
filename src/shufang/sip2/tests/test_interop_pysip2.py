"""Interoperability with pysip2, an independent SIP2 2.00 implementation from PyPI: frames its
codec builds decode with ours, and frames we build decode with its (strictly validating)
codec. Both sides use UTF-8 here (pysip2 defaults to cp850)."""

from datetime import datetime

import pysip2
import pytest

from shufang.sip2.protocol import (
    ACSStatus,
    BadChecksum,
    Checkin,
    CheckinResponse,
    Checkout,
    CheckoutResponse,
    CirculationStatus,
    ItemInformationResponse,
    Language,
    LoginResponse,
    PatronInformation,
    PatronInformationResponse,
    PatronStatus,
    Renew,
    SupportedMessages,
    decode,
    encode,
)

WHEN = "20250301    093000"
AT = datetime(2025, 3, 1, 9, 30)


def their_frame(message, seq=1):
    return pysip2.encode_message(message, sequence_number=seq, checksum=True, encoding="utf-8")


def their_decode(frame):
    return pysip2.decode_message(frame, encoding="utf-8")


def test_a_login_built_by_pysip2_decodes_with_our_codec():
    frame = their_frame(
        pysip2.LoginRequest(
            uid_algorithm="0",
            pwd_algorithm="0",
            login_user_id="kiosk-01",
            login_password="秘密",
            location_code="LJ-GC",
        ),
        seq=0,
    )

    message = decode(frame)

    assert (message.login_user_id, message.login_password, message.location_code) == (
        "kiosk-01",
        "秘密",
        "LJ-GC",
    )
    assert (message.frame.seq, message.frame.checksum) == (0, True)


def test_a_patron_information_request_built_by_pysip2_decodes_with_our_codec():
    frame = their_frame(
        pysip2.PatronInformationRequest(
            language="019",
            transaction_date=WHEN,
            summary="  Y       ",
            institution_id="LJ",
            patron_identifier="0001",
            terminal_password="",
            patron_password="1234",
            start_item="1",
            end_item="5",
        )
    )

    assert decode(frame) == PatronInformation(
        language=Language.CHINESE,
        transaction_date=AT,
        summary=2,
        institution_id="LJ",
        patron_id="0001",
        terminal_password="",
        patron_password="1234",
        start_item=1,
        end_item=5,
    )


def test_checkout_renew_and_checkin_built_by_pysip2_decode_with_our_codec():
    checkout = their_frame(
        pysip2.CheckoutRequest(
            sc_renewal_policy="N",
            no_block="Y",
            transaction_date=WHEN,
            nb_due_date=WHEN,  # pysip2 refuses 18 blanks here
            institution_id="LJ",
            patron_identifier="0001",
            item_identifier="3123",
            terminal_password="",
            patron_password="1234",
        ),
        seq=2,
    )
    renew = their_frame(
        pysip2.RenewRequest(
            third_party_allowed="N",
            no_block="N",
            transaction_date=WHEN,
            nb_due_date=WHEN,
            institution_id="LJ",
            patron_identifier="0001",
            item_identifier="3123",
        ),
        seq=3,
    )
    checkin = their_frame(
        pysip2.CheckinRequest(
            no_block="N",
            transaction_date=WHEN,
            return_date=WHEN,
            current_location="LJ-GC",
            institution_id="LJ",
            item_identifier="3123",
            terminal_password="",
        ),
        seq=4,
    )

    assert decode(checkout) == Checkout(
        no_block=True,
        transaction_date=AT,
        nb_due_date=AT,
        institution_id="LJ",
        patron_id="0001",
        item_id="3123",
        terminal_password="",
        patron_password="1234",
    )
    assert decode(renew) == Renew(
        transaction_date=AT, nb_due_date=AT, institution_id="LJ", patron_id="0001", item_id="3123"
    )
    assert decode(checkin) == Checkin(
        transaction_date=AT,
        return_date=AT,
        current_location="LJ-GC",
        institution_id="LJ",
        item_id="3123",
        terminal_password="",
    )


def test_every_request_pysip2_can_build_decodes_to_the_same_code():
    requests = [
        pysip2.SCStatusRequest(status_code="0", max_print_width="080", protocol_version="2.00"),
        pysip2.PatronStatusRequest(
            language="001",
            transaction_date=WHEN,
            institution_id="LJ",
            patron_identifier="0001",
            terminal_password="",
            patron_password="",
        ),
        pysip2.RenewAllRequest(transaction_date=WHEN, institution_id="LJ", patron_identifier="1"),
        pysip2.ItemInformationRequest(
            transaction_date=WHEN, institution_id="LJ", item_identifier="3"
        ),
        pysip2.ItemStatusUpdateRequest(
            transaction_date=WHEN, institution_id="LJ", item_identifier="3", item_properties="p"
        ),
        pysip2.HoldRequest(
            hold_mode="+",
            transaction_date=WHEN,
            institution_id="LJ",
            patron_identifier="1",
            expiration_date=WHEN,
            hold_type="2",
        ),
        pysip2.FeePaidRequest(
            transaction_date=WHEN,
            fee_type="04",
            payment_type="00",
            currency_type="CNY",
            fee_amount="1.50",
            institution_id="LJ",
            patron_identifier="1",
        ),
        pysip2.EndPatronSessionRequest(
            transaction_date=WHEN, institution_id="LJ", patron_identifier="1"
        ),
        pysip2.PatronEnableRequest(
            transaction_date=WHEN, institution_id="LJ", patron_identifier="1"
        ),
        pysip2.BlockPatronRequest(
            card_retained="N",
            transaction_date=WHEN,
            institution_id="LJ",
            blocked_card_message="lost",
            patron_identifier="1",
            terminal_password="",
        ),
        pysip2.RequestACSResend(),
    ]

    codes = [decode(their_frame(request)).code for request in requests]

    assert codes == ["99", "23", "65", "17", "19", "15", "37", "35", "25", "01", "97"]


def test_our_responses_decode_with_pysip2():
    responses = [
        LoginResponse(ok=True),
        ACSStatus(
            date_time_sync=AT,
            institution_id="LJ",
            library_name="丽江市图书馆",
            supported_messages=SupportedMessages.all(),
        ),
        PatronInformationResponse(
            patron_status=PatronStatus(too_many_items_overdue=True),
            language=Language.CHINESE,
            transaction_date=AT,
            charged_items_count=2,
            institution_id="LJ",
            patron_id="0001",
            personal_name="木府",
            charged_items_limit=20,
            valid_patron=True,
            valid_patron_password=True,
            charged_items=("3123", "3124"),
            screen_message=("您有一本图书逾期",),
        ),
        CheckoutResponse(
            ok=True,
            renewal_ok=False,
            magnetic_media=False,
            desensitize=True,
            transaction_date=AT,
            institution_id="LJ",
            patron_id="0001",
            item_id="3123",
            title="红楼梦",
            due_date="20250331    235959",
        ),
        CheckinResponse(
            ok=True,
            resensitize=True,
            alert=True,
            transaction_date=AT,
            institution_id="LJ",
            item_id="3123",
            permanent_location="GC-3F",
            sort_bin="T2",
            destination="LJ-YL",
            alert_type="04",
        ),
        ItemInformationResponse(
            circulation_status=CirculationStatus.IN_TRANSIT,
            transaction_date=AT,
            item_id="3123",
            title="红楼梦",
            hold_queue_length=1,
        ),
    ]

    decoded = [their_decode(encode(response, seq=6, checksum=True)) for response in responses]

    assert [d.sequence_number for d in decoded] == [6] * 6
    login, status, patron, checkout, checkin, item = (d.message for d in decoded)
    assert login.ok == "1"
    assert (status.supported_messages, status.library_name) == ("Y" * 16, "丽江市图书馆")
    assert status.date_time_sync == WHEN
    assert patron.patron_status == "      Y       "
    assert (patron.charged_items_count, patron.charged_items_limit) == ("0002", "0020")
    assert patron.charged_items == ("3123", "3124")
    assert patron.screen_message == ("您有一本图书逾期",)
    assert (checkout.ok, checkout.magnetic_media, checkout.desensitize) == ("1", "N", "Y")
    assert (checkout.title_identifier, checkout.due_date) == ("红楼梦", "20250331    235959")
    assert (checkin.alert, checkin.sort_bin, checkin.permanent_location) == ("Y", "T2", "GC-3F")
    assert (item.circulation_status, item.hold_queue_length) == ("10", "1")


def test_a_bad_checksum_is_detected_by_both_codecs():
    frame = bytearray(encode(LoginResponse(ok=True), seq=1, checksum=True))
    frame[2] = ord("0")  # the ok flag changes, the checksum does not

    with pytest.raises(pysip2.SIP2ChecksumError):
        their_decode(bytes(frame))
    with pytest.raises(BadChecksum):
        decode(bytes(frame))
