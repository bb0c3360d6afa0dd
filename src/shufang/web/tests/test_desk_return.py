"""The return screen's routing messages (shelf, quarantine, hold for X at Y, send to Z), and
the desk's lists."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from shufang.catalogue.models import Item
from shufang.circulation.models import HoldStatus, Loan, LoanStatus
from shufang.circulation.services.checkout import loan_checkout
from shufang.core.audit import Actor
from shufang.web.tests.desk_fixtures import Desk, build_desk
from shufang.web.tests.fixtures import PASSWORD, Network

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
RETURN = "/staff/circulation/return/"


@pytest.fixture
def desk(net: Network) -> Desk:
    return build_desk(net)


def staff(username: str) -> Client:
    client = Client()
    # these tests read the English interface; the browser test reads the Chinese one
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.login(username=username, password=PASSWORD)
    return client


def lend(desk: Desk, barcode: str, reader: object = None) -> Loan:
    return loan_checkout(
        item=Item.objects.get(barcode=barcode),
        reader=reader or desk.net.reader_a,
        service_point=desk.net.point_a,
        actor=Actor.system("tests"),
    )


def return_scan(client: Client, barcode: str) -> str:
    response = client.post(RETURN, {"scan": barcode}, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def routing_of(html: str) -> str:
    return html.split('<div class="routing">', 1)[1].split("</div>", 1)[0]


def test_a_book_returned_at_home_goes_to_the_shelf(desk: Desk) -> None:
    loan = lend(desk, "C0000001")

    html = return_scan(staff("desk_a"), "C0000001")

    assert 'class="returned route-shelf"' in html
    assert routing_of(html) == "To the shelf: 成人外借 I242.4/1"
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.RETURNED


def test_a_book_returned_at_another_library_goes_into_the_transit_crate_home(
    desk: Desk,
) -> None:
    lend(desk, "C0000001")

    html = return_scan(staff("desk_b"), "C0000001")

    assert 'class="returned route-transit"' in html
    assert "总馆" in routing_of(html)


def test_a_book_another_reader_waits_for_is_set_aside_with_the_masked_name(desk: Desk) -> None:
    from shufang.circulation.services.holds import hold_place

    lend(desk, "C0000001")
    lend(desk, "C0000002")
    hold = hold_place(
        reader=desk.net.reader_b,
        record=desk.net.record,
        pickup_service_point=desk.net.point_a,
        actor=Actor.system("tests"),
        channel="desk",
    )

    html = return_scan(staff("desk_a"), "C0000001")

    assert 'class="returned route-hold"' in html
    assert "杨*国" in routing_of(html) and "杨建国" not in html
    hold.refresh_from_db()
    assert hold.status == HoldStatus.READY


def test_with_a_quarantine_policy_a_returned_book_goes_to_quarantine(desk: Desk) -> None:
    from shufang.circulation.services.quarantine import quarantine_policy_set

    quarantine_policy_set(service_point=desk.net.point_a, hours=72, actor=Actor.system("tests"))
    lend(desk, "C0000001")
    client = staff("desk_a")

    html = return_scan(client, "C0000001")

    assert 'class="returned route-quarantine"' in html
    assert Item.objects.get(barcode="C0000001").status == "in_quarantine"
    listed = client.get("/staff/circulation/quarantine/").content.decode()
    assert '<td class="mono">C0000001</td>' in listed


def test_an_unknown_barcode_is_reported_and_changes_nothing(desk: Desk) -> None:
    lend(desk, "C0000001")

    html = return_scan(staff("desk_a"), "X999")

    assert 'data-kind="error"' in html and "X999" in html
    assert Loan.objects.filter(status=LoanStatus.ACTIVE).count() == 1


def test_a_return_scan_needs_a_bounded_number_of_queries(
    desk: Desk, django_assert_max_num_queries: object
) -> None:
    lend(desk, "C0000001")
    client = staff("desk_a")
    client.get(RETURN)

    with django_assert_max_num_queries(30):  # type: ignore[operator]
        html = return_scan(client, "C0000001")

    assert 'data-kind="returned"' in html


def test_the_hold_shelf_lists_what_waits_and_what_expires_today(desk: Desk) -> None:
    from django.utils import timezone

    client = staff("desk_a")

    everything = client.get("/staff/circulation/hold-shelf/").content.decode()
    desk.hold.__class__.objects.filter(pk=desk.hold.pk).update(
        shelf_expires_on=timezone.localdate()
    )
    expiring = client.get("/staff/circulation/hold-shelf/?expiring=1").content.decode()

    assert '<td class="mono">C0000003</td><td>三国演义</td><td>杨建国</td>' in everything
    assert '<td class="mono">C0000003</td>' in expiring


def test_the_pick_list_lists_copies_to_fetch_by_call_number(desk: Desk) -> None:
    from shufang.circulation.services.holds import hold_place

    hold_place(
        reader=desk.net.reader_b,
        record=desk.net.record,
        pickup_service_point=desk.net.point_a,
        actor=Actor.system("tests"),
        channel="desk",
    )

    html = staff("desk_a").get("/staff/circulation/pick-list/").content.decode()

    assert '<td class="mono">I242.4/1</td><td class="mono">C0000001</td>' in html


def test_incoming_transits_are_listed_and_received_by_scanning(desk: Desk) -> None:
    from shufang.circulation.services.transits import transit_send

    transit_send(
        item=desk.net.item,
        to_service_point=desk.net.point_b,
        reason="other",
        actor=Actor.system("tests"),
    )
    client = staff("desk_b")
    listed = client.get("/staff/circulation/transits/").content.decode()
    assert '<td class="mono">C0000001</td>' in listed

    client.post("/staff/circulation/transits/", {"scan": "C0000001"})

    assert (
        '<td class="mono">C0000001</td>'
        not in client.get("/staff/circulation/transits/").content.decode()
    )
    assert Item.objects.get(barcode="C0000001").current_service_point == desk.net.point_b
