"""SIP2 37 (fee paid): the device's payment goes to the reader's fines, oldest first, through
the same payment service as the desk; refusals leave the fines as they were."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shufang.circulation.models import CirculationChannel, Fine, FineStatus
from shufang.circulation.tests.conftest import local
from shufang.core.models import AuditEvent, Channel
from shufang.sip2 import protocol as p
from shufang.sip2.handlers import BAD_PIN, handle

from .conftest import PIN
from .test_handlers_circulation import zh

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2024, 4, 10, 10, 0)


@pytest.fixture
def fines(card):
    older = Fine.objects.create(
        reader=card.reader, amount=Decimal("1.20"), created_at=local(2024, 3, 1)
    )
    newer = Fine.objects.create(
        reader=card.reader, amount=Decimal("2.00"), created_at=local(2024, 4, 5)
    )
    return older, newer


def fee_paid(card, amount: str, *, pin=PIN, currency="CNY", transaction_id="T-42"):
    return p.FeePaid(
        transaction_date=WHEN,
        fee_type=p.FeeType.OVERDUE,
        payment_type=p.PaymentType.CASH,
        currency=currency,
        fee_amount=amount,
        institution_id="LJ",
        patron_id=card.number,
        patron_password=pin,
        transaction_id=transaction_id,
    )


def owed(card):
    return list(
        Fine.objects.filter(reader=card.reader)
        .order_by("pk")
        .values_list("pk", "amount", "status", "settled_at")
    )


def test_fee_paid_pays_the_oldest_fines_first_and_says_what_is_left(session, card, fines):
    older, newer = fines
    session.account.language = "en"

    response = handle(session, fee_paid(card, "2.00"))

    assert (response.code, response.payment_accepted, response.transaction_id) == (
        "38",
        True,
        "T-42",
    )
    assert response.screen_message == ("Paid 2.00 yuan; 1.20 yuan still owed.",)
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.status, older.amount) == (FineStatus.PAID, Decimal("1.20"))
    assert (newer.status, newer.amount) == (FineStatus.PAID, Decimal("0.80"))
    rest = Fine.objects.get(reader=card.reader, status=FineStatus.OUTSTANDING)
    assert rest.amount == Decimal("1.20")
    events = AuditEvent.objects.filter(action="fine.pay").order_by("pk")
    assert [(e.channel, e.actor_label, e.changes["channel"]) for e in events] == [
        (Channel.KIOSK, "sip2:kiosk-01", CirculationChannel.SELF_SERVICE)
    ] * 2


def test_fee_paid_above_what_is_owed_is_refused_and_changes_nothing(session, card, fines):
    session.account.language = "en"
    before = owed(card)

    response = handle(session, fee_paid(card, "5.00"))

    assert (response.code, response.payment_accepted) == ("38", False)
    assert response.screen_message == ("The amount is more than is owed.",)
    assert owed(card) == before


def test_fee_paid_in_another_currency_is_refused(session, card, fines):
    session.account.language = "en"
    before = owed(card)

    response = handle(session, fee_paid(card, "1.00", currency="USD"))

    assert response.payment_accepted is False
    assert response.screen_message == ("Only payments in yuan (CNY) are accepted.",)
    assert owed(card) == before


def test_fee_paid_with_an_amount_that_is_not_money_is_refused(session, card, fines):
    session.account.language = "en"
    before = owed(card)

    response = handle(session, fee_paid(card, "1,00"))

    assert response.payment_accepted is False
    assert response.screen_message == ("The amount must be above zero, in yuan and fen.",)
    assert owed(card) == before


def test_fee_paid_with_a_wrong_pin_is_refused_in_the_account_language(session, card, fines):
    before = owed(card)

    response = handle(session, fee_paid(card, "1.00", pin="0000"))

    assert response.payment_accepted is False
    assert response.screen_message == (zh(BAD_PIN),)
    assert owed(card) == before


def test_fee_paid_by_a_reader_who_owes_nothing_is_refused(session, card):
    session.account.language = "en"

    response = handle(session, fee_paid(card, "1.00"))

    assert response.payment_accepted is False
    assert response.screen_message == ("The reader owes nothing.",)
    assert Fine.objects.count() == 0
