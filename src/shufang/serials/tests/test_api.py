"""The serials REST API: subscriptions create/update, issue listing and prediction, check-in,
late issues and claims; refusals as {code, message, details}."""

from __future__ import annotations

import pytest
from django.test import Client

from shufang.core.audit import Actor
from shufang.core.models import Role
from shufang.core.tokens import api_token_create
from shufang.serials.models import IssueStatus, Subscription
from shufang.web.tests.fixtures import make_user

pytestmark = pytest.mark.django_db

V1 = "/api/v1/serials"


def _headers(user) -> dict[str, str]:
    _token, plaintext = api_token_create(user=user, name="test", actor=Actor.system())
    return {"Authorization": f"Bearer {plaintext}"}


def _call(user, method: str, path: str, body: dict | None = None):
    send = getattr(Client(), method)
    if body is None:
        return send(f"{V1}{path}", headers=_headers(user))
    return send(f"{V1}{path}", body, content_type="application/json", headers=_headers(user))


def _new(acq, **changes) -> dict:
    return {
        "year": 2020,
        "title": "读者",
        "kind": "periodical",
        "frequency": "semimonthly",
        "vendor_id": acq.vendor.pk,
        "budget_line_id": acq.periodicals_line.pk,
        "unit_price": "120.00",
        "service_point_id": acq.net.point_a.pk,
        "issn": "1003-5214",
        "skip_months": [8],
        **changes,
    }


def test_subscribe_predict_check_in_and_claim_over_the_api(acq) -> None:
    created = _call(acq.user, "post", "/subscriptions", _new(acq))
    assert created.status_code == 201, created.content
    sub_id = created.json()["id"]

    predicted = _call(acq.user, "post", f"/subscriptions/{sub_id}/predict")
    issues = _call(acq.user, "get", f"/subscriptions/{sub_id}/issues").json()
    checked = _call(acq.user, "post", f"/issues/{issues[0]['id']}/check-in", {})
    late = _call(acq.user, "get", "/issues/late?at=2020-02-15").json()
    claimed = _call(acq.user, "post", f"/issues/{issues[1]['id']}/claim", {"note": "未到"})

    assert predicted.status_code == 201
    assert len(issues) == 22  # two a month, none in August
    assert [i["expected_on"] for i in issues[:3]] == ["2020-01-01", "2020-01-16", "2020-02-01"]
    assert checked.json()["status"] == IssueStatus.RECEIVED
    assert [i["label"] for i in late] == ["2020-02"]  # 16 January + 14 days is past
    assert claimed.json()["status"] == IssueStatus.CLAIMED


def test_an_invalid_issn_is_refused_over_the_api(acq) -> None:
    response = _call(acq.user, "post", "/subscriptions", _new(acq, issn="1003-5215"))

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["details"]) == (
        "invalid_serial_number",
        {"field": "issn", "issn": "1003-5215"},
    )
    assert Subscription.objects.count() == 0


def test_an_update_over_the_budget_line_is_refused_and_changes_nothing(acq) -> None:
    sub_id = _call(acq.user, "post", "/subscriptions", _new(acq)).json()["id"]

    refused = _call(acq.user, "patch", f"/subscriptions/{sub_id}", {"copies": 600})
    allowed = _call(acq.user, "patch", f"/subscriptions/{sub_id}", {"copies": 2, "bind": True})

    assert (refused.status_code, refused.json()["code"]) == (400, "budget_exceeded")
    assert (allowed.json()["copies"], allowed.json()["bind"]) == (2, True)
    assert Subscription.objects.get().copies == 2


def test_another_librarys_staff_cannot_subscribe_or_list_issues(acq) -> None:
    other = make_user("acq_b", (Role.ACQUISITIONS, acq.net.library_b))
    sub_id = _call(acq.user, "post", "/subscriptions", _new(acq)).json()["id"]

    created = _call(other, "post", "/subscriptions", _new(acq, title="丽江日报"))
    issues = _call(other, "get", f"/subscriptions/{sub_id}/issues")
    listed = _call(other, "get", "/subscriptions?year=2020")

    assert (created.status_code, issues.status_code, listed.json()) == (403, 403, [])
    assert list(Subscription.objects.values_list("title", flat=True)) == ["读者"]
