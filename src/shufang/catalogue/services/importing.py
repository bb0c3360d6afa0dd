"""MARC import: stream files into the catalogue in batched transactions.

Each batch of `batch_size` decoded records is written in one transaction with multi-row
INSERTs. Records are decoded, extracted and validated before the write, so a bad record is
rejected without touching its batch; if a batch write still fails (a constraint hit by a
concurrent writer), the batch is retried one record at a time, each in its own savepoint, and
only the failing records are rejected. Nothing of a rejected record is written.

Duplicates are matched by any ISBN (or by control number) against the database, which holds
the earlier batches of the same file, and against the records of the current batch. Memory
stays bounded: one batch in memory, counts, and at most `MAX_REJECTS` kept rejects.

Reading (splitting, decoding, extracting: about half the work) can run in a second process
while this one writes (`parallel`); see `import_reader`. Both ways run the same `prepare` on
the same records in the same order, so reports and written rows are the same."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import queue as queue_module
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from shufang.catalogue.callnumbers import call_number_sort_key
from shufang.catalogue.marc.extract import Holding, extract_fields, extract_marc_fields
from shufang.catalogue.marc.read import ENCODINGS, FLAVOURS, MarcReadResult, iter_marc
from shufang.catalogue.models import (
    AcquisitionSource,
    Collection,
    IdentifierScheme,
    Item,
    ItemStatus,
    Record,
    RecordIdentifier,
)
from shufang.catalogue.search.indexing import search_index_updated_since
from shufang.catalogue.services.records import (
    INDEXED_FIELDS,
    RecordWithoutTitle,
    identifier_keys,
    marc_values,
    record_values,
)
from shufang.core.audit import Actor
from shufang.core.exceptions import ValidationFailed
from shufang.core.models import AuditEvent
from shufang.core.permissions import require
from shufang.network.models import ServicePoint

MAX_REJECTS = 10_000
MATCH_MODES = ("isbn", "control-number", "none")
ON_MATCH = ("update", "skip")
# Files from this size up are read in a second process when `parallel` is left to decide:
# starting it (a Python with Django) costs about a second, worth it from some 10,000 records.
PARALLEL_MIN_BYTES = 8_000_000

Source = str | Path | BinaryIO


@dataclass(frozen=True, slots=True)
class Reject:
    source: str
    position: int
    offset: int
    reason: str
    barcode: str = ""  # set when an item (not the record) was rejected


@dataclass
class ImportReport:
    loaded: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    items_created: int = 0
    items_rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    # Where the reading is, for progress display.
    source: str = ""
    offset: int = 0
    seen: int = 0
    indexed: int = 0  # records (re)indexed for search after the import

    @property
    def rejects_truncated(self) -> bool:
        return self.rejected + self.items_rejected > len(self.rejects)

    def add_reject(self, reject: Reject) -> None:
        if reject.barcode:
            self.items_rejected += 1
        else:
            self.rejected += 1
        if len(self.rejects) < MAX_REJECTS:
            self.rejects.append(reject)


@dataclass(slots=True)
class _Pending:
    """A record ready to write: plain values only, so that it pickles cheaply between the
    reading process and the writing one."""

    source: str
    position: int
    offset: int
    flavour: str
    clc: str
    holdings: list[Holding]
    values: dict[str, Any]
    keys: list[tuple[str, str]]
    match_keys: list[tuple[str, str]]
    target_id: int | None = None  # an existing record to update
    record_id: int | None = None  # once written


def _source_name(source: Source) -> str:
    if isinstance(source, str | Path):
        return str(source)
    return str(getattr(source, "name", "") or "<stream>")


def marc_import(
    *,
    sources: Iterable[Source],
    flavour: str = "auto",
    encoding: str = "auto",
    match: str = "isbn",
    on_match: str = "update",
    create_items: bool = False,
    service_point: ServicePoint | None = None,
    collection: Collection | None = None,
    actor: Actor,
    batch_size: int = 500,
    progress: Callable[[ImportReport], None] | None = None,
    parallel: bool | None = None,
    index_search: bool = True,
) -> ImportReport:
    """Load MARC files (paths or binary streams) into the catalogue; return counts and rejects.

    `match`: "isbn" (any ISBN of the record), "control-number" (001), or "none".
    `on_match`: "update" replaces the matched record, "skip" leaves it.
    `create_items`: make items from 905 / 852 / 952 at `service_point` in `collection`;
    an item whose barcode exists already is rejected (its record still loads).
    `parallel`: read files (paths, not streams) in a second process while this one writes;
    None: when the file is large (`PARALLEL_MIN_BYTES`) and there is a second CPU.
    `index_search`: bring the search index up to date for the loaded records at the end
    (False only for callers that rebuild the index themselves)."""
    if actor.user is not None:  # staff need catalogue.import (at the items' library, if any)
        require(actor.user, "catalogue.import", service_point=service_point)
    if match not in MATCH_MODES:
        raise ValidationFailed(_("Unknown match mode."), match=match)
    if on_match not in ON_MATCH:
        raise ValidationFailed(_("Unknown on-match action."), on_match=on_match)
    if create_items and (service_point is None or collection is None):
        raise ValidationFailed(_("Creating items needs a service point and a collection."))
    started = timezone.now()
    importer = _Importer(
        match=match,
        on_match=on_match,
        create_items=create_items,
        service_point=service_point,
        collection=collection,
        actor=actor,
    )
    report = importer.report
    for source in sources:
        name = _source_name(source)
        report.source = name
        if _use_reader_process(source, parallel, flavour, encoding):
            prepared: Iterator[_Pending | Reject] = _prepared_in_process(
                str(source), name, flavour, encoding, match
            )
        else:
            prepared = prepare_all(source, name, flavour, encoding, match)
        pending: list[_Pending] = []
        for one in prepared:
            report.seen += 1
            report.offset = one.offset
            if isinstance(one, Reject):
                report.add_reject(one)
                continue
            pending.append(one)
            if len(pending) >= batch_size:
                importer.flush(pending)
                pending = []
                if progress:
                    progress(report)
        importer.flush(pending)
        if progress:
            progress(report)
    if index_search:
        # The search index is brought up to date once, after the records are in: every record
        # this import created or replaced has `updated_at >= started` (skipped records are not
        # touched). Indexing batch by batch inside the import would make reading, writing and
        # tokenising take turns on one core; done afterwards it streams by primary key, so
        # memory stays flat, and a failed import leaves what it committed searchable.
        report.indexed = search_index_updated_since(started)
        if progress:
            progress(report)
    return report


# ------------------------------------------------------------------------ before the write


def prepare_all(
    source: Source, name: str, flavour: str, encoding: str, match: str
) -> Iterator[_Pending | Reject]:
    """Each record of `source`, read and made ready to write, or its reject, in file order."""
    for result in iter_marc(source, flavour=flavour, encoding=encoding, build_records=False):
        yield prepare(name, result, match)


def prepare(source: str, result: MarcReadResult, match: str) -> _Pending | Reject:
    """Extract and validate one read record; no database access (runs in the reader)."""
    if not result.ok:
        return Reject(source, result.position, result.offset, result.error or "unreadable record")
    if result.flavour == "marc21" and result.leader[6:7] in ("u", "v", "x", "y"):
        return Reject(
            source,
            result.position,
            result.offset,
            str(_("a MARC 21 holdings record, not a bibliographic record")),
        )
    try:
        if result.fields is not None:
            bib = extract_marc_fields(result.fields, result.flavour)
        else:
            assert result.record is not None
            bib = extract_fields(result.record, result.flavour)
        values = record_values(bib)
        values.update(_marc_values(result))
    except RecordWithoutTitle:
        return Reject(source, result.position, result.offset, str(_("no title (245 $a / 200 $a)")))
    except Exception as error:  # a record pymarc cannot re-encode, for example
        return Reject(source, result.position, result.offset, f"cannot process record: {error}")
    keys = identifier_keys(bib)
    if match == "isbn":
        match_keys = [k for k in keys if k[0] == IdentifierScheme.ISBN]
    elif match == "control-number":
        match_keys = [k for k in keys if k[0] == IdentifierScheme.CONTROL]
    else:
        match_keys = []
    return _Pending(
        source,
        result.position,
        result.offset,
        result.flavour,
        bib.clc,
        bib.holdings,
        values,
        keys,
        match_keys,
    )


def _marc_values(result: MarcReadResult) -> dict[str, Any]:
    original = result.raw
    if (
        result.format == "iso2709"
        and result.encoding == "utf-8"
        and original
        and (result.flavour != "marc21" or original[9:10] == b"a")
    ):
        # The test `records.marc_values` makes before keeping the original bytes as they are,
        # without looking at the record: so no pymarc record is built for it.
        record = None
    else:
        record = result.as_record()
    return marc_values(
        record,  # type: ignore[arg-type]
        flavour=result.flavour,
        original=original,
        encoding=result.encoding,
        fmt=result.format,
    )


# ------------------------------------------------------------------------ the reader process


def _use_reader_process(source: Source, parallel: bool | None, flavour: str, encoding: str) -> bool:
    if parallel is False or not isinstance(source, str | Path):
        return False
    if flavour not in ("auto", *FLAVOURS) or encoding not in ("auto", *ENCODINGS):
        return False  # let the in-process reader raise its ValueError
    if parallel:
        return True
    try:
        size = os.path.getsize(source)
    except OSError:
        return False  # the in-process reader reports it
    return size >= PARALLEL_MIN_BYTES and (os.cpu_count() or 1) > 1


# Records per message and messages in flight: the queue bounds what the reader can run ahead,
# so memory stays flat whatever the file size.
_CHUNK = 250
_QUEUE_CHUNKS = 8


def _prepared_in_process(
    path: str, name: str, flavour: str, encoding: str, match: str
) -> Iterator[_Pending | Reject]:
    """`prepare_all` run by a second process (spawned, so safe whatever threads or database
    connections this one holds), received in file order through a bounded queue."""
    from shufang.catalogue.services import import_reader

    context = multiprocessing.get_context("spawn")
    chunks = context.Queue(maxsize=_QUEUE_CHUNKS)
    process = context.Process(
        target=import_reader.run,
        args=(
            chunks,
            settings.SETTINGS_MODULE,
            translation.get_language() or settings.LANGUAGE_CODE,
            (path, name, flavour, encoding, match),
        ),
        daemon=True,
        name="shufang-marc-reader",
    )
    process.start()
    try:
        while True:
            try:
                chunk = chunks.get(timeout=5)
            except queue_module.Empty:
                if not process.is_alive():
                    raise RuntimeError(
                        f"MARC reader process ended without finishing (exit code "
                        f"{process.exitcode})"
                    ) from None
                continue
            if chunk is None:
                break
            if isinstance(chunk, BaseException):
                raise chunk
            yield from chunk
    finally:
        if process.is_alive():
            process.terminate()  # the import stopped early: the reader is not needed
        process.join()
        chunks.close()


def read_into_queue(chunks: Any, source: tuple[str, str, str, str, str]) -> None:
    """The reader process's work: chunks of prepared records, then None (or the error)."""
    try:
        chunk: list[_Pending | Reject] = []
        for one in prepare_all(*source):
            chunk.append(one)
            if len(chunk) >= _CHUNK:
                _put(chunks, chunk)
                chunk = []
        _put(chunks, chunk)
        _put(chunks, None)
    except Exception as error:
        _put(chunks, error)


def _put(chunks: Any, item: Any) -> None:
    # A full queue whose reader is gone (the importer was killed) would block for ever:
    # wait in steps and give up when the parent process has ended.
    parent = multiprocessing.parent_process()
    while True:
        try:
            chunks.put(item, timeout=2)
            return
        except queue_module.Full:
            if parent is not None and not parent.is_alive():
                raise SystemExit(1) from None


class _Importer:
    def __init__(
        self,
        *,
        match: str,
        on_match: str,
        create_items: bool,
        service_point: ServicePoint | None,
        collection: Collection | None,
        actor: Actor,
    ) -> None:
        self.match = match
        self.on_match = on_match
        self.create_items = create_items
        self.service_point = service_point
        self.collection = collection
        self.actor = actor
        self.report = ImportReport()
        self.actor_user = actor.user if getattr(actor.user, "pk", None) else None

    # -------------------------------------------------------------------- the write

    def flush(self, pending: list[_Pending]) -> None:
        if not pending:
            return
        try:
            with transaction.atomic():
                delta = self._write(pending)
        except DatabaseError:
            # Retry one by one so that only the records that fail are rejected.
            delta = _Delta()
            for one in pending:
                one.target_id, one.record_id = None, None
                try:
                    with transaction.atomic():
                        delta.add(self._write([one]))
                except DatabaseError as error:
                    delta.rejects.append(
                        Reject(
                            one.source,
                            one.position,
                            one.offset,
                            f"database error: {error}",
                        )
                    )
        delta.apply(self.report)

    def _write(self, pending: list[_Pending]) -> _Delta:
        delta = _Delta()
        now = timezone.now()
        # 1. Match against the database (earlier batches included) and within the batch.
        existing: dict[tuple[str, str], int] = {}
        wanted = {k for p in pending for k in p.match_keys}
        if wanted:
            by_scheme: dict[str, set[str]] = {}
            for scheme, value in wanted:
                by_scheme.setdefault(scheme, set()).add(value)
            for scheme, values in by_scheme.items():
                rows = RecordIdentifier.objects.filter(
                    scheme=scheme, value__in=list(values), record__deleted_at__isnull=True
                ).values_list("value", "record_id")
                for value, record_id in rows:
                    existing.setdefault((scheme, value), record_id)
        in_batch: dict[tuple[str, str], _Pending] = {}
        to_create: list[_Pending] = []
        to_update: dict[int, _Pending] = {}
        for p in pending:
            target = next((existing[k] for k in p.match_keys if k in existing), None)
            earlier = next((in_batch[k] for k in p.match_keys if k in in_batch), None)
            if target is None and earlier is None:
                to_create.append(p)
                for k in p.match_keys:
                    in_batch.setdefault(k, p)
                continue
            if self.on_match == "skip":
                delta.skipped += 1
                continue
            if target is not None:
                if target in to_update:
                    delta.updated += 1  # a later duplicate in the file replaces the earlier
                to_update[target] = p
                p.target_id = target
            else:
                assert earlier is not None
                # Same file, same batch: the later record replaces the one not yet written.
                index = to_create.index(earlier)
                to_create[index] = p
                delta.updated += 1
            for k in p.match_keys:
                in_batch[k] = p
        # 2. Create (no model instances: only their ids are needed afterwards).
        ids = _insert(
            Record,
            [{**p.values, "created_at": now, "updated_at": now} for p in to_create],
            returning=True,
        )
        for p, pk in zip(to_create, ids, strict=True):
            p.record_id = pk
        delta.loaded += len(to_create)
        # 3. Update: one UPDATE statement, run for each matched record (Django's
        # `bulk_update` compiles a CASE per column and row, and needs the rows loaded first).
        if to_update:
            fields = [*INDEXED_FIELDS, *_MARC_FIELDS]
            _update(
                Record,
                [*fields, "updated_at"],
                [(pk, [*(p.values[f] for f in fields), now]) for pk, p in to_update.items()],
            )
            for pk, p in to_update.items():
                p.record_id = pk
            RecordIdentifier.objects.filter(record_id__in=list(to_update)).delete()
            delta.updated += len(to_update)
        written = to_create + list(to_update.values())
        # 4. Identifiers and audit rows.
        _insert(
            RecordIdentifier,
            [
                {"record_id": p.record_id, "scheme": s, "value": v}
                for p in written
                for s, v in dict.fromkeys(p.keys)
            ],
        )
        audit_rows = [
            self._audit(
                now,
                "record.import_create" if p.target_id is None else "record.import_update",
                "catalogue.record",
                p.record_id,
                p.values["title"],  # what str(record) gives
                {"source": p.source, "position": p.position, "flavour": p.flavour},
            )
            for p in written
        ]
        # 5. Items from local holdings.
        if self.create_items:
            audit_rows += self._items(written, now, delta)
        _insert(AuditEvent, audit_rows)
        return delta

    def _items(
        self, written: list[_Pending], now: dt.datetime, delta: _Delta
    ) -> list[dict[str, Any]]:
        assert self.service_point is not None and self.collection is not None
        wanted: list[tuple[_Pending, Holding]] = [
            (p, h) for p in written for h in p.holdings if h.barcode
        ]
        if not wanted:
            return []
        barcodes = [h.barcode[:32] for _p, h in wanted]
        taken = set(Item.objects.filter(barcode__in=barcodes).values_list("barcode", flat=True))
        items: list[Item] = []
        sp = self.service_point
        for p, holding in wanted:
            barcode = holding.barcode[:32]
            if barcode in taken:
                delta.rejects.append(
                    Reject(
                        p.source,
                        p.position,
                        p.offset,
                        str(_("item barcode %(barcode)s already exists") % {"barcode": barcode}),
                        barcode=barcode,
                    )
                )
                continue
            taken.add(barcode)
            assert p.record_id is not None  # written above
            call_number = (holding.call_number or p.clc)[:64]
            items.append(
                Item(
                    barcode=barcode,
                    record_id=p.record_id,
                    owning_library_id=sp.library_id,
                    home_service_point=sp,
                    current_service_point=sp,
                    collection=self.collection,
                    call_number=call_number,
                    call_number_sort=call_number_sort_key(call_number),
                    price=_price(holding.price),
                    acquisition_source=AcquisitionSource.LEGACY,
                    status=ItemStatus.AVAILABLE,
                    status_changed_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
        Item.objects.bulk_create(items, batch_size=500)
        delta.items_created += len(items)
        return [
            self._audit(
                now,
                "item.import_create",
                "catalogue.item",
                item.pk,
                str(item),
                {"record": item.record_id, "status": item.status},
            )
            for item in items
        ]

    def _audit(
        self,
        now: dt.datetime,
        action: str,
        object_type: str,
        pk: Any,
        text: str,
        changes: dict[str, Any],
    ) -> dict[str, Any]:
        """An AuditEvent row (as column values for `_insert`); one per imported object."""
        return {
            "at": now,
            "actor_id": getattr(self.actor_user, "pk", None),
            "actor_label": self.actor.name[:150],
            "channel": self.actor.channel,
            "action": action,
            "object_type": object_type,
            "object_id": str(pk),
            "object_repr": text[:200],
            "changes": changes,
        }


# The MARC columns written besides INDEXED_FIELDS (the keys of `records.marc_values`).
_MARC_FIELDS = ("marc_original", "marc_flavour", "marc_encoding", "marc_format", "marc")
# Bound parameters per INSERT statement (SQLite allows 32766, PostgreSQL 65535).
_MAX_PARAMS = 30_000
# Column types whose Python values need the backend's conversion before a raw INSERT.
_CONVERTED = (models.DateTimeField, models.DateField, models.DecimalField, models.JSONField)


def _update(model: type[models.Model], names: list[str], rows: list[tuple[int, list[Any]]]) -> None:
    """UPDATE the fields `names` of the rows (primary key, values in the order of `names`)."""
    by_name = {f.name: f for f in model._meta.concrete_fields}
    fields = [by_name[name] for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    pk_column = str(model._meta.pk.column) if model._meta.pk is not None else "id"
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(pk_column)} = %s"
    params = [
        [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)] + [pk]
        for pk, values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _insert(
    model: type[models.Model], rows: list[dict[str, Any]], *, returning: bool = False
) -> list[int]:
    """Multi-row INSERT of column values, the bulk path of the import.

    Django's `bulk_create` spends most of an import's time compiling SQL value by value and,
    on SQLite, splits inserts into 999-parameter statements. This writes the same rows in
    a few large statements. With `returning`, the new primary keys come back in row order
    (INSERT ... RETURNING, supported by PostgreSQL and SQLite >= 3.35, as Django relies on)."""
    if not rows:
        return []
    columns = list(rows[0])
    by_column = {f.column: f for f in model._meta.concrete_fields}
    by_name = {f.name: f for f in model._meta.concrete_fields}
    fields = [by_name.get(c) or by_column[c] for c in columns]
    converters = [(i, f) for i, f in enumerate(fields) if isinstance(f, _CONVERTED)]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, _MAX_PARAMS // len(columns))
    pk_column = str(model._meta.pk.column) if model._meta.pk is not None else "id"
    suffix = f" RETURNING {connection.ops.quote_name(pk_column)}" if returning else ""
    ids: list[int] = []
    cache: dict[tuple[int, int], Any] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params: list[Any] = []
            for row in chunk:
                values = [row[c] for c in columns]
                for i, f in converters:
                    value = values[i]
                    if isinstance(value, dt.datetime):
                        # The same timestamp is on every row of a batch: convert it once.
                        key = (i, id(value))
                        if key not in cache:
                            cache[key] = f.get_db_prep_save(value, connection)
                        values[i] = cache[key]
                    else:
                        values[i] = f.get_db_prep_save(value, connection)
                params.extend(values)
            sql = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([one] * len(chunk))
            cursor.execute(sql + suffix, params)
            if returning:
                ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _price(value: Decimal | None) -> Decimal | None:
    if value is None or value >= Decimal("100000000"):
        return None
    return value


@dataclass
class _Delta:
    """Counts of one batch, applied to the report only once the batch has committed."""

    loaded: int = 0
    updated: int = 0
    skipped: int = 0
    items_created: int = 0
    rejects: list[Reject] = field(default_factory=list)

    def add(self, other: _Delta) -> None:
        self.loaded += other.loaded
        self.updated += other.updated
        self.skipped += other.skipped
        self.items_created += other.items_created
        self.rejects.extend(other.rejects)

    def apply(self, report: ImportReport) -> None:
        report.loaded += self.loaded
        report.updated += self.updated
        report.skipped += self.skipped
        report.items_created += self.items_created
        for reject in self.rejects:
            report.add_reject(reject)
