"""In-bookshop lending (你选书我买单): card number + ISBN from the shop's terminal; record, item
and loan in one transaction; refusals and replays create nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shufang.acquisitions.errors import (
    BudgetExceeded,
    InvalidIsbn,
    RequestReplayed,
    RulesRefuse,
    TerminalRefused,
    UnknownCard,
)
from shufang.acquisitions.models import BookshopPurchase
from shufang.acquisitions.selectors import budget_line_status
from shufang.acquisitions.services.bookshop import (
    bookshop_invoice_reconcile,
    bookshop_lend,
    terminal_authenticate,
    terminal_create,
)
from shufang.acquisitions.services.orders import invoice_create
from shufang.catalogue.models import AcquisitionSource, Item, Record
from shufang.circulation.models import Loan

pytestmark = pytest.mark.django_db

ISBN = "9787532725694"


@pytest.fixture
def shop(acq):
    terminal, secret = terminal_create(
        code="XH-GC",
        name="新华书店古城店",
        vendor=acq.vendor,
        service_point=acq.net.point_a,
        collection=acq.net.collection,
        budget_line=acq.suggestions_line,
        actor=acq.actor,
    )
    return terminal, secret


def _counts() -> tuple[int, int, int, int]:
    return (
        Record.objects.count(),
        Item.objects.count(),
        Loan.objects.count(),
        BookshopPurchase.objects.count(),
    )


def test_the_reader_walks_out_of_the_shop_with_a_loan(acq, shop) -> None:
    terminal, secret = shop
    authenticated = terminal_authenticate(code="XH-GC", secret=secret)

    purchase = bookshop_lend(
        terminal=authenticated,
        idempotency_key="r-1",
        card_number="LJ0000001",
        isbn="7-5327-2569-3",
        price="39.80",
        title="挪威的森林",
    )

    item = purchase.item
    assert (item.record.isbn, item.record.title) == (ISBN, "挪威的森林")
    assert (item.acquisition_source, item.price, item.barcode) == (
        AcquisitionSource.READER_SUGGESTION,
        Decimal("39.80"),
        "BS00000001",
    )
    loan = Loan.objects.get(item=item)
    assert (loan.reader, loan.device) == (acq.net.reader_a, "XH-GC")
    assert budget_line_status(line=acq.suggestions_line).committed == Decimal("39.80")


def test_a_replayed_request_is_refused_and_creates_nothing_twice(acq, shop) -> None:
    terminal, _secret = shop
    first = bookshop_lend(
        terminal=terminal,
        idempotency_key="r-1",
        card_number="LJ0000001",
        isbn=ISBN,
        price="39.80",
        title="挪威的森林",
    )
    before = _counts()

    with pytest.raises(RequestReplayed) as refused:
        bookshop_lend(
            terminal=terminal,
            idempotency_key="r-1",
            card_number="LJ0000001",
            isbn=ISBN,
            price="39.80",
            title="挪威的森林",
        )

    assert refused.value.details["loan"] == first.loan_id
    assert refused.value.details["same_request"] is True
    assert _counts() == before


@pytest.mark.parametrize(
    ("card", "isbn", "price", "error"),
    [
        ("LJ9999999", ISBN, "39.80", UnknownCard),
        ("LJ0000001", "9787532725695", "39.80", InvalidIsbn),
        ("LJ0000001", ISBN, "199.00", RulesRefuse),
    ],
)
def test_bad_requests_are_refused_with_a_reason_and_change_nothing(
    acq, shop, card, isbn, price, error
) -> None:
    terminal, _secret = shop
    before = _counts()

    with pytest.raises(error):
        bookshop_lend(
            terminal=terminal,
            idempotency_key="r-x",
            card_number=card,
            isbn=isbn,
            price=price,
            title="挪威的森林",
        )

    assert _counts() == before


def test_a_purchase_over_the_budget_line_is_refused(acq, shop) -> None:
    terminal, _secret = shop
    acq.suggestions_line.amount = Decimal("30.00")
    acq.suggestions_line.save()
    before = _counts()

    with pytest.raises(BudgetExceeded):
        bookshop_lend(
            terminal=terminal,
            idempotency_key="r-1",
            card_number="LJ0000001",
            isbn=ISBN,
            price="39.80",
            title="挪威的森林",
        )

    assert _counts() == before


def test_wrong_terminal_credentials_are_refused(acq, shop) -> None:
    with pytest.raises(TerminalRefused):
        terminal_authenticate(code="XH-GC", secret="guess")
    with pytest.raises(TerminalRefused):
        terminal_authenticate(code="NOPE", secret=shop[1])


def test_the_shop_invoice_is_reconciled_against_its_loans(acq, shop) -> None:
    terminal, _secret = shop
    bought = bookshop_lend(
        terminal=terminal,
        idempotency_key="r-1",
        card_number="LJ0000001",
        isbn=ISBN,
        price="39.80",
        title="挪威的森林",
    )
    other = bookshop_lend(
        terminal=terminal,
        idempotency_key="r-2",
        card_number="NL0000001",
        isbn="9787020024759",
        price="25.00",
        title="围城",
    )
    invoice = invoice_create(
        vendor=acq.vendor, library=acq.net.library_a, number="XH-2020-07", actor=acq.actor
    )

    result = bookshop_invoice_reconcile(
        invoice=invoice,
        lines=[(ISBN, "41.00"), ("9787506365437", "30.00")],
        actor=acq.actor,
    )

    assert [p.pk for p, _line in result.matched] == [bought.pk]
    assert [(p.pk, d) for p, d in result.price_differences] == [(bought.pk, Decimal("1.20"))]
    assert result.unmatched_lines == [("9787506365437", Decimal("30.00"))]
    assert [p.pk for p in result.not_invoiced] == [other.pk]
    status = budget_line_status(line=acq.suggestions_line)
    assert (status.committed, status.spent) == (Decimal("25.00"), Decimal("41.00"))
