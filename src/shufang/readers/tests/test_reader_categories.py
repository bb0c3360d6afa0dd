"""Reader category services: create and update, audited and permission-checked."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from shufang.core.audit import Actor
from shufang.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from shufang.core.models import AuditEvent, Channel, Role, StaffRole
from shufang.readers.models import CategoryKind, ReaderCategory
from shufang.readers.services import reader_category_create, reader_category_update

pytestmark = pytest.mark.django_db


def staff(username: str, role: str, library=None) -> Actor:
    user = get_user_model().objects.create_user(username=username, password=None)
    StaffRole.objects.create(user=user, role=role, library=library)
    return Actor(user=user, channel=Channel.DESK)


def test_a_category_is_created_and_audited(actor):
    made = reader_category_create(
        code="GROUP", name="集体读者", name_en="Group", kind=CategoryKind.GROUP, actor=actor
    )

    assert (made.code, made.name, made.name_en, made.kind, made.juvenile) == (
        "GROUP",
        "集体读者",
        "Group",
        "group",
        False,
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.changes) == (
        "reader_category.created",
        str(made.pk),
        {"code": "GROUP", "name": "集体读者", "kind": "group", "juvenile": False},
    )


def test_a_taken_category_code_is_a_conflict_and_creates_nothing(adult, actor):
    with pytest.raises(Conflict) as raised:
        reader_category_create(code="ADULT", name="另一个", actor=actor)

    assert (raised.value.code, raised.value.details) == ("conflict", {"field": "code"})
    assert ReaderCategory.objects.count() == 1
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("code", "name", "kind"),
    [
        ("", "老年读者", "person"),
        ("SEN IOR", "老年读者", "person"),
        ("SENIOR", " ", "person"),
        ("SENIOR", "老年读者", "robot"),
    ],
)
def test_a_category_needs_a_code_a_name_and_a_known_kind(actor, code, name, kind):
    with pytest.raises(ValidationFailed):
        reader_category_create(code=code, name=name, kind=kind, actor=actor)

    assert ReaderCategory.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_an_update_changes_the_given_fields_and_audits_the_difference(juvenile, actor):
    updated = reader_category_update(
        category=juvenile, actor=actor, name="少儿读者", name_en="Children", juvenile=True
    )

    assert (updated.name, updated.name_en, updated.juvenile) == ("少儿读者", "Children", True)
    juvenile.refresh_from_db()
    assert juvenile.name_en == "Children"
    event = AuditEvent.objects.get()
    assert (event.action, event.changes) == (
        "reader_category.updated",
        {"name_en": ["", "Children"]},
    )


def test_a_category_code_and_unknown_kinds_are_refused_on_update(adult, actor):
    with pytest.raises(ValidationFailed):
        reader_category_update(category=adult, actor=actor, code="ADULT2")
    with pytest.raises(ValidationFailed):
        reader_category_update(category=adult, actor=actor, kind="robot", name="x")

    adult.refresh_from_db()
    assert (adult.code, adult.kind, adult.name) == ("ADULT", "person", "成人读者")
    assert AuditEvent.objects.count() == 0


def test_staff_with_readers_change_may_manage_categories(service_point):
    manager = staff("manager", Role.BRANCH_MANAGER, service_point.library)

    made = reader_category_create(code="SENIOR", name="老年读者", actor=manager)
    reader_category_update(category=made, actor=manager, name_en="Senior")

    made.refresh_from_db()
    assert made.name_en == "Senior"
    assert AuditEvent.objects.filter(actor__username="manager").count() == 2


def test_a_cataloguer_cannot_create_or_change_categories(adult, service_point):
    cataloguer = staff("cataloguer", Role.CATALOGUER, service_point.library)

    with pytest.raises(PermissionDenied):
        reader_category_create(code="SENIOR", name="老年读者", actor=cataloguer)
    with pytest.raises(PermissionDenied):
        reader_category_update(category=adult, actor=cataloguer, juvenile=True)

    adult.refresh_from_db()
    assert list(ReaderCategory.objects.values_list("code", "juvenile")) == [("ADULT", False)]
    assert AuditEvent.objects.count() == 0
