"""The simulated years at the tiny scale, checked by direct counts of the records (not through
the statistics code, so that the two are checked independently)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q

from shufang.catalogue.models import Item
from shufang.circulation.models import (
    CirculationEvent,
    Closure,
    Deposit,
    Loan,
    ServiceModePeriod,
)
from shufang.demo import data
from shufang.demo.services import SCALES, demo_build
from shufang.demo.simulation import (
    ADDITIONS_2020,
    LOANS_2019,
    LOANS_2020,
    LOANS_2020_JUVENILE,
)
from shufang.network.calendar import is_open_on
from shufang.network.models import ServicePoint
from shufang.network.selectors import calendar_for
from shufang.readers.models import Card

TZ = ZoneInfo("Asia/Shanghai")


def _year(y: int) -> Q:
    return Q(
        checked_out_at__gte=dt.datetime(y, 1, 1, tzinfo=TZ),
        checked_out_at__lt=dt.datetime(y + 1, 1, 1, tzinfo=TZ),
    )


@pytest.fixture(scope="module")
def tiny(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        summary = demo_build(scale="tiny")
    yield summary
    with django_db_blocker.unblock():
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_simulated_years_reach_their_scaled_loan_targets(tiny):
    # given the tiny scale's factor; when counting loans by year; then they are the targets
    factor = SCALES["tiny"].factor
    assert Loan.objects.filter(_year(2019)).count() == round(LOANS_2019 * factor)
    assert Loan.objects.filter(_year(2020)).count() == round(LOANS_2020 * factor)
    juvenile = Loan.objects.filter(_year(2020), item__collection__juvenile=True).count()
    assert juvenile == round(LOANS_2020_JUVENILE * factor)
    assert tiny.counts["history_refused"] == 0


@pytest.mark.django_db
def test_every_loan_renewal_and_return_has_its_event(tiny):
    # when counting the event log against the loans; then they agree
    assert CirculationEvent.objects.filter(kind="checkout").count() == Loan.objects.count()
    assert (
        CirculationEvent.objects.filter(kind="checkin").count()
        == Loan.objects.filter(returned_at__isnull=False).count()
    )
    renewals = sum(Loan.objects.values_list("renewals", flat=True))
    assert CirculationEvent.objects.filter(kind="renewal").count() == renewals


@pytest.mark.django_db
def test_no_loan_at_the_city_library_during_the_closure(tiny):
    # given the closure 2020-01-24 to 2020-04-06 of the city library
    start, end, _reason = data.COVID_CLOSURE
    closure = Closure.objects.get()
    assert (closure.start_date, closure.end_date) == (start, end)
    # when counting loans made there in those days; then there are none
    during = Loan.objects.filter(
        service_point__library__code=data.CITY_LIBRARY_CODE,
        checked_out_at__gte=dt.datetime.combine(start, dt.time(0), tzinfo=TZ),
        checked_out_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=TZ),
    )
    assert during.count() == 0
    # and the closed-stack period follows it at the main building
    mode = ServiceModePeriod.objects.get(service_point__code=data.MAIN_SERVICE_POINT_CODE)
    assert (mode.mode, mode.start_date, mode.end_date) == (
        "closed_stack",
        dt.date(2020, 4, 7),
        dt.date(2020, 7, 19),
    )


@pytest.mark.django_db
def test_no_loan_made_or_due_on_a_day_its_service_point_is_closed(tiny):
    # given every service point's calendar
    calendars = {p.pk: calendar_for(service_point=p) for p in ServicePoint.objects.all()}
    # when checking every loan's lending day and due day; then each is an open day
    for point_id, out, due in Loan.objects.values_list(
        "service_point_id", "checked_out_at", "due_at"
    ):
        calendar = calendars[point_id]
        assert is_open_on(calendar, out.astimezone(TZ).date()), out
        assert is_open_on(calendar, due.astimezone(TZ).date()), due


@pytest.mark.django_db
def test_deposit_items_went_to_the_camp_between_september_and_december(tiny):
    # when counting the deposit's loans; then all were lent on 2020-09-01 and came back
    deposit = Deposit.objects.get()
    loans = Loan.objects.filter(deposit=deposit)
    assert loans.count() == round(2400 * SCALES["tiny"].factor)
    assert {loan.checked_out_at.astimezone(TZ).date() for loan in loans} == {dt.date(2020, 9, 1)}
    assert loans.filter(returned_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_2020_additions_have_the_reports_source_mix(tiny):
    # when counting items acquired in 2020 by source; then the scaled mix
    factor = SCALES["tiny"].factor
    added = Item.objects.filter(acquired_on__year=2020)
    by_source = {s: added.filter(acquisition_source=s).count() for s in ADDITIONS_2020}
    assert by_source == {s: round(n * factor) for s, n in ADDITIONS_2020.items()}


@pytest.mark.django_db
def test_items_on_loan_have_exactly_one_open_loan(tiny):
    # when comparing item statuses with open loans; then they agree
    on_loan = set(Item.objects.filter(status="on_loan").values_list("pk", flat=True))
    open_loans = set(
        Loan.objects.filter(status__in=["active", "claims_returned"]).values_list(
            "item_id", flat=True
        )
    )
    assert on_loan == open_loans


@pytest.mark.django_db
def test_cards_issued_in_2020_are_counted_once(tiny):
    # when counting cards issued in 2020; then the bulk readers' share of 654 in 9,000
    issued = Card.objects.filter(
        issued_at__gte=dt.datetime(2020, 1, 1, tzinfo=TZ),
        issued_at__lt=dt.datetime(2021, 1, 1, tzinfo=TZ),
    ).count()
    assert issued == round(SCALES["tiny"].readers * 654 / 9000)


@pytest.mark.django_db
def test_gate_counts_sum_to_the_years_visits_and_none_while_closed(tiny):
    # given the gate counts the simulation imported
    from django.db.models import Sum

    from shufang.demo.simulation import VISITS
    from shufang.statistics.models import VisitCount

    factor = SCALES["tiny"].factor
    # when summing them by year; then the scaled targets
    for year, visits in VISITS.items():
        total = VisitCount.objects.filter(day__year=year).aggregate(n=Sum("count"))["n"]
        assert total == round(visits * factor)
    # and no count falls in the closure
    start, end, _reason = data.COVID_CLOSURE
    assert VisitCount.objects.filter(day__gte=start, day__lte=end).count() == 0
