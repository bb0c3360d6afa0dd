"""Paying and waiving fines: whole and partial payments, oldest first, refusals that change
nothing, and one audit event per change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from shufang.circulation.models import CirculationChannel, Fine, FineStatus
from shufang.circulation.services.payments import (
    FineNotOutstanding,
    NoFinesOutstanding,
    PaymentInvalid,
    PaymentOverBalance,
    fine_pay,
    fine_waive,
    reader_fines_owed,
    reader_fines_pay,
)
from shufang.circulation.tests.conftest import local
from shufang.core.audit import Actor
from shufang.core.exceptions import PermissionDenied, ValidationFailed
from shufang.core.models import AuditEvent, Channel, Role, StaffRole

pytestmark = pytest.mark.django_db

DESK = CirculationChannel.DESK
PAID_AT = local(2024, 4, 10, 11)


@pytest.fixture
def fine(reader) -> Fine:
    return Fine.objects.create(reader=reader, amount=Decimal("3.50"), created_at=local(2024, 4, 2))


@pytest.fixture
def older_and_newer(reader) -> tuple[Fine, Fine]:
    newer = Fine.objects.create(reader=reader, amount=Decimal("2.00"), created_at=local(2024, 4, 5))
    older = Fine.objects.create(reader=reader, amount=Decimal("1.20"), created_at=local(2024, 3, 1))
    return older, newer


def snapshot(reader) -> list[tuple]:
    return list(
        Fine.objects.filter(reader=reader)
        .order_by("pk")
        .values_list("pk", "amount", "status", "settled_at", "note")
    )


def test_paying_a_whole_fine_settles_it_with_one_audit_event(fine, clerk_actor):
    paid = fine_pay(fine=fine, amount=Decimal("3.50"), actor=clerk_actor, channel=DESK, at=PAID_AT)

    fine.refresh_from_db()
    assert (fine.status, fine.amount, fine.settled_at) == (
        FineStatus.PAID,
        Decimal("3.50"),
        PAID_AT,
    )
    assert paid.pk == fine.pk and paid.status == FineStatus.PAID
    events = list(AuditEvent.objects.filter(action__startswith="fine."))
    assert [(e.action, e.object_id) for e in events] == [("fine.pay", str(fine.pk))]
    assert events[0].changes["amount"] == "3.50"
    assert events[0].changes["payment_type"] == "cash"
    assert events[0].channel == Channel.DESK
    assert Fine.objects.count() == 1


def test_a_partial_payment_splits_the_fine_into_paid_and_outstanding(fine, reader, clerk_actor):
    fine_pay(
        fine=fine,
        amount=Decimal("1.00"),
        actor=clerk_actor,
        channel=DESK,
        at=PAID_AT,
        payment_type="wechat",
    )

    fine.refresh_from_db()
    rest = Fine.objects.exclude(pk=fine.pk).get()
    assert (fine.status, fine.amount) == (FineStatus.PAID, Decimal("1.00"))
    assert (rest.status, rest.amount, rest.created_at, rest.reader_id) == (
        FineStatus.OUTSTANDING,
        Decimal("2.50"),
        local(2024, 4, 2),
        reader.pk,
    )
    assert rest.note == f"remainder of fine {fine.pk}"
    assert reader_fines_owed(reader=reader) == Decimal("2.50")
    assert sorted(AuditEvent.objects.values_list("action", flat=True)) == [
        "fine.pay",
        "fine.split",
    ]


@pytest.mark.parametrize("amount", ["0", "-1", "3.501", "abc", "NaN"])
def test_an_amount_that_is_not_money_above_zero_is_refused(fine, reader, clerk_actor, amount):
    before = snapshot(reader)

    with pytest.raises(PaymentInvalid):
        fine_pay(fine=fine, amount=amount, actor=clerk_actor, channel=DESK)  # type: ignore[arg-type]

    assert snapshot(reader) == before
    assert AuditEvent.objects.filter(action__startswith="fine.").count() == 0


def test_paying_more_than_the_fine_is_refused(fine, reader, clerk_actor):
    before = snapshot(reader)

    with pytest.raises(PaymentOverBalance):
        fine_pay(fine=fine, amount=Decimal("3.51"), actor=clerk_actor, channel=DESK)

    assert snapshot(reader) == before
    assert AuditEvent.objects.filter(action__startswith="fine.").count() == 0


def test_a_paid_fine_cannot_be_paid_again(fine, reader, clerk_actor):
    fine_pay(fine=fine, amount=Decimal("3.50"), actor=clerk_actor, channel=DESK)
    before = snapshot(reader)

    with pytest.raises(FineNotOutstanding):
        fine_pay(fine=fine, amount=Decimal("3.50"), actor=clerk_actor, channel=DESK)

    assert snapshot(reader) == before
    assert AuditEvent.objects.filter(action="fine.pay").count() == 1


def test_staff_of_another_library_may_not_take_a_payment(fine, reader, yl):
    outsider = get_user_model().objects.create_user(username="yl-clerk", password="x")
    StaffRole.objects.create(user=outsider, role=Role.CIRCULATION, library=yl)
    before = snapshot(reader)

    with pytest.raises(PermissionDenied):
        fine_pay(
            fine=fine,
            amount=Decimal("3.50"),
            actor=Actor(user=outsider, channel=Channel.DESK),
            channel=DESK,
        )

    assert snapshot(reader) == before


def test_a_manager_waives_a_fine_with_a_reason(fine, manager_actor):
    waived = fine_waive(fine=fine, actor=manager_actor, reason="闭馆期间逾期", at=PAID_AT)

    fine.refresh_from_db()
    assert (fine.status, fine.settled_at, fine.amount) == (
        FineStatus.WAIVED,
        PAID_AT,
        Decimal("3.50"),
    )
    assert fine.note == "waived: 闭馆期间逾期"
    assert waived.status == FineStatus.WAIVED
    event = AuditEvent.objects.get(action="fine.waive")
    assert event.changes["reason"] == "闭馆期间逾期"


def test_a_clerk_without_override_may_not_waive(fine, reader, clerk_actor):
    before = snapshot(reader)

    with pytest.raises(PermissionDenied):
        fine_waive(fine=fine, actor=clerk_actor, reason="goodwill")

    assert snapshot(reader) == before
    assert AuditEvent.objects.filter(action__startswith="fine.").count() == 0


def test_waiving_needs_a_reason(fine, reader, manager_actor):
    before = snapshot(reader)

    with pytest.raises(ValidationFailed):
        fine_waive(fine=fine, actor=manager_actor, reason="  ")

    assert snapshot(reader) == before


def test_a_waived_fine_cannot_be_paid(fine, reader, manager_actor, clerk_actor):
    fine_waive(fine=fine, actor=manager_actor, reason="goodwill")
    before = snapshot(reader)

    with pytest.raises(FineNotOutstanding):
        fine_pay(fine=fine, amount=Decimal("1"), actor=clerk_actor, channel=DESK)

    assert snapshot(reader) == before


def test_a_reader_payment_settles_the_oldest_fines_first(older_and_newer, reader, clerk_actor):
    older, newer = older_and_newer

    paid = reader_fines_pay(
        reader=reader, amount=Decimal("2.00"), actor=clerk_actor, channel=DESK, at=PAID_AT
    )

    assert [(f.pk, f.amount, f.status) for f in paid] == [
        (older.pk, Decimal("1.20"), FineStatus.PAID),
        (newer.pk, Decimal("0.80"), FineStatus.PAID),
    ]
    outstanding = Fine.objects.get(reader=reader, status=FineStatus.OUTSTANDING)
    assert outstanding.amount == Decimal("1.20")
    assert outstanding.created_at == local(2024, 4, 5)
    assert reader_fines_owed(reader=reader) == Decimal("1.20")


def test_a_reader_payment_of_everything_owed_leaves_nothing_outstanding(
    older_and_newer, reader, clerk_actor
):
    paid = reader_fines_pay(reader=reader, amount=Decimal("3.20"), actor=clerk_actor, channel=DESK)

    assert len(paid) == 2
    assert reader_fines_owed(reader=reader) == Decimal("0.00")
    assert Fine.objects.filter(reader=reader).count() == 2


def test_a_reader_payment_above_what_is_owed_is_refused(older_and_newer, reader, clerk_actor):
    before = snapshot(reader)

    with pytest.raises(PaymentOverBalance):
        reader_fines_pay(reader=reader, amount=Decimal("3.21"), actor=clerk_actor, channel=DESK)

    assert snapshot(reader) == before
    assert AuditEvent.objects.filter(action__startswith="fine.").count() == 0


def test_a_reader_who_owes_nothing_cannot_pay(reader, clerk_actor):
    with pytest.raises(NoFinesOutstanding):
        reader_fines_pay(reader=reader, amount=Decimal("1"), actor=clerk_actor, channel=DESK)

    assert Fine.objects.count() == 0


def test_a_payment_made_by_a_device_needs_no_staff_role(fine, reader):
    kiosk = Actor(user=None, channel=Channel.KIOSK, label="sip2:kiosk-01")

    reader_fines_pay(
        reader=reader,
        amount=Decimal("3.50"),
        actor=kiosk,
        channel=CirculationChannel.SELF_SERVICE,
        at=dt.datetime(2024, 4, 10, 3, tzinfo=dt.UTC),
    )

    fine.refresh_from_db()
    assert fine.status == FineStatus.PAID
    event = AuditEvent.objects.get(action="fine.pay")
    assert (event.actor_label, event.changes["channel"]) == ("sip2:kiosk-01", "self_service")
