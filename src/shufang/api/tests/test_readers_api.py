import pytest
from django.test import Client

from shufang.api.tests.helpers import ApiClient
from shufang.core.models import AuditEvent
from shufang.readers.models import Reader
from shufang.web.tests.fixtures import Network

pytestmark = pytest.mark.django_db


def test_readers_need_a_token(net: Network) -> None:
    response = Client().get(f"/api/v1/readers/{net.reader_a.pk}")

    assert response.status_code == 401
    assert AuditEvent.objects.filter(action="reader.personal_data_viewed").count() == 0


def test_reader_list_shows_only_the_callers_libraries_and_no_personal_data(
    net: Network,
) -> None:
    response = ApiClient("desk_a").get("/api/v1/readers")

    assert response.json()["count"] == 1
    [reader] = response.json()["items"]
    assert reader["name"] == "和丽梅"
    assert [c["number"] for c in reader["cards"]] == ["LJ0000001"]
    assert "phone" not in reader and "id_number_masked" not in reader


def test_reader_search_by_card_number(net: Network) -> None:
    api = ApiClient("admin")

    response = api.get("/api/v1/readers", {"q": "NL0000001"})

    assert [r["name"] for r in response.json()["items"]] == ["杨建国"]


def test_reading_a_reader_shows_the_masked_id_and_is_audited(net: Network) -> None:
    response = ApiClient("desk_a").get(f"/api/v1/readers/{net.reader_a.pk}")

    assert response.status_code == 200
    assert response.json()["id_number_masked"] == "5307**********1234"
    assert "530702199001011234" not in response.content.decode()
    event = AuditEvent.objects.get(action="reader.personal_data_viewed")
    assert (event.object_id, event.channel, event.actor_label) == (
        str(net.reader_a.pk),
        "api",
        "desk_a",
    )


def test_a_reader_of_another_library_is_refused_and_not_audited(net: Network) -> None:
    response = ApiClient("desk_b").get(f"/api/v1/readers/{net.reader_a.pk}")

    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="reader.personal_data_viewed").count() == 0


def test_desk_staff_register_a_reader_with_a_card(net: Network) -> None:
    body = {
        "name": "木春花",
        "category_id": net.category.pk,
        "home_service_point_id": net.point_a.pk,
        "phone": "13600000000",
        "card_number": "LJ0000002",
    }

    response = ApiClient("desk_a").post("/api/v1/readers", body)

    assert response.status_code == 201
    assert [c["number"] for c in response.json()["cards"]] == ["LJ0000002"]
    assert Reader.objects.get(name="木春花").home_service_point == net.point_a


def test_registering_at_another_library_is_refused(net: Network) -> None:
    body = {
        "name": "木春花",
        "category_id": net.category.pk,
        "home_service_point_id": net.point_b.pk,
    }

    response = ApiClient("desk_a").post("/api/v1/readers", body)

    assert response.status_code == 403
    assert not Reader.objects.filter(name="木春花").exists()


def test_a_wrong_id_number_is_a_400_and_registers_nobody(net: Network) -> None:
    body = {
        "name": "木春花",
        "category_id": net.category.pk,
        "home_service_point_id": net.point_a.pk,
        "id_number": "530702199001011230",
    }

    response = ApiClient("desk_a").post("/api/v1/readers", body)

    assert response.status_code == 400
    assert response.json()["details"] == {"field": "id_number"}
    assert Reader.objects.count() == 2


def test_a_readers_phone_is_updated(net: Network) -> None:
    response = ApiClient("desk_a").patch(
        f"/api/v1/readers/{net.reader_a.pk}", {"phone": "13800000000"}
    )

    assert response.status_code == 200
    net.reader_a.refresh_from_db()
    assert net.reader_a.phone == "13800000000"
    assert AuditEvent.objects.filter(action="reader.updated", channel="api").count() == 1


def test_updating_a_reader_of_another_library_is_refused(net: Network) -> None:
    response = ApiClient("desk_b").patch(
        f"/api/v1/readers/{net.reader_a.pk}", {"phone": "13800000000"}
    )

    assert response.status_code == 403
    net.reader_a.refresh_from_db()
    assert net.reader_a.phone == "13887654321"
