"""The simulated 2019 and 2020 of the Lijiang demo, run with a fixed random seed.

What happens, in order (see docs/decisions/0007-demo-simulation.md for why):

1. The epidemic: `closure_declare` closes the city library 2020-01-24 to 2020-04-06, and
   `service_mode_set` puts its main building in closed-stack lending 2020-04-07 to 2020-07-19.
2. The rest of the reference year (`demo.year2020`): the programme (series, events planned
   when the service modes allow them and then held, the film series since 2016, awards), the
   ledgers (media, group visits, venue use, website, staff, funded projects, training), the
   WeChat exports, e-books owned, the 2019 and 2020 book budgets, the serial subscriptions,
   and a sample of 2020's additions through suggestion, approval, order and receipt, an
   ordinary purchase, local documents and a donation.
   Then the 2020 additions: the generated collection's acquisition dates and sources are set
   so that the year's additions, with the sample, match the annual report's mix
   (suggestions, purchase, local documents, donations; juvenile share); the rest were
   acquired before 2020.
3. The recruit camp's deposit: `deposit_create` and `deposit_lend` for a first crate through
   the real services, the rest of the 2,400 items through the history replay.
4. The two years of lending: the simulator chooses, day by day and service point by service
   point, where the library was open, how many loans to make so that the years reach their
   targets (2019: 93,008; 2020: 57,588, of which 39,219 juvenile), to whom and of what, when
   each item came back and whether it was renewed; these go through
   `circulation.services.history.loans_history_replay` (the rules, calendars and closures
   apply there), while a sample of a few hundred transactions goes through `loan_checkout`,
   `loan_renew` and `loan_checkin` themselves, and a few readers place holds (`hold_place`).
   The years' top borrowers are then asked to be named in the borrowing ranking
   (`consent_set`).

At scales other than the default the targets shrink in proportion (`factor`): the figures
stay consistent with one another, not equal to the report's.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections, router, transaction
from django.utils import timezone

from shufang.catalogue.models import Collection, Item, Record
from shufang.circulation.models import CirculationChannel, Deposit, ServiceMode
from shufang.circulation.selectors import lending_calendar
from shufang.circulation.services.checkin import loan_checkin
from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.services.closures import closure_declare
from shufang.circulation.services.deposits import deposit_create, deposit_lend, deposit_return
from shufang.circulation.services.history import HistoryRow, loans_history_replay
from shufang.circulation.services.holds import hold_place
from shufang.circulation.services.modes import service_mode_set
from shufang.circulation.services.renew import loan_renew
from shufang.core.audit import Actor
from shufang.core.exceptions import ShufangError
from shufang.demo import catalogue_gen as gen
from shufang.demo import data, year2020
from shufang.network.calendar import Calendar, is_open_on
from shufang.network.models import Library, ServicePoint
from shufang.readers.models import Card, CardStatus, Reader

# The annual report's figures (docs: /work/shared/spec/annual-report-metrics.md).
LOANS_2019 = 93_008
LOANS_2020 = 57_588
LOANS_2020_JUVENILE = 39_219
DEPOSIT_ITEMS = 2_400
ADDITIONS_2020 = {
    "reader_suggestion": 8_854,
    "purchase": 81,
    "local_documents": 1_073,
    "donation": 2_560,
}
ADDITIONS_2020_JUVENILE = 7_282
CLOSED_STACK = (dt.date(2020, 4, 7), dt.date(2020, 7, 19), "疫情防控闭架借阅")
DEPOSIT_DATES = (dt.date(2020, 9, 1), dt.date(2020, 12, 28))
# the share of the 2019 loans that were of juvenile collections
JUVENILE_SHARE_2019 = 0.62
RENEWED_SHARE = 0.08
SAMPLE = 240  # loans through loan_checkout (with their returns and some renewals)
DEPOSIT_SAMPLE = 40
# "8.04 万余" and "3 万余": the middle of each range
VISITS = {2019: 80_450, 2020: 30_500}
HOLDS = 12


@dataclass
class SimulationSummary:
    loans: dict[int, int] = field(default_factory=dict)
    juvenile_loans: dict[int, int] = field(default_factory=dict)
    sample_loans: int = 0
    sample_renewals: int = 0
    holds: int = 0
    deposit_loans: int = 0
    additions_2020: dict[str, int] = field(default_factory=dict)
    acquisitions_sample: int = 0  # of them, added through the acquisition workflows
    refused: int = 0
    visits: dict[int, int] = field(default_factory=dict)


Progress = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    pass


def _aware(day: dt.date, seconds: int) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz) + dt.timedelta(seconds=seconds)


def _days(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=n) for n in range((dt.date(year + 1, 1, 1) - first).days)]


def simulate(
    *, seed: int, factor: float, actor: Actor, progress: Progress | None = None
) -> SimulationSummary:
    """Runs the simulated 2019 and 2020 (see the module docstring). `factor` scales every
    target (1.0 at the default and full scales)."""
    progress = progress or _noop
    rng = random.Random(seed + 2019)
    summary = SimulationSummary()
    progress("simulation", 0, 3)
    city = Library.objects.get(code=data.CITY_LIBRARY_CODE)
    main = ServicePoint.objects.get(code=data.MAIN_SERVICE_POINT_CODE)
    start, end, reason = data.COVID_CLOSURE
    closure_declare(
        start_date=start,
        end_date=end,
        reason=reason,
        actor=actor,
        library=city,
        at=_aware(dt.date(2020, 1, 23), 20 * 3600),
    )
    first, last, why = CLOSED_STACK
    service_mode_set(
        service_point=main,
        mode=ServiceMode.CLOSED_STACK,
        start_date=first,
        end_date=last,
        reason=why,
        actor=actor,
    )
    progress("simulation", 1, 3)
    sample = year2020.reference_year_make(
        library=city,
        main=main,
        collections={c.code: c for c in Collection.objects.all()},
        readers=_suggesting_readers(),
        actor=actor,
        rng=random.Random(seed + 2020),
        caps={source: round(n * factor) for source, n in ADDITIONS_2020.items()},
    )
    summary.additions_2020 = additions_2020_set(rng=rng, factor=factor, done=sample)
    summary.acquisitions_sample = sum(sample.by_source.values())
    progress("simulation", 2, 3)
    _lending(rng=rng, factor=factor, actor=actor, summary=summary)
    year2020.ranking_consents_make(years=(2019, 2020), actor=actor, rng=random.Random(seed + 23))
    summary.visits = visits_import(rng=rng, factor=factor, actor=actor)
    progress("simulation", 3, 3)
    return summary


# ------------------------------------------------------------------------------- additions


def _suggesting_readers() -> list[Reader]:
    """Readers whose cards were valid all through 2020 (they suggest titles to buy)."""
    tz = timezone.get_current_timezone()
    return list(
        Reader.objects.filter(
            category__kind="person",
            cards__status=CardStatus.VALID,
            cards__issued_at__lt=dt.datetime(2020, 1, 1, tzinfo=tz),
            cards__expires_on__gt=dt.date(2021, 1, 1),
        )
        .select_related("category")
        .order_by("pk")[:60]
    )


@transaction.atomic
def additions_2020_set(
    *, rng: random.Random, factor: float, done: year2020.AcquisitionsSample | None = None
) -> dict[str, int]:
    """Sets the acquisition dates and sources of the generated items so that the 2020
    additions have the annual report's mix (scaled by `factor`); every other item was
    acquired 2000-2019. The items `done` through the acquisition workflows count towards
    the mix and are left as they are. Returns {source: items added in 2020}."""
    collections = dict(Collection.objects.values_list("code", "pk"))
    kept = set(done.items) if done is not None else set()
    rows = [
        row
        for row in Item.objects.values_list("pk", "collection_id", "acquired_on")
        if row[0] not in kept
    ]
    by_collection: dict[int, list[int]] = defaultdict(list)
    for pk, collection_id, _acquired in rows:
        by_collection[collection_id].append(pk)
    for pks in by_collection.values():
        rng.shuffle(pks)
    local = by_collection[collections[gen.LOCAL]]
    juvenile = by_collection[collections[gen.JUVENILE]]
    adult = by_collection[collections[gen.ADULT]]
    sampled = done.by_source if done is not None else {}
    want = {
        source: round(n * factor) - sampled.get(source, 0) for source, n in ADDITIONS_2020.items()
    }
    want["local_documents"] = min(want["local_documents"], len(local))
    others = want["reader_suggestion"] + want["purchase"] + want["donation"]
    juvenile_target = round(ADDITIONS_2020_JUVENILE * factor) - (done.juvenile if done else 0)
    want_juvenile = min(juvenile_target, len(juvenile), others)
    want_adult = min(others - want_juvenile, len(adult))
    chosen_other = juvenile[:want_juvenile] + adult[:want_adult]
    rng.shuffle(chosen_other)
    sources: list[str] = []
    for source in ("reader_suggestion", "purchase", "donation"):
        sources += [source] * want[source]
    sources = sources[: len(chosen_other)]
    tz = timezone.get_current_timezone()
    year_days = _days(2020)
    updates: list[Item] = []
    chosen = set(chosen_other) | set(local[: want["local_documents"]])
    for pk, source in [*zip(chosen_other, sources, strict=False)] + [
        (pk, "local_documents") for pk in local[: want["local_documents"]]
    ]:
        day = rng.choice(year_days)
        updates.append(_acquisition(pk, day, source, tz))
    early = dt.date(2000, 1, 1)
    span = (dt.date(2019, 12, 31) - early).days
    for pk, collection_id, acquired in rows:
        if pk in chosen or (acquired is not None and acquired.year < 2020):
            continue
        day = early + dt.timedelta(days=rng.randrange(span))
        source = "local_documents" if collection_id == collections[gen.LOCAL] else ""
        updates.append(
            _acquisition(pk, day, source or rng.choice(["reader_suggestion", "purchase"]), tz)
        )
    _items_update(updates)
    counts: dict[str, int] = defaultdict(int)
    for source in sources:
        counts[source] += 1
    counts["local_documents"] = want["local_documents"]
    for source, n in sampled.items():
        counts[source] += n
    return dict(counts)


def _items_update(items: list[Item]) -> None:
    """One prepared UPDATE run for every item (bulk_update's CASE expressions grow with the
    batch and are slow on SQLite for tens of thousands of rows)."""
    connection = connections[router.db_for_write(Item)]
    ops = connection.ops
    table = ops.quote_name(Item._meta.db_table)
    sql = (
        f"UPDATE {table} SET acquired_on = %s, acquisition_source = %s, created_at = %s, "
        "status_changed_at = %s WHERE id = %s"
    )
    params = [
        (
            ops.adapt_datefield_value(item.acquired_on),
            item.acquisition_source,
            ops.adapt_datetimefield_value(item.created_at),
            ops.adapt_datetimefield_value(item.status_changed_at),
            item.pk,
        )
        for item in items
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _acquisition(pk: int, day: dt.date, source: str, tz: dt.tzinfo) -> Item:
    at = dt.datetime.combine(day, dt.time(10), tzinfo=tz)
    return Item(
        pk=pk, acquired_on=day, acquisition_source=source, created_at=at, status_changed_at=at
    )


# ------------------------------------------------------------------------------- lending


@dataclass
class _Pools:
    juvenile: list[tuple[int, dt.date]]  # (item id, acquired on), loanable juvenile items
    adult: list[tuple[int, dt.date]]
    barcode: dict[int, str]
    readers: list[tuple[int, int, dt.date, dt.date, bool]]  # id, card, issued, expires, juv
    free_from: dict[int, dt.date] = field(default_factory=dict)  # item -> free again on


def _pools() -> _Pools:
    loanable = Collection.objects.filter(loanable=True).exclude(code=gen.PERIODICALS)
    juvenile: list[tuple[int, dt.date]] = []
    adult: list[tuple[int, dt.date]] = []
    barcode: dict[int, str] = {}
    for pk, acquired, is_juvenile, code in Item.objects.filter(
        collection__in=loanable, status="available"
    ).values_list("pk", "acquired_on", "collection__juvenile", "barcode"):
        (juvenile if is_juvenile else adult).append((pk, acquired or dt.date(2000, 1, 1)))
        barcode[pk] = code
    readers = []
    for reader_id, card_id, issued_at, expires, status, is_juvenile in Card.objects.filter(
        reader__category__kind="person"
    ).values_list(
        "reader_id", "pk", "issued_at", "expires_on", "status", "reader__category__juvenile"
    ):
        if status in (CardStatus.CANCELLED, CardStatus.LOST):
            continue
        issued = timezone.localtime(issued_at).date()
        readers.append((reader_id, card_id, issued, expires, is_juvenile))
    readers.sort()
    return _Pools(juvenile=juvenile, adult=adult, barcode=barcode, readers=readers)


def _open_cells(
    points: list[ServicePoint], weights: dict[int, float], year: int
) -> list[tuple[dt.date, ServicePoint, float]]:
    """(day, service point, weight) for every day a lending point was open in `year`; weights
    fall during the closed-stack months and rise at weekends."""
    cells = []
    calendars: dict[int, Calendar] = {p.pk: lending_calendar(service_point=p) for p in points}
    for day in _days(year):
        for point in points:
            opened = point.opened_on
            if opened is not None and day < opened:
                continue
            if point.closed_on is not None and day > point.closed_on:
                continue
            if not is_open_on(calendars[point.pk], day):
                continue
            w = weights[point.pk] * (1.4 if day.weekday() >= 5 else 1.0)
            if CLOSED_STACK[0] <= day <= CLOSED_STACK[1]:
                w *= 0.55
            elif year == 2020 and day > CLOSED_STACK[1]:
                w *= 0.75
            cells.append((day, point, w))
    return cells


def _allocate(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights`, largest remainders first: exact sums."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(r) for r in raw]
    rest = total - sum(counts)
    order = sorted(range(len(raw)), key=lambda n: raw[n] - counts[n], reverse=True)
    for n in order[:rest]:
        counts[n] += 1
    return counts


def _next_open(calendar: Calendar, day: dt.date) -> dt.date:
    for _n in range(400):
        if is_open_on(calendar, day):
            return day
        day += dt.timedelta(days=1)
    return day


def _lending(
    *, rng: random.Random, factor: float, actor: Actor, summary: SimulationSummary
) -> None:
    pools = _pools()
    lending_kinds = ["main", "county_library", "mobile_room", "reading_point"]
    points = list(
        ServicePoint.objects.filter(kind__in=lending_kinds).select_related("library").order_by("pk")
    )
    base = {"main": 40.0, "county_library": 7.0, "mobile_room": 0.35, "reading_point": 0.25}
    weights = {p.pk: base[p.kind] for p in points}
    calendars = {p.pk: lending_calendar(service_point=p) for p in points}
    # the sample's items are kept out of the replay, so the two never collide
    rng.shuffle(pools.juvenile)
    rng.shuffle(pools.adult)
    sample_size = max(4, round(SAMPLE * min(1.0, factor * 4)))
    sample_items = pools.adult[: sample_size // 2] + pools.juvenile[: sample_size // 2]
    del pools.adult[: sample_size // 2]
    del pools.juvenile[: sample_size // 2]
    deposit_target = round(DEPOSIT_ITEMS * factor)
    deposit_items = pools.adult[:deposit_target]
    del pools.adult[:deposit_target]

    deposit = _deposit(rng=rng, actor=actor, items=deposit_items, pools=pools, summary=summary)
    done, done_juvenile = _sample(
        rng=rng,
        actor=actor,
        items=sample_items,
        pools=pools,
        main=next(p for p in points if p.code == data.MAIN_SERVICE_POINT_CODE),
        calendars=calendars,
        summary=summary,
    )
    lent_in_deposit = summary.deposit_loans
    rows: list[HistoryRow] = []
    for year, total in ((2019, round(LOANS_2019 * factor)), (2020, round(LOANS_2020 * factor))):
        cells = _open_cells(points, weights, year)
        desk = total - done[year] - (deposit_target if year == 2020 else 0)
        counts = _allocate(desk, [w for _d, _p, w in cells])
        if year == 2020:
            juvenile_total = round(LOANS_2020_JUVENILE * factor)
        else:
            juvenile_total = round(total * JUVENILE_SHARE_2019)
        juvenile_left = juvenile_total - done_juvenile[year]
        kinds = [True] * juvenile_left + [False] * (desk - juvenile_left)
        rng.shuffle(kinds)
        k = 0
        for (day, point, _w), count in zip(cells, counts, strict=True):
            for _n in range(count):
                rows.append(_loan_row(rng, pools, calendars[point.pk], day, point, kinds[k]))
                k += 1
        summary.loans[year] = total
        summary.juvenile_loans[year] = juvenile_total
    if deposit is not None:
        lent_on, back_on = DEPOSIT_DATES
        for pk, _acquired in deposit_items[lent_in_deposit:]:
            rows.append(
                HistoryRow(
                    item_id=pk,
                    reader_id=deposit.borrower_id,
                    service_point_id=deposit.lent_from_id,
                    checked_out_at=_aware(lent_on, 10 * 3600 + rng.randrange(3600)),
                    channel=CirculationChannel.DEPOSIT,
                    deposit_id=deposit.pk,
                    returned_at=_aware(back_on, 15 * 3600 + rng.randrange(3600)),
                )
            )
        summary.deposit_loans = len(deposit_items)
    report = loans_history_replay(rows=rows, actor=actor)
    summary.refused = len(report.refused)
    if deposit is not None:
        barcodes = [pools.barcode[pk] for pk, _a in deposit_items[:lent_in_deposit]]
        deposit_return(
            deposit=deposit,
            barcodes=barcodes,
            actor=actor,
            at=_aware(DEPOSIT_DATES[1], 15 * 3600),
        )
    summary.holds = _holds(rng=rng, actor=actor, pools=pools, main=points[0])


def _loan_row(
    rng: random.Random,
    pools: _Pools,
    calendar: Calendar,
    day: dt.date,
    point: ServicePoint,
    juvenile: bool,
) -> HistoryRow:
    pool = pools.juvenile if juvenile else pools.adult
    item_id = 0
    for _try in range(60):
        item_id, acquired = pool[rng.randrange(len(pool))]
        if acquired <= day and pools.free_from.get(item_id, day) <= day:
            break
    else:
        # every try was out or not yet acquired: take the first free one in the pool
        item_id = next(
            pk for pk, acquired in pool if acquired <= day and pools.free_from.get(pk, day) <= day
        )
    reader_id, card_id = _reader(rng, pools, day, juvenile)
    out = _aware(day, 9 * 3600 + rng.randrange(9 * 3600))
    keep = int(rng.triangular(3, 45, 18))
    back_day = _next_open(calendar, day + dt.timedelta(days=keep))
    renewed: tuple[dt.datetime, ...] = ()
    if keep > 20 and rng.random() < RENEWED_SHARE * 3:
        renewed = (out + dt.timedelta(days=rng.randrange(10, keep)),)
        renewed = tuple(r for r in renewed if r.date() < back_day)
    back = _aware(back_day, 9 * 3600 + rng.randrange(9 * 3600))
    if back <= out:
        back = out + dt.timedelta(hours=1)
    pools.free_from[item_id] = back_day + dt.timedelta(days=1)
    return HistoryRow(
        item_id=item_id,
        reader_id=reader_id,
        card_id=card_id,
        service_point_id=point.pk,
        checked_out_at=out,
        renewed_at=renewed,
        returned_at=back,
        channel=CirculationChannel.DESK,
    )


def _reader(rng: random.Random, pools: _Pools, day: dt.date, juvenile: bool) -> tuple[int, int]:
    chosen = pools.readers[0]
    for _try in range(40):
        chosen = pools.readers[rng.randrange(len(pools.readers))]
        _id, _card, issued, expires, is_juvenile = chosen
        if issued <= day < expires and (is_juvenile == juvenile or rng.random() < 0.3):
            break
    return chosen[0], chosen[1]


# ------------------------------------------------------------------------------- deposit


def _deposit(
    *,
    rng: random.Random,
    actor: Actor,
    items: list[tuple[int, dt.date]],
    pools: _Pools,
    summary: SimulationSummary,
) -> Deposit | None:
    if not items:
        return None
    camp = ServicePoint.objects.get(code="CN-530700-DEP2020WJ")
    main = ServicePoint.objects.get(code=data.MAIN_SERVICE_POINT_CODE)
    borrower = (
        Reader.objects.filter(name="武警云南总队新兵集训队").select_related("category").first()
    )
    if borrower is None:
        return None
    lent_on, back_on = DEPOSIT_DATES
    deposit = deposit_create(
        name="武警云南总队新兵集训图书借阅",
        borrower=borrower,
        lent_from=main,
        lent_on=lent_on,
        due_on=back_on,
        actor=actor,
        destination=camp,
    )
    result = deposit_lend(
        deposit=deposit,
        barcodes=[pools.barcode[pk] for pk, _a in items[:DEPOSIT_SAMPLE]],
        actor=actor,
        at=_aware(lent_on, 10 * 3600),
    )
    # the crate lent through deposit_lend; the rest of the items go through the replay
    lent = {loan.item_id for loan in result.lent}
    items.sort(key=lambda pair: pair[0] not in lent)
    summary.deposit_loans = len(lent)
    return deposit


# ------------------------------------------------------------------------------- sample


def _sample(
    *,
    rng: random.Random,
    actor: Actor,
    items: list[tuple[int, dt.date]],
    pools: _Pools,
    main: ServicePoint,
    calendars: dict[int, Calendar],
    summary: SimulationSummary,
) -> tuple[dict[int, int], dict[int, int]]:
    """A few hundred loans through `loan_checkout`, `loan_renew` and `loan_checkin` at the
    main building on open days of 2019 and 2020. Returns the loans made per year, and of
    them the juvenile ones."""
    done = {2019: 0, 2020: 0}
    juvenile_done = {2019: 0, 2020: 0}
    calendar = calendars[main.pk]
    open_days = [d for d in _days(2019) + _days(2020) if is_open_on(calendar, d)]
    readers = {r.pk: r for r in Reader.objects.select_related("category")}
    item_objects = {
        i.pk: i
        for i in Item.objects.filter(pk__in=[pk for pk, _a in items]).select_related("collection")
    }
    for pk, acquired in items:
        item = item_objects[pk]
        days = [d for d in open_days if d >= acquired]
        if not days:
            continue
        day = rng.choice(days)
        juvenile = item.collection.juvenile
        reader_id, _card = _reader(rng, pools, day, juvenile)
        out = _aware(day, 10 * 3600 + rng.randrange(6 * 3600))
        try:
            loan = loan_checkout(
                item=item, reader=readers[reader_id], service_point=main, actor=actor, at=out
            )
        except ShufangError:
            continue
        summary.sample_loans += 1
        done[day.year] += 1
        juvenile_done[day.year] += int(juvenile)
        keep = rng.randrange(5, 28)
        if rng.random() < 0.3:
            try:
                loan_renew(
                    loan=loan,
                    actor=actor,
                    channel=CirculationChannel.DESK,
                    at=out + dt.timedelta(days=min(keep - 1, 12)),
                )
                summary.sample_renewals += 1
            except ShufangError:
                pass
        back_day = _next_open(calendar, day + dt.timedelta(days=keep))
        loan_checkin(
            item=item,
            service_point=main,
            actor=actor,
            channel=CirculationChannel.DESK,
            at=_aware(back_day, 17 * 3600),
        )
    return done, juvenile_done


def _holds(*, rng: random.Random, actor: Actor, pools: _Pools, main: ServicePoint) -> int:
    """A few readers wait today for titles (placed through `hold_place`)."""
    placed = 0
    readers = [r for r in pools.readers if r[3] > timezone.localdate()]
    records = list(
        Record.objects.filter(items__collection__code=gen.ADULT)
        .order_by("pk")
        .distinct()[: HOLDS * 3]
    )
    for record in rng.sample(records, min(HOLDS, len(records))):
        reader = Reader.objects.select_related("category").get(pk=rng.choice(readers)[0])
        try:
            hold_place(
                reader=reader,
                record=record,
                pickup_service_point=main,
                actor=actor,
                channel=CirculationChannel.DESK,
            )
            placed += 1
        except ShufangError:
            continue
    return placed


# ------------------------------------------------------------------------------- visits


def visits_import(*, rng: random.Random, factor: float, actor: Actor) -> dict[int, int]:
    """The main building's gate counter: one count per open day of 2019 and 2020 (none while
    closed), written as the counter's CSV export and loaded through the statistics app's
    import. The yearly sums are the report's (scaled by `factor`). Returns {year: visits}."""
    from shufang.statistics.services import visit_counts_import

    main = ServicePoint.objects.get(code=data.MAIN_SERVICE_POINT_CODE)
    calendar = lending_calendar(service_point=main)
    totals: dict[int, int] = {}
    lines = ["service_point,day,count"]
    for year, visits in VISITS.items():
        days = [d for d in _days(year) if is_open_on(calendar, d)]
        weights = []
        for day in days:
            w = (1.5 if day.weekday() >= 5 else 1.0) * rng.uniform(0.8, 1.2)
            if CLOSED_STACK[0] <= day <= CLOSED_STACK[1]:
                w *= 0.35
            weights.append(w)
        total = round(visits * factor)
        counts = _allocate(total, weights)
        lines += [f"{main.code},{day.isoformat()},{n}" for day, n in zip(days, counts, strict=True)]
        totals[year] = total
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gate-counts.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        visit_counts_import(path=path, actor=actor)
    return totals
