"""The 2020 reference year's acquisition figures, produced by the report selectors from
records made through the services: 12,568 books added = 8,854 reader suggestions + 81
ordinary purchase + 1,073 local documents + 2,560 donations; purchased 10,008; 206 periodicals
and 30 newspapers. Books at 1/40 of the real scale (each count divided by 40, rounded down),
serial titles at full scale. `bench/bench_acquisitions_2020.py` builds the full year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shufang.acquisitions.selectors import additions_by_source, spending_by_budget_line
from shufang.acquisitions.services.donations import (
    DonatedItemIn,
    donated_item_decide,
    donation_record,
    donor_create,
)
from shufang.catalogue.models import AcquisitionSource
from shufang.demo.year2020 import order_lines_receive, subscriptions_make
from shufang.serials.selectors import subscriptions_count

pytestmark = pytest.mark.django_db

FIGURES_2020 = {
    AcquisitionSource.READER_SUGGESTION: 8854,
    AcquisitionSource.PURCHASE: 81,
    AcquisitionSource.LOCAL_DOCUMENTS: 1073,
    AcquisitionSource.DONATION: 2560,
}
SCALE = 40


def _receive(acq, source, copies, line, collection):
    order_lines_receive(
        order=acq.order,
        record=acq.net.record,
        source=source,
        copies=copies,
        budget_line=line,
        collection=collection,
        actor=acq.actor,
        received_on=dt.date(2020, 6, 1),
    )


def test_the_2020_acquisition_figures_come_from_the_records(acq) -> None:
    expected = {source: count // SCALE for source, count in FIGURES_2020.items()}
    juvenile = expected[AcquisitionSource.READER_SUGGESTION] // 4
    # given the year's additions, made through the services
    _receive(acq, AcquisitionSource.READER_SUGGESTION, juvenile, acq.suggestions_line, acq.juvenile)
    _receive(
        acq,
        AcquisitionSource.READER_SUGGESTION,
        expected[AcquisitionSource.READER_SUGGESTION] - juvenile,
        acq.suggestions_line,
        acq.net.collection,
    )
    _receive(
        acq,
        AcquisitionSource.PURCHASE,
        expected[AcquisitionSource.PURCHASE],
        acq.purchase_line,
        acq.net.collection,
    )
    _receive(
        acq,
        AcquisitionSource.LOCAL_DOCUMENTS,
        expected[AcquisitionSource.LOCAL_DOCUMENTS],
        acq.local_line,
        acq.local_collection,
    )
    donor = donor_create(kind="person", anonymous=True, actor=acq.actor)
    donation = donation_record(
        donor=donor,
        library=acq.net.library_a,
        received_on=dt.date(2020, 4, 23),
        items=[
            DonatedItemIn(
                title="捐赠图书", copies=expected[AcquisitionSource.DONATION], condition="good"
            )
        ],
        actor=acq.actor,
    )
    donated_item_decide(
        donated_item=donation.items.get(),
        decision="added",
        service_point=acq.net.point_a,
        collection=acq.net.collection,
        actor=acq.actor,
    )
    subscriptions_make(
        year=2020,
        vendor=acq.vendor,
        budget_line=acq.periodicals_line,
        service_point=acq.net.point_a,
        actor=acq.actor,
    )

    # when the annual report asks
    additions = additions_by_source(start=dt.date(2020, 1, 1), end=dt.date(2020, 12, 31))

    # then
    assert additions.by_source == {
        **expected,
        AcquisitionSource.EXCHANGE: 0,
        AcquisitionSource.LEGACY: 0,
    }
    assert additions.by_source == {
        "reader_suggestion": 221,
        "purchase": 2,
        "local_documents": 26,
        "donation": 64,
        "exchange": 0,
        "legacy": 0,
    }
    assert additions.total == 12568 // SCALE - 1  # 313: the four counts rounded down
    assert additions.purchased == 221 + 2 + 26
    assert additions.juvenile == 55
    assert additions.cost_by_source[AcquisitionSource.READER_SUGGESTION] == Decimal("6630.00")
    assert subscriptions_count(year=2020, kind="periodical") == 206
    assert subscriptions_count(year=2020, kind="newspaper") == 30
    spending = {s.line.code: (s.committed, s.spent) for s in spending_by_budget_line(year=2020)}
    assert spending == {
        "periodicals": (Decimal("23600.00"), Decimal("0.00")),
        "local": (Decimal("780.00"), Decimal("0.00")),
        "suggestions": (Decimal("6630.00"), Decimal("0.00")),
        "purchase": (Decimal("60.00"), Decimal("0.00")),
    }
    assert additions_by_source(start=dt.date(2021, 1, 1), end=dt.date(2021, 12, 31)).total == 0
