"""Donations: donors (anonymous allowed), items with condition and decision, certificate."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from shufang.acquisitions.certificates import certificate_docx, certificate_values
from shufang.acquisitions.models import DonationDecision
from shufang.acquisitions.services.donations import (
    DonatedItemIn,
    donated_item_decide,
    donation_record,
    donor_create,
)
from shufang.catalogue.models import AcquisitionSource, Item
from shufang.core.exceptions import InvalidTransition, ValidationFailed
from shufang.network.models import ServicePoint

pytestmark = pytest.mark.django_db


def _donation(acq, donor):
    return donation_record(
        donor=donor,
        library=acq.net.library_a,
        received_on=dt.date(2020, 4, 23),
        items=[
            DonatedItemIn(title="纳西族东巴文化", isbn="9787222034457", copies=2, condition="new"),
            DonatedItemIn(title="旧杂志合订本", condition="damaged"),
            DonatedItemIn(title="儿童绘本", copies=3, condition="good"),
        ],
        actor=acq.actor,
    )


def test_a_donation_is_added_passed_on_declined_and_thanked_for(acq) -> None:
    donor = donor_create(kind="organisation", name="丽江市第一中学", actor=acq.actor)
    donation = _donation(acq, donor)
    assert donation.certificate_number == "JZ2020-00001"
    added, declined, passed = donation.items.order_by("pk")
    reading_point = ServicePoint.objects.create(
        library=acq.net.library_a, code="RP1", name="白沙村阅读点", kind="reading_point"
    )

    donated_item_decide(
        donated_item=added,
        decision=DonationDecision.ADDED,
        actor=acq.actor,
        service_point=acq.net.point_a,
        collection=acq.net.collection,
    )
    donated_item_decide(
        donated_item=declined, decision=DonationDecision.DECLINED, note="破损", actor=acq.actor
    )
    donated_item_decide(
        donated_item=passed,
        decision=DonationDecision.PASSED_ON,
        passed_to=reading_point,
        actor=acq.actor,
    )

    items = Item.objects.filter(barcode__startswith="JZ").order_by("barcode")
    assert [(i.barcode, i.acquisition_source, i.acquired_on, i.price) for i in items] == [
        ("JZ00000001", AcquisitionSource.DONATION, dt.date(2020, 4, 23), None),
        ("JZ00000002", AcquisitionSource.DONATION, dt.date(2020, 4, 23), None),
    ]
    values = certificate_values(donation)
    assert (values["donor"], values["titles"], values["copies"]) == ("丽江市第一中学", 2, 5)
    document = Document(io.BytesIO(certificate_docx(donation)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "JZ2020-00001" in text
    assert "丽江市第一中学" in text
    assert [row.cells[0].text for row in document.tables[0].rows[1:]] == [
        "纳西族东巴文化",
        "儿童绘本",
    ]


def test_an_anonymous_donor_is_thanked_without_a_name(acq) -> None:
    donor = donor_create(kind="person", anonymous=True, actor=acq.actor)

    donation = _donation(acq, donor)

    assert certificate_values(donation)["donor"] == "Anonymous donor"


def test_an_item_is_decided_once_and_a_decline_needs_a_reason(acq) -> None:
    donor = donor_create(kind="person", name="和先生", actor=acq.actor)
    item = _donation(acq, donor).items.order_by("pk").first()

    with pytest.raises(ValidationFailed):
        donated_item_decide(donated_item=item, decision=DonationDecision.DECLINED, actor=acq.actor)
    donated_item_decide(
        donated_item=item, decision=DonationDecision.DECLINED, note="重复", actor=acq.actor
    )
    with pytest.raises(InvalidTransition):
        donated_item_decide(
            donated_item=item, decision=DonationDecision.DECLINED, note="again", actor=acq.actor
        )

    item.refresh_from_db()
    assert (item.decision, item.decision_note) == (DonationDecision.DECLINED, "重复")
