"""SIP2 handlers on decoded messages, against the database: the same services, blocks and
audit as the desk, with the kiosk's channel and device recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from shufang.catalogue.models import ItemStatus
from shufang.circulation.models import CirculationChannel, Hold, HoldStatus, Loan, LoanStatus
from shufang.core.models import AuditEvent
from shufang.readers.models import CardStatus
from shufang.sip2 import protocol as p
from shufang.sip2.handlers import (
    BAD_PIN,
    NOT_LOGGED_IN,
    TITLE_AMBIGUOUS,
    TITLE_UNKNOWN,
    Session,
    handle,
)

from .conftest import PIN


def zh(message) -> str:
    """A message of the SIP2 layer as a Chinese device shows it."""
    with translation.override("zh-hans"):
        return str(message)


pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2024, 3, 5, 10, 0)


def checkout(card, item, *, pin=PIN, no_block=False, renewal=False):
    return p.Checkout(
        sc_renewal_policy=renewal,
        no_block=no_block,
        transaction_date=WHEN,
        nb_due_date=None,
        institution_id="LJ",
        patron_id=card.number,
        item_id=item.barcode,
        terminal_password="",
        patron_password=pin,
    )


def checkin(item, *, no_block=False, return_date=None):
    return p.Checkin(
        no_block=no_block,
        transaction_date=WHEN,
        return_date=return_date,
        current_location="LJ-KIOSK-1",
        institution_id="LJ",
        item_id=item.barcode,
        terminal_password="",
    )


def patron_info(card, *, pin=PIN, summary=None):
    return p.PatronInformation(
        transaction_date=WHEN,
        summary=summary,
        institution_id="LJ",
        patron_id=card.number,
        patron_password=pin,
    )


def test_kiosk_checkout_lends_through_the_service_with_channel_and_device(session, card, item):
    response = handle(session, checkout(card, item))

    loan = Loan.objects.get()
    assert (response.code, response.ok, response.item_id) == ("12", True, item.barcode)
    assert (loan.reader_id, loan.channel, loan.device, loan.no_block) == (
        card.reader_id,
        CirculationChannel.SELF_SERVICE,
        "sip2:kiosk-01",
        False,
    )
    assert response.due_date == p.fields.Date().encode(
        loan.due_at.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
    )
    event = AuditEvent.objects.get(action="loan.checkout")
    assert (event.channel, event.actor_label) == ("kiosk", "sip2:kiosk-01")


def test_a_wrong_pin_refuses_checkout_and_lends_nothing(session, card, item):
    response = handle(session, checkout(card, item, pin="9999"))

    assert (response.ok, response.screen_message) == (False, (zh(BAD_PIN),))
    assert Loan.objects.count() == 0
    assert AuditEvent.objects.filter(action="loan.checkout").count() == 0


def test_expired_card_is_refused_with_the_block_message_in_chinese(session, card, item):
    card.status = CardStatus.EXPIRED
    card.save()

    response = handle(session, checkout(card, item))

    assert response.ok is False
    assert response.screen_message == ("读者证已过期。",)
    assert Loan.objects.count() == 0
    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE


def test_the_screen_message_follows_the_account_language(session, card, item):
    card.status = CardStatus.EXPIRED
    card.save()
    session.account.language = "en"

    response = handle(session, checkout(card, item))

    assert response.screen_message == ("The reader's card has expired.",)


def test_no_block_checkout_from_an_offline_device_is_accepted_and_flagged(session, card, item):
    card.status = CardStatus.EXPIRED
    card.save()

    response = handle(session, checkout(card, item, pin="", no_block=True))

    loan = Loan.objects.get()
    assert response.ok is True
    assert (loan.no_block, loan.overrides) == (True, ["card_expired"])


def test_checkout_of_an_item_already_lent_to_the_reader_renews_when_the_device_asks(
    session, card, item
):
    handle(session, checkout(card, item))

    response = handle(session, checkout(card, item, renewal=True))

    assert (response.ok, response.renewal_ok) == (True, True)
    assert Loan.objects.get().renewals == 1


def test_checkout_of_an_item_lent_to_another_reader_is_refused(session, card, other_card, item):
    handle(session, checkout(other_card, item))

    response = handle(session, checkout(card, item))

    assert (response.ok, response.screen_message) == (False, ("该复本已借出。",))
    assert Loan.objects.get().reader_id == other_card.reader_id


def test_checkin_returns_the_loan_and_sends_the_item_to_the_shelf_bin(
    session, card, make_item, kiosk
):
    kept_here = make_item(home=kiosk)
    handle(session, checkout(card, kept_here))

    response = handle(session, checkin(kept_here))

    loan = Loan.objects.get()
    assert loan.status == LoanStatus.RETURNED
    assert (response.code, response.ok, response.alert, response.destination) == (
        "10",
        True,
        False,
        None,
    )
    assert (response.sort_bin, response.resensitize) == ("shelf:ZW", True)  # the collection code
    assert response.permanent_location == "LJ-KIOSK-1"


def test_checkin_at_the_kiosk_sends_a_main_building_item_home(session, card, item):
    handle(session, checkout(card, item))

    response = handle(session, checkin(item))

    assert (response.alert, response.alert_type, response.destination) == (True, "04", "LJ-MAIN")


def test_checkin_of_an_item_another_reader_holds_here_raises_the_hold_alert(
    session, card, other_card, item, main, system_actor
):
    from shufang.circulation.services.holds import hold_place

    handle(session, checkout(card, item))
    hold_place(
        reader=other_card.reader,
        record=item.record,
        pickup_service_point=main,
        actor=system_actor,
        channel=CirculationChannel.DESK,
    )

    response = handle(session, checkin(item))

    hold = Hold.objects.get()
    assert hold.status in (HoldStatus.READY, HoldStatus.IN_TRANSIT)
    assert response.alert is True
    assert response.alert_type in ("01", "02")
    assert response.hold_patron_id == other_card.number


def test_checkin_away_from_home_says_where_to_send_the_item(session, card, make_item, yl_main):
    away = make_item(home=yl_main)
    handle(session, checkout(card, away))

    response = handle(session, checkin(away))

    assert (response.alert, response.alert_type, response.destination) == (True, "04", "YL-MAIN")


def test_item_information_maps_the_item_status(session, card, item):
    before = handle(
        session, p.ItemInformation(transaction_date=WHEN, institution_id="LJ", item_id=item.barcode)
    )
    handle(session, checkout(card, item))

    after = handle(
        session, p.ItemInformation(transaction_date=WHEN, institution_id="LJ", item_id=item.barcode)
    )

    assert before.circulation_status == p.CirculationStatus.AVAILABLE
    assert after.circulation_status == p.CirculationStatus.CHARGED
    assert after.due_date is not None
    assert (after.title, after.permanent_location) == (item.record.title, "LJ-MAIN")


def test_patron_information_counts_and_lists_charged_items(session, card, item, make_item):
    second = make_item()
    handle(session, checkout(card, item))
    handle(session, checkout(card, second))

    response = handle(session, patron_info(card, summary=p.Summary.CHARGED_ITEMS))

    assert (response.valid_patron, response.valid_patron_password) == (True, True)
    assert response.charged_items_count == 2
    assert sorted(response.charged_items) == sorted([item.barcode, second.barcode])
    assert response.personal_name == card.reader.name


def test_patron_information_without_the_pin_reveals_nothing(session, card, item):
    handle(session, checkout(card, item))

    response = handle(session, patron_info(card, pin=None))

    assert (response.valid_patron, response.valid_patron_password) == (True, False)
    assert (response.personal_name, response.charged_items_count) == ("", 0)


def test_renew_extends_the_loan(session, card, item):
    handle(session, checkout(card, item))
    due = Loan.objects.get().due_at

    response = handle(
        session,
        p.Renew(
            transaction_date=WHEN,
            institution_id="LJ",
            patron_id=card.number,
            patron_password=PIN,
            item_id=item.barcode,
        ),
    )

    loan = Loan.objects.get()
    assert (response.code, response.ok, loan.renewals) == ("30", True, 1)
    assert loan.due_at >= due


def test_hold_places_a_hold_on_the_title(session, card, other_card, item):
    handle(session, checkout(other_card, item))

    response = handle(
        session,
        p.Hold(
            hold_mode=p.HoldMode.ADD,
            transaction_date=WHEN,
            institution_id="LJ",
            patron_id=card.number,
            patron_password=PIN,
            item_id=item.barcode,
        ),
    )

    hold = Hold.objects.get()
    assert (response.ok, response.queue_position, response.pickup_location) == (True, 1, "LJ-MAIN")
    assert (hold.reader_id, hold.channel) == (card.reader_id, CirculationChannel.SELF_SERVICE)


def hold_by_title(card, title):
    return p.Hold(
        hold_mode=p.HoldMode.ADD,
        transaction_date=WHEN,
        institution_id="LJ",
        patron_id=card.number,
        patron_password=PIN,
        title=title,
    )


def test_hold_by_title_places_a_hold_on_the_one_record_so_called(session, card, other_card, item):
    handle(session, checkout(other_card, item))

    response = handle(session, hold_by_title(card, " 活着 "))

    hold = Hold.objects.get()
    assert (response.ok, response.item_id, response.title) == (True, None, "活着")
    assert (hold.reader_id, hold.record_id) == (card.reader_id, item.record_id)


def test_hold_by_a_title_two_records_share_is_refused_and_nothing_is_placed(
    session, card, other_card, item
):
    from shufang.catalogue.models import Record

    Record.objects.create(title="活着", authors="另一位作者")
    handle(session, checkout(other_card, item))

    response = handle(session, hold_by_title(card, "活着"))

    assert response.ok is False
    assert response.screen_message == (zh(TITLE_AMBIGUOUS) % {"title": "活着"},)
    assert Hold.objects.count() == 0


def test_hold_by_a_title_no_record_has_is_refused(session, card, item):
    response = handle(session, hold_by_title(card, "活"))

    assert response.ok is False
    assert response.screen_message == (zh(TITLE_UNKNOWN) % {"title": "活"},)
    assert Hold.objects.count() == 0


def test_sc_status_records_the_device_seen_once_a_minute_per_connection(session, device):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shufang.sip2.models import DeviceAccount

    with CaptureQueriesContext(connection) as first:
        handle(session, p.SCStatus())
    with CaptureQueriesContext(connection) as again:
        answer = handle(session, p.SCStatus())

    assert answer.online_status is True
    assert len(first.captured_queries) == 1  # the conditional UPDATE of last_seen_at
    assert len(again.captured_queries) == 0
    assert DeviceAccount.objects.get(pk=device.pk).last_seen_at is not None


def test_nothing_but_sc_status_is_answered_before_login(device, card, item):
    anonymous = Session(peer="127.0.0.1")

    status = handle(anonymous, p.SCStatus())
    refused = handle(anonymous, checkout(card, item))
    info = handle(anonymous, patron_info(card))

    assert status.code == "98" and status.online_status is True
    assert (refused.ok, refused.screen_message) == (False, (zh(NOT_LOGGED_IN),))
    assert (info.personal_name, info.charged_items_count, info.valid_patron) == ("", 0, False)
    assert Loan.objects.count() == 0


def test_an_operation_the_account_does_not_allow_is_refused(session, card, item):
    session.account.operations = ["09"]

    response = handle(session, checkout(card, item))

    assert response.ok is False
    assert Loan.objects.count() == 0


def test_end_session_forgets_the_pin(session, card):
    handle(session, patron_info(card))
    handle(
        session,
        p.EndPatronSession(transaction_date=WHEN, institution_id="LJ", patron_id=card.number),
    )

    assert session.pin_remembered(card.number, PIN) is False


def status_update(barcode: str, properties: str | None) -> p.ItemStatusUpdate:
    return p.ItemStatusUpdate(
        transaction_date=WHEN, institution_id="LJ", item_id=barcode, item_properties=properties
    )


@pytest.fixture
def sorter(session):
    """The session of a machine allowed to change item properties (a sorter: 19)."""
    session.account.operations = [*session.account.operations, "19"]
    session.account.save()
    return session


def test_a_kiosk_may_not_change_item_properties_by_default(session, item):
    answer = handle(session, status_update(item.barcode, "附光盘 1 张"))

    assert answer.item_properties_ok is False
    item.refresh_from_db()
    assert item.properties == ""


def test_item_status_update_keeps_the_properties_and_item_information_shows_them(sorter, item):
    session = sorter
    # when a sorter records that the copy comes with a disc
    answer = handle(session, status_update(item.barcode, "附光盘 1 张"))
    # then it is kept, audited with the device, and shown to the next machine that asks
    assert (answer.code, answer.item_properties_ok) == ("20", True)
    assert (answer.item_properties, answer.title) == ("附光盘 1 张", item.record.title)
    item.refresh_from_db()
    assert item.properties == "附光盘 1 张"
    audit = AuditEvent.objects.get(action="item.update")
    assert audit.changes["properties"] == ["", "附光盘 1 张"]
    info = handle(
        session, p.ItemInformation(transaction_date=WHEN, institution_id="LJ", item_id=item.barcode)
    )
    assert info.item_properties == "附光盘 1 张"


def test_item_status_update_of_an_unknown_or_too_long_item_changes_nothing(sorter, item):
    session = sorter
    unknown = handle(session, status_update("NO-SUCH-ITEM", "x"))
    too_long = handle(session, status_update(item.barcode, "长" * 256))

    assert (unknown.item_properties_ok, too_long.item_properties_ok) == (False, False)
    assert unknown.screen_message and too_long.screen_message
    item.refresh_from_db()
    assert item.properties == ""
    assert not AuditEvent.objects.filter(action="item.update").exists()
