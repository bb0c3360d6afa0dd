"""Checkout and checkin speed through the circulation services, in one process.

    .venv/bin/python bench/bench_circulation.py [--items 100000] [--readers 10000]
        [--past-loans 1000000] [--transactions 2000]
    bash scripts/with-postgres.sh .venv/bin/python bench/bench_circulation.py

Builds (bulk) a network with `--items` items, `--readers` readers with cards and
`--past-loans` returned loans, into a fresh SQLite data directory, or into the database of
SHUFANG_DATABASE_URL when set. Then times `--transactions` checkouts (`loan_checkout`) and as
many checkins (`loan_checkin`), one at a time, and prints throughput and p50/p99 latency;
finally a reader holding 500 current loans borrows one more (20 times, timed each).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def _report(label: str, seconds: list[float]) -> None:
    total = sum(seconds)
    print(
        f"{label}: {len(seconds)} in {total:.2f} s = {len(seconds) / total:.0f}/s; "
        f"p50 {_percentile(seconds, 50) * 1000:.2f} ms, p99 {_percentile(seconds, 99) * 1000:.2f} ms, "
        f"max {max(seconds) * 1000:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--past-loans", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=2_000)
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
        records = Record.objects.bulk_create(
            (Record(title=f"书{i}", clc="ABCDIKTZ"[i % 8] + "247") for i in range(args.items // 5)),
            batch_size=5000,
        )
        Item.objects.bulk_create(
            (
                Item(
                    barcode=f"B{i:09d}",
                    record=records[i % len(records)],
                    owning_library=library,
                    home_service_point=main_point,
                    current_service_point=main_point,
                    collection=collection,
                    call_number=f"I247/{i}",
                    status="available",
                )
                for i in range(args.items)
            ),
            batch_size=5000,
        )
        readers = Reader.objects.bulk_create(
            (
                Reader(
                    name=f"读者{i}",
                    category=adult,
                    birth_date=dt.date(1960 + i % 50, 1, 1),
                    home_service_point=main_point,
                )
                for i in range(args.readers)
            ),
            batch_size=5000,
        )
        Card.objects.bulk_create(
            (
                Card(
                    reader=r,
                    number=f"BC{i:08d}",
                    issued_at_service_point=main_point,
                    expires_on=dt.date(2099, 1, 1),
                )
                for i, r in enumerate(readers)
            ),
            batch_size=5000,
        )
    item_ids = list(Item.objects.order_by("pk").values_list("pk", flat=True))
    reader_ids = [r.pk for r in readers]
    print(
        f"built {len(item_ids)} items, {len(reader_ids)} readers in "
        f"{time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    now = timezone.now()
    batch = 20_000
    for start in range(0, args.past_loans, batch):
        rows = []
        for n in range(start, min(start + batch, args.past_loans)):
            out = now - dt.timedelta(days=60 + n % 1500, minutes=n % 600)
            rows.append(
                Loan(
                    item_id=item_ids[n % len(item_ids)],
                    reader_id=reader_ids[(n * 7) % len(reader_ids)],
                    service_point=main_point,
                    channel="desk",
                    checked_out_at=out,
                    due_at=out + dt.timedelta(days=30),
                    returned_at=out + dt.timedelta(days=20),
                    returned_at_service_point=main_point,
                    status="returned",
                )
            )
        with transaction.atomic():
            Loan.objects.bulk_create(rows, batch_size=2000)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"built {args.past_loans} past loans in {time.perf_counter() - started:.1f} s")

    actor = Actor(user=None, channel=Channel.DESK, label="bench")
    items = list(Item.objects.filter(pk__in=rng.sample(item_ids, args.transactions)).order_by("?"))
    # each reader borrows at most 5: well under the limit of 10
    borrowers = Reader.objects.filter(pk__in=rng.sample(reader_ids, args.transactions // 5 + 1))
    borrowers = list(borrowers.select_related("category"))

    out_times: list[float] = []
    for n, item in enumerate(items):
        reader = borrowers[n % len(borrowers)]
        t0 = time.perf_counter()
        loan_checkout(item=item, reader=reader, service_point=main_point, actor=actor)
        out_times.append(time.perf_counter() - t0)
    _report(f"checkout ({vendor})", out_times)

    in_times: list[float] = []
    for item in items:
        t0 = time.perf_counter()
        loan_checkin(item=item, service_point=main_point, actor=actor, channel="desk")
        in_times.append(time.perf_counter() - t0)
    _report(f"checkin ({vendor})", in_times)

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
