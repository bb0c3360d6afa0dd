"""Fines at the desk: the reader panel offers pay (whole or part), pay an amount towards all
fines, and waive (managers); a refusal is a message and nothing changes."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from shufang.circulation.models import Fine, FineStatus
from shufang.circulation.services.payments import PaymentOverBalance
from shufang.web.tests.fixtures import PASSWORD, Network

pytestmark = pytest.mark.django_db
FINES = "/staff/circulation/fines/"


def desk_with_reader(username: str) -> Client:
    client = Client()
    client.login(username=username, password=PASSWORD)
    response = client.post("/staff/circulation/", {"scan": "LJ0000001"})
    assert response.status_code == 200
    return client


@pytest.fixture
def fine(net: Network) -> Fine:
    return Fine.objects.create(reader=net.reader_a, amount=Decimal("2.40"))


def test_the_reader_panel_offers_pay_but_not_waive_to_a_clerk(fine: Fine) -> None:
    html = desk_with_reader("desk_a").get(FINES).content.decode()

    assert f'data-fine="{fine.pk}"' in html
    assert 'class="fine-pay"' in html
    assert 'class="fine-waive"' not in html


def test_a_clerk_takes_part_of_a_fine_and_the_rest_stays_outstanding(fine: Fine) -> None:
    client = desk_with_reader("desk_a")

    response = client.post(
        FINES, {"action": "pay", "fine": fine.pk, "amount": "1.00", "payment_type": "wechat"}
    )

    assert response.status_code == 302
    fine.refresh_from_db()
    assert (fine.status, fine.amount) == (FineStatus.PAID, Decimal("1.00"))
    rest = Fine.objects.get(status=FineStatus.OUTSTANDING)
    assert rest.amount == Decimal("1.40")


def test_paying_more_than_is_owed_is_refused_with_a_message(fine: Fine) -> None:
    client = desk_with_reader("desk_a")

    response = client.post(FINES, {"action": "pay_all", "amount": "9.99"}, follow=True)

    html = response.content.decode()
    lang = re.search(r'<html lang="([^"]+)"', html)
    with translation.override(lang.group(1) if lang else "zh-hans"):
        assert escape(str(PaymentOverBalance.default_message)) in html
    fine.refresh_from_db()
    assert (fine.status, fine.amount) == (FineStatus.OUTSTANDING, Decimal("2.40"))
    assert Fine.objects.count() == 1


def test_a_clerk_cannot_waive_by_posting_the_form(fine: Fine) -> None:
    client = desk_with_reader("desk_a")

    client.post(FINES, {"action": "waive", "fine": fine.pk, "reason": "goodwill"})

    fine.refresh_from_db()
    assert fine.status == FineStatus.OUTSTANDING


def test_a_manager_waives_a_fine_with_a_reason(fine: Fine) -> None:
    client = desk_with_reader("manager_a")
    assert 'class="fine-waive"' in client.get(FINES).content.decode()

    client.post(FINES, {"action": "waive", "fine": fine.pk, "reason": "闭馆期间逾期"})

    fine.refresh_from_db()
    assert (fine.status, fine.note) == (FineStatus.WAIVED, "waived: 闭馆期间逾期")
