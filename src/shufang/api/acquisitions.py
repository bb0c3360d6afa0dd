"""Acquisitions over the API: suggestions (submit for a reader, list, decline), budget lines;
and, as a separate API with its own credentials, the bookshop terminal (你选书我买单)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema, Status
from ninja.security import HttpBearer

from shufang.acquisitions.errors import UnknownCard
from shufang.acquisitions.models import Suggestion
from shufang.acquisitions.selectors import budget_status, suggestions_list
from shufang.acquisitions.services.bookshop import bookshop_lend, terminal_authenticate
from shufang.acquisitions.services.suggestions import suggestion_decline, suggestion_submit
from shufang.api import errors
from shufang.api.auth import api_actor
from shufang.api.schemas import Input
from shufang.core.exceptions import ShufangError, ValidationFailed
from shufang.core.permissions import require, visible_library_ids
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
