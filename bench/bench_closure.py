"""Benchmark: an emergency closure that moves 50,000 due dates (target: under 10 s).

    .venv/bin/python bench/bench_closure.py [--loans 50000] [--readers 10000]

Runs against a fresh SQLite database in a temporary data directory (or the PostgreSQL database
named by SHUFANG_DATABASE_URL, which must be empty and is migrated). Builds a network of two
libraries (city: main building closed on Mondays, two branches and a kiosk; county: closed at
weekends), `--loans` open loans due inside an eleven-week closure (as in 2020), as many again
due after it, 1,000 ready holds expiring inside it, then times `closure_declare` for the whole
network: the calendar entry, the grouped due-date UPDATEs, the holds and one closure notice per
affected reader.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

START = dt.date(2020, 1, 24)
END = dt.date(2020, 4, 10)  # eleven weeks and a day


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=50_000)
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="shufang-bench-closure."))
    os.environ.setdefault("SHUFANG_DATA_DIR", str(tmp / "data"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shufang.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from shufang.catalogue.models import Collection, Item, Record
    from shufang.circulation.models import Hold, Loan, Notice
    from shufang.circulation.services.closures import closure_declare
    from shufang.core.audit import Actor
    from shufang.network.models import Library, LibrarySystem, OpeningHours, ServicePoint
    from shufang.readers.models import Reader, ReaderCategory

    call_command("migrate", verbosity=0)
    rng = random.Random(2020)
    system = LibrarySystem.objects.create(code="CN-530700", name="丽江市总分馆体系")
    city = Library.objects.create(
        system=system, code="CN-530700-LJ", name="丽江市图书馆", kind="city"
    )
    county = Library.objects.create(
        system=system, code="CN-530721-YL", name="玉龙县图书馆", kind="county"
    )
    points = [
        ServicePoint.objects.create(library=city, code="LJ-MAIN", name="总馆", kind="main"),
        ServicePoint.objects.create(library=city, code="LJ-B1", name="古城分馆", kind="branch"),
        ServicePoint.objects.create(library=city, code="LJ-B2", name="华坪分馆", kind="branch"),
        ServicePoint.objects.create(library=city, code="LJ-K1", name="自助借还机", kind="kiosk"),
        ServicePoint.objects.create(
            library=county, code="YL-MAIN", name="玉龙县图书馆", kind="county_library"
        ),
    ]
    weekly = {
        "LJ-MAIN": range(1, 7),
        "LJ-B1": range(1, 7),
        "LJ-B2": range(7),
        "LJ-K1": range(7),
        "YL-MAIN": range(5),
    }
    OpeningHours.objects.bulk_create(
        OpeningHours(service_point=p, weekday=d, opens=dt.time(9), closes=dt.time(17))
        for p in points
        for d in weekly[p.code]
    )
    category = ReaderCategory.objects.create(code="ADULT", name="成人读者")
    collection = Collection.objects.create(code="ZW", name="成人外借")
    record = Record.objects.create(title="活着", clc="I247.57")
    readers = Reader.objects.bulk_create(
        (
            Reader(name=f"读者{n}", category=category, home_service_point=points[n % 5])
            for n in range(args.readers)
        ),
        batch_size=2000,
    )
    total = args.loans * 2
    items = Item.objects.bulk_create(
        (
            Item(
                barcode=f"B{n:09d}",
                record=record,
                owning_library_id=points[n % 5].library_id,
                home_service_point=points[n % 5],
                current_service_point=points[n % 5],
                collection=collection,
                status="on_loan",
            )
            for n in range(total)
        ),
        batch_size=2000,
    )
    span = (END - START).days + 1

    def due(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))

    loans = []
    for n, item in enumerate(items):
        inside = n < args.loans
        day = START + dt.timedelta(days=rng.randrange(span) if inside else span + rng.randrange(60))
        loans.append(
            Loan(
                item=item,
                reader=readers[rng.randrange(len(readers))],
                service_point_id=item.home_service_point_id,
                channel="desk",
                checked_out_at=due(day) - dt.timedelta(days=30),
                due_at=due(day),
            )
        )
    Loan.objects.bulk_create(loans, batch_size=2000)
    Hold.objects.bulk_create(
        (
            Hold(
                reader=readers[n],
                record=record,
                pickup_service_point=points[n % 5],
                channel="opac",
                status="ready",
                trapped_item=items[total - 1 - n],
                shelf_expires_on=START + dt.timedelta(days=n % span),
            )
            for n in range(1000)
        ),
        batch_size=1000,
    )
    print(
        f"database: {connection.vendor}; loans: {Loan.objects.count()} "
        f"({args.loans} due inside {START}..{END}); readers: {args.readers}; ready holds: 1000"
    )

    import cProfile
    import pstats

    profile = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profile is not None:
        profile.enable()
    closure = closure_declare(
        start_date=START, end_date=END, reason="疫情防控", actor=Actor.system("bench")
    )
    elapsed = time.perf_counter() - started
    if profile is not None:
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    print(
        f"closure_declare (whole network): {closure.loans_moved} due dates and "
        f"{closure.holds_moved} hold-shelf expiries moved, {Notice.objects.count()} notices "
        f"queued in {elapsed:.2f} s ({closure.loans_moved / elapsed:,.0f} loans/s)"
    )
    inside_left = Loan.objects.filter(
        due_at__gte=due(START) - dt.timedelta(days=1), due_at__lte=due(END)
    ).count()
    print(f"loans still due inside the closure: {inside_left}")


if __name__ == "__main__":
    main()
