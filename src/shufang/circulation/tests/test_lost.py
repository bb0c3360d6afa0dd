"""Lost, claimed returned, missing and found."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shufang.catalogue.models import Item, ItemStatus
from shufang.circulation import errors
from shufang.circulation.models import Fine, Loan
from shufang.circulation.selectors import reader_loan_counts
from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.services.lost import (
    item_declare_missing,
    item_found,
    loan_claim_returned,
    loan_declare_lost,
)
from shufang.circulation.tests.conftest import local
from shufang.core.exceptions import InvalidTransition
from shufang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(item, reader, main, clerk_actor, now) -> Loan:
    return loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)


def test_declaring_a_loan_lost_closes_it_marks_the_item_and_charges(
    loan, item, reader, clerk_actor
):
    lost = loan_declare_lost(loan=loan, actor=clerk_actor, charge=Decimal("38.00"))
    item.refresh_from_db()
    assert (lost.status, item.status) == ("lost", "lost")
    fine = Fine.objects.get()
    assert (fine.reader_id, fine.kind, fine.amount) == (reader.pk, "lost", Decimal("38.00"))
    assert AuditEvent.objects.get(action="loan.declare_lost").changes["item_status"] == [
        "on_loan",
        "lost",
    ]


def test_found_lost_item_is_available_and_its_charge_is_waived(loan, item, main, clerk_actor):
    loan_declare_lost(loan=loan, actor=clerk_actor, charge=Decimal("38.00"))
    item_found(item=item, service_point=main, actor=clerk_actor, at=local(2024, 5, 1))
    item.refresh_from_db()
    loan.refresh_from_db()
    assert item.status == "available"
    assert (loan.status, loan.returned_at) == ("returned", local(2024, 5, 1))
    assert Fine.objects.get().status == "waived"


def test_claimed_returned_loan_blocks_the_item_but_is_not_counted_overdue(
    loan, item, reader, other_reader, main, clerk_actor
):
    loan_claim_returned(loan=loan, actor=clerk_actor)
    counts = reader_loan_counts(reader=reader, collection_id=None, at=local(2024, 6, 1))
    assert (counts["total"], counts["overdue"]) == (1, 0)
    with pytest.raises(errors.ItemAlreadyOnLoan):
        loan_checkout(
            item=item,
            reader=other_reader,
            service_point=main,
            actor=clerk_actor,
            at=local(2024, 6, 1),
        )


def test_finding_an_item_claimed_returned_closes_the_loan(loan, item, yl_main, clerk_actor):
    loan_claim_returned(loan=loan, actor=clerk_actor)
    item_found(item=item, service_point=yl_main, actor=clerk_actor, at=local(2024, 4, 1))
    item.refresh_from_db()
    loan.refresh_from_db()
    assert (item.status, item.current_service_point_id) == ("available", yl_main.pk)
    assert (loan.status, loan.returned_at_service_point_id) == ("returned", yl_main.pk)


def test_missing_item_found_on_the_shelf_is_available_again(item, main, clerk_actor):
    item_declare_missing(item=item, actor=clerk_actor)
    assert Item.objects.get(pk=item.pk).status == ItemStatus.MISSING
    item_found(item=item, service_point=main, actor=clerk_actor)
    assert Item.objects.get(pk=item.pk).status == ItemStatus.AVAILABLE
    assert AuditEvent.objects.filter(action__in=["item.declare_missing", "item.found"]).count() == 2


def test_an_item_on_an_ordinary_loan_cannot_be_found(loan, item, main, clerk_actor):
    with pytest.raises(InvalidTransition):
        item_found(item=item, service_point=main, actor=clerk_actor)
    item.refresh_from_db()
    loan.refresh_from_db()
    assert (item.status, loan.status) == ("on_loan", "active")
