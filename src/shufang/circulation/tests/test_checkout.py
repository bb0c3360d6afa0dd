"""Checkout: due dates, blocks, overrides, offline checkouts, statistics events, queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from shufang.catalogue.models import Item, ItemStatus
from shufang.circulation import errors
from shufang.circulation.models import (
    CirculationChannel,
    CirculationEvent,
    Fine,
    Hold,
    HoldStatus,
    Loan,
    LoanRule,
)
from shufang.circulation.services.checkout import loan_checkout, loan_checkout_preview
from shufang.circulation.tests.conftest import local
from shufang.core.models import AuditEvent
from shufang.network.models import CalendarException

pytestmark = pytest.mark.django_db


def _snapshot(item: Item) -> tuple[int, int, int, str]:
    item.refresh_from_db()
    return (
        Loan.objects.count(),
        AuditEvent.objects.filter(action="loan.checkout").count(),
        CirculationEvent.objects.count(),
        item.status,
    )


def _refused(item: Item, block: type[errors.Block], **kwargs) -> errors.Block:
    before = _snapshot(item)
    with pytest.raises(block) as caught:
        loan_checkout(item=item, **kwargs)
    assert _snapshot(item) == before
    return caught.value


def test_adult_borrows_an_available_book_for_thirty_days(item, reader, main, clerk_actor, now):
    # when
    loan = loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)
    # then
    item.refresh_from_db()
    assert item.status == ItemStatus.ON_LOAN
    assert loan.due_at == local(2024, 4, 4, 23, 59, 59)  # a Thursday, open
    assert loan.channel == "desk"
    assert loan.staff == clerk_actor.user
    assert loan.overrides == []
    assert loan.no_block is False
    assert loan.card == reader.cards.get()
    audit = AuditEvent.objects.get(action="loan.checkout")
    assert audit.object_id == str(loan.pk)
    assert audit.channel == "desk"
    assert audit.library_id == main.library_id
    assert audit.changes["item_status"] == ["available", "on_loan"]


def test_checkout_writes_one_anonymous_statistics_event(item, reader, main, clerk_actor, now):
    loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)
    event = CirculationEvent.objects.get()
    assert (
        event.kind,
        event.day,
        event.library_id,
        event.service_point_id,
        event.channel,
        event.reader_category,
        event.age_band,
        event.collection_id,
        event.juvenile_collection,
        event.material_type,
        event.clc_class,
        event.deposit,
    ) == (
        "checkout",
        dt.date(2024, 3, 5),
        main.library_id,
        main.pk,
        "desk",
        "ADULT",
        "18-59",
        item.collection_id,
        False,
        "book",
        "I",
        False,
    )


def test_due_date_that_falls_on_a_closed_monday_moves_to_tuesday(
    item, reader, main, clerk_actor, now, default_rule
):
    default_rule.loan_days = 27  # Tuesday 5 March + 27 = Monday 1 April
    default_rule.save()
    loan = loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)
    assert loan.due_at == local(2024, 4, 2, 23, 59, 59)


def test_due_date_skips_a_network_holiday(item, reader, main, clerk_actor, now):
    CalendarException.objects.create(
        kind="holiday", start_date=dt.date(2024, 4, 4), end_date=dt.date(2024, 4, 6), reason="清明"
    )
    loan = loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)
    assert loan.due_at == local(2024, 4, 7, 23, 59, 59)


def test_kiosk_loans_are_due_on_an_open_day_of_the_main_building(
    item, reader, kiosk, now, default_rule, system_actor
):
    default_rule.loan_days = 27  # due on a Monday: the kiosk is open, the main building is not
    default_rule.save()
    loan = loan_checkout(
        item=item,
        reader=reader,
        service_point=kiosk,
        actor=system_actor,
        channel=CirculationChannel.SELF_SERVICE,
        at=now,
    )
    assert loan.due_at == local(2024, 4, 2, 23, 59, 59)
    assert AuditEvent.objects.get(action="loan.checkout").channel == "kiosk"


def test_expired_card_cannot_borrow(make_reader, item, main, clerk_actor, now):
    reader = make_reader(expires_on=dt.date(2024, 3, 4))
    block = _refused(
        item, errors.CardExpired, reader=reader, service_point=main, actor=clerk_actor, at=now
    )
    assert block.code == "card_expired"


@pytest.mark.parametrize(
    ("status", "block"),
    [
        ("lost", errors.CardLost),
        ("suspended", errors.CardSuspended),
        ("cancelled", errors.CardNotValid),
        ("expired", errors.CardExpired),
    ],
)
def test_card_that_is_not_valid_cannot_borrow(
    make_reader, item, main, clerk_actor, now, status, block
):
    reader = make_reader(card_status=status)
    _refused(item, block, reader=reader, service_point=main, actor=clerk_actor, at=now)


def test_manager_may_override_an_expired_card_and_the_override_is_recorded(
    make_reader, item, main, manager_actor, now
):
    reader = make_reader(expires_on=dt.date(2024, 1, 1))
    loan = loan_checkout(
        item=item,
        reader=reader,
        service_point=main,
        actor=manager_actor,
        at=now,
        override=["card_expired"],
    )
    assert loan.overrides == ["card_expired"]
    assert AuditEvent.objects.get(action="loan.checkout").changes["overrides"] == ["card_expired"]


def test_clerk_without_the_override_permission_cannot_override(
    make_reader, item, main, clerk_actor, now
):
    reader = make_reader(expires_on=dt.date(2024, 1, 1))
    _refused(
        item,
        errors.CardExpired,
        reader=reader,
        service_point=main,
        actor=clerk_actor,
        at=now,
        override=["card_expired"],
    )


def test_a_lost_card_cannot_be_overridden(make_reader, item, main, manager_actor, now):
    reader = make_reader(card_status="lost")
    _refused(
        item,
        errors.CardLost,
        reader=reader,
        service_point=main,
        actor=manager_actor,
        at=now,
        override=["card_lost"],
    )


def test_reader_at_the_loan_limit_cannot_borrow_more(
    make_item, item, reader, main, clerk_actor, now, default_rule
):
    default_rule.max_loans = 1
    default_rule.save()
    loan_checkout(item=make_item(), reader=reader, service_point=main, actor=clerk_actor, at=now)
    block = _refused(
        item, errors.TooManyLoans, reader=reader, service_point=main, actor=clerk_actor, at=now
    )
    assert block.details == {"current": 1, "limit": 1}


def test_reader_at_the_collection_limit_cannot_borrow_more_from_it(
    make_item, item, child_item, reader, main, clerk_actor, now, adult_lending
):
    LoanRule.objects.create(
        name="成人外借限2册", collection=adult_lending, max_loans_in_collection=1
    )
    loan_checkout(item=make_item(), reader=reader, service_point=main, actor=clerk_actor, at=now)
    _refused(
        item,
        errors.TooManyLoansInCollection,
        reader=reader,
        service_point=main,
        actor=clerk_actor,
        at=now,
    )
    # another collection is still open to the reader
    loan = loan_checkout(
        item=child_item, reader=reader, service_point=main, actor=clerk_actor, at=now
    )
    assert loan.item == child_item


def test_reader_with_an_overdue_item_is_blocked_when_the_rule_allows_none(
    make_item, item, reader, main, clerk_actor, now, default_rule
):
    default_rule.max_overdue_items = 0
    default_rule.save()
    earlier = now - dt.timedelta(days=40)
    loan_checkout(
        item=make_item(), reader=reader, service_point=main, actor=clerk_actor, at=earlier
    )
    _refused(
        item, errors.TooManyOverdue, reader=reader, service_point=main, actor=clerk_actor, at=now
    )


def test_reader_with_fines_over_the_limit_is_blocked(
    item, reader, main, clerk_actor, now, default_rule
):
    default_rule.max_fines = Decimal("5.00")
    default_rule.save()
    Fine.objects.create(reader=reader, amount=Decimal("5.50"))
    _refused(
        item, errors.FinesOverLimit, reader=reader, service_point=main, actor=clerk_actor, at=now
    )


def test_fines_up_to_the_limit_do_not_block(item, reader, main, clerk_actor, now, default_rule):
    default_rule.max_fines = Decimal("5.00")
    default_rule.save()
    Fine.objects.create(reader=reader, amount=Decimal("5.00"))
    loan = loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)
    assert loan.pk is not None


def test_local_documents_are_not_for_loan(local_item, reader, main, manager_actor, now):
    _refused(
        local_item,
        errors.ItemNotLoanable,
        reader=reader,
        service_point=main,
        actor=manager_actor,
        at=now,
        override=["item_not_loanable"],
    )


def test_juvenile_reader_may_not_borrow_from_the_adult_collection(
    item, child_reader, main, clerk_actor, now
):
    _refused(
        item,
        errors.CollectionNotAllowed,
        reader=child_reader,
        service_point=main,
        actor=clerk_actor,
        at=now,
    )


def test_juvenile_reader_borrows_from_the_children_collection(
    child_item, child_reader, main, clerk_actor, now
):
    loan = loan_checkout(
        item=child_item, reader=child_reader, service_point=main, actor=clerk_actor, at=now
    )
    event = CirculationEvent.objects.get()
    assert loan.reader == child_reader
    assert (event.reader_category, event.age_band, event.juvenile_collection) == (
        "CHILD",
        "7-13",
        True,
    )


def test_item_already_on_loan_cannot_be_lent_again(
    item, reader, other_reader, main, manager_actor, now
):
    loan_checkout(item=item, reader=reader, service_point=main, actor=manager_actor, at=now)
    _refused(
        item,
        errors.ItemAlreadyOnLoan,
        reader=other_reader,
        service_point=main,
        actor=manager_actor,
        at=now,
        no_block=True,
    )


def test_item_in_quarantine_cannot_be_lent(item, reader, main, clerk_actor, now):
    Item.objects.filter(pk=item.pk).update(status=ItemStatus.IN_QUARANTINE)
    _refused(
        item, errors.ItemInQuarantine, reader=reader, service_point=main, actor=clerk_actor, at=now
    )


@pytest.mark.parametrize("status", ["missing", "in_transit", "in_processing", "withdrawn"])
def test_item_that_is_not_available_cannot_be_lent(item, reader, main, clerk_actor, now, status):
    Item.objects.filter(pk=item.pk).update(status=status)
    _refused(
        item, errors.ItemNotAvailable, reader=reader, service_point=main, actor=clerk_actor, at=now
    )


def test_item_on_the_hold_shelf_for_another_reader_cannot_be_lent(
    item, record, reader, other_reader, main, clerk_actor, now
):
    Hold.objects.create(
        reader=other_reader,
        record=record,
        pickup_service_point=main,
        channel="opac",
        status=HoldStatus.READY,
        trapped_item=item,
    )
    Item.objects.filter(pk=item.pk).update(status=ItemStatus.ON_HOLD_SHELF)
    _refused(
        item,
        errors.ItemOnHoldForAnother,
        reader=reader,
        service_point=main,
        actor=clerk_actor,
        at=now,
    )


def test_offline_checkout_accepts_blocks_and_is_flagged(make_reader, item, main, clerk_actor, now):
    reader = make_reader(card_status="suspended")
    Item.objects.filter(pk=item.pk).update(status=ItemStatus.MISSING)
    loan = loan_checkout(
        item=item, reader=reader, service_point=main, actor=clerk_actor, at=now, no_block=True
    )
    item.refresh_from_db()
    assert loan.no_block is True
    assert loan.overrides == ["card_suspended", "item_not_available"]
    assert item.status == ItemStatus.ON_LOAN


def test_preview_shows_rule_due_date_and_every_block_without_writing(
    make_reader, item, main, now, default_rule, juvenile_adult_rule, juvenile_category
):
    child = make_reader(
        category=juvenile_category, birth_date=dt.date(2015, 1, 1), expires_on=dt.date(2024, 1, 1)
    )
    preview = loan_checkout_preview(item=item, reader=child, service_point=main, at=now)
    assert preview.rule == juvenile_adult_rule
    assert preview.rule_scope == ["reader_category", "collection"]
    assert "少儿读者不借成人外借" in preview.explanation
    assert preview.block_codes == ["card_expired", "collection_not_allowed"]
    assert preview.due_date == dt.date(2024, 4, 4)
    assert Loan.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_most_specific_rule_sets_the_loan_period(
    item, reader, main, clerk_actor, now, adult_category, lj
):
    LoanRule.objects.create(
        name="总馆成人", library=lj, reader_category=adult_category, loan_days=14
    )
    LoanRule.objects.create(name="成人", reader_category=adult_category, loan_days=21)
    loan = loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)
    assert loan.rule.name == "总馆成人"
    assert loan.due_at == local(2024, 3, 19, 23, 59, 59)


def test_checkout_uses_a_small_fixed_number_of_queries(
    make_item, item, reader, main, clerk_actor, now, django_assert_max_num_queries
):
    for _ in range(5):
        loan_checkout(
            item=make_item(), reader=reader, service_point=main, actor=clerk_actor, at=now
        )
    # PostgreSQL adds one: the shared calendar lock against a closure in flight
    # (circulation.calendar_lock); SQLite needs none
    allowed = 13 + (1 if connection.vendor == "postgresql" else 0)
    with django_assert_max_num_queries(allowed):
        loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)


def test_checkout_of_an_item_on_the_hold_shelf_for_this_reader_fulfils_the_hold(
    item, record, reader, main, clerk_actor, now
):
    # given the item set aside for the reader
    hold = Hold.objects.create(
        reader=reader,
        record=record,
        pickup_service_point=main,
        channel="opac",
        status=HoldStatus.READY,
        trapped_item=item,
    )
    Item.objects.filter(pk=item.pk).update(status=ItemStatus.ON_HOLD_SHELF)
    # when the reader collects it
    loan = loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)
    # then
    hold.refresh_from_db()
    item.refresh_from_db()
    assert (hold.status, hold.closed_at, item.status) == ("fulfilled", now, "on_loan")
    assert loan.overrides == []
    assert CirculationEvent.objects.filter(kind="hold_fulfilled").count() == 1


def test_a_copy_taken_from_the_shelf_fulfils_the_readers_waiting_hold_on_the_title(
    item, record, reader, main, clerk_actor, now
):
    hold = Hold.objects.create(
        reader=reader, record=record, pickup_service_point=main, channel="opac"
    )
    loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)
    hold.refresh_from_db()
    assert (hold.status, hold.trapped_item_id) == ("fulfilled", item.pk)


def test_another_readers_waiting_hold_stays_waiting(
    item, record, reader, other_reader, main, clerk_actor, now
):
    hold = Hold.objects.create(
        reader=other_reader, record=record, pickup_service_point=main, channel="opac"
    )
    loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)
    hold.refresh_from_db()
    assert hold.status == "waiting"
