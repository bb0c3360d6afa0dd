"""Holds: placing (and its refusals), cancelling, changing pickup, trapping from the pick
list, expiring, and fulfilment at checkout; the hold queue, hold shelf and pick list."""

from __future__ import annotations

import datetime as dt

import pytest

from shufang.catalogue.models import ItemStatus
from shufang.circulation import errors
from shufang.circulation.models import (
    CirculationChannel,
    CirculationEvent,
    Hold,
    HoldStatus,
    LoanRule,
    ServiceMode,
    Transit,
)
from shufang.circulation.selectors import hold_queue, hold_shelf_list, pick_list
from shufang.circulation.services.checkin import loan_checkin
from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.services.holds import (
    hold_cancel,
    hold_change_pickup,
    hold_place,
    hold_trap,
    holds_expire,
)
from shufang.circulation.services.modes import service_mode_set
from shufang.core.audit import Actor
from shufang.core.exceptions import InvalidTransition
from shufang.core.models import AuditEvent
from shufang.readers.models import Card

pytestmark = pytest.mark.django_db

DESK = CirculationChannel.DESK


@pytest.fixture
def network_clerk(db):
    from django.contrib.auth import get_user_model

    from shufang.core.models import Role, StaffRole

    user = get_user_model().objects.create_user(username="network-clerk", password="x")
    StaffRole.objects.create(user=user, role=Role.CIRCULATION)
    return Actor(user=user, channel="desk")


def _place(reader, record, pickup, actor, at, **extra):
    return hold_place(
        reader=reader,
        record=record,
        pickup_service_point=pickup,
        actor=actor,
        channel=DESK,
        at=at,
        **extra,
    )


def _counts():
    return (
        Hold.objects.count(),
        AuditEvent.objects.filter(action="hold.place").count(),
        CirculationEvent.objects.filter(kind="hold_placed").count(),
    )


def test_reader_places_a_hold_on_a_title_for_pickup_at_the_main_building(
    item, reader, main, clerk_actor, now
):
    # when
    hold = _place(reader, item.record, main, clerk_actor, now)
    # then
    assert hold.status == HoldStatus.WAITING
    assert (hold.reader, hold.record, hold.item, hold.pickup_service_point) == (
        reader,
        item.record,
        None,
        main,
    )
    assert hold.placed_at == now
    assert _counts() == (1, 1, 1)
    event = CirculationEvent.objects.get(kind="hold_placed")
    assert (event.service_point, event.reader_category, event.clc_class) == (main, "ADULT", "I")


def test_a_title_without_a_loanable_copy_cannot_be_held(local_item, reader, main, clerk_actor, now):
    with pytest.raises(errors.HoldNotAllowed):
        _place(reader, local_item.record, main, clerk_actor, now)
    assert _counts() == (0, 0, 0)


def test_a_juvenile_reader_cannot_hold_a_title_only_in_adult_lending(
    item, child_reader, main, clerk_actor, now
):
    with pytest.raises(errors.HoldNotAllowed):
        _place(child_reader, item.record, main, clerk_actor, now)
    assert _counts() == (0, 0, 0)


def test_a_reader_cannot_hold_one_title_twice(item, reader, main, clerk_actor, now):
    _place(reader, item.record, main, clerk_actor, now)
    with pytest.raises(errors.AlreadyHeld):
        _place(reader, item.record, main, clerk_actor, now)
    assert _counts() == (1, 1, 1)


def test_holds_stop_at_the_rule_maximum(item, child_item, reader, main, clerk_actor, now):
    # given
    LoanRule.objects.filter(name="全网默认").update(max_holds=1)
    _place(reader, item.record, main, clerk_actor, now)
    # when / then
    with pytest.raises(errors.TooManyHolds):
        _place(reader, child_item.record, main, clerk_actor, now)
    assert _counts() == (1, 1, 1)


def test_an_expired_card_cannot_place_holds(item, make_reader, main, clerk_actor, now):
    expired = make_reader("过期", expires_on=dt.date(2024, 1, 31))
    with pytest.raises(errors.CardExpired):
        _place(expired, item.record, main, clerk_actor, now)
    assert _counts() == (0, 0, 0)


def test_a_lost_card_cannot_place_holds(item, make_reader, main, clerk_actor, now):
    lost = make_reader("丢卡", card_status="lost")
    with pytest.raises(errors.CardLost):
        _place(lost, item.record, main, clerk_actor, now)
    assert Card.objects.get(reader=lost).status == "lost"
    assert _counts() == (0, 0, 0)


def test_cancelling_a_ready_hold_passes_the_item_to_the_next_hold(
    item, reader, other_reader, make_reader, main, clerk_actor, now
):
    # given: the item is on the hold shelf for the first reader, a second reader waits
    third = make_reader("王五")
    loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)
    first = _place(other_reader, item.record, main, clerk_actor, now)
    second = _place(third, item.record, main, clerk_actor, now + dt.timedelta(minutes=1))
    loan_checkin(item=item, service_point=main, actor=clerk_actor, channel=DESK, at=now)
    # when
    hold_cancel(hold=first, actor=clerk_actor, reason="不需要了", at=now + dt.timedelta(hours=1))
    # then
    first.refresh_from_db()
    second.refresh_from_db()
    item.refresh_from_db()
    assert (first.status, first.close_reason) == (HoldStatus.CANCELLED, "不需要了")
    assert second.status == HoldStatus.READY
    assert second.trapped_item == item
    assert item.status == ItemStatus.ON_HOLD_SHELF


def test_cancelling_the_last_ready_hold_puts_the_item_back_on_the_shelf(
    item, reader, other_reader, main, clerk_actor, now
):
    # given
    loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)
    hold = _place(other_reader, item.record, main, clerk_actor, now)
    loan_checkin(item=item, service_point=main, actor=clerk_actor, channel=DESK, at=now)
    # when
    hold_cancel(hold=hold, actor=clerk_actor)
    # then
    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE
    assert AuditEvent.objects.filter(action="hold.cancel").count() == 1


def test_a_cancelled_hold_cannot_be_cancelled_again(item, reader, main, clerk_actor, now):
    hold = _place(reader, item.record, main, clerk_actor, now)
    hold_cancel(hold=hold, actor=clerk_actor)
    with pytest.raises(InvalidTransition):
        hold_cancel(hold=hold, actor=clerk_actor)
    assert AuditEvent.objects.filter(action="hold.cancel").count() == 1


def test_a_waiting_hold_changes_its_pickup_point_but_a_ready_one_does_not(
    item, reader, other_reader, main, yl_main, network_clerk, now
):
    # given
    hold = _place(reader, item.record, main, network_clerk, now)
    # when
    hold_change_pickup(hold=hold, pickup_service_point=yl_main, actor=network_clerk)
    # then
    hold.refresh_from_db()
    assert hold.pickup_service_point == yl_main
    # and a ready hold refuses
    hold_trap(item=item, service_point=main, actor=network_clerk, at=now)
    hold.refresh_from_db()
    assert hold.status == HoldStatus.IN_TRANSIT
    hold_change_pickup(hold=hold, pickup_service_point=main, actor=network_clerk)
    hold.refresh_from_db()
    assert (hold.status, hold.pickup_service_point) == (HoldStatus.IN_TRANSIT, main)
    assert Transit.objects.get().to_service_point == yl_main  # sent on when it arrives there
    other = _place(other_reader, item.record, yl_main, network_clerk, now)
    Hold.objects.filter(pk=other.pk).update(status=HoldStatus.READY)
    with pytest.raises(InvalidTransition):
        hold_change_pickup(hold=other, pickup_service_point=main, actor=network_clerk)
    other.refresh_from_db()
    assert other.pickup_service_point == yl_main


def test_closed_stack_requests_appear_on_the_pick_list_in_call_number_order(
    make_item, rules, reader, other_reader, main, child_record, children, manager_actor, now
):
    # given: closed-stack lending at the main building; two requests on copies in the stacks
    service_mode_set(
        service_point=main,
        mode=ServiceMode.CLOSED_STACK,
        start_date=dt.date(2024, 3, 1),
        actor=manager_actor,
    )
    late_number = make_item(call_number="I247.57/Y89")
    early_number = make_item(record=child_record, collection=children, call_number="I565.88/S12")
    # keep the call number sort keys as the catalogue would make them
    from shufang.catalogue.callnumbers import call_number_sort_key

    for copy in (late_number, early_number):
        type(copy).objects.filter(pk=copy.pk).update(
            call_number_sort=call_number_sort_key(copy.call_number)
        )
    first = _place(reader, late_number.record, main, manager_actor, now)
    second = _place(other_reader, child_record, main, manager_actor, now)
    # when
    lines = pick_list(service_point=main, day=now.date())
    # then
    assert [(line.hold, line.item) for line in lines] == [
        (first, late_number),
        (second, early_number),
    ]
    # and when staff scan the first pick, it waits on the hold shelf
    trapped = hold_trap(item=late_number, service_point=main, actor=manager_actor, at=now)
    assert trapped == first
    assert [line.hold for line in pick_list(service_point=main, day=now.date())] == [second]
    assert list(hold_shelf_list(service_point=main)) == [first]


def test_one_copy_serves_one_line_of_the_pick_list(
    item, reader, other_reader, main, clerk_actor, now
):
    _place(reader, item.record, main, clerk_actor, now)
    _place(other_reader, item.record, main, clerk_actor, now + dt.timedelta(minutes=1))
    lines = pick_list(service_point=main, day=now.date())
    assert [(line.hold.reader, line.item) for line in lines] == [(reader, item)]


def test_scanning_an_item_nobody_holds_traps_nothing(item, main, clerk_actor, now):
    assert hold_trap(item=item, service_point=main, actor=clerk_actor, at=now) is None
    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE


def test_uncollected_holds_expire_and_the_item_goes_to_the_next_reader(
    item, reader, other_reader, make_reader, main, clerk_actor, now
):
    # given: ready until Tue 12 March (7 days), a second reader waiting
    third = make_reader("王五")
    first = _place(other_reader, item.record, main, clerk_actor, now)
    second = _place(third, item.record, main, clerk_actor, now + dt.timedelta(minutes=1))
    hold_trap(item=item, service_point=main, actor=clerk_actor, at=now)
    first.refresh_from_db()
    assert first.shelf_expires_on == dt.date(2024, 3, 12)
    # when: the job runs on the last day, then the day after
    on_last_day = holds_expire(at=dt.datetime(2024, 3, 12, 20, 0, tzinfo=now.tzinfo))
    after = holds_expire(at=dt.datetime(2024, 3, 13, 1, 0, tzinfo=now.tzinfo))
    again = holds_expire(at=dt.datetime(2024, 3, 13, 2, 0, tzinfo=now.tzinfo))
    # then
    assert (on_last_day, after, again) == (0, 1, 0)
    first.refresh_from_db()
    second.refresh_from_db()
    item.refresh_from_db()
    assert first.status == HoldStatus.EXPIRED
    assert second.status == HoldStatus.READY
    assert second.shelf_expires_on == dt.date(2024, 3, 20)
    assert item.status == ItemStatus.ON_HOLD_SHELF
    assert AuditEvent.objects.filter(action="hold.expire").count() == 1


def test_waiting_holds_expire_after_their_not_needed_after_date(
    item, reader, main, clerk_actor, now
):
    hold = _place(reader, item.record, main, clerk_actor, now, not_needed_after=dt.date(2024, 3, 6))
    assert holds_expire(at=dt.datetime(2024, 3, 6, 23, 0, tzinfo=now.tzinfo)) == 0
    assert holds_expire(at=dt.datetime(2024, 3, 7, 9, 0, tzinfo=now.tzinfo)) == 1
    hold.refresh_from_db()
    assert hold.status == HoldStatus.EXPIRED


def test_checking_out_the_item_on_the_hold_shelf_fulfils_the_hold(
    item, reader, other_reader, main, clerk_actor, now
):
    # given
    loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)
    hold = _place(other_reader, item.record, main, clerk_actor, now)
    loan_checkin(item=item, service_point=main, actor=clerk_actor, channel=DESK, at=now)
    # when
    loan = loan_checkout(
        item=item, reader=other_reader, service_point=main, actor=clerk_actor, at=now
    )
    # then
    hold.refresh_from_db()
    assert hold.status == HoldStatus.FULFILLED
    assert hold.closed_at == now
    assert loan.reader == other_reader
    assert CirculationEvent.objects.filter(kind="hold_fulfilled").count() == 1
    assert list(hold_queue(record=item.record)) == []
