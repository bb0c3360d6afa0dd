"""Acquisitions staff pages: list, add, edit and export by the acquisitions role; refusals for
other roles and other libraries; bad input shown on the page with nothing written."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from openpyxl import load_workbook

from shufang.acquisitions.models import (
    BookshopTerminal,
    BudgetLine,
    DonatedItem,
    DonationDecision,
    Donor,
    Fund,
    InvoiceLine,
    LocalDocument,
    Order,
    OrderClaim,
    OrderLine,
    OrderLineStatus,
    SuggestionRule,
    Vendor,
)
from shufang.acquisitions.selectors import budget_line_status
from shufang.acquisitions.services.bookshop import terminal_authenticate
from shufang.acquisitions.services.orders import order_line_add
from shufang.catalogue.models import AcquisitionSource, Item, ItemStatus, Record
from shufang.core.exceptions import ShufangError
from shufang.core.models import AuditEvent, Role
from shufang.web.tests.fixtures import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def english() -> Client:
    """A browser that chose English, so assertions do not depend on the translations."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _client(username: str) -> Client:
    client = english()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def staff(acq) -> Client:
    return _client("acq_a")


def _sheet(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return list(book.active.iter_rows(values_only=True))


# --------------------------------------------------------------------------- vendors


def test_acquisitions_staff_add_and_edit_a_vendor(acq, staff) -> None:
    response = staff.post(
        "/staff/acquisitions/vendors/add/",
        {"code": "YZ", "name": "丽江市邮政局", "kind": "agent", "claim_after_days": "30"},
    )
    assert response.status_code == 302
    vendor = Vendor.objects.get(code="YZ")

    staff.post(
        f"/staff/acquisitions/vendors/{vendor.pk}/",
        {"name": "丽江市邮政局报刊发行部", "phone": "0888-5122222", "claim_after_days": "30"},
    )

    vendor.refresh_from_db()
    assert (vendor.name, vendor.phone, vendor.kind, vendor.active) == (
        "丽江市邮政局报刊发行部",
        "0888-5122222",
        "agent",
        False,  # the box was not ticked
    )
    page = staff.get("/staff/acquisitions/vendors/").content.decode()
    assert "丽江市邮政局报刊发行部" in page and "丽江新华书店" in page


def test_a_second_vendor_with_the_same_code_is_refused(acq, staff) -> None:
    response = staff.post(
        "/staff/acquisitions/vendors/add/",
        {"code": "XH", "name": "另一家", "kind": "bookshop", "claim_after_days": "60"},
    )

    assert response.status_code == 200
    assert "A vendor with this code exists." in response.content.decode()
    assert Vendor.objects.filter(code="XH").count() == 1


def test_a_desk_user_cannot_add_a_vendor(acq) -> None:
    make_user("desk_x", (Role.CIRCULATION, acq.net.library_a))

    response = _client("desk_x").post(
        "/staff/acquisitions/vendors/add/",
        {"code": "YZ", "name": "邮局", "kind": "agent", "claim_after_days": "30"},
    )

    assert response.status_code == 403
    assert not Vendor.objects.filter(code="YZ").exists()


# --------------------------------------------------------------------------- budgets


def test_budget_page_shows_committed_spent_remaining_and_warns_before_overspending(
    acq, staff
) -> None:
    order_line_add(
        order=acq.order,
        record=acq.net.record,
        copies=1,
        unit_price=Decimal("28000"),
        actor=acq.actor,
    )

    page = staff.get("/staff/acquisitions/budgets/?year=2020").content.decode()

    assert '<tr class="warning" data-line="purchase">' in page
    assert "<td>30000.00</td><td>28000.00</td><td>0.00</td><td>2000.00" in page
    assert "93% used" in page
    assert '<tr data-line="local">' in page


def test_budget_export_lists_every_line_with_its_figures(acq, staff) -> None:
    order_line_add(
        order=acq.order, record=acq.net.record, copies=2, unit_price="50", actor=acq.actor
    )

    rows = _sheet(staff.get("/staff/acquisitions/budgets.xlsx?year=2020"))

    assert len(rows) == 5
    purchase = next(r for r in rows if r[2] == "purchase")
    assert purchase[4:8] == (30000.0, 100.0, 0.0, 29900.0)


def test_staff_add_a_fund_and_a_line_then_cut_the_line(acq, staff) -> None:
    staff.post(
        "/staff/acquisitions/funds/add/",
        {"library": acq.net.library_a.pk, "year": "2021", "name": "2021年购书经费"},
    )
    fund = Fund.objects.get(year=2021)
    staff.post(
        f"/staff/acquisitions/funds/{fund.pk}/lines/add/",
        {"code": "suggestions", "name": "读者荐购", "amount": "100000", "warn_at_percent": "90"},
    )
    line = BudgetLine.objects.get(fund=fund)

    staff.post(
        f"/staff/acquisitions/lines/{line.pk}/",
        {"name": "读者荐购", "amount": "80000", "warn_at_percent": "85"},
    )

    line.refresh_from_db()
    assert (line.amount, line.warn_at_percent) == (Decimal("80000.00"), 85)
    assert AuditEvent.objects.filter(action="budget_line.update").count() == 1


def test_staff_of_another_library_cannot_change_a_budget_line(acq) -> None:
    make_user("acq_b", (Role.ACQUISITIONS, acq.net.library_b))

    response = _client("acq_b").post(
        f"/staff/acquisitions/lines/{acq.purchase_line.pk}/",
        {"name": "挪用", "amount": "1", "warn_at_percent": "90"},
    )

    assert response.status_code == 403
    acq.purchase_line.refresh_from_db()
    assert (acq.purchase_line.name, acq.purchase_line.amount) == ("零散采购", Decimal("30000.00"))


# --------------------------------------------------------------------------- orders


def test_staff_create_an_order_add_a_line_and_receive_it_in_two_deliveries(acq, staff) -> None:
    response = staff.post(
        "/staff/acquisitions/orders/add/",
        {
            "number": "2020-002",
            "vendor": acq.vendor.pk,
            "service_point": acq.net.point_a.pk,
            "collection": acq.juvenile.pk,
            "budget_line": acq.purchase_line.pk,
        },
    )
    order = Order.objects.get(number="2020-002")
    assert response["Location"] == f"/staff/acquisitions/orders/{order.pk}/"
    staff.post(
        f"/staff/acquisitions/orders/{order.pk}/",
        {
            "action": "add",
            "isbn": "9787020034567",
            "title": "小王子",
            "copies": "3",
            "unit_price": "25.00",
            "acquisition_source": "purchase",
        },
    )
    line = OrderLine.objects.get(order=order)
    assert (line.record.title, line.copies, line.collection) == ("小王子", 3, acq.juvenile)

    staff.post(
        f"/staff/acquisitions/orders/{order.pk}/",
        {"action": "receive", "line": line.pk, "copies": "2"},
    )
    staff.post(
        f"/staff/acquisitions/orders/{order.pk}/",
        {"action": "receive", "line": line.pk, "copies": "1", "barcodes": "C9000001"},
    )

    line.refresh_from_db()
    assert (line.status, line.copies_received) == (OrderLineStatus.RECEIVED, 3)
    items = Item.objects.filter(record=line.record).order_by("barcode")
    assert [(i.barcode, i.status, i.acquisition_source, i.price) for i in items] == [
        ("AQ00000001", ItemStatus.IN_PROCESSING, AcquisitionSource.PURCHASE, Decimal("25.00")),
        ("AQ00000002", ItemStatus.IN_PROCESSING, AcquisitionSource.PURCHASE, Decimal("25.00")),
        ("C9000001", ItemStatus.IN_PROCESSING, AcquisitionSource.PURCHASE, Decimal("25.00")),
    ]


def test_an_order_line_with_an_invalid_isbn_is_refused(acq, staff) -> None:
    records = Record.objects.count()

    response = staff.post(
        f"/staff/acquisitions/orders/{acq.order.pk}/",
        {
            "action": "add",
            "isbn": "9787020034568",
            "title": "小王子",
            "copies": "1",
            "unit_price": "25.00",
            "acquisition_source": "purchase",
        },
    )

    assert response.status_code == 200
    assert "This is not a valid ISBN." in response.content.decode()
    assert (Record.objects.count(), OrderLine.objects.count()) == (records, 0)


def test_an_order_line_over_the_budget_line_is_refused_unless_allowed(acq, staff) -> None:
    body = {
        "action": "add",
        "record_id": acq.net.record.pk,
        "copies": "1",
        "unit_price": "30000.01",
        "acquisition_source": "purchase",
    }

    refused = staff.post(f"/staff/acquisitions/orders/{acq.order.pk}/", body)
    assert "has 30000.00 left; this needs 30000.01." in refused.content.decode()
    assert OrderLine.objects.count() == 0

    staff.post(f"/staff/acquisitions/orders/{acq.order.pk}/", {**body, "allow_overspend": "on"})
    assert budget_line_status(line=acq.purchase_line).remaining == Decimal("-0.01")
    page = staff.get("/staff/acquisitions/budgets/?year=2020").content.decode()
    assert "Overspent" in page


def test_staff_cancel_the_outstanding_copies_of_a_line(acq, staff) -> None:
    line = order_line_add(
        order=acq.order, record=acq.net.record, copies=2, unit_price="10", actor=acq.actor
    )

    staff.post(
        f"/staff/acquisitions/orders/{acq.order.pk}/",
        {"action": "cancel", "line": line.pk, "reason": "出版社缺货"},
    )

    line.refresh_from_db()
    assert (line.status, line.copies_cancelled, line.cancel_reason) == (
        OrderLineStatus.CANCELLED,
        2,
        "出版社缺货",
    )
    assert budget_line_status(line=acq.purchase_line).committed == Decimal("0.00")


def test_late_orders_are_listed_and_claimed(acq, staff) -> None:
    line = order_line_add(
        order=acq.order, record=acq.net.record, copies=2, unit_price="10", actor=acq.actor
    )

    page = staff.get("/staff/acquisitions/claims/").content.decode()
    assert f'name="line" value="{line.pk}"' in page
    staff.post("/staff/acquisitions/claims/", {"line": line.pk, "note": "请发货"})

    claim = OrderClaim.objects.get()
    assert (claim.order_line, claim.copies, claim.note) == (line, 2, "请发货")


def test_orders_export_has_a_row_per_line(acq, staff) -> None:
    order_line_add(
        order=acq.order, record=acq.net.record, copies=2, unit_price="10", actor=acq.actor
    )

    rows = _sheet(staff.get("/staff/acquisitions/orders.xlsx"))

    assert len(rows) == 2
    assert rows[1][:7] == (
        "2020-001",
        rows[1][1],
        "丽江新华书店",
        "红楼梦",
        "9787020002207",
        2,
        10.0,
    )


# --------------------------------------------------------------------------- invoices


def test_staff_record_an_invoice_for_an_order_line(acq, staff) -> None:
    line = order_line_add(
        order=acq.order, record=acq.net.record, copies=2, unit_price="10", actor=acq.actor
    )
    staff.post(
        "/staff/acquisitions/invoices/add/",
        {"library": acq.net.library_a.pk, "vendor": acq.vendor.pk, "number": "FP-1"},
    )
    invoice = acq.vendor.invoices.get()

    staff.post(
        f"/staff/acquisitions/invoices/{invoice.pk}/",
        {"order_line": line.pk, "copies": "2", "amount": "19.00"},
    )

    status = budget_line_status(line=acq.purchase_line)
    assert (status.committed, status.spent) == (Decimal("0.00"), Decimal("19.00"))
    page = staff.get(f"/staff/acquisitions/invoices/{invoice.pk}/").content.decode()
    assert '<th id="total">19.00</th>' in page


# --------------------------------------------------------------------------- donations


def test_donation_from_an_anonymous_donor_is_recorded_and_decided(acq, staff) -> None:
    staff.post("/staff/acquisitions/donors/add/", {"kind": "person", "anonymous": "on"})
    donor = Donor.objects.get()
    staff.post(
        "/staff/acquisitions/donations/add/",
        {
            "donor": donor.pk,
            "library": acq.net.library_a.pk,
            "received_on": "2020-04-23",
            "items": "纳西古乐 | 9787101145892 | 2 | new\n旧杂志合订本 | | 1 | worn\n破损图书 | | 1 | damaged",
        },
    )
    donated = list(DonatedItem.objects.order_by("pk"))
    donation = donated[0].donation
    url = f"/staff/acquisitions/donations/{donation.pk}/"

    staff.post(
        url,
        {
            "item": donated[0].pk,
            "decision": "added",
            "service_point": acq.net.point_a.pk,
            "collection": acq.net.collection.pk,
        },
    )
    staff.post(
        url, {"item": donated[1].pk, "decision": "passed_on", "passed_to": acq.net.point_b.pk}
    )
    staff.post(url, {"item": donated[2].pk, "decision": "declined", "note": "破损严重"})

    decisions = [
        (d.decision, d.condition, d.passed_to_id, d.decision_note)
        for d in DonatedItem.objects.order_by("pk")
    ]
    assert decisions == [
        (DonationDecision.ADDED, "new", None, ""),
        (DonationDecision.PASSED_ON, "worn", acq.net.point_b.pk, ""),
        (DonationDecision.DECLINED, "damaged", None, "破损严重"),
    ]
    added = Item.objects.filter(acquisition_source=AcquisitionSource.DONATION).order_by("barcode")
    assert [i.barcode for i in added] == ["JZ00000001", "JZ00000002"]
    assert "Anonymous donor" in staff.get(url).content.decode()


def test_a_declined_donation_needs_a_reason(acq, staff) -> None:
    staff.post("/staff/acquisitions/donors/add/", {"kind": "organisation", "name": "丽江一中"})
    staff.post(
        "/staff/acquisitions/donations/add/",
        {
            "donor": Donor.objects.get().pk,
            "library": acq.net.library_a.pk,
            "received_on": "2020-05-04",
            "items": "玉龙雪山",
        },
    )
    item = DonatedItem.objects.get()

    response = staff.post(
        f"/staff/acquisitions/donations/{item.donation_id}/",
        {"item": item.pk, "decision": "declined"},
        follow=True,
    )

    assert "Say why it is declined." in response.content.decode()
    item.refresh_from_db()
    assert item.decision == DonationDecision.PENDING


def test_donations_export_lists_each_donated_item(acq, staff) -> None:
    staff.post("/staff/acquisitions/donors/add/", {"kind": "organisation", "name": "丽江一中"})
    staff.post(
        "/staff/acquisitions/donations/add/",
        {
            "donor": Donor.objects.get().pk,
            "library": acq.net.library_a.pk,
            "received_on": "2020-05-04",
            "items": "玉龙雪山 | | 3 | good",
        },
    )

    rows = _sheet(staff.get("/staff/acquisitions/donations.xlsx?year=2020"))

    assert rows[1][0] == "JZ2020-00001"
    assert rows[1][2:8] == ("丽江一中", "玉龙雪山", None, 3, "Good", "Not yet decided")


# --------------------------------------------------------------------------- local documents


def test_staff_add_a_manuscript_and_correct_its_custody(acq, staff) -> None:
    body = {
        "record_id": acq.net.record.pk,
        "barcode": "DF00000001",
        "service_point": acq.net.point_a.pk,
        "collection": acq.local_collection.pk,
        "provenance": "作者家属捐赠",
        "local_subject": "丽江古城",
        "manuscript": "on",
        "author": "周霖",
        "custody_location": "地方文献室",
    }
    staff.post("/staff/acquisitions/local-documents/add/", body)
    document = LocalDocument.objects.get()

    staff.post(
        f"/staff/acquisitions/local-documents/{document.pk}/",
        {
            "provenance": "作者家属捐赠",
            "local_subject": "丽江古城",
            "author": "周霖",
            "custody_location": "特藏库 2 号柜",
            "custody_conditions": "恒温恒湿",
        },
    )

    document.refresh_from_db()
    assert (document.manuscript, document.custody_location, document.custody_conditions) == (
        True,
        "特藏库 2 号柜",
        "恒温恒湿",
    )
    assert document.item.acquisition_source == AcquisitionSource.LOCAL_DOCUMENTS
    assert "周霖" in staff.get("/staff/acquisitions/local-documents/").content.decode()


def test_a_manuscript_without_its_custody_is_refused(acq, staff) -> None:
    response = staff.post(
        "/staff/acquisitions/local-documents/add/",
        {
            "record_id": acq.net.record.pk,
            "barcode": "DF00000001",
            "service_point": acq.net.point_a.pk,
            "collection": acq.local_collection.pk,
            "provenance": "作者家属捐赠",
            "local_subject": "丽江古城",
            "manuscript": "on",
        },
    )

    assert "A manuscript needs its author and where it is kept." in response.content.decode()
    assert not Item.objects.filter(barcode="DF00000001").exists()


# --------------------------------------------------------------------------- suggestion rules


def test_staff_set_the_rules_and_the_desk_is_held_to_the_quota(acq, staff) -> None:
    staff.post(
        f"/staff/acquisitions/rules/{acq.net.library_a.pk}/",
        {
            "price_cap": "80",
            "excluded_classes": "G6，O1, TP3",
            "yearly_quota": "1",
            "copies_per_title": "2",
            "budget_line": acq.suggestions_line.pk,
        },
    )
    rule = SuggestionRule.objects.get(library=acq.net.library_a)
    assert (rule.price_cap, rule.excluded_classes, rule.yearly_quota, rule.copies_per_title) == (
        Decimal("80.00"),
        "G6,O1,TP3",
        1,
        2,
    )
    assert rule.bookshop_enabled is False

    staff.post(
        "/staff/acquisitions/suggest/",
        {"card_number": "LJ0000001", "isbn": "9787020034567", "title": "小王子"},
    )
    refused = staff.post(
        "/staff/acquisitions/suggest/",
        {"card_number": "LJ0000001", "isbn": "9787101145892", "title": "纳西古乐"},
    )

    assert "You have used all your suggestions for this year." in refused.content.decode()


def test_desk_suggestion_for_an_unknown_card_is_refused(acq, staff) -> None:
    response = staff.post(
        "/staff/acquisitions/suggest/", {"card_number": "LJ9999999", "title": "小王子"}
    )

    assert "No reader has this card number." in response.content.decode()


# --------------------------------------------------------------------------- bookshop terminals


def _create_terminal(staff: Client, acq) -> tuple[BookshopTerminal, str]:
    response = staff.post(
        "/staff/acquisitions/terminals/add/",
        {
            "code": "XH-GC",
            "name": "新华书店古城店",
            "vendor": acq.vendor.pk,
            "service_point": acq.net.point_a.pk,
            "collection": acq.net.collection.pk,
            "budget_line": acq.suggestions_line.pk,
            "barcode_prefix": "BS",
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    return BookshopTerminal.objects.get(code="XH-GC"), secret


def test_a_terminal_secret_is_shown_once_and_revoking_refuses_it(acq, staff) -> None:
    terminal, secret = _create_terminal(staff, acq)
    assert terminal_authenticate(code="XH-GC", secret=secret) == terminal
    assert secret not in staff.get("/staff/acquisitions/terminals/").content.decode()
    assert secret not in terminal.secret_digest

    staff.post("/staff/acquisitions/terminals/", {"terminal": terminal.pk})

    with pytest.raises(ShufangError):
        terminal_authenticate(code="XH-GC", secret=secret)


def _shop(acq, staff) -> tuple[Client, str]:
    _terminal, secret = _create_terminal(staff, acq)
    shop = english()
    response = shop.post("/bookshop/login/", {"code": "XH-GC", "secret": secret})
    assert response["Location"] == "/bookshop/"
    return shop, secret


LEND = {
    "card_number": "LJ0000001",
    "isbn": "9787532725694",
    "price": "39.80",
    "title": "挪威的森林",
}


def test_the_shop_page_lends_once_even_when_the_form_is_sent_twice(acq, staff) -> None:
    shop, _secret = _shop(acq, staff)
    key = shop.get("/bookshop/").context["form"].initial["idempotency_key"]

    first = shop.post("/bookshop/", {**LEND, "idempotency_key": key})
    again = shop.post("/bookshop/", {**LEND, "idempotency_key": key})

    assert 'id="barcode">BS00000001<' in first.content.decode()
    assert 'id="replayed"' in again.content.decode()
    assert 'id="barcode">BS00000001<' in again.content.decode()
    assert Item.objects.filter(barcode__startswith="BS").count() == 1
    assert acq.net.reader_a.pk == Item.objects.get(barcode="BS00000001").loans.get().reader_id


def test_the_shop_page_refuses_wrong_credentials_and_an_unknown_card(acq, staff) -> None:
    _terminal, _secret = _create_terminal(staff, acq)
    shop = english()

    wrong = shop.post("/bookshop/login/", {"code": "XH-GC", "secret": "guess"})
    assert "credentials are not valid" in wrong.content.decode()
    assert shop.get("/bookshop/")["Location"] == "/bookshop/login/"

    shop = english()
    shop.post("/bookshop/login/", {"code": "XH-GC", "secret": _secret})
    response = shop.post(
        "/bookshop/", {**LEND, "card_number": "LJ9999999", "idempotency_key": "k-1"}
    )
    assert "No reader has this card number." in response.content.decode()
    assert not Item.objects.filter(barcode__startswith="BS").exists()


def test_a_revoked_terminal_is_signed_out_of_the_shop_page(acq, staff) -> None:
    shop, _secret = _shop(acq, staff)
    terminal = BookshopTerminal.objects.get(code="XH-GC")

    staff.post("/staff/acquisitions/terminals/", {"terminal": terminal.pk})

    assert shop.get("/bookshop/")["Location"] == "/bookshop/login/"
    assert shop.post("/bookshop/", {**LEND, "idempotency_key": "k-2"}).status_code == 302
    assert not Item.objects.filter(barcode__startswith="BS").exists()


def test_the_bookshop_invoice_is_reconciled_on_its_page(acq, staff) -> None:
    shop, _secret = _shop(acq, staff)
    shop.post("/bookshop/", {**LEND, "idempotency_key": "k-1"})
    staff.post(
        "/staff/acquisitions/invoices/add/",
        {"library": acq.net.library_a.pk, "vendor": acq.vendor.pk, "number": "XH-2020-05"},
    )
    invoice = acq.vendor.invoices.get()

    page = staff.post(
        f"/staff/acquisitions/invoices/{invoice.pk}/reconcile/",
        {"lines": "9787532725694, 39.80\n9787020034567 25"},
    ).content.decode()

    assert "Matched (1)" in page
    assert "Invoice lines with no loan (1)" in page
    assert InvoiceLine.objects.get(invoice=invoice).amount == Decimal("39.80")
    status = budget_line_status(line=acq.suggestions_line)
    assert (status.committed, status.spent) == (Decimal("0.00"), Decimal("39.80"))


@pytest.mark.parametrize("year", ["²", "abc", "99999999999", "-1", ""])
def test_odd_years_in_the_query_string_get_this_years_page(acq, staff, year) -> None:
    for url in (
        "/staff/acquisitions/",
        "/staff/acquisitions/budgets/",
        "/staff/acquisitions/budgets.xlsx",
        "/staff/acquisitions/donations/",
        "/staff/acquisitions/donations.xlsx",
        "/staff/serials/",
        "/staff/serials/subscriptions.xlsx",
    ):
        assert staff.get(url, {"year": year}).status_code == 200, url


def test_an_odd_line_number_posted_is_not_found(acq, staff) -> None:
    for value in ("abc", "²", "9" * 30):
        response = staff.post(
            f"/staff/acquisitions/orders/{acq.order.pk}/", {"action": "cancel", "line": value}
        )
        assert response.status_code == 404
