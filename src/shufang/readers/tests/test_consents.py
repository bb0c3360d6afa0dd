"""Consents and the personal-data audit."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from shufang.core.audit import Actor
from shufang.core.exceptions import PermissionDenied
from shufang.core.models import AuditEvent, Role, StaffRole
from shufang.readers.models import Consent, ConsentKind
from shufang.readers.selectors import consent_in_force
from shufang.readers.services import consent_set, reader_personal_data_viewed, reader_register


@pytest.fixture
def reader(adult, service_point, actor):
    return reader_register(
        name="张博涵", category=adult, home_service_point=service_point, actor=actor
    )


@pytest.mark.django_db
def test_the_latest_consent_is_in_force_and_every_change_is_kept(reader, actor):
    assert consent_in_force(reader=reader, kind=ConsentKind.NAMED_IN_RANKINGS) is False
    consent_set(reader=reader, kind=ConsentKind.NAMED_IN_RANKINGS, granted=True, actor=actor)
    consent_set(reader=reader, kind=ConsentKind.NAMED_IN_RANKINGS, granted=False, actor=actor)
    assert consent_in_force(reader=reader, kind=ConsentKind.NAMED_IN_RANKINGS) is False
    assert Consent.objects.filter(reader=reader).count() == 2


@pytest.mark.django_db
def test_keep_loan_history_mirrors_its_consent(reader, actor):
    consent_set(reader=reader, kind=ConsentKind.KEEP_LOAN_HISTORY, granted=True, actor=actor)
    reader.refresh_from_db()
    assert reader.keep_loan_history is True
    consent_set(reader=reader, kind=ConsentKind.KEEP_LOAN_HISTORY, granted=False, actor=actor)
    reader.refresh_from_db()
    assert reader.keep_loan_history is False


@pytest.mark.django_db
def test_viewing_personal_data_is_audited(reader, service_point):
    user = get_user_model().objects.create_user("desk1", password="x")
    StaffRole.objects.create(user=user, role=Role.CIRCULATION, service_point=service_point)
    reader_personal_data_viewed(
        reader=reader, actor=Actor(user=user, channel="desk"), purpose="核对身份"
    )
    event = AuditEvent.objects.get(action="reader.personal_data_viewed")
    assert (event.actor, event.object_id, event.object_repr, event.changes) == (
        user,
        str(reader.pk),
        "张*涵",
        {"purpose": "核对身份"},
    )


@pytest.mark.django_db
def test_staff_without_the_permission_cannot_view_personal_data(reader):
    user = get_user_model().objects.create_user("cat1", password="x")
    StaffRole.objects.create(user=user, role=Role.CATALOGUER)
    with pytest.raises(PermissionDenied):
        reader_personal_data_viewed(
            reader=reader, actor=Actor(user=user, channel="desk"), purpose="x"
        )
    assert not AuditEvent.objects.filter(action="reader.personal_data_viewed").exists()
