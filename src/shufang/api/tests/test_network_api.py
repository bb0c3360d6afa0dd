import pytest
from django.test import Client

from shufang.api.tests.helpers import ApiClient
from shufang.core.models import AuditEvent
from shufang.network.models import Library, OpeningHours, ServicePoint
from shufang.web.tests.fixtures import Network

pytestmark = pytest.mark.django_db


def test_libraries_list_needs_a_token(net: Network) -> None:
    response = Client().get("/api/v1/libraries")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_libraries_are_listed_with_limit_and_offset(net: Network) -> None:
    api = ApiClient("desk_a")

    first = api.get("/api/v1/libraries", {"limit": 1})
    second = api.get("/api/v1/libraries", {"limit": 1, "offset": 1})

    assert first.status_code == 200
    assert first.json()["count"] == 2
    assert [lib["code"] for lib in first.json()["items"]] == ["CN-530700"]
    assert [lib["code"] for lib in second.json()["items"]] == ["CN-530724"]


def test_a_library_is_read_by_id(net: Network) -> None:
    response = ApiClient("desk_a").get(f"/api/v1/libraries/{net.library_a.pk}")

    assert response.status_code == 200
    assert response.json()["name_en"] == "Lijiang City Library"


def test_unknown_library_is_404_in_the_error_shape(net: Network) -> None:
    response = ApiClient("desk_a").get("/api/v1/libraries/999999")

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": response.json()["message"],
        "details": {},
    }


def test_a_network_administrator_creates_a_library(net: Network) -> None:
    body = {
        "system_id": net.library_a.system_id,
        "code": "CN-530721",
        "name": "玉龙县图书馆",
        "kind": "county",
    }

    response = ApiClient("admin").post("/api/v1/libraries", body)

    assert response.status_code == 201
    assert Library.objects.get(code="CN-530721").name == "玉龙县图书馆"
    assert AuditEvent.objects.filter(action="library.created", channel="api").count() == 1


def test_a_branch_manager_cannot_create_a_library(net: Network) -> None:
    body = {
        "system_id": net.library_a.system_id,
        "code": "CN-530721",
        "name": "玉龙县图书馆",
        "kind": "county",
    }

    response = ApiClient("manager_a").post("/api/v1/libraries", body)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Library.objects.filter(code="CN-530721").exists()


def test_a_bad_library_code_is_a_400_with_the_field(net: Network) -> None:
    body = {"system_id": net.library_a.system_id, "code": "LIJIANG", "name": "x", "kind": "county"}

    response = ApiClient("admin").post("/api/v1/libraries", body)

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["details"]) == ("invalid", {"field": "code"})
    assert Library.objects.count() == 2


def test_a_missing_field_is_a_400_validation_error(net: Network) -> None:
    response = ApiClient("admin").post("/api/v1/libraries", {"name": "x"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    missing = {tuple(e["loc"])[-1] for e in response.json()["details"]["errors"]}
    assert missing == {"system_id", "code", "kind"}


def test_a_manager_updates_only_their_own_library(net: Network) -> None:
    api = ApiClient("manager_a")

    own = api.patch(f"/api/v1/libraries/{net.library_a.pk}", {"contact_phone": "0888-5120000"})
    other = api.patch(f"/api/v1/libraries/{net.library_b.pk}", {"contact_phone": "1"})

    assert own.status_code == 200 and own.json()["contact_phone"] == "0888-5120000"
    assert other.status_code == 403
    net.library_b.refresh_from_db()
    assert net.library_b.contact_phone == ""


def test_service_points_are_listed_by_library_with_their_hours(net: Network) -> None:
    api = ApiClient("manager_a")
    api.put(
        f"/api/v1/service-points/{net.point_a.pk}/opening-hours",
        {
            "periods": [
                {"weekday": 1, "opens": "09:00", "closes": "12:00"},
                {"weekday": 1, "opens": "14:00", "closes": "18:00"},
            ]
        },
    )

    response = api.get("/api/v1/service-points", {"library": net.library_a.pk})

    assert [sp["code"] for sp in response.json()["items"]] == ["CN-530700-MAIN"]
    assert response.json()["items"][0]["opening_hours"] == [
        {"weekday": 1, "opens": "09:00:00", "closes": "12:00:00"},
        {"weekday": 1, "opens": "14:00:00", "closes": "18:00:00"},
    ]


def test_overlapping_opening_hours_are_refused_and_nothing_changes(net: Network) -> None:
    response = ApiClient("manager_a").put(
        f"/api/v1/service-points/{net.point_a.pk}/opening-hours",
        {
            "periods": [
                {"weekday": 1, "opens": "09:00", "closes": "12:00"},
                {"weekday": 1, "opens": "11:00", "closes": "18:00"},
            ]
        },
    )

    assert response.status_code == 400
    assert OpeningHours.objects.filter(service_point=net.point_a).count() == 0


def test_a_manager_creates_a_service_point_in_their_library_only(net: Network) -> None:
    api = ApiClient("manager_a")
    body = {"code": "CN-530700-GC01", "name": "古城书房", "kind": "study_room"}

    own = api.post("/api/v1/service-points", {**body, "library_id": net.library_a.pk})
    other = api.post(
        "/api/v1/service-points", {**body, "code": "CN-530724-X1", "library_id": net.library_b.pk}
    )

    assert own.status_code == 201 and own.json()["opening_hours"] == []
    assert other.status_code == 403
    assert not ServicePoint.objects.filter(code="CN-530724-X1").exists()


def test_a_duplicate_service_point_code_is_a_409(net: Network) -> None:
    body = {
        "code": "CN-530700-MAIN",
        "name": "重复",
        "kind": "branch",
        "library_id": net.library_a.pk,
    }

    response = ApiClient("manager_a").post("/api/v1/service-points", body)

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_the_openapi_document_lists_the_paths(net: Network) -> None:
    response = Client().get("/api/v1/openapi.json")

    paths = set(response.json()["paths"])
    assert response.status_code == 200
    assert {
        "/api/v1/libraries",
        "/api/v1/libraries/{library_id}",
        "/api/v1/service-points",
        "/api/v1/service-points/{service_point_id}",
        "/api/v1/service-points/{service_point_id}/opening-hours",
        "/api/v1/records",
        "/api/v1/records/{record_id}",
        "/api/v1/items",
        "/api/v1/items/{item_id}",
        "/api/v1/readers",
        "/api/v1/readers/{reader_id}",
    } <= paths
    # other areas' endpoints are checked by their own tests and by the permission walk
    assert "/api/v1/circulation/checkout" in paths
    assert response.json()["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
