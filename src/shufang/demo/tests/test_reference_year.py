"""The demo's 2020 annual report against the reference table of the metrics spec
(shared/spec/annual-report-metrics.md): the default-scale demo is built once (about 70-90 s),
then `shufang report annual --year 2020 --format json` is read and every reference figure
compared. Marked slow (about two minutes): the test command runs it on both databases;
leave it out while iterating with `-m "not slow"`."""

from __future__ import annotations

import contextlib
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="module")
def report(django_db_setup, django_db_blocker) -> Any:
    from shufang.demo.services import demo_build

    with django_db_blocker.unblock():
        demo_build(scale="small")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):  # the command writes the JSON to sys.stdout
            call_command("report", "annual", "--year", "2020", "--format", "json")
    yield json.loads(out.getvalue())
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def test_reader_circulation_and_visit_figures_are_the_reference_years(report):
    # given the demo's 2020 report; then the reader services figures are the seed's
    f, before = report["metrics"], report["previous_year"]
    assert f["readers.new_cards"] == 654
    assert f["readers.valid_cardholders"] == 8952
    assert f["circulation.loans"] == 57588
    assert f["circulation.loans_juvenile"] == 39219
    assert 30_000 <= f["visits.total"] <= 30_999  # "3 万余"
    assert f["service.open_hours_per_week"] == 60
    # and 2019's, which the seed compares with
    assert before["circulation.loans"] == 93008
    assert 80_400 <= before["visits.total"] <= 80_499  # "8.04 万余"


def test_service_periods_are_the_closure_and_closed_stack_lending(report):
    periods = report["service_periods"]
    assert [(c["start"], c["end"]) for c in periods["closures"]] == [("2020-01-24", "2020-04-06")]
    assert [(p["start"], p["end"], p["mode"]) for p in periods["modes"]] == [
        ("2020-04-07", "2020-07-19", "closed_stack")
    ]


def test_outreach_publicity_media_and_venue_figures_are_the_reference_years(report):
    f = report["metrics"]
    assert f["outreach.reading_points"] == {"total": 32, "new": 2}
    assert f["outreach.mobile_rooms"] == 14
    assert f["outreach.ebook_machines"] == 10
    assert f["outreach.deposit_loans"] == 2400
    assert f["publicity.wechat"] == {
        "followers": 10628,
        "followers_gain": 971,
        "posts": 271,
        "posts_over_500": 23,
        "top_reads": 2522,
    }
    assert f["publicity.website"] == {"articles": 59, "page_views": 2032164, "visits": 47770}
    assert f["media.reports"] == {"city": 35, "province": 39, "national": 11, "total": 85}
    assert f["venue.group_visits"] == {"count": 2, "people": 64, "each": [34, 30]}
    assert f["venue.hosted"] == 1


def test_collection_figures_are_the_reference_years(report):
    f = report["metrics"]
    assert f["collection.periodicals"] == 206
    assert f["collection.newspapers"] == 30
    assert f["collection.additions"]["total"] == 12568
    assert f["collection.additions"]["by_source"] == {
        "reader_suggestion": 8854,
        "purchase": 81,
        "local_documents": 1073,
        "donation": 2560,
        "exchange": 0,
        "legacy": 0,
    }
    assert f["collection.additions_purchased"] == 10008
    assert f["collection.additions_juvenile"] == 7282
    assert 110_000 <= f["collection.ebooks_owned"] <= 119_999  # "11 万余"
    # the default scale builds about 61,000 items; only --scale full has the "28.4 万余"
    assert 60_000 <= f["collection.holdings"] <= 62_000


def test_event_figures_are_the_reference_years(report):
    f = report["metrics"]
    assert f["events.exhibitions"] == {"online": 15, "offline": 5, "total": 20}
    assert f["events.online_activities"]["total"] == 10
    assert f["events.offline"] == {
        "total": 13,
        "by_kind": {"ceremony": 1, "class": 5, "lecture": 2, "story": 5},
    }
    attendance = f["events.attendance_by_kind"]
    assert (attendance["lecture"], attendance["class"]) == (250, 500)  # "about 250", "近 500"
    series = f["events.series"]
    assert series["tianyu"]["numbers"] == [[36, "2020-09-24"], [37, "2020-11-28"]]
    assert [n for n, _day in series["open-class"]["numbers"]] == [10, 11, 12, 13, 14]
    assert [49, "2020-12-05"] in series["story"]["numbers"]
    assert series["story"]["held"] == 5
    assert f["events.films"] == 24
    assert series["film"]["held"] == 24
    assert series["film"]["since_start"] == 419
    assert series["film"]["attendance_since_start"] > 12_000


def test_awards_staff_funding_and_budget_are_the_reference_years(report):
    f, before = report["metrics"], report["previous_year"]
    assert f["awards.readers"] == {
        "borrowing_expert": 10,
        "diligent_star": 2,
        "popular_young_reader": 6,
        "prize": 10,
        "total": 28,
    }
    assert f["staff"] == {"authorised": 15, "filled": 14, "vacant": 1}
    funding = f["funding.projects"]
    assert (funding["count"], Decimal(funding["amount"])) == (4, Decimal("1520000"))
    assert sorted(int(float(p["amount"])) for p in funding["projects"]) == [
        100_000,
        120_000,
        400_000,
        900_000,
    ]
    assert float(f["budget.books"]["amount"]) == 450_000
    assert float(before["budget.books"]["amount"]) == 350_000


def test_every_consistency_check_of_the_report_passes(report):
    checks = report["consistency"]["checks"]
    assert [c["name"] for c in checks if not c["passed"]] == []
    assert report["consistency"]["passed"] is True
    assert len(checks) >= 15
