from __future__ import annotations

import datetime as dt

import pytest

from shufang.catalogue.models import ItemStatus
from shufang.circulation.models import CirculationEvent, Loan, LoanStatus
from shufang.circulation.services.history import HistoryRow, loans_history_replay
from shufang.circulation.tests.conftest import local, local_date
from shufang.core.audit import Actor
from shufang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ACTOR = Actor.importer("history")


def test_replayed_loan_gets_due_date_from_rule_and_calendar(default_rule, main, make_item, reader):
    # given a loan on Tuesday 2019-03-05: 30 days later is Thursday 2019-04-04 (open)
    item = make_item()
    # and one on Saturday 2019-03-02: 30 days later is Monday 2019-04-01, closed
    other = make_item()
    rows = [
        HistoryRow(
            item_id=item.pk,
            reader_id=reader.pk,
            service_point_id=main.pk,
            checked_out_at=local(2019, 3, 5, 10),
            returned_at=local(2019, 3, 20, 11),
        ),
        HistoryRow(
            item_id=other.pk,
            reader_id=reader.pk,
            service_point_id=main.pk,
            checked_out_at=local(2019, 3, 2, 10),
            returned_at=local(2019, 3, 30, 11),
        ),
    ]
    # when they are replayed
    report = loans_history_replay(rows=rows, actor=ACTOR)
    # then both are loans, returned, due on open days, with their rule
    assert (report.loans, report.returns, report.refused) == (2, 2, [])
    first = Loan.objects.get(item=item)
    second = Loan.objects.get(item=other)
    assert local_date(first.due_at) == dt.date(2019, 4, 4)
    assert local_date(second.due_at) == dt.date(2019, 4, 2)
    assert first.status == LoanStatus.RETURNED
    assert first.rule_id == default_rule.pk


def test_replay_writes_one_event_per_loan_renewal_and_return_and_one_audit_row(
    default_rule, main, make_item, reader
):
    # given a loan renewed once and returned, and a loan still open
    returned, still_out = make_item(), make_item()
    audit_before = AuditEvent.objects.count()
    rows = [
        HistoryRow(
            item_id=returned.pk,
            reader_id=reader.pk,
            service_point_id=main.pk,
            checked_out_at=local(2019, 5, 7),
            renewed_at=(local(2019, 5, 30),),
            returned_at=local(2019, 6, 20),
        ),
        HistoryRow(
            item_id=still_out.pk,
            reader_id=reader.pk,
            service_point_id=main.pk,
            checked_out_at=local(2019, 5, 8),
        ),
    ]
    # when replayed
    loans_history_replay(rows=rows, actor=ACTOR)
    # then the events are one per transaction
    kinds = sorted(CirculationEvent.objects.values_list("kind", flat=True))
    assert kinds == ["checkin", "checkout", "checkout", "renewal"]
    assert AuditEvent.objects.count() == audit_before + 1
    # and the renewal moved the due date 30 days from the renewal day (2019-06-29, a Saturday)
    assert local_date(Loan.objects.get(item=returned).due_at) == dt.date(2019, 6, 29)
    # and the open loan put its item on loan
    still_out.refresh_from_db()
    returned.refresh_from_db()
    assert still_out.status == ItemStatus.ON_LOAN
    assert returned.status == ItemStatus.AVAILABLE


def test_replay_refuses_a_loan_on_a_closed_day_and_writes_nothing_for_it(
    default_rule, main, make_item, reader
):
    # given a loan on Monday 2019-03-04, when the main building is closed
    item = make_item()
    row = HistoryRow(
        item_id=item.pk,
        reader_id=reader.pk,
        service_point_id=main.pk,
        checked_out_at=local(2019, 3, 4, 10),
        returned_at=local(2019, 3, 20),
    )
    # when replayed
    report = loans_history_replay(rows=[row], actor=ACTOR)
    # then it is refused and nothing is written
    assert report.refused == [(0, "closed")]
    assert Loan.objects.count() == 0
    assert CirculationEvent.objects.count() == 0


def test_replay_refuses_overlapping_loans_of_one_item(default_rule, main, make_item, reader):
    # given two loans of the same item whose periods overlap
    item = make_item()
    rows = [
        HistoryRow(
            item_id=item.pk,
            reader_id=reader.pk,
            service_point_id=main.pk,
            checked_out_at=local(2019, 3, 5),
            returned_at=local(2019, 3, 20),
        ),
        HistoryRow(
            item_id=item.pk,
            reader_id=reader.pk,
            service_point_id=main.pk,
            checked_out_at=local(2019, 3, 12),
            returned_at=local(2019, 3, 28),
        ),
    ]
    # when replayed
    report = loans_history_replay(rows=rows, actor=ACTOR)
    # then the later one is refused
    assert report.loans == 1
    assert report.refused == [(1, "overlapping_loan")]
    assert Loan.objects.filter(item=item).count() == 1


def test_replay_refuses_more_renewals_than_the_rule_allows(default_rule, main, make_item, reader):
    # given a loan renewed twice under a rule allowing one renewal
    item = make_item()
    row = HistoryRow(
        item_id=item.pk,
        reader_id=reader.pk,
        service_point_id=main.pk,
        checked_out_at=local(2019, 3, 5),
        renewed_at=(local(2019, 3, 30), local(2019, 4, 25)),
        returned_at=local(2019, 5, 20),
    )
    # when replayed; then refused, nothing written
    report = loans_history_replay(rows=[row], actor=ACTOR)
    assert report.refused == [(0, "renewals_exceeded")]
    assert Loan.objects.count() == 0
