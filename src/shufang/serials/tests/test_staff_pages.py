"""Serials staff pages: add, edit, predict, check in, claim and export subscriptions."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from openpyxl import load_workbook

from shufang.acquisitions.selectors import budget_line_status
from shufang.core.models import Role
from shufang.serials.models import IssueStatus, Subscription
from shufang.web.tests.fixtures import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def english() -> Client:
    """A browser that chose English, so assertions do not depend on the translations."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


NEW = {
    "year": "2020",
    "title": "丽江日报",
    "cn_number": "CN 53-0011",
    "kind": "newspaper",
    "frequency": "monthly",
    "unit_price": "360.00",
    "copies": "2",
    "status": "ordered",
    "skip_months": "2",
    "issues_per_volume": "12",
    "claim_after_days": "14",
}


@pytest.fixture
def staff(acq) -> Client:
    client = english()
    assert client.login(username="acq_a", password=PASSWORD)
    return client


def _new(acq) -> dict:
    return {
        **NEW,
        "vendor": acq.vendor.pk,
        "budget_line": acq.periodicals_line.pk,
        "service_point": acq.net.point_a.pk,
    }


def test_staff_subscribe_predict_and_check_in_an_issue(acq, staff) -> None:
    response = staff.post("/staff/serials/subscriptions/add/", _new(acq))
    sub = Subscription.objects.get()
    assert response["Location"] == f"/staff/serials/subscriptions/{sub.pk}/"
    assert (sub.cn_number, sub.skip_months, sub.copies) == ("CN 53-0011", [2], 2)
    assert budget_line_status(line=acq.periodicals_line).committed == Decimal("720.00")

    staff.post(f"/staff/serials/subscriptions/{sub.pk}/predict/")
    issues = list(sub.issues.order_by("sequence"))
    assert [i.expected_on.month for i in issues] == [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]

    staff.post(f"/staff/serials/subscriptions/{sub.pk}/", {"issue": issues[0].pk})
    staff.post(
        f"/staff/serials/subscriptions/{sub.pk}/", {"issue": issues[1].pk, "action": "claim"}
    )

    statuses = list(sub.issues.order_by("sequence").values_list("status", flat=True)[:3])
    assert statuses == [IssueStatus.RECEIVED, IssueStatus.CLAIMED, IssueStatus.EXPECTED]


def test_an_invalid_issn_is_refused_on_the_page(acq, staff) -> None:
    response = staff.post(
        "/staff/serials/subscriptions/add/", {**_new(acq), "cn_number": "", "issn": "1003-5215"}
    )

    assert "Give a valid ISSN or CN number" in response.content.decode()
    assert Subscription.objects.count() == 0


def test_more_copies_over_the_budget_line_are_refused(acq, staff) -> None:
    staff.post("/staff/serials/subscriptions/add/", _new(acq))
    sub = Subscription.objects.get()
    edit = {
        "title": "丽江日报",
        "frequency": "monthly",
        "unit_price": "360.00",
        "copies": "500",
        "skip_months": "2",
        "issues_per_volume": "12",
        "claim_after_days": "14",
    }

    refused = staff.post(f"/staff/serials/subscriptions/{sub.pk}/edit/", edit)
    assert "has 69280.00 left; this needs 179280.00." in refused.content.decode()
    staff.post(f"/staff/serials/subscriptions/{sub.pk}/edit/", {**edit, "copies": "3"})

    sub.refresh_from_db()
    assert sub.copies == 3
    assert budget_line_status(line=acq.periodicals_line).committed == Decimal("1080.00")


def test_another_librarys_staff_cannot_edit_a_subscription(acq, staff) -> None:
    staff.post("/staff/serials/subscriptions/add/", _new(acq))
    sub = Subscription.objects.get()
    make_user("acq_b", (Role.ACQUISITIONS, acq.net.library_b))
    other = english()
    other.login(username="acq_b", password=PASSWORD)

    response = other.post(
        f"/staff/serials/subscriptions/{sub.pk}/edit/",
        {"title": "改名", "frequency": "daily", "unit_price": "1", "copies": "1"},
    )

    assert response.status_code == 403
    sub.refresh_from_db()
    assert (sub.title, sub.frequency) == ("丽江日报", "monthly")


def test_subscriptions_export_lists_the_year(acq, staff) -> None:
    staff.post("/staff/serials/subscriptions/add/", _new(acq))

    response = staff.get("/staff/serials/subscriptions.xlsx?year=2020")

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1] == (
        "丽江日报",
        None,
        "CN 53-0011",
        "Newspaper",
        "Monthly",
        "丽江新华书店",
        "总馆",
        2,
        360.0,
        720.0,
        "报刊",
        "Subscribed",
    )
