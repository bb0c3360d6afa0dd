"""The programme, outreach and ledger figures of Lijiang's 2020 annual report, built from
records made through the services and read back through the report's selectors."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from shufang.core.audit import Actor
from shufang.demo.year2020 import ledgers_make, outreach_points_create, programmes_make
from shufang.network.services import service_point_create
from shufang.operations import selectors as ops
from shufang.operations.tests.fixtures import Lijiang
from shufang.outreach import selectors as outreach
from shufang.programmes import selectors as prog
from shufang.programmes.models import EventKind, Series

pytestmark = pytest.mark.django_db

YEAR_START, YEAR_END = dt.date(2020, 1, 1), dt.date(2020, 12, 31)
SYSTEM = Actor.system("2020 reference")


def make_outreach(lj: Lijiang) -> None:
    # the city library's outreach points, as the demo makes them
    outreach_points_create(library=lj.library, actor=SYSTEM)

    # and two that do not count at the end of 2020: closed in 2019, opened in 2021
    def point(code: str, opened: dt.date, closed: dt.date | None = None) -> None:
        service_point_create(
            library=lj.library,
            code=f"CN-530700-{code}",
            name=code,
            kind="reading_point",
            actor=SYSTEM,
            host_organisation="社区",
            opened_on=opened,
            closed_on=closed,
        )

    point("RP99", dt.date(2016, 1, 1), closed=dt.date(2019, 12, 1))
    point("RP2021", dt.date(2021, 3, 1))


def test_the_2020_programme_outreach_and_ledger_figures_come_from_records(lj: Lijiang) -> None:
    # Given the year's records, made through the services by the demo's builders
    rng = random.Random(2020)
    programmes_make(library=lj.library, main=lj.main, actor=SYSTEM, rng=rng)
    ledgers_make(library=lj.library, actor=SYSTEM, rng=rng)
    make_outreach(lj)
    period = {"start": YEAR_START, "end": YEAR_END}

    # Then the report's figures are these
    assert prog.exhibitions_count(**period, online=True) == 15
    assert prog.exhibitions_count(**period, online=False) == 5
    assert prog.exhibitions_count(**period) == 20
    assert prog.activities_count(**period, online=True) == 10
    assert prog.activities_count(**period, online=False) == 13
    assert prog.activities_by_kind(**period, online=False) == {
        "ceremony": 1,
        "class": 5,
        "lecture": 2,
        "story": 5,
    }
    assert prog.event_attendance(**period, kind=EventKind.LECTURE) == 250
    assert prog.event_attendance(**period, kind=EventKind.CLASS) == 500
    assert prog.films_count(**period) == 24
    films = Series.objects.get(code="film")
    assert prog.series_total(series=films) == 419
    assert prog.awards_count(**period) == {
        "borrowing_expert": 10,
        "diligent_star": 2,
        "popular_young_reader": 6,
        "prize": 10,
        "total": 28,
    }
    assert ops.media_reports_by_level(**period) == {
        "city": 35,
        "province": 39,
        "national": 11,
        "total": 85,
    }
    assert ops.wechat_figures(year=2020) == {
        "followers": 10628,
        "followers_gain": 971,
        "posts": 271,
        "posts_over_500": 23,
        "top_reads": 2522,
    }
    assert ops.website_figures(**period) == {
        "articles": 59,
        "page_views": 2032164,
        "visits": 47770,
    }
    assert ops.group_visits(**period) == {"count": 2, "people": 64, "each": [34, 30]}
    assert ops.venue_hosted(**period) == 1
    assert ops.staff_posts(at=YEAR_END) == {"authorised": 15, "filled": 14, "vacant": 1}
    funding = ops.funded_projects(year=2020)
    assert (funding["count"], funding["amount"]) == (4, Decimal("1520000"))
    assert ops.trainings(**period) == {"count": 2, "participants": 20, "hours": Decimal("27")}
    assert outreach.reading_points_count(at=YEAR_END) == 32
    assert outreach.reading_points_count(at=YEAR_END, opened_in=2020) == 2
    assert outreach.mobile_rooms_count(at=YEAR_END) == 14
    assert outreach.ebook_machines_count(at=YEAR_END) == 10
    # and the 2019 exhibition that ran into 2020 counts in 2019 only
    assert prog.exhibitions_count(start=dt.date(2019, 1, 1), end=dt.date(2019, 12, 31)) == 1
