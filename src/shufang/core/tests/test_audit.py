"""`audit_record` places each event in the library of the changed object, for the audit log's
library scope."""

import datetime as dt

import pytest

from shufang.catalogue.models import Collection, Item, Record
from shufang.core.audit import Actor, audit_record
from shufang.network.models import Library, LibrarySystem, ServicePoint
from shufang.readers.models import Card, Reader, ReaderCategory

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("test")


@pytest.fixture
def library() -> Library:
    system = LibrarySystem.objects.create(code="CN-530700", name="丽江市总分馆体系")
    return Library.objects.create(
        system=system, code="CN-530700-LJ", name="丽江市图书馆", kind="city"
    )


@pytest.fixture
def point(library: Library) -> ServicePoint:
    return ServicePoint.objects.create(
        library=library, code="CN-530700-LJ-MAIN", name="总馆", kind="main"
    )


@pytest.fixture
def reader(point: ServicePoint) -> Reader:
    category = ReaderCategory.objects.create(code="ADULT", name="成人读者")
    return Reader.objects.create(name="和丽华", category=category, home_service_point=point)


def test_an_event_on_a_library_is_placed_in_that_library(library: Library) -> None:
    event = audit_record(actor=ACTOR, action="library.updated", obj=library)

    assert event.library_id == library.pk


def test_an_event_on_a_service_point_is_placed_in_its_library(point: ServicePoint) -> None:
    event = audit_record(actor=ACTOR, action="service_point.updated", obj=point)

    assert event.library_id == point.library_id


def test_an_event_on_an_item_is_placed_in_its_owning_library(
    point: ServicePoint, library: Library
) -> None:
    item = Item.objects.create(
        barcode="LJ0001",
        record=Record.objects.create(title="丽江古城史话"),
        owning_library=library,
        home_service_point=point,
        current_service_point=point,
        collection=Collection.objects.create(code="ADULT", name="成人外借"),
    )

    event = audit_record(actor=ACTOR, action="item.update", obj=item)

    assert event.library_id == library.pk


def test_an_event_on_a_reader_loaded_without_its_service_point_is_placed_in_its_home_library(
    reader: Reader, library: Library, django_assert_num_queries
) -> None:
    fresh = Reader.objects.get(pk=reader.pk)

    with django_assert_num_queries(2):  # the service point's library, the insert
        event = audit_record(actor=ACTOR, action="reader.updated", obj=fresh)

    assert event.library_id == library.pk


def test_an_event_on_a_card_is_placed_in_its_readers_home_library(
    reader: Reader, point: ServicePoint, library: Library
) -> None:
    card = Card.objects.create(
        reader=reader,
        number="R000000001",
        issued_at_service_point=point,
        expires_on=dt.date(2099, 12, 31),
    )
    fresh = Card.objects.get(pk=card.pk)

    event = audit_record(actor=ACTOR, action="card.status_changed", obj=fresh)

    assert event.library_id == library.pk


def test_an_event_on_a_network_wide_object_has_no_library() -> None:
    record = Record.objects.create(title="丽江古城史话")

    event = audit_record(actor=ACTOR, action="record.update", obj=record)

    assert event.library_id is None


def test_an_explicit_library_wins_over_the_derived_one(
    reader: Reader, library: Library, point: ServicePoint
) -> None:
    other = Library.objects.create(
        system=library.system, code="CN-530724", name="宁蒗县图书馆", kind="county"
    )

    by_object = audit_record(actor=ACTOR, action="reader.updated", obj=reader, library=other)
    by_id = audit_record(actor=ACTOR, action="x.done", object_id="1", library=other.pk)

    assert (by_object.library_id, by_id.library_id) == (other.pk, other.pk)
