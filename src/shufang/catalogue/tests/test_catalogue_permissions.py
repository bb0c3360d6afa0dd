"""Staff permissions in the catalogue services: `catalogue.change` at the item's library,
`catalogue.import` / `catalogue.export` for MARC in and out. Refusals change nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from pymarc import Field, Indicators, Subfield
from pymarc import Record as MarcRecord

from shufang.catalogue.models import Item, ItemStatus, Record
from shufang.catalogue.services.exporting import marc_export
from shufang.catalogue.services.importing import marc_import
from shufang.catalogue.services.items import item_create, item_set_status, item_update
from shufang.catalogue.services.records import record_create_from_marc, record_update_from_marc
from shufang.catalogue.states import Trigger
from shufang.catalogue.tests.conftest import cnmarc_bytes, cnmarc_record, stream
from shufang.core.audit import Actor
from shufang.core.exceptions import PermissionDenied
from shufang.core.models import AuditEvent, Channel, Role, StaffRole
from shufang.network.models import Library, LibraryKind, ServicePoint

pytestmark = pytest.mark.django_db


def staff(username: str, role: str, library: Library) -> Actor:
    user = get_user_model().objects.create_user(username=username, password=None)
    StaffRole.objects.create(user=user, role=role, library=library)
    return Actor(user=user, channel=Channel.DESK)


def marc(title: str) -> MarcRecord:
    record = MarcRecord(force_utf8=True)
    record.add_field(
        Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", title)])
    )
    return record


@pytest.fixture
def point_b(service_point: ServicePoint) -> ServicePoint:
    library = Library.objects.create(
        system=service_point.library.system,
        code="CN-530724-NL",
        name="宁蒗县图书馆",
        kind=LibraryKind.COUNTY,
    )
    return ServicePoint.objects.create(library=library, code="NL-MAIN", name="本馆", kind="main")


@pytest.fixture
def item(service_point, collection, actor) -> Item:
    record = record_create_from_marc(record=marc("丽江古城史话"), flavour="marc21", actor=actor)
    made = item_create(
        record=record,
        barcode="LJ0001",
        home_service_point=service_point,
        collection=collection,
        actor=actor,
        call_number="K297.43/12",
    )
    AuditEvent.objects.all().delete()
    return made


@pytest.fixture
def cataloguer_a(service_point) -> Actor:
    return staff("cataloguer_a", Role.CATALOGUER, service_point.library)


@pytest.fixture
def cataloguer_b(point_b) -> Actor:
    return staff("cataloguer_b", Role.CATALOGUER, point_b.library)


def _item_state(item: Item) -> tuple:
    return tuple(
        Item.objects.filter(pk=item.pk).values_list(
            "call_number", "status", "home_service_point_id", "owning_library_id", "notes"
        )[0]
    )


def test_a_cataloguer_of_another_library_cannot_change_this_librarys_item(item, cataloguer_b):
    before = _item_state(item)

    with pytest.raises(PermissionDenied) as raised:
        item_update(item=item, actor=cataloguer_b, call_number="K297.43/99", notes="x")

    assert raised.value.details == {"permission": "catalogue.change"}
    assert _item_state(item) == before
    assert AuditEvent.objects.count() == 0


def test_a_cataloguer_of_another_library_cannot_withdraw_this_librarys_item(item, cataloguer_b):
    with pytest.raises(PermissionDenied):
        item_set_status(
            item=item, to=ItemStatus.WITHDRAWN, trigger=Trigger.WITHDRAW, actor=cataloguer_b
        )

    item.refresh_from_db()
    assert (item.status, item.withdrawn_on) == (ItemStatus.AVAILABLE, None)
    assert AuditEvent.objects.count() == 0


def test_a_cataloguer_of_another_library_cannot_add_an_item_at_this_library(
    item, service_point, collection, cataloguer_b
):
    with pytest.raises(PermissionDenied):
        item_create(
            record=item.record,
            barcode="LJ0002",
            home_service_point=service_point,
            collection=collection,
            actor=cataloguer_b,
        )

    assert list(Item.objects.values_list("barcode", flat=True)) == ["LJ0001"]
    assert AuditEvent.objects.count() == 0


def test_a_cataloguer_changes_and_withdraws_the_items_of_their_own_library(item, cataloguer_a):
    item_update(item=item, actor=cataloguer_a, call_number="K297.43/13")
    item_set_status(
        item=item, to=ItemStatus.WITHDRAWN, trigger=Trigger.WITHDRAW, actor=cataloguer_a
    )

    item.refresh_from_db()
    assert (item.call_number, item.status) == ("K297.43/13", ItemStatus.WITHDRAWN)
    assert list(AuditEvent.objects.values_list("action", "library_id")) == [
        ("item.status", item.owning_library_id),
        ("item.update", item.owning_library_id),
    ]


def test_a_cataloguer_cannot_move_an_item_to_another_librarys_service_point(
    item, point_b, cataloguer_a
):
    before = _item_state(item)

    with pytest.raises(PermissionDenied):
        item_update(item=item, actor=cataloguer_a, home_service_point=point_b)

    assert _item_state(item) == before
    assert AuditEvent.objects.count() == 0


def test_a_circulation_clerk_of_another_library_may_lend_but_not_withdraw_an_item(item, point_b):
    clerk_b = staff("clerk_b", Role.CIRCULATION, point_b.library)

    item_set_status(item=item, to=ItemStatus.ON_LOAN, trigger=Trigger.CHECKOUT, actor=clerk_b)
    with pytest.raises(PermissionDenied):
        item_set_status(
            item=item,
            to=ItemStatus.LOST,
            trigger=Trigger.DECLARE_LOST,
            actor=Actor(
                user=get_user_model().objects.create_user(username="nobody", password=None)
            ),
        )
    item_set_status(item=item, to=ItemStatus.AVAILABLE, trigger=Trigger.CHECKIN, actor=clerk_b)
    with pytest.raises(PermissionDenied):
        item_set_status(
            item=item, to=ItemStatus.IN_PROCESSING, trigger=Trigger.REPAIR, actor=clerk_b
        )

    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE
    assert list(AuditEvent.objects.values_list("changes__trigger", flat=True)) == [
        "checkin",
        "checkout",
    ]


def test_a_circulation_clerk_cannot_create_or_replace_records(item, service_point):
    clerk = staff("clerk", Role.CIRCULATION, service_point.library)

    with pytest.raises(PermissionDenied):
        record_create_from_marc(record=marc("玉龙雪山"), flavour="marc21", actor=clerk)
    with pytest.raises(PermissionDenied):
        record_update_from_marc(
            target=item.record, record=marc("改名"), flavour="marc21", actor=clerk
        )

    assert list(Record.objects.values_list("title", flat=True)) == ["丽江古城史话"]
    assert AuditEvent.objects.count() == 0


def test_a_cataloguer_of_any_library_maintains_the_shared_records(item, cataloguer_b):
    record = record_create_from_marc(record=marc("玉龙雪山"), flavour="marc21", actor=cataloguer_b)
    record_update_from_marc(
        target=item.record, record=marc("丽江古城"), flavour="marc21", actor=cataloguer_b
    )

    assert sorted(Record.objects.values_list("title", flat=True)) == ["丽江古城", "玉龙雪山"]
    assert AuditEvent.objects.filter(actor__username="cataloguer_b").count() == 2
    assert record.pk is not None


def test_marc_export_needs_catalogue_export_and_writes_nothing_when_refused(
    item, service_point, cataloguer_a
):
    manager = staff("manager", Role.BRANCH_MANAGER, service_point.library)
    refused = io.BytesIO()
    allowed = io.BytesIO()

    with pytest.raises(PermissionDenied):
        marc_export(out=refused, actor=manager)
    count = marc_export(out=allowed, actor=cataloguer_a)

    assert (refused.getvalue(), count) == (b"", 1)
    assert "丽江古城史话".encode() in allowed.getvalue()


def test_marc_import_needs_catalogue_import_and_loads_nothing_when_refused(service_point):
    clerk = staff("clerk", Role.CIRCULATION, service_point.library)
    data = cnmarc_bytes([cnmarc_record("纳西族史", isbn="9787222012345")], "utf-8")

    with pytest.raises(PermissionDenied):
        marc_import(sources=[stream(data)], flavour="cnmarc", actor=clerk)

    assert Record.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_marc_import_of_items_needs_catalogue_import_at_the_service_points_library(
    service_point, point_b, collection, cataloguer_b
):
    data = cnmarc_bytes(
        [cnmarc_record("纳西族史", isbn="9787222012345", holdings=[("LJ", "LJ0009", "1")])],
        "utf-8",
    )

    with pytest.raises(PermissionDenied):
        marc_import(
            sources=[stream(data)],
            flavour="cnmarc",
            create_items=True,
            service_point=service_point,
            collection=collection,
            actor=cataloguer_b,
        )
    report = marc_import(
        sources=[stream(data)],
        flavour="cnmarc",
        create_items=True,
        service_point=point_b,
        collection=collection,
        actor=cataloguer_b,
    )

    assert (report.loaded, report.items_created) == (1, 1)
    assert list(Item.objects.values_list("barcode", "owning_library_id")) == [
        ("LJ0009", point_b.library_id)
    ]
