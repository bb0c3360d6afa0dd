"""Times the default-scale demo build into a fresh SQLite data directory.

    .venv/bin/python bench/bench_demo.py [--scale small|full|tiny]

Prints the records, items and readers built and the seconds taken (migrations excluded), then
checks the simulated years' figures by direct counts of the records (not through the
statistics code): loans 2019 and 2020, juvenile loans, new cards, valid cardholders at the end
of 2020, additions by source, deposit loans, holdings; the programme, ledger, WeChat, serials,
budget and funding figures of demo/year2020.py; then times the 2020 annual report's data and
says whether its consistency checks pass."""

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
    figures.update(_reference_year_figures())
    for name, value in figures.items():
        print(f"  {name}: {value}")
    _report_timing()


def _reference_year_figures() -> dict[str, object]:
    """The programme, ledger, serials, budget and workflow figures of 2020 (demo/year2020.py),
    counted directly from their tables."""
    import datetime as dt

    from django.db.models import Count, Max, Sum

    from shufang.acquisitions.models import BudgetLine, DonatedItem, Receipt
    from shufang.operations.models import (
        FundedProject,
        GroupVisit,
        MediaReport,
        StaffEstablishment,
        StaffMember,
        VenueUse,
        WebsiteMonth,
        WechatMonth,
        WechatPost,
    )
    from shufang.programmes.models import Award, Event
    from shufang.serials.models import Subscription
    from shufang.statistics.models import EbookHolding

    held = Event.objects.filter(status="held", starts_at__year=2020)
    film = Event.objects.filter(series__code="film", status="held")
    posts = WechatPost.objects.filter(published_on__year=2020)
    site = WebsiteMonth.objects.filter(month__year=2020).aggregate(
        a=Sum("articles"), v=Sum("page_views"), s=Sum("visits")
    )
    latest: dict[str, int] = {}
    for platform, titles in (
        EbookHolding.objects.filter(as_of__lte=dt.date(2020, 12, 31))
        .order_by("-as_of")
        .values_list("platform", "titles")
    ):
        latest.setdefault(platform, titles)
    return {
        "events held 2020 (online, kind)": dict(
            sorted(
                (f"{'online' if r['online'] else 'offline'} {r['kind']}", r["n"])
                for r in held.values("online", "kind").annotate(n=Count("id")).order_by()
            )
        ),
        "films since the series began (ref 419)": film.aggregate(n=Max("number"))["n"],
        "film viewers since the series began (ref >12000)": film.aggregate(n=Sum("head_count"))[
            "n"
        ],
        "awards 2020 (ref 10/2/6/10)": dict(
            Award.objects.filter(awarded_on__year=2020)
            .values_list("kind")
            .annotate(n=Count("id"))
            .order_by("kind")
        ),
        "media reports 2020 (ref 35/39/11)": dict(
            MediaReport.objects.filter(published_on__year=2020)
            .values_list("level")
            .annotate(n=Count("id"))
            .order_by("level")
        ),
        "wechat followers 2019-12 / 2020-12 (ref +971 to 10628)": list(
            WechatMonth.objects.filter(month__in=[dt.date(2019, 12, 1), dt.date(2020, 12, 1)])
            .order_by("month")
            .values_list("followers", flat=True)
        ),
        "wechat posts 2020 (ref 271, 23 over 500, top 2522)": (
            posts.count(),
            posts.filter(reads__gt=500).count(),
            posts.aggregate(n=Max("reads"))["n"],
        ),
        "website 2020 (ref 59 / 2032164 / 47770)": (site["a"], site["v"], site["s"]),
        "group visits / venue uses 2020 (ref 2 / 1)": (
            GroupVisit.objects.filter(visited_on__year=2020).count(),
            VenueUse.objects.filter(used_on__year=2020).count(),
        ),
        "subscriptions 2020 (ref 206 periodicals, 30 newspapers)": dict(
            Subscription.objects.filter(year=2020)
            .values_list("kind")
            .annotate(n=Count("id"))
            .order_by("kind")
        ),
        "e-books owned end 2020 (ref 11 万余)": sum(latest.values()),
        "book budget 2019 / 2020 (ref 350000 / 450000)": tuple(
            BudgetLine.objects.filter(fund__year=y).aggregate(n=Sum("amount"))["n"]
            for y in (2019, 2020)
        ),
        "funded projects 2020 (ref 4, 1520000)": (
            FundedProject.objects.filter(year_granted=2020).count(),
            FundedProject.objects.filter(year_granted=2020).aggregate(n=Sum("amount"))["n"],
        ),
        "staff posts / members now (ref 15 / 14)": (
            StaffEstablishment.objects.order_by("-effective_from")
            .values_list("authorised_posts", flat=True)
            .first(),
            StaffMember.objects.filter(left_on__isnull=True).count(),
        ),
        "items added through the acquisition workflows": Receipt.objects.aggregate(n=Sum("copies"))[
            "n"
        ]
        + sum(d.items.count() for d in DonatedItem.objects.all()),
    }


def _report_timing() -> None:
    import time

    from shufang.statistics.report import annual_report

    started = time.perf_counter()
    report = annual_report(year=2020)
    seconds = time.perf_counter() - started
    failed = [c.name for c in report.checks if not c.passed]
    print(
        f"annual report 2020 (json data) in {seconds:.1f} s; consistency checks: "
        f"{len(report.checks) - len(failed)}/{len(report.checks)} pass {failed or ''}"
    )


if __name__ == "__main__":
    main()
