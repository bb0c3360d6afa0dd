"""Returns and traps racing each other: a hold is never filled by two items, and an item is
never set aside for two holds.

Real threads, real transactions (SQLite with WAL and IMMEDIATE transactions; PostgreSQL with
the item rows locked and holds claimed by conditional UPDATEs)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from shufang.catalogue.models import Item, ItemStatus
from shufang.circulation.models import Hold, HoldStatus
from shufang.circulation.services.checkin import loan_checkin
from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.services.holds import hold_place, hold_trap


def _race(*calls: Callable[[], object]) -> list[object]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = []
    lock = threading.Lock()

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            result: object = call()
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            result = exc
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_copies_returned_at_once_fill_one_hold_once(
    make_item, rules, reader, other_reader, main, system_actor, now
):
    # given: two copies on loan and one reader waiting for the title
    copies = [make_item(), make_item()]
    for copy in copies:
        loan_checkout(item=copy, reader=reader, service_point=main, actor=system_actor, at=now)
    hold = hold_place(
        reader=other_reader,
        record=copies[0].record,
        pickup_service_point=main,
        actor=system_actor,
        channel="desk",
        at=now,
    )
    # when: both come back at two desks at the same moment
    outcomes = _race(
        *(
            (
                lambda c=c: loan_checkin(
                    item=c, service_point=main, actor=system_actor, channel="desk", at=now
                )
            )
            for c in copies
        )
    )
    # then: one copy is on the hold shelf for the hold, the other on the open shelf
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    actions = sorted(o.routing.action for o in outcomes)  # type: ignore[attr-defined]
    assert actions == ["hold", "shelf"]
    hold.refresh_from_db()
    assert hold.status == HoldStatus.READY
    statuses = sorted(
        Item.objects.filter(pk__in=[c.pk for c in copies]).values_list("status", flat=True)
    )
    assert statuses == [ItemStatus.AVAILABLE, ItemStatus.ON_HOLD_SHELF]
    assert Item.objects.get(status=ItemStatus.ON_HOLD_SHELF) == hold.trapped_item


@pytest.mark.django_db(transaction=True)
def test_one_item_scanned_at_two_desks_is_set_aside_for_one_hold(
    item, reader, other_reader, main, system_actor, now
):
    # given: two readers waiting for the title, one copy on the shelf
    holds = [
        hold_place(
            reader=who,
            record=item.record,
            pickup_service_point=main,
            actor=system_actor,
            channel="desk",
            at=now,
        )
        for who in (reader, other_reader)
    ]
    # when: two staff scan it from the pick list at once
    outcomes = _race(
        lambda: hold_trap(item=item, service_point=main, actor=system_actor, at=now),
        lambda: hold_trap(item=item, service_point=main, actor=system_actor, at=now),
    )
    # then: one trap for the first hold; the second scan is refused (no longer available)
    trapped = [o for o in outcomes if isinstance(o, Hold)]
    assert [h.pk for h in trapped] == [holds[0].pk], outcomes
    assert [type(o).__name__ for o in outcomes if not isinstance(o, Hold)] == ["InvalidTransition"]
    assert Hold.objects.filter(trapped_item=item, status=HoldStatus.READY).count() == 1
    assert Hold.objects.get(pk=holds[1].pk).status == HoldStatus.WAITING
    assert Item.objects.get(pk=item.pk).status == ItemStatus.ON_HOLD_SHELF
