"""The circulation API: each endpoint answers its allowed caller, refuses without a token
(401), outside the caller's place (403), and turns a rule's refusal into 409 with the
block's stable code, translated message and `overridable`."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from shufang.api.tests.helpers import ApiClient
from shufang.catalogue.models import Item
from shufang.circulation.models import (
    Closure,
    Hold,
    HoldStatus,
    Loan,
    LoanStatus,
    ServiceModePeriod,
    Transit,
)
from shufang.core.models import AuditEvent
from shufang.web.tests.desk_fixtures import Walk, build_walk
from shufang.web.tests.fixtures import Network

pytestmark = pytest.mark.django_db
V1 = "/api/v1/circulation"


@pytest.fixture
def walk(net: Network) -> Walk:
    return build_walk(net)


def test_checkout_needs_a_token(walk: Walk) -> None:
    response = Client().post(
        f"{V1}/checkout",
        {"barcode": "C0000001", "service_point_id": walk.desk.net.point_a.pk, "reader_id": 1},
        content_type="application/json",
    )

    assert response.status_code == 401
    assert Loan.objects.filter(item__barcode="C0000001").count() == 0


def test_checkout_by_card_number_lends_and_answers_201(walk: Walk) -> None:
    net = walk.desk.net

    response = ApiClient("desk_a").post(
        f"{V1}/checkout",
        {"barcode": "C0000001", "service_point_id": net.point_a.pk, "card_number": "LJ0000001"},
    )

    assert response.status_code == 201
    body = response.json()
    loan = Loan.objects.get(pk=body["id"])
    assert (body["barcode"], body["reader_id"], body["status"], body["channel"]) == (
        "C0000001",
        net.reader_a.pk,
        "active",
        "desk",
    )
    assert loan.item == net.item
    assert AuditEvent.objects.get(action="loan.checkout", object_id=str(loan.pk)).channel == "api"


def test_checkout_at_another_library_is_forbidden_and_lends_nothing(walk: Walk) -> None:
    net = walk.desk.net

    response = ApiClient("desk_b").post(
        f"{V1}/checkout",
        {"barcode": "C0000001", "service_point_id": net.point_a.pk, "reader_id": net.reader_a.pk},
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Loan.objects.filter(item=net.item).count() == 0


def test_a_block_is_409_with_its_code_and_overridable_and_nothing_is_lent(walk: Walk) -> None:
    net = walk.desk.net
    body = {"barcode": "C0000003", "service_point_id": net.point_a.pk, "reader_id": net.reader_a.pk}

    client = ApiClient("desk_a")
    client.client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)  # no language chosen

    response = client.post(f"{V1}/checkout", body)

    assert response.status_code == 409
    assert response.json()["code"] == "item_on_hold_for_another"
    assert response.json()["overridable"] is True
    assert response.json()["message"] == "该复本已为其他读者预留。"  # Chinese by default
    assert Loan.objects.filter(item=walk.desk.held_item).count() == 0


def test_a_block_message_follows_the_callers_chosen_language(walk: Walk) -> None:
    net = walk.desk.net
    body = {"barcode": "C0000003", "service_point_id": net.point_a.pk, "reader_id": net.reader_a.pk}
    api = ApiClient("desk_a")
    api.client.cookies["django_language"] = "en"

    response = api.post(f"{V1}/checkout", body)

    assert response.json()["message"] == "This item is on hold for another reader."


def test_a_manager_overrides_a_block_and_the_override_is_recorded(walk: Walk) -> None:
    net = walk.desk.net
    body = {
        "barcode": "C0000003",
        "service_point_id": net.point_a.pk,
        "reader_id": net.reader_a.pk,
        "override": ["item_on_hold_for_another"],
    }

    refused = ApiClient("desk_a").post(f"{V1}/checkout", body)
    lent = ApiClient("manager_a").post(f"{V1}/checkout", body)

    assert refused.status_code == 409
    assert lent.status_code == 201
    assert lent.json()["overrides"] == ["item_on_hold_for_another"]
    assert Loan.objects.get(item=walk.desk.held_item).overrides == ["item_on_hold_for_another"]


def test_preview_shows_the_due_date_the_rule_and_the_blocks_without_lending(walk: Walk) -> None:
    net = walk.desk.net

    response = ApiClient("desk_a").post(
        f"{V1}/checkout/preview",
        {"barcode": "C0000003", "service_point_id": net.point_a.pk, "reader_id": net.reader_a.pk},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["explanation"] == "No rule matches; the built-in defaults apply."
    assert body["blocks"] == [
        {
            "code": "item_on_hold_for_another",
            "message": "This item is on hold for another reader.",
            "overridable": True,
        }
    ]
    assert Loan.objects.filter(item=walk.desk.held_item).count() == 0


def test_checkin_returns_the_routing(walk: Walk) -> None:
    net = walk.desk.net

    response = ApiClient("desk_b").post(
        f"{V1}/checkin", {"barcode": "C0000004", "service_point_id": net.point_b.pk}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["loan_id"] == walk.renewable.pk
    assert (body["routing"]["action"], body["routing"]["destination_id"]) == (
        "transit",
        net.point_a.pk,
    )
    assert Loan.objects.get(pk=walk.renewable.pk).status == LoanStatus.RETURNED


def test_renew_moves_the_due_date_and_a_second_renewal_is_409(walk: Walk) -> None:
    api = ApiClient("desk_a")
    url = f"{V1}/loans/{walk.renewable.pk}/renew"

    first = api.post(url, {})
    second = api.post(url, {})

    assert first.status_code == 200 and first.json()["renewals"] == 1
    assert second.status_code == 409
    assert (second.json()["code"], second.json()["overridable"]) == ("renewal_not_allowed", True)
    assert Loan.objects.get(pk=walk.renewable.pk).renewals == 1


def test_renew_elsewhere_is_forbidden(walk: Walk) -> None:
    response = ApiClient("desk_b").post(f"{V1}/loans/{walk.renewable.pk}/renew", {})

    assert response.status_code == 403
    assert Loan.objects.get(pk=walk.renewable.pk).renewals == 0


def test_renew_all_lists_renewed_and_refused(walk: Walk) -> None:
    net = walk.desk.net
    api = ApiClient("desk_a")
    api.post(f"{V1}/loans/{walk.renewable.pk}/renew", {})
    api.post(
        f"{V1}/checkout",
        {"barcode": "C0000001", "service_point_id": net.point_a.pk, "reader_id": net.reader_a.pk},
    )

    response = api.post(f"{V1}/readers/{net.reader_a.pk}/renew-all", {})

    body = response.json()
    assert [loan["barcode"] for loan in body["renewed"]] == ["C0000001"]
    assert [(r["barcode"], r["code"]) for r in body["refused"]] == [
        ("C0000004", "renewal_not_allowed")
    ]


def test_reader_loans_are_shown_only_where_the_reader_may_be_seen(walk: Walk) -> None:
    url = f"{V1}/readers/{walk.desk.net.reader_a.pk}/loans"

    mine = ApiClient("desk_a").get(url)
    other = ApiClient("desk_b").get(url)

    assert [loan["barcode"] for loan in mine.json()] == ["C0000004"]
    assert other.status_code == 403


def test_holds_are_placed_moved_and_cancelled(walk: Walk) -> None:
    net = walk.desk.net
    admin = ApiClient("admin")

    placed = admin.post(
        f"{V1}/holds",
        {
            "reader_id": net.reader_a.pk,
            "record_id": walk.desk.held_record.pk,
            "pickup_service_point_id": net.point_a.pk,
        },
    )
    moved = admin.post(
        f"{V1}/holds/{walk.waiting_hold.pk}/pickup", {"pickup_service_point_id": net.point_b.pk}
    )
    cancelled = admin.post(f"{V1}/holds/{placed.json()['id']}/cancel", {"reason": "不需要了"})

    assert placed.status_code == 201 and placed.json()["status"] == "waiting"
    assert moved.json()["pickup_service_point_id"] == net.point_b.pk
    assert cancelled.json()["status"] == "cancelled"
    assert Hold.objects.get(pk=placed.json()["id"]).close_reason == "不需要了"


def test_a_hold_for_pickup_at_another_library_is_forbidden_to_desk_staff(walk: Walk) -> None:
    net = walk.desk.net
    before = Hold.objects.count()

    response = ApiClient("desk_a").post(
        f"{V1}/holds",
        {
            "reader_id": net.reader_a.pk,
            "record_id": walk.desk.held_record.pk,
            "pickup_service_point_id": net.point_b.pk,
        },
    )

    assert response.status_code == 403
    assert Hold.objects.count() == before


def test_the_hold_shelf_pick_list_transits_and_quarantine_lists(walk: Walk) -> None:
    net = walk.desk.net
    api = ApiClient("desk_a")
    a = net.point_a.pk

    shelf = api.get(f"{V1}/service-points/{a}/hold-shelf").json()
    incoming = api.get(f"{V1}/service-points/{a}/transits").json()
    picks = api.get(f"{V1}/service-points/{a}/pick-list").json()
    quarantine = api.get(f"{V1}/service-points/{a}/quarantine").json()
    refused = ApiClient("desk_b").get(f"{V1}/service-points/{a}/hold-shelf")

    assert [(h["trapped_barcode"], h["reader_name_masked"]) for h in shelf] == [
        ("C0000003", "杨*国")
    ]
    assert [t["barcode"] for t in incoming] == ["C0000007"]
    assert picks == []
    assert quarantine == []
    assert refused.status_code == 403


def test_transits_are_sent_and_received(walk: Walk) -> None:
    net = walk.desk.net

    sent = ApiClient("desk_a").post(
        f"{V1}/transits",
        {"barcode": "C0000006", "to_service_point_id": net.point_b.pk, "reason": "other"},
    )
    received = ApiClient("desk_a").post(
        f"{V1}/transits/receive", {"barcode": "C0000007", "service_point_id": net.point_a.pk}
    )

    assert sent.status_code == 201
    assert Transit.objects.get(pk=sent.json()["id"]).item.barcode == "C0000006"
    assert received.status_code == 200
    assert received.json()["routing"]["action"] == "transit"  # C0000007 belongs to Ninglang


def test_a_closure_is_declared_by_a_manager_and_refused_to_desk_staff(walk: Walk) -> None:
    net = walk.desk.net
    body = {
        "start_date": "2030-02-04",
        "end_date": "2030-02-05",
        "reason": "停电",
        "library_id": net.library_a.pk,
    }

    refused = ApiClient("desk_a").post(f"{V1}/closures", body)
    assert Closure.objects.count() == 0
    declared = ApiClient("manager_a").post(f"{V1}/closures", body)

    assert refused.status_code == 403
    assert declared.status_code == 201
    assert (declared.json()["loans_moved"], declared.json()["holds_moved"]) == (0, 0)


def test_a_service_mode_is_set_and_read(walk: Walk) -> None:
    a = walk.desk.net.point_a.pk

    created = ApiClient("manager_a").post(
        f"{V1}/service-modes",
        {"service_point_id": a, "mode": "closed_stack", "start_date": "2030-03-01"},
    )
    read = ApiClient("desk_a").get(f"{V1}/service-points/{a}/mode", {"day": "2030-03-02"})

    assert created.status_code == 201
    assert ServiceModePeriod.objects.get().mode == "closed_stack"
    assert read.json()["mode"] == "closed_stack"


def test_a_deposit_is_created_lent_and_returned_with_its_discrepancies(walk: Walk) -> None:
    net = walk.desk.net
    api = ApiClient("desk_a")

    created = api.post(
        f"{V1}/deposits",
        {
            "name": "流动图书室",
            "borrower_id": walk.desk.group.pk,
            "lent_from_id": net.point_a.pk,
            "lent_on": "2030-01-02",
            "due_on": "2030-06-30",
        },
    )
    deposit_id = walk.deposit.pk
    lent = api.post(f"{V1}/deposits/{deposit_id}/lend", {"barcodes": ["C0000008", "C0000003"]})
    returned = api.post(f"{V1}/deposits/{deposit_id}/return", {"barcodes": ["NOPE"]})

    assert created.status_code == 201
    assert lent.json()["lent"] == ["C0000008"]
    assert [r["barcode"] for r in lent.json()["refused"]] == ["C0000003"]
    assert returned.json()["missing"] == ["C0000008"]
    assert returned.json()["unknown"] == ["NOPE"]
    assert returned.json()["complete"] is False


def test_the_quarantine_policy_is_set_by_a_manager(walk: Walk) -> None:
    from shufang.circulation.models import QuarantinePolicy

    a = walk.desk.net.point_a.pk

    refused = ApiClient("desk_a").put(f"{V1}/service-points/{a}/quarantine-policy", {"hours": 72})
    set_ = ApiClient("manager_a").put(f"{V1}/service-points/{a}/quarantine-policy", {"hours": 72})

    assert refused.status_code == 403
    assert set_.json() == {"service_point_id": a, "hours": 72}
    assert QuarantinePolicy.objects.get(service_point_id=a).hours == 72
    assert Item.objects.get(barcode="C0000001").status == "available"
    assert Hold.objects.get(pk=walk.desk.hold.pk).status == HoldStatus.READY
