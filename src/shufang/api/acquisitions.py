"""Acquisitions over the API: suggestions (submit for a reader, list, approve, decline),
vendors, funds and budget lines, orders and receiving, claims, invoices (and the bookshop
reconciliation), donations, local documents; and, as a separate API with its own credentials,
the bookshop terminal (你选书我买单). Endpoints translate, call one service, and render;
refusals leave as {code, message, details}."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema, Status
from ninja.security import HttpBearer

from shufang.acquisitions.errors import UnknownCard
from shufang.acquisitions.models import (
    BudgetLine,
    DonatedItem,
    Donation,
    Donor,
    Fund,
    Invoice,
    LocalDocument,
    Order,
    OrderLine,
    Receipt,
    Suggestion,
    Vendor,
)
from shufang.acquisitions.selectors import (
    budget_line_status,
    budget_status,
    invoice_total,
    order_lines_to_claim,
    suggestions_list,
)
from shufang.acquisitions.services.bookshop import (
    bookshop_invoice_reconcile,
    bookshop_lend,
    terminal_authenticate,
)
from shufang.acquisitions.services.budgets import (
    budget_line_create,
    budget_line_update,
    fund_create,
    vendor_create,
    vendor_update,
)
from shufang.acquisitions.services.donations import (
    DonatedItemIn,
    donated_item_decide,
    donation_record,
    donor_create,
)
from shufang.acquisitions.services.local_documents import (
    local_document_add,
    local_document_update,
)
from shufang.acquisitions.services.orders import (
    invoice_create,
    invoice_line_add,
    order_create,
    order_line_add,
    order_line_cancel,
    order_line_claim,
    order_line_receive,
    order_record_find_or_create,
)
from shufang.acquisitions.services.suggestions import (
    suggestion_approve,
    suggestion_decline,
    suggestion_submit,
)
from shufang.api import errors
from shufang.api.auth import api_actor
from shufang.api.schemas import Input
from shufang.catalogue.models import AcquisitionSource, Collection
from shufang.core.exceptions import ShufangError, ValidationFailed
from shufang.core.permissions import require, visible_library_ids
from shufang.network.models import Library, ServicePoint
from shufang.readers.selectors import reader_by_card_number

router = Router(tags=["acquisitions"])


class SuggestionOut(Schema):
    id: int
    library_id: int
    isbn: str
    title: str
    authors: str
    price: Decimal | None
    status: str
    request_count: int
    reason: str
    record_id: int | None


class SuggestionIn(Input):
    card_number: str
    isbn: str = ""
    title: str = ""
    authors: str = ""
    publisher: str = ""
    price: Decimal | None = None
    note: str = ""


class DeclineIn(Input):
    reason: str


class BudgetLineOut(Schema):
    id: int
    year: int
    library_id: int
    code: str
    name: str
    amount: Decimal
    committed: Decimal
    spent: Decimal
    remaining: Decimal
    warning: bool


@router.get("/acquisitions/suggestions", response=list[SuggestionOut])
def list_suggestions(request: HttpRequest, status: str = "") -> Any:
    require(request.user, "acquisitions.view")
    ids = visible_library_ids(request.user, "acquisitions.view")
    return list(suggestions_list(status=status, library_ids=ids)[:500])


@router.post("/acquisitions/suggestions", response={201: SuggestionOut})
def submit_suggestion(request: HttpRequest, payload: SuggestionIn) -> Any:
    reader = reader_by_card_number(number=payload.card_number.strip())
    if reader is None:
        require(request.user, "acquisitions.suggest")
        raise UnknownCard(card=payload.card_number)
    suggestion = suggestion_submit(
        reader=reader,
        library=reader.home_service_point.library,
        channel="api",
        actor=api_actor(request),
        isbn=payload.isbn,
        title=payload.title,
        authors=payload.authors,
        publisher=payload.publisher,
        price=payload.price,
        note=payload.note,
    )
    return Status(201, suggestion)


@router.post("/acquisitions/suggestions/{suggestion_id}/decline", response=SuggestionOut)
def decline_suggestion(request: HttpRequest, suggestion_id: int, payload: DeclineIn) -> Any:
    require(request.user, "acquisitions.change")
    suggestion = get_object_or_404(Suggestion, pk=suggestion_id)
    return suggestion_decline(
        suggestion=suggestion, reason=payload.reason, actor=api_actor(request)
    )


@router.get("/acquisitions/budget-lines", response=list[BudgetLineOut])
def list_budget_lines(request: HttpRequest, year: int) -> Any:
    require(request.user, "acquisitions.view")
    ids = visible_library_ids(request.user, "acquisitions.view")
    return [
        {
            "id": s.line.pk,
            "year": s.line.fund.year,
            "library_id": s.line.fund.library_id,
            "code": s.line.code,
            "name": s.line.name,
            "amount": s.amount,
            "committed": s.committed,
            "spent": s.spent,
            "remaining": s.remaining,
            "warning": s.warning,
        }
        for s in budget_status(year=year)
        if ids is None or s.line.fund.library_id in ids
    ]


# --------------------------------------------------------------------------- helpers


def _pk(model: Any, pk: int | None, field: str) -> Any:
    """The row of `model` with this id, None for None; 400 (not 404) for an unknown id in a
    body, so the caller learns which field is wrong."""
    if pk is None:
        return None
    row = model._default_manager.filter(pk=pk).first()
    if row is None:
        raise ValidationFailed(_("No such %(field)s.") % {"field": field}, field=field)
    return row


def _scope(request: HttpRequest, rows: Any, path: str, perm: str = "acquisitions.view") -> Any:
    require(request.user, perm)
    ids = visible_library_ids(request.user, perm)
    return rows if ids is None else rows.filter(**{f"{path}__in": ids})


def _object(request: HttpRequest, model: Any, pk: int, path: str, perm: str) -> Any:
    """The row, when the caller has `perm` at its library (403 otherwise, 404 unknown)."""
    require(request.user, perm)
    row = get_object_or_404(model, pk=pk)
    library_id = row
    for part in path.split("__"):
        library_id = getattr(library_id, part)
    require(request.user, perm, library=library_id)
    return row


# --------------------------------------------------------------------------- suggestions


class ApproveIn(Input):
    order_id: int
    copies: int | None = None
    unit_price: Decimal | None = None
    budget_line_id: int | None = None
    override_rules: bool = False
    allow_overspend: bool = False
    message: str = ""


class OrderLineOut(Schema):
    id: int
    order_id: int
    record_id: int
    title: str
    suggestion_id: int | None
    copies: int
    unit_price: Decimal
    budget_line_id: int
    service_point_id: int
    collection_id: int
    acquisition_source: str
    status: str
    copies_received: int
    copies_cancelled: int
    copies_invoiced: int
    expected_by: dt.date | None
    cancel_reason: str

    @staticmethod
    def resolve_title(obj: OrderLine) -> str:
        return obj.record.title


@router.post("/acquisitions/suggestions/{suggestion_id}/approve", response={201: OrderLineOut})
def approve_suggestion(request: HttpRequest, suggestion_id: int, payload: ApproveIn) -> Any:
    suggestion = _object(request, Suggestion, suggestion_id, "library_id", "acquisitions.change")
    line = suggestion_approve(
        suggestion=suggestion,
        order=_pk(Order, payload.order_id, "order_id"),
        actor=api_actor(request),
        copies=payload.copies,
        unit_price=payload.unit_price,
        budget_line=_pk(BudgetLine, payload.budget_line_id, "budget_line_id"),
        override_rules=payload.override_rules,
        allow_overspend=payload.allow_overspend,
        message=payload.message,
    )
    return Status(201, line)


# --------------------------------------------------------------------------- vendors


class VendorOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    contact_name: str
    phone: str
    email: str
    address: str
    claim_after_days: int
    active: bool


class VendorIn(Input):
    code: str
    name: str
    kind: str
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    claim_after_days: int = 60


class VendorPatch(Input):
    name: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    claim_after_days: int | None = None
    active: bool | None = None


@router.get("/acquisitions/vendors", response=list[VendorOut])
def list_vendors(request: HttpRequest) -> Any:
    require(request.user, "acquisitions.view")
    return list(Vendor.objects.order_by("code"))


@router.post("/acquisitions/vendors", response={201: VendorOut})
def create_vendor(request: HttpRequest, payload: VendorIn) -> Any:
    require(request.user, "acquisitions.change")
    return Status(201, vendor_create(actor=api_actor(request), **payload.dict()))


@router.patch("/acquisitions/vendors/{vendor_id}", response=VendorOut)
def update_vendor(request: HttpRequest, vendor_id: int, payload: VendorPatch) -> Any:
    require(request.user, "acquisitions.change")
    vendor = get_object_or_404(Vendor, pk=vendor_id)
    return vendor_update(
        vendor=vendor, actor=api_actor(request), **payload.dict(exclude_unset=True)
    )


# --------------------------------------------------------------------------- funds and lines


class FundOut(Schema):
    id: int
    library_id: int
    year: int
    name: str


class FundIn(Input):
    library_id: int
    year: int
    name: str


class BudgetLineIn(Input):
    code: str
    name: str
    amount: Decimal
    warn_at_percent: int = 90


class BudgetLinePatch(Input):
    name: str | None = None
    amount: Decimal | None = None
    warn_at_percent: int | None = None


def _line_out(line: BudgetLine) -> dict[str, Any]:
    s = budget_line_status(line=line)
    return {
        "id": line.pk,
        "year": line.fund.year,
        "library_id": line.fund.library_id,
        "code": line.code,
        "name": line.name,
        "amount": s.amount,
        "committed": s.committed,
        "spent": s.spent,
        "remaining": s.remaining,
        "warning": s.warning,
    }


@router.get("/acquisitions/funds", response=list[FundOut])
def list_funds(request: HttpRequest, year: int | None = None) -> Any:
    funds = _scope(request, Fund.objects.all(), "library_id")
    if year is not None:
        funds = funds.filter(year=year)
    return list(funds.order_by("-year", "library_id", "name"))


@router.post("/acquisitions/funds", response={201: FundOut})
def create_fund(request: HttpRequest, payload: FundIn) -> Any:
    require(request.user, "acquisitions.change")
    return Status(
        201,
        fund_create(
            library=_pk(Library, payload.library_id, "library_id"),
            year=payload.year,
            name=payload.name,
            actor=api_actor(request),
        ),
    )


@router.post("/acquisitions/funds/{fund_id}/lines", response={201: BudgetLineOut})
def create_budget_line(request: HttpRequest, fund_id: int, payload: BudgetLineIn) -> Any:
    fund = _object(request, Fund, fund_id, "library_id", "acquisitions.change")
    line = budget_line_create(fund=fund, actor=api_actor(request), **payload.dict())
    return Status(201, _line_out(line))


@router.patch("/acquisitions/budget-lines/{line_id}", response=BudgetLineOut)
def update_budget_line(request: HttpRequest, line_id: int, payload: BudgetLinePatch) -> Any:
    line = _object(request, BudgetLine, line_id, "fund__library_id", "acquisitions.change")
    return _line_out(
        budget_line_update(line=line, actor=api_actor(request), **payload.dict(exclude_unset=True))
    )


# --------------------------------------------------------------------------- orders


class OrderOut(Schema):
    id: int
    library_id: int
    vendor_id: int
    number: str
    ordered_on: dt.date
    status: str
    service_point_id: int
    collection_id: int
    budget_line_id: int
    notes: str


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_lines(obj: Order) -> Any:
        return list(obj.lines.select_related("record").order_by("pk"))


class OrderIn(Input):
    vendor_id: int
    number: str
    service_point_id: int
    collection_id: int
    budget_line_id: int
    ordered_on: dt.date | None = None
    notes: str = ""


class OrderLineIn(Input):
    record_id: int | None = None
    isbn: str = ""
    title: str = ""
    authors: str = ""
    publisher: str = ""
    copies: int
    unit_price: Decimal
    budget_line_id: int | None = None
    service_point_id: int | None = None
    collection_id: int | None = None
    acquisition_source: str = AcquisitionSource.PURCHASE
    expected_by: dt.date | None = None
    allow_overspend: bool = False


class ReceiveIn(Input):
    copies: int
    barcodes: list[str] = []
    received_on: dt.date | None = None


class ReceiptOut(Schema):
    id: int
    order_line_id: int
    received_on: dt.date
    copies: int
    barcodes: list[str]

    @staticmethod
    def resolve_barcodes(obj: Receipt) -> list[str]:
        return list(obj.items.order_by("barcode").values_list("barcode", flat=True))


class CancelIn(Input):
    reason: str


class ClaimIn(Input):
    note: str = ""
    claimed_on: dt.date | None = None


class OrderClaimOut(Schema):
    id: int
    order_line_id: int
    claimed_on: dt.date
    copies: int
    note: str


@router.get("/acquisitions/orders", response=list[OrderOut])
def list_orders(request: HttpRequest, status: str = "") -> Any:
    orders = _scope(request, Order.objects.all(), "library_id")
    if status:
        orders = orders.filter(status=status)
    return list(orders.order_by("-ordered_on", "-pk")[:500])


@router.get("/acquisitions/orders/{order_id}", response=OrderDetailOut)
def get_order(request: HttpRequest, order_id: int) -> Any:
    return _object(request, Order, order_id, "library_id", "acquisitions.view")


@router.post("/acquisitions/orders", response={201: OrderOut})
def create_order(request: HttpRequest, payload: OrderIn) -> Any:
    require(request.user, "acquisitions.change")
    point = _pk(ServicePoint, payload.service_point_id, "service_point_id")
    order = order_create(
        library=point.library,
        vendor=_pk(Vendor, payload.vendor_id, "vendor_id"),
        number=payload.number,
        service_point=point,
        collection=_pk(Collection, payload.collection_id, "collection_id"),
        budget_line=_pk(BudgetLine, payload.budget_line_id, "budget_line_id"),
        actor=api_actor(request),
        ordered_on=payload.ordered_on,
        notes=payload.notes,
    )
    return Status(201, order)


@router.post("/acquisitions/orders/{order_id}/lines", response={201: OrderLineOut})
def add_order_line(request: HttpRequest, order_id: int, payload: OrderLineIn) -> Any:
    order = _object(request, Order, order_id, "library_id", "acquisitions.change")
    actor = api_actor(request)
    record = order_record_find_or_create(
        actor=actor,
        isbn=payload.isbn,
        record_id=payload.record_id,
        title=payload.title,
        authors=payload.authors,
        publisher=payload.publisher,
        price=payload.unit_price,
    )
    line = order_line_add(
        order=order,
        record=record,
        copies=payload.copies,
        unit_price=payload.unit_price,
        actor=actor,
        budget_line=_pk(BudgetLine, payload.budget_line_id, "budget_line_id"),
        service_point=_pk(ServicePoint, payload.service_point_id, "service_point_id"),
        collection=_pk(Collection, payload.collection_id, "collection_id"),
        acquisition_source=payload.acquisition_source,
        expected_by=payload.expected_by,
        allow_overspend=payload.allow_overspend,
    )
    return Status(201, line)


def _order_line(request: HttpRequest, line_id: int) -> OrderLine:
    line: OrderLine = _object(
        request, OrderLine, line_id, "order__library_id", "acquisitions.change"
    )
    return line


@router.post("/acquisitions/order-lines/{line_id}/receive", response={201: ReceiptOut})
def receive_order_line(request: HttpRequest, line_id: int, payload: ReceiveIn) -> Any:
    receipt = order_line_receive(
        line=_order_line(request, line_id),
        copies=payload.copies,
        actor=api_actor(request),
        received_on=payload.received_on,
        barcodes=payload.barcodes,
    )
    return Status(201, receipt)


@router.post("/acquisitions/order-lines/{line_id}/cancel", response=OrderLineOut)
def cancel_order_line(request: HttpRequest, line_id: int, payload: CancelIn) -> Any:
    return order_line_cancel(
        line=_order_line(request, line_id), reason=payload.reason, actor=api_actor(request)
    )


@router.post("/acquisitions/order-lines/{line_id}/claim", response={201: OrderClaimOut})
def claim_order_line(request: HttpRequest, line_id: int, payload: ClaimIn) -> Any:
    claim = order_line_claim(
        line=_order_line(request, line_id),
        actor=api_actor(request),
        on=payload.claimed_on,
        note=payload.note,
    )
    return Status(201, claim)


@router.get("/acquisitions/claims/due", response=list[OrderLineOut])
def late_order_lines(request: HttpRequest) -> Any:
    """Order lines with copies outstanding past their expected date: to claim."""
    return list(_scope(request, order_lines_to_claim(), "order__library_id"))


# --------------------------------------------------------------------------- invoices


class InvoiceLineOut(Schema):
    id: int
    budget_line_id: int
    order_line_id: int | None
    copies: int
    amount: Decimal
    description: str


class InvoiceOut(Schema):
    id: int
    vendor_id: int
    library_id: int
    number: str
    invoiced_on: dt.date
    total: Decimal
    lines: list[InvoiceLineOut]

    @staticmethod
    def resolve_total(obj: Invoice) -> Decimal:
        return invoice_total(invoice=obj)

    @staticmethod
    def resolve_lines(obj: Invoice) -> Any:
        return list(obj.lines.order_by("pk"))


class InvoiceIn(Input):
    library_id: int
    vendor_id: int
    number: str
    invoiced_on: dt.date | None = None


class InvoiceLineIn(Input):
    amount: Decimal
    order_line_id: int | None = None
    budget_line_id: int | None = None
    copies: int = 1
    description: str = ""


class ReconcileLineIn(Input):
    isbn: str
    amount: Decimal


class ReconcileIn(Input):
    lines: list[ReconcileLineIn]


class ReconcileOut(Schema):
    matched: list[int]
    price_differences: list[dict[str, Any]]
    unmatched_lines: list[dict[str, Any]]
    not_invoiced: list[int]


@router.get("/acquisitions/invoices", response=list[InvoiceOut])
def list_invoices(request: HttpRequest) -> Any:
    rows = _scope(request, Invoice.objects.all(), "library_id")
    return list(rows.order_by("-invoiced_on", "-pk")[:500])


@router.post("/acquisitions/invoices", response={201: InvoiceOut})
def create_invoice(request: HttpRequest, payload: InvoiceIn) -> Any:
    require(request.user, "acquisitions.change")
    invoice = invoice_create(
        vendor=_pk(Vendor, payload.vendor_id, "vendor_id"),
        library=_pk(Library, payload.library_id, "library_id"),
        number=payload.number,
        actor=api_actor(request),
        invoiced_on=payload.invoiced_on,
    )
    return Status(201, invoice)


@router.post("/acquisitions/invoices/{invoice_id}/lines", response={201: InvoiceLineOut})
def add_invoice_line(request: HttpRequest, invoice_id: int, payload: InvoiceLineIn) -> Any:
    invoice = _object(request, Invoice, invoice_id, "library_id", "acquisitions.change")
    line = invoice_line_add(
        invoice=invoice,
        actor=api_actor(request),
        amount=payload.amount,
        order_line=_pk(OrderLine, payload.order_line_id, "order_line_id"),
        copies=payload.copies,
        budget_line=_pk(BudgetLine, payload.budget_line_id, "budget_line_id"),
        description=payload.description,
    )
    return Status(201, line)


@router.post("/acquisitions/invoices/{invoice_id}/reconcile", response=ReconcileOut)
def reconcile_invoice(request: HttpRequest, invoice_id: int, payload: ReconcileIn) -> Any:
    """Match a bookshop's invoice lines (ISBN, amount) against its terminals' loans."""
    invoice = _object(request, Invoice, invoice_id, "library_id", "acquisitions.change")
    result = bookshop_invoice_reconcile(
        invoice=invoice,
        lines=[(line.isbn, line.amount) for line in payload.lines],
        actor=api_actor(request),
    )
    return {
        "matched": [p.pk for p, _line in result.matched],
        "price_differences": [
            {"purchase": p.pk, "difference": str(d)} for p, d in result.price_differences
        ],
        "unmatched_lines": [{"isbn": i, "amount": str(a)} for i, a in result.unmatched_lines],
        "not_invoiced": [p.pk for p in result.not_invoiced],
    }


# --------------------------------------------------------------------------- donations


class DonorOut(Schema):
    id: int
    kind: str
    anonymous: bool
    display_name: str


class DonorIn(Input):
    kind: str
    name: str = ""
    anonymous: bool = False
    contact: str = ""
    address: str = ""


class DonatedItemOut(Schema):
    id: int
    title: str
    isbn: str
    copies: int
    condition: str
    decision: str
    decision_note: str
    passed_to_id: int | None
    barcodes: list[str]

    @staticmethod
    def resolve_barcodes(obj: DonatedItem) -> list[str]:
        return list(obj.items.order_by("barcode").values_list("barcode", flat=True))


class DonationOut(Schema):
    id: int
    donor_id: int
    library_id: int
    received_on: dt.date
    certificate_number: str
    notes: str
    items: list[DonatedItemOut]

    @staticmethod
    def resolve_items(obj: Donation) -> Any:
        return list(obj.items.order_by("pk"))


class DonatedItemSchema(Input):
    title: str
    condition: str
    isbn: str = ""
    copies: int = 1


class DonationIn(Input):
    donor_id: int
    library_id: int
    received_on: dt.date
    items: list[DonatedItemSchema]
    notes: str = ""


class DecideIn(Input):
    decision: str
    note: str = ""
    service_point_id: int | None = None
    collection_id: int | None = None
    passed_to_id: int | None = None
    barcodes: list[str] = []


@router.post("/acquisitions/donors", response={201: DonorOut})
def create_donor(request: HttpRequest, payload: DonorIn) -> Any:
    require(request.user, "acquisitions.change")
    return Status(201, donor_create(actor=api_actor(request), **payload.dict()))


@router.get("/acquisitions/donations", response=list[DonationOut])
def list_donations(request: HttpRequest, year: int | None = None) -> Any:
    rows = _scope(request, Donation.objects.all(), "library_id")
    if year is not None:
        rows = rows.filter(received_on__year=year)
    return list(rows.order_by("-received_on", "-pk")[:500])


@router.post("/acquisitions/donations", response={201: DonationOut})
def create_donation(request: HttpRequest, payload: DonationIn) -> Any:
    require(request.user, "acquisitions.change")
    donation = donation_record(
        donor=_pk(Donor, payload.donor_id, "donor_id"),
        library=_pk(Library, payload.library_id, "library_id"),
        received_on=payload.received_on,
        items=[DonatedItemIn(**i.dict()) for i in payload.items],
        actor=api_actor(request),
        notes=payload.notes,
    )
    return Status(201, donation)


@router.post("/acquisitions/donated-items/{item_id}/decide", response=DonatedItemOut)
def decide_donated_item(request: HttpRequest, item_id: int, payload: DecideIn) -> Any:
    item = _object(request, DonatedItem, item_id, "donation__library_id", "acquisitions.change")
    return donated_item_decide(
        donated_item=item,
        decision=payload.decision,
        actor=api_actor(request),
        note=payload.note,
        service_point=_pk(ServicePoint, payload.service_point_id, "service_point_id"),
        collection=_pk(Collection, payload.collection_id, "collection_id"),
        passed_to=_pk(ServicePoint, payload.passed_to_id, "passed_to_id"),
        barcodes=payload.barcodes,
    )


# --------------------------------------------------------------------------- local documents


class LocalDocumentOut(Schema):
    id: int
    item_id: int
    barcode: str
    title: str
    provenance: str
    local_subject: str
    manuscript: bool
    author: str
    custody_location: str
    custody_conditions: str
    access_note: str

    @staticmethod
    def resolve_barcode(obj: LocalDocument) -> str:
        return obj.item.barcode

    @staticmethod
    def resolve_title(obj: LocalDocument) -> str:
        return obj.item.record.title


class LocalDocumentIn(Input):
    record_id: int | None = None
    isbn: str = ""
    title: str = ""
    barcode: str
    service_point_id: int
    collection_id: int
    provenance: str
    local_subject: str
    price: Decimal | None = None
    acquired_on: dt.date | None = None
    manuscript: bool = False
    author: str = ""
    custody_location: str = ""
    custody_conditions: str = ""
    access_note: str = ""


class LocalDocumentPatch(Input):
    provenance: str | None = None
    local_subject: str | None = None
    author: str | None = None
    custody_location: str | None = None
    custody_conditions: str | None = None
    access_note: str | None = None


@router.get("/acquisitions/local-documents", response=list[LocalDocumentOut])
def list_local_documents(request: HttpRequest, subject: str = "") -> Any:
    rows = _scope(
        request,
        LocalDocument.objects.select_related("item__record"),
        "item__home_service_point__library_id",
    )
    if subject:
        rows = rows.filter(local_subject__icontains=subject)
    return list(rows.order_by("local_subject", "pk")[:500])


@router.post("/acquisitions/local-documents", response={201: LocalDocumentOut})
def create_local_document(request: HttpRequest, payload: LocalDocumentIn) -> Any:
    require(request.user, "acquisitions.change")
    point = _pk(ServicePoint, payload.service_point_id, "service_point_id")
    require(request.user, "acquisitions.change", library=point.library_id)
    actor = api_actor(request)
    data = payload.dict()
    record = order_record_find_or_create(
        actor=actor,
        isbn=data.pop("isbn"),
        record_id=data.pop("record_id"),
        title=data.pop("title"),
    )
    data.pop("service_point_id")
    document = local_document_add(
        record=record,
        service_point=point,
        collection=_pk(Collection, data.pop("collection_id"), "collection_id"),
        actor=actor,
        **data,
    )
    return Status(201, document)


@router.patch("/acquisitions/local-documents/{document_id}", response=LocalDocumentOut)
def update_local_document(
    request: HttpRequest, document_id: int, payload: LocalDocumentPatch
) -> Any:
    document = _object(
        request,
        LocalDocument,
        document_id,
        "item__home_service_point__library_id",
        "acquisitions.change",
    )
    return local_document_update(
        document=document, actor=api_actor(request), **payload.dict(exclude_unset=True)
    )


# --------------------------------------------------------------------------- bookshop terminal


class TerminalAuth(HttpBearer):
    """`Authorization: Bearer <terminal code>:<secret>`: a terminal's own credentials, never
    a staff token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        code, _sep, secret = token.partition(":")
        try:
            terminal = terminal_authenticate(code=code, secret=secret)
        except ShufangError:
            return None
        request.bookshop_terminal = terminal  # type: ignore[attr-defined]
        return terminal


bookshop_api = NinjaAPI(
    title="Shufang bookshop terminal API",
    version="1",
    urls_namespace="api-bookshop",
    auth=TerminalAuth(),
    description="你选书我买单: a partner bookshop lends the book a reader picked.",
)
errors.install(bookshop_api)


class BookshopLoanIn(Input):
    card_number: str
    isbn: str
    price: Decimal
    title: str = ""
    authors: str = ""
    publisher: str = ""
    clc: str = ""


class BookshopLoanOut(Schema):
    purchase_id: int
    loan_id: int
    barcode: str
    title: str
    due_at: str


@bookshop_api.post("/loans", response={201: BookshopLoanOut})
def bookshop_loan(request: HttpRequest, payload: BookshopLoanIn) -> Any:
    """Send an `Idempotency-Key` header: a request sent again with the same key is refused
    with 409 `request_replayed` and the first loan, and nothing is created twice."""
    key = request.headers.get("Idempotency-Key", "")
    if not key:
        raise ValidationFailed(_("Send an Idempotency-Key header."), field="Idempotency-Key")
    purchase = bookshop_lend(
        terminal=request.bookshop_terminal,  # type: ignore[attr-defined]
        idempotency_key=key,
        card_number=payload.card_number,
        isbn=payload.isbn,
        price=payload.price,
        title=payload.title,
        authors=payload.authors,
        publisher=payload.publisher,
        clc=payload.clc,
    )
    return Status(
        201,
        {
            "purchase_id": purchase.pk,
            "loan_id": purchase.loan_id,
            "barcode": purchase.item.barcode,
            "title": purchase.item.record.title,
            "due_at": purchase.loan.due_at.isoformat(),
        },
    )
