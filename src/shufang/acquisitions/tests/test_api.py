"""The acquisitions REST API: token auth, scope checks, the order-receive-invoice flow,
donations, local documents, suggestion approval; refusals as {code, message, details}."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.errors import InvalidIsbn
from shufang.acquisitions.models import (
    DonatedItem,
    Fund,
    LocalDocument,
    OrderLine,
    OrderLineStatus,
    Suggestion,
    SuggestionStatus,
    Vendor,
)
from shufang.acquisitions.services.suggestions import suggestion_submit
from shufang.catalogue.models import AcquisitionSource, Item, ItemStatus, Record
from shufang.core.audit import Actor
from shufang.core.models import Role
from shufang.core.tokens import api_token_create
from shufang.web.tests.fixtures import make_user

pytestmark = pytest.mark.django_db

V1 = "/api/v1/acquisitions"


def _in_default_language(text) -> str:
    """The API answers in the default language (no language cookie)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _headers(user) -> dict[str, str]:
    _token, plaintext = api_token_create(user=user, name="test", actor=Actor.system())
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.fixture
def api(acq):
    headers = _headers(acq.user)

    class Api:
        def get(self, path: str):
            return Client().get(f"{V1}{path}", headers=headers)

        def post(self, path: str, body: dict, method: str = "post"):
            return getattr(Client(), method)(
                f"{V1}{path}", body, content_type="application/json", headers=headers
            )

    return Api()


def test_order_receive_invoice_over_the_api(acq, api) -> None:
    order = api.post(
        "/orders",
        {
            "vendor_id": acq.vendor.pk,
            "number": "2020-002",
            "service_point_id": acq.net.point_a.pk,
            "collection_id": acq.juvenile.pk,
            "budget_line_id": acq.purchase_line.pk,
        },
    )
    assert order.status_code == 201, order.content
    order_id = order.json()["id"]
    line = api.post(
        f"/orders/{order_id}/lines",
        {"isbn": "9787020034567", "title": "小王子", "copies": 2, "unit_price": "25.00"},
    )
    assert line.status_code == 201, line.content
    line_id = line.json()["id"]

    receipt = api.post(f"/order-lines/{line_id}/receive", {"copies": 2})
    invoice = api.post(
        "/invoices",
        {"library_id": acq.net.library_a.pk, "vendor_id": acq.vendor.pk, "number": "FP-9"},
    )
    spent = api.post(
        f"/invoices/{invoice.json()['id']}/lines",
        {"order_line_id": line_id, "copies": 2, "amount": "48.00"},
    )

    assert receipt.json()["barcodes"] == ["AQ00000001", "AQ00000002"]
    assert spent.status_code == 201
    items = Item.objects.filter(barcode__startswith="AQ")
    assert {(i.status, i.acquisition_source, i.collection_id) for i in items} == {
        (ItemStatus.IN_PROCESSING, AcquisitionSource.PURCHASE, acq.juvenile.pk)
    }
    detail = api.get(f"/orders/{order_id}").json()
    assert [(x["status"], x["copies_received"], x["copies_invoiced"]) for x in detail["lines"]] == [
        (OrderLineStatus.RECEIVED, 2, 2)
    ]
    lines = {
        x["code"]: x
        for x in Client()
        .get("/api/v1/acquisitions/budget-lines?year=2020", headers=_headers(acq.user))
        .json()
    }
    assert (lines["purchase"]["committed"], lines["purchase"]["spent"]) == ("0.00", "48.00")


def test_invalid_isbn_over_the_api_is_400_with_a_code(acq, api) -> None:
    records = Record.objects.count()

    response = api.post(
        f"/orders/{acq.order.pk}/lines",
        {"isbn": "9787020034568", "title": "小王子", "copies": 1, "unit_price": "25.00"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_isbn",
        "message": _in_default_language(InvalidIsbn.default_message),
        "details": {"isbn": "9787020034568", "field": "isbn"},
    }
    assert (Record.objects.count(), OrderLine.objects.count()) == (records, 0)


def test_an_order_line_over_budget_is_refused_over_the_api(acq, api) -> None:
    response = api.post(
        f"/orders/{acq.order.pk}/lines",
        {"record_id": acq.net.record.pk, "copies": 2, "unit_price": "15000.01"},
    )

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["details"]["remaining"], body["details"]["amount"]) == (
        "budget_exceeded",
        "30000.00",
        "30000.02",
    )
    assert OrderLine.objects.count() == 0


def test_receiving_more_than_outstanding_is_refused(acq, api) -> None:
    line = api.post(
        f"/orders/{acq.order.pk}/lines",
        {"record_id": acq.net.record.pk, "copies": 1, "unit_price": "10"},
    ).json()

    response = api.post(f"/order-lines/{line['id']}/receive", {"copies": 2})

    assert (response.status_code, response.json()["code"]) == (400, "nothing_outstanding")
    assert not Item.objects.filter(barcode__startswith="AQ").exists()


def test_cancel_and_claim_over_the_api(acq, api) -> None:
    first = api.post(
        f"/orders/{acq.order.pk}/lines",
        {"record_id": acq.net.record.pk, "copies": 2, "unit_price": "10"},
    ).json()
    second = api.post(
        f"/orders/{acq.order.pk}/lines",
        {"record_id": acq.net.record.pk, "copies": 3, "unit_price": "10"},
    ).json()

    cancelled = api.post(f"/order-lines/{first['id']}/cancel", {"reason": "缺货"})
    claimed = api.post(f"/order-lines/{second['id']}/claim", {"note": "催"})
    due = api.get("/claims/due")

    assert (cancelled.json()["status"], cancelled.json()["copies_cancelled"]) == ("cancelled", 2)
    assert (claimed.status_code, claimed.json()["copies"]) == (201, 3)
    assert [x["id"] for x in due.json()] == [second["id"]]  # the order is from 1 March 2020


def test_staff_of_another_library_are_refused_and_nothing_changes(acq) -> None:
    other = make_user("acq_b", (Role.ACQUISITIONS, acq.net.library_b))
    headers = _headers(other)

    order = Client().get(f"{V1}/orders/{acq.order.pk}", headers=headers)
    fund = Client().post(
        f"{V1}/funds",
        {"library_id": acq.net.library_a.pk, "year": 2021, "name": "x"},
        content_type="application/json",
        headers=headers,
    )
    listed = Client().get(f"{V1}/orders", headers=headers)

    assert (order.status_code, order.json()["code"]) == (403, "permission_denied")
    assert fund.status_code == 403
    assert listed.json() == []
    assert not Fund.objects.filter(year=2021).exists()


def test_a_token_is_required(acq) -> None:
    response = Client().get(f"{V1}/vendors")

    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


def test_vendors_funds_and_lines_over_the_api(acq, api) -> None:
    vendor = api.post("/vendors", {"code": "YZ", "name": "邮局", "kind": "agent"})
    duplicate = api.post("/vendors", {"code": "YZ", "name": "邮局", "kind": "agent"})
    patched = api.post(f"/vendors/{vendor.json()['id']}", {"phone": "5122222"}, method="patch")
    fund = api.post("/funds", {"library_id": acq.net.library_a.pk, "year": 2021, "name": "经费"})
    line = api.post(
        f"/funds/{fund.json()['id']}/lines", {"code": "p", "name": "报刊", "amount": "70000"}
    )
    cut = api.post(f"/budget-lines/{line.json()['id']}", {"amount": "65000"}, method="patch")

    assert (vendor.status_code, duplicate.status_code, duplicate.json()["code"]) == (
        201,
        409,
        "conflict",
    )
    assert patched.json()["phone"] == "5122222"
    assert Vendor.objects.filter(code="YZ").count() == 1
    assert (cut.json()["amount"], cut.json()["remaining"]) == ("65000.00", "65000.00")
    assert [f["year"] for f in api.get("/funds?year=2021").json()] == [2021]


def test_unknown_fields_are_refused(acq, api) -> None:
    response = api.post("/vendors", {"code": "YZ", "name": "邮局", "kind": "agent", "x": 1})

    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_a_suggestion_is_approved_into_an_order_line_over_the_api(acq, api) -> None:
    suggestion = suggestion_submit(
        reader=acq.net.reader_a,
        library=acq.net.library_a,
        channel="account",
        actor=Actor.system("reader"),
        isbn="9787101145892",
        title="纳西东巴古籍译注",
    )

    no_price = api.post(f"/suggestions/{suggestion.pk}/approve", {"order_id": acq.order.pk})
    approved = api.post(
        f"/suggestions/{suggestion.pk}/approve", {"order_id": acq.order.pk, "unit_price": "45"}
    )

    assert (no_price.status_code, no_price.json()["details"]) == (400, {"field": "unit_price"})
    assert approved.status_code == 201, approved.content
    assert (approved.json()["suggestion_id"], approved.json()["acquisition_source"]) == (
        suggestion.pk,
        AcquisitionSource.READER_SUGGESTION,
    )
    assert approved.json()["budget_line_id"] == acq.suggestions_line.pk
    assert Suggestion.objects.get().status == SuggestionStatus.APPROVED


def test_unknown_card_over_the_api_is_404_with_a_code(acq, api) -> None:
    response = api.post("/suggestions", {"card_number": "LJ9999999", "title": "小王子"})

    assert (response.status_code, response.json()["code"]) == (404, "unknown_card")
    assert Suggestion.objects.count() == 0


def test_donation_flow_over_the_api(acq, api) -> None:
    donor = api.post("/donors", {"kind": "person", "anonymous": True})
    donation = api.post(
        "/donations",
        {
            "donor_id": donor.json()["id"],
            "library_id": acq.net.library_a.pk,
            "received_on": "2020-04-23",
            "items": [{"title": "纳西古乐", "condition": "new", "copies": 2}],
        },
    )
    item_id = donation.json()["items"][0]["id"]

    decided = api.post(
        f"/donated-items/{item_id}/decide",
        {
            "decision": "added",
            "service_point_id": acq.net.point_a.pk,
            "collection_id": acq.net.collection.pk,
        },
    )

    assert donor.json()["display_name"] == _in_default_language(_("Anonymous donor"))
    assert donation.json()["certificate_number"] == "JZ2020-00001"
    assert (decided.json()["decision"], decided.json()["barcodes"]) == (
        "added",
        ["JZ00000001", "JZ00000002"],
    )
    assert DonatedItem.objects.get().items.count() == 2


def test_local_document_over_the_api(acq, api) -> None:
    created = api.post(
        "/local-documents",
        {
            "record_id": acq.net.record.pk,
            "barcode": "DF00000001",
            "service_point_id": acq.net.point_a.pk,
            "collection_id": acq.local_collection.pk,
            "provenance": "作者捐赠",
            "local_subject": "纳西族",
            "manuscript": True,
            "author": "周霖",
            "custody_location": "特藏库",
        },
    )
    loanable = api.post(
        "/local-documents",
        {
            "record_id": acq.net.record.pk,
            "barcode": "DF00000002",
            "service_point_id": acq.net.point_a.pk,
            "collection_id": acq.net.collection.pk,
            "provenance": "作者捐赠",
            "local_subject": "纳西族",
        },
    )
    patched = api.post(
        f"/local-documents/{created.json()['id']}",
        {"custody_conditions": "恒温恒湿"},
        method="patch",
    )

    assert created.status_code == 201, created.content
    assert (loanable.status_code, loanable.json()["code"]) == (
        400,
        "local_documents_not_for_loan",
    )
    assert patched.json()["custody_conditions"] == "恒温恒湿"
    assert LocalDocument.objects.count() == 1
    assert [d["barcode"] for d in api.get("/local-documents?subject=纳西").json()] == ["DF00000001"]


def test_amounts_are_exact(acq, api) -> None:
    response = api.post(
        f"/orders/{acq.order.pk}/lines",
        {"record_id": acq.net.record.pk, "copies": 3, "unit_price": "33.33"},
    )

    assert response.json()["unit_price"] == "33.33"
    assert OrderLine.objects.get().unit_price * 3 == Decimal("99.99")
