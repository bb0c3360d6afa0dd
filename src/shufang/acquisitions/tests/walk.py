"""Acquisitions and serials rows and users for the permission walk
(web/tests/test_permission_walk.py), built once per network."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shufang.acquisitions.models import (
    BookshopTerminal,
    BudgetLine,
    DonatedItem,
    Donation,
    Fund,
    Invoice,
    LocalDocument,
    Order,
    OrderLine,
    Suggestion,
    Vendor,
)
from shufang.acquisitions.services.bookshop import terminal_create
from shufang.acquisitions.services.budgets import budget_line_create, fund_create, vendor_create
from shufang.acquisitions.services.donations import DonatedItemIn, donation_record, donor_create
from shufang.acquisitions.services.local_documents import local_document_add
from shufang.acquisitions.services.orders import invoice_create, order_create, order_line_add
from shufang.acquisitions.services.suggestions import suggestion_submit
from shufang.catalogue.models import Collection
from shufang.core.audit import Actor
from shufang.core.models import Role
from shufang.serials.models import Subscription
from shufang.serials.services import subscription_create, subscription_predict_issues
from shufang.web.tests.fixtures import Network, make_user


@dataclass
class AcqWalk:
    suggestion: Suggestion
    to_approve: Suggestion
    donation: Donation
    subscription: Subscription
    round_line: BudgetLine
    fund: Fund
    line: BudgetLine
    vendor: Vendor
    order: Order
    order_lines: list[OrderLine]
    invoice: Invoice
    local_document: LocalDocument
    local_collection: Collection
    terminal: BookshopTerminal


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
    order = order_create(
        library=net.library_a,
        vendor=vendor,
        number="WALK-001",
        service_point=net.point_a,
        collection=net.collection,
        budget_line=line,
        actor=actor,
    )
    # one line each for receiving, cancelling, claiming and invoicing
    order_lines = [
        order_line_add(
            order=order, record=net.record, copies=2, unit_price=Decimal("30"), actor=actor
        )
        for _n in range(4)
    ]
    local_collection = Collection.objects.create(code="local", name="地方文献", loanable=False)
    walk = AcqWalk(
        suggestion=suggestion_submit(
            reader=net.reader_a,
            library=net.library_a,
            channel="account",
            actor=actor,
            isbn="9787544291170",
            title="百年孤独",
        ),
        to_approve=suggestion_submit(
            reader=net.reader_a,
            library=net.library_a,
            channel="account",
            actor=actor,
            isbn="9787101145892",
            title="纳西东巴古籍译注",
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
        fund=fund,
        line=line,
        vendor=vendor,
        order=order,
        order_lines=order_lines,
        invoice=invoice_create(vendor=vendor, library=net.library_a, number="FP-1", actor=actor),
        local_document=local_document_add(
            record=net.record,
            barcode="DF00000001",
            service_point=net.point_a,
            collection=local_collection,
            provenance="丽江古城区文化馆移交",
            local_subject="丽江古城",
            actor=actor,
        ),
        local_collection=local_collection,
        terminal=terminal_create(
            code="XH-WALK",
            name="新华书店",
            vendor=vendor,
            service_point=net.point_a,
            collection=net.collection,
            budget_line=line,
            actor=actor,
        )[0],
    )
    subscription_predict_issues(subscription=walk.subscription, actor=actor)
    net._acq_walk = walk  # type: ignore[attr-defined]
    return walk


def pages(net: Network) -> dict[str, tuple[dict[str, Any], str, str | None, str]]:
    w = build(net)
    own = "acq_a", "acq_b", "desk_a"  # scoped to library A
    anywhere = "acq_a", None, "desk_a"  # lists show each user their own libraries
    return {
        "web:acq-home": ({}, *anywhere),
        "web:acq-suggestions": ({}, *anywhere),
        "web:acq-suggestions-xlsx": ({}, *anywhere),
        "web:acq-suggestion": ({"pk": w.suggestion.pk}, *own),
        "web:acq-desk-suggest": ({}, "desk_a", None, "cataloguer_a"),
        "web:acq-rules": ({}, *anywhere),
        "web:acq-rule-edit": ({"library": net.library_a.pk}, *own),
        "web:acq-vendors": ({}, *anywhere),
        "web:acq-vendor-add": ({}, *anywhere),
        # vendors serve the whole network
        "web:acq-vendor-edit": ({"pk": w.vendor.pk}, *anywhere),
        "web:acq-budgets": ({}, *anywhere),
        "web:acq-budgets-xlsx": ({}, *anywhere),
        "web:acq-fund-add": ({}, *anywhere),
        "web:acq-fund-edit": ({"pk": w.fund.pk}, *own),
        "web:acq-line-add": ({"fund": w.fund.pk}, *own),
        "web:acq-line-edit": ({"pk": w.line.pk}, *own),
        "web:acq-orders": ({}, *anywhere),
        "web:acq-orders-xlsx": ({}, *anywhere),
        "web:acq-order-add": ({}, *anywhere),
        "web:acq-order": ({"pk": w.order.pk}, *own),
        "web:acq-claims": ({}, *anywhere),
        "web:acq-invoices": ({}, *anywhere),
        "web:acq-invoice-add": ({}, *anywhere),
        "web:acq-invoice": ({"pk": w.invoice.pk}, *own),
        "web:acq-reconcile": ({"pk": w.invoice.pk}, *own),
        "web:acq-donations": ({}, *anywhere),
        "web:acq-donations-xlsx": ({}, *anywhere),
        "web:acq-donation-add": ({}, *anywhere),
        "web:acq-donor-add": ({}, *anywhere),
        # donors serve the whole network
        "web:acq-donor-edit": ({"pk": w.donation.donor_id}, *anywhere),
        "web:acq-donation": ({"pk": w.donation.pk}, *own),
        "web:acq-certificate": ({"pk": w.donation.pk}, *own),
        "web:acq-certificate-docx": ({"pk": w.donation.pk}, *own),
        "web:acq-local-documents": ({}, *anywhere),
        "web:acq-local-document-add": ({}, *anywhere),
        "web:acq-local-document-edit": ({"pk": w.local_document.pk}, *own),
        "web:acq-terminals": ({}, *anywhere),
        "web:acq-terminal-add": ({}, *anywhere),
        "web:acq-terminal-edit": ({"pk": w.terminal.pk}, *own),
        "web:serials-home": ({}, *anywhere),
        "web:serials-xlsx": ({}, *anywhere),
        "web:serials-subscription-add": ({}, *anywhere),
        "web:serials-subscription": ({"pk": w.subscription.pk}, *own),
        "web:serials-subscription-edit": ({"pk": w.subscription.pk}, *own),
        "web:serials-subscription-predict": ({"pk": w.subscription.pk}, *own),
        "web:serials-round-xlsx": ({"line": w.round_line.pk}, *own),
        "web:serials-round": ({"line": w.round_line.pk}, *own),
        "web:serials-round-open": ({"line": w.round_line.pk}, *own),
        "web:serials-round-confirm": ({"line": w.round_line.pk}, *own),
        "web:serials-binding": ({}, *anywhere),
    }


def api(net: Network) -> dict[tuple[str, str], tuple[dict, dict | None, str, str | None]]:
    w = build(net)
    issues = list(w.subscription.issues.order_by("sequence")[:2])
    receive, cancel, claim, invoice = w.order_lines
    item = DonatedItem.objects.filter(donation=w.donation).first()
    assert item is not None
    acq = "/api/v1/acquisitions"
    a = net.library_a.pk
    return {
        ("post", f"{acq}/suggestions"): (
            {},
            {"card_number": "LJ0000001", "isbn": "9787020024759", "title": "围城"},
            "desk_a",
            "desk_b",
        ),
        ("post", f"{acq}/suggestions/{{suggestion_id}}/decline"): (
            {"suggestion_id": w.suggestion.pk},
            {"reason": "已有译本"},
            "acq_a",
            "acq_b",
        ),
        ("post", f"{acq}/suggestions/{{suggestion_id}}/approve"): (
            {"suggestion_id": w.to_approve.pk},
            {"order_id": w.order.pk, "unit_price": "45.00"},
            "acq_a",
            "acq_b",
        ),
        ("post", f"{acq}/vendors"): (
            {},
            {"code": "XH", "name": "丽江新华书店", "kind": "bookshop"},
            "acq_a",
            None,
        ),
        ("patch", f"{acq}/vendors/{{vendor_id}}"): (
            {"vendor_id": w.vendor.pk},
            {"phone": "0888-5122222"},
            "acq_a",
            None,
        ),
        ("post", f"{acq}/funds"): (
            {},
            {"library_id": a, "year": 2031, "name": "购书经费"},
            "acq_a",
            "acq_b",
        ),
        ("post", f"{acq}/funds/{{fund_id}}/lines"): (
            {"fund_id": w.fund.pk},
            {"code": "suggestions", "name": "读者荐购", "amount": "100000"},
            "acq_a",
            "acq_b",
        ),
        ("patch", f"{acq}/budget-lines/{{line_id}}"): (
            {"line_id": w.line.pk},
            {"amount": "75000"},
            "acq_a",
            "acq_b",
        ),
        ("post", f"{acq}/orders"): (
            {},
            {
                "vendor_id": w.vendor.pk,
                "number": "WALK-002",
                "service_point_id": net.point_a.pk,
                "collection_id": net.collection.pk,
                "budget_line_id": w.line.pk,
            },
            "acq_a",
            "acq_b",
        ),
        ("post", f"{acq}/orders/{{order_id}}/lines"): (
            {"order_id": w.order.pk},
            {"record_id": net.record.pk, "copies": 1, "unit_price": "28.00"},
            "acq_a",
            "acq_b",
        ),
        ("post", f"{acq}/order-lines/{{line_id}}/receive"): (
            {"line_id": receive.pk},
            {"copies": 1},
            "acq_a",
            "acq_b",
        ),
        ("post", f"{acq}/order-lines/{{line_id}}/cancel"): (
            {"line_id": cancel.pk},
            {"reason": "出版社缺货"},
            "acq_a",
            "acq_b",
        ),
        ("post", f"{acq}/order-lines/{{line_id}}/claim"): (
            {"line_id": claim.pk},
            {"note": "请尽快发货"},
            "acq_a",
            "acq_b",
        ),
        ("post", f"{acq}/invoices"): (
            {},
            {"library_id": a, "vendor_id": w.vendor.pk, "number": "FP-2"},
            "acq_a",
            "acq_b",
        ),
        ("post", f"{acq}/invoices/{{invoice_id}}/lines"): (
            {"invoice_id": w.invoice.pk},
            {"order_line_id": invoice.pk, "copies": 2, "amount": "60.00"},
            "acq_a",
            "acq_b",
        ),
        ("post", f"{acq}/invoices/{{invoice_id}}/reconcile"): (
            {"invoice_id": w.invoice.pk},
            {"lines": []},
            "acq_a",
            "acq_b",
        ),
        ("post", f"{acq}/donors"): (
            {},
            {"kind": "organisation", "name": "丽江一中"},
            "acq_a",
            None,
        ),
        ("post", f"{acq}/donations"): (
            {},
            {
                "donor_id": w.donation.donor_id,
                "library_id": a,
                "received_on": "2020-05-04",
                "items": [{"title": "玉龙雪山", "condition": "good"}],
            },
            "acq_a",
            "acq_b",
        ),
        ("post", f"{acq}/donated-items/{{item_id}}/decide"): (
            {"item_id": item.pk},
            {"decision": "declined", "note": "复本过多"},
            "acq_a",
            "acq_b",
        ),
        ("post", f"{acq}/local-documents"): (
            {},
            {
                "record_id": net.record.pk,
                "barcode": "DF00000002",
                "service_point_id": net.point_a.pk,
                "collection_id": w.local_collection.pk,
                "provenance": "作者捐赠",
                "local_subject": "纳西族",
            },
            "acq_a",
            "acq_b",
        ),
        ("patch", f"{acq}/local-documents/{{document_id}}"): (
            {"document_id": w.local_document.pk},
            {"custody_location": "地方文献室 3 号柜"},
            "acq_a",
            "acq_b",
        ),
        ("post", "/api/v1/serials/subscriptions"): (
            {},
            {
                "year": w.subscription.year,
                "title": "丽江日报",
                "kind": "newspaper",
                "frequency": "daily",
                "vendor_id": w.vendor.pk,
                "budget_line_id": w.line.pk,
                "unit_price": "360",
                "service_point_id": net.point_a.pk,
                "cn_number": "CN 53-0011",
            },
            "acq_a",
            "acq_b",
        ),
        ("patch", "/api/v1/serials/subscriptions/{subscription_id}"): (
            {"subscription_id": w.subscription.pk},
            {"copies": 2},
            "acq_a",
            "acq_b",
        ),
        ("post", "/api/v1/serials/subscriptions/{subscription_id}/predict"): (
            {"subscription_id": w.subscription.pk},
            None,
            "acq_a",
            "acq_b",
        ),
        ("post", "/api/v1/serials/issues/{issue_id}/check-in"): (
            {"issue_id": issues[0].pk},
            {},
            "acq_a",
            "acq_b",
        ),
        ("post", "/api/v1/serials/issues/{issue_id}/claim"): (
            {"issue_id": issues[1].pk},
            {"note": "未收到"},
            "acq_a",
            "acq_b",
        ),
    }
