"""Deposit collections: the 2,400 books lent to a military training camp (September to
December 2020), at a small scale."""

from __future__ import annotations

import datetime as dt

import pytest

from shufang.catalogue.models import ItemStatus
from shufang.circulation.models import (
    CirculationChannel,
    CirculationEvent,
    Deposit,
    DepositStatus,
    EventKind,
    Loan,
    LoanStatus,
)
from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.services.deposits import (
    barcodes_from_file,
    deposit_create,
    deposit_lend,
    deposit_lend_file,
    deposit_return,
)
from shufang.circulation.tests.conftest import local, local_date
from shufang.core.exceptions import PermissionDenied, ValidationFailed
from shufang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

D = dt.date
AT = local(2020, 9, 1, 9, 0)  # a Tuesday


@pytest.fixture
def deposit(group_reader, main, camp, clerk_actor) -> Deposit:
    return deposit_create(
        name="2020年新兵训练营",
        borrower=group_reader,
        destination=camp,
        lent_from=main,
        lent_on=D(2020, 9, 1),
        due_on=D(2020, 12, 31),
        actor=clerk_actor,
    )


@pytest.fixture
def books(make_item, rules) -> list:
    return [make_item(barcode=f"JX{n:04d}") for n in range(24)]


def test_a_batch_is_lent_to_the_group_account_until_the_deposit_is_due(
    deposit, books, group_reader, clerk_actor
):
    # when
    result = deposit_lend(
        deposit=deposit, barcodes=[b.barcode for b in books], actor=clerk_actor, at=AT
    )
    # then
    assert len(result.lent) == 24 and result.refused == []
    loans = Loan.objects.filter(deposit=deposit)
    assert loans.count() == 24
    assert set(loans.values_list("reader_id", "channel", "status")) == {
        (group_reader.pk, CirculationChannel.DEPOSIT, LoanStatus.ACTIVE)
    }
    assert {local_date(d) for d in loans.values_list("due_at", flat=True)} == {D(2020, 12, 31)}
    assert set(
        books[0].__class__.objects.filter(barcode__startswith="JX").values_list("status", flat=True)
    ) == {ItemStatus.ON_LOAN}


def test_one_bad_barcode_is_reported_and_the_rest_are_lent(
    deposit, books, make_item, local_item, reader, main, clerk_actor
):
    # given one book already on loan to a reader
    taken = make_item(barcode="JX9999")
    loan_checkout(item=taken, reader=reader, service_point=main, actor=clerk_actor, at=AT)
    scanned = [b.barcode for b in books[:5]] + [
        "NOPE1",
        books[0].barcode,
        taken.barcode,
        local_item.barcode,
    ]
    # when
    result = deposit_lend(deposit=deposit, barcodes=scanned, actor=clerk_actor, at=AT)
    # then
    assert [loan.item.barcode for loan in result.lent] == [b.barcode for b in books[:5]]
    assert [(r.barcode, r.code) for r in result.refused] == [
        ("NOPE1", "unknown_barcode"),
        (books[0].barcode, "duplicate"),
        (taken.barcode, "item_on_loan"),
        (local_item.barcode, "item_not_loanable"),
    ]
    assert Loan.objects.filter(deposit=deposit).count() == 5
    taken.refresh_from_db()
    local_item.refresh_from_db()
    assert (taken.status, local_item.status) == (ItemStatus.ON_LOAN, ItemStatus.AVAILABLE)
    assert Loan.objects.get(item=taken).reader_id == reader.pk


def test_deposit_loans_are_counted_apart_from_reader_loans(
    deposit, books, make_item, reader, main, clerk_actor
):
    # given
    deposit_lend(deposit=deposit, barcodes=[b.barcode for b in books], actor=clerk_actor, at=AT)
    loan_checkout(item=make_item(), reader=reader, service_point=main, actor=clerk_actor, at=AT)
    # then
    checkouts = CirculationEvent.objects.filter(kind=EventKind.CHECKOUT)
    assert checkouts.filter(deposit=True).count() == 24
    assert checkouts.filter(deposit=False).count() == 1
    assert set(checkouts.filter(deposit=True).values_list("channel", flat=True)) == {
        CirculationChannel.DEPOSIT
    }


def test_barcodes_can_come_from_a_plain_list_or_a_csv(tmp_path, deposit, books, clerk_actor):
    # given
    plain = tmp_path / "camp.txt"
    plain.write_text("\n".join(b.barcode for b in books[:3]) + "\n\n", encoding="utf-8")
    table = tmp_path / "camp.csv"
    table.write_text(
        "条码,题名\n" + "".join(f"{b.barcode},书\n" for b in books[3:6]), encoding="utf-8"
    )
    # then
    assert barcodes_from_file(plain) == [b.barcode for b in books[:3]]
    assert barcodes_from_file(table) == [b.barcode for b in books[3:6]]
    # when
    result = deposit_lend_file(deposit=deposit, path=table, actor=clerk_actor, at=AT)
    assert [loan.item.barcode for loan in result.lent] == [b.barcode for b in books[3:6]]


def test_batch_return_lists_missing_foreign_and_unknown_barcodes(
    deposit, books, make_item, clerk_actor
):
    # given the whole batch lent, and a library book that was never in the deposit
    deposit_lend(deposit=deposit, barcodes=[b.barcode for b in books], actor=clerk_actor, at=AT)
    stranger = make_item(barcode="ZZ0001")
    back = [b.barcode for b in books[:22]] + [stranger.barcode, "NOPE2", books[0].barcode]
    # when
    result = deposit_return(
        deposit=deposit, barcodes=back, actor=clerk_actor, at=local(2020, 12, 30)
    )
    # then
    assert len(result.returned) == 22
    assert [i.barcode for i in result.missing] == [books[22].barcode, books[23].barcode]
    assert (result.not_in_deposit, result.unknown, result.refused) == (
        [stranger.barcode],
        ["NOPE2"],
        [],
    )
    assert not result.complete
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.OPEN
    stranger.refresh_from_db()
    assert stranger.status == ItemStatus.AVAILABLE
    assert CirculationEvent.objects.filter(kind=EventKind.CHECKIN, deposit=True).count() == 22


def test_deposit_is_returned_when_its_last_items_come_back(deposit, books, clerk_actor):
    # given
    deposit_lend(deposit=deposit, barcodes=[b.barcode for b in books], actor=clerk_actor, at=AT)
    deposit_return(
        deposit=deposit,
        barcodes=[b.barcode for b in books[:20]],
        actor=clerk_actor,
        at=local(2020, 12, 30),
    )
    # when
    result = deposit_return(
        deposit=deposit,
        barcodes=[b.barcode for b in books[20:]],
        actor=clerk_actor,
        at=local(2021, 1, 5),
    )
    # then
    assert result.complete and len(result.returned) == 4
    deposit.refresh_from_db()
    assert (deposit.status, deposit.returned_on) == (DepositStatus.RETURNED, D(2021, 1, 5))
    assert Loan.objects.filter(deposit=deposit, status=LoanStatus.RETURNED).count() == 24


def test_a_returned_deposit_lends_no_more(deposit, books, clerk_actor):
    deposit_lend(deposit=deposit, barcodes=[books[0].barcode], actor=clerk_actor, at=AT)
    deposit_return(deposit=deposit, barcodes=[books[0].barcode], actor=clerk_actor, at=AT)
    with pytest.raises(ValidationFailed):
        deposit_lend(deposit=deposit, barcodes=[books[1].barcode], actor=clerk_actor, at=AT)
    assert Loan.objects.filter(deposit=deposit).count() == 1


def test_a_deposit_is_lent_to_a_group_account_only(reader, main, clerk_actor):
    with pytest.raises(ValidationFailed):
        deposit_create(
            name="个人",
            borrower=reader,
            lent_from=main,
            lent_on=D(2020, 9, 1),
            due_on=D(2020, 12, 31),
            actor=clerk_actor,
        )
    assert Deposit.objects.count() == 0


def test_a_deposit_due_before_it_is_lent_is_refused(group_reader, main, clerk_actor):
    with pytest.raises(ValidationFailed):
        deposit_create(
            name="营地",
            borrower=group_reader,
            lent_from=main,
            lent_on=D(2020, 9, 1),
            due_on=D(2020, 8, 31),
            actor=clerk_actor,
        )
    assert Deposit.objects.count() == 0


def test_staff_without_lending_rights_cannot_lend_a_deposit(deposit, books, lj):
    from django.contrib.auth import get_user_model

    from shufang.core.audit import Actor
    from shufang.core.models import Role, StaffRole

    user = get_user_model().objects.create_user(username="cataloguer", password="x")
    StaffRole.objects.create(user=user, role=Role.CATALOGUER, library=lj)
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        deposit_lend(deposit=deposit, barcodes=[books[0].barcode], actor=Actor(user=user), at=AT)
    assert Loan.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_lending_writes_one_batch_audit_event_besides_the_loans(deposit, books, clerk_actor):
    deposit_lend(
        deposit=deposit,
        barcodes=[b.barcode for b in books[:3]] + ["NOPE"],
        actor=clerk_actor,
        at=AT,
    )
    batch = AuditEvent.objects.get(action="deposit.lent")
    assert batch.changes == {"lent": 3, "refused": [["NOPE", "unknown_barcode"]]}
    assert AuditEvent.objects.filter(action="loan.checkout").count() == 3
