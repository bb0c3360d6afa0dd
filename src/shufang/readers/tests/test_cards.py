"""Cards: replacement, status transitions, renewal, and the valid-cardholder selectors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shufang.core.exceptions import Conflict, InvalidTransition
from shufang.core.models import AuditEvent
from shufang.readers.models import Card, CardStatus
from shufang.readers.selectors import (
    card_current,
    cards_new_between,
    cards_valid_at,
    reader_by_card_number,
)
from shufang.readers.services import (
    card_issue,
    card_renew,
    card_replace,
    card_set_status,
    reader_register,
)


@pytest.fixture
def reader(adult, service_point, actor):
    return reader_register(
        name="张博涵",
        category=adult,
        home_service_point=service_point,
        actor=actor,
        card_number="LJ0001",
    )


@pytest.mark.django_db
def test_replacement_keeps_the_reader_and_links_the_old_card(reader, actor):
    old = reader.cards.get()
    new = card_replace(card=old, actor=actor, reason="丢失")
    old.refresh_from_db()
    assert old.status == CardStatus.LOST
    assert new.replaces == old
    assert new.reader == reader
    assert new.expires_on == old.expires_on
    assert card_current(reader=reader) == new
    assert reader_by_card_number(number="LJ0001") == reader
    assert reader_by_card_number(number=new.number) == reader


@pytest.mark.django_db
def test_a_replacement_is_not_a_new_card_for_statistics(reader, actor):
    card_replace(
        card=reader.cards.get(), actor=actor, reason="损坏", old_status=CardStatus.CANCELLED
    )
    today = timezone.localdate()
    assert list(cards_new_between(start=today, end=today).values_list("number", flat=True)) == [
        "LJ0001"
    ]
    assert cards_valid_at(at=today).values("reader").distinct().count() == 1


@pytest.mark.django_db
def test_a_card_cannot_be_replaced_twice(reader, actor):
    old = reader.cards.get()
    card_replace(card=old, actor=actor, reason="丢失")
    with pytest.raises(InvalidTransition):
        card_replace(card=old, actor=actor, reason="again")
    assert Card.objects.count() == 2


@pytest.mark.django_db
def test_issuing_a_second_card_while_one_is_valid_is_refused(reader, actor):
    with pytest.raises(Conflict):
        card_issue(reader=reader, actor=actor)
    assert Card.objects.count() == 1


@pytest.mark.django_db
def test_a_cancelled_card_cannot_come_back(reader, actor):
    card = reader.cards.get()
    card_set_status(card=card, status=CardStatus.CANCELLED, actor=actor, reason="注销")
    with pytest.raises(InvalidTransition):
        card_set_status(card=card, status=CardStatus.VALID, actor=actor, reason="oops")
    card.refresh_from_db()
    assert card.status == CardStatus.CANCELLED
    assert AuditEvent.objects.filter(action="card.status_changed").count() == 1


@pytest.mark.django_db
def test_a_suspended_card_can_be_reinstated(reader, actor):
    card = reader.cards.get()
    card_set_status(card=card, status=CardStatus.SUSPENDED, actor=actor, reason="违规")
    card_set_status(card=card, status=CardStatus.VALID, actor=actor, reason="期满")
    assert card.status == CardStatus.VALID


@pytest.mark.django_db
def test_renewing_an_expired_card_makes_it_valid(reader, actor):
    card = reader.cards.get()
    card_set_status(card=card, status=CardStatus.EXPIRED, actor=actor, reason="到期")
    new_expiry = timezone.localdate() + dt.timedelta(days=365)
    card_renew(card=card, expires_on=new_expiry, actor=actor)
    assert (card.status, card.expires_on) == (CardStatus.VALID, new_expiry)


@pytest.mark.django_db
def test_a_lost_card_cannot_be_renewed(reader, actor):
    card = reader.cards.get()
    before = card.expires_on
    card_set_status(card=card, status=CardStatus.LOST, actor=actor, reason="丢失")
    with pytest.raises(InvalidTransition):
        card_renew(card=card, expires_on=before + dt.timedelta(days=1), actor=actor)
    card.refresh_from_db()
    assert card.expires_on == before


@pytest.mark.django_db
def test_cards_valid_at_a_date(adult, service_point, actor):
    tz = timezone.get_current_timezone()
    reader_register(
        name="甲",
        category=adult,
        home_service_point=service_point,
        actor=actor,
        card_number="A",
        issued_at=dt.datetime(2019, 3, 1, 10, tzinfo=tz),
        card_expires_on=dt.date(2019, 12, 31),
    )
    b = reader_register(
        name="乙",
        category=adult,
        home_service_point=service_point,
        actor=actor,
        card_number="B",
        issued_at=dt.datetime(2019, 6, 1, 10, tzinfo=tz),
        card_expires_on=dt.date(2022, 6, 1),
    )
    reader_register(
        name="丙",
        category=adult,
        home_service_point=service_point,
        actor=actor,
        card_number="C",
        issued_at=dt.datetime(2020, 2, 1, 10, tzinfo=tz),
        card_expires_on=dt.date(2023, 2, 1),
    )
    Card.objects.filter(reader=b).update(
        status=CardStatus.CANCELLED, status_changed_at=dt.datetime(2020, 1, 10, 9, tzinfo=tz)
    )

    def numbers(day):
        return sorted(cards_valid_at(at=day).values_list("number", flat=True))

    assert numbers(dt.date(2019, 2, 28)) == []
    assert numbers(dt.date(2019, 6, 1)) == ["A", "B"]
    assert numbers(dt.date(2019, 12, 31)) == ["A", "B"]
    assert numbers(dt.date(2020, 1, 9)) == ["B"]
    assert numbers(dt.date(2020, 1, 10)) == []
    assert numbers(dt.date(2020, 2, 1)) == ["C"]
