"""The staff audit log page: a branch manager sees the events of their libraries only."""

import pytest
from django.test import Client

from shufang.core.audit import Actor, audit_record
from shufang.core.models import AuditEvent, Role, StaffRole
from shufang.web.tests.fixtures import PASSWORD, Network, make_user

pytestmark = pytest.mark.django_db


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=PASSWORD)
    return client


def _shown(client: Client) -> list[str]:
    response = client.get("/staff/audit/", {"action": "test."})
    assert response.status_code == 200
    return [event.action for event in response.context["page"]]


def test_a_branch_manager_sees_the_events_placed_in_their_library_only(
    client: Client, net: Network
) -> None:
    desk_a = Actor(user=net.users["desk_a"])
    audit_record(actor=Actor.system(), action="test.item_in_a", obj=net.item)
    audit_record(actor=Actor.system(), action="test.reader_in_b", obj=net.reader_b)
    audit_record(actor=desk_a, action="test.own_staff_in_b", obj=net.reader_b)
    audit_record(actor=desk_a, action="test.explicit_a", object_id="7", library=net.library_a)
    login(client, "manager_a")

    shown = _shown(client)

    assert sorted(shown) == ["test.explicit_a", "test.item_in_a"]


def test_a_branch_manager_sees_network_wide_events_of_their_own_staff_only(
    client: Client, net: Network
) -> None:
    cataloguer_b = make_user("cataloguer_b", (Role.CATALOGUER, net.library_b))
    audit_record(
        actor=Actor(user=net.users["cataloguer_a"]), action="test.record_by_a", obj=net.record
    )
    audit_record(actor=Actor(user=cataloguer_b), action="test.record_by_b", obj=net.record)
    audit_record(actor=Actor.system(), action="test.record_by_system", obj=net.record)
    login(client, "manager_a")

    shown = _shown(client)

    assert shown == ["test.record_by_a"]


def test_a_manager_of_a_service_point_sees_its_librarys_events(
    client: Client, net: Network
) -> None:
    manager = make_user("manager_point_b")
    StaffRole.objects.create(user=manager, role=Role.BRANCH_MANAGER, service_point=net.point_b)
    audit_record(actor=Actor.system(), action="test.reader_in_b", obj=net.reader_b)
    audit_record(actor=Actor.system(), action="test.item_in_a", obj=net.item)
    login(client, "manager_point_b")

    assert _shown(client) == ["test.reader_in_b"]


def test_a_superuser_sees_every_event(client: Client, net: Network) -> None:
    audit_record(actor=Actor.system(), action="test.item_in_a", obj=net.item)
    audit_record(actor=Actor.system(), action="test.reader_in_b", obj=net.reader_b)
    audit_record(actor=Actor.system(), action="test.record", obj=net.record)
    login(client, "admin")

    shown = _shown(client)

    assert sorted(shown) == ["test.item_in_a", "test.reader_in_b", "test.record"]
    assert AuditEvent.objects.filter(action__startswith="test.").count() == 3
