"""The annual report over a large year: JSON, and DOCX with its charts.

    .venv/bin/python bench/bench_report.py [--loans 1000000] [--readers 100000]
    bash scripts/with-postgres.sh .venv/bin/python bench/bench_report.py

Builds (raw multi-row INSERTs, see bench_circulation._insert) a network with three service
points, `--readers` readers with cards, `--items` items, `--loans` returned loans over 2019
and 2020 (60% in 2020) with their anonymous circulation events (the rows the metrics read),
a renewal event for every tenth loan, a year of daily gate counts per service point and a
few hundred events; into a fresh SQLite data directory, or into the database of
SHUFANG_DATABASE_URL when set. Then times `shufang report annual --year 2020` as JSON and as
DOCX (charts included), each built from scratch, and prints the seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_circulation import _date, _datetime, _insert  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--readers", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=200_000)
    args = parser.parse_args()
    if not os.environ.get("SHUFANG_DATABASE_URL"):
        os.environ["SHUFANG_DATA_DIR"] = tempfile.mkdtemp(prefix="shufang-bench-report-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shufang.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", interactive=False, verbosity=0)

    from shufang.catalogue.models import Collection, Item, Record
    from shufang.circulation.models import CirculationEvent, Loan
    from shufang.network.models import Library, LibrarySystem, OpeningHours, ServicePoint
    from shufang.programmes.models import Event
    from shufang.readers.models import Card, Reader, ReaderCategory
    from shufang.statistics.models import VisitCount
    from shufang.statistics.render import render_report
    from shufang.statistics.report import annual_report

    vendor = connection.vendor
    print(f"database: {vendor}")
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -1000000")
            cursor.execute("PRAGMA synchronous = OFF")
    started = time.perf_counter()
    with transaction.atomic():
        system = LibrarySystem.objects.create(code="B", name="bench")
        library = Library.objects.create(
            system=system,
            code="B-LJ",
            name="丽江市图书馆",
            kind="city",
            service_population=1_300_000,
        )
        points = [
            ServicePoint.objects.create(library=library, code=code, name=name, kind=kind)
            for code, name, kind in (
                ("B-MAIN", "总馆", "main"),
                ("B-KIDS", "少儿分馆", "branch"),
                ("B-KIOSK", "自助借还机", "kiosk"),
            )
        ]
        OpeningHours.objects.bulk_create(
            OpeningHours(service_point=points[0], weekday=d, opens=dt.time(8), closes=dt.time(18))
            for d in range(1, 7)
        )
        adult_c = Collection.objects.create(code="ZW", name="成人外借")
        kids_c = Collection.objects.create(code="SE", name="少儿外借", juvenile=True)
        adult = ReaderCategory.objects.create(code="ADULT", name="成人读者")
        child = ReaderCategory.objects.create(code="CHILD", name="少儿读者", juvenile=True)
        n_records = max(1, args.items // 4)
        _insert(
            Record,
            ("title", "clc"),
            ((f"书{i}", "ABIKTZ"[i % 6] + "247") for i in range(n_records)),
        )
        record_ids = list(Record.objects.order_by("pk").values_list("pk", flat=True))
        sources = ("reader_suggestion", "purchase", "local_documents", "donation", "legacy")
        _insert(
            Item,
            ("barcode", "record_id", "collection_id", "acquisition_source", "acquired_on"),
            (
                (
                    f"B{i:09d}",
                    record_ids[i % len(record_ids)],
                    kids_c.pk if i % 3 == 0 else adult_c.pk,
                    sources[i % 5],
                    _date(dt.date(2018 + i % 3, 1 + i % 12, 1 + i % 28)),
                )
                for i in range(args.items)
            ),
            owning_library_id=library.pk,
            home_service_point_id=points[0].pk,
            current_service_point_id=points[0].pk,
            status="available",
        )
        _insert(
            Reader,
            ("name", "birth_date", "category_id"),
            (
                (
                    f"读者{i}",
                    _date(dt.date(1950 + i % 70, 1, 1)),
                    child.pk if i % 4 == 0 else adult.pk,
                )
                for i in range(args.readers)
            ),
            home_service_point_id=points[0].pk,
        )
        reader_ids = list(Reader.objects.order_by("pk").values_list("pk", flat=True))
        _insert(
            Card,
            ("reader_id", "number", "issued_at"),
            (
                (
                    r,
                    f"BC{i:08d}",
                    _datetime(timezone.make_aware(dt.datetime(2015 + i % 6, 1 + i % 12, 5))),
                )
                for i, r in enumerate(reader_ids)
            ),
            issued_at_service_point_id=points[0].pk,
            expires_on=dt.date(2099, 1, 1),
        )
        days = [dt.date(2019, 1, 1) + dt.timedelta(days=d) for d in range(731)]
        _insert(
            VisitCount,
            ("service_point_id", "day", "count"),
            ((p.pk, _date(day), 50 + day.day) for p in points for day in days),
            source="gate",
        )
        for n in range(400):
            start = timezone.make_aware(dt.datetime(2019 + n % 2, 1 + n % 12, 1 + n % 28, 10))
            Event.objects.create(
                library=library,
                title=f"活动{n}",
                kind=("lecture", "class", "story", "film", "exhibition")[n % 5],
                online=n % 7 == 0,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                status="held",
                head_count=30 + n % 50,
            )
    item_ids = list(Item.objects.order_by("pk").values_list("pk", flat=True))
    print(
        f"built {len(item_ids)} items, {len(reader_ids)} readers in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    n_items, n_readers = len(item_ids), len(reader_ids)
    # 60% of the loans in 2020, 40% in 2019; the stamps depend on n % 730 only
    stamps = []
    for n in range(730):
        year = 2020 if n % 10 < 6 else 2019
        out = timezone.make_aware(dt.datetime(year, 1 + n % 12, 1 + n % 28, 9 + n % 8))
        stamps.append(
            (
                _datetime(out),
                _datetime(out + dt.timedelta(days=30)),
                _datetime(out + dt.timedelta(days=20)),
                _date(timezone.localtime(out).date()),
            )
        )
    channels = ("desk", "self_service", "desk", "deposit")
    batch = 100_000
    for start in range(0, args.loans, batch):
        rng = range(start, min(start + batch, args.loans))
        with transaction.atomic():
            _insert(
                Loan,
                (
                    "item_id",
                    "reader_id",
                    "checked_out_at",
                    "due_at",
                    "returned_at",
                    "service_point_id",
                ),
                (
                    (
                        item_ids[n % n_items],
                        reader_ids[(n * 7) % n_readers],
                        *stamps[n % 730][:3],
                        points[n % 3].pk,
                    )
                    for n in rng
                ),
                returned_at_service_point_id=points[0].pk,
                channel="desk",
                status="returned",
            )
            _insert(
                CirculationEvent,
                (
                    "kind",
                    "at",
                    "day",
                    "service_point_id",
                    "channel",
                    "collection_id",
                    "juvenile_collection",
                    "reader_category",
                    "age_band",
                    "item_id",
                    "deposit",
                ),
                (
                    (
                        "checkout" if n % 10 else "renewal",
                        stamps[n % 730][0],
                        stamps[n % 730][3],
                        points[n % 3].pk,
                        channels[n % 4],
                        kids_c.pk if n % 3 == 0 else adult_c.pk,
                        n % 3 == 0,
                        "CHILD" if n % 4 == 0 else "ADULT",
                        ("0-6", "7-13", "18-59", "60+")[n % 4],
                        item_ids[n % n_items],
                        n % 4 == 3,
                    )
                    for n in rng
                ),
                library_id=library.pk,
                material_type="book",
                clc_class="I",
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    print(
        f"built {args.loans} loans and circulation events in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    report = annual_report(year=2020)
    body = json.dumps(report.as_json(), ensure_ascii=False, default=str)
    json_s = time.perf_counter() - started
    print(
        f"json: {json_s:.2f} s ({len(body)} bytes; loans 2020 {report.figures['circulation.loans']}, "
        f"2019 {report.previous['circulation.loans']}; checks passed: {report.checks_passed})"
    )
    started = time.perf_counter()
    report = annual_report(year=2020)
    docx = render_report(report, "docx")
    docx_s = time.perf_counter() - started
    print(f"docx with charts: {docx_s:.2f} s ({len(docx)} bytes)")


if __name__ == "__main__":
    main()
