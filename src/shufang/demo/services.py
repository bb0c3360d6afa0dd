"""Builds the Lijiang demo: the network, collections, reader categories, staff accounts, a
generated catalogue with items, and readers. Everything goes through the domain services
(network, collections, reader categories, readers, staff) except where the volume calls for an
import-style bulk path, which writes one audit row per created row with `audit_bulk`, as imports
do, each placed in the row's library.

`demo_build` refuses to touch a database that holds a network it did not build, and is kept
when already built (the `DemoBuild` marker row, written last) unless `reset` is given.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.catalogue.callnumbers import call_number_sort_key
from shufang.catalogue.models import Collection, Item, ItemStatus, Record
from shufang.catalogue.services.collections import collection_create
from shufang.catalogue.services.importing import ImportReport, marc_import
from shufang.core.audit import Actor, audit_bulk
from shufang.core.demo_accounts import DEMO_PASSWORD, DEMO_READER_PIN
from shufang.core.exceptions import Conflict
from shufang.core.models import AuditEvent, Role, StaffRole
from shufang.core.services import staff_role_grant, staff_user_create
from shufang.demo import catalogue_gen as gen
from shufang.demo import data
from shufang.demo.models import DemoBuild
from shufang.demo.simulation import simulate
from shufang.demo.year2020 import service_point_from_spec
from shufang.network import services as network
from shufang.network.models import Library, LibrarySystem, ServicePoint
from shufang.readers import identity
from shufang.readers import services as readers
from shufang.readers.models import Card, CardStatus, CategoryKind, Reader, ReaderCategory

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Scale:
    records: int
    items: int
    readers: int
    factor: float = 1.0  # of the simulated years' targets (loans, additions)


SCALES: dict[str, Scale] = {
    "tiny": Scale(records=200, items=600, readers=60, factor=0.005),
    "small": Scale(records=20_000, items=60_000, readers=9_000),
    # The 2020 holdings: "28.4 万余" items. `items` is what the generator aims at (it deals
    # copies at random: with the default seed 276,250 gives about 285,000 copies, a few hundred of
    # them acquired after 2020 or withdrawn), so that the 2020 report's holdings fall in
    # 284,000-284,999 (checked by building it: docs/benchmarks.md).
    "full": Scale(records=95_000, items=276_250, readers=9_000),
}
DEFAULT_SEED = 530700
BATCH = 2_000


@dataclass
class DemoSummary:
    built: bool  # False when an existing demo was kept
    scale: str
    seconds: float
    counts: dict[str, int]
    staff: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, scope
    readers: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # kind, name, card, status
    kiosk: tuple[str, str, str] | None = None  # SIP2 login, password, service point code


def _noop(stage: str, done: int, total: int) -> None:
    pass


def demo_marker() -> DemoBuild | None:
    return DemoBuild.objects.filter(key="lijiang").first()


def demo_build(
    *,
    scale: str = "small",
    reset: bool = False,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
    actor: Actor | None = None,
) -> DemoSummary:
    """Builds the demo into the current database (already migrated).

    Kept as it is when a demo is already built, unless `reset`: then the whole database is
    flushed first. Refuses (Conflict) when the database holds a network that is not a demo."""
    progress = progress or _noop
    actor = actor or Actor.importer("demo")
    if scale not in SCALES:
        raise Conflict(_("Unknown demo scale %(s)s.") % {"s": scale}, field="scale")
    marker = demo_marker()
    if marker is not None and not reset:
        return DemoSummary(
            built=False,
            scale=marker.scale,
            seconds=marker.seconds,
            counts=marker.counts,
            staff=_staff_listing(),
            readers=_reader_listing(),
            kiosk=demo_kiosk_ensure(actor=actor),
        )
    if marker is None and LibrarySystem.objects.exists():
        raise Conflict(
            _(
                "This database already holds a library network that the demo did not build; "
                "the demo refuses to change it. Use an empty data directory."
            )
        )
    started = time.monotonic()
    if reset:
        progress("reset", 0, 1)
        call_command("flush", interactive=False, verbosity=0)
        progress("reset", 1, 1)
    size = SCALES[scale]
    network_built = demo_network_build(actor=actor, progress=progress)
    demo_collections_create(actor=actor)
    demo_reader_categories_create(actor=actor)
    staff = demo_staff_create(actor=actor, progress=progress)
    records, items = demo_catalogue_build(
        records=size.records, items=size.items, seed=seed, actor=actor, progress=progress
    )
    named = demo_readers_register(actor=actor)
    bulk = demo_readers_bulk_create(count=size.readers, seed=seed, actor=actor, progress=progress)
    simulated = simulate(seed=seed, factor=size.factor, actor=actor, progress=progress)
    kiosk = demo_kiosk_ensure(actor=actor)
    counts = {
        "libraries": Library.objects.count(),
        "service_points": network_built,
        "records": records,
        "items": items,
        "readers": len(named) + bulk,
        "staff": len(staff),
        "loans_2019": simulated.loans.get(2019, 0),
        "loans_2020": simulated.loans.get(2020, 0),
        "loans_2020_juvenile": simulated.juvenile_loans.get(2020, 0),
        "sample_loans": simulated.sample_loans,
        "acquisitions_sample": simulated.acquisitions_sample,
        "holds": simulated.holds,
        "history_refused": simulated.refused,
        "visits_2019": simulated.visits.get(2019, 0),
        "visits_2020": simulated.visits.get(2020, 0),
    }
    seconds = round(time.monotonic() - started, 1)
    DemoBuild.objects.create(scale=scale, seed=seed, seconds=seconds, counts=counts)
    return DemoSummary(
        built=True,
        scale=scale,
        seconds=seconds,
        counts=counts,
        staff=staff,
        readers=named,
        kiosk=kiosk,
    )


# ------------------------------------------------------------------------------- SIP2 kiosk

DEMO_KIOSK_LOGIN = "kiosk-01"
DEMO_KIOSK_POINT = "CN-530700-KIOSK01"


def demo_kiosk_ensure(*, actor: Actor) -> tuple[str, str, str] | None:
    """The SIP2 device account of the city library's 24-hour kiosk (password: the demo
    password), created when missing. Returns (login, password, service point code)."""
    from shufang.sip2.models import DeviceAccount
    from shufang.sip2.services import device_account_create

    point = ServicePoint.objects.filter(code=DEMO_KIOSK_POINT).first()
    if point is None:
        return None
    if not DeviceAccount.objects.filter(login=DEMO_KIOSK_LOGIN).exists():
        device_account_create(
            login=DEMO_KIOSK_LOGIN,
            password=DEMO_PASSWORD,
            institution_id=data.CITY_LIBRARY_CODE,
            service_point=point,
            actor=actor,
            label="24小时自助图书馆",
        )
    return (DEMO_KIOSK_LOGIN, DEMO_PASSWORD, point.code)


# ------------------------------------------------------------------------------- network


@transaction.atomic
def demo_network_build(*, actor: Actor, progress: Progress = _noop) -> int:
    """The system, its six libraries, their service points with weekly hours, and 2019-2021 public holidays at the county
    libraries (the city library opens every day of the year). Returns the service points."""
    system = network.library_system_create(
        code=data.SYSTEM_CODE, name=data.SYSTEM_NAME, name_en=data.SYSTEM_NAME_EN, actor=actor
    )
    libraries: dict[str, Library] = {}
    for spec in data.LIBRARIES:
        libraries[spec.code] = network.library_create(
            system=system,
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            actor=actor,
            name_en=spec.name_en,
            admin_area_code=spec.admin_area_code,
            service_population=spec.service_population,
            address=spec.address,
            contact_phone=spec.contact_phone,
            contact_email=spec.contact_email,
        )
    points = data.service_points()
    # The outreach points are made by the same builder as `year2020.outreach_points_create`.
    for n, sp in enumerate(points, start=1):
        service_point_from_spec(spec=sp, library=libraries[sp.library_code], actor=actor)
        progress("network", n, len(points))
    # The 2020 epidemic closure is declared by the simulation (`closure_declare`).
    for spec in data.LIBRARIES[1:]:
        for first, last, name in data.PUBLIC_HOLIDAYS:
            network.calendar_exception_add(
                kind="holiday",
                start_date=first,
                end_date=last,
                reason=name,
                actor=actor,
                library=libraries[spec.code],
            )
    return len(points)


# The collections: code, name, English name, loanable, juvenile.
COLLECTIONS = [
    (gen.ADULT, "成人外借", "Adult lending", True, False),
    (gen.JUVENILE, "少儿", "Children's", True, True),
    (gen.LOCAL, "地方文献", "Local documents", False, False),
    (gen.REFERENCE, "参考工具书", "Reference", False, False),
    (gen.PERIODICALS, "期刊", "Periodicals", True, False),
]

# Reader categories: code, name, English name, kind, juvenile.
READER_CATEGORIES = [
    ("ADULT", "成人读者", "Adult", CategoryKind.PERSON, False),
    ("JUV", "少儿读者", "Juvenile", CategoryKind.PERSON, True),
    ("SENIOR", "老年读者", "Senior", CategoryKind.PERSON, False),
    ("STAFF", "馆员", "Staff", CategoryKind.PERSON, False),
    ("GROUP", "集体读者", "Group or organisation", CategoryKind.GROUP, False),
]


@transaction.atomic
def demo_collections_create(*, actor: Actor) -> list[Collection]:
    return [
        collection_create(
            code=code,
            name=name,
            name_en=name_en,
            loanable=loanable,
            juvenile=juvenile,
            actor=actor,
        )
        for code, name, name_en, loanable, juvenile in COLLECTIONS
    ]


@transaction.atomic
def demo_reader_categories_create(*, actor: Actor) -> list[ReaderCategory]:
    return [
        readers.reader_category_create(
            code=code, name=name, name_en=name_en, kind=kind, juvenile=juvenile, actor=actor
        )
        for code, name, name_en, kind, juvenile in READER_CATEGORIES
    ]


# ------------------------------------------------------------------------------- staff

STAFF = [
    # username, role, library code (None: whole network), first name, last name
    ("circulation", Role.CIRCULATION, data.CITY_LIBRARY_CODE, "海燕", "何"),
    ("cataloguer", Role.CATALOGUER, data.CITY_LIBRARY_CODE, "志强", "李"),
    ("acquisitions", Role.ACQUISITIONS, data.CITY_LIBRARY_CODE, "丽君", "杨"),
    ("events", Role.EVENTS, data.CITY_LIBRARY_CODE, "玲芳", "张"),
    ("statistics", Role.STATISTICS, data.CITY_LIBRARY_CODE, "锋", "王"),
    ("branch_manager", Role.BRANCH_MANAGER, data.CITY_LIBRARY_CODE, "松涛", "王"),
    ("system_admin", Role.SYSTEM_ADMIN, data.CITY_LIBRARY_CODE, "博涵", "张"),
    ("circulation_yulong", Role.CIRCULATION, data.YULONG_LIBRARY_CODE, "金花", "和"),
]


@transaction.atomic
def demo_staff_create(*, actor: Actor, progress: Progress = _noop) -> list[tuple[str, str, str]]:
    """The superuser `admin` and one user per role, all with the demo password (hashed once:
    the demo password is public anyway, and `check --deploy` refuses it)."""
    password = make_password(DEMO_PASSWORD)
    staff_user_create(
        username="admin",
        password_hash=password,
        first_name="管理员",
        email="admin@example.org",
        is_superuser=True,
        actor=actor,
    )
    listing = [("admin", "superuser", str(_("whole network")))]
    libraries = {lib.code: lib for lib in Library.objects.all()}
    for n, (username, role, library_code, first, last) in enumerate(STAFF, start=1):
        user = staff_user_create(
            username=username,
            password_hash=password,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            actor=actor,
        )
        staff_role_grant(user=user, role=role, library=libraries[library_code], actor=actor)
        listing.append((username, str(role), libraries[library_code].name))
        progress("staff", n, len(STAFF))
    return listing


def _staff_listing() -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = [("admin", "superuser", str(_("whole network")))]
    for grant in StaffRole.objects.select_related("user", "library").order_by("pk"):
        scope = grant.library.name if grant.library else str(_("whole network"))
        rows.append((grant.user.username, grant.role, scope))
    return rows


# ------------------------------------------------------------------------------- catalogue


def _shelves() -> list[gen.Shelf]:
    weights = {spec.code: spec.weight for spec in data.service_points()}
    shorts = {spec.code: spec.short for spec in data.LIBRARIES}
    shelves = []
    for point in ServicePoint.objects.select_related("library").order_by("pk"):
        weight = weights.get(point.code, 0.0)
        if weight <= 0:
            continue
        shelves.append(
            gen.Shelf(
                library_code=point.library.code,
                service_point_code=point.code,
                barcode_prefix=shorts[point.library.code],
                weight=weight,
            )
        )
    shelves.sort(key=lambda s: s.service_point_code != data.MAIN_SERVICE_POINT_CODE)
    return shelves


def demo_catalogue_build(
    *, records: int, items: int, seed: int, actor: Actor, progress: Progress = _noop
) -> tuple[int, int]:
    """Generates `records` records as CNMARC and MARC 21, loads them through the catalogue's
    MARC import, then adds their items (about `items`) in bulk. Returns (records, items)."""
    books = list(gen.generate_books(count=records, items=items, shelves=_shelves(), seed=seed))
    progress("catalogue", 0, len(books))
    files = {flavour: gen.to_iso2709(books, flavour) for flavour in ("cnmarc", "marc21")}
    ids = _records_load(files, actor=actor, total=len(books), progress=progress)
    item_count = _items_bulk_create(books, ids, actor=actor, progress=progress)
    return len(ids), item_count


def _import_progress(progress: Progress, base: int, total: int, report: ImportReport) -> None:
    progress("catalogue", base + report.seen, total)


def _records_load(
    files: dict[str, bytes], *, actor: Actor, total: int, progress: Progress
) -> dict[str, int]:
    """Loads the ISO 2709 files through the catalogue's import (items are made afterwards,
    because they spread over many service points and collections); returns
    {control number: record id}."""
    done = 0
    for flavour, payload in files.items():
        if not payload:
            continue
        report = marc_import(
            sources=[io.BytesIO(payload)],
            flavour=flavour,
            encoding="utf-8",
            match="none",
            create_items=False,
            actor=actor,
            batch_size=1000,
            progress=partial(_import_progress, progress, done, total),
        )
        done += report.seen
        if report.rejected:
            raise Conflict(
                _("The demo catalogue did not load: %(reasons)s")
                % {"reasons": "; ".join(r.reason for r in report.rejects[:3])}
            )
    return dict(
        Record.objects.filter(control_number__startswith="LJDEMO").values_list(
            "control_number", "pk"
        )
    )


def _items_bulk_create(
    books: list[gen.BookSpec], ids: dict[str, int], *, actor: Actor, progress: Progress
) -> int:
    libraries = dict(Library.objects.values_list("code", "pk"))
    points = dict(ServicePoint.objects.values_list("code", "pk"))
    collections = dict(Collection.objects.values_list("code", "pk"))
    total = sum(len(b.holdings) for b in books)
    tz = timezone.get_current_timezone()
    created = 0
    pending: list[Item] = []

    def flush() -> None:
        nonlocal created
        with transaction.atomic():
            Item.objects.bulk_create(pending, batch_size=1000)
            audit_bulk(
                [
                    AuditEvent(
                        at=timezone.now(),
                        actor_label=actor.name,
                        channel=actor.channel,
                        action="item.created",
                        library_id=item.owning_library_id,
                        object_type="catalogue.item",
                        object_id=str(item.pk),
                        object_repr=item.barcode,
                        changes={"status": item.status},
                    )
                    for item in pending
                ]
            )
        created += len(pending)
        pending.clear()
        progress("items", created, total)

    for book in books:
        record_id = ids.get(book.control_number)
        if record_id is None:
            continue
        sort_key = call_number_sort_key(book.call_number)
        for h in book.holdings:
            point = points[h.service_point_code]
            acquired = dt.datetime.combine(h.acquired_on, dt.time(10), tzinfo=tz)
            pending.append(
                Item(
                    barcode=h.barcode,
                    record_id=record_id,
                    owning_library_id=libraries[h.library_code],
                    home_service_point_id=point,
                    current_service_point_id=point,
                    collection_id=collections[h.collection_code],
                    call_number=h.call_number,
                    call_number_sort=sort_key,
                    price=h.price,
                    acquisition_source=h.source,
                    acquired_on=h.acquired_on,
                    status=ItemStatus.AVAILABLE,
                    status_changed_at=acquired,
                    created_at=acquired,
                )
            )
            if len(pending) >= BATCH:
                flush()
    if pending:
        flush()
    return created


# ------------------------------------------------------------------------------- readers


def _id_number(area: str, birth: dt.date, sequence: int) -> str:
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + identity.id_check_character(first17)


@transaction.atomic
def demo_readers_register(*, actor: Actor) -> list[tuple[str, str, str, str]]:
    """The named demo readers, through `reader_register`, all with the demo PIN: an adult, a
    juvenile with that adult as guardian, a senior, an expired card, a suspended (blocked)
    card, and the recruit camp's group account. Returns (kind, name, card, status) rows."""
    categories = {c.code: c for c in ReaderCategory.objects.all()}
    main = ServicePoint.objects.get(code=data.MAIN_SERVICE_POINT_CODE)
    camp = ServicePoint.objects.get(code="CN-530700-DEP2020WJ")
    adult = readers.reader_register(
        name="和丽华",
        category=categories["ADULT"],
        home_service_point=main,
        actor=actor,
        id_number=_id_number("530702", dt.date(1985, 6, 12), 24),
        phone="13908881234",
        pin=DEMO_READER_PIN,
    )
    juvenile = readers.reader_register(
        name="和小雨",
        category=categories["JUV"],
        home_service_point=main,
        actor=actor,
        birth_date=dt.date(2015, 3, 8),
        guardian=adult,
        pin=DEMO_READER_PIN,
    )
    senior = readers.reader_register(
        name="木正清",
        category=categories["SENIOR"],
        home_service_point=main,
        actor=actor,
        id_number=_id_number("530721", dt.date(1950, 2, 1), 13),
        pin=DEMO_READER_PIN,
    )
    expired = readers.reader_register(
        name="李晓明",
        category=categories["ADULT"],
        home_service_point=main,
        actor=actor,
        birth_date=dt.date(1992, 11, 3),
        pin=DEMO_READER_PIN,
        issued_at=dt.datetime(2019, 3, 1, 10, tzinfo=dt.UTC),
        card_expires_on=dt.date(2022, 3, 1),
    )
    readers.card_set_status(
        card=expired.cards.get(), status=CardStatus.EXPIRED, actor=actor, reason="读者证已过期"
    )
    blocked = readers.reader_register(
        name="张海燕",
        category=categories["ADULT"],
        home_service_point=main,
        actor=actor,
        birth_date=dt.date(1978, 8, 21),
        pin=DEMO_READER_PIN,
    )
    readers.card_set_status(
        card=blocked.cards.get(),
        status=CardStatus.SUSPENDED,
        actor=actor,
        reason="逾期图书未还，暂停借阅",
    )
    group = readers.reader_register(
        name="武警云南总队新兵集训队",
        category=categories["GROUP"],
        home_service_point=camp,
        actor=actor,
        phone="0888-5170611",
        pin=DEMO_READER_PIN,
        issued_at=dt.datetime(2019, 6, 3, 10, tzinfo=dt.UTC),
        card_expires_on=dt.date(2029, 6, 3),
    )
    kinds = [
        ("adult", adult),
        ("juvenile", juvenile),
        ("senior", senior),
        ("expired", expired),
        ("blocked", blocked),
        ("group", group),
    ]
    return [_reader_row(kind, reader) for kind, reader in kinds]


def _reader_row(kind: str, reader: Reader) -> tuple[str, str, str, str]:
    card = reader.cards.order_by("-pk").first()
    assert card is not None
    return (kind, reader.name, card.number, card.status)


def _reader_listing() -> list[tuple[str, str, str, str]]:
    kinds = ["adult", "juvenile", "senior", "expired", "blocked", "group"]
    named = Reader.objects.order_by("pk")[: len(kinds)]
    return [_reader_row(kind, reader) for kind, reader in zip(kinds, named, strict=False)]


SURNAMES_BY_WEIGHT = [
    ("和", 14),
    ("杨", 10),
    ("李", 10),
    ("王", 8),
    ("张", 8),
    ("木", 4),
    ("赵", 4),
    ("刘", 4),
    ("陈", 4),
    ("习", 2),
    ("段", 2),
    ("周", 3),
    ("黄", 3),
    ("吴", 2),
    ("徐", 2),
    ("马", 3),
    ("余", 2),
    ("罗", 2),
]


def demo_readers_bulk_create(
    *, count: int, seed: int, actor: Actor, progress: Progress = _noop
) -> int:
    """`count` further readers with one card each, as an import would load them (no PIN, no ID
    number; one audit row per reader and per card). At 9,000 readers, 8,952 cards are valid
    at the end of 2020 and 654 were issued in 2020, as in the annual report; the rest expired
    during 2020. Valid cards run past today so that the demo readers can borrow."""
    if count <= 0:
        return 0
    rng = random.Random(seed + 1)
    categories = {c.code: c for c in ReaderCategory.objects.all()}
    home_points = list(
        ServicePoint.objects.filter(kind__in=["main", "county_library"]).order_by("pk")
    )
    main = next(p for p in home_points if p.code == data.MAIN_SERVICE_POINT_CODE)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    # Two named readers (the expired card, issued 2019, and the camp's group card) were also
    # valid cardholders at the end of 2020.
    expired_share = max(0, count - round(count * 8952 / 9000) + 2)
    new_2020 = round(count * 654 / 9000)
    last = Card.objects.order_by("-number").values_list("number", flat=True).first()
    prefix = getattr(settings, "CARD_NUMBER_PREFIX", "R")
    sequence = int(last[len(prefix) :]) if last and last[len(prefix) :].isdigit() else 0
    surnames = [s for s, _w in SURNAMES_BY_WEIGHT]
    weights = [w for _s, w in SURNAMES_BY_WEIGHT]
    made = 0
    for start in range(0, count, BATCH):
        batch_readers: list[Reader] = []
        batch_cards: list[tuple[dt.datetime, dt.date, CardStatus, ServicePoint]] = []
        for n in range(start, min(count, start + BATCH)):
            juvenile = rng.random() < 0.4
            if juvenile:
                birth = dt.date(2006, 1, 1) + dt.timedelta(days=rng.randrange(12 * 365))
                category = categories["JUV"]
            else:
                birth = dt.date(1945, 1, 1) + dt.timedelta(days=rng.randrange(60 * 365))
                category = categories["SENIOR" if birth.year < 1961 else "ADULT"]
            point = main if rng.random() < 0.7 else rng.choice(home_points)
            if n < new_2020:
                issued = dt.date(2020, 1, 2) + dt.timedelta(days=rng.randrange(363))
            else:
                issued = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(8 * 365))
            if n >= count - expired_share:
                expires = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(365))
                issued = min(issued, expires - dt.timedelta(days=3 * 365))
                status = CardStatus.EXPIRED
            else:
                expires = today + dt.timedelta(days=30 + rng.randrange(1000))
                status = CardStatus.VALID
            given = rng.choice(gen.GIVEN)
            batch_readers.append(
                Reader(
                    name=rng.choices(surnames, weights)[0] + given,
                    category=category,
                    birth_date=birth,
                    home_service_point=point,
                    guardian_name=("和" + rng.choice(gen.GIVEN)) if juvenile else "",
                    guardian_phone=f"139{rng.randrange(10**8):08d}" if juvenile else "",
                    phone="" if juvenile else f"13{rng.randrange(10**9):09d}",
                )
            )
            issued_at = dt.datetime.combine(issued, dt.time(10), tzinfo=tz)
            batch_cards.append((issued_at, expires, status, point))
        with transaction.atomic():
            Reader.objects.bulk_create(batch_readers, batch_size=1000)
            cards = []
            for reader, (issued_at, expires, status, point) in zip(
                batch_readers, batch_cards, strict=True
            ):
                sequence += 1
                cards.append(
                    Card(
                        reader=reader,
                        number=f"{prefix}{sequence:09d}",
                        issued_at=issued_at,
                        issued_at_service_point=point,
                        expires_on=expires,
                        status=status,
                        status_changed_at=issued_at,
                    )
                )
            Card.objects.bulk_create(cards, batch_size=1000)
            now = timezone.now()
            audit_bulk(
                [
                    AuditEvent(
                        at=now,
                        actor_label=actor.name,
                        channel=actor.channel,
                        action="reader.registered",
                        library_id=r.home_service_point.library_id,
                        object_type="readers.reader",
                        object_id=str(r.pk),
                        object_repr=identity.mask_name(r.name),
                        changes={"category": r.category.code},
                    )
                    for r in batch_readers
                ]
                + [
                    AuditEvent(
                        at=now,
                        actor_label=actor.name,
                        channel=actor.channel,
                        action="card.issued",
                        library_id=c.reader.home_service_point.library_id,
                        object_type="readers.card",
                        object_id=str(c.pk),
                        object_repr=c.number,
                        changes={"number": c.number, "expires_on": c.expires_on.isoformat()},
                    )
                    for c in cards
                ]
            )
        made += len(batch_readers)
        progress("readers", made, count)
    return made


def demo_counts() -> dict[str, Any]:
    return {
        "libraries": Library.objects.count(),
        "service_points": ServicePoint.objects.count(),
        "records": Record.objects.count(),
        "items": Item.objects.count(),
        "readers": Reader.objects.count(),
    }
