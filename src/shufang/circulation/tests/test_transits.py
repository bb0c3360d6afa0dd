"""Transits: receiving for a hold, going home, sending on after a pickup change; refusals."""

from __future__ import annotations

import pytest

from shufang.catalogue.models import ItemStatus
from shufang.circulation.models import CirculationChannel, HoldStatus, Transit, TransitReason
from shufang.circulation.selectors import transit_list
from shufang.circulation.services.checkin import loan_checkin
from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.services.holds import hold_change_pickup, hold_place, hold_trap
from shufang.circulation.services.routing import TransitAlreadyOpen
from shufang.circulation.services.transits import transit_receive, transit_send
from shufang.core.audit import Actor
from shufang.core.exceptions import InvalidTransition

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    from django.contrib.auth import get_user_model

    from shufang.core.models import Role, StaffRole

    user = get_user_model().objects.create_user(username="network-clerk", password="x")
    StaffRole.objects.create(user=user, role=Role.CIRCULATION)
    return Actor(user=user, channel="desk")


def test_an_item_received_at_home_goes_back_on_the_shelf(item, reader, main, yl_main, staff, now):
    # given: returned at the county library, in transit home
    loan_checkout(item=item, reader=reader, service_point=main, actor=staff, at=now)
    loan_checkin(item=item, service_point=yl_main, actor=staff, channel="desk", at=now)
    assert [t.item for t in transit_list(service_point=main)] == [item]
    assert [t.item for t in transit_list(service_point=yl_main, direction="outgoing")] == [item]
    # when
    result = transit_receive(item=item, service_point=main, actor=staff, at=now)
    # then
    item.refresh_from_db()
    assert (item.status, item.current_service_point) == (ItemStatus.AVAILABLE, main)
    assert result.routing.action == "shelf"
    assert Transit.objects.get().received_at == now
    assert list(transit_list(service_point=main)) == []


def test_an_item_received_at_the_pickup_point_waits_on_the_hold_shelf(
    item, other_reader, main, yl_main, staff, now
):
    # given: trapped at the main building for a reader collecting at the county library
    hold = hold_place(
        reader=other_reader,
        record=item.record,
        pickup_service_point=yl_main,
        actor=staff,
        channel=CirculationChannel.OPAC,
        at=now,
    )
    hold_trap(item=item, service_point=main, actor=staff, at=now)
    # when: received on Friday; seven shelf days end on Friday 15th (open)
    result = transit_receive(item=item, service_point=yl_main, actor=staff, at=now.replace(day=8))
    # then
    hold.refresh_from_db()
    item.refresh_from_db()
    assert hold.status == HoldStatus.READY
    assert str(hold.shelf_expires_on) == "2024-03-15"
    assert (item.status, item.current_service_point) == (ItemStatus.ON_HOLD_SHELF, yl_main)
    assert result.routing.hold == hold
    assert result.routing.action == "hold"


def test_a_hold_item_arriving_after_a_pickup_change_is_sent_on(
    item, other_reader, main, yl_main, staff, now
):
    # given
    hold = hold_place(
        reader=other_reader,
        record=item.record,
        pickup_service_point=yl_main,
        actor=staff,
        channel="desk",
        at=now,
    )
    hold_trap(item=item, service_point=main, actor=staff, at=now)
    hold_change_pickup(hold=hold, pickup_service_point=main, actor=staff)
    # when: it arrives at the county library
    result = transit_receive(item=item, service_point=yl_main, actor=staff, at=now)
    # then: it goes back to the main building, still for the hold
    assert result.routing.destination == main
    open_transit = Transit.objects.get(received_at__isnull=True)
    assert (open_transit.from_service_point, open_transit.to_service_point) == (yl_main, main)
    assert (open_transit.reason, open_transit.hold) == (TransitReason.HOLD, hold)
    # and at the main building it is ready
    transit_receive(item=item, service_point=main, actor=staff, at=now)
    hold.refresh_from_db()
    assert hold.status == HoldStatus.READY


def test_an_item_cannot_be_sent_twice_at_once(item, kiosk, yl_main, staff, now):
    transit_send(
        item=item, to_service_point=yl_main, reason=TransitReason.OTHER, actor=staff, at=now
    )
    with pytest.raises(TransitAlreadyOpen):
        transit_send(
            item=item, to_service_point=kiosk, reason=TransitReason.OTHER, actor=staff, at=now
        )
    assert Transit.objects.count() == 1


def test_an_item_on_the_shelf_cannot_be_received(item, main, staff, now):
    with pytest.raises(InvalidTransition):
        transit_receive(item=item, service_point=main, actor=staff, at=now)
    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE
