"""Circulation state on top of the interface tests' small network (web/tests/fixtures.py),
for the desk pages, the circulation API and their permission walk.

- `item` C0000001 (红楼梦) is available at the city library's main building (point_a);
- `item2` C0000002, a second copy of 红楼梦, available at point_a;
- `held_item` C0000003 (三国演义) is on the hold shelf at point_a for reader_b (杨建国);
- `group` is a group account (丽江军训营) for deposit collections, card GR0000001;
- `manager_a` may override blocks at the city library, `desk_a` may not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pymarc

from shufang.catalogue.models import Item, Record
from shufang.circulation.models import CirculationChannel, Deposit, Hold, Loan
from shufang.core.audit import Actor
from shufang.readers.models import CategoryKind, Reader, ReaderCategory
from shufang.web.tests.fixtures import Network


@dataclass
class Desk:
    net: Network
    item2: Item
    held_item: Item
    held_record: Record
    hold: Hold
    group: Reader


def _record(title: str, isbn: str) -> Record:
    from shufang.catalogue.services.records import record_create_from_marc

    marc = pymarc.Record(force_utf8=True)
    marc.add_field(
        pymarc.Field(
            tag="020",
            indicators=pymarc.Indicators(" ", " "),
            subfields=[pymarc.Subfield("a", isbn)],
        ),
        pymarc.Field(
            tag="245",
            indicators=pymarc.Indicators("1", "0"),
            subfields=[pymarc.Subfield("a", title)],
        ),
    )
    return record_create_from_marc(record=marc, flavour="marc21", actor=Actor.system("tests"))


def build_desk(net: Network) -> Desk:
    from shufang.catalogue.services.items import item_create
    from shufang.circulation.services.holds import hold_place, hold_trap
    from shufang.readers.services import reader_register

    actor = Actor.system("tests")
    item2 = item_create(
        record=net.record,
        barcode="C0000002",
        home_service_point=net.point_a,
        collection=net.collection,
        actor=actor,
        call_number="I242.4/1:2",
    )
    held_record = _record("三国演义", "9787020008735")
    held_item = item_create(
        record=held_record,
        barcode="C0000003",
        home_service_point=net.point_a,
        collection=net.collection,
        actor=actor,
        call_number="I242.3/1",
    )
    hold = hold_place(
        reader=net.reader_b,
        record=held_record,
        pickup_service_point=net.point_a,
        actor=actor,
        channel=CirculationChannel.DESK,
    )
    trapped = hold_trap(item=held_item, service_point=net.point_a, actor=actor)
    assert trapped is not None and trapped.pk == hold.pk
    group_category = ReaderCategory.objects.create(
        code="group", name="集体读者", kind=CategoryKind.GROUP
    )
    group = reader_register(
        name="丽江军训营",
        category=group_category,
        home_service_point=net.point_a,
        actor=actor,
        card_number="GR0000001",
        card_expires_on=dt.date(2099, 12, 31),
    )
    held_item.refresh_from_db()
    hold.refresh_from_db()
    return Desk(
        net=net,
        item2=item2,
        held_item=held_item,
        held_record=held_record,
        hold=hold,
        group=group,
    )


@dataclass
class Walk:
    """State for walking every circulation endpoint once as its allowed user."""

    desk: Desk
    renewable: Loan  # C0000004 lent to reader_a at point_a
    waiting_hold: Hold  # reader_a waits for 西游记 (its copy C0000005 is lent to reader_b)
    incoming: Item  # C0000007, in transit from point_b to point_a
    deposit: Deposit  # lent from point_a to the group account, nothing lent yet


def build_walk(net: Network) -> Walk:
    from shufang.catalogue.services.items import item_create
    from shufang.circulation.services.checkout import loan_checkout
    from shufang.circulation.services.deposits import deposit_create
    from shufang.circulation.services.holds import hold_place
    from shufang.circulation.services.transits import transit_send

    desk = build_desk(net)
    actor = Actor.system("tests")

    def copy(barcode: str, record: Record, home: Any = None) -> Item:
        return item_create(
            record=record,
            barcode=barcode,
            home_service_point=home or net.point_a,
            collection=net.collection,
            actor=actor,
        )

    record3 = _record("西游记", "9787020008728")
    renewable_item = copy("C0000004", net.record)
    renewable = loan_checkout(
        item=renewable_item, reader=net.reader_a, service_point=net.point_a, actor=actor
    )
    lent_copy = copy("C0000005", record3)
    loan_checkout(item=lent_copy, reader=net.reader_b, service_point=net.point_a, actor=actor)
    waiting_hold = hold_place(
        reader=net.reader_a,
        record=record3,
        pickup_service_point=net.point_a,
        actor=actor,
        channel=CirculationChannel.DESK,
    )
    copy("C0000006", net.record)  # to send away
    incoming = copy("C0000007", net.record, home=net.point_b)
    transit_send(item=incoming, to_service_point=net.point_a, reason="other", actor=actor)
    copy("C0000008", net.record)  # for the deposit
    today = dt.date.today()
    deposit = deposit_create(
        name="军训营图书箱",
        borrower=desk.group,
        lent_from=net.point_a,
        lent_on=today,
        due_on=today + dt.timedelta(days=90),
        actor=actor,
    )
    return Walk(
        desk=desk,
        renewable=renewable,
        waiting_hold=waiting_hold,
        incoming=incoming,
        deposit=deposit,
    )
