"""The reader's account: loans with renewal, holds with cancel and pickup change, history,
fines, privacy choices, the personal data download; only ever the reader's own data; login
throttled per card number and per address."""

from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from shufang.catalogue.models import Item
from shufang.circulation.models import Fine, HoldStatus, Loan
from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.services.holds import hold_place
from shufang.core import throttle as core_throttle
from shufang.core.audit import Actor
from shufang.core.models import AuditEvent
from shufang.readers.models import ConsentKind
from shufang.readers.selectors import consent_in_force
from shufang.web.account import throttle as account_throttle
from shufang.web.tests.fixtures import READER_PIN, Network
from shufang.web.tests.opac_helpers import build_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


def login(card: str = "LJ0000001") -> Client:
    client = Client()
    response = client.post("/account/login/", {"card_number": card, "pin": READER_PIN})
    assert response.status_code == 302
    return client


def lend(net: Network, barcode: str, reader: object | None = None) -> Loan:
    return loan_checkout(
        item=Item.objects.get(barcode=barcode),
        reader=reader or net.reader_a,
        service_point=net.point_a,
        actor=Actor.system("tests"),
    )


def test_account_pages_need_a_login(net: Network) -> None:
    for path in (
        "/account/",
        "/account/history/",
        "/account/fines/",
        "/account/profile/",
        "/account/data/",
        "/account/data.json",
    ):
        response = Client().get(path)
        assert response.status_code == 302, path
        expected = (
            "/account/login/"
            if path == "/account/"
            else f"/account/login/?next={quote(path, safe='')}"
        )
        assert response["Location"] == expected


def test_reader_sees_their_loans_and_renews_one(net: Network) -> None:
    build_catalogue(net)
    loan = lend(net, "A0000001")
    client = login()

    page = client.get("/account/").content.decode()
    response = client.post(f"/account/loans/{loan.pk}/renew/", follow=True)

    loan.refresh_from_db()
    assert "丽江古城史话" in page and f'data-loan="{loan.pk}"' in page
    assert loan.renewals == 1
    assert f"{loan.due_at.astimezone().date():%Y-%m-%d}" in response.content.decode()
    assert (
        AuditEvent.objects.filter(
            action="loan.renew", actor_label=f"reader:{net.reader_a.pk}"
        ).count()
        == 1
    )


def test_renewal_refused_shows_the_reason_and_changes_nothing(net: Network) -> None:
    build_catalogue(net)
    loan = lend(net, "A0000001")
    client = login()
    client.post(f"/account/loans/{loan.pk}/renew/")
    loan.refresh_from_db()
    due = loan.due_at

    response = client.post(f"/account/loans/{loan.pk}/renew/", follow=True)

    loan.refresh_from_db()
    assert (loan.renewals, loan.due_at) == (1, due)
    assert 'class="error"' in response.content.decode()


def test_reader_cannot_renew_or_see_another_readers_loan(net: Network) -> None:
    build_catalogue(net)
    theirs = lend(net, "A0000002", reader=net.reader_b)
    client = login()

    page = client.get("/account/").content.decode()
    response = client.post(f"/account/loans/{theirs.pk}/renew/")

    theirs.refresh_from_db()
    assert response.status_code == 404
    assert theirs.renewals == 0
    assert "玉龙雪山植物志" not in page


def test_reader_changes_pickup_and_cancels_a_hold(net: Network) -> None:
    records = build_catalogue(net)
    hold = hold_place(
        reader=net.reader_a,
        record=records["纳西东巴文化研究"],
        pickup_service_point=net.point_a,
        actor=Actor.system("tests"),
        channel="opac",
    )
    client = login()

    client.post(f"/account/holds/{hold.pk}/pickup/", {"pickup": net.point_b.pk})
    hold.refresh_from_db()
    moved_to = hold.pickup_service_point_id
    client.post(f"/account/holds/{hold.pk}/cancel/")
    hold.refresh_from_db()

    assert moved_to == net.point_b.pk
    assert hold.status == HoldStatus.CANCELLED


def test_reader_cannot_cancel_another_readers_hold(net: Network) -> None:
    records = build_catalogue(net)
    theirs = hold_place(
        reader=net.reader_b,
        record=records["纳西东巴文化研究"],
        pickup_service_point=net.point_b,
        actor=Actor.system("tests"),
        channel="opac",
    )
    client = login()

    cancel = client.post(f"/account/holds/{theirs.pk}/cancel/")
    move = client.post(f"/account/holds/{theirs.pk}/pickup/", {"pickup": net.point_a.pk})

    theirs.refresh_from_db()
    assert (cancel.status_code, move.status_code) == (404, 404)
    assert (theirs.status, theirs.pickup_service_point_id) == (HoldStatus.WAITING, net.point_b.pk)


def test_history_is_shown_only_when_the_reader_keeps_it(net: Network) -> None:
    from shufang.circulation.services.checkin import loan_checkin

    build_catalogue(net)
    lend(net, "A0000003")
    loan_checkin(
        item=Item.objects.get(barcode="A0000003"),
        service_point=net.point_a,
        actor=Actor.system("tests"),
        channel="desk",
    )
    client = login()

    before = client.get("/account/history/").content.decode()
    client.post("/account/profile/", {ConsentKind.KEEP_LOAN_HISTORY: "on"})
    after = client.get("/account/history/").content.decode()

    assert "纳西东巴文化研究" not in before
    assert "纳西东巴文化研究" in after
    assert consent_in_force(reader=net.reader_a, kind=ConsentKind.KEEP_LOAN_HISTORY) is True
    assert consent_in_force(reader=net.reader_a, kind=ConsentKind.NAMED_IN_RANKINGS) is False


def test_fines_page_lists_the_readers_own_fines(net: Network) -> None:
    Fine.objects.create(reader=net.reader_a, amount="1.50", note="逾期")
    Fine.objects.create(reader=net.reader_b, amount="9.90", note="别人的")
    client = login()

    html = client.get("/account/fines/").content.decode()

    assert '<strong id="fines-outstanding">1.50</strong>' in html
    assert "9.90" not in html


def test_data_download_has_everything_about_the_reader_and_is_logged(net: Network) -> None:
    build_catalogue(net)
    lend(net, "A0000001")
    lend(net, "A0000002", reader=net.reader_b)
    client = login()

    response = client.get("/account/data.json")
    html = client.get("/account/data/").content.decode()

    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith('attachment; filename="shufang-my-data-')
    assert data["reader"]["name"] == "和丽梅"
    assert data["reader"]["id_number_masked"] == "5307**********1234"
    assert "pin_hash" not in data["reader"] and "id_number_encrypted" not in data["reader"]
    assert [row["number"] for row in data["sections"]["readers.card"]["rows"]] == ["LJ0000001"]
    assert [row["item"] for row in data["sections"]["circulation.loan"]["rows"]] == ["A0000001"]
    assert "杨建国" not in response.content.decode("utf-8") and "A0000002" not in html
    events = AuditEvent.objects.filter(
        action="reader.personal_data_viewed", object_id=str(net.reader_a.pk)
    )
    assert sorted(e.changes["purpose"] for e in events) == [
        "reader download (html)",
        "reader download (json)",
    ]


def test_login_is_refused_after_five_failures_for_a_card(net: Network) -> None:
    client = Client()
    for _ in range(5):
        failed = client.post("/account/login/", {"card_number": "LJ0000001", "pin": "0000"})
        assert failed.status_code == 200

    refused = client.post("/account/login/", {"card_number": "LJ0000001", "pin": READER_PIN})
    other_card = Client(REMOTE_ADDR="10.0.0.9").post(
        "/account/login/", {"card_number": "NL0000001", "pin": READER_PIN}
    )

    assert refused.status_code == 429
    assert (
        "Too many failed attempts" in refused.content.decode() or "次" in refused.content.decode()
    )
    assert "shufang_reader_id" not in client.session
    assert other_card.status_code == 302


def test_login_is_refused_after_five_failures_from_one_address(net: Network) -> None:
    client = Client(REMOTE_ADDR="10.0.0.7")
    for n in range(5):
        client.post("/account/login/", {"card_number": f"XX{n:07d}", "pin": "0000"})

    refused = client.post("/account/login/", {"card_number": "LJ0000001", "pin": READER_PIN})
    elsewhere = Client(REMOTE_ADDR="10.0.0.8").post(
        "/account/login/", {"card_number": "LJ0000001", "pin": READER_PIN}
    )

    assert refused.status_code == 429
    assert elsewhere.status_code == 302


def test_login_block_lasts_fifteen_minutes_from_the_first_failure(
    net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: five failures for one card, the first at 10:00, the others at 10:10
    clock = [1_800_000_000.0]
    monkeypatch.setattr(core_throttle, "time", SimpleNamespace(time=lambda: clock[0]))
    client = Client(REMOTE_ADDR="10.0.0.5")
    client.post("/account/login/", {"card_number": "LJ0000001", "pin": "0000"})
    clock[0] += 10 * 60
    for _ in range(4):
        client.post("/account/login/", {"card_number": "LJ0000001", "pin": "0000"})

    # when: the right PIN is tried just before and just after 10:15
    clock[0] += 5 * 60 - 1
    before = Client(REMOTE_ADDR="10.0.0.6").post(
        "/account/login/", {"card_number": "LJ0000001", "pin": READER_PIN}
    )
    clock[0] += 2
    after = Client(REMOTE_ADDR="10.0.0.6").post(
        "/account/login/", {"card_number": "LJ0000001", "pin": READER_PIN}
    )

    # then: refused until 15 minutes after the first failure, then let in
    assert before.status_code == 429
    assert after.status_code == 302


def test_failure_counts_are_kept_in_the_cache_for_the_whole_window(net: Network) -> None:
    # given/when: two failures for one card (the second used to reset the cache timeout)
    client = Client(REMOTE_ADDR="10.0.0.5")
    started = timezone.now()
    for _ in range(2):
        client.post("/account/login/", {"card_number": "LJ0000001", "pin": "0000"})

    # then: the database cache keeps both entries for 15 minutes, not the 5-minute default
    keys = [cache.make_key(k) for k in account_throttle._keys("LJ0000001", "10.0.0.5")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM shufang_cache WHERE cache_key IN (%s, %s)", keys)
        expiries = [row[0] for row in cursor.fetchall()]
    assert len(expiries) == 2
    for expires in expiries:
        if timezone.is_naive(expires):
            expires = timezone.make_aware(expires, dt.UTC)
        assert expires >= started + dt.timedelta(minutes=14, seconds=50)


def test_privacy_choice_named_in_rankings_is_saved(net: Network) -> None:
    client = login()

    client.post("/account/profile/", {ConsentKind.NAMED_IN_RANKINGS: "on"})
    html = client.get("/account/profile/").content.decode()

    assert consent_in_force(reader=net.reader_a, kind=ConsentKind.NAMED_IN_RANKINGS) is True
    assert re.search(rf'id="consent-{ConsentKind.NAMED_IN_RANKINGS}" checked', html)
