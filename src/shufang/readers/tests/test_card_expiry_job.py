"""The scheduled job `readers.expire_cards`: valid cards past their expiry date become
expired, one audit event per card, and a second run changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shufang.core.jobs import jobs_run_due
from shufang.core.models import AuditEvent
from shufang.readers.models import Card, CardStatus
from shufang.readers.services import card_set_status, reader_register

pytestmark = pytest.mark.django_db

JOB = "readers.expire_cards"


@pytest.fixture
def cards(service_point, adult, actor) -> dict[str, Card]:
    """One card per case, issued years ago, with the audit trail of their setup cleared."""
    today = timezone.localdate()
    issued = timezone.now() - dt.timedelta(days=3 * 365)
    made = {}
    for name, expires_on in [
        ("past", today - dt.timedelta(days=1)),
        ("long_past", today - dt.timedelta(days=400)),
        ("today", today),
        ("future", today + dt.timedelta(days=30)),
        ("suspended_past", today - dt.timedelta(days=1)),
    ]:
        reader = reader_register(
            name=f"读者{name}",
            category=adult,
            home_service_point=service_point,
            actor=actor,
            birth_date=dt.date(1980, 1, 1),
            card_number=f"C-{name}",
            card_expires_on=expires_on,
            issued_at=issued,
        )
        made[name] = reader.cards.get()
    card_set_status(
        card=made["suspended_past"], status=CardStatus.SUSPENDED, actor=actor, reason="test"
    )
    AuditEvent.objects.all().delete()
    return made


def _statuses() -> dict[str, str]:
    return dict(Card.objects.values_list("number", "status"))


def test_the_job_expires_valid_cards_whose_expiry_date_has_passed(cards, service_point):
    results = jobs_run_due(only=[JOB])

    assert results == {JOB: "ran"}
    assert _statuses() == {
        "C-past": CardStatus.EXPIRED,
        "C-long_past": CardStatus.EXPIRED,
        "C-today": CardStatus.VALID,
        "C-future": CardStatus.VALID,
        "C-suspended_past": CardStatus.SUSPENDED,
    }
    events = AuditEvent.objects.order_by("object_repr")
    assert [
        (e.action, e.object_type, e.object_repr, e.channel, e.library_id, e.changes["status"])
        for e in events
    ] == [
        (
            "card.status_changed",
            "readers.card",
            number,
            "system",
            service_point.library_id,
            ["valid", "expired"],
        )
        for number in ("C-long_past", "C-past")
    ]
    assert events[0].object_id == str(cards["long_past"].pk)


def test_a_second_run_changes_nothing(cards):
    now = timezone.now()
    jobs_run_due(now=now, only=[JOB])
    changed_at = dict(Card.objects.values_list("number", "status_changed_at"))

    again = jobs_run_due(now=now + dt.timedelta(hours=2), only=[JOB])

    assert again == {JOB: "ran"}
    assert dict(Card.objects.values_list("number", "status_changed_at")) == changed_at
    assert AuditEvent.objects.count() == 2


def test_expired_cards_are_taken_in_batches(cards, monkeypatch):
    from shufang.readers import services

    monkeypatch.setattr(services, "EXPIRY_BATCH", 1)

    expired = services.cards_expire_due(actor=services.Actor.system("test"))

    assert expired == 2
    assert AuditEvent.objects.filter(action="card.status_changed").count() == 2
