import pytest
from django.test import Client

from shufang.core.models import AuditEvent
from shufang.web.access import mask_phone
from shufang.web.tests.fixtures import PASSWORD, Network

pytestmark = pytest.mark.django_db


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=PASSWORD)
    return client


def test_scanning_a_card_number_opens_the_reader(client: Client, net: Network) -> None:
    login(client, "desk_a")

    response = client.get("/staff/readers/", {"q": "LJ0000001"})

    assert response.status_code == 302
    assert response["Location"] == f"/staff/readers/{net.reader_a.pk}/"


def test_reader_search_by_name_lists_only_readers_of_visible_libraries(
    client: Client, net: Network
) -> None:
    login(client, "desk_a")

    response = client.get("/staff/readers/", {"q": "杨建国"})

    assert response.status_code == 200
    assert list(response.context["readers"]) == []


def test_reader_search_over_htmx_returns_the_results_fragment(client: Client, net: Network) -> None:
    login(client, "desk_a")

    response = client.get("/staff/readers/", {"q": "丽梅"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert [r.pk for r in response.context["readers"]] == [net.reader_a.pk]
    assert b"<html" not in response.content


def test_reader_page_shows_masked_id_and_phone_and_is_audited(client: Client, net: Network) -> None:
    login(client, "desk_a")
    views_before = AuditEvent.objects.filter(action="reader.personal_data_viewed").count()

    response = client.get(f"/staff/readers/{net.reader_a.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "5307**********1234" in page
    assert "530702199001011234" not in page
    assert "138****4321" in page
    assert "13887654321" not in page
    assert "LJ0000001" in page
    event = AuditEvent.objects.filter(action="reader.personal_data_viewed").latest("id")
    assert (
        AuditEvent.objects.filter(action="reader.personal_data_viewed").count() == views_before + 1
    )
    assert (event.object_id, event.actor_label, event.channel) == (
        str(net.reader_a.pk),
        "desk_a",
        "desk",
    )


def test_reader_of_another_library_is_not_found(client: Client, net: Network) -> None:
    login(client, "desk_a")
    views_before = AuditEvent.objects.filter(action="reader.personal_data_viewed").count()

    response = client.get(f"/staff/readers/{net.reader_b.pk}/")

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="reader.personal_data_viewed").count() == views_before


def test_item_barcode_scan_opens_the_item(client: Client, net: Network) -> None:
    login(client, "cataloguer_a")

    found = client.get("/staff/items/", {"barcode": "C0000001"})
    missing = client.get("/staff/items/", {"barcode": "NOPE"})
    page = client.get("/staff/items/C0000001/")

    assert found["Location"] == "/staff/items/C0000001/"
    assert missing.status_code == 200 and missing.context["not_found"] is True
    assert "红楼梦" in page.content.decode()
    assert "I242.4/1" in page.content.decode()


def test_record_page_lists_its_items(client: Client, net: Network) -> None:
    login(client, "cataloguer_a")

    response = client.get(f"/staff/records/{net.record.pk}/")

    assert response.status_code == 200
    assert [i.barcode for i in response.context["items"]] == ["C0000001"]


def test_service_points_page_shows_opening_hours(client: Client, net: Network) -> None:
    import datetime as dt

    from shufang.core.audit import Actor
    from shufang.network.services import opening_hours_set

    opening_hours_set(
        service_point=net.point_a,
        periods=[(0, dt.time(9), dt.time(17, 30))],
        actor=Actor.system(),
    )
    login(client, "desk_b")

    response = client.get("/staff/service-points/")

    assert response.status_code == 200
    assert "09:00–17:30" in response.content.decode()


def test_staff_home_lists_only_what_the_role_allows(client: Client, net: Network) -> None:
    login(client, "cataloguer_a")

    response = client.get("/staff/")

    assert [url for url, _label in response.context["entries"]] == [
        "web:staff-items",
        "web:staff-service-points",
    ]


def test_audit_log_shows_events_of_staff_in_the_managers_library(
    client: Client, net: Network
) -> None:
    login(client, "desk_a").get(f"/staff/readers/{net.reader_a.pk}/")
    login(client, "desk_b").get(f"/staff/readers/{net.reader_b.pk}/")
    login(client, "manager_a")

    response = client.get("/staff/audit/", {"action": "reader.personal_data_viewed"})

    assert response.status_code == 200
    assert [e.actor_label for e in response.context["page"]] == ["desk_a"]


def test_every_page_offers_the_language_switch(client: Client, net: Network) -> None:
    response = client.get("/staff/login/")

    page = response.content.decode()
    assert 'action="/i18n/setlang/"' in page
    assert 'lang="zh-hans"' in page


def test_public_home_names_the_library_and_links_to_staff_login(
    client: Client, net: Network
) -> None:
    response = client.get("/")

    page = response.content.decode()
    assert "丽江市图书馆" in page
    assert 'href="/staff/login/"' in page


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13887654321", "138****4321"), ("0888512345", "088***2345"), ("12345", "***45"), ("", "")],
)
def test_phone_numbers_are_masked_in_the_middle(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked
