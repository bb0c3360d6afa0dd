"""Times the default-scale demo build into a fresh SQLite data directory.

    .venv/bin/python bench/bench_demo.py [--scale small|full|tiny]

Prints the records, items and readers built and the seconds taken (migrations excluded), then
checks the simulated years' figures by direct counts of the records (not through the
statistics code): loans 2019 and 2020, juvenile loans, new cards, valid cardholders at the end
of 2020, additions by source, deposit loans, holdings."""

from __future__ import annotations

import argparse
import os
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="small")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="shufang-bench-demo-")
    os.environ["SHUFANG_DATA_DIR"] = data_dir
    os.environ.pop("SHUFANG_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shufang.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from shufang.demo.services import demo_build

    started = time.perf_counter()
    summary = demo_build(scale=args.scale)
    seconds = time.perf_counter() - started
    c = summary.counts
    print(
        f"demo build ({args.scale}, SQLite in {data_dir}): {c['records']} records, "
        f"{c['items']} items, {c['readers']} readers, {c['service_points']} service points "
        f"in {seconds:.1f} s"
    )
    _figures(args.scale)


def _figures(scale: str) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.db.models import Q

    from shufang.catalogue.models import Item
    from shufang.circulation.models import CirculationEvent, Loan
    from shufang.readers.models import Card

    tz = ZoneInfo("Asia/Shanghai")

    def year(y: int, name: str = "checked_out_at") -> Q:
        return Q(
            **{
                f"{name}__gte": dt.datetime(y, 1, 1, tzinfo=tz),
                f"{name}__lt": dt.datetime(y + 1, 1, 1, tzinfo=tz),
            }
        )

    end_2020 = dt.datetime(2021, 1, 1, tzinfo=tz)
    figures = {
        "loans 2019 (ref 93008)": Loan.objects.filter(year(2019)).count(),
        "loans 2020 (ref 57588)": Loan.objects.filter(year(2020)).count(),
        "juvenile loans 2020 (ref 39219)": Loan.objects.filter(
            year(2020), item__collection__juvenile=True
        ).count(),
        "checkout events 2020": CirculationEvent.objects.filter(
            kind="checkout", day__year=2020
        ).count(),
        "deposit loans 2020 (ref 2400)": Loan.objects.filter(
            year(2020), deposit__isnull=False
        ).count(),
        "new cards 2020 (ref 654)": Card.objects.filter(year(2020, "issued_at")).count(),
        "valid cardholders end 2020 (ref 8952)": Card.objects.filter(
            issued_at__lt=end_2020, expires_on__gte=dt.date(2021, 1, 1)
        )
        .exclude(status__in=["cancelled", "lost"])
        .values("reader")
        .distinct()
        .count(),
        "holdings end 2020": Item.objects.filter(acquired_on__lte=dt.date(2020, 12, 31))
        .exclude(status="withdrawn")
        .count(),
    }
    added = Item.objects.filter(acquired_on__year=2020)
    for source in ("reader_suggestion", "purchase", "local_documents", "donation"):
        figures[f"additions 2020 {source}"] = added.filter(acquisition_source=source).count()
    figures["additions 2020 (ref 12568)"] = added.count()
    figures["additions 2020 juvenile (ref 7282)"] = added.filter(collection__juvenile=True).count()
    for name, value in figures.items():
        print(f"  {name}: {value}")


if __name__ == "__main__":
    main()
