"""Two desks scanning one item at the same moment: exactly one loan, one clear refusal.

Real threads, real transactions (SQLite with WAL and IMMEDIATE transactions; PostgreSQL with
the item row locked)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from shufang.catalogue.models import Item, ItemStatus
from shufang.circulation import errors
from shufang.circulation.models import CirculationEvent, Loan
from shufang.circulation.services.checkout import loan_checkout


@pytest.mark.django_db(transaction=True)
def test_two_desks_checking_out_one_item_at_once_make_exactly_one_loan(
    item, reader, other_reader, main, system_actor, now
):
    # given two desks ready to scan the same item for two readers
    barrier = threading.Barrier(2)
    outcomes: list[object] = []
    lock = threading.Lock()

    def desk(who) -> None:
        try:
            barrier.wait(timeout=10)
            loan = loan_checkout(
                item=item, reader=who, service_point=main, actor=system_actor, at=now
            )
            result: object = loan
        except errors.Block as block:
            result = block
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            result = exc
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=desk, args=(r,)) for r in (reader, other_reader)]
    # when both scan at once
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # then one loan and one ItemAlreadyOnLoan
    loans = [o for o in outcomes if isinstance(o, Loan)]
    refusals = [o for o in outcomes if isinstance(o, errors.ItemAlreadyOnLoan)]
    assert (len(loans), len(refusals)) == (1, 1), outcomes
    assert Loan.objects.count() == 1
    assert Loan.objects.get().reader_id == loans[0].reader_id
    assert Item.objects.get(pk=item.pk).status == ItemStatus.ON_LOAN
    assert CirculationEvent.objects.count() == 1
