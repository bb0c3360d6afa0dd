"""Checkout and checkin speed through the circulation services, in one process.

    .venv/bin/python bench/bench_circulation.py [--items 100000] [--readers 10000]
        [--past-loans 1000000] [--transactions 2000] [--profile FILE]
    bash scripts/with-postgres.sh .venv/bin/python bench/bench_circulation.py

Builds (bulk) a network with `--items` items, `--readers` readers with cards and
`--past-loans` returned loans, into a fresh SQLite data directory, or into the database of
SHUFANG_DATABASE_URL when set. Then times `--transactions` checkouts (`loan_checkout`) and as
many checkins (`loan_checkin`), one at a time, and prints throughput and p50/p99 latency;
finally a reader holding 500 current loans borrows one more (20 times, timed each). Also
prints the number of SQL queries of one checkout and one checkin; `--profile FILE` writes a
cProfile of the timed transactions (read it with `python -m pstats FILE`).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterable
from typing import Any


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def _report(label: str, seconds: list[float], cpu: float) -> None:
    """`cpu`: this process's CPU seconds over the run; on a shared machine CPU time per
    transaction moves much less with other people's load than the wall clock does."""
    total = sum(seconds)
    print(
        f"{label}: {len(seconds)} in {total:.2f} s = {len(seconds) / total:.0f}/s; "
        f"p50 {_percentile(seconds, 50) * 1000:.2f} ms, p99 {_percentile(seconds, 99) * 1000:.2f} ms, "
        f"max {max(seconds) * 1000:.2f} ms; CPU {cpu / len(seconds) * 1000:.2f} ms each "
        f"(load average {os.getloadavg()[0]:.1f})"
    )


def _datetime(value: dt.datetime) -> Any:
    from django.db import connection

    return connection.ops.adapt_datetimefield_value(value)


def _date(value: dt.date) -> Any:
    from django.db import connection

    return connection.ops.adapt_datefield_value(value)


def _insert(
    model: Any, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]], **fixed: Any
) -> int:
    """Bench data only: raw multi-row INSERTs (COPY on PostgreSQL) of `rows` (tuples of database-ready values for
    `columns`, given by attname); every other concrete field gets `fixed[attname]` or its
    model default (auto_now fields: now), adapted once. Skips model instances and per-row
    field preparation, which made building a million loans take minutes. Returns rows written."""
    from django.db import connection
    from django.db.models import AutoField, BigAutoField
    from django.utils import timezone

    now = timezone.now()
    extra: list[tuple[str, Any]] = []
    for f in model._meta.concrete_fields:
        if isinstance(f, AutoField | BigAutoField) or f.attname in columns:
            continue
        if f.attname in fixed:
            value = fixed[f.attname]
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        else:
            value = f.get_default()
        extra.append((f.column, f.get_db_prep_save(value, connection)))
    names = [model._meta.get_field(c).column for c in columns] + [c for c, _ in extra]
    tail = tuple(v for _, v in extra)
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        # COPY: psycopg converts the rows in C; a multi-row INSERT quotes every parameter
        # in Python (a million loans took minutes)
        written = 0
        table = qn(model._meta.db_table)
        with connection.cursor() as cursor:
            copy_sql = f"COPY {table} ({', '.join(qn(n) for n in names)}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row((*row, *tail))
                    written += 1
        return written
    head = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(n) for n in names)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    # SQLite allows 32766 parameters per statement (3.32+); PostgreSQL 65535.
    per_statement = max(1, 30_000 // len(names))
    written = 0
    chunk: list[Any] = []
    count = 0
    with connection.cursor() as cursor:

        def flush() -> None:
            cursor.execute(head + ", ".join([one] * count), chunk)

        for row in rows:
            chunk.extend(row)
            chunk.extend(tail)
            count += 1
            if count == per_statement:
                flush()
                written += count
                chunk, count = [], 0
        if count:
            flush()
            written += count
    return written


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--past-loans", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=2_000)
    parser.add_argument("--sql", action="store_true", help="print the probe transactions' SQL")
    parser.add_argument(
        "--profile", metavar="FILE", help="cProfile the timed transactions into FILE (slower)"
    )
    args = parser.parse_args()
    if not os.environ.get("SHUFANG_DATABASE_URL"):
        os.environ["SHUFANG_DATA_DIR"] = tempfile.mkdtemp(prefix="shufang-bench-circ-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shufang.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", interactive=False, verbosity=0)

    from shufang.catalogue.models import Collection, Item, Record
    from shufang.circulation.models import Loan, LoanRule
    from shufang.circulation.services.checkin import loan_checkin
    from shufang.circulation.services.checkout import loan_checkout
    from shufang.core.audit import Actor
    from shufang.core.models import Channel
    from shufang.network.models import Library, LibrarySystem, OpeningHours, ServicePoint
    from shufang.readers.models import Card, Reader, ReaderCategory

    vendor = connection.vendor
    print(f"database: {vendor}")
    rng = random.Random(7)
    if vendor == "sqlite":
        # Build only: a 1 GB page cache, so inserting a million loans into their indexes
        # (item, reader, due date...) does not go back to the file for every B-tree page.
        # The connection is closed after the build: the timed part runs with the settings'.
        # Nor wait for the disk at each checkpoint (synchronous off: a crash loses the bench).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -1000000")
            cursor.execute("PRAGMA synchronous = OFF")
    started = time.perf_counter()
    with transaction.atomic():
        system = LibrarySystem.objects.create(code="B", name="bench")
        library = Library.objects.create(
            system=system, code="B-LJ", name="丽江市图书馆", kind="city"
        )
        main_point = ServicePoint.objects.create(
            library=library, code="B-MAIN", name="总馆", kind="main"
        )
        OpeningHours.objects.bulk_create(
            OpeningHours(service_point=main_point, weekday=d, opens=dt.time(9), closes=dt.time(17))
            for d in range(1, 7)
        )
        collection = Collection.objects.create(code="ZW", name="成人外借")
        adult = ReaderCategory.objects.create(code="ADULT", name="成人读者")
        group = ReaderCategory.objects.create(code="GROUP", name="集体读者", kind="group")
        LoanRule.objects.create(name="默认", loan_days=30, max_loans=10)
        LoanRule.objects.create(name="集体", reader_category=group, loan_days=60, max_loans=1000)
        n_records = max(1, args.items // 5)
        _insert(
            Record,
            ("title", "clc"),
            ((f"书{i}", "ABCDIKTZ"[i % 8] + "247") for i in range(n_records)),
        )
        record_ids = list(Record.objects.order_by("pk").values_list("pk", flat=True))
        _insert(
            Item,
            ("barcode", "record_id", "call_number"),
            (
                (f"B{i:09d}", record_ids[i % len(record_ids)], f"I247/{i}")
                for i in range(args.items)
            ),
            owning_library_id=library.pk,
            home_service_point_id=main_point.pk,
            current_service_point_id=main_point.pk,
            collection_id=collection.pk,
            status="available",
        )
        _insert(
            Reader,
            ("name", "birth_date"),
            ((f"读者{i}", _date(dt.date(1960 + i % 50, 1, 1))) for i in range(args.readers)),
            category_id=adult.pk,
            home_service_point_id=main_point.pk,
        )
        reader_ids = list(Reader.objects.order_by("pk").values_list("pk", flat=True))
        _insert(
            Card,
            ("reader_id", "number"),
            ((r, f"BC{i:08d}") for i, r in enumerate(reader_ids)),
            issued_at_service_point_id=main_point.pk,
            expires_on=dt.date(2099, 1, 1),
        )
    item_ids = list(Item.objects.order_by("pk").values_list("pk", flat=True))
    print(
        f"built {len(item_ids)} items, {len(reader_ids)} readers in "
        f"{time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    now = timezone.now()
    # The times below depend on n only through n % 3000 (lcm of 1500 days and 600 minutes):
    # adapt those 3000 (checked out, due, returned) triples to database values once.
    stamps = []
    for n in range(3000):
        out = now - dt.timedelta(days=60 + n % 1500, minutes=n % 600)
        stamps.append(
            tuple(
                _datetime(t)
                for t in (out, out + dt.timedelta(days=30), out + dt.timedelta(days=20))
            )
        )
    n_items, n_readers = len(item_ids), len(reader_ids)
    batch = 100_000
    for start in range(0, args.past_loans, batch):
        with transaction.atomic():
            _insert(
                Loan,
                ("item_id", "reader_id", "checked_out_at", "due_at", "returned_at"),
                (
                    (item_ids[n % n_items], reader_ids[(n * 7) % n_readers], *stamps[n % 3000])
                    for n in range(start, min(start + batch, args.past_loans))
                ),
                service_point_id=main_point.pk,
                returned_at_service_point_id=main_point.pk,
                channel="desk",
                status="returned",
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    print(f"built {args.past_loans} past loans in {time.perf_counter() - started:.1f} s")

    actor = Actor(user=None, channel=Channel.DESK, label="bench")
    sample = rng.sample(item_ids, args.transactions + 1)
    items = list(Item.objects.filter(pk__in=sample).order_by("?"))
    # each reader borrows at most 5: well under the limit of 10
    borrowers = Reader.objects.filter(pk__in=rng.sample(reader_ids, args.transactions // 5 + 1))
    borrowers = list(borrowers.select_related("category"))

    # One checkout and one checkin (not timed) with their SQL captured: the query counts.
    from django.test.utils import CaptureQueriesContext

    probe_item, probe_reader = items.pop(), borrowers[0]
    with CaptureQueriesContext(connection) as out_queries:
        loan_checkout(item=probe_item, reader=probe_reader, service_point=main_point, actor=actor)
    with CaptureQueriesContext(connection) as in_queries:
        loan_checkin(item=probe_item, service_point=main_point, actor=actor, channel="desk")
    print(f"queries: checkout {len(out_queries)}, checkin {len(in_queries)}")
    if args.sql:
        for label, captured in (("checkout", out_queries), ("checkin", in_queries)):
            for q in captured.captured_queries:
                print(f"  {label}: {q['sql'][:300]}")

    profiler = cProfile.Profile() if args.profile else None
    out_times: list[float] = []
    cpu = time.process_time()
    for n, item in enumerate(items):
        reader = borrowers[n % len(borrowers)]
        t0 = time.perf_counter()
        if profiler:
            profiler.enable()
        loan_checkout(item=item, reader=reader, service_point=main_point, actor=actor)
        if profiler:
            profiler.disable()
        out_times.append(time.perf_counter() - t0)
    _report(f"checkout ({vendor})", out_times, time.process_time() - cpu)

    in_times: list[float] = []
    cpu = time.process_time()
    for item in items:
        t0 = time.perf_counter()
        if profiler:
            profiler.enable()
        loan_checkin(item=item, service_point=main_point, actor=actor, channel="desk")
        if profiler:
            profiler.disable()
        in_times.append(time.perf_counter() - t0)
    _report(f"checkin ({vendor})", in_times, time.process_time() - cpu)
    if profiler:
        profiler.dump_stats(args.profile)
        print(f"profile of the timed checkouts and checkins written to {args.profile}")

    # a group reader holding 500 current loans borrows one more
    heavy = Reader.objects.create(name="军训营地", category=group, home_service_point=main_point)
    Card.objects.create(
        reader=heavy,
        number="BHEAVY",
        issued_at_service_point=main_point,
        expires_on=dt.date(2099, 1, 1),
    )
    heavy = Reader.objects.select_related("category").get(pk=heavy.pk)
    free = list(Item.objects.filter(status="available").exclude(pk__in=[i.pk for i in items])[:520])
    for item in free[:500]:
        loan_checkout(item=item, reader=heavy, service_point=main_point, actor=actor)
    heavy_times: list[float] = []
    for item in free[500:520]:
        t0 = time.perf_counter()
        loan_checkout(item=item, reader=heavy, service_point=main_point, actor=actor)
        heavy_times.append(time.perf_counter() - t0)
    print(
        f"reader with {Loan.objects.filter(reader=heavy, status='active').count() - 20}+ current "
        f"loans borrows one more ({vendor}): median "
        f"{statistics.median(heavy_times) * 1000:.2f} ms, max {max(heavy_times) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
