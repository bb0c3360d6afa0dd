"""Registering readers: ID numbers protected, guardians for children, first card issued."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from shufang.core.exceptions import Conflict, ValidationFailed
from shufang.core.models import AuditEvent
from shufang.readers.identity import decrypt_id_number
from shufang.readers.models import Card, CardStatus, Reader
from shufang.readers.services import (
    reader_check_pin,
    reader_find_by_id_number,
    reader_register,
    reader_set_pin,
    reader_update,
)
from shufang.readers.tests.conftest import make_id_number

ID = make_id_number("53010219900101123")


@pytest.mark.django_db
def test_registration_creates_the_reader_and_a_valid_first_card(adult, service_point, actor):
    reader = reader_register(
        name="张博涵",
        category=adult,
        home_service_point=service_point,
        actor=actor,
        id_number=ID,
        phone="13800000000",
    )
    card = Card.objects.get(reader=reader)
    assert card.status == CardStatus.VALID
    assert card.number == "R000000001"
    assert card.replaces is None
    assert reader.birth_date == dt.date(1990, 1, 1)
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "reader.registered",
        "card.issued",
    ]


@pytest.mark.django_db
def test_the_id_number_is_never_stored_in_clear(adult, service_point, actor):
    reader = reader_register(
        name="张博涵", category=adult, home_service_point=service_point, actor=actor, id_number=ID
    )
    # Read the raw row, every column, past the ORM.
    table = Reader._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [reader.pk])  # noqa: S608
        raw = cursor.fetchone()
    assert raw is not None
    assert all(ID not in str(value) for value in raw)
    assert all(ID not in str(e.changes) for e in AuditEvent.objects.all())
    assert reader.id_number_masked == ID[:4] + "**********" + ID[-4:]
    assert decrypt_id_number(reader.id_number_encrypted) == ID
    assert reader_find_by_id_number(id_number=ID.lower()) == reader


@pytest.mark.django_db
def test_a_duplicate_id_number_is_a_conflict(adult, service_point, actor):
    reader_register(
        name="甲", category=adult, home_service_point=service_point, actor=actor, id_number=ID
    )
    with pytest.raises(Conflict) as caught:
        reader_register(
            name="乙", category=adult, home_service_point=service_point, actor=actor, id_number=ID
        )
    assert caught.value.details == {"field": "id_number"}
    assert ID[-4:] in str(caught.value.message)
    assert Reader.objects.count() == 1
    assert Card.objects.count() == 1


@pytest.mark.django_db
def test_an_invalid_id_number_registers_nothing(adult, service_point, actor):
    with pytest.raises(ValidationFailed):
        reader_register(
            name="甲",
            category=adult,
            home_service_point=service_point,
            actor=actor,
            id_number=ID[:-1] + ("0" if ID[-1] != "0" else "1"),
        )
    assert Reader.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_a_child_without_guardian_is_refused(juvenile, service_point, actor):
    with pytest.raises(ValidationFailed) as caught:
        reader_register(
            name="小明",
            category=juvenile,
            home_service_point=service_point,
            actor=actor,
            birth_date=dt.date(2015, 6, 1),
            issued_at=dt.datetime(2020, 6, 1, 10, tzinfo=dt.UTC),
        )
    assert caught.value.details == {"field": "guardian"}
    assert Reader.objects.count() == 0
    assert Card.objects.count() == 0


@pytest.mark.django_db
def test_a_child_with_guardian_name_and_phone_is_registered(juvenile, service_point, actor):
    reader = reader_register(
        name="小明",
        category=juvenile,
        home_service_point=service_point,
        actor=actor,
        birth_date=dt.date(2015, 6, 1),
        guardian_name="王芳",
        guardian_phone="13900000000",
    )
    assert reader.guardian_name == "王芳"


@pytest.mark.django_db
def test_a_child_with_a_reader_as_guardian_is_registered(adult, juvenile, service_point, actor):
    parent = reader_register(
        name="王芳", category=adult, home_service_point=service_point, actor=actor
    )
    child = reader_register(
        name="小明",
        category=juvenile,
        home_service_point=service_point,
        actor=actor,
        birth_date=dt.date(2015, 6, 1),
        guardian=parent,
    )
    assert list(parent.wards.all()) == [child]


@pytest.mark.django_db
def test_a_birth_date_contradicting_the_id_number_is_refused(adult, service_point, actor):
    with pytest.raises(ValidationFailed) as caught:
        reader_register(
            name="甲",
            category=adult,
            home_service_point=service_point,
            actor=actor,
            id_number=ID,
            birth_date=dt.date(1991, 1, 1),
        )
    assert caught.value.details == {"field": "birth_date"}
    assert Reader.objects.count() == 0


@pytest.mark.django_db
def test_a_taken_card_number_is_a_conflict_and_nothing_is_kept(adult, service_point, actor):
    reader_register(
        name="甲",
        category=adult,
        home_service_point=service_point,
        actor=actor,
        card_number="LJ0001",
    )
    with pytest.raises(Conflict):
        reader_register(
            name="乙",
            category=adult,
            home_service_point=service_point,
            actor=actor,
            card_number="LJ0001",
        )
    assert list(Reader.objects.values_list("name", flat=True)) == ["甲"]


@pytest.mark.django_db
def test_generated_card_numbers_follow_each_other(adult, service_point, actor):
    for name in ("甲", "乙", "丙"):
        reader_register(name=name, category=adult, home_service_point=service_point, actor=actor)
    assert sorted(Card.objects.values_list("number", flat=True)) == [
        "R000000001",
        "R000000002",
        "R000000003",
    ]


@pytest.mark.django_db
def test_pin_is_hashed_and_checked(adult, service_point, actor):
    reader = reader_register(
        name="甲", category=adult, home_service_point=service_point, actor=actor, pin="123456"
    )
    assert "123456" not in reader.pin_hash
    assert reader.pin_hash.startswith("pbkdf2_sha256$60000$")
    assert reader_check_pin(reader=reader, pin="123456") is True
    assert reader_check_pin(reader=reader, pin="654321") is False
    reader_set_pin(reader=reader, pin="654321", actor=actor)
    assert reader_check_pin(reader=reader, pin="654321") is True


@pytest.mark.django_db
def test_update_to_another_readers_id_number_is_a_conflict(adult, service_point, actor):
    reader_register(
        name="甲", category=adult, home_service_point=service_point, actor=actor, id_number=ID
    )
    other = reader_register(
        name="乙", category=adult, home_service_point=service_point, actor=actor
    )
    with pytest.raises(Conflict):
        reader_update(reader=other, actor=actor, id_number=ID)
    other.refresh_from_db()
    assert other.id_number_hash == ""


@pytest.mark.django_db
def test_update_records_the_masked_id_number_only(adult, service_point, actor):
    reader = reader_register(
        name="乙", category=adult, home_service_point=service_point, actor=actor
    )
    reader_update(reader=reader, actor=actor, id_number=ID, phone="139")
    event = AuditEvent.objects.get(action="reader.updated")
    assert event.changes == {
        "id_number": ["", ID[:4] + "**********" + ID[-4:]],
        "phone": ["", "139"],
        "birth_date": [None, "1990-01-01"],
    }
    reader.refresh_from_db()
    assert reader.birth_date == dt.date(1990, 1, 1)
