"""The ranking and the service periods of the report: a group card borrowing a deposit
collection is not a borrowing star; a closure of one library is named as such."""

from __future__ import annotations

import datetime as dt

import pytest

from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.services.closures import closure_declare
from shufang.circulation.tests.conftest import local
from shufang.readers.models import CategoryKind, ReaderCategory
from shufang.statistics import metrics as m
from shufang.statistics.render import _closure_label
from shufang.statistics.report import annual_report, borrowing_ranking, service_periods

pytestmark = pytest.mark.django_db


def test_a_group_card_is_left_out_of_the_ranking_and_categories_are_named(
    make_reader, make_item, rules, clerk_actor, main
) -> None:
    camp = ReaderCategory.objects.create(
        code="GROUP", name="集体读者", name_en="Group", kind=CategoryKind.GROUP
    )
    group = make_reader("武警新兵集训队", category=camp)
    person = make_reader("和雨涵")
    when = local(2024, 3, 5, 10)
    for _ in range(3):
        loan_checkout(
            item=make_item(), reader=group, service_point=main, at=when, actor=clerk_actor
        )
    loan_checkout(item=make_item(), reader=person, service_point=main, at=when, actor=clerk_actor)

    ranking = borrowing_ranking(year=2024)

    assert [(row.rank, row.category, row.category_name, row.loans) for row in ranking] == [
        (1, "ADULT", "成人读者", 1)
    ]


def test_a_closure_of_one_library_is_named_in_the_report_and_its_chart_legend(
    lj, main, system_actor
) -> None:
    closure_declare(
        start_date=dt.date(2024, 1, 24),
        end_date=dt.date(2024, 4, 6),
        reason="疫情防控",
        library=lj,
        actor=system_actor,
    )

    periods = service_periods(m.Period.year(2024), m.NETWORK)

    assert periods["closures"] == [
        {"start": "2024-01-24", "end": "2024-04-06", "reason": "疫情防控", "where": "丽江市图书馆"}
    ]
    assert _closure_label(annual_report(year=2024)) == "丽江市图书馆 closed"
