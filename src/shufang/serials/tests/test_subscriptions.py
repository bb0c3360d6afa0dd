"""Subscription to check-in: subscribe, predict, check in (barcoded), claim, round, retention."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shufang.acquisitions.errors import BudgetExceeded
from shufang.acquisitions.selectors import budget_line_status
from shufang.acquisitions.services.budgets import budget_line_create, fund_create
from shufang.catalogue.models import Item, ItemStatus
from shufang.core.exceptions import InvalidTransition
from shufang.serials.models import IssueStatus, Subscription, SubscriptionStatus
from shufang.serials.selectors import (
    issues_due_for_discard,
    issues_late,
    issues_ready_for_binding,
    subscription_round_worksheet,
    subscriptions_count,
)
from shufang.serials.services import (
    InvalidSerialNumber,
    issue_check_in,
    issue_claim,
    subscription_create,
    subscription_predict_issues,
    subscription_round_confirm,
    subscription_round_open,
)

pytestmark = pytest.mark.django_db


def _subscribe(acq, **kw):
    values = {
        "year": 2020,
        "title": "读者",
        "kind": "periodical",
        "frequency": "semimonthly",
        "vendor": acq.vendor,
        "budget_line": acq.periodicals_line,
        "unit_price": Decimal("120.00"),
        "service_point": acq.net.point_a,
        "actor": acq.actor,
        "issn": "1003-5214",
        "copies": 2,
    }
    values.update(kw)
    return subscription_create(**values)


def test_subscription_to_check_in_with_a_barcoded_issue_for_loan(acq) -> None:
    sub = _subscribe(acq, collection=acq.net.collection, keep_years=2)
    assert budget_line_status(line=acq.periodicals_line).committed == Decimal("240.00")
    issues = subscription_predict_issues(subscription=sub, actor=acq.actor)
    assert len(issues) == 24

    first = issue_check_in(
        issue=issues[0], actor=acq.actor, received_on=dt.date(2020, 1, 3), barcodes=["QK0000001"]
    )

    assert (first.status, first.copies_received) == (IssueStatus.RECEIVED, 2)
    item = Item.objects.get(barcode="QK0000001")
    assert (item.status, item.price, item.record.material_type) == (
        ItemStatus.AVAILABLE,
        Decimal("5.00"),
        "periodical",
    )
    with pytest.raises(InvalidTransition):
        issue_check_in(issue=issues[0], actor=acq.actor)
    assert subscriptions_count(year=2020, kind="periodical", checked_in_only=True) == 1


def test_late_issues_are_claimed_and_then_checked_in(acq) -> None:
    sub = _subscribe(acq, frequency="monthly", cn_number="cn 53-1001/i")
    assert sub.cn_number == "CN 53-1001/I"
    issues = subscription_predict_issues(subscription=sub, actor=acq.actor)
    issue_check_in(issue=issues[0], actor=acq.actor)

    late = issues_late(at=dt.date(2020, 3, 1))

    assert [i.label for i in late] == ["2020-02"]
    claimed = issue_claim(issue=late[0], actor=acq.actor, on=dt.date(2020, 3, 1))
    assert (claimed.status, claimed.claims.count()) == (IssueStatus.CLAIMED, 1)
    assert issue_check_in(issue=claimed, actor=acq.actor).status == IssueStatus.RECEIVED


def test_an_invalid_issn_is_refused(acq) -> None:
    with pytest.raises(InvalidSerialNumber):
        _subscribe(acq, issn="1003-5215")
    assert Subscription.objects.count() == 0


def test_next_years_round_is_priced_against_its_budget_line(acq) -> None:
    kept = _subscribe(acq)
    dropped = _subscribe(acq, title="丽江日报", kind="newspaper", issn="", cn_number="CN 53-0034")
    fund = fund_create(library=acq.net.library_a, year=2021, name="2021", actor=acq.actor)
    line = budget_line_create(
        fund=fund, code="periodicals", name="报刊", amount=Decimal("250"), actor=acq.actor
    )

    planned = subscription_round_open(
        from_year=2020,
        budget_line=line,
        actor=acq.actor,
        price_changes={kept.pk: Decimal("130.00")},
        drop=[dropped.pk],
    )

    assert [(s.title, s.status, s.unit_price) for s in planned] == [
        ("读者", SubscriptionStatus.PLANNED, Decimal("130.00"))
    ]
    sheet = subscription_round_worksheet(year=2021, budget_line=line)
    assert (sheet.total, sheet.available, sheet.over_budget) == (
        Decimal("260.00"),
        Decimal("250.00"),
        Decimal("10.00"),
    )
    with pytest.raises(BudgetExceeded):
        subscription_round_confirm(year=2021, budget_line=line, actor=acq.actor)
    assert Subscription.objects.filter(year=2021, status="ordered").count() == 0

    line.amount = Decimal("300")
    line.save()
    assert subscription_round_confirm(year=2021, budget_line=line, actor=acq.actor) == 1
    assert subscriptions_count(year=2021, kind="periodical") == 1


def test_retention_and_binding_lists(acq) -> None:
    discard = _subscribe(acq, frequency="quarterly", keep_years=1)
    bound = _subscribe(
        acq,
        title="云南画报",
        frequency="quarterly",
        issn="",
        cn_number="CN 53-1010",
        bind=True,
        issues_per_volume=2,
    )
    for sub in (discard, bound):
        for issue in subscription_predict_issues(subscription=sub, actor=acq.actor)[:3]:
            issue_check_in(issue=issue, actor=acq.actor)

    assert [i.label for i in issues_due_for_discard(at=dt.date(2022, 1, 1))] == [
        "2020-01",
        "2020-02",
        "2020-03",
    ]
    assert list(issues_due_for_discard(at=dt.date(2021, 6, 1))) == []
    assert [[i.label for i in v] for v in issues_ready_for_binding(subscription=bound)] == [
        ["2020-01", "2020-02"]
    ]
