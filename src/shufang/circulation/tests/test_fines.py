"""Overdue fines: open days only, grace days, optional policy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shufang.circulation.models import Fine
from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.services.fines import fine_for_return, overdue_days
from shufang.circulation.tests.conftest import local
from shufang.network.calendar import Calendar, DatedException

# open Tuesday to Sunday, closed Mondays
WEEK = Calendar.build([(d, dt.time(9), dt.time(17)) for d in range(1, 7)])


def test_overdue_days_count_open_days_only():
    # due Thursday 4 April 2024, returned Tuesday 9 April: Fri, Sat, Sun, (Mon closed), Tue
    assert overdue_days(due=dt.date(2024, 4, 4), returned=dt.date(2024, 4, 9), calendar=WEEK) == 4


def test_no_overdue_days_when_returned_on_the_due_day():
    assert overdue_days(due=dt.date(2024, 4, 4), returned=dt.date(2024, 4, 4), calendar=WEEK) == 0


def test_closure_days_are_not_overdue_days():
    closed = Calendar(
        weekly=WEEK.weekly,
        exceptions=(DatedException("closure", dt.date(2024, 4, 5), dt.date(2024, 4, 8)),),
    )
    assert overdue_days(due=dt.date(2024, 4, 4), returned=dt.date(2024, 4, 9), calendar=closed) == 1


@pytest.fixture
def loan(item, reader, main, clerk_actor, now, default_rule):
    default_rule.fine_per_day = Decimal("0.10")
    default_rule.fine_grace_days = 1
    default_rule.save()
    return loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)


@pytest.mark.django_db
def test_fine_for_a_late_return_counts_open_days_beyond_the_grace_days(loan, reader):
    # due Thursday 4 April; returned Tuesday 9 April: 4 open days late, 1 grace day
    fine = fine_for_return(loan=loan, returned_at=local(2024, 4, 9, 15))
    assert fine is not None
    assert (fine.reader_id, fine.loan_id, fine.kind, fine.amount, fine.status) == (
        reader.pk,
        loan.pk,
        "overdue",
        Decimal("0.30"),
        "outstanding",
    )


@pytest.mark.django_db
def test_no_fine_within_the_grace_days(loan):
    assert fine_for_return(loan=loan, returned_at=local(2024, 4, 5, 15)) is None
    assert Fine.objects.count() == 0


@pytest.mark.django_db
def test_no_fine_when_the_policy_charges_nothing(item, reader, main, clerk_actor, now):
    loan = loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)
    assert fine_for_return(loan=loan, returned_at=local(2024, 6, 1)) is None
    assert Fine.objects.count() == 0
