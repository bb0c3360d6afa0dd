"""Orders: partial and whole receipt, invoices, budget lines, cancellation and claims."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shufang.acquisitions.errors import BudgetExceeded, NothingOutstanding
from shufang.acquisitions.models import OrderLineStatus
from shufang.acquisitions.selectors import budget_line_status, order_lines_to_claim
from shufang.acquisitions.services.orders import (
    invoice_create,
    invoice_line_add,
    order_line_add,
    order_line_cancel,
    order_line_claim,
    order_line_receive,
)
from shufang.catalogue.models import Item, ItemStatus

pytestmark = pytest.mark.django_db


def test_order_receive_in_two_deliveries_and_invoice(acq) -> None:
    line = order_line_add(
        order=acq.order,
        record=acq.net.record,
        copies=3,
        unit_price=Decimal("20.00"),
        actor=acq.actor,
    )
    assert budget_line_status(line=acq.purchase_line).committed == Decimal("60.00")

    order_line_receive(line=line, copies=2, actor=acq.actor)
    line.refresh_from_db()
    assert (line.status, line.copies_received) == (OrderLineStatus.PARTLY_RECEIVED, 2)
    order_line_receive(line=line, copies=1, actor=acq.actor, received_on=dt.date(2020, 4, 2))
    line.refresh_from_db()
    assert line.status == OrderLineStatus.RECEIVED
    items = Item.objects.filter(barcode__startswith="AQ").order_by("barcode")
    assert [(i.barcode, i.status) for i in items] == [
        ("AQ00000001", ItemStatus.IN_PROCESSING),
        ("AQ00000002", ItemStatus.IN_PROCESSING),
        ("AQ00000003", ItemStatus.IN_PROCESSING),
    ]

    invoice = invoice_create(
        vendor=acq.vendor, library=acq.net.library_a, number="INV-1", actor=acq.actor
    )
    invoice_line_add(invoice=invoice, order_line=line, copies=3, amount="58.50", actor=acq.actor)

    status = budget_line_status(line=acq.purchase_line)
    assert (status.committed, status.spent, status.remaining) == (
        Decimal("0.00"),
        Decimal("58.50"),
        Decimal("29941.50"),
    )


def test_receiving_more_than_outstanding_is_refused(acq) -> None:
    line = order_line_add(
        order=acq.order, record=acq.net.record, copies=1, unit_price="20", actor=acq.actor
    )

    with pytest.raises(NothingOutstanding):
        order_line_receive(line=line, copies=2, actor=acq.actor)

    assert Item.objects.filter(barcode__startswith="AQ").count() == 0


def test_an_order_over_the_budget_line_is_refused_and_near_it_warns(acq) -> None:
    with pytest.raises(BudgetExceeded):
        order_line_add(
            order=acq.order, record=acq.net.record, copies=2, unit_price="15000.01", actor=acq.actor
        )
    assert acq.order.lines.count() == 0

    order_line_add(
        order=acq.order, record=acq.net.record, copies=1, unit_price="27500", actor=acq.actor
    )

    status = budget_line_status(line=acq.purchase_line)
    assert (status.percent_used, status.warning) == (91, True)


def test_cancelling_releases_the_commitment_and_late_lines_are_claimed(acq) -> None:
    late = order_line_add(
        order=acq.order,
        record=acq.net.record,
        copies=2,
        unit_price="10",
        actor=acq.actor,
        expected_by=dt.date(2020, 5, 1),
    )
    order_line_receive(line=late, copies=1, actor=acq.actor)
    assert list(order_lines_to_claim(at=dt.date(2020, 5, 2))) == [late]

    claim = order_line_claim(line=late, actor=acq.actor, on=dt.date(2020, 5, 2))
    assert claim.copies == 1
    cancelled = order_line_cancel(line=late, reason="出版社已停印", actor=acq.actor)

    assert (cancelled.status, cancelled.copies_cancelled) == (OrderLineStatus.RECEIVED, 1)
    assert budget_line_status(line=acq.purchase_line).committed == Decimal("10.00")
    assert list(order_lines_to_claim(at=dt.date(2020, 5, 2))) == []
