from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count
from django.db.models.functions import TruncMonth

from shufang.circulation.models import CirculationChannel, CirculationEvent, Loan
from shufang.circulation.services.anonymise import loans_anonymise
from shufang.circulation.services.checkin import loan_checkin
from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.tests.conftest import local
from shufang.core.models import AuditEvent
from shufang.readers.models import ConsentKind
from shufang.readers.services import consent_set

pytestmark = pytest.mark.django_db

DESK = CirculationChannel.DESK


def figures() -> dict[str, list]:
    """The report figures, all from the anonymous event log."""
    events = CirculationEvent.objects.order_by()
    return {
        "per_month": list(
            events.annotate(m=TruncMonth("day"))
            .values_list("kind", "m")
            .annotate(n=Count("id"))
            .order_by("kind", "m")
        ),
        "per_category": list(
            events.values_list("kind", "reader_category")
            .annotate(n=Count("id"))
            .order_by("kind", "reader_category")
        ),
        "per_age_band": list(
            events.values_list("kind", "age_band")
            .annotate(n=Count("id"))
            .order_by("kind", "age_band")
        ),
        "juvenile": list(
            events.values_list("kind", "juvenile_collection")
            .annotate(n=Count("id"))
            .order_by("kind", "juvenile_collection")
        ),
    }


@pytest.fixture
def history(make_item, child_item, reader, other_reader, child_reader, main, system_actor):
    """Loans over two months by three readers: most returned long ago, one returned lately,
    one still out."""

    def lend_and_return(item, who, out, back):
        loan_checkout(item=item, reader=who, service_point=main, actor=system_actor, at=out)
        if back is not None:
            loan_checkin(item=item, service_point=main, actor=system_actor, channel=DESK, at=back)

    lend_and_return(make_item(), reader, local(2024, 1, 3), local(2024, 1, 20))
    lend_and_return(make_item(), other_reader, local(2024, 1, 5), local(2024, 2, 1))
    lend_and_return(child_item, child_reader, local(2024, 1, 6), local(2024, 1, 30))
    lend_and_return(child_item, child_reader, local(2024, 2, 2), local(2024, 2, 25))
    lend_and_return(make_item(), other_reader, local(2024, 2, 3), local(2024, 3, 20))  # lately
    lend_and_return(make_item(), reader, local(2024, 2, 10), None)  # still out


def test_old_returned_loans_forget_their_reader(history, system_actor):
    # when, 30 days after 2024-03-01
    count = loans_anonymise(at=local(2024, 3, 31), days=30)
    # then the four returned before 2024-03-01 are anonymous; the late one and the open one not
    assert count == 4
    anonymous = Loan.objects.filter(reader__isnull=True)
    assert anonymous.count() == 4
    assert set(anonymous.values_list("card", flat=True)) == {None}
    assert set(anonymous.values_list("anonymised_at", flat=True)) == {local(2024, 3, 31)}
    kept = Loan.objects.filter(reader__isnull=False).order_by("checked_out_at")
    assert [(loan.returned_at is None) for loan in kept] == [False, True]
    assert AuditEvent.objects.filter(action="loans.anonymised").get().changes["count"] == 4


def test_every_report_figure_is_the_same_after_anonymising(history):
    # given
    before = figures()
    assert sum(n for _kind, _m, n in before["per_month"]) == 11  # 6 loans + 5 returns
    # when
    loans_anonymise(at=local(2024, 6, 30), days=30)
    # then
    assert Loan.objects.filter(reader__isnull=True).count() == 5
    assert figures() == before


def test_a_reader_who_keeps_history_keeps_it(history, reader, system_actor):
    # given
    consent_set(reader=reader, kind=ConsentKind.KEEP_LOAN_HISTORY, granted=True, actor=system_actor)
    # when
    loans_anonymise(at=local(2024, 6, 30), days=30)
    # then
    assert Loan.objects.filter(reader=reader).count() == 2
    assert Loan.objects.filter(reader__isnull=True).count() == 4  # the other readers' returns


def test_second_run_finds_nothing_to_do(history):
    assert loans_anonymise(at=local(2024, 6, 30), days=30) == 5
    events = AuditEvent.objects.count()
    assert loans_anonymise(at=local(2024, 7, 1), days=30) == 0
    assert AuditEvent.objects.count() == events


def test_the_period_comes_from_the_setting(history, settings):
    settings.LOAN_HISTORY_DAYS = 60
    # 60 days before 2024-03-31 is 2024-01-31: only the two returned on Jan 20 and 30 go
    assert loans_anonymise(at=local(2024, 3, 31)) == 2


def test_anonymising_a_large_history_works_in_batches(
    make_item, reader, main, make_loan, monkeypatch
):
    # given more returned loans than a batch
    from shufang.circulation.services import anonymise

    monkeypatch.setattr(anonymise, "_BATCH", 3)
    for _n in range(7):
        make_loan(
            make_item(),
            reader,
            dt.date(2024, 1, 10),
            status="returned",
            returned_at=local(2024, 1, 9),
        )
    # when
    assert loans_anonymise(at=local(2024, 6, 30), days=30) == 7
    # then
    assert Loan.objects.filter(reader__isnull=False).count() == 0
    assert AuditEvent.objects.filter(action="loans.anonymised").count() == 3
