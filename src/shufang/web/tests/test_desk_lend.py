"""The lend screen: a card brings up the reader, each item is previewed before it is lent
(blocks shown first), managers may override with a confirm step; renew and holds."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from shufang.circulation.models import Hold, HoldStatus, Loan, LoanStatus
from shufang.core.audit import Actor
from shufang.core.models import AuditEvent
from shufang.web.tests.desk_fixtures import Desk, build_desk
from shufang.web.tests.fixtures import PASSWORD, Network

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
LEND = "/staff/circulation/"


@pytest.fixture
def desk(net: Network) -> Desk:
    return build_desk(net)


def staff(username: str) -> Client:
    client = Client()
    # these tests read the English interface; the browser test reads the Chinese one
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.login(username=username, password=PASSWORD)
    return client


def scan(client: Client, value: str, url: str = LEND, **extra: object) -> str:
    response = client.post(url, {"scan": value, **extra}, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_scanning_a_card_shows_the_reader_panel_and_records_the_personal_data_view(
    desk: Desk,
) -> None:
    client = staff("desk_a")

    html = scan(client, "LJ0000001")

    assert 'id="reader-name">和丽梅<' in html
    assert "5307**********1234" in html
    assert "530702199001011234" not in html
    assert "LJ0000001" in html and "2099-12-31" in html
    event = AuditEvent.objects.get(action="reader.personal_data_viewed")
    assert (event.object_id, event.actor_label, event.changes["purpose"]) == (
        str(desk.net.reader_a.pk),
        "desk_a",
        "circulation desk",
    )


def test_a_visiting_reader_is_served_with_a_masked_name_and_no_personal_data(
    desk: Desk,
) -> None:
    client = staff("desk_b")  # Ninglang's desk; 和丽梅 belongs to the city library

    html = scan(client, "LJ0000001")

    assert 'id="reader-name">和*梅<' in html
    assert "5307**********1234" not in html
    assert AuditEvent.objects.filter(action="reader.personal_data_viewed").count() == 0


def test_scanning_an_item_lends_it_and_shows_the_due_date_and_the_rule(desk: Desk) -> None:
    client = staff("desk_a")
    scan(client, "LJ0000001")

    html = scan(client, "C0000001")

    loan = Loan.objects.get(item=desk.net.item, status=LoanStatus.ACTIVE)
    assert loan.reader == desk.net.reader_a
    assert loan.staff is not None and loan.staff.username == "desk_a"
    assert f"<strong>{loan.due_at.astimezone():%Y-%m-%d}</strong>" in html
    assert 'data-kind="lent"' in html
    assert "No rule matches; the built-in defaults apply." in html
    # the reader's loans are updated in the same answer
    assert 'id="reader-circ" hx-swap-oob="true"' in html
    assert 'data-barcode="C0000001"><td class="mono">C0000001' in html


def test_an_item_on_hold_for_another_reader_is_refused_before_lending(desk: Desk) -> None:
    client = staff("desk_a")
    scan(client, "LJ0000001")
    audit_before = AuditEvent.objects.count()

    html = scan(client, "C0000003")

    assert 'data-kind="blocked"' in html
    assert 'data-code="item_on_hold_for_another"' in html
    assert "A manager may override this." in html
    assert "data-desk-confirm" not in html
    assert Loan.objects.filter(item=desk.held_item).count() == 0
    desk.held_item.refresh_from_db()
    assert desk.held_item.status == "on_hold_shelf"
    assert AuditEvent.objects.count() == audit_before


def test_desk_staff_cannot_force_an_override_they_may_not_give(desk: Desk) -> None:
    client = staff("desk_a")
    scan(client, "LJ0000001")

    html = scan(client, "C0000003", override="item_on_hold_for_another")

    assert 'data-kind="blocked"' in html
    assert Loan.objects.filter(item=desk.held_item).count() == 0


def test_a_manager_overrides_a_block_after_confirming_and_the_override_is_recorded(
    desk: Desk,
) -> None:
    client = staff("manager_a")
    scan(client, "LJ0000001")
    first = scan(client, "C0000003")
    assert "You may override this." in first
    assert 'name="override" value="item_on_hold_for_another"' in first
    assert Loan.objects.filter(item=desk.held_item).count() == 0

    confirmed = scan(client, "C0000003", override="item_on_hold_for_another")

    loan = Loan.objects.get(item=desk.held_item)
    assert loan.reader == desk.net.reader_a
    assert loan.overrides == ["item_on_hold_for_another"]
    assert 'data-kind="lent"' in confirmed
    event = AuditEvent.objects.get(action="loan.checkout", object_id=str(loan.pk))
    assert (event.actor_label, event.changes["overrides"]) == (
        "manager_a",
        ["item_on_hold_for_another"],
    )


def test_an_item_scanned_before_any_card_asks_for_the_card(desk: Desk) -> None:
    html = scan(staff("desk_a"), "C0000001")

    assert "Scan the reader&#x27;s card first: C0000001 is not a card." in html
    assert Loan.objects.count() == 0


def test_escape_ends_the_reader(desk: Desk) -> None:
    client = staff("desk_a")
    scan(client, "LJ0000001")

    response = client.post(LEND, {"done": "1"}, headers=HTMX)

    assert 'id="no-reader"' in response.content.decode()
    assert "desk_reader_id" not in client.session


def test_the_reader_panel_needs_a_bounded_number_of_queries(
    desk: Desk, django_assert_max_num_queries: object
) -> None:
    client = staff("desk_a")
    for barcode in ("C0000001", "C0000002"):
        from shufang.catalogue.models import Item
        from shufang.circulation.services.checkout import loan_checkout

        loan_checkout(
            item=Item.objects.get(barcode=barcode),
            reader=desk.net.reader_a,
            service_point=desk.net.point_a,
            actor=Actor.system("tests"),
        )
    client.get(LEND)  # session and desk point settle

    with django_assert_max_num_queries(20):  # type: ignore[operator]
        html = scan(client, "LJ0000001")

    assert html.count('<tr class="" data-barcode=') == 2


def test_renew_all_renews_and_lists_the_refusals_with_their_reasons(desk: Desk) -> None:
    from shufang.catalogue.models import Item
    from shufang.circulation.services.checkout import loan_checkout
    from shufang.circulation.services.renew import loan_renew

    actor = Actor.system("tests")
    first = loan_checkout(
        item=desk.net.item, reader=desk.net.reader_a, service_point=desk.net.point_a, actor=actor
    )
    second = loan_checkout(
        item=Item.objects.get(barcode="C0000002"),
        reader=desk.net.reader_a,
        service_point=desk.net.point_a,
        actor=actor,
    )
    loan_renew(loan=second, actor=actor, channel="desk")  # the one renewal allowed is used
    second.refresh_from_db()
    client = staff("desk_a")
    scan(client, "LJ0000001")

    response = client.post("/staff/circulation/renew/", {"all": "1"}, headers=HTMX)

    html = response.content.decode()
    first.refresh_from_db()
    assert first.renewals == 1
    assert Loan.objects.get(pk=second.pk).due_at == second.due_at
    assert 'data-barcode="C0000001" data-kind="renewed"' in html
    assert 'data-barcode="C0000002" data-kind="blocked"' in html
    assert 'data-code="renewal_not_allowed"' in html


def test_scanning_an_item_on_the_renew_screen_renews_that_loan(desk: Desk) -> None:
    from shufang.circulation.services.checkout import loan_checkout

    loan = loan_checkout(
        item=desk.net.item,
        reader=desk.net.reader_a,
        service_point=desk.net.point_a,
        actor=Actor.system("tests"),
    )
    client = staff("desk_a")
    scan(client, "LJ0000001")

    html = scan(client, "C0000001", url="/staff/circulation/renew/")

    renewed = Loan.objects.get(pk=loan.pk)
    assert renewed.renewals == 1
    assert f"<strong>{renewed.due_at.astimezone():%Y-%m-%d}</strong>" in html


def test_a_hold_is_placed_from_a_title_search_and_cancelled(desk: Desk) -> None:
    client = staff("desk_a")
    scan(client, "LJ0000001")
    found = client.get("/staff/circulation/holds/", {"q": "9787020008735"})
    assert "三国演义" in found.content.decode()

    client.post(
        "/staff/circulation/holds/?q=9787020008735",
        {"record": desk.held_record.pk, "pickup": desk.net.point_a.pk},
    )

    hold = Hold.objects.get(reader=desk.net.reader_a)
    assert (hold.record, hold.pickup_service_point, hold.status) == (
        desk.held_record,
        desk.net.point_a,
        HoldStatus.WAITING,
    )

    client.post("/staff/circulation/holds/", {"action": "cancel", "hold": hold.pk})

    hold.refresh_from_db()
    assert hold.status == HoldStatus.CANCELLED
    assert Hold.objects.get(pk=desk.hold.pk).status == HoldStatus.READY  # another's untouched
