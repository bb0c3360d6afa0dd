"""Collections and reader categories in the admin go through their services."""

import pytest
from django.test import Client

from shufang.catalogue.models import Collection
from shufang.core.models import AuditEvent
from shufang.readers.models import ReaderCategory
from shufang.web.tests.fixtures import PASSWORD, Network

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(net: Network) -> Client:
    client = Client()
    assert client.login(username="admin", password=PASSWORD)
    return client


def test_a_collection_added_in_the_admin_is_created_by_the_service(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/catalogue/collection/add/",
        {"code": " LOCAL", "name": "地方文献", "name_en": "Local documents", "juvenile": ""},
    )

    assert response.status_code == 302
    made = Collection.objects.get(code="LOCAL")
    assert (made.name, made.loanable) == ("地方文献", False)
    event = AuditEvent.objects.get(action="collection.created")
    assert (event.channel, event.actor_label, event.object_id) == ("admin", "admin", str(made.pk))


def test_a_collection_changed_in_the_admin_keeps_its_code_and_is_audited_once(
    admin_client: Client, net: Network
) -> None:
    collection = net.collection

    response = admin_client.post(
        f"/admin/catalogue/collection/{collection.pk}/change/",
        {"code": "OTHER", "name": "成人外借部", "name_en": "", "loanable": "on"},
    )

    assert response.status_code == 302
    collection.refresh_from_db()
    assert (collection.code, collection.name) == ("adult", "成人外借部")
    events = AuditEvent.objects.filter(object_type="catalogue.collection")
    assert [(e.action, e.channel, e.changes) for e in events] == [
        ("collection.updated", "admin", {"name": ["成人外借", "成人外借部"]})
    ]


def test_a_reader_category_added_in_the_admin_is_created_by_the_service(
    admin_client: Client,
) -> None:
    response = admin_client.post(
        "/admin/readers/readercategory/add/",
        {"code": "GROUP", "name": "集体读者", "name_en": "", "kind": "group", "juvenile": ""},
    )

    assert response.status_code == 302
    made = ReaderCategory.objects.get(code="GROUP")
    assert made.kind == "group"
    event = AuditEvent.objects.get(action="reader_category.created")
    assert (event.channel, event.object_id) == ("admin", str(made.pk))


def test_a_reader_category_changed_in_the_admin_goes_through_the_service(
    admin_client: Client, net: Network
) -> None:
    category = net.category

    response = admin_client.post(
        f"/admin/readers/readercategory/{category.pk}/change/",
        {"code": "adult", "name": "成人读者", "name_en": "Adult", "kind": "person"},
    )

    assert response.status_code == 302
    category.refresh_from_db()
    assert category.name_en == "Adult"
    events = AuditEvent.objects.filter(object_type="readers.readercategory")
    assert [(e.action, e.changes) for e in events] == [
        ("reader_category.updated", {"name_en": ["", "Adult"]})
    ]
