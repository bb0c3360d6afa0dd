"""A small two-library network with staff, readers, a record and an item, for the interface
tests (pages, admin, API). Imported by the conftest of web/tests and api/tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pymarc
import pytest
from django.contrib.auth import get_user_model

from shufang.catalogue.models import Collection, Item, Record
from shufang.core.audit import Actor
from shufang.core.models import Role, StaffRole
from shufang.network.models import Library, LibrarySystem, ServicePoint
from shufang.readers.identity import id_check_character
from shufang.readers.models import Reader, ReaderCategory

PASSWORD = "a-long-test-password-42"
READER_PIN = "2468"
# Lijiang Gucheng district, born 1990-01-01.
ID_FIRST17 = "53070219900101123"
ID_NUMBER = ID_FIRST17 + id_check_character(ID_FIRST17)


@dataclass
class Network:
    library_a: Library
    library_b: Library
    point_a: ServicePoint
    point_b: ServicePoint
    reader_a: Reader
    reader_b: Reader
    record: Record
    item: Item
    collection: Collection
    category: ReaderCategory
    users: dict[str, Any]


def make_user(username: str, *roles: tuple[str, Any], superuser: bool = False) -> Any:
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=superuser, is_superuser=superuser
    )
    for role, library in roles:
        StaffRole.objects.create(user=user, role=role, library=library)
    return user


def build_network() -> Network:
    from shufang.catalogue.services.items import item_create
    from shufang.catalogue.services.records import record_create_from_marc
    from shufang.readers.services import reader_register

    system = LibrarySystem.objects.create(code="LJ", name="丽江市公共图书馆总分馆体系")
    library_a = Library.objects.create(
        system=system,
        code="CN-530700",
        name="丽江市图书馆",
        name_en="Lijiang City Library",
        kind="city",
    )
    library_b = Library.objects.create(
        system=system, code="CN-530724", name="宁蒗县图书馆", kind="county"
    )
    point_a = ServicePoint.objects.create(
        library=library_a, code="CN-530700-MAIN", name="总馆", kind="main"
    )
    point_b = ServicePoint.objects.create(
        library=library_b, code="CN-530724-MAIN", name="宁蒗县图书馆本馆", kind="main"
    )
    category = ReaderCategory.objects.create(code="adult", name="成人读者")
    actor = Actor.system("tests")
    reader_a = reader_register(
        name="和丽梅",
        category=category,
        home_service_point=point_a,
        actor=actor,
        id_number=ID_NUMBER,
        phone="13887654321",
        pin=READER_PIN,
        card_number="LJ0000001",
        card_expires_on=dt.date(2099, 12, 31),
    )
    reader_b = reader_register(
        name="杨建国",
        category=category,
        home_service_point=point_b,
        actor=actor,
        phone="13900001111",
        pin=READER_PIN,
        card_number="NL0000001",
        card_expires_on=dt.date(2099, 12, 31),
    )
    marc = pymarc.Record(force_utf8=True)
    marc.add_field(
        pymarc.Field(
            tag="020", indicators=[" ", " "], subfields=[pymarc.Subfield("a", "9787020002207")]
        ),
        pymarc.Field(tag="245", indicators=["1", "0"], subfields=[pymarc.Subfield("a", "红楼梦")]),
    )
    record = record_create_from_marc(record=marc, flavour="marc21", actor=actor)
    collection = Collection.objects.create(code="adult", name="成人外借")
    item = item_create(
        record=record,
        barcode="C0000001",
        home_service_point=point_a,
        collection=collection,
        actor=actor,
        call_number="I242.4/1",
    )
    users = {
        "desk_a": make_user("desk_a", (Role.CIRCULATION, library_a)),
        "desk_b": make_user("desk_b", (Role.CIRCULATION, library_b)),
        "manager_a": make_user("manager_a", (Role.BRANCH_MANAGER, library_a)),
        "cataloguer_a": make_user("cataloguer_a", (Role.CATALOGUER, library_a)),
        "no_role": make_user("no_role"),
        "admin": make_user("admin", superuser=True),
    }
    return Network(
        library_a=library_a,
        library_b=library_b,
        point_a=point_a,
        point_b=point_b,
        reader_a=reader_a,
        reader_b=reader_b,
        record=record,
        item=item,
        collection=collection,
        category=category,
        users=users,
    )


@pytest.fixture
def net(db: Any) -> Network:
    return build_network()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Six staff users and two PINs per test: the production hasher would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
