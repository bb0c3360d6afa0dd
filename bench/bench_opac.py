"""Benchmark: the OPAC results page (search, facets, availability, template) rendered through
Django's test client for the 50 queries of bench_search.py (target: p95 under 150 ms).

    .venv/bin/python bench/bench_opac.py [--records 100000] [--data DIR]
    bash scripts/with-postgres.sh .venv/bin/python bench/bench_opac.py --records 100000

Fresh SQLite database in a temporary data directory (or the empty PostgreSQL database named
by SHUFANG_DATABASE_URL). With `--data DIR` that data directory (and with PostgreSQL the
database of SHUFANG_DATABASE_URL) is kept, and reused when it already holds records: e.g. the
million-record database bench_search.py built with the same `--data` (its records, items and
index are used as they are). Generated records (two thirds Chinese, one third English) inserted in
bulk, one or two copies for one record in ten over four service points, the index rebuilt, then
each query's page rendered once warm and once timed. Prints p50, p95 and max per page."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))


def _generate(records: int) -> None:
    """`records` generated records, items for one in ten, the index rebuilt."""
    from bench_search import EN, GIVEN, SURNAMES, ZH
    from django.utils import timezone

    from shufang.catalogue.marc.extract import pinyin_of
    from shufang.catalogue.models import Collection, Item, Record
    from shufang.catalogue.search.indexing import search_index_rebuild
    from shufang.network.models import Library, LibrarySystem, ServicePoint

    rng = random.Random(7)
    system = LibrarySystem.objects.create(code="LJ", name="丽江")
    lib = Library.objects.create(system=system, code="LJ-C", name="丽江市图书馆", kind="city")
    points = [
        ServicePoint.objects.create(library=lib, code=f"SP{i}", name=f"服务点{i}", kind="branch")
        for i in range(4)
    ]
    collection = Collection.objects.create(code="ADULT", name="成人外借")
    classes = ["K297.44", "I287.8", "TP312", "G252", "I247.5", "K928.9", "H316", "J607"]
    now = timezone.now()
    started = time.perf_counter()
    batch: list[Record] = []
    word_pinyin = {w: pinyin_of(w) for w in ZH}  # titles' pinyin joined per word: fast
    for n in range(records):
        if n % 3:
            words = rng.sample(ZH, rng.randint(2, 4))
            title = "".join(words)
            author = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            pinyin = " ".join(word_pinyin[w][0] for w in words)
            initials = "".join(word_pinyin[w][1] for w in words)
            language = "chi"
        else:
            title = " ".join(rng.sample(EN, rng.randint(2, 5))).capitalize()
            author = f"{rng.choice(EN).capitalize()} {rng.choice(EN).capitalize()}"
            pinyin, initials, language = "", "", "eng"
        isbn = f"978722{n:06d}"
        isbn += str((10 - sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(isbn)) % 10) % 10)
        batch.append(
            Record(
                created_at=now,
                title=title,
                title_sort=pinyin or title.casefold(),
                title_pinyin=pinyin,
                title_pinyin_initials=initials,
                authors=author,
                publisher=rng.choice(["云南人民出版社", "中华书局", "Penguin"]),
                year=rng.randint(1950, 2024),
                isbn=isbn,
                clc=rng.choice(classes),
                subjects="\n".join(rng.sample(ZH, 2)),
                language=language,
            )
        )
        if len(batch) == 5000:
            Record.objects.bulk_create(batch)
            batch = []
    Record.objects.bulk_create(batch)
    ids = list(Record.objects.values_list("pk", flat=True)[: records // 10])
    items = []
    for k, record_id in enumerate(ids):
        for j in range(1 + k % 2):
            point = points[(k + j) % 4]
            items.append(
                Item(
                    record_id=record_id,
                    barcode=f"B{record_id}-{j}",
                    owning_library=lib,
                    home_service_point=point,
                    current_service_point=point,
                    collection=collection,
                    call_number=f"{classes[k % len(classes)]}/{k}",
                    status=["available", "on_loan"][(k + j) % 2],
                )
            )
    Item.objects.bulk_create(items, batch_size=2000)
    search_index_rebuild()
    print(f"generated and indexed in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument(
        "--data",
        help="data directory to keep and reuse (default: a new temporary one); a database"
        " that already holds records is searched as it is",
    )
    args = parser.parse_args()
    data = Path(args.data).resolve() if args.data else None
    if data is None:
        data = Path(tempfile.mkdtemp(prefix="shufang-bench-opac.")) / "data"
    os.environ.setdefault("SHUFANG_DATA_DIR", str(data))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shufang.config.settings")
    import django

    django.setup()
    from bench_search import QUERIES
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from shufang.catalogue.models import Record

    setup_test_environment()
    call_command("migrate", verbosity=0)
    existing = Record.objects.count()
    if existing:
        print(f"database: {connection.vendor}, reusing its {existing:,} records (data: {data})")
    else:
        print(f"database: {connection.vendor}, records: {args.records:,} (data: {data})")
        _generate(args.records)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT version(), current_setting('shared_buffers')")
            version, shared_buffers = cursor.fetchone()
        print(f"{version.split(' on ')[0]}, shared_buffers {shared_buffers}")

    client = Client()

    client = Client()
    for text in QUERIES:  # warm-up
        client.get("/", {"q": text})
    for round_ in (1, 2):  # a shared machine: two rounds
        load = os.getloadavg()[0]
        timings = []
        for text in QUERIES:
            t0 = time.perf_counter()
            response = client.get("/", {"q": text})
            timings.append((time.perf_counter() - t0, text))
            assert response.status_code == 200, text
        ms = sorted(t * 1000 for t, _q in timings)
        p95 = ms[int(len(ms) * 0.95) - 1]
        print(
            f"round {round_}: results page, {len(ms)} queries: p50 {statistics.median(ms):.1f} ms,"
            f" p95 {p95:.1f} ms, max {ms[-1]:.1f} ms (load average {load:.1f})"
        )
        for t, text in sorted(timings, reverse=True)[:3]:
            print(f"  slowest: {t * 1000:7.1f} ms  {text}")

    # The same queries through the engine alone (facets on, 20 hits, as the page asks), so the
    # page's own share (availability, template) shows.
    from shufang.catalogue.search.engine import search_records
    from shufang.catalogue.search.query import SearchQuery, parse_user_query

    engine = []
    for text in QUERIES:
        t0 = time.perf_counter()
        search_records(SearchQuery(expr=parse_user_query(text), limit=20, facets=True))
        engine.append((time.perf_counter() - t0) * 1000)
    engine.sort()
    print(
        f"engine alone: p50 {statistics.median(engine):.1f} ms, "
        f"p95 {engine[int(len(engine) * 0.95) - 1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
