"""Replaying loan history: loans, renewals and returns that happened in the past (migrated
from another system, or the demo's simulated years), written in bulk.

The same rules as the interactive services apply to every row: the loan rule comes from the
rules matrix (`circulation.rules.best_rule`), due dates from the lending calendar of the
service point (closures and holidays included, `due_date_for`), a renewal never brings a due
date forward and stops at the rule's renewals allowed, and no loan is made on a day its
service point is closed. One item never has two loans at the same time. Each loan, renewal and
return writes one `CirculationEvent`, so the statistics see replayed history exactly as they
see desk transactions. Blocks that belong to the moment of the desk (card expiry, limits,
fines) are not re-judged: the other system already decided them.

Rows refused are reported with a stable code and skip nothing else. The whole batch writes one
audit event (`loan.history_replayed`) with its counts, as imports do; loans still open at the
end put their item on loan."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import connections, models, router, transaction
from django.utils import timezone

from shufang.catalogue.models import Item, ItemStatus
from shufang.circulation.events import clc_main_class
from shufang.circulation.models import (
    CirculationChannel,
    CirculationEvent,
    EventKind,
    Loan,
    LoanRule,
    LoanStatus,
)
from shufang.circulation.rules import RuleContext, best_rule, due_date_for
from shufang.circulation.selectors import lending_calendar
from shufang.core.audit import Actor, audit_record
from shufang.network.calendar import Calendar, is_open_on
from shufang.network.models import ServicePoint
from shufang.readers.identity import age_band
from shufang.readers.models import Reader

BATCH = 5_000


@dataclass(frozen=True)
class HistoryRow:
    """One past loan: who borrowed what, where and when, its renewals and its return."""

    item_id: int
    reader_id: int | None
    service_point_id: int
    checked_out_at: dt.datetime
    channel: str = CirculationChannel.DESK
    card_id: int | None = None
    renewed_at: tuple[dt.datetime, ...] = ()
    returned_at: dt.datetime | None = None
    returned_at_service_point_id: int | None = None  # None: where it was lent
    deposit_id: int | None = None  # a loan of a deposit collection


@dataclass
class ReplayReport:
    loans: int = 0
    renewals: int = 0
    returns: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)  # (row index, code)


class _Calendars:
    """Lending calendars per service point, read once per replay."""

    def __init__(self, points: dict[int, ServicePoint]) -> None:
        self.points = points
        self.cache: dict[int, Calendar] = {}

    def of(self, point_id: int) -> Calendar:
        calendar = self.cache.get(point_id)
        if calendar is None:
            calendar = lending_calendar(service_point=self.points[point_id])
            self.cache[point_id] = calendar
        return calendar


def _local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def _end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def loans_history_replay(*, rows: Sequence[HistoryRow], actor: Actor) -> ReplayReport:
    """Writes `rows` as loans with their renewals and returns (see the module docstring).

    Refusal codes: `unknown_item`, `unknown_reader`, `unknown_service_point`,
    `not_loanable` (the rule says no), `closed` (the service point's calendar is closed that
    day), `return_before_checkout`, `renewals_exceeded`, `overlapping_loan` (the item is on
    loan then, in this batch or in the database). Locks nothing beyond the rows it writes:
    meant for migrations and the demo, not for a live desk."""
    report = ReplayReport()
    for start in range(0, len(rows), BATCH):
        _replay_batch(rows[start : start + BATCH], start, actor, report)
    return report


@transaction.atomic
def _replay_batch(
    rows: Sequence[HistoryRow], offset: int, actor: Actor, report: ReplayReport
) -> None:
    items = {
        item.pk: item
        for item in Item.objects.filter(pk__in={r.item_id for r in rows}).select_related(
            "record", "collection"
        )
    }
    readers = {
        reader.pk: reader
        for reader in Reader.objects.filter(
            pk__in={r.reader_id for r in rows if r.reader_id is not None}
        ).select_related("category")
    }
    points = {p.pk: p for p in ServicePoint.objects.all()}
    calendars = _Calendars(points)
    rules = list(LoanRule.objects.all())
    rule_cache: dict[RuleContext, LoanRule] = {}
    # the loans already in the database, per item, as (start, end or None)
    busy: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = defaultdict(list)
    for item_id, out, back in Loan.objects.filter(item_id__in=items.keys()).values_list(
        "item_id", "checked_out_at", "returned_at"
    ):
        busy[item_id].append((out, back))

    loans: list[dict[str, Any]] = []
    events: list[tuple[int, str, dt.datetime, int]] = []  # (loan index, kind, at, point)
    open_items: dict[int, int] = {}  # item id -> service point of its open loan
    order = sorted(range(len(rows)), key=lambda n: rows[n].checked_out_at)
    for n in order:
        row = rows[n]
        index = offset + n
        item = items.get(row.item_id)
        if item is None:
            report.refused.append((index, "unknown_item"))
            continue
        reader = readers.get(row.reader_id) if row.reader_id is not None else None
        if row.reader_id is not None and reader is None:
            report.refused.append((index, "unknown_reader"))
            continue
        point = points.get(row.service_point_id)
        back_point_id = row.returned_at_service_point_id or row.service_point_id
        if point is None or back_point_id not in points:
            report.refused.append((index, "unknown_service_point"))
            continue
        ctx = RuleContext(
            library_id=point.library_id,
            service_point_id=point.pk,
            reader_category_id=reader.category_id if reader is not None else None,
            collection_id=item.collection_id,
            material_type=item.record.material_type,
        )
        rule = rule_cache.get(ctx)
        if rule is None:
            found = best_rule(rules, ctx)
            rule = found if isinstance(found, LoanRule) else LoanRule(name="default")
            rule_cache[ctx] = rule
        if not rule.loanable:
            report.refused.append((index, "not_loanable"))
            continue
        calendar = calendars.of(point.pk)
        day = _local_day(row.checked_out_at)
        if not is_open_on(calendar, day):
            report.refused.append((index, "closed"))
            continue
        if row.returned_at is not None and row.returned_at < row.checked_out_at:
            report.refused.append((index, "return_before_checkout"))
            continue
        if len(row.renewed_at) > rule.renewals_allowed:
            report.refused.append((index, "renewals_exceeded"))
            continue
        end = row.returned_at
        if any(
            (back is None or back > row.checked_out_at) and (end is None or out < end)
            for out, back in busy[item.pk]
        ):
            report.refused.append((index, "overlapping_loan"))
            continue
        busy[item.pk].append((row.checked_out_at, end))
        due = due_date_for(start=day, days=rule.loan_days, calendar=calendar)
        for renewed in sorted(row.renewed_at):
            new_due = due_date_for(
                start=_local_day(renewed), days=rule.renewal_days, calendar=calendar
            )
            due = max(due, new_due)
        loan = {
            "item_id": item.pk,
            "reader_id": row.reader_id,
            "card_id": row.card_id,
            "deposit_id": row.deposit_id,
            "service_point_id": point.pk,
            "channel": row.channel,
            "checked_out_at": row.checked_out_at,
            "due_at": _end_of_day(due),
            "renewals": len(row.renewed_at),
            "status": LoanStatus.RETURNED if end is not None else LoanStatus.ACTIVE,
            "returned_at": end,
            "returned_at_service_point_id": back_point_id if end is not None else None,
            "rule_id": rule.pk,
        }
        position = len(loans)
        loans.append(loan)
        events.append((position, EventKind.CHECKOUT, row.checked_out_at, point.pk))
        for renewed in sorted(row.renewed_at):
            events.append((position, EventKind.RENEWAL, renewed, point.pk))
        if end is not None:
            events.append((position, EventKind.CHECKIN, end, back_point_id))
            report.returns += 1
        else:
            open_items[item.pk] = point.pk
        report.loans += 1
        report.renewals += len(row.renewed_at)

    if not loans:
        return
    _insert_rows(Loan, loans)
    _insert_rows(
        CirculationEvent,
        [
            _event(loans[position], kind, at, points[point_id], items, readers)
            for position, kind, at, point_id in events
        ],
    )
    for item_id, point_id in open_items.items():
        Item.objects.filter(pk=item_id, status=ItemStatus.AVAILABLE).update(
            status=ItemStatus.ON_LOAN,
            current_service_point_id=point_id,
            status_changed_at=timezone.now(),
        )
    audit_record(
        actor=actor,
        action="loan.history_replayed",
        object_type="circulation.loan",
        object_repr=f"{len(loans)} loans",
        changes={
            "loans": len(loans),
            "first": min(loan["checked_out_at"] for loan in loans).isoformat(),
            "last": max(loan["checked_out_at"] for loan in loans).isoformat(),
            "open": len(open_items),
        },
    )


def _insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """INSERTs `rows` (attribute name -> value; missing ones take the field's default) with
    one prepared statement run for every row: far fewer statements than bulk_create, whose
    batches SQLite's limit on parameters keeps to a few dozen rows."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    ops = connection.ops
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
    adapters: list[Callable[[Any], Any]] = []
    defaults: list[Any] = []
    for f in fields:
        if isinstance(f, models.DateTimeField):
            adapters.append(ops.adapt_datetimefield_value)
        elif isinstance(f, models.DateField):
            adapters.append(ops.adapt_datefield_value)
        elif isinstance(f, models.JSONField):
            adapters.append(partial(f.get_db_prep_save, connection=connection))
        else:
            adapters.append(_same)
        defaults.append(f.get_default())
    qn = ops.quote_name
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    names = [f.attname for f in fields]
    params = [
        tuple(
            adapt(row.get(name, default))
            for name, adapt, default in zip(names, adapters, defaults, strict=True)
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _same(value: Any) -> Any:
    return value


def _event(
    loan: dict[str, Any],
    kind: str,
    at: dt.datetime,
    point: ServicePoint,
    items: dict[int, Any],
    readers: dict[int, Any],
) -> dict[str, Any]:
    item = items[loan["item_id"]]
    reader = readers.get(loan["reader_id"]) if loan["reader_id"] is not None else None
    day = _local_day(at)
    return {
        "kind": kind,
        "at": at,
        "day": day,
        "library_id": point.library_id,
        "service_point_id": point.pk,
        "channel": loan["channel"],
        "reader_category": reader.category.code if reader is not None else "",
        "age_band": age_band(reader.birth_date, day) if reader is not None else "",
        "collection_id": item.collection_id,
        "juvenile_collection": item.collection.juvenile,
        "material_type": item.record.material_type,
        "clc_class": clc_main_class(item.record.clc),
        "item_id": item.pk,
        "deposit": loan["deposit_id"] is not None,
    }
