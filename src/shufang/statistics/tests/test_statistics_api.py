"""The statistics API: metrics of a period and scope, within the caller's scope only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from shufang.core.audit import Actor
from shufang.core.models import Role, StaffRole
from shufang.core.tokens import api_token_create
from shufang.statistics.tests.test_annual_metrics import Year, simulate

pytestmark = pytest.mark.django_db


def _bearer(username: str, role: str, library=None) -> dict[str, str]:
    user = get_user_model().objects.create_user(username=username, password="x")
    StaffRole.objects.create(user=user, role=role, library=library)
    _token, plaintext = api_token_create(user=user, name="t", actor=Actor.system())
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


@pytest.fixture
def year(tmp_path, lj, main, kiosk, adult_lending, children, adult_category, rules) -> Year:
    return simulate(tmp_path, lj, main, kiosk, adult_lending, children, adult_category, rules)


def test_metrics_of_a_period_for_the_network(year: Year) -> None:
    headers = _bearer("stats", Role.STATISTICS)

    response = Client().get(
        "/api/v1/statistics/metrics?start=2020-01-01&end=2020-12-31"
        "&only=circulation.loans,visits.total",
        **headers,
    )

    assert response.status_code == 200
    assert response.json()["metrics"] == {
        "circulation.loans": sum(year.loans.values()),
        "visits.total": year.visits,
    }


def test_branch_manager_gets_their_library_but_not_the_network(year: Year, lj, yl) -> None:
    headers = _bearer("boss", Role.BRANCH_MANAGER, lj)
    url = "/api/v1/statistics/metrics?start=2020-01-01&end=2020-12-31&only=circulation.loans"

    own = Client().get(f"{url}&library_id={lj.pk}", **headers)
    other = Client().get(f"{url}&library_id={yl.pk}", **headers)
    network = Client().get(url, **headers)

    assert own.status_code == 200 and own.json()["metrics"]["circulation.loans"] == sum(
        year.loans.values()
    )
    assert other.status_code == 403
    assert network.status_code == 403
