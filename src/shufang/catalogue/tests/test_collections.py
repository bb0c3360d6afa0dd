"""Collection services: create and update, audited and permission-checked."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from shufang.catalogue.models import Collection
from shufang.catalogue.services.collections import collection_create, collection_update
from shufang.core.audit import Actor
from shufang.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from shufang.core.models import AuditEvent, Channel, Role, StaffRole

pytestmark = pytest.mark.django_db


def staff(username: str, role: str, library=None) -> Actor:
    user = get_user_model().objects.create_user(username=username, password=None)
    StaffRole.objects.create(user=user, role=role, library=library)
    return Actor(user=user, channel=Channel.DESK)


def test_a_collection_is_created_with_its_lending_character_and_audited(actor):
    made = collection_create(
        code=" LOCAL ", name="地方文献", name_en="Local documents", loanable=False, actor=actor
    )

    assert (made.code, made.name, made.name_en, made.loanable, made.juvenile) == (
        "LOCAL",
        "地方文献",
        "Local documents",
        False,
        False,
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.library_id) == (
        "collection.created",
        str(made.pk),
        None,
    )
    assert event.changes == {
        "code": "LOCAL",
        "name": "地方文献",
        "loanable": False,
        "juvenile": False,
    }


def test_a_taken_collection_code_is_a_conflict_and_creates_nothing(collection, actor):
    with pytest.raises(Conflict) as raised:
        collection_create(code="ADULT", name="另一个", actor=actor)

    assert (raised.value.code, raised.value.details) == ("conflict", {"field": "code"})
    assert Collection.objects.count() == 1
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(("code", "name"), [("", "少儿"), ("JU V", "少儿"), ("JUV", "  ")])
def test_a_collection_needs_a_code_without_spaces_and_a_name(actor, code, name):
    with pytest.raises(ValidationFailed):
        collection_create(code=code, name=name, actor=actor)

    assert Collection.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_an_update_changes_the_given_fields_and_audits_the_difference(collection, actor):
    updated = collection_update(
        collection=collection, actor=actor, name="成人外借", juvenile=True, name_en="Adult"
    )

    assert (updated.name, updated.juvenile, updated.name_en) == ("成人外借", True, "Adult")
    collection.refresh_from_db()
    assert collection.juvenile is True
    event = AuditEvent.objects.get()
    assert (event.action, event.changes) == (
        "collection.updated",
        {"juvenile": [False, True], "name_en": ["", "Adult"]},
    )


def test_an_update_that_changes_nothing_writes_no_audit_event(collection, actor):
    collection_update(collection=collection, actor=actor, name="成人外借", loanable=True)

    assert AuditEvent.objects.count() == 0


def test_a_collection_code_cannot_be_changed(collection, actor):
    with pytest.raises(ValidationFailed):
        collection_update(collection=collection, actor=actor, code="ADULT2", name="新名")

    collection.refresh_from_db()
    assert (collection.code, collection.name) == ("ADULT", "成人外借")
    assert AuditEvent.objects.count() == 0


def test_a_cataloguer_may_create_and_change_collections(service_point):
    cataloguer = staff("cataloguer", Role.CATALOGUER, service_point.library)

    made = collection_create(code="JUV", name="少儿", juvenile=True, actor=cataloguer)
    collection_update(collection=made, actor=cataloguer, loanable=False)

    made.refresh_from_db()
    assert made.loanable is False
    assert list(AuditEvent.objects.values_list("action", "actor__username")) == [
        ("collection.updated", "cataloguer"),
        ("collection.created", "cataloguer"),
    ]


def test_a_circulation_clerk_cannot_create_or_change_collections(collection, service_point):
    clerk = staff("clerk", Role.CIRCULATION, service_point.library)

    with pytest.raises(PermissionDenied):
        collection_create(code="JUV", name="少儿", actor=clerk)
    with pytest.raises(PermissionDenied):
        collection_update(collection=collection, actor=clerk, loanable=False)

    collection.refresh_from_db()
    assert list(Collection.objects.values_list("code", "loanable")) == [("ADULT", True)]
    assert AuditEvent.objects.count() == 0
