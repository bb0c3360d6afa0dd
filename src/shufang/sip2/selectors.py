"""Read-only look-ups of the SIP2 handlers' hot path, in raw SQL written once.

A kiosk loop (patron information, checkout, checkin) runs these hundreds of times a second.
Built through the ORM (select_related, lookups, aggregates) each query costs several times
what running it costs, and `select_related("record")` would also read the record's MARC blobs
for one title. So, as in `circulation.selectors`, the SQL is written once from the models'
own table and column names and rows become model instances through `RowLoader` (Django's
converters and `Model.from_db`); fields not selected are deferred (loaded on access).
Nothing is cached between requests: every call reads the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from shufang.catalogue.models import Item, Record
from shufang.circulation.models import (
    OPEN_LOAN_STATUSES,
    Fine,
    FineStatus,
    Hold,
    HoldStatus,
    Loan,
    LoanStatus,
)
from shufang.circulation.selectors import (
    ROW_STAMPS,
    RowLoader,
    connection_for,
    reader_fines_outstanding,
    set_related,
)
from shufang.network.models import ServicePoint
from shufang.readers.models import Card, Reader, ReaderCategory

_CARD = RowLoader(Card, exclude=ROW_STAMPS)
_READER = RowLoader(Reader, exclude=ROW_STAMPS)
_CATEGORY = RowLoader(ReaderCategory, exclude=ROW_STAMPS)
_ITEM = RowLoader(Item, exclude=ROW_STAMPS)
# a response needs the title; the circulation services read the rest themselves
_RECORD = RowLoader(
    Record,
    exclude=tuple(
        f.attname
        for f in Record._meta.concrete_fields
        if f.attname not in ("id", "title", "material_type")
    ),
)
_POINT = RowLoader(ServicePoint, exclude=ROW_STAMPS)


def card_with_reader(*, number: str) -> Card | None:
    """`readers.selectors.card_by_number` in one raw query: the card with this number (any
    status) with its reader and the reader's category."""
    number = number.strip()
    if not number:
        return None
    connection = connection_for(Card)
    qn = connection.ops.quote_name
    sql = (
        f"SELECT {_CARD.columns('c', connection)}, {_READER.columns('r', connection)}, "
        f"{_CATEGORY.columns('k', connection)} "
        f"FROM {qn(Card._meta.db_table)} c "
        f"JOIN {qn(Reader._meta.db_table)} r ON r.id = c.reader_id "
        f"JOIN {qn(ReaderCategory._meta.db_table)} k ON k.id = r.category_id "
        "WHERE c.number = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [number])
        row = cursor.fetchone()
    if row is None:
        return None
    card: Card = _CARD.load(row, 0, connection)
    reader = _READER.load(row, _CARD.width, connection)
    set_related(reader, "category", _CATEGORY.load(row, _CARD.width + _READER.width, connection))
    set_related(card, "reader", reader)
    return card


def item_by_barcode(*, barcode: str | None) -> Item | None:
    """The item with this barcode with its record's title and its home service point, in
    one raw query; None for a blank or unknown barcode."""
    if not barcode or not barcode.strip():
        return None
    connection = connection_for(Item)
    qn = connection.ops.quote_name
    sql = (
        f"SELECT {_ITEM.columns('i', connection)}, {_RECORD.columns('r', connection)}, "
        f"{_POINT.columns('h', connection)} "
        f"FROM {qn(Item._meta.db_table)} i "
        f"JOIN {qn(Record._meta.db_table)} r ON r.id = i.record_id "
        f"JOIN {qn(ServicePoint._meta.db_table)} h ON h.id = i.home_service_point_id "
        "WHERE i.barcode = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [barcode.strip()])
        row = cursor.fetchone()
    if row is None:
        return None
    item: Item = _ITEM.load(row, 0, connection)
    set_related(item, "record", _RECORD.load(row, _ITEM.width, connection))
    set_related(
        item, "home_service_point", _POINT.load(row, _ITEM.width + _RECORD.width, connection)
    )
    return item


def card_number(*, card_id: int | None) -> str | None:
    """The number of the card with this id (None for None)."""
    if card_id is None:
        return None
    connection = connection_for(Card)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT number FROM {connection.ops.quote_name(Card._meta.db_table)} WHERE id = %s",
            [card_id],
        )
        row = cursor.fetchone()
    return None if row is None else str(row[0])


@dataclass(frozen=True)
class ReaderCounts:
    charged: int  # open loans (deposit loans left out)
    overdue: int  # active loans past due
    holds_ready: int
    holds_waiting: int  # waiting or in transit
    fines_count: int
    fines_total: Decimal


_OPEN_HOLDS_NOT_READY = (HoldStatus.WAITING, HoldStatus.IN_TRANSIT)


def reader_counts(*, reader_id: int, at: dt.datetime) -> ReaderCounts:
    """The counts a patron status answer carries, in one query of scalar subqueries (all on
    indexed reader_id columns); the fines' amounts are read, and summed as Decimals, only when
    the reader owes something (SQLite would sum the stored text as floats)."""
    connection = connection_for(Loan)
    qn = connection.ops.quote_name
    loans, holds, fines = (qn(m._meta.db_table) for m in (Loan, Hold, Fine))
    sql = (
        "SELECT "
        f"(SELECT COUNT(*) FROM {loans} l WHERE l.reader_id = %s AND l.status IN (%s, %s) "
        "AND l.deposit_id IS NULL), "
        f"(SELECT COUNT(*) FROM {loans} l WHERE l.reader_id = %s AND l.status = %s "
        "AND l.due_at < %s AND l.deposit_id IS NULL), "
        f"(SELECT COUNT(*) FROM {holds} h WHERE h.reader_id = %s AND h.status = %s), "
        f"(SELECT COUNT(*) FROM {holds} h WHERE h.reader_id = %s AND h.status IN (%s, %s)), "
        f"(SELECT COUNT(*) FROM {fines} f WHERE f.reader_id = %s AND f.status = %s)"
    )
    params = [
        reader_id,
        *OPEN_LOAN_STATUSES,
        reader_id,
        LoanStatus.ACTIVE,
        connection.ops.adapt_datetimefield_value(at),
        reader_id,
        HoldStatus.READY,
        reader_id,
        *_OPEN_HOLDS_NOT_READY,
        reader_id,
        FineStatus.OUTSTANDING,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        charged, overdue, ready, waiting, fines_count = cursor.fetchone()
    total = reader_fines_outstanding(reader=reader_id) if fines_count else Decimal("0")
    return ReaderCounts(
        charged=int(charged),
        overdue=int(overdue),
        holds_ready=int(ready),
        holds_waiting=int(waiting),
        fines_count=int(fines_count),
        fines_total=total,
    )
