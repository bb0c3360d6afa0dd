from __future__ import annotations

from decimal import Decimal

import pytest

from shufang.catalogue.callnumbers import call_number_sort_key
from shufang.catalogue.models import Item, ItemStatus, Record
from shufang.catalogue.services.items import item_create, item_set_status, item_update
from shufang.catalogue.states import TRANSITIONS, Trigger, next_status
from shufang.core.exceptions import Conflict, InvalidTransition, ValidationFailed
from shufang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(db):
    return Record.objects.create(title="丽江古城史话")


@pytest.fixture
def item(record, service_point, collection, actor):
    return item_create(
        record=record,
        barcode="LJ0001",
        home_service_point=service_point,
        collection=collection,
        actor=actor,
        call_number="K297.43/12",
        price=Decimal("38.00"),
    )


def test_new_item_belongs_to_its_service_points_library_and_is_audited(item, service_point):
    assert item.owning_library == service_point.library
    assert item.current_service_point == service_point
    assert item.status == ItemStatus.AVAILABLE
    assert item.call_number_sort == call_number_sort_key("K297.43/12")
    assert list(AuditEvent.objects.values_list("action", "object_id")) == [
        ("item.create", str(item.pk))
    ]


def test_duplicate_barcode_is_a_conflict_and_creates_nothing(
    item, record, service_point, collection, actor
):
    with pytest.raises(Conflict) as raised:
        item_create(
            record=record,
            barcode="LJ0001",
            home_service_point=service_point,
            collection=collection,
            actor=actor,
        )

    assert raised.value.code == "barcode_taken"
    assert "LJ0001" in str(raised.value.message)
    assert Item.objects.count() == 1
    assert AuditEvent.objects.count() == 1


def test_update_changes_call_number_and_its_sort_key(item, actor):
    updated = item_update(item=item, actor=actor, call_number="K297.43/120")

    assert (updated.call_number, updated.call_number_sort) == (
        "K297.43/120",
        call_number_sort_key("K297.43/120"),
    )
    event = AuditEvent.objects.get(action="item.update")
    assert event.changes == {"call_number": ["K297.43/12", "K297.43/120"]}


def test_update_cannot_change_status(item, actor):
    with pytest.raises(ValidationFailed):
        item_update(item=item, actor=actor, status=ItemStatus.LOST)

    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE
    assert AuditEvent.objects.filter(action="item.update").count() == 0


def test_checkout_then_checkin_away_puts_the_item_in_transit(item, actor):
    item_set_status(item=item, to=ItemStatus.ON_LOAN, trigger=Trigger.CHECKOUT, actor=actor)
    moved = item_set_status(
        item=item,
        to=ItemStatus.IN_TRANSIT,
        trigger=Trigger.CHECKIN_AWAY,
        actor=actor,
        reason="returned at a branch",
    )

    assert moved.status == ItemStatus.IN_TRANSIT
    assert AuditEvent.objects.filter(action="item.status").count() == 2


def test_withdrawn_item_cannot_be_lent_and_stays_withdrawn(item, actor):
    item_set_status(item=item, to=ItemStatus.WITHDRAWN, trigger=Trigger.WITHDRAW, actor=actor)

    with pytest.raises(InvalidTransition):
        item_set_status(item=item, to=ItemStatus.ON_LOAN, trigger=Trigger.CHECKOUT, actor=actor)

    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN
    assert item.withdrawn_on is not None
    assert AuditEvent.objects.filter(action="item.status").count() == 1


def test_trigger_leading_elsewhere_is_refused(item, actor):
    with pytest.raises(InvalidTransition):
        item_set_status(item=item, to=ItemStatus.LOST, trigger=Trigger.CHECKOUT, actor=actor)

    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE


def test_transition_table_covers_every_status_and_leads_only_to_statuses():
    assert set(TRANSITIONS) == set(ItemStatus.values)
    assert all(
        target in ItemStatus.values for row in TRANSITIONS.values() for target in row.values()
    )
    assert next_status(ItemStatus.IN_PROCESSING, Trigger.CATALOGUED) == ItemStatus.AVAILABLE
    assert next_status(ItemStatus.ON_HOLD_SHELF, Trigger.SEND) == ItemStatus.IN_TRANSIT
    assert next_status(ItemStatus.MISSING, Trigger.FOUND) == ItemStatus.AVAILABLE
