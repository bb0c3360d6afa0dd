"""A small Lijiang network for the programmes, outreach and operations tests: the city
library with its main building, a county library, a reader, and staff in the roles that own
these records. Imported by the conftest of each of the three apps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from shufang.core.audit import Actor
from shufang.core.models import Channel, Role, StaffRole
from shufang.network.models import Library, LibrarySystem, ServicePoint
from shufang.readers.models import Reader, ReaderCategory

PASSWORD = "a-long-test-password-42"


@dataclass
class Lijiang:
    library: Library
    county: Library
    main: ServicePoint
    county_main: ServicePoint
    category: ReaderCategory
    users: dict[str, Any]

    def actor(self, username: str) -> Actor:
        return Actor(user=self.users[username], channel=Channel.DESK)

    def reader(self, name: str, card: str) -> Reader:
        from shufang.readers.services import reader_register

        return reader_register(
            name=name,
            category=self.category,
            home_service_point=self.main,
            actor=Actor.system("tests"),
            card_number=card,
            pin="2468",
            card_expires_on=dt.date(2099, 12, 31),
        )


def _user(username: str, role: str | None, library: Library | None) -> Any:
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    if role is not None:
        StaffRole.objects.create(user=user, role=role, library=library)
    return user


def build_lijiang() -> Lijiang:
    system = LibrarySystem.objects.create(code="LJ", name="丽江市公共图书馆总分馆体系")
    library = Library.objects.create(
        system=system, code="CN-530700", name="丽江市图书馆", kind="city"
    )
    county = Library.objects.create(
        system=system, code="CN-530724", name="宁蒗县图书馆", kind="county"
    )
    main = ServicePoint.objects.create(
        library=library, code="CN-530700-MAIN", name="总馆", kind="main"
    )
    county_main = ServicePoint.objects.create(
        library=county, code="CN-530724-MAIN", name="宁蒗县图书馆本馆", kind="main"
    )
    category = ReaderCategory.objects.create(code="adult", name="成人读者")
    users = {
        "events": _user("events", Role.EVENTS, library),
        "manager": _user("manager", Role.BRANCH_MANAGER, library),
        "county_manager": _user("county_manager", Role.BRANCH_MANAGER, county),
        "statistics": _user("statistics", Role.STATISTICS, library),
        "desk": _user("desk", Role.CIRCULATION, library),
    }
    return Lijiang(library, county, main, county_main, category, users)


@pytest.fixture
def lj(db: Any) -> Lijiang:
    return build_lijiang()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
