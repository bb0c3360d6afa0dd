"""Keeping the search index current: (re)index records, rebuild everything.

The index is derived data (like a cache), so its writes are not audited: the record and item
services that cause them write the audit events. Deleted records (`deleted_at` set) and
withdrawn items leave the index."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction

from shufang.catalogue.marc.extract import pinyin_of
from shufang.catalogue.models import IdentifierScheme, Item, ItemStatus, Record, RecordIdentifier
from shufang.catalogue.search import text as T
from shufang.catalogue.search.models import SearchDocument

CHUNK = 1000
FTS_TABLE = "catalogue_search_fts"
REBUILD_CHUNK = 5000
PG_GIN = "catalogue_searchdocument_tsv_gin"
# As made by migration 0005.
FTS_DELETE_TRIGGER = "catalogue_sd_fts_delete"
FTS_DELETE_TRIGGER_SQL = (
    f"CREATE TRIGGER {FTS_DELETE_TRIGGER} AFTER DELETE ON catalogue_searchdocument BEGIN"
    f" INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, doc)"
    " VALUES ('delete', old.record_id, old.doc); END"
)
FTS_INSERT_TRIGGER = "catalogue_sd_fts_insert"
FTS_INSERT_TRIGGER_SQL = (
    f"CREATE TRIGGER {FTS_INSERT_TRIGGER} AFTER INSERT ON catalogue_searchdocument BEGIN"
    f" INSERT INTO {FTS_TABLE} (rowid, doc) VALUES (new.record_id, new.doc); END"
)
COLUMNS = (
    "record_id",
    "doc",
    "title_key",
    "title_text",
    "author_text",
    "subject_text",
    "series_text",
    "publisher_text",
    "other_text",
    "title_order",
    "call_number_order",
    "year",
    "year_key",
    "material_type",
    "language",
    "audience",
    "clc_class",
)
RECORD_FIELDS = (
    "id",
    "title",
    "title_sort",
    "title_pinyin",
    "responsibility",
    "authors",
    "publisher",
    "place",
    "year",
    "edition",
    "series",
    "isbn",
    "issn",
    "clc",
    "subjects",
    "summary",
    "language",
    "audience",
    "material_type",
    "deleted_at",
)
_SPLIT_CLASSES = re.compile(r"[;,，；\s]+")
_SPLIT_NAMES = re.compile(r"\s*[;；]\s*")

Progress = Callable[[int, int], None]


def document_row(
    values: dict[str, Any], isbns: Iterable[str], call_numbers: list[tuple[str, str]]
) -> tuple[Any, ...]:
    """The index row of one record (`values`: the Record fields in RECORD_FIELDS), its valid
    ISBN-13s, and its items' (call number, call number sort key)."""
    tokens: set[str] = set()
    title = values["title"] or ""
    authors = [a for a in _SPLIT_NAMES.split(values["authors"] or "") if a]
    if values["responsibility"]:
        authors.append(values["responsibility"])
    subjects = [s for s in (values["subjects"] or "").split("\n") if s]
    other = [v for v in (values["summary"], values["place"], values["edition"]) if v]
    fields = {
        "t": [title],
        "a": authors,
        "s": subjects,
        "e": [values["series"]] if values["series"] else [],
        "p": [values["publisher"]] if values["publisher"] else [],
        "o": other,
    }
    joined = {letter: T.analyse(letter, texts, tokens) for letter, texts in fields.items()}
    title_pinyin = values["title_pinyin"] or pinyin_of(title)[0]
    if title_pinyin:
        T.pinyin_tokens("t", title_pinyin.split(), tokens)
    for author in authors[:10]:
        syllables = pinyin_of(author[:100])[0]
        if syllables:
            T.pinyin_tokens("a", syllables.split(), tokens)
    for number in {*isbns, values["isbn"] or ""}:
        if number:
            tokens.add(f"iw{number[: T.MAX_WORD]}")
    if values["issn"]:
        issn = T.issn_compact(values["issn"])
        if issn:
            tokens.add(f"nw{issn}")
    clc = values["clc"] or ""
    for cls in _SPLIT_CLASSES.split(clc):
        body = T.class_body(cls)
        if body:
            tokens.add(f"cc{body}")
    for call_number, _sort in call_numbers:
        body = T.class_body(call_number)
        if body:
            tokens.add(f"kc{body}")
    if joined["t"]:
        tokens.add(T.title_key_token(joined["t"][2:-2]))
    first = clc.strip()[:1].upper()
    sort_keys = [s for _c, s in call_numbers if s]
    return (
        values["id"],
        " ".join(sorted(tokens)),
        joined["t"][2:-2],
        joined["t"],
        joined["a"],
        joined["s"],
        joined["e"],
        joined["p"],
        joined["o"],
        T.sort_key(values["title_sort"] or title)[:200],
        min(sort_keys)[:200] if sort_keys else "",
        values["year"],
        values["year"] or 0,
        values["material_type"] or "",
        (values["language"] or "")[:3],
        values["audience"] or "",
        first if first.isascii() and first.isalpha() else "",
    )


def _rows(ids: list[int]) -> list[tuple[Any, ...]]:
    records = list(
        Record.objects.filter(pk__in=ids, deleted_at__isnull=True).values(*RECORD_FIELDS)
    )
    isbns: dict[int, list[str]] = defaultdict(list)
    for record_id, value in RecordIdentifier.objects.filter(
        record_id__in=ids, scheme=IdentifierScheme.ISBN
    ).values_list("record_id", "value"):
        isbns[record_id].append(value)
    calls: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for record_id, call_number, key in (
        Item.objects.filter(record_id__in=ids)
        .exclude(status=ItemStatus.WITHDRAWN)
        .exclude(call_number="")
        .values_list("record_id", "call_number", "call_number_sort")
    ):
        calls[record_id].append((call_number, key))
    return [document_row(r, isbns[r["id"]], calls[r["id"]]) for r in records]


def _insert_sql() -> str:
    table = connection.ops.quote_name(SearchDocument._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    marks = ", ".join(["%s"] * len(COLUMNS))
    return f"INSERT INTO {table} ({names}) VALUES ({marks})"


def _write(ids: list[int], rows: list[tuple[Any, ...]], *, fresh: bool = False) -> None:
    """Replace the index rows of `ids` by `rows`. On SQLite, triggers (migration 0005) keep
    the FTS5 table (external content: it reads `doc` from the index table) in step."""
    table = SearchDocument._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if not fresh:
            cursor.execute(f"DELETE FROM {table} WHERE record_id IN ({marks})", ids)
        if rows and connection.vendor == "postgresql":
            # COPY: several times faster than row-by-row inserts for the bulk rebuild.
            names = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        elif rows:
            cursor.executemany(_insert_sql(), rows)


def search_index_records(record_ids: Iterable[int]) -> None:
    """(Re)index these records, with their holdings-derived fields (call numbers); records
    deleted or missing leave the index."""
    ids = sorted({int(i) for i in record_ids})
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic():
            _write(chunk, _rows(chunk))


def search_index_updated_since(since: Any) -> int:
    """(Re)index every record changed at or after `since`, streaming ids in chunks so memory
    stays flat; returns how many were indexed. Used after bulk imports."""
    from shufang.catalogue.models import Record

    done = 0
    chunk: list[int] = []
    ids = (
        Record.objects.filter(updated_at__gte=since)
        .order_by("pk")
        .values_list("pk", flat=True)
        .iterator(chunk_size=CHUNK)
    )
    for pk in ids:
        chunk.append(pk)
        if len(chunk) >= CHUNK:
            search_index_records(chunk)
            done += len(chunk)
            chunk = []
    if chunk:
        search_index_records(chunk)
        done += len(chunk)
    return done


def search_index_on_commit(record_ids: Iterable[int]) -> None:
    """Reindex these records once the current transaction commits (from services)."""
    ids = list(record_ids)
    transaction.on_commit(lambda: search_index_records(ids))


def search_index_rebuild(*, progress: Progress | None = None) -> int:
    """Empty the index and index every record again; returns the number indexed.
    `progress(done, total)` is called after each chunk.

    SQLite: one transaction (readers see the old index until it commits, and an interrupted
    rebuild leaves it as it was); the FTS5 table is not fed row by row through the insert
    trigger but built once from the index table at the end ('rebuild': one pass, no
    incremental segment merges), and the trigger is made again in the same transaction.
    PostgreSQL: chunks of REBUILD_CHUNK records, COPY, and the GIN index built at the end."""
    ids = list(
        Record.objects.filter(deleted_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    if connection.vendor == "sqlite":
        _rebuild_sqlite(ids, progress)
    else:
        _rebuild_chunked(ids, progress)
    if progress is not None and not ids:
        progress(0, 0)
    return len(ids)


def _rebuild_sqlite(ids: list[int], progress: Progress | None) -> None:
    table = SearchDocument._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = int(cursor.fetchone()[0])
        # 256 MiB of page cache while the index table and its B-trees are written.
        cursor.execute("PRAGMA cache_size = -262144")
        try:
            # Emptied at once, not row by row through the delete trigger.
            cursor.execute(f"DROP TRIGGER IF EXISTS {FTS_DELETE_TRIGGER}")
            cursor.execute(f"DROP TRIGGER IF EXISTS {FTS_INSERT_TRIGGER}")
            cursor.execute(f"DELETE FROM {table}")
            done = 0
            for start in range(0, len(ids), REBUILD_CHUNK):
                chunk = ids[start : start + REBUILD_CHUNK]
                _write(chunk, _rows(chunk), fresh=True)
                done += len(chunk)
                if progress is not None:
                    progress(done, len(ids))
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")
            cursor.execute(FTS_DELETE_TRIGGER_SQL)
            cursor.execute(FTS_INSERT_TRIGGER_SQL)
        finally:
            cursor.execute(f"PRAGMA cache_size = {cache_size}")


def _rebuild_chunked(ids: list[int], progress: Progress | None) -> None:
    table = SearchDocument._meta.db_table
    # Outside a transaction only: inside one (tests), deferred constraint checks forbid it.
    postgresql = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
    if postgresql:
        # Building the GIN index once over all rows is several times cheaper than updating
        # it row by row; it is made again whatever happens.
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {PG_GIN}")
    done = 0
    try:
        for start in range(0, len(ids), REBUILD_CHUNK):
            chunk = ids[start : start + REBUILD_CHUNK]
            rows = _rows(chunk)
            with transaction.atomic():
                _write(chunk, rows, fresh=True)
            done += len(chunk)
            if progress is not None:
                progress(done, len(ids))
    finally:
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {PG_GIN} ON {table} USING gin (doc_tsv)"
                )
                cursor.execute("RESET maintenance_work_mem")
                cursor.execute(f"ANALYZE {table}")
