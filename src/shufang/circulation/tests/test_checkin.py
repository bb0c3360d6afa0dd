"""Returns: closing the loan and routing the item (shelf, quarantine, hold here or elsewhere,
home), fines, statistics events and query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shufang.catalogue.models import ItemStatus
from shufang.circulation.models import (
    CirculationChannel,
    CirculationEvent,
    Hold,
    HoldStatus,
    Loan,
    LoanRule,
    LoanStatus,
    QuarantineEntry,
    QuarantinePolicy,
    Transit,
    TransitReason,
)
from shufang.circulation.services.checkin import loan_checkin
from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.services.holds import hold_place
from shufang.circulation.tests.conftest import local
from shufang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

DESK = CirculationChannel.DESK


@pytest.fixture
def network_clerk(db):
    from django.contrib.auth import get_user_model

    from shufang.core.audit import Actor
    from shufang.core.models import Role, StaffRole

    user = get_user_model().objects.create_user(username="network-clerk", password="x")
    StaffRole.objects.create(user=user, role=Role.CIRCULATION)
    return Actor(user=user, channel="desk")


def _lend(item, reader, point, actor, at):
    return loan_checkout(item=item, reader=reader, service_point=point, actor=actor, at=at)


def test_return_at_home_sends_the_item_to_the_shelf(item, reader, main, clerk_actor, now):
    # given
    loan = _lend(item, reader, main, clerk_actor, now)
    returned_at = now + dt.timedelta(days=3)
    # when
    result = loan_checkin(
        item=item, service_point=main, actor=clerk_actor, channel=DESK, at=returned_at
    )
    # then
    loan.refresh_from_db()
    item.refresh_from_db()
    assert result.loan == loan
    assert loan.status == LoanStatus.RETURNED
    assert loan.returned_at == returned_at
    assert loan.returned_at_service_point == main
    assert item.status == ItemStatus.AVAILABLE
    assert result.routing.action == "shelf"
    assert result.routing.sort_bin == "shelf:ZW"
    assert result.routing.destination is None
    assert result.fine is None
    event = CirculationEvent.objects.get(kind="checkin")
    assert (event.service_point, event.channel, event.reader_category) == (main, "desk", "ADULT")
    audit = AuditEvent.objects.get(action="loan.checkin")
    assert audit.changes["item_status"] == ["on_loan", "available"]


def test_return_at_another_library_starts_transit_home(
    item, reader, main, yl_main, network_clerk, now
):
    # given
    _lend(item, reader, main, network_clerk, now)
    # when: returned at the county library (通借通还)
    result = loan_checkin(
        item=item, service_point=yl_main, actor=network_clerk, channel=DESK, at=now
    )
    # then
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_TRANSIT
    assert item.current_service_point == yl_main
    assert result.routing.action == "transit"
    assert result.routing.destination == main
    assert result.routing.sort_bin == "transit:LJ-MAIN"
    assert result.routing.message == "Send to 总馆"
    transit = Transit.objects.get()
    assert (transit.from_service_point, transit.to_service_point) == (yl_main, main)
    assert transit.reason == TransitReason.RETURN_HOME


def test_return_fills_the_first_waiting_hold_at_this_pickup_point(
    item, reader, other_reader, main, clerk_actor, now
):
    # given: the rule keeps holds six days, which lands on a Monday (closed)
    LoanRule.objects.filter(name="全网默认").update(hold_shelf_days=6)
    _lend(item, reader, main, clerk_actor, now)
    hold = hold_place(
        reader=other_reader,
        record=item.record,
        pickup_service_point=main,
        actor=clerk_actor,
        channel=DESK,
        at=now,
    )
    # when
    result = loan_checkin(item=item, service_point=main, actor=clerk_actor, channel=DESK, at=now)
    # then
    hold.refresh_from_db()
    item.refresh_from_db()
    assert hold.status == HoldStatus.READY
    assert hold.trapped_item == item
    assert hold.shelf_expires_on == dt.date(2024, 3, 12)  # Mon 11th closed -> Tue 12th
    assert item.status == ItemStatus.ON_HOLD_SHELF
    assert result.routing.action == "hold"
    assert result.routing.hold == hold
    assert result.routing.message == "Hold: 李*, pick up at 总馆"
    assert result.routing.sort_bin == "hold-shelf"
    notice = other_reader.notices.get()
    assert (notice.kind, notice.dedupe_key) == ("hold_ready", f"hold_ready:{hold.pk}")


def test_return_for_a_hold_picked_up_elsewhere_sends_the_item_there(
    item, reader, other_reader, main, yl_main, network_clerk, now
):
    clerk_actor = network_clerk
    # given
    _lend(item, reader, main, clerk_actor, now)
    hold = hold_place(
        reader=other_reader,
        record=item.record,
        pickup_service_point=yl_main,
        actor=clerk_actor,
        channel=DESK,
        at=now,
    )
    # when
    result = loan_checkin(item=item, service_point=main, actor=clerk_actor, channel=DESK, at=now)
    # then
    hold.refresh_from_db()
    item.refresh_from_db()
    assert hold.status == HoldStatus.IN_TRANSIT
    assert hold.trapped_item == item
    assert item.status == ItemStatus.IN_TRANSIT
    assert result.routing.destination == yl_main
    assert result.routing.sort_bin == "transit:YL-MAIN"
    transit = Transit.objects.get()
    assert (transit.to_service_point, transit.reason, transit.hold) == (
        yl_main,
        TransitReason.HOLD,
        hold,
    )


def test_holds_queue_first_in_first_out_with_ties_broken_by_id(
    item, reader, other_reader, make_reader, main, clerk_actor, now
):
    # given: two holds placed at the very same moment, a later one before them in id order
    third = make_reader("王五")
    _lend(item, reader, main, clerk_actor, now)
    later = hold_place(
        reader=third,
        record=item.record,
        pickup_service_point=main,
        actor=clerk_actor,
        channel=DESK,
        at=now + dt.timedelta(minutes=1),
    )
    first = hold_place(
        reader=other_reader,
        record=item.record,
        pickup_service_point=main,
        actor=clerk_actor,
        channel=DESK,
        at=now,
    )
    Hold.objects.filter(pk=later.pk).update(placed_at=now)  # same instant: id decides
    # when
    result = loan_checkin(item=item, service_point=main, actor=clerk_actor, channel=DESK, at=now)
    # then
    assert result.routing.hold == later
    first.refresh_from_db()
    assert first.status == HoldStatus.WAITING


def test_item_level_hold_is_filled_only_by_its_own_item(
    make_item, rules, reader, other_reader, main, clerk_actor, now
):
    # given: two copies; the hold asks for the second one only
    first_copy, second_copy = make_item(), make_item()
    _lend(first_copy, reader, main, clerk_actor, now)
    hold = hold_place(
        reader=other_reader,
        record=second_copy.record,
        item=second_copy,
        pickup_service_point=main,
        actor=clerk_actor,
        channel=DESK,
        at=now,
    )
    # when
    result = loan_checkin(
        item=first_copy, service_point=main, actor=clerk_actor, channel=DESK, at=now
    )
    # then
    hold.refresh_from_db()
    assert result.routing.action == "shelf"
    assert hold.status == HoldStatus.WAITING
    assert hold.trapped_item is None


def test_a_copy_the_reader_may_not_borrow_does_not_fill_their_hold(
    make_item, rules, reader, child_reader, main, children, child_record, clerk_actor, now
):
    # given: a child's hold on a title with a children's copy and an adult-lending copy
    children_copy = make_item(record=child_record, collection=children)
    adult_copy = make_item(record=child_record)
    _lend(adult_copy, reader, main, clerk_actor, now)
    _lend(children_copy, reader, main, clerk_actor, now)
    hold = hold_place(
        reader=child_reader,
        record=child_record,
        pickup_service_point=main,
        actor=clerk_actor,
        channel=DESK,
        at=now,
    )
    # when: the adult-lending copy comes back first
    result = loan_checkin(
        item=adult_copy, service_point=main, actor=clerk_actor, channel=DESK, at=now
    )
    # then: it goes to the shelf; the children's copy then fills the hold
    assert result.routing.action == "shelf"
    hold.refresh_from_db()
    assert hold.status == HoldStatus.WAITING
    result = loan_checkin(
        item=children_copy, service_point=main, actor=clerk_actor, channel=DESK, at=now
    )
    assert result.routing.hold == hold


def test_return_goes_to_quarantine_when_the_service_point_has_a_policy(
    item, reader, other_reader, main, clerk_actor, now
):
    # given
    QuarantinePolicy.objects.create(service_point=main, hours=72)
    _lend(item, reader, main, clerk_actor, now)
    hold = hold_place(
        reader=other_reader,
        record=item.record,
        pickup_service_point=main,
        actor=clerk_actor,
        channel=DESK,
        at=now,
    )
    # when
    result = loan_checkin(item=item, service_point=main, actor=clerk_actor, channel=DESK, at=now)
    # then: quarantine comes before the hold
    item.refresh_from_db()
    hold.refresh_from_db()
    assert item.status == ItemStatus.IN_QUARANTINE
    assert hold.status == HoldStatus.WAITING
    assert result.routing.action == "quarantine"
    assert result.routing.message == "To quarantine until 2024-03-08 10:00"
    entry = QuarantineEntry.objects.get()
    assert (entry.item, entry.service_point, entry.ends_at) == (
        item,
        main,
        now + dt.timedelta(hours=72),
    )


def test_a_second_return_of_the_same_item_closes_nothing_more(item, reader, main, clerk_actor, now):
    # given
    _lend(item, reader, main, clerk_actor, now)
    loan_checkin(item=item, service_point=main, actor=clerk_actor, channel=DESK, at=now)
    before = (
        Loan.objects.filter(status=LoanStatus.RETURNED).count(),
        CirculationEvent.objects.filter(kind="checkin").count(),
        AuditEvent.objects.count(),
    )
    # when
    result = loan_checkin(item=item, service_point=main, actor=clerk_actor, channel=DESK, at=now)
    # then
    assert result.loan is None
    assert result.routing.action == "shelf"
    after = (
        Loan.objects.filter(status=LoanStatus.RETURNED).count(),
        CirculationEvent.objects.filter(kind="checkin").count(),
        AuditEvent.objects.count(),
    )
    assert after == before


def test_late_return_under_a_fining_rule_writes_the_fine(item, reader, main, clerk_actor, now):
    # given: 0.10 a day; due Thu 2024-04-04, returned Tue 2024-04-09: Fri, Sat, Sun and
    # Tue are open days overdue, Mon 8th is closed and not charged
    LoanRule.objects.filter(name="全网默认").update(fine_per_day=Decimal("0.10"))
    _lend(item, reader, main, clerk_actor, now)
    # when
    result = loan_checkin(
        item=item, service_point=main, actor=clerk_actor, channel=DESK, at=local(2024, 4, 9)
    )
    # then
    assert result.fine is not None
    assert result.fine.amount == Decimal("0.40")
    assert result.fine.reader == reader


def test_self_service_return_is_audited_as_a_kiosk(item, reader, main, kiosk, clerk_actor, now):
    # given
    from shufang.core.audit import Actor

    _lend(item, reader, main, clerk_actor, now)
    # when
    loan_checkin(
        item=item,
        service_point=kiosk,
        actor=Actor(label="kiosk-1", channel="kiosk"),
        channel=CirculationChannel.SELF_SERVICE,
        at=now,
    )
    # then
    assert AuditEvent.objects.get(action="loan.checkin").channel == "kiosk"
    assert CirculationEvent.objects.get(kind="checkin").channel == "self_service"


def test_checkin_keeps_to_a_small_number_of_queries(
    item, reader, other_reader, main, clerk_actor, now, django_assert_max_num_queries
):
    # given: a return that traps a hold (the longest path)
    _lend(item, reader, main, clerk_actor, now)
    hold_place(
        reader=other_reader,
        record=item.record,
        pickup_service_point=main,
        actor=clerk_actor,
        channel=DESK,
        at=now,
    )
    clerk_actor.user.staff_roles.all()  # permissions are cached per request in real use
    # when / then
    with django_assert_max_num_queries(22):
        loan_checkin(item=item, service_point=main, actor=clerk_actor, channel=DESK, at=now)


def test_plain_return_keeps_to_twelve_queries(
    item, reader, main, clerk_actor, now, django_assert_max_num_queries
):
    # given
    _lend(item, reader, main, clerk_actor, now)
    # when / then
    with django_assert_max_num_queries(12):
        loan_checkin(item=item, service_point=main, actor=clerk_actor, channel=DESK, at=now)
