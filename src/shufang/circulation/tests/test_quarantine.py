"""Quarantine: release when due (to the shelf, a hold or home), early release, the list,
the policy and disinfection runs."""

from __future__ import annotations

import datetime as dt

import pytest

from shufang.catalogue.models import ItemStatus
from shufang.circulation.models import DisinfectionRun, HoldStatus, QuarantineEntry
from shufang.circulation.selectors import quarantine_list
from shufang.circulation.services.checkin import loan_checkin
from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.services.holds import hold_place
from shufang.circulation.services.quarantine import (
    disinfection_run_record,
    quarantine_policy_set,
    quarantine_release,
    quarantine_release_due,
)
from shufang.core.exceptions import PermissionDenied, ValidationFailed
from shufang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarantined(item, reader, main, manager_actor, now):
    quarantine_policy_set(service_point=main, hours=48, actor=manager_actor)
    loan_checkout(item=item, reader=reader, service_point=main, actor=manager_actor, at=now)
    loan_checkin(item=item, service_point=main, actor=manager_actor, channel="desk", at=now)
    return item


def test_quarantine_ends_only_when_its_hours_are_over(quarantined, main, now):
    # given
    assert [e.item for e in quarantine_list(service_point=main)] == [quarantined]
    # when
    early = quarantine_release_due(at=now + dt.timedelta(hours=47))
    due = quarantine_release_due(at=now + dt.timedelta(hours=48))
    repeat = quarantine_release_due(at=now + dt.timedelta(hours=49))
    # then
    assert (early, due, repeat) == (0, 1, 0)
    quarantined.refresh_from_db()
    assert quarantined.status == ItemStatus.AVAILABLE
    entry = QuarantineEntry.objects.get()
    assert entry.released_at == now + dt.timedelta(hours=48)
    assert entry.released_to == "shelf:ZW"
    assert list(quarantine_list(service_point=main)) == []


def test_an_item_released_from_quarantine_fills_the_waiting_hold(
    quarantined, other_reader, main, manager_actor, now
):
    # given: a hold placed while the item rests
    hold = hold_place(
        reader=other_reader,
        record=quarantined.record,
        pickup_service_point=main,
        actor=manager_actor,
        channel="desk",
        at=now,
    )
    # when
    quarantine_release_due(at=now + dt.timedelta(hours=48))
    # then
    hold.refresh_from_db()
    quarantined.refresh_from_db()
    assert hold.status == HoldStatus.READY
    assert quarantined.status == ItemStatus.ON_HOLD_SHELF


def test_staff_may_end_one_quarantine_early(quarantined, manager_actor, now):
    routing = quarantine_release(item=quarantined, actor=manager_actor, at=now)
    assert routing.action == "shelf"
    assert AuditEvent.objects.get(action="quarantine.release").changes["early"] is True


def test_a_quarantined_item_cannot_be_lent(quarantined, other_reader, main, manager_actor, now):
    from shufang.circulation import errors

    with pytest.raises(errors.Block):
        loan_checkout(
            item=quarantined, reader=other_reader, service_point=main, actor=manager_actor, at=now
        )
    quarantined.refresh_from_db()
    assert quarantined.status == ItemStatus.IN_QUARANTINE


def test_quarantine_hours_need_network_rights_and_a_sensible_value(
    main, clerk_actor, manager_actor
):
    with pytest.raises(PermissionDenied):
        quarantine_policy_set(service_point=main, hours=24, actor=clerk_actor)
    with pytest.raises(ValidationFailed):
        quarantine_policy_set(service_point=main, hours=24 * 31, actor=manager_actor)
    assert AuditEvent.objects.filter(action="quarantine.policy_set").count() == 0


def test_a_disinfection_run_is_recorded(main, clerk_actor, now):
    run = disinfection_run_record(
        service_point=main,
        machine="紫外线消毒柜 1号",
        started_at=now,
        minutes=30,
        items_count=120,
        actor=clerk_actor,
    )
    assert DisinfectionRun.objects.get() == run
    assert (run.staff, run.minutes, run.items_count) == (clerk_actor.user, 30, 120)
    assert AuditEvent.objects.filter(action="disinfection.record").count() == 1
