"""The SIP2 server over real sockets on 127.0.0.1: a kiosk's whole session, bad input of every
kind, and that other connections keep working throughout."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time

import pysip2
import pytest
from django.db import close_old_connections

from shufang.catalogue.models import ItemStatus
from shufang.circulation.models import Loan, LoanStatus
from shufang.core.models import AuditEvent
from shufang.sip2 import protocol as p
from shufang.sip2.models import LoginFailure

from .conftest import DEVICE_PASSWORD, PIN

pytestmark = pytest.mark.django_db(transaction=True)

WHEN = dt.datetime(2024, 3, 5, 10, 0)


def checkout(card, item, pin=PIN):
    return p.Checkout(
        transaction_date=WHEN,
        nb_due_date=None,
        institution_id="LJ",
        patron_id=card.number,
        item_id=item.barcode,
        terminal_password="",
        patron_password=pin,
    )


def checkin(item):
    return p.Checkin(
        transaction_date=WHEN,
        return_date=None,
        current_location="",
        institution_id="LJ",
        item_id=item.barcode,
        terminal_password="",
    )


def still_works(client, card):
    """The other connection answers a patron information request correctly."""
    response = client.request(
        p.PatronInformation(
            transaction_date=WHEN, institution_id="LJ", patron_id=card.number, patron_password=PIN
        )
    )
    return response.code == "64" and response.valid_patron_password is True


def test_a_kiosk_session_logs_in_lends_renews_returns_and_ends(connect, device, card, item):
    kiosk = connect()

    login = kiosk.login()
    status = kiosk.request(p.SCStatus())
    info = kiosk.request(
        p.PatronInformation(
            transaction_date=WHEN,
            summary=p.Summary.CHARGED_ITEMS,
            institution_id="LJ",
            patron_id=card.number,
            patron_password=PIN,
        )
    )
    lent = kiosk.request(checkout(card, item))
    renewed = kiosk.request(
        p.Renew(
            transaction_date=WHEN,
            institution_id="LJ",
            patron_id=card.number,
            patron_password=PIN,
            item_id=item.barcode,
        )
    )
    item_info = kiosk.request(
        p.ItemInformation(transaction_date=WHEN, institution_id="LJ", item_id=item.barcode)
    )
    returned = kiosk.request(checkin(item))
    ended = kiosk.request(
        p.EndPatronSession(transaction_date=WHEN, institution_id="LJ", patron_id=card.number)
    )

    assert login.ok is True
    assert (status.online_status, status.institution_id, status.terminal_location) == (
        True,
        "LJ",
        "LJ-KIOSK-1",
    )
    assert status.supported_messages.checkout is True
    assert (info.personal_name, info.charged_items_count) == (card.reader.name, 0)
    assert (lent.ok, renewed.ok, renewed.renewal_ok) == (True, True, True)
    assert item_info.circulation_status == p.CirculationStatus.CHARGED
    assert (returned.ok, returned.destination, returned.alert_type) == (True, "LJ-MAIN", "04")
    assert ended.end_session is True
    loan = Loan.objects.get()
    assert (loan.status, loan.renewals, loan.device) == (LoanStatus.RETURNED, 1, "sip2:kiosk-01")


def test_responses_follow_the_client_line_end_and_sequence_number(connect, device):
    kiosk = connect(terminator=b"\r\n")
    kiosk.login()

    kiosk.send_raw(b"9900802.00AY7AZ" + p.checksum(b"9900802.00AY7AZ").encode() + b"\r\n")
    raw = kiosk.receive_raw()

    assert raw.endswith(b"\r\n")
    assert b"AY7AZ" in raw
    assert p.checksum_valid(raw[:-2])


def test_a_wrong_login_is_refused_logged_and_throttled(connect, device):
    kiosk = connect()

    answers = [kiosk.login(password="wrong-password").ok for _ in range(5)]
    after = kiosk.login(password=DEVICE_PASSWORD)

    assert answers == [False] * 5
    assert after.ok is False  # throttled, even with the right password
    assert LoginFailure.objects.filter(login="kiosk-01").count() == 6
    assert AuditEvent.objects.filter(action="sip2.login_failed").count() == 6


def test_a_wrong_checksum_is_answered_96_and_the_connection_goes_on(connect, device, card):
    kiosk = connect()
    kiosk.login()

    kiosk.send_raw(b"9900802.00AY1AZ0000\r")
    answer = kiosk.receive_raw()

    assert answer == b"96AZFEF6\r"
    assert still_works(kiosk, card)


def test_97_resends_the_last_response(connect, device):
    kiosk = connect()
    kiosk.login()
    kiosk.request(p.SCStatus())
    kiosk.send_raw(p.encode(p.SCStatus(), seq=3, checksum=True))
    last = kiosk.receive_raw()

    kiosk.send_raw(b"97AZFEF5\r")
    again = kiosk.receive_raw()

    assert again == last


def test_garbage_closes_only_that_connection(connect, device, card):
    other = connect()
    other.login()
    bad = connect()

    bad.send_raw(b"\xff\xfehello there\r")

    assert bad.closed_by_server()
    assert still_works(other, card)


def test_an_unknown_message_code_is_answered_96(connect, device, card):
    kiosk = connect()
    kiosk.login()

    kiosk.send_raw(b"42hello\r")

    assert kiosk.receive_raw() == b"96AZFEF6\r"
    assert still_works(kiosk, card)


def test_a_truncated_frame_gets_its_response_type_with_ok_0(connect, device, card):
    kiosk = connect()
    kiosk.login()

    kiosk.send_raw(b"11NN20240305\r")
    answer = p.decode(kiosk.receive_raw())

    assert (answer.code, answer.ok) == ("12", False)
    assert answer.screen_message
    assert Loan.objects.count() == 0
    assert still_works(kiosk, card)


def test_a_missing_required_field_gets_ok_0_and_a_screen_message(connect, device, card):
    kiosk = connect()
    kiosk.login()

    # a checkout without AB (item id)
    kiosk.send_raw(f"11NN20240305    100000                  AOLJ|AA{card.number}|AC|\r".encode())
    answer = p.decode(kiosk.receive_raw())

    assert (answer.code, answer.ok) == ("12", False)
    assert Loan.objects.count() == 0


def test_a_frame_over_64_kb_is_refused_and_the_server_goes_on(connect, device, card):
    kiosk = connect()
    kiosk.login()
    other = connect()
    other.login()

    kiosk.send_raw(b"63" + b"x" * (70 * 1024) + b"\r")
    answer = kiosk.receive_raw()

    assert answer == b"96AZFEF6\r"
    assert still_works(kiosk, card)
    assert still_works(other, card)


def test_requests_before_login_get_no_data(connect, device, card, item):
    kiosk = connect()

    answer = kiosk.request(checkout(card, item))

    assert answer.ok is False
    assert Loan.objects.count() == 0


def test_a_dropped_connection_mid_checkout_leaves_no_half_made_loan(connect, device, card, item):
    other = connect()
    other.login()
    kiosk = connect()
    kiosk.login()

    kiosk.send_raw(p.encode(checkout(card, item), seq=1, checksum=True))
    kiosk.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    kiosk.close()  # reset at once, before the answer
    time.sleep(0.5)

    assert still_works(other, card)
    item.refresh_from_db()
    loans = list(Loan.objects.all())
    # either the loan was made whole (item on loan, audited) or not at all
    if loans:
        assert item.status == ItemStatus.ON_LOAN
        assert AuditEvent.objects.filter(action="loan.checkout").count() == 1
    else:
        assert item.status == ItemStatus.AVAILABLE
        assert AuditEvent.objects.filter(action="loan.checkout").count() == 0


def test_two_kiosks_checking_out_one_item_at_once_make_exactly_one_loan(
    connect, device, card, other_card, item
):
    first, second = connect(), connect()
    first.login()
    second.login()
    barrier = threading.Barrier(2)
    answers = {}

    def lend(name, client, who):
        barrier.wait()
        answers[name] = client.request(checkout(who, item))

    threads = [
        threading.Thread(target=lend, args=("a", first, card)),
        threading.Thread(target=lend, args=("b", second, other_card)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    close_old_connections()
    assert sorted(a.ok for a in answers.values()) == [False, True]
    assert Loan.objects.count() == 1


def test_an_idle_connection_is_closed_after_the_timeout(transactional_db, device):
    from shufang.sip2.server import SipServerThread

    from .conftest import SipClient

    server = SipServerThread(host="127.0.0.1", port=0, idle_timeout=0.3, workers=1).start()
    try:
        kiosk = SipClient(server.port)
        time.sleep(0.6)
        assert kiosk.closed_by_server()
    finally:
        server.stop()


def test_graceful_shutdown_answers_the_request_in_flight(transactional_db, device, card, item):
    from shufang.sip2.server import SipServerThread

    from .conftest import SipClient

    server = SipServerThread(host="127.0.0.1", port=0, idle_timeout=30, workers=1).start()
    kiosk = SipClient(server.port)
    kiosk.login()
    kiosk.send_raw(p.encode(checkout(card, item), seq=1, checksum=True))
    stopper = threading.Thread(target=server.stop)
    time.sleep(0.05)
    stopper.start()

    answer = kiosk.receive_raw()
    stopper.join()

    assert p.decode(answer).ok is True
    assert Loan.objects.count() == 1
    kiosk.close()


# ------------------------------------------------------------------ pysip2 as the client


def test_pysip2_built_requests_are_served_and_its_codec_reads_our_answers(
    connect, device, card, item
):
    """pysip2 (PyPI) offers a codec and a server but no client: its codec builds the frames
    and parses our answers, over our socket."""
    kiosk = connect()

    def exchange(message, seq):
        kiosk.send_raw(
            pysip2.encode_message(message, sequence_number=seq, checksum=True, encoding="utf-8")
        )
        return pysip2.decode_message(kiosk.receive_raw(), encoding="utf-8")

    login = exchange(
        pysip2.LoginRequest(
            uid_algorithm="0",
            pwd_algorithm="0",
            login_user_id="kiosk-01",
            login_password=DEVICE_PASSWORD,
            location_code="LJ-KIOSK-1",
        ),
        0,
    )
    lent = exchange(
        pysip2.CheckoutRequest(
            sc_renewal_policy="N",
            no_block="N",
            transaction_date="20240305    100000",
            nb_due_date="20240305    100000",
            institution_id="LJ",
            patron_identifier=card.number,
            item_identifier=item.barcode,
            terminal_password="",
            patron_password=PIN,
        ),
        1,
    )

    assert login.message.ok == "1"
    assert lent.message.ok == "1"
    assert lent.message.item_identifier == item.barcode
    assert Loan.objects.filter(item=item, status=LoanStatus.ACTIVE).count() == 1
