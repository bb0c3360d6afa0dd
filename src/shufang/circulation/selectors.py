"""Read-only helpers for circulation.

Sections: loans and rules (engineer L), holds and transits (engineer R)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.models import Model, Q, QuerySet

from shufang.catalogue.models import Collection, Item, ItemStatus, Record
from shufang.circulation.models import (
    OPEN_LOAN_STATUSES,
    Fine,
    FineStatus,
    Hold,
    HoldStatus,
    Loan,
    LoanRule,
    LoanStatus,
    QuarantineEntry,
    QuarantinePolicy,
    Transit,
)
from shufang.circulation.rules import RuleContext, best_rule
from shufang.network import calendar as cal
from shufang.network.models import CalendarException, OpeningHours, ServicePoint, ServicePointKind
from shufang.readers.models import Card, Reader, ReaderCategory

# =========================================================================== loans and rules (L)

# Service points without a desk of their own: their due dates follow the calendar of the
# library's main building, where readers return what they borrowed there.
UNSTAFFED_KINDS = frozenset(
    {ServicePointKind.KIOSK, ServicePointKind.EBOOK_MACHINE, ServicePointKind.STUDY_ROOM}
)


# --------------------------------------------------------------------------- raw row loading
# Checkout and checkin run a handful of small, indexed SELECTs hundreds of times a second.
# Building each of them through the ORM (resolving lookups, joins, select_related, compiling)
# costs several times what running it costs (bench/bench_circulation.py --profile), so the
# hot paths below write their SQL once, from the models' own table and column names, and turn
# rows into model instances with Django's own converters and `Model.from_db`. The instances
# are the same as the ORM's; fields not selected are deferred (loaded on access).


class RowLoader:
    """The columns of `model` (all concrete fields, or `fields` by attname, in model order)
    for a raw SELECT, and the instance built from them."""

    def __init__(self, model: type[Model], exclude: Sequence[str] = ()) -> None:
        self.model = model
        self.fields: list[Any] = [
            f for f in model._meta.concrete_fields if f.attname not in exclude
        ]
        self.attnames = [f.attname for f in self.fields]
        self.width = len(self.fields)
        self._converters: dict[str, list[tuple[int, list[Callable[..., Any]], Any]]] = {}
        self._columns: dict[tuple[str, str], str] = {}
        self._pk_index = self.attnames.index(model._meta.pk.attname)

    def columns(self, alias: str, connection: Any) -> str:
        key = (alias, connection.vendor)
        found = self._columns.get(key)
        if found is None:
            qn = connection.ops.quote_name
            found = self._columns[key] = ", ".join(f"{alias}.{qn(f.column)}" for f in self.fields)
        return found

    def values(self, row: Sequence[Any], offset: int, connection: Any) -> list[Any]:
        """`row[offset:offset + width]` as Python values (the backend's converters: SQLite
        returns dates, times and booleans as text or integers)."""
        values = list(row[offset : offset + self.width])
        converters = self._converters.get(connection.alias)
        if converters is None:
            converters = []
            for i, f in enumerate(self.fields):
                col = f.get_col(self.model._meta.db_table)
                found = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
                if found:
                    converters.append((i, found, col))
            self._converters[connection.alias] = converters
        for i, funcs, col in converters:
            value = values[i]
            for func in funcs:
                value = func(value, col, connection)
            values[i] = value
        return values

    def load(self, row: Sequence[Any], offset: int, connection: Any) -> Any:
        """The instance from `row[offset:offset + width]`; None when its primary key is NULL
        (a LEFT JOIN that found nothing)."""
        if row[offset + self._pk_index] is None:
            return None
        return self.model.from_db(
            connection.alias, self.attnames, self.values(row, offset, connection)
        )

    def dicts(self, rows: Sequence[Sequence[Any]], connection: Any) -> list[dict[str, Any]]:
        """Rows as {attname: value} without building instances (for small lookup rows)."""
        return [
            dict(zip(self.attnames, self.values(row, 0, connection), strict=True)) for row in rows
        ]


def set_related(obj: Model, name: str, value: Any) -> None:
    obj._meta.get_field(name).set_cached_value(obj, value)  # type: ignore[union-attr]


def connection_for(model: type[Model], write: bool = False) -> Any:
    alias = router.db_for_write(model) if write else router.db_for_read(model)
    return connections[alias]


# Row bookkeeping timestamps are not read while lending and cost a text-to-datetime parse
# each on SQLite: left deferred (loaded on access; saves here name their fields, and an
# auto_now field is set when named), as are the MARC blobs, subjects and summary.
ROW_STAMPS = ("created_at", "updated_at")
_ITEM = RowLoader(Item, exclude=ROW_STAMPS)
_RECORD = RowLoader(Record, exclude=(*ROW_STAMPS, "marc_original", "marc", "subjects", "summary"))
_COLLECTION = RowLoader(Collection, exclude=ROW_STAMPS)
_POINT = RowLoader(ServicePoint, exclude=ROW_STAMPS)
_RULE = RowLoader(LoanRule, exclude=ROW_STAMPS)
_CARD = RowLoader(Card, exclude=ROW_STAMPS)
_LOAN = RowLoader(Loan)
_READER = RowLoader(Reader, exclude=ROW_STAMPS)
_CATEGORY = RowLoader(ReaderCategory, exclude=ROW_STAMPS)


def item_for_circulation(*, pk: int, lock: bool) -> Item:
    """The item with its record, collection, home and current service point, in one query.
    `lock`: the item row (only: not the record or collection other desks share) is locked
    FOR UPDATE until the transaction ends; on SQLite the IMMEDIATE transaction already holds
    the database's write lock. Raises Item.DoesNotExist."""
    connection = connection_for(Item, write=lock)
    qn = connection.ops.quote_name
    sql = (
        f"SELECT {_ITEM.columns('i', connection)}, {_RECORD.columns('r', connection)}, "
        f"{_COLLECTION.columns('c', connection)}, {_POINT.columns('h', connection)}, "
        f"{_POINT.columns('p', connection)} "
        f"FROM {qn(Item._meta.db_table)} i "
        f"JOIN {qn(Record._meta.db_table)} r ON r.id = i.record_id "
        f"JOIN {qn(Collection._meta.db_table)} c ON c.id = i.collection_id "
        f"JOIN {qn(ServicePoint._meta.db_table)} h ON h.id = i.home_service_point_id "
        f"JOIN {qn(ServicePoint._meta.db_table)} p ON p.id = i.current_service_point_id "
        "WHERE i.id = %s"
    )
    if lock and connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF i"
    elif lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        raise Item.DoesNotExist(f"Item {pk} does not exist")
    item = _ITEM.load(row, 0, connection)
    at = _ITEM.width
    set_related(item, "record", _RECORD.load(row, at, connection))
    at += _RECORD.width
    set_related(item, "collection", _COLLECTION.load(row, at, connection))
    at += _COLLECTION.width
    home = _POINT.load(row, at, connection)
    set_related(item, "home_service_point", home)
    at += _POINT.width
    current = _POINT.load(row, at, connection)
    set_related(item, "current_service_point", current)
    return item


def open_loan_for_item(*, item_id: int, lock: bool) -> Loan | None:
    """The item's open loan with its reader (and category), rule and lending service point,
    in one query; `lock` locks the loan row only."""
    connection = connection_for(Loan, write=lock)
    qn = connection.ops.quote_name
    sql = (
        f"SELECT {_LOAN.columns('l', connection)}, {_READER.columns('rd', connection)}, "
        f"{_CATEGORY.columns('rc', connection)}, {_RULE.columns('ru', connection)}, "
        f"{_POINT.columns('sp', connection)} "
        f"FROM {qn(Loan._meta.db_table)} l "
        f"LEFT JOIN {qn(Reader._meta.db_table)} rd ON rd.id = l.reader_id "
        f"LEFT JOIN {qn(ReaderCategory._meta.db_table)} rc ON rc.id = rd.category_id "
        f"LEFT JOIN {qn(LoanRule._meta.db_table)} ru ON ru.id = l.rule_id "
        f"JOIN {qn(ServicePoint._meta.db_table)} sp ON sp.id = l.service_point_id "
        "WHERE l.item_id = %s AND l.status IN (%s, %s) ORDER BY l.id"
    )
    if lock and connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF l"
    elif lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [item_id, *OPEN_LOAN_STATUSES])
        row = cursor.fetchone()
    if row is None:
        return None
    loan: Loan = _LOAN.load(row, 0, connection)
    at = _LOAN.width
    reader = _READER.load(row, at, connection)
    at += _READER.width
    if reader is not None:
        set_related(reader, "category", _CATEGORY.load(row, at, connection))
    at += _CATEGORY.width
    set_related(loan, "reader", reader)
    set_related(loan, "rule", _RULE.load(row, at, connection))
    at += _RULE.width
    set_related(loan, "service_point", _POINT.load(row, at, connection))
    return loan


def reader_card_current(*, reader_id: int) -> Card | None:
    """`readers.selectors.card_current` in one raw query: the reader's card at the end of its
    replacement chain (no card replaces it), newest first."""
    connection = connection_for(Card)
    table = connection.ops.quote_name(Card._meta.db_table)
    sql = (
        f"SELECT {_CARD.columns('c', connection)} FROM {table} c WHERE c.reader_id = %s "
        f"AND NOT EXISTS (SELECT 1 FROM {table} n WHERE n.replaces_id = c.id) "
        "ORDER BY c.issued_at DESC, c.id DESC LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [reader_id])
        row = cursor.fetchone()
    return _CARD.load(row, 0, connection) if row is not None else None


def rule_for(ctx: RuleContext) -> LoanRule:
    """The most specific rule matching `ctx` (one query). With no rule at all in the matrix,
    an unsaved rule with the model defaults, so lending never stops for want of a row.

    Read from the database every time, not cached in the process: with the SQL written once
    this costs about as much as a check that a cached copy is still current would, and no
    server can lend under a rule another server has already changed."""
    connection = connection_for(LoanRule)
    sql = (
        f"SELECT {_RULE.columns('r', connection)} "
        f"FROM {connection.ops.quote_name(LoanRule._meta.db_table)} r WHERE "
        "(r.service_point_id IS NULL OR r.service_point_id = %s) "
        "AND (r.library_id IS NULL OR r.library_id = %s) "
        "AND (r.reader_category_id IS NULL OR r.reader_category_id = %s) "
        "AND (r.collection_id IS NULL OR r.collection_id = %s) "
        "AND (r.material_type = '' OR r.material_type = %s)"
    )
    params = [
        ctx.service_point_id,
        ctx.library_id,
        ctx.reader_category_id,
        ctx.collection_id,
        ctx.material_type,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    rule = best_rule((_RULE.load(row, 0, connection) for row in rows), ctx)
    return rule if isinstance(rule, LoanRule) else LoanRule(name="default")


def rule_context(*, item: Any, reader: Any, service_point: ServicePoint) -> RuleContext:
    """The rule context of a transaction; `item.record` should be loaded (select_related)."""
    return RuleContext(
        library_id=service_point.library_id,
        service_point_id=service_point.pk,
        reader_category_id=reader.category_id,
        collection_id=item.collection_id,
        material_type=item.record.material_type,
    )


def rule_for_transaction(*, item: Any, reader: Any, service_point: ServicePoint) -> LoanRule:
    return rule_for(rule_context(item=item, reader=reader, service_point=service_point))


def calendar_point_for(service_point: ServicePoint) -> ServicePoint:
    """The service point whose calendar sets due dates for loans made at `service_point`:
    itself, or for a kiosk, e-book machine or 24-hour study room the main building of its
    library (where such loans are returned). Falls back to the point itself."""
    if service_point.kind not in UNSTAFFED_KINDS:
        return service_point
    # Raw SQL written once (see RowLoader): every kiosk checkout asks.
    connection = connection_for(ServicePoint)
    kinds = sorted(str(k.value) for k in UNSTAFFED_KINDS)
    sql = (
        f"SELECT {_POINT.columns('p', connection)} "
        f"FROM {connection.ops.quote_name(ServicePoint._meta.db_table)} p "
        f"WHERE p.library_id = %s AND p.kind NOT IN ({', '.join(['%s'] * len(kinds))}) "
        # the main building first, then any other staffed point
        "ORDER BY CASE WHEN p.kind = %s THEN 0 ELSE 1 END, p.code LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [service_point.library_id, *kinds, ServicePointKind.MAIN.value])
        row = cursor.fetchone()
    return _POINT.load(row, 0, connection) if row is not None else service_point


def reader_loans_current(*, reader: Any) -> QuerySet[Loan]:
    """The reader's open loans (on loan or claimed returned), soonest due first, with item,
    record and collection loaded."""
    return (
        Loan.objects.filter(reader=reader, status__in=OPEN_LOAN_STATUSES)
        .select_related("item", "item__record", "item__collection", "service_point")
        .order_by("due_at", "pk")
    )


_HOURS = RowLoader(OpeningHours)
_EXCEPTION = RowLoader(CalendarException, exclude=ROW_STAMPS)


def lending_calendar(
    *, service_point: ServicePoint, start: dt.date | None = None, end: dt.date | None = None
) -> cal.Calendar:
    """`network.selectors.calendar_for(service_point=calendar_point_for(service_point), ...)`
    with the SQL written once (two small queries; same rows, same order, same result). Read
    every time rather than cached, for the reason given at `rule_for`."""
    point = calendar_point_for(service_point)
    connection = connection_for(OpeningHours)
    qn = connection.ops.quote_name
    params: list[Any] = [point.pk, point.library_id]
    where = (
        "(e.service_point_id = %s OR (e.service_point_id IS NULL AND e.library_id = %s) "
        "OR (e.service_point_id IS NULL AND e.library_id IS NULL))"
    )
    if start is not None:
        where += " AND e.end_date >= %s"
        params.append(connection.ops.adapt_datefield_value(start))
    if end is not None:
        where += " AND e.start_date <= %s"
        params.append(connection.ops.adapt_datefield_value(end))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_HOURS.columns('h', connection)} "
            f"FROM {qn(OpeningHours._meta.db_table)} h WHERE h.service_point_id = %s",
            [point.pk],
        )
        hours = _HOURS.dicts(cursor.fetchall(), connection)
        cursor.execute(
            f"SELECT {_EXCEPTION.columns('e', connection)} "
            f"FROM {qn(CalendarException._meta.db_table)} e WHERE {where} "
            "ORDER BY e.start_date, e.id",
            params,
        )
        rows = _EXCEPTION.dicts(cursor.fetchall(), connection)
    exceptions = []
    for row in rows:
        periods: tuple[cal.Period, ...] = ()
        opens, closes = row["opens"], row["closes"]
        if row["kind"] == cal.SPECIAL_HOURS and opens is not None and closes is not None:
            periods = (cal.Period(opens, closes),)
        if row["service_point_id"] is not None:
            scope = cal.SCOPE_SERVICE_POINT
        elif row["library_id"] is not None:
            scope = cal.SCOPE_LIBRARY
        else:
            scope = cal.SCOPE_NETWORK
        exceptions.append(
            cal.DatedException(
                kind=row["kind"],
                start=row["start_date"],
                end=row["end_date"],
                periods=periods,
                scope=scope,
                reason=row["reason"],
            )
        )
    return cal.Calendar.build(
        [(h["weekday"], h["opens"], h["closes"]) for h in hours],
        exceptions,
        time_zone=settings.TIME_ZONE,
    )


def reader_loan_counts(
    *, reader: Any, collection_id: int | None, at: dt.datetime
) -> dict[str, int]:
    """In one query: the reader's current loans (`total`), those from `collection_id`
    (`in_collection`) and those overdue at `at` (`overdue`). Deposit loans are not counted;
    a loan claimed returned counts as a loan but not as overdue. (Raw SQL: see RowLoader.)"""
    connection = connection_for(Loan)
    qn = connection.ops.quote_name
    loans = f"{qn(Loan._meta.db_table)} l"
    if collection_id is None:
        # nothing to count by collection: no join to the items (a reader with 500 loans)
        in_collection = "0"
    else:
        in_collection = "COALESCE(SUM(CASE WHEN i.collection_id = %s THEN 1 ELSE 0 END), 0)"
        loans += f" JOIN {qn(Item._meta.db_table)} i ON i.id = l.item_id"
    sql = (
        f"SELECT COUNT(*), {in_collection}, "
        "COALESCE(SUM(CASE WHEN l.status = %s AND l.due_at < %s THEN 1 ELSE 0 END), 0) "
        f"FROM {loans} "
        "WHERE l.reader_id = %s AND l.status IN (%s, %s) AND l.deposit_id IS NULL"
    )
    params = [
        *([collection_id] if collection_id is not None else []),
        LoanStatus.ACTIVE,
        connection.ops.adapt_datetimefield_value(at),
        getattr(reader, "pk", reader),
        *OPEN_LOAN_STATUSES,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        total, in_collection, overdue = cursor.fetchone()
    return {"total": int(total), "in_collection": int(in_collection), "overdue": int(overdue)}


def holds_bearing_on_checkout(
    *, item_id: int, reader_id: int, record_id: int
) -> list[tuple[int, int, int | None, str]]:
    """(pk, reader_id, trapped_item_id, status) of the holds a checkout must know about, in
    one query: the hold the item is set aside for (anyone's: ready or in transit) and the
    reader's waiting holds on the item's record."""
    connection = connection_for(Hold)
    sql = (
        "SELECT id, reader_id, trapped_item_id, status "
        f"FROM {connection.ops.quote_name(Hold._meta.db_table)} WHERE "
        "(trapped_item_id = %s AND status IN (%s, %s)) "
        "OR (reader_id = %s AND record_id = %s AND status = %s)"
    )
    params = [
        item_id,
        HoldStatus.READY,
        HoldStatus.IN_TRANSIT,
        reader_id,
        record_id,
        HoldStatus.WAITING,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]  # type: ignore[misc]


def reader_overdue_count(*, reader: Any, at: dt.datetime) -> int:
    return Loan.objects.filter(
        reader=reader, status=LoanStatus.ACTIVE, due_at__lt=at, deposit__isnull=True
    ).count()


def reader_fines_outstanding(*, reader: Any) -> Decimal:
    connection = connection_for(Fine)
    table = connection.ops.quote_name(Fine._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT amount FROM {table} WHERE reader_id = %s AND status = %s",
            [getattr(reader, "pk", reader), FineStatus.OUTSTANDING],
        )
        # summed here as Decimals: SQLite would sum the stored text as floats
        amounts = [row[0] for row in cursor.fetchall()]
    return sum((Decimal(str(a)) for a in amounts), Decimal("0"))


def waiting_holds_exist(*, record_id: int) -> bool:
    """Whether anyone waits for a copy of the record (one indexed probe, raw SQL)."""
    connection = connection_for(Hold)
    table = connection.ops.quote_name(Hold._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE record_id = %s AND status = %s LIMIT 1",
            [record_id, HoldStatus.WAITING],
        )
        return cursor.fetchone() is not None


def quarantine_hours_at(*, service_point_id: int) -> int:
    """The quarantine hours of a service point's policy (0 without one), raw SQL."""
    connection = connection_for(QuarantinePolicy)
    table = connection.ops.quote_name(QuarantinePolicy._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT hours FROM {table} WHERE service_point_id = %s ORDER BY id LIMIT 1",
            [service_point_id],
        )
        row = cursor.fetchone()
    return int(row[0] or 0) if row is not None else 0


# =========================================================================== holds, transits (R)
# --- holds, transits, quarantine


@dataclass(frozen=True)
class PickLine:
    """One line of a pick list: fetch `item` (at this service point) for `hold`."""

    hold: Hold
    item: Item


def hold_queue(*, record: Any) -> QuerySet[Hold]:
    """The open holds on a record in queue order (FIFO by placed_at, then id)."""
    return (
        Hold.objects.filter(
            record=record,
            status__in=(HoldStatus.WAITING, HoldStatus.IN_TRANSIT, HoldStatus.READY),
        )
        .select_related("reader", "item", "trapped_item", "pickup_service_point")
        .order_by("placed_at", "id")
    )


def hold_shelf_list(*, service_point: ServicePoint) -> QuerySet[Hold]:
    """Holds ready on the hold shelf of `service_point`, first to expire first."""
    return (
        Hold.objects.filter(pickup_service_point=service_point, status=HoldStatus.READY)
        .select_related("reader", "record", "trapped_item")
        .order_by("shelf_expires_on", "ready_at", "id")
    )


def pick_list(*, service_point: ServicePoint, day: dt.date | None = None) -> list[PickLine]:
    """What staff at `service_point` fetch from the stacks (closed-stack requests, or holds
    on copies sitting on the shelf here), sorted by call number sort key. Each waiting hold,
    in queue order, gets one available loanable copy here, and each copy serves one hold. A
    hold whose pickup point has an available copy of its own is left to that point's list.
    Three queries."""
    from django.utils import timezone

    day = day or timezone.localdate()
    copies = list(
        Item.objects.filter(
            current_service_point=service_point,
            status=ItemStatus.AVAILABLE,
            collection__loanable=True,
            record__holds__status=HoldStatus.WAITING,
        )
        .distinct()
        .order_by("call_number_sort", "barcode")
    )
    if not copies:
        return []
    record_ids = {c.record_id for c in copies}
    holds = list(
        Hold.objects.filter(record_id__in=record_ids, status=HoldStatus.WAITING)
        .exclude(not_needed_after__lt=day)
        .select_related("reader", "record", "pickup_service_point")
        .order_by("placed_at", "id")
    )
    elsewhere = {h.pickup_service_point_id for h in holds} - {service_point.pk}
    covered = set(
        Item.objects.filter(
            record_id__in=record_ids,
            current_service_point_id__in=elsewhere,
            status=ItemStatus.AVAILABLE,
            collection__loanable=True,
        ).values_list("record_id", "current_service_point_id")
    )
    taken: set[int] = set()
    lines = []
    for hold in holds:
        if (hold.record_id, hold.pickup_service_point_id) in covered:
            continue
        for copy in copies:
            if copy.pk in taken or copy.record_id != hold.record_id:
                continue
            if hold.item_id is not None and hold.item_id != copy.pk:
                continue
            taken.add(copy.pk)
            lines.append(PickLine(hold=hold, item=copy))
            break
    lines.sort(key=lambda line: (line.item.call_number_sort, line.item.barcode))
    return lines


def transit_list(*, service_point: ServicePoint, direction: str = "incoming") -> QuerySet[Transit]:
    """Open transits coming to `service_point` ("incoming"), leaving it ("outgoing") or both
    ("all"), oldest first."""
    rows = Transit.objects.filter(received_at__isnull=True, cancelled_at__isnull=True)
    if direction == "incoming":
        rows = rows.filter(to_service_point=service_point)
    elif direction == "outgoing":
        rows = rows.filter(from_service_point=service_point)
    else:
        rows = rows.filter(Q(to_service_point=service_point) | Q(from_service_point=service_point))
    return rows.select_related(
        "item", "item__record", "from_service_point", "to_service_point", "hold__reader"
    ).order_by("sent_at", "id")


def quarantine_list(*, service_point: ServicePoint) -> QuerySet[QuarantineEntry]:
    """Items in quarantine at `service_point`, first to end first."""
    return (
        QuarantineEntry.objects.filter(service_point=service_point, released_at__isnull=True)
        .select_related("item", "item__record")
        .order_by("ends_at", "id")
    )
