"""Acquisitions and serials rows and users for the permission walk
(web/tests/test_permission_walk.py), built once per network."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shufang.acquisitions.models import BudgetLine, Donation, Suggestion
from shufang.acquisitions.services.budgets import budget_line_create, fund_create, vendor_create
from shufang.acquisitions.services.donations import DonatedItemIn, donation_record, donor_create
from shufang.acquisitions.services.suggestions import suggestion_submit
from shufang.core.audit import Actor
from shufang.core.models import Role
from shufang.serials.models import Subscription
from shufang.serials.services import subscription_create, subscription_predict_issues
from shufang.web.tests.fixtures import Network, make_user


@dataclass
class AcqWalk:
    suggestion: Suggestion
    donation: Donation
    subscription: Subscription
    round_line: BudgetLine


def build(net: Network) -> AcqWalk:
    if hasattr(net, "_acq_walk"):
        return net._acq_walk  # type: ignore[attr-defined,no-any-return]
    make_user("acq_a", (Role.ACQUISITIONS, net.library_a))
    make_user("acq_b", (Role.ACQUISITIONS, net.library_b))
    actor = Actor.system("walk")
    year = dt.date.today().year
    fund = fund_create(library=net.library_a, year=year, name="购书经费", actor=actor)
    line = budget_line_create(
        fund=fund, code="periodicals", name="报刊", amount=Decimal("70000"), actor=actor
    )
    next_fund = fund_create(library=net.library_a, year=year + 1, name="购书经费", actor=actor)
    round_line = budget_line_create(
        fund=next_fund, code="periodicals", name="报刊", amount=Decimal("70000"), actor=actor
    )
    vendor = vendor_create(code="YZ", name="丽江市邮政局", kind="agent", actor=actor)
    walk = AcqWalk(
        suggestion=suggestion_submit(
            reader=net.reader_a,
            library=net.library_a,
            channel="account",
            actor=actor,
            isbn="9787544291170",
            title="百年孤独",
        ),
        donation=donation_record(
            donor=donor_create(kind="person", anonymous=True, actor=actor),
            library=net.library_a,
            received_on=dt.date(2020, 4, 23),
            items=[DonatedItemIn(title="纳西族东巴文化", condition="new")],
            actor=actor,
        ),
        subscription=subscription_create(
            year=year,
            title="读者",
            kind="periodical",
            frequency="semimonthly",
            vendor=vendor,
            budget_line=line,
            unit_price=Decimal("120"),
            service_point=net.point_a,
            issn="1003-5214",
            actor=actor,
        ),
        round_line=round_line,
    )
    subscription_predict_issues(subscription=walk.subscription, actor=actor)
    net._acq_walk = walk  # type: ignore[attr-defined]
    return walk


def pages(net: Network) -> dict[str, tuple[dict[str, Any], str, str | None, str]]:
    w = build(net)
    return {
        "web:acq-home": ({}, "acq_a", None, "desk_a"),
        "web:acq-suggestions": ({}, "acq_a", None, "desk_a"),
        "web:acq-suggestions-xlsx": ({}, "acq_a", None, "desk_a"),
        "web:acq-suggestion": ({"pk": w.suggestion.pk}, "acq_a", "acq_b", "desk_a"),
        "web:acq-desk-suggest": ({}, "desk_a", None, "cataloguer_a"),
        "web:acq-certificate": ({"pk": w.donation.pk}, "acq_a", "acq_b", "desk_a"),
        "web:acq-certificate-docx": ({"pk": w.donation.pk}, "acq_a", "acq_b", "desk_a"),
        "web:serials-home": ({}, "acq_a", None, "desk_a"),
        "web:serials-subscription": ({"pk": w.subscription.pk}, "acq_a", "acq_b", "desk_a"),
        "web:serials-round-xlsx": ({"line": w.round_line.pk}, "acq_a", "acq_b", "desk_a"),
    }


def api(net: Network) -> dict[tuple[str, str], tuple[dict, dict | None, str, str | None]]:
    w = build(net)
    issue = w.subscription.issues.order_by("sequence").first()
    assert issue is not None
    return {
        ("post", "/api/v1/acquisitions/suggestions"): (
            {},
            {"card_number": "LJ0000001", "isbn": "9787020024759", "title": "围城"},
            "desk_a",
            "desk_b",
        ),
        ("post", "/api/v1/acquisitions/suggestions/{suggestion_id}/decline"): (
            {"suggestion_id": w.suggestion.pk},
            {"reason": "已有译本"},
            "acq_a",
            "acq_b",
        ),
        ("post", "/api/v1/serials/issues/{issue_id}/check-in"): (
            {"issue_id": issue.pk},
            {},
            "acq_a",
            "acq_b",
        ),
    }
