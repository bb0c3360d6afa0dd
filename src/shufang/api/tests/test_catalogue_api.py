import pytest
from django.test import Client

from shufang.api.tests.helpers import ApiClient
from shufang.catalogue.models import Item, Record
from shufang.core.models import AuditEvent
from shufang.web.tests.fixtures import Network

pytestmark = pytest.mark.django_db

MARCXML = """<?xml version="1.0" encoding="UTF-8"?>
<record xmlns="http://www.loc.gov/MARC21/slim">
  <leader>00000nam a2200000 a 4500</leader>
  <controlfield tag="001">LJ-2020-0001</controlfield>
  <datafield tag="020" ind1=" " ind2=" "><subfield code="a">9787544253994</subfield></datafield>
  <datafield tag="084" ind1=" " ind2=" "><subfield code="a">I247.5</subfield><subfield code="2">clc</subfield></datafield>
  <datafield tag="245" ind1="1" ind2="0"><subfield code="a">百年孤独</subfield></datafield>
  <datafield tag="260" ind1=" " ind2=" "><subfield code="b">南海出版公司</subfield><subfield code="c">2011</subfield></datafield>
</record>"""


def test_records_need_a_token(net: Network) -> None:
    assert Client().get("/api/v1/records").status_code == 401


def test_records_are_filtered_by_title_isbn_and_clc_prefix(net: Network) -> None:
    api = ApiClient("cataloguer_a")
    api.post("/api/v1/records", {"marcxml": MARCXML})

    by_title = api.get("/api/v1/records", {"q": "孤独"})
    by_isbn = api.get("/api/v1/records", {"isbn": "978-7-02-000220-7"})
    by_clc = api.get("/api/v1/records", {"clc": "I247"})

    assert [r["title"] for r in by_title.json()["items"]] == ["百年孤独"]
    assert [r["title"] for r in by_isbn.json()["items"]] == ["红楼梦"]
    assert [r["title"] for r in by_clc.json()["items"]] == ["百年孤独"]


def test_a_record_created_from_marcxml_comes_back_as_marcxml(net: Network) -> None:
    api = ApiClient("cataloguer_a")

    created = api.post("/api/v1/records", {"marcxml": MARCXML})
    record_id = created.json()["id"]
    plain = api.get(f"/api/v1/records/{record_id}")
    with_marc = api.get(f"/api/v1/records/{record_id}", {"include": "marcxml"})

    assert created.status_code == 201
    assert (created.json()["isbn"], created.json()["clc"]) == ("9787544253994", "I247.5")
    assert plain.json()["marcxml"] is None
    assert '<subfield code="a">百年孤独</subfield>' in with_marc.json()["marcxml"]
    assert Record.objects.get(pk=record_id).marc_format == "marcxml"
    assert AuditEvent.objects.filter(action="record.create", channel="api").count() == 1


def test_a_record_is_created_and_replaced_from_json_fields(net: Network) -> None:
    api = ApiClient("cataloguer_a")

    created = api.post(
        "/api/v1/records",
        {
            "fields": {
                "title": "玉龙雪山",
                "authors": ["和志刚"],
                "publisher": "云南人民出版社",
                "year": 2019,
                "isbn": ["9787222000000"],
                "clc": "K928.3",
            }
        },
    )
    replaced = api.put(
        f"/api/v1/records/{created.json()['id']}", {"fields": {"title": "玉龙雪山志", "year": 2020}}
    )

    assert created.status_code == 201
    assert (created.json()["title"], created.json()["year"], created.json()["clc"]) == (
        "玉龙雪山",
        2019,
        "K928.3",
    )
    assert replaced.status_code == 200
    assert (replaced.json()["title"], replaced.json()["year"]) == ("玉龙雪山志", 2020)


def test_unreadable_marcxml_is_a_400_and_creates_nothing(net: Network) -> None:
    response = ApiClient("cataloguer_a").post("/api/v1/records", {"marcxml": "<record"})

    assert response.status_code == 400
    assert response.json()["details"]["field"] == "marcxml"
    assert Record.objects.count() == 1


def test_circulation_staff_cannot_create_records(net: Network) -> None:
    response = ApiClient("desk_a").post("/api/v1/records", {"marcxml": MARCXML})

    assert response.status_code == 403
    assert Record.objects.count() == 1


def test_items_are_listed_by_record_barcode_and_service_point(net: Network) -> None:
    api = ApiClient("desk_a")

    by_record = api.get("/api/v1/items", {"record": net.record.pk})
    by_barcode = api.get("/api/v1/items", {"barcode": "C0000001"})
    by_point = api.get("/api/v1/items", {"service_point": net.point_b.pk})

    assert [i["barcode"] for i in by_record.json()["items"]] == ["C0000001"]
    assert [i["barcode"] for i in by_barcode.json()["items"]] == ["C0000001"]
    assert by_point.json() == {"items": [], "count": 0}


def test_an_item_is_read_by_id(net: Network) -> None:
    response = ApiClient("desk_a").get(f"/api/v1/items/{net.item.pk}")

    assert response.status_code == 200
    assert (response.json()["barcode"], response.json()["status"]) == ("C0000001", "available")


def test_a_cataloguer_adds_an_item_at_their_library(net: Network) -> None:
    body = {
        "record_id": net.record.pk,
        "barcode": "C0000002",
        "home_service_point_id": net.point_a.pk,
        "collection_id": net.collection.pk,
        "price": "35.00",
    }

    response = ApiClient("cataloguer_a").post("/api/v1/items", body)

    assert response.status_code == 201
    item = Item.objects.get(barcode="C0000002")
    assert (item.owning_library, str(item.price)) == (net.library_a, "35.00")


def test_a_cataloguer_cannot_add_an_item_at_another_library(net: Network) -> None:
    body = {
        "record_id": net.record.pk,
        "barcode": "C0000003",
        "home_service_point_id": net.point_b.pk,
        "collection_id": net.collection.pk,
    }

    response = ApiClient("cataloguer_a").post("/api/v1/items", body)

    assert response.status_code == 403
    assert not Item.objects.filter(barcode="C0000003").exists()


def test_a_taken_barcode_is_a_409(net: Network) -> None:
    body = {
        "record_id": net.record.pk,
        "barcode": "C0000001",
        "home_service_point_id": net.point_a.pk,
        "collection_id": net.collection.pk,
    }

    response = ApiClient("cataloguer_a").post("/api/v1/items", body)

    assert response.status_code == 409
    assert response.json()["code"] == "barcode_taken"
    assert Item.objects.count() == 1


def test_an_items_call_number_is_updated_but_not_its_status(net: Network) -> None:
    api = ApiClient("cataloguer_a")

    updated = api.patch(f"/api/v1/items/{net.item.pk}", {"call_number": "I242.4/2"})
    status = api.patch(f"/api/v1/items/{net.item.pk}", {"status": "lost"})

    assert updated.status_code == 200 and updated.json()["call_number"] == "I242.4/2"
    assert status.status_code == 400
    net.item.refresh_from_db()
    assert net.item.status == "available"
