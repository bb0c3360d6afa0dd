"""A closure declared while a desk is lending: the new loan's due date never lands inside it.

Real threads and transactions: the closure's transaction stays open for a moment after the
closure is written; the checkout made meanwhile must wait for it and read the new calendar
(PostgreSQL: the calendar advisory lock; SQLite: one write transaction at a time)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from shufang.circulation.models import Loan
from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.services.closures import closure_declare
from shufang.circulation.tests.conftest import local_date


@pytest.mark.django_db(transaction=True)
def test_a_checkout_during_a_closure_declaration_gets_a_due_date_after_the_closure(
    item, reader, main, lj, system_actor, now
):
    # given a 30-day loan made on Tuesday 5 March 2024 would be due Thursday 4 April,
    # and a closure of the city library from 1 to 10 April being declared at that moment
    declared = threading.Event()
    failures: list[BaseException] = []

    def declare() -> None:
        try:
            with transaction.atomic():
                closure_declare(
                    start_date=dt.date(2024, 4, 1),
                    end_date=dt.date(2024, 4, 10),
                    reason="疫情防控",
                    library=lj,
                    actor=system_actor,
                    at=now,
                )
                declared.set()
                time.sleep(1.0)  # the desk scans while this transaction is still open
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
            declared.set()
        finally:
            connection.close()

    loans: list[Loan] = []

    def desk() -> None:
        try:
            assert declared.wait(timeout=20)
            loans.append(
                loan_checkout(
                    item=item, reader=reader, service_point=main, actor=system_actor, at=now
                )
            )
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=declare), threading.Thread(target=desk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then the loan is due on the first open day after the closure: Thursday 11 April
    assert failures == []
    loan = Loan.objects.get()
    assert local_date(loan.due_at) == dt.date(2024, 4, 11)
