"""Serials staff pages for next year's round (open, worksheet, confirm) and for binding and
discarding issues; only acquisitions staff of the subscription's library may use them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from shufang.acquisitions.services.budgets import budget_line_create, fund_create
from shufang.core.models import AuditEvent, Role
from shufang.serials.models import IssueStatus, Subscription, SubscriptionStatus
from shufang.serials.services import (
    issue_check_in,
    subscription_create,
    subscription_predict_issues,
)
from shufang.web.tests.fixtures import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def browser(username: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.login(username=username, password=PASSWORD)
    return client


def subscribe(acq, **extra) -> Subscription:
    return subscription_create(
        year=2020,
        title=extra.pop("title", "读者"),
        kind="periodical",
        frequency="monthly",
        vendor=acq.vendor,
        budget_line=acq.periodicals_line,
        unit_price=Decimal("120"),
        service_point=acq.net.point_a,
        actor=acq.actor,
        **{"issn": "1003-5214", **extra},
    )


@pytest.fixture
def next_line(acq):
    fund = fund_create(library=acq.net.library_a, year=2021, name="购书经费", actor=acq.actor)
    return budget_line_create(
        fund=fund, code="periodicals", name="报刊", amount=Decimal("100"), actor=acq.actor
    )


def test_staff_open_the_round_see_the_worksheet_and_confirm_it(acq, next_line) -> None:
    # given: one title ordered in 2020, and 2021's line with 100.00 for a 120.00 title
    subscribe(acq)
    staff = browser("acq_a")

    # when: the round is opened, shown, confirmed over budget and then allowing it
    opened = staff.post(f"/staff/serials/round/{next_line.pk}/open/")
    sheet = staff.get(f"/staff/serials/round/{next_line.pk}/").content.decode()
    refused = staff.post(f"/staff/serials/round/{next_line.pk}/confirm/", {})
    planned = list(Subscription.objects.filter(year=2021).values_list("status", flat=True))
    staff.post(f"/staff/serials/round/{next_line.pk}/confirm/", {"allow_overspend": "on"})

    # then
    assert opened["Location"] == f"/staff/serials/round/{next_line.pk}/"
    assert "读者" in sheet and "120.00" in sheet and "Over budget by" in sheet
    assert "The round costs 120.00; the budget line has 100.00." in refused.content.decode()
    assert planned == [SubscriptionStatus.PLANNED]
    ordered = Subscription.objects.get(year=2021)
    assert (ordered.status, ordered.title) == (SubscriptionStatus.ORDERED, "读者")


@pytest.mark.parametrize("username", ["acq_b", "desk_a"])
def test_other_library_or_role_cannot_open_or_confirm_the_round(acq, next_line, username) -> None:
    # given: a title ordered in 2020 and a planned one for 2021
    subscribe(acq)
    subscribe(acq, title="丽江", status=SubscriptionStatus.PLANNED, cn_number="CN 53-1001")
    Subscription.objects.filter(title="丽江").update(year=2021, budget_line=next_line)
    make_user("acq_b", (Role.ACQUISITIONS, acq.net.library_b))
    events = AuditEvent.objects.count()
    other = browser(username)

    # when
    opened = other.post(f"/staff/serials/round/{next_line.pk}/open/")
    confirmed = other.post(
        f"/staff/serials/round/{next_line.pk}/confirm/", {"allow_overspend": "on"}
    )

    # then: refused, nothing planned or ordered
    assert (opened.status_code, confirmed.status_code) == (403, 403)
    assert list(Subscription.objects.filter(year=2021).values_list("title", "status")) == [
        ("丽江", SubscriptionStatus.PLANNED)
    ]
    assert AuditEvent.objects.count() == events


@pytest.fixture
def bound_and_kept(acq):
    """A title bound in volumes of 2 with its first 2 issues checked in, and a title kept one
    year (not bound) with its first issue checked in, so past retention now."""
    bound = subscribe(acq, bind=True, issues_per_volume=2)
    kept = subscribe(acq, title="丽江日报", cn_number="CN 53-0011", issn="", keep_years=1)
    for sub, n in ((bound, 2), (kept, 1)):
        subscription_predict_issues(subscription=sub, actor=acq.actor)
        for issue in sub.issues.order_by("sequence")[:n]:
            issue_check_in(issue=issue, actor=acq.actor, received_on=dt.date(2020, 3, 1))
    return bound, kept


def statuses(sub: Subscription, n: int) -> list[str]:
    return list(sub.issues.order_by("sequence").values_list("status", flat=True)[:n])


def test_staff_bind_a_volume_and_discard_issues_past_retention(acq, bound_and_kept) -> None:
    # given
    bound, kept = bound_and_kept
    staff = browser("acq_a")
    page = staff.get("/staff/serials/binding/").content.decode()
    volume = [str(pk) for pk in bound.issues.order_by("sequence").values_list("pk", flat=True)[:2]]
    due = str(kept.issues.order_by("sequence").first().pk)

    # when
    staff.post("/staff/serials/binding/", {"status": "bound", "issue": volume})
    staff.post("/staff/serials/binding/", {"status": "discarded", "issue": [due]})

    # then
    assert 'id="volumes"' in page and "读者" in page and "丽江日报" in page
    assert statuses(bound, 3) == [IssueStatus.BOUND, IssueStatus.BOUND, IssueStatus.EXPECTED]
    assert statuses(kept, 2) == [IssueStatus.DISCARDED, IssueStatus.EXPECTED]


@pytest.mark.parametrize("username", ["acq_b", "desk_a"])
def test_other_library_or_role_cannot_bind_or_discard(acq, bound_and_kept, username) -> None:
    # given
    bound, kept = bound_and_kept
    make_user("acq_b", (Role.ACQUISITIONS, acq.net.library_b))
    volume = [str(pk) for pk in bound.issues.order_by("sequence").values_list("pk", flat=True)[:2]]
    events = AuditEvent.objects.count()
    other = browser(username)

    # when
    bind = other.post("/staff/serials/binding/", {"status": "bound", "issue": volume})
    discard = other.post(
        "/staff/serials/binding/",
        {"status": "discarded", "issue": [str(kept.issues.order_by("sequence").first().pk)]},
    )

    # then
    assert (bind.status_code, discard.status_code) == (403, 403)
    assert statuses(bound, 2) == [IssueStatus.RECEIVED, IssueStatus.RECEIVED]
    assert statuses(kept, 1) == [IssueStatus.RECEIVED]
    assert AuditEvent.objects.count() == events
