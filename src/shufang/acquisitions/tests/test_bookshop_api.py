"""The bookshop terminal's API: its own credentials, idempotency keys, clear refusals."""

from __future__ import annotations

import pytest
from django.test import Client

from shufang.acquisitions.models import BookshopPurchase
from shufang.acquisitions.services.bookshop import terminal_create
from shufang.catalogue.models import Item
from shufang.circulation.models import Loan

pytestmark = pytest.mark.django_db

URL = "/api/v1/bookshop/loans"
BODY = {
    "card_number": "LJ0000001",
    "isbn": "9787532725694",
    "price": "39.80",
    "title": "挪威的森林",
}


@pytest.fixture
def credentials(acq) -> str:
    terminal, secret = terminal_create(
        code="XH-GC",
        name="新华书店古城店",
        vendor=acq.vendor,
        service_point=acq.net.point_a,
        collection=acq.net.collection,
        budget_line=acq.suggestions_line,
        actor=acq.actor,
    )
    return f"XH-GC:{secret}"


def _post(credentials: str, body: dict, key: str = "k-1") -> object:
    return Client().post(
        URL,
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {credentials}", "Idempotency-Key": key},
    )


def test_terminal_lends_once_and_a_replay_is_refused(acq, credentials) -> None:
    first = _post(credentials, BODY)
    again = _post(credentials, BODY)

    assert first.status_code == 201, first.content
    assert first.json()["barcode"] == "BS00000001"
    assert again.status_code == 409
    assert again.json()["code"] == "request_replayed"
    assert again.json()["details"]["loan"] == first.json()["loan_id"]
    assert (BookshopPurchase.objects.count(), Loan.objects.count()) == (1, 1)


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"card_number": "LJ9999999"}, 404, "unknown_card"),
        ({"isbn": "9787532725695"}, 400, "invalid_isbn"),
        ({"price": "999.00"}, 400, "rules_refuse"),
    ],
)
def test_bad_terminal_requests_are_refused_with_a_code(
    acq, credentials, change, status, code
) -> None:
    items = Item.objects.count()

    response = _post(credentials, {**BODY, **change})

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert Item.objects.count() == items
    assert BookshopPurchase.objects.count() == 0


def test_wrong_credentials_or_a_staff_token_are_not_a_terminal(acq, credentials) -> None:
    assert _post("XH-GC:wrong", BODY).status_code == 401
    assert Client().post(URL, BODY, content_type="application/json").status_code == 401
    assert BookshopPurchase.objects.count() == 0
