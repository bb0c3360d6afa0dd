"""The statistics dashboard: figures for the period and scope asked, a branch manager kept to
their own library; the text editor places a paragraph in the report."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from shufang.core.models import Role, StaffRole
from shufang.statistics.models import ReportText
from shufang.statistics.tests.test_annual_metrics import Year, simulate

pytestmark = pytest.mark.django_db


def _client(username: str, role: str, library=None) -> Client:
    user = get_user_model().objects.create_user(username=username, password="pw-123456")
    StaffRole.objects.create(user=user, role=role, library=library)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def year(tmp_path, lj, main, kiosk, adult_lending, children, adult_category, rules) -> Year:
    return simulate(tmp_path, lj, main, kiosk, adult_lending, children, adult_category, rules)


def test_dashboard_shows_the_years_loans_and_the_charts(year: Year, lj) -> None:
    client = _client("stats", Role.STATISTICS)

    response = client.get("/staff/statistics/", {"year": 2020})

    assert response.status_code == 200
    rows = {row[0]: row for row in response.context["rows"]}
    assert rows["circulation.loans"][2] == sum(year.loans.values())
    assert response.content.decode().count("data:image/png;base64,") == 4


def test_branch_manager_cannot_ask_for_another_library(year: Year, lj, yl) -> None:
    client = _client("boss", Role.BRANCH_MANAGER, lj)

    own = client.get("/staff/statistics/", {"year": 2020, "library": lj.pk})
    other = client.get("/staff/statistics/", {"year": 2020, "library": yl.pk})

    assert own.status_code == 200
    assert other.status_code == 404


def test_text_editor_saves_a_section_for_the_network(db) -> None:
    client = _client("stats", Role.STATISTICS)

    response = client.post(
        "/staff/statistics/texts/", {"year": 2020, "section": "plan", "text": "开展借阅之星评选。"}
    )

    assert response.status_code == 302
    assert list(ReportText.objects.values_list("year", "section", "library", "text")) == [
        (2020, "plan", None, "开展借阅之星评选。")
    ]
