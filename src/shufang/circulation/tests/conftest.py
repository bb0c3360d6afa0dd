"""Shared fixtures for the circulation tests: a small network.

- Library system 丽江市总分馆体系 with two libraries:
  - `lj` 丽江市图书馆 (city): `main` (总馆, open Tue-Sun 09:00-17:00, closed Mondays) and
    `kiosk` (24-hour self-service kiosk of the city library, open every day all day);
  - `yl` 玉龙县图书馆 (county): `yl_main` (open Mon-Fri 08:30-17:30, closed at weekends).
- Collections: `adult_lending` (成人外借), `children` (少儿外借, juvenile), `local_docs`
  (地方文献, not loanable).
- Reader categories `adult_category`, `juvenile_category`.
- Rules: a network default (30 days, 10 loans, 1 renewal of 30 days, holds allowed, no fines)
  and "juveniles may not borrow from the adult lending collection" (loanable=False).
- Records and items: `make_item(...)` builds available items; `item` is one adult book at
  the main building, `child_item` one children's book, `local_item` a local document.
- Readers with valid cards: `reader` (adult, born 1990), `other_reader` (adult),
  `child_reader` (juvenile, born 2015).
- Staff: `clerk` (circulation role, may lend), `manager` (branch manager, may override), and
  `clerk_actor` / `manager_actor` / `system_actor`.
- `now`: Tuesday 2024-03-05 10:00 in Asia/Shanghai, a day the main building is open. Tests pass
  `at=now` (or a later time) to services instead of freezing the clock.

Other engineers: add fixtures in your own clearly marked section at the end of this file.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from shufang.catalogue.models import Collection, Item, ItemStatus, Record
from shufang.circulation.models import CirculationChannel, LoanRule
from shufang.core.audit import Actor
from shufang.core.models import Channel, Role, StaffRole
from shufang.network.models import (
    Library,
    LibraryKind,
    LibrarySystem,
    OpeningHours,
    ServicePoint,
    ServicePointKind,
)
from shufang.readers.models import Card, Reader, ReaderCategory

TZ = ZoneInfo("Asia/Shanghai")


def local(
    year: int, month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0
) -> dt.datetime:
    """An aware datetime in library time (Asia/Shanghai)."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=TZ)


def local_date(when: dt.datetime) -> dt.date:
    return when.astimezone(TZ).date()


# --------------------------------------------------------------------------- network


@pytest.fixture
def now() -> dt.datetime:
    return local(2024, 3, 5, 10, 0)  # a Tuesday


@pytest.fixture
def library_system(db) -> LibrarySystem:
    return LibrarySystem.objects.create(code="CN-530700", name="丽江市总分馆体系")


@pytest.fixture
def lj(library_system) -> Library:
    return Library.objects.create(
        system=library_system, code="CN-530700-LJ", name="丽江市图书馆", kind=LibraryKind.CITY
    )


@pytest.fixture
def yl(library_system) -> Library:
    return Library.objects.create(
        system=library_system,
        code="CN-530721-YL",
        name="玉龙县图书馆",
        name_en="Yulong County Library",
        kind=LibraryKind.COUNTY,
    )


def _hours(point: ServicePoint, weekdays: range | list[int], opens: str, closes: str) -> None:
    OpeningHours.objects.bulk_create(
        OpeningHours(
            service_point=point,
            weekday=d,
            opens=dt.time.fromisoformat(opens),
            closes=dt.time.fromisoformat(closes),
        )
        for d in weekdays
    )


@pytest.fixture
def main(lj) -> ServicePoint:
    point = ServicePoint.objects.create(
        library=lj, code="LJ-MAIN", name="总馆", name_en="Main building", kind=ServicePointKind.MAIN
    )
    _hours(point, range(1, 7), "09:00", "17:00")  # closed on Mondays
    return point


@pytest.fixture
def kiosk(lj, main) -> ServicePoint:
    point = ServicePoint.objects.create(
        library=lj, code="LJ-KIOSK-1", name="古城自助借还机", kind=ServicePointKind.KIOSK
    )
    _hours(point, range(7), "00:00", "23:59:59")
    return point


@pytest.fixture
def yl_main(yl) -> ServicePoint:
    point = ServicePoint.objects.create(
        library=yl,
        code="YL-MAIN",
        name="玉龙县图书馆",
        name_en="Yulong County Library",
        kind=ServicePointKind.COUNTY_LIBRARY,
    )
    _hours(point, range(5), "08:30", "17:30")  # closed at weekends
    return point


# --------------------------------------------------------------------------- collections


@pytest.fixture
def adult_lending(db) -> Collection:
    return Collection.objects.create(code="ZW", name="成人外借", name_en="Adult lending")


@pytest.fixture
def children(db) -> Collection:
    return Collection.objects.create(
        code="SE", name="少儿外借", name_en="Children's lending", juvenile=True
    )


@pytest.fixture
def local_docs(db) -> Collection:
    return Collection.objects.create(
        code="DF", name="地方文献", name_en="Local documents", loanable=False
    )


# --------------------------------------------------------------------------- readers


@pytest.fixture
def adult_category(db) -> ReaderCategory:
    return ReaderCategory.objects.create(code="ADULT", name="成人读者", name_en="Adult")


@pytest.fixture
def juvenile_category(db) -> ReaderCategory:
    return ReaderCategory.objects.create(
        code="CHILD", name="少儿读者", name_en="Child", juvenile=True
    )


_card_numbers = itertools.count(1)


@pytest.fixture
def make_reader(main, adult_category, now) -> Callable[..., Reader]:
    """A reader with one valid card (expiring in 2027) unless `card_status`/`expires_on` say
    otherwise."""

    def make(
        name: str = "张三",
        *,
        category: ReaderCategory | None = None,
        birth_date: dt.date | None = dt.date(1990, 6, 1),
        card_status: str = "valid",
        expires_on: dt.date = dt.date(2027, 12, 31),
        home: ServicePoint | None = None,
        **extra: Any,
    ) -> Reader:
        reader = Reader.objects.create(
            name=name,
            category=category or adult_category,
            birth_date=birth_date,
            home_service_point=home or main,
            **extra,
        )
        Card.objects.create(
            reader=reader,
            number=f"LJ{next(_card_numbers):08d}",
            issued_at=now - dt.timedelta(days=400),
            issued_at_service_point=home or main,
            expires_on=expires_on,
            status=card_status,
        )
        return reader

    return make


@pytest.fixture
def reader(make_reader) -> Reader:
    return make_reader("张雨涵", phone="13800000001", email="yuhan@example.cn")


@pytest.fixture
def other_reader(make_reader) -> Reader:
    return make_reader("李明", phone="13800000002")


@pytest.fixture
def child_reader(make_reader, juvenile_category) -> Reader:
    return make_reader("和小花", category=juvenile_category, birth_date=dt.date(2015, 9, 1))


# --------------------------------------------------------------------------- rules


@pytest.fixture
def default_rule(db) -> LoanRule:
    return LoanRule.objects.create(
        name="全网默认",
        loan_days=30,
        max_loans=10,
        renewals_allowed=1,
        renewal_days=30,
        fine_per_day=Decimal("0"),
    )


@pytest.fixture
def juvenile_adult_rule(juvenile_category, adult_lending) -> LoanRule:
    return LoanRule.objects.create(
        name="少儿读者不借成人外借",
        reader_category=juvenile_category,
        collection=adult_lending,
        loanable=False,
    )


@pytest.fixture
def rules(default_rule, juvenile_adult_rule) -> list[LoanRule]:
    return [default_rule, juvenile_adult_rule]


# --------------------------------------------------------------------------- records, items


@pytest.fixture
def record(db) -> Record:
    return Record.objects.create(title="活着", authors="余华", clc="I247.57", isbn="9787506365437")


@pytest.fixture
def child_record(db) -> Record:
    return Record.objects.create(title="小王子", clc="I565.88", audience="juvenile")


@pytest.fixture
def local_record(db) -> Record:
    return Record.objects.create(title="丽江府志略", clc="K297.44")


_barcodes = itertools.count(1)


@pytest.fixture
def make_item(main, lj, adult_lending, record) -> Callable[..., Item]:
    """An available item at the main building (override any field by keyword)."""

    def make(**fields: Any) -> Item:
        home = fields.pop("home", None) or main
        values: dict[str, Any] = {
            "barcode": f"C{next(_barcodes):09d}",
            "record": record,
            "owning_library_id": home.library_id,
            "home_service_point": home,
            "current_service_point": home,
            "collection": adult_lending,
            "call_number": "I247.57/Y89",
            "status": ItemStatus.AVAILABLE,
        }
        values.update(fields)
        return Item.objects.create(**values)

    return make


@pytest.fixture
def item(make_item, rules) -> Item:
    return make_item()


@pytest.fixture
def child_item(make_item, children, child_record, rules) -> Item:
    return make_item(collection=children, record=child_record, call_number="I565.88/S12")


@pytest.fixture
def local_item(make_item, local_docs, local_record, rules) -> Item:
    return make_item(collection=local_docs, record=local_record, call_number="K297.44/L52")


# --------------------------------------------------------------------------- staff


def _staff(username: str, role: str, library: Library | None) -> Any:
    user = get_user_model().objects.create_user(username=username, password="x")
    StaffRole.objects.create(user=user, role=role, library=library)
    return user


@pytest.fixture
def clerk(lj) -> Any:
    return _staff("clerk", Role.CIRCULATION, lj)


@pytest.fixture
def manager(lj) -> Any:
    return _staff("manager", Role.BRANCH_MANAGER, lj)


@pytest.fixture
def clerk_actor(clerk) -> Actor:
    return Actor(user=clerk, channel=Channel.DESK)


@pytest.fixture
def manager_actor(manager) -> Actor:
    return Actor(user=manager, channel=Channel.DESK)


@pytest.fixture
def system_actor() -> Actor:
    return Actor.system("test")


@pytest.fixture
def desk() -> str:
    return CirculationChannel.DESK


# =========================================================================== engineer L
# (lending: checkout, renew, lost, fines) — add below.


# =========================================================================== engineer R
# (returns, holds, transits, quarantine) — add below.


# =========================================================================== engineer C
# (closures, modes, deposits, notices, anonymisation) — add below.


@pytest.fixture
def make_loan(main) -> Callable[..., Any]:
    """An open loan written directly (no checkout rules), due at 23:59:59 local on `due`:
    for tests of closures, notices and anonymisation that need many loans in given states."""
    from shufang.circulation.models import Loan

    def make(item: Item, reader: Reader | None, due: dt.date, **fields: Any) -> Loan:
        values: dict[str, Any] = {
            "item": item,
            "reader": reader,
            "card": reader.cards.first() if reader is not None else None,
            "service_point": main,
            "channel": CirculationChannel.DESK,
            "checked_out_at": local(2024, 2, 1),
            "due_at": dt.datetime.combine(due, dt.time(23, 59, 59), tzinfo=TZ),
        }
        values.update(fields)
        return Loan.objects.create(**values)

    return make


@pytest.fixture
def group_category(db) -> ReaderCategory:
    return ReaderCategory.objects.create(
        code="GROUP", name="集体读者", name_en="Group account", kind="group"
    )


@pytest.fixture
def group_reader(make_reader, group_category) -> Reader:
    """A group account (a military training camp) with a rule letting it hold a big batch."""
    LoanRule.objects.create(
        name="集体外借", reader_category=group_category, max_loans=5000, loan_days=120
    )
    return make_reader("军训营地图书角", category=group_category, birth_date=None)


@pytest.fixture
def camp(lj) -> ServicePoint:
    return ServicePoint.objects.create(
        library=lj, code="LJ-DEP-CAMP", name="军训营地", kind=ServicePointKind.DEPOSIT_SITE
    )
