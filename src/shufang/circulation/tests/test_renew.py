"""Renewals and renew-all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from shufang.circulation import errors
from shufang.circulation.models import CirculationEvent, Hold, Loan
from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.services.renew import loan_renew, loans_renew_all
from shufang.circulation.tests.conftest import local
from shufang.core.audit import Actor
from shufang.core.exceptions import PermissionDenied
from shufang.core.models import AuditEvent, Channel, Role, StaffRole
from shufang.readers.models import Card

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(item, reader, main, clerk_actor, now) -> Loan:
    return loan_checkout(item=item, reader=reader, service_point=main, actor=clerk_actor, at=now)


def _state(loan: Loan) -> tuple:
    loan.refresh_from_db()
    return (
        loan.due_at,
        loan.renewals,
        AuditEvent.objects.filter(action="loan.renew").count(),
        CirculationEvent.objects.filter(kind="renewal").count(),
    )


def test_renewal_runs_from_the_day_of_renewal(loan, clerk_actor):
    # given a loan due 4 April, renewed on 25 March
    renewed = loan_renew(loan=loan, actor=clerk_actor, channel="desk", at=local(2024, 3, 25))
    # then due 30 days after 25 March: Wednesday 24 April
    assert renewed.due_at == local(2024, 4, 24, 23, 59, 59)
    assert renewed.renewals == 1
    audit = AuditEvent.objects.get(action="loan.renew")
    assert audit.changes["renewals"] == [0, 1]
    event = CirculationEvent.objects.get(kind="renewal")
    assert (event.day, event.service_point_id) == (dt.date(2024, 3, 25), loan.service_point_id)


def test_renewal_due_date_moves_off_a_closed_monday(loan, clerk_actor, default_rule):
    default_rule.renewal_days = 27
    default_rule.save()
    renewed = loan_renew(loan=loan, actor=clerk_actor, channel="desk", at=local(2024, 3, 12))
    # Tuesday 12 March + 27 = Monday 8 April, the main building is closed on Mondays
    assert renewed.due_at == local(2024, 4, 9, 23, 59, 59)


def test_renewal_never_brings_the_due_date_forward(loan, clerk_actor, default_rule):
    default_rule.renewal_days = 3
    default_rule.save()
    renewed = loan_renew(loan=loan, actor=clerk_actor, channel="opac", at=local(2024, 3, 6))
    assert renewed.due_at == local(2024, 4, 4, 23, 59, 59)
    assert renewed.renewals == 1


def test_loan_that_used_its_renewals_cannot_be_renewed_again(loan, clerk_actor):
    loan_renew(loan=loan, actor=clerk_actor, channel="desk", at=local(2024, 3, 25))
    before = _state(loan)
    with pytest.raises(errors.RenewalNotAllowed):
        loan_renew(loan=loan, actor=clerk_actor, channel="desk", at=local(2024, 4, 20))
    assert _state(loan) == before


def test_manager_may_override_the_renewal_limit(loan, clerk_actor, manager_actor):
    loan_renew(loan=loan, actor=clerk_actor, channel="desk", at=local(2024, 3, 25))
    renewed = loan_renew(
        loan=loan,
        actor=manager_actor,
        channel="desk",
        at=local(2024, 4, 20),
        override=["renewal_not_allowed"],
    )
    assert renewed.renewals == 2
    assert renewed.overrides == ["renewal_not_allowed"]


def test_renewal_refused_when_another_reader_waits_for_the_title(
    loan, record, other_reader, main, clerk_actor
):
    Hold.objects.create(
        reader=other_reader, record=record, pickup_service_point=main, channel="opac"
    )
    before = _state(loan)
    with pytest.raises(errors.RenewalRefusedHeld):
        loan_renew(loan=loan, actor=clerk_actor, channel="desk", at=local(2024, 3, 25))
    assert _state(loan) == before


def test_renewal_allowed_despite_a_hold_when_the_rule_says_so(
    loan, record, other_reader, main, clerk_actor, default_rule
):
    default_rule.refuse_renewal_when_held = False
    default_rule.save()
    Hold.objects.create(
        reader=other_reader, record=record, pickup_service_point=main, channel="opac"
    )
    renewed = loan_renew(loan=loan, actor=clerk_actor, channel="desk", at=local(2024, 3, 25))
    assert renewed.renewals == 1


def test_reader_with_an_expired_card_cannot_renew(loan, reader, clerk_actor):
    Card.objects.filter(reader=reader).update(expires_on=dt.date(2024, 3, 10))
    before = _state(loan)
    with pytest.raises(errors.CardExpired):
        loan_renew(loan=loan, actor=clerk_actor, channel="desk", at=local(2024, 3, 25))
    assert _state(loan) == before


def test_returned_loan_cannot_be_renewed(loan, clerk_actor):
    Loan.objects.filter(pk=loan.pk).update(status="returned")
    with pytest.raises(errors.ShufangError) as caught:
        loan_renew(loan=loan, actor=clerk_actor, channel="desk", at=local(2024, 3, 25))
    assert caught.value.code == "invalid_transition"


def test_renew_all_renews_what_it_can_and_lists_the_refusals(
    loan, make_item, reader, main, clerk_actor, now, other_reader, child_record
):
    held = make_item(record=child_record)
    held_loan = loan_checkout(
        item=held, reader=reader, service_point=main, actor=clerk_actor, at=now
    )
    Hold.objects.create(
        reader=other_reader, record=child_record, pickup_service_point=main, channel="opac"
    )
    result = loans_renew_all(
        reader=reader, actor=clerk_actor, channel="opac", at=local(2024, 3, 25)
    )
    assert [x.pk for x in result.renewed] == [loan.pk]
    assert [(x.pk, b.code) for x, b in result.refused] == [(held_loan.pk, "renewal_refused_held")]
    held_loan.refresh_from_db()
    assert held_loan.renewals == 0


def test_staff_without_the_lending_permission_cannot_renew(loan, lj):
    cataloguer = get_user_model().objects.create_user(username="cataloguer", password="x")
    StaffRole.objects.create(user=cataloguer, role=Role.CATALOGUER, library=lj)
    before = _state(loan)

    with pytest.raises(PermissionDenied):
        loan_renew(loan=loan, actor=Actor(user=cataloguer, channel=Channel.DESK), channel="desk")

    assert _state(loan) == before


def test_a_clerk_of_another_library_may_renew(loan, yl):
    county_clerk = get_user_model().objects.create_user(username="county", password="x")
    StaffRole.objects.create(user=county_clerk, role=Role.CIRCULATION, library=yl)

    renewed = loan_renew(
        loan=loan,
        actor=Actor(user=county_clerk, channel=Channel.DESK),
        channel="desk",
        at=local(2024, 3, 25),
    )

    assert renewed.renewals == 1
