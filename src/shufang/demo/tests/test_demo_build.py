from __future__ import annotations

import datetime as dt

import pytest
from stdnum import isbn as stdnum_isbn

from shufang.catalogue.models import Collection, Item, Record
from shufang.core.demo_accounts import DEMO_PASSWORD, DEMO_READER_PIN
from shufang.core.models import Role, StaffRole
from shufang.demo.models import DemoBuild
from shufang.demo.services import demo_build
from shufang.network.calendar import open_hours_per_week
from shufang.network.models import CalendarException, Library, LibrarySystem, ServicePoint
from shufang.network.selectors import calendar_for
from shufang.readers.models import Card, Reader, ReaderCategory
from shufang.readers.services import reader_check_pin
from shufang.serials.models import Issue, IssueStatus


@pytest.fixture(scope="module")
def tiny_demo(django_db_setup, django_db_blocker):
    # built once for this module's tests, which only read it
    with django_db_blocker.unblock():
        summary = demo_build(scale="tiny")
    yield summary
    with django_db_blocker.unblock():
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


pytestmark = pytest.mark.django_db


def test_tiny_demo_builds_the_lijiang_network(tiny_demo):
    # given a tiny demo build; when counting the network; then it is the report's network
    assert LibrarySystem.objects.get().name == "丽江市公共图书馆总分馆体系"
    assert sorted(Library.objects.values_list("admin_area_code", flat=True)) == [
        "530700",
        "530702",
        "530721",
        "530722",
        "530723",
        "530724",
    ]
    kinds = {
        kind: ServicePoint.objects.filter(kind=kind).count()
        for kind in (
            "main",
            "county_library",
            "mobile_room",
            "reading_point",
            "ebook_machine",
            "study_room",
            "kiosk",
            "deposit_site",
        )
    }
    assert kinds == {
        "main": 1,
        "county_library": 5,
        "mobile_room": 14,
        "reading_point": 32,
        "ebook_machine": 10,
        "study_room": 1,
        "kiosk": 1,
        "deposit_site": 1,
    }
    assert ServicePoint.objects.filter(kind="reading_point", opened_on__year=2020).count() == 2
    main = ServicePoint.objects.get(kind="main")
    calendar = calendar_for(service_point=main)
    assert open_hours_per_week(calendar) == 60
    assert all(calendar.weekly[day] for day in range(7))
    closure = CalendarException.objects.get(kind="closure")
    assert (closure.start_date.isoformat(), closure.end_date.isoformat()) == (
        "2020-01-24",
        "2020-04-06",
    )
    assert closure.library == main.library


def test_tiny_demo_creates_collections_categories_and_one_staff_user_per_role(tiny_demo):
    assert dict(Collection.objects.values_list("code", "loanable")) == {
        "ADULT": True,
        "JUV": True,
        "LOCAL": False,
        "REF": False,
        "PER": True,
    }
    assert Collection.objects.get(juvenile=True).code == "JUV"
    assert sorted(ReaderCategory.objects.values_list("code", flat=True)) == [
        "ADULT",
        "GROUP",
        "JUV",
        "SENIOR",
        "STAFF",
    ]
    city = Library.objects.get(kind="city")
    for role in Role.values:
        grant = StaffRole.objects.get(role=role, library=city)
        assert grant.user.check_password(DEMO_PASSWORD)
    yulong = StaffRole.objects.get(library__admin_area_code="530721")
    assert (yulong.user.username, yulong.role) == ("circulation_yulong", Role.CIRCULATION)
    assert [row[0] for row in tiny_demo.staff][:1] == ["admin"]


def test_tiny_demo_registers_the_named_readers_with_the_demo_pin(tiny_demo):
    statuses = {kind: status for kind, _name, _card, status in tiny_demo.readers}
    assert statuses == {
        "adult": "valid",
        "juvenile": "valid",
        "senior": "valid",
        "expired": "expired",
        "blocked": "suspended",
        "group": "valid",
    }
    for _kind, _name, number, _status in tiny_demo.readers:
        reader = Card.objects.get(number=number).reader
        assert reader_check_pin(reader=reader, pin=DEMO_READER_PIN)
    juvenile = Reader.objects.get(name="和小雨")
    assert juvenile.guardian is not None and juvenile.guardian.name == "和丽华"
    assert Reader.objects.count() == 6 + 60
    assert Card.objects.count() == 6 + 60


def test_tiny_demo_catalogue_has_valid_isbns_and_items_across_service_points(tiny_demo):
    # the generated catalogue (acquisitions and serials add brief records of their own)
    generated = Record.objects.filter(control_number__startswith="LJDEMO")
    assert generated.count() == 200
    isbns = list(generated.exclude(isbn="").values_list("isbn", flat=True))
    assert len(isbns) >= 190
    assert all(stdnum_isbn.is_valid(value) for value in isbns)
    assert len(set(isbns)) == len(isbns)
    # the generated items, and those the 2020 acquisition workflows received
    counts = tiny_demo.counts
    assert Item.objects.count() == counts["items"] + counts["acquisitions_sample"]
    assert Item.objects.values("home_service_point").distinct().count() > 6
    assert (
        not Item.objects.filter(collection__code="LOCAL")
        .exclude(home_service_point__kind="main")
        .exists()
    )
    picture_book = Item.objects.filter(call_number__startswith="I287.8/").first()
    assert picture_book is not None and picture_book.collection.code == "JUV"
    assert DemoBuild.objects.get().counts["records"] == 200


def test_demo_is_kept_when_already_built(tiny_demo):
    records = Record.objects.count()
    # when building again without reset
    again = demo_build(scale="tiny")
    # then nothing is rebuilt
    assert again.built is False
    assert again.counts == tiny_demo.counts
    assert Record.objects.count() == records
    assert [row[2] for row in again.readers] == [row[2] for row in tiny_demo.readers]


def test_tiny_demo_audits_reference_data_through_the_services_and_places_bulk_rows(tiny_demo):
    from shufang.core.models import AuditEvent

    created = AuditEvent.objects.filter(
        action__in=["collection.created", "reader_category.created"]
    )
    assert sorted(created.values_list("object_repr", flat=True)) == sorted(
        list(Collection.objects.values_list("name", flat=True))
        + list(ReaderCategory.objects.values_list("name", flat=True))
    )
    # the last of the generated items (bulk-created, as an import would)
    item = Item.objects.filter(record__control_number__startswith="LJDEMO").order_by("pk").last()
    item_event = AuditEvent.objects.get(action="item.created", object_id=str(item.pk))
    assert item_event.library_id == item.owning_library_id
    reader = Reader.objects.select_related("home_service_point").order_by("pk").last()
    reader_event = AuditEvent.objects.get(action="reader.registered", object_id=str(reader.pk))
    assert reader_event.library_id == reader.home_service_point.library_id


def test_the_serials_desk_checked_in_issues_but_none_while_the_library_was_closed(tiny_demo):
    received = Issue.objects.filter(status=IssueStatus.RECEIVED)
    claimed = Issue.objects.filter(status=IssueStatus.CLAIMED)

    assert received.count() > 100
    assert claimed.exists()
    assert not received.filter(
        received_on__gte=dt.date(2020, 1, 24), received_on__lte=dt.date(2020, 4, 6)
    ).exists()
    assert received.filter(received_on=dt.date(2020, 4, 7)).exists()
