"""A small simulated year run through the real services, and every metric asserted against
counts the test keeps itself while creating the records."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from shufang.catalogue.models import AcquisitionSource, Record
from shufang.catalogue.services.items import item_create
from shufang.circulation.models import CirculationChannel, Loan
from shufang.circulation.services.anonymise import loans_anonymise
from shufang.circulation.services.checkin import loan_checkin
from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.services.renew import loan_renew
from shufang.circulation.tests.conftest import local
from shufang.core.audit import Actor
from shufang.programmes.services import event_create, event_update
from shufang.readers.models import Consent, ConsentKind
from shufang.readers.services import reader_register
from shufang.statistics import metrics as m
from shufang.statistics.report import annual_report, borrowing_ranking, consistency_checks
from shufang.statistics.services import visit_count_set, visit_counts_import

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("test")


class Year:
    """What the test created, counted as it went."""

    def __init__(self) -> None:
        self.loans: Counter[str] = Counter()  # by "YYYY-MM"
        self.loans_by_point: Counter[str] = Counter()
        self.juvenile = 0
        self.renewals = 0
        self.new_cards_2020 = 0
        self.readers: list[Any] = []
        self.additions: Counter[str] = Counter()
        self.juvenile_additions = 0
        self.items_held = 0
        self.visits = 0
        self.visits_2019 = 0
        self.events: Counter[str] = Counter()
        self.attendance = 0
        self.loans_per_reader: Counter[int] = Counter()


def simulate(
    tmp_path: Path, lj, main, kiosk, adult_lending, children, adult_category, rules
) -> Year:
    rnd = random.Random(8)
    year = Year()
    record = Record.objects.create(title="边城", clc="I246.5", material_type="book")
    child_record = Record.objects.create(title="小王子", clc="I565.88", material_type="book")

    # readers: 3 registered in 2019, 5 in 2020
    for i in range(8):
        registered = local(2019, 6, 1 + i) if i < 3 else local(2020, 2 + i, 3)
        reader = reader_register(
            name=["张雨涵", "李明", "王锋", "欧阳娜娜", "赵小红", "钱多多", "孙悟", "周杰"][i],
            category=adult_category,
            home_service_point=main,
            birth_date=dt.date(1990, 1, 1 + i),
            actor=SYSTEM,
            issued_at=registered,
            card_expires_on=dt.date(2030, 1, 1),
        )
        year.readers.append(reader)
        if i >= 3:
            year.new_cards_2020 += 1

    # items: 6 bought in 2019, 24 added in 2020 from various sources (some juvenile)
    items = []
    sources = [
        AcquisitionSource.READER_SUGGESTION,
        AcquisitionSource.PURCHASE,
        AcquisitionSource.LOCAL_DOCUMENTS,
        AcquisitionSource.DONATION,
    ]
    for i in range(30):
        in_2020 = i >= 6
        juvenile = i % 3 == 0
        source = sources[i % 4] if in_2020 else AcquisitionSource.PURCHASE
        acquired = dt.date(2020, 1 + i % 12, 10) if in_2020 else dt.date(2019, 5, 1)
        item = item_create(
            record=child_record if juvenile else record,
            barcode=f"S{i:06d}",
            home_service_point=main,
            collection=children if juvenile else adult_lending,
            acquisition_source=source,
            acquired_on=acquired,
            actor=SYSTEM,
        )
        items.append(item)
        if in_2020:
            year.additions[source] += 1
            year.juvenile_additions += juvenile
    year.items_held = 30

    # loans: each adult reader borrows and returns several items in 2020, at the desk
    # (a Tuesday 10:00) or the kiosk
    tuesdays = [local(2020, 1, 7) + dt.timedelta(weeks=w) for w in range(0, 50, 3)]
    for when in tuesdays:
        for reader in rnd.sample(year.readers, 3):
            item = rnd.choice([it for it in items if it.status == "available"])
            point = rnd.choice([main, kiosk])
            loan = loan_checkout(
                item=item,
                reader=reader,
                service_point=point,
                actor=SYSTEM,
                channel=CirculationChannel.DESK
                if point == main
                else CirculationChannel.SELF_SERVICE,
                at=when,
            )
            year.loans[f"{when:%Y-%m}"] += 1
            year.loans_by_point[point.code] += 1
            year.juvenile += item.collection.juvenile
            year.loans_per_reader[reader.pk] += 1
            if rnd.random() < 0.3:
                loan_renew(
                    loan=loan,
                    actor=SYSTEM,
                    channel=CirculationChannel.DESK,
                    at=when + dt.timedelta(days=5),
                )
                year.renewals += 1
            loan_checkin(
                item=item,
                service_point=main,
                actor=SYSTEM,
                channel=CirculationChannel.DESK,
                at=when + dt.timedelta(days=7),
            )
            item.refresh_from_db()

    # events: 2 exhibitions (one online), 3 lectures, 1 film, 1 cancelled lecture (not held)
    plan = [
        ("exhibition", False, 40),
        ("exhibition", True, None),
        ("lecture", False, 30),
        ("lecture", False, 25),
        ("lecture", False, 50),
        ("film", False, 60),
    ]
    for i, (kind, online, heads) in enumerate(plan):
        start = local(2020, 8 + i // 2, 10 + i, 14)
        event = event_create(
            library=lj,
            title=f"活动{i}",
            kind=kind,
            starts_at=start,
            ends_at=start + dt.timedelta(days=20 if kind == "exhibition" else 0, hours=2),
            actor=SYSTEM,
            online=online,
        )
        event_update(event=event, actor=SYSTEM, status="held", head_count=heads)
        year.events[kind] += 1
        if not online and heads:
            year.attendance += heads
    start = local(2020, 12, 1, 14)
    event_create(
        library=lj,
        title="取消的讲座",
        kind="lecture",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        actor=SYSTEM,
    )

    # visits: a gate-counter file for 2020 (with one bad row), a re-import of one day,
    # a head-count on a day without gate counts, a head-count on a gate day (not added)
    csv = tmp_path / "gates.csv"
    lines = ["服务点,入口,日期,人次"]
    for month in range(1, 13):
        for gate, n in (("east", 100 + month), ("west", 50 + month)):
            lines.append(f"{main.code},{gate},2020-{month:02d}-15,{n}")
            year.visits += n
    lines.append("NOPE,east,2020-03-01,5")
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = visit_counts_import(path=csv, actor=SYSTEM)
    assert result.loaded == 24 and [e.line for e in result.rejected] == [26]
    again = visit_counts_import(path=csv, actor=SYSTEM)
    assert again.loaded == 24  # replaced, not doubled
    visit_count_set(
        service_point=kiosk, day=dt.date(2020, 6, 1), count=7, source="headcount", actor=SYSTEM
    )
    year.visits += 7
    visit_count_set(
        service_point=main, day=dt.date(2020, 6, 15), count=999, source="headcount", actor=SYSTEM
    )
    visit_count_set(service_point=main, day=dt.date(2019, 6, 15), count=80, actor=SYSTEM)
    year.visits_2019 = 80
    return year


@pytest.fixture
def year(tmp_path, lj, main, kiosk, adult_lending, children, adult_category, rules) -> Year:
    lj.service_population = 1_300_000
    lj.save()
    return simulate(tmp_path, lj, main, kiosk, adult_lending, children, adult_category, rules)


Y2020 = m.Period.year(2020)


def test_every_metric_of_a_simulated_year_matches_the_counts_made_while_creating_it(
    year: Year, main
) -> None:
    f = m.compute_all(Y2020)

    loans = sum(year.loans.values())
    assert f["circulation.loans"] == loans
    assert f["circulation.loans_juvenile"] == year.juvenile
    assert f["circulation.renewals"] == year.renewals
    assert f["readers.new_cards"] == year.new_cards_2020
    assert f["readers.valid_cardholders"] == 8
    assert f["visits.total"] == year.visits
    assert f["collection.additions"]["total"] == 24
    assert {k: v for k, v in f["collection.additions"]["by_source"].items() if v} == dict(
        year.additions
    )
    assert f["collection.additions_purchased"] == 18  # suggestion + purchase + local documents
    assert f["collection.additions_juvenile"] == year.juvenile_additions
    assert f["collection.holdings"] == year.items_held
    assert f["events.exhibitions"] == {"online": 1, "offline": 1, "total": 2}
    assert f["events.offline"] == {"total": 3, "by_kind": {"lecture": 3}}
    assert f["events.online_activities"] == {"total": 0, "by_kind": {}}
    assert f["events.films"] == 1
    assert f["events.total"] == 6
    assert f["events.attendance"] == year.attendance
    assert f["service.open_hours_per_week"] == 48.0  # Tue-Sun 09:00-17:00
    assert m.loans_by(Y2020, m.NETWORK, "month") == {
        f"2020-{mo:02d}": year.loans[f"2020-{mo:02d}"] for mo in range(1, 13)
    }
    assert m.loans_by(Y2020, m.NETWORK, "service_point") == dict(
        sorted(year.loans_by_point.items())
    )
    point_scope = m.Scope.of(service_point=main)
    assert m.compute("circulation.loans", Y2020, point_scope) == year.loans_by_point[main.code]
    assert f["indicators"]["loans_per_cardholder"] == round(loans / 8, 2)
    assert f["indicators"]["turnover"] == round(loans / 30, 3)
    assert f["indicators"]["attendance_per_1000"] == round(year.attendance * 1000 / 1_300_000, 2)


def test_report_compares_with_the_previous_year(year: Year) -> None:
    report = annual_report(year=2020)

    assert report.previous["visits.total"] == year.visits_2019
    assert report.previous["circulation.loans"] == 0
    assert report.previous["readers.new_cards"] == 3
    assert report.previous["collection.holdings"] == 6
    rows = {row[0]: row for row in report.headline_rows()}
    assert rows["readers.new_cards"][2:] == (year.new_cards_2020, 3, round((5 - 3) / 3 * 100, 1))


def test_consistency_checks_pass_on_consistent_records(year: Year) -> None:
    checks = consistency_checks(Y2020, m.NETWORK)

    assert [c.name for c in checks if not c.passed] == []


def test_consistency_checks_fail_when_two_figures_disagree(year: Year) -> None:
    # given figures where the events total disagrees with the sections (as in the 2020
    # report's 21 exhibitions vs 15 + 5)
    figures = m.compute_all(Y2020)
    figures["events.total"] += 1
    figures["circulation.loans_juvenile"] = figures["circulation.loans"] + 1

    checks = consistency_checks(Y2020, m.NETWORK, figures)

    assert sorted(c.name for c in checks if not c.passed) == [
        "events_by_kind",
        "events_by_section",
        "juvenile_within_loans",
    ]


def test_anonymising_loan_history_leaves_every_figure_unchanged(year: Year) -> None:
    before = m.compute_all(Y2020)
    assert Loan.objects.filter(reader__isnull=False).count() == sum(year.loans.values())

    anonymised = loans_anonymise(at=local(2021, 3, 1), days=0)

    assert anonymised == sum(year.loans.values())
    assert Loan.objects.filter(reader__isnull=False).count() == 0
    assert m.compute_all(Y2020) == before


def test_ranking_names_only_consenting_readers_masked(year: Year) -> None:
    top = max(year.loans_per_reader, key=lambda pk: (year.loans_per_reader[pk], -pk))
    consenting = next(r for r in year.readers if r.pk == top)
    Consent.objects.create(reader=consenting, kind=ConsentKind.NAMED_IN_RANKINGS, granted=True)

    ranking = borrowing_ranking(year=2020, limit=20)

    assert [r.loans for r in ranking] == sorted(year.loans_per_reader.values(), reverse=True)
    assert ranking[0].loans == year.loans_per_reader[top]
    named = [r for r in ranking if r.named]
    assert (
        [r.name for r in named]
        == [consenting.name[0] + "*" * (len(consenting.name) - 2) + consenting.name[-1]]
        if len(consenting.name) > 2
        else [consenting.name[0] + "*"]
    )
    assert all(r.name == "" for r in ranking if not r.named)
