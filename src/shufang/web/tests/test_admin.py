"""The Django admin (in every app's admin.py): changelists, audited saves, masked ID
numbers, read-only item status and the create-token flow."""

import pytest
from django.test import Client

from shufang.core.models import ApiToken, AuditEvent
from shufang.core.tokens import api_token_authenticate
from shufang.network.models import CalendarException, Library
from shufang.readers.models import Reader
from shufang.web.tests.fixtures import PASSWORD, Network

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(net: Network) -> Client:
    client = Client()
    assert client.login(username="admin", password=PASSWORD)
    return client


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/admin/network/librarysystem/", "丽江"),
        ("/admin/network/library/", "丽江"),
        ("/admin/network/servicepoint/", "总馆"),
        ("/admin/network/calendarexception/", "春节"),
        ("/admin/catalogue/record/", "红楼梦"),
        ("/admin/catalogue/item/", "C0000001"),
        ("/admin/catalogue/collection/", "adult"),
        ("/admin/readers/reader/", "LJ0000001"),
        ("/admin/readers/card/", "LJ0000001"),
        ("/admin/readers/readercategory/", "adult"),
        ("/admin/readers/consent/", "和"),
        ("/admin/core/auditevent/", "reader"),
        ("/admin/core/staffrole/", "desk"),
        ("/admin/core/apitoken/", "x"),
    ],
)
def test_admin_changelists_and_search_render(admin_client: Client, url: str, query: str) -> None:
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": query}).status_code == 200


def test_admin_is_titled_in_chinese_by_default(admin_client: Client) -> None:
    page = admin_client.get("/admin/").content.decode()

    assert "书房 Shufang" in page
    assert 'lang="zh-hans"' in page


def test_reader_changelist_finds_by_card_and_shows_only_the_masked_id(
    admin_client: Client, net: Network
) -> None:
    response = admin_client.get("/admin/readers/reader/", {"q": "LJ0000001"})

    page = response.content.decode()
    assert [r.pk for r in response.context["cl"].result_list] == [net.reader_a.pk]
    assert "5307**********1234" in page
    assert "530702199001011234" not in page


def test_reader_change_form_never_shows_the_id_number_in_clear(
    admin_client: Client, net: Network
) -> None:
    page = admin_client.get(f"/admin/readers/reader/{net.reader_a.pk}/change/").content.decode()

    assert "5307**********1234" in page
    assert "530702199001011234" not in page
    assert net.reader_a.id_number_encrypted not in page


def _reader_form(reader: Reader, **changes: str) -> dict[str, str]:
    data = {
        "name": reader.name,
        "category": str(reader.category_id),
        "birth_date": "1990-01-01",
        "phone": reader.phone,
        "email": "",
        "address": "",
        "home_service_point": str(reader.home_service_point_id),
        "guardian": "",
        "guardian_name": "",
        "guardian_phone": "",
        "notes": "",
        "id_number": "",
        "cards-TOTAL_FORMS": "1",
        "cards-INITIAL_FORMS": "1",
        "cards-MIN_NUM_FORMS": "0",
        "cards-MAX_NUM_FORMS": "1000",
        "cards-0-id": str(reader.cards.get().pk),
        "cards-0-reader": str(reader.pk),
        "cards-0-expires_on": "2099-12-31",
    }
    data.update(changes)
    return data


def test_an_admin_save_goes_through_the_readers_service_and_is_audited(
    admin_client: Client, net: Network
) -> None:
    response = admin_client.post(
        f"/admin/readers/reader/{net.reader_a.pk}/change/",
        _reader_form(net.reader_a, phone="13911112222"),
    )

    assert response.status_code == 302
    net.reader_a.refresh_from_db()
    assert net.reader_a.phone == "13911112222"
    event = AuditEvent.objects.filter(action="reader.updated").get()
    assert (event.channel, event.actor_label, event.changes["phone"]) == (
        "admin",
        "admin",
        ["13887654321", "13911112222"],
    )


def test_a_new_id_number_typed_in_the_admin_is_stored_masked_and_encrypted(
    admin_client: Client, net: Network
) -> None:
    new_id = "530702199001012456"[:17]
    from shufang.readers.identity import id_check_character

    new_id += id_check_character(new_id)

    admin_client.post(
        f"/admin/readers/reader/{net.reader_a.pk}/change/",
        _reader_form(net.reader_a, id_number=new_id),
    )

    net.reader_a.refresh_from_db()
    assert net.reader_a.id_number_masked == f"5307**********{new_id[-4:]}"
    assert new_id not in net.reader_a.id_number_encrypted
    event = AuditEvent.objects.filter(action="reader.updated").get()
    assert new_id not in str(event.changes)


def test_an_admin_save_without_a_domain_service_is_audited_by_the_base_admin(
    admin_client: Client, net: Network
) -> None:
    response = admin_client.post(
        "/admin/network/calendarexception/add/",
        {
            "kind": "holiday",
            "library": str(net.library_a.pk),
            "service_point": "",
            "start_date": "2026-02-16",
            "end_date": "2026-02-22",
            "opens": "",
            "closes": "",
            "reason": "春节",
        },
    )

    assert response.status_code == 302
    exception = CalendarException.objects.get()
    event = AuditEvent.objects.get(action="network.calendarexception.create")
    assert (event.channel, event.object_id) == ("admin", str(exception.pk))


def test_an_admin_change_to_a_library_goes_through_the_network_service(
    admin_client: Client, net: Network
) -> None:
    library = net.library_b
    data = {
        "system": str(library.system_id),
        "code": library.code,
        "name": "宁蒗彝族自治县图书馆",
        "name_en": "",
        "kind": "county",
        "admin_area_code": "",
        "host_organisation": "",
        "address": "",
        "contact_phone": "",
        "contact_email": "",
        "service_population": "",
        "opened_on": "",
        "closed_on": "",
    }

    response = admin_client.post(f"/admin/network/library/{library.pk}/change/", data)

    assert response.status_code == 302
    assert Library.objects.get(pk=library.pk).name == "宁蒗彝族自治县图书馆"
    event = AuditEvent.objects.get(action="library.updated")
    assert event.channel == "admin"


def test_item_status_is_read_only_in_the_admin(admin_client: Client, net: Network) -> None:
    response = admin_client.get(f"/admin/catalogue/item/{net.item.pk}/change/")

    form = response.context["adminform"].form
    assert "status" not in form.fields
    assert "barcode" in form.fields


def test_the_create_token_page_shows_the_token_once(admin_client: Client, net: Network) -> None:
    desk = net.users["desk_a"]

    response = admin_client.post(
        "/admin/core/apitoken/create/", {"user": str(desk.pk), "name": "自助机同步"}
    )
    plaintext = response.context["plaintext"]
    listing = admin_client.get("/admin/core/apitoken/").content.decode()

    assert api_token_authenticate(plaintext) == desk
    assert plaintext in response.content.decode()
    assert plaintext not in listing
    assert ApiToken.objects.get().name == "自助机同步"
    assert AuditEvent.objects.get(action="api_token.create").channel == "admin"


def test_audit_events_cannot_be_changed_in_the_admin(admin_client: Client, net: Network) -> None:
    event = AuditEvent.objects.first()
    assert event is not None

    response = admin_client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
