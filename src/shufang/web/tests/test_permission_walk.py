"""Every staff page, and every API endpoint that writes or shows personal data, is walked as
each kind of visitor. A new page or endpoint without an entry here fails the walk."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from shufang.acquisitions.tests import walk as acquisitions_walk
from shufang.api.v1 import api
from shufang.circulation.models import Fine
from shufang.core.audit import Actor
from shufang.core.tokens import api_token_create
from shufang.programmes.tests import walk as programmes_walk
from shufang.web.tests.desk_fixtures import Walk, build_walk
from shufang.web.tests.fixtures import PASSWORD, READER_PIN, Network

pytestmark = pytest.mark.django_db

PUBLIC = {"web:staff-login", "web:staff-logout"}


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """(route, url name) of every URL pattern, with includes flattened."""
    found: list[tuple[str, str]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found += walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            found.append((prefix + str(p.pattern), f"{namespace}{p.name}"))
    return found


def staff_routes() -> list[tuple[str, str]]:
    routes = walk(get_resolver().url_patterns)
    return [(r, n) for r, n in routes if r.startswith("staff/") and n not in PUBLIC]


# url name -> (path parameters, a user allowed there, a user of another branch or None when
# the page holds nothing scoped to one library, a user whose roles lack the permission)
def page_table(net: Network) -> dict[str, tuple[dict[str, Any], str, str | None, str]]:
    return {
        "web:staff-home": ({}, "desk_a", None, "no_role"),
        "web:staff-readers": ({}, "desk_a", None, "cataloguer_a"),
        "web:staff-reader": ({"pk": net.reader_a.pk}, "desk_a", "desk_b", "cataloguer_a"),
        "web:staff-record": ({"pk": net.record.pk}, "cataloguer_a", None, "no_role"),
        "web:staff-items": ({}, "cataloguer_a", None, "no_role"),
        "web:staff-item": ({"barcode": net.item.barcode}, "desk_a", None, "no_role"),
        "web:staff-service-points": ({}, "desk_a", None, "no_role"),
        "web:staff-audit": ({}, "manager_a", None, "desk_a"),
        # the circulation desk: the lists are those of the desk's own service point
        "web:desk-lend": ({}, "desk_a", None, "cataloguer_a"),
        "web:desk-point": ({}, "desk_a", None, "cataloguer_a"),
        "web:desk-return": ({}, "desk_a", None, "cataloguer_a"),
        "web:desk-renew": ({}, "desk_a", None, "cataloguer_a"),
        "web:desk-fines": ({}, "desk_a", None, "cataloguer_a"),
        "web:desk-holds": ({}, "desk_a", None, "cataloguer_a"),
        "web:desk-hold-shelf": ({}, "desk_a", None, "cataloguer_a"),
        "web:desk-pick-list": ({}, "desk_a", None, "cataloguer_a"),
        "web:desk-transits": ({}, "desk_a", None, "cataloguer_a"),
        "web:desk-quarantine": ({}, "desk_a", None, "cataloguer_a"),
        "web:desk-deposits": ({}, "desk_a", None, "cataloguer_a"),
        "web:desk-deposit": (
            {"pk": _walk(net).deposit.pk},
            "desk_a",
            "desk_b",
            "cataloguer_a",
        ),
        "web:desk-closures": ({}, "manager_a", None, "desk_a"),
        "web:desk-modes": ({}, "manager_a", None, "desk_a"),
        **programmes_walk.pages(net),
        **acquisitions_walk.pages(net),
        # statistics: a branch manager sees their own library's figures only
        "web:statistics-dashboard": ({}, "manager_a", None, "desk_a"),
        "web:statistics-report": ({"fmt": "json"}, "manager_a", None, "desk_a"),
        "web:statistics-texts": ({}, "manager_a", None, "desk_a"),
        "web:statistics-visits": ({}, "manager_a", None, "desk_a"),
    }


def _walk(net: Network) -> Walk:
    """Circulation state for the walk, built once per test."""
    if not hasattr(net, "_circulation_walk"):
        net._circulation_walk = build_walk(net)  # type: ignore[attr-defined]
    return net._circulation_walk  # type: ignore[attr-defined,no-any-return]


def _fines(net: Network) -> tuple[Fine, Fine]:
    """Two outstanding fines of reader A: one to pay, one to waive."""
    if not hasattr(net, "_walk_fines"):
        net._walk_fines = tuple(  # type: ignore[attr-defined]
            Fine.objects.create(reader=net.reader_a, amount=Decimal("1.50")) for _ in range(2)
        )
    return net._walk_fines  # type: ignore[attr-defined,no-any-return]


def fill(route: str, params: dict[str, Any]) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(params[m.group(1)]), route)


def reader_session(client: Client) -> Client:
    response = client.post("/account/login/", {"card_number": "LJ0000001", "pin": READER_PIN})
    assert response.status_code == 302 and response["Location"] == "/account/"
    return client


def test_the_walk_covers_every_staff_page(net: Network) -> None:
    assert sorted(n for _r, n in staff_routes()) == sorted(page_table(net))


def test_staff_pages_refuse_everyone_but_staff_with_the_right_role_at_the_right_library(
    net: Network,
) -> None:
    table = page_table(net)
    for route, name in staff_routes():
        params, allowed, other_branch, lacking = table[name]
        url = fill(route, params)

        anonymous = Client().get(url)
        assert anonymous.status_code == 302, url
        assert anonymous["Location"].startswith("/staff/login/?next="), url

        as_reader = reader_session(Client()).get(url)
        assert as_reader.status_code == 302, url
        assert as_reader["Location"].startswith("/staff/login/?next="), url

        without_permission = Client()
        without_permission.login(username=lacking, password=PASSWORD)
        assert without_permission.get(url).status_code == 403, url

        if other_branch is not None:
            outsider = Client()
            outsider.login(username=other_branch, password=PASSWORD)
            assert outsider.get(url).status_code in (403, 404), url

        staff = Client()
        staff.login(username=allowed, password=PASSWORD)
        assert staff.get(url).status_code == 200, url


def test_reader_session_does_not_log_a_staff_user_in(client: Client, net: Network) -> None:
    reader_session(client)

    response = client.get("/account/")

    assert response.status_code == 200
    assert response.context["reader"] == net.reader_a
    assert response.wsgi_request.user.is_authenticated is False


def test_wrong_pin_gives_no_reader_session(client: Client, net: Network) -> None:
    response = client.post("/account/login/", {"card_number": "LJ0000001", "pin": "0000"})

    assert response.status_code == 200
    assert "shufang_reader_id" not in client.session
    assert client.get("/account/")["Location"].startswith("/account/login/")


# API: (method, OpenAPI path) -> (path parameters, JSON body, allowed user, other-branch user)
def api_table(net: Network) -> dict[tuple[str, str], tuple[dict, dict | None, str, str | None]]:
    new_reader = {
        "name": "木春花",
        "category_id": net.category.pk,
        "home_service_point_id": net.point_a.pk,
    }
    new_item = {
        "record_id": net.record.pk,
        "barcode": "C0000099",
        "home_service_point_id": net.point_a.pk,
        "collection_id": net.collection.pk,
    }
    fields = {"fields": {"title": "玉龙雪山"}}
    return {
        ("get", "/api/v1/readers"): ({}, None, "desk_a", None),
        ("get", "/api/v1/readers/{reader_id}"): (
            {"reader_id": net.reader_a.pk},
            None,
            "desk_a",
            "desk_b",
        ),
        ("post", "/api/v1/readers"): ({}, new_reader, "desk_a", "desk_b"),
        ("patch", "/api/v1/readers/{reader_id}"): (
            {"reader_id": net.reader_a.pk},
            {"phone": "13800000000"},
            "desk_a",
            "desk_b",
        ),
        ("post", "/api/v1/libraries"): (
            {},
            {
                "system_id": net.library_a.system_id,
                "code": "CN-530721",
                "name": "玉龙县图书馆",
                "kind": "county",
            },
            "admin",
            "manager_a",
        ),
        ("patch", "/api/v1/libraries/{library_id}"): (
            {"library_id": net.library_a.pk},
            {"contact_phone": "0888-5120000"},
            "manager_a",
            "desk_b",
        ),
        ("post", "/api/v1/service-points"): (
            {},
            {
                "library_id": net.library_a.pk,
                "code": "CN-530700-GC01",
                "name": "古城书房",
                "kind": "study_room",
            },
            "manager_a",
            "desk_b",
        ),
        ("patch", "/api/v1/service-points/{service_point_id}"): (
            {"service_point_id": net.point_a.pk},
            {"contact_name": "和老师"},
            "manager_a",
            "desk_b",
        ),
        ("put", "/api/v1/service-points/{service_point_id}/opening-hours"): (
            {"service_point_id": net.point_a.pk},
            {"periods": [{"weekday": 0, "opens": "09:00", "closes": "17:00"}]},
            "manager_a",
            "desk_b",
        ),
        ("post", "/api/v1/records"): ({}, fields, "cataloguer_a", None),
        ("put", "/api/v1/records/{record_id}"): (
            {"record_id": net.record.pk},
            fields,
            "cataloguer_a",
            None,
        ),
        ("post", "/api/v1/items"): ({}, new_item, "cataloguer_a", None),
        ("patch", "/api/v1/items/{item_id}"): (
            {"item_id": net.item.pk},
            {"call_number": "I242.4/2"},
            "cataloguer_a",
            None,
        ),
        **circulation_api_table(net),
        **programmes_walk.api(net),
        **acquisitions_walk.api(net),
    }


def circulation_api_table(
    net: Network,
) -> dict[tuple[str, str], tuple[dict, dict | None, str, str | None]]:
    walk = _walk(net)
    a, b = net.point_a.pk, net.point_b.pk
    reader = {"reader_id": net.reader_a.pk}
    v1 = "/api/v1/circulation"
    return {
        ("post", f"{v1}/checkout/preview"): (
            {},
            {"barcode": "C0000001", "service_point_id": a, "card_number": "LJ0000001"},
            "desk_a",
            "desk_b",
        ),
        ("post", f"{v1}/checkout"): (
            {},
            {"barcode": "C0000001", "service_point_id": a, **reader},
            "desk_a",
            "desk_b",
        ),
        ("post", f"{v1}/checkin"): (
            {},
            {"barcode": "C0000002", "service_point_id": a},
            "desk_a",
            "desk_b",
        ),
        ("post", f"{v1}/loans/{{loan_id}}/renew"): (
            {"loan_id": walk.renewable.pk},
            {},
            "desk_a",
            "desk_b",
        ),
        ("post", f"{v1}/readers/{{reader_id}}/renew-all"): (reader, None, "desk_a", "desk_b"),
        ("post", f"{v1}/fines/{{fine_id}}/pay"): (
            {"fine_id": _fines(net)[0].pk},
            {"amount": "0.50"},
            "desk_a",
            "desk_b",
        ),
        ("post", f"{v1}/fines/{{fine_id}}/waive"): (
            {"fine_id": _fines(net)[1].pk},
            {"reason": "闭馆期间逾期"},
            "manager_a",
            "desk_b",
        ),
        ("get", f"{v1}/readers/{{reader_id}}/loans"): (reader, None, "desk_a", "desk_b"),
        ("get", f"{v1}/readers/{{reader_id}}/holds"): (reader, None, "desk_a", "desk_b"),
        ("post", f"{v1}/holds"): (
            {},
            {
                "reader_id": net.reader_a.pk,
                "record_id": walk.desk.held_record.pk,
                "pickup_service_point_id": a,
            },
            "desk_a",
            "desk_b",
        ),
        ("post", f"{v1}/holds/{{hold_id}}/cancel"): (
            {"hold_id": walk.desk.hold.pk},
            {"reason": "读者取消"},
            "desk_a",
            "desk_b",
        ),
        ("post", f"{v1}/holds/{{hold_id}}/pickup"): (
            {"hold_id": walk.waiting_hold.pk},
            {"pickup_service_point_id": b},
            "admin",
            "desk_b",
        ),
        ("put", f"{v1}/service-points/{{service_point_id}}/quarantine-policy"): (
            {"service_point_id": a},
            {"hours": 0},
            "manager_a",
            "desk_b",
        ),
        ("post", f"{v1}/transits"): (
            {},
            {"barcode": "C0000006", "to_service_point_id": b, "reason": "other"},
            "desk_a",
            "desk_b",
        ),
        ("post", f"{v1}/transits/receive"): (
            {},
            {"barcode": walk.incoming.barcode, "service_point_id": a},
            "desk_a",
            "desk_b",
        ),
        ("post", f"{v1}/closures"): (
            {},
            {
                "start_date": "2030-02-04",
                "end_date": "2030-02-05",
                "reason": "停电",
                "library_id": net.library_a.pk,
            },
            "manager_a",
            "desk_b",
        ),
        ("post", f"{v1}/service-modes"): (
            {},
            {"service_point_id": a, "mode": "closed_stack", "start_date": "2030-03-01"},
            "manager_a",
            "desk_b",
        ),
        ("post", f"{v1}/deposits"): (
            {},
            {
                "name": "流动图书室",
                "borrower_id": walk.desk.group.pk,
                "lent_from_id": a,
                "lent_on": "2030-01-02",
                "due_on": "2030-06-30",
            },
            "desk_a",
            "desk_b",
        ),
        ("post", f"{v1}/deposits/{{deposit_id}}/lend"): (
            {"deposit_id": walk.deposit.pk},
            {"barcodes": ["C0000008"]},
            "desk_a",
            "desk_b",
        ),
        ("post", f"{v1}/deposits/{{deposit_id}}/return"): (
            {"deposit_id": walk.deposit.pk},
            {"barcodes": []},
            "desk_a",
            "desk_b",
        ),
    }


def api_operations() -> list[tuple[str, str]]:
    """Every endpoint that writes (any method but GET) or shows readers' personal data
    (reader records, and a reader's loans and holds)."""
    paths = api.get_openapi_schema()["paths"]
    return [
        (method, path)
        for path, operations in paths.items()
        for method in operations
        if method != "get"
        or path.startswith("/api/v1/readers")
        or path.startswith("/api/v1/circulation/readers")
    ]


def test_the_walk_covers_every_api_endpoint_that_writes_or_shows_personal_data(
    net: Network,
) -> None:
    assert sorted(api_operations()) == sorted(api_table(net))


def _bearer(username: str) -> dict[str, str]:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    _token, plaintext = api_token_create(user=user, name="walk", actor=Actor.system())
    return {"Authorization": f"Bearer {plaintext}"}


def _call(client: Client, method: str, url: str, body: dict | None, headers: dict) -> Any:
    send = getattr(client, method)
    if body is None:
        return send(url, headers=headers)
    return send(url, body, content_type="application/json", headers=headers)


def test_api_refuses_everyone_but_staff_with_the_right_role_at_the_right_library(
    net: Network,
) -> None:
    table = api_table(net)
    staff_session = Client()
    staff_session.login(username="admin", password=PASSWORD)
    for method, path in api_operations():
        params, body, allowed, other_branch = table[(method, path)]
        url = path.format(**params)

        assert _call(Client(), method, url, body, {}).status_code == 401, url
        assert _call(reader_session(Client()), method, url, body, {}).status_code == 401, url
        # A staff browser session is not an API credential either.
        assert _call(staff_session, method, url, body, {}).status_code == 401, url
        assert _call(Client(), method, url, body, _bearer("no_role")).status_code == 403, url
        if other_branch is not None:
            refused = _call(Client(), method, url, body, _bearer(other_branch))
            assert refused.status_code in (403, 404), (url, refused.content)

        response = _call(Client(), method, url, body, _bearer(allowed))
        assert response.status_code in (200, 201), (url, response.content)


# Reader account pages (personal data): url name -> path parameters. POST-only actions on a
# loan or hold are walked in test_account_pages (another reader's object is a 404).
ACCOUNT_PUBLIC = {"web:account-login", "web:account-logout"}
ACCOUNT_ACTIONS = {"web:account-loan-renew", "web:account-hold-cancel", "web:account-hold-pickup"}


def account_routes() -> list[tuple[str, str]]:
    routes = walk(get_resolver().url_patterns)
    return [(r, n) for r, n in routes if r.startswith("account/") and n not in ACCOUNT_PUBLIC]


def test_reader_account_pages_need_the_readers_own_session(net: Network) -> None:
    names = {n for _r, n in account_routes()}
    assert names >= (
        {
            "web:account",
            "web:account-history",
            "web:account-fines",
            "web:account-profile",
            "web:account-data",
            "web:account-data-json",
        }
        | ACCOUNT_ACTIONS
    )
    reader = reader_session(Client())
    staff = Client()
    staff.login(username="admin", password=PASSWORD)
    for route, name in account_routes():
        url = fill(route, {"pk": 1})
        method = "post" if name in ACCOUNT_ACTIONS else "get"
        anonymous = getattr(Client(), method)(url)
        as_staff = getattr(staff, method)(url)
        assert anonymous.status_code == 302, url
        assert anonymous["Location"].startswith("/account/login/"), url
        assert as_staff.status_code == 302, url  # a staff login is not a reader session
        if method == "get":
            assert reader.get(url).status_code == 200, url
