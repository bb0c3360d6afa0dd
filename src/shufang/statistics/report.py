"""The annual report as data: every metric with last year's value, the breakdowns the
charts and tables need, the consistency checks, the evaluation indicators, the service
periods of the epidemic (closures and service modes), the borrowing ranking and the staff's
text blocks. The renderers (render.py) turn this into JSON, HTML, DOCX and XLSX."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.circulation.models import Closure, Loan, ServiceModePeriod
from shufang.readers.identity import mask_name
from shufang.readers.models import CategoryKind, Consent, ConsentKind, Reader
from shufang.statistics import metrics as m
from shufang.statistics.services import report_texts

# --------------------------------------------------------------------------- consistency


@dataclass(frozen=True)
class Check:
    name: str
    description: Any
    left: Any
    right: Any
    passed: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": str(self.description),
            "left": self.left,
            "right": self.right,
            "passed": self.passed,
        }


def consistency_checks(
    period: m.Period, scope: m.Scope, figures: dict[str, Any] | None = None
) -> list[Check]:
    """Figures that must agree, checked against each other from independent queries:
    loans = sum by month = sum by service point = sum by channel; juvenile loans <= loans;
    additions = sum by source; purchased <= additions; events total = exhibitions + films +
    online and offline activities (so an exhibition is counted once in every section);
    activities = sum by kind; visits = sum by month; cardholders valid >= 0 ... `figures`
    (from `m.compute_all`) saves recomputing the metrics."""
    f = figures if figures is not None else m.compute_all(period, scope)
    loans = f["circulation.loans"]
    by_month = sum(m.loans_by(period, scope, "month").values())
    by_point = sum(m.loans_by(period, scope, "service_point").values())
    by_channel = sum(m.loans_by(period, scope, "channel").values())
    additions = f["collection.additions"]
    exhibitions = f["events.exhibitions"]
    online = f["events.online_activities"]
    offline = f["events.offline"]
    by_kind = m.events_by_kind(period, scope)
    sections = exhibitions["total"] + f["events.films"] + online["total"] + offline["total"]
    visits_months = sum(m.visits_by(period, scope, "month").values())
    return [
        Check(
            "loans_by_month", _("Loans = sum of loans by month"), loans, by_month, loans == by_month
        ),
        Check(
            "loans_by_service_point",
            _("Loans = sum of loans by service point"),
            loans,
            by_point,
            loans == by_point,
        ),
        Check(
            "loans_by_channel",
            _("Loans = sum of loans by channel"),
            loans,
            by_channel,
            loans == by_channel,
        ),
        Check(
            "juvenile_within_loans",
            _("Juvenile loans ≤ loans"),
            f["circulation.loans_juvenile"],
            loans,
            f["circulation.loans_juvenile"] <= loans,
        ),
        Check(
            "deposit_within_loans",
            _("Deposit loans ≤ loans"),
            f["outreach.deposit_loans"],
            loans,
            f["outreach.deposit_loans"] <= loans,
        ),
        Check(
            "additions_by_source",
            _("Additions = sum of additions by source"),
            additions["total"],
            sum(additions["by_source"].values()),
            additions["total"] == sum(additions["by_source"].values()),
        ),
        Check(
            "purchased_within_additions",
            _("Purchased additions ≤ additions"),
            f["collection.additions_purchased"],
            additions["total"],
            f["collection.additions_purchased"] <= additions["total"],
        ),
        Check(
            "juvenile_additions_within_additions",
            _("Juvenile additions ≤ additions"),
            f["collection.additions_juvenile"],
            additions["total"],
            f["collection.additions_juvenile"] <= additions["total"],
        ),
        Check(
            "events_by_section",
            _("Events = exhibitions + films + online activities + offline activities"),
            f["events.total"],
            sections,
            f["events.total"] == sections,
        ),
        Check(
            "events_by_kind",
            _("Events = sum of events by kind"),
            f["events.total"],
            sum(by_kind.values()),
            f["events.total"] == sum(by_kind.values()),
        ),
        Check(
            "exhibitions_once",
            _("Exhibitions in the events table = exhibitions in the exhibitions section"),
            by_kind.get("exhibition", 0),
            exhibitions["total"],
            by_kind.get("exhibition", 0) == exhibitions["total"],
        ),
        Check(
            "visits_by_month",
            _("Visits = sum of visits by month"),
            f["visits.total"],
            visits_months,
            f["visits.total"] == visits_months,
        ),
        Check(
            "media_by_level",
            _("Media reports = city + province + national"),
            f["media.reports"]["total"],
            sum(v for k, v in f["media.reports"].items() if k != "total"),
            f["media.reports"]["total"]
            == sum(v for k, v in f["media.reports"].items() if k != "total"),
        ),
        Check(
            "attendance_by_kind",
            _("Event attendance = sum of attendance by kind"),
            f["events.attendance"],
            sum(f["events.attendance_by_kind"].values()),
            f["events.attendance"] == sum(f["events.attendance_by_kind"].values()),
        ),
        Check(
            "awards_by_kind",
            _("Awards to readers = sum of awards by kind"),
            f["awards.readers"].get("total", 0),
            sum(v for k, v in f["awards.readers"].items() if k != "total"),
            f["awards.readers"].get("total", 0)
            == sum(v for k, v in f["awards.readers"].items() if k != "total"),
        ),
    ]


# --------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class RankingRow:
    rank: int
    name: str  # masked, or "" when the reader did not consent to be named
    named: bool
    category: str  # the reader category's code
    loans: int
    category_name: str = ""


def borrowing_ranking(
    *, year: int, category: str | None = None, library: Any = None, limit: int = 20
) -> list[RankingRow]:
    """Readers ranked by loans made in `year` (ties share a rank), optionally of one reader
    category (code) and one library (the reader's home). Only people rank: group cards (a
    school, the training camp borrowing a deposit collection) are left out. Only readers whose latest
    NAMED_IN_RANKINGS consent is granted are named, masked (张*涵); others appear unnamed.

    This needs reader identity, so it is computed from Loans: loans already anonymised (reader
    removed) are not in it. Run it (and the 借阅之星 selection) before the year's loans are
    anonymised; every other figure comes from the anonymous circulation events."""
    zone = timezone.get_default_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=zone)
    end = dt.datetime(year + 1, 1, 1, tzinfo=zone)
    rows = Loan.objects.filter(
        checked_out_at__gte=start, checked_out_at__lt=end, reader__isnull=False
    ).exclude(reader__category__kind=CategoryKind.GROUP)
    if category:
        rows = rows.filter(reader__category__code=category)
    if library is not None:
        rows = rows.filter(reader__home_service_point__library_id=getattr(library, "pk", library))
    counts = list(
        rows.values("reader_id").annotate(n=Count("id")).order_by("-n", "reader_id")[:limit]
    )
    ids = [row["reader_id"] for row in counts]
    readers = {r.pk: r for r in Reader.objects.filter(pk__in=ids).select_related("category")}
    consent: dict[int, bool] = {}
    for reader_id, granted in (
        Consent.objects.filter(reader_id__in=ids, kind=ConsentKind.NAMED_IN_RANKINGS)
        .order_by("-at", "-id")
        .values_list("reader_id", "granted")
    ):
        consent.setdefault(reader_id, granted)
    out: list[RankingRow] = []
    rank, previous = 0, None
    for position, row in enumerate(counts, start=1):
        if row["n"] != previous:
            rank, previous = position, row["n"]
        reader = readers[row["reader_id"]]
        named = consent.get(reader.pk, False)
        out.append(
            RankingRow(
                rank=rank,
                name=mask_name(reader.name) if named else "",
                named=named,
                category=reader.category.code,
                loans=row["n"],
                category_name=str(reader.category),
            )
        )
    return out


def borrowing_stars(
    *, year: int, category: str | None = None, library: Any = None, count: int = 10
) -> list[RankingRow]:
    """借阅之星: the top `count` readers of the ranking who consented to be named (readers
    who did not consent are passed over, never named)."""
    ranking = borrowing_ranking(year=year, category=category, library=library, limit=count * 20)
    return [row for row in ranking if row.named][:count]


# --------------------------------------------------------------------------- service periods


def _grouped(rows: Iterable[tuple[tuple[str, ...], dict[str, Any], str]]) -> list[dict[str, Any]]:
    """One row per span (start, end[, mode]), in first-seen order, with the places it covers
    joined in `where` (one closure per library shows once)."""
    out: dict[tuple[str, ...], dict[str, Any]] = {}
    for span, fields, place in rows:
        row = out.setdefault(span, {"start": span[0], "end": span[1], **fields, "where": ""})
        places = row["where"].split("、") if row["where"] else []
        if place and place not in places:
            row["where"] = "、".join([*places, place])
    return list(out.values())


def service_periods(period: m.Period, scope: m.Scope) -> dict[str, list[dict[str, Any]]]:
    """Closures and special service modes overlapping the period (for shading the charts
    and the epidemic section)."""
    closures = Closure.objects.filter(start_date__lte=period.end, end_date__gte=period.start)
    modes = (
        ServiceModePeriod.objects.filter(start_date__lte=period.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
        .exclude(mode="normal")
    )
    if scope.service_point_id is not None:
        closures = closures.filter(
            Q(service_point_id=scope.service_point_id)
            | Q(service_point__isnull=True, library_id=scope.library_id)
            | Q(service_point__isnull=True, library__isnull=True)
        )
        modes = modes.filter(service_point_id=scope.service_point_id)
    elif scope.library_id is not None:
        closures = closures.filter(
            Q(library_id=scope.library_id)
            | Q(service_point__library_id=scope.library_id)
            | Q(service_point__isnull=True, library__isnull=True)
        )
        modes = modes.filter(service_point__library_id=scope.library_id)

    def clip(start: dt.date, end: dt.date | None) -> tuple[str, str]:
        return max(start, period.start).isoformat(), min(end or period.end, period.end).isoformat()

    closed = _grouped(
        (
            clip(c.start_date, c.end_date),
            {"reason": c.reason},
            # the library or service point closed ("" for the whole network)
            str(c.service_point or c.library or ""),
        )
        for c in closures.select_related("library", "service_point").order_by("start_date")
    )
    mode_rows = _grouped(
        (
            (*clip(p.start_date, p.end_date), p.mode),
            {"mode": p.mode, "reason": p.reason},
            str(p.service_point.library),
        )
        for p in modes.select_related("service_point__library").order_by("start_date")
    )
    return {"closures": closed, "modes": mode_rows}


# --------------------------------------------------------------------------- the report


@dataclass
class AnnualReport:
    year: int
    scope: m.Scope
    scope_label: str
    figures: dict[str, Any]
    previous: dict[str, Any]
    breakdowns: dict[str, Any]
    checks: list[Check]
    periods: dict[str, list[dict[str, Any]]]
    ranking: list[RankingRow]
    texts: dict[str, str]
    warnings: list[str] = field(default_factory=list)

    @property
    def checks_passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def headline_rows(self) -> list[tuple[str, Any, Any, Any, Any]]:
        """(key, label, this year, last year, change in percent or None) per headline metric."""
        rows = []
        for key, metric in m.REGISTRY.items():
            if not metric.headline:
                continue
            now = m.headline_value(self.figures[key])
            before = m.headline_value(self.previous[key])
            change = None
            try:
                if before not in (None, 0, "0", "0.00"):
                    change = round((float(now) - float(before)) / float(before) * 100, 1)
            except (TypeError, ValueError):
                change = None
            rows.append((key, metric.label, now, before, change))
        return rows

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "scope": self.scope_label,
            "metrics": self.figures,
            "previous_year": self.previous,
            "breakdowns": self.breakdowns,
            "consistency": {
                "passed": self.checks_passed,
                "checks": [c.as_dict() for c in self.checks],
            },
            "service_periods": self.periods,
            "ranking": [row.__dict__ for row in self.ranking],
            "warnings": self.warnings,
        }


def annual_report(
    *, year: int, scope: m.Scope = m.NETWORK, ranking_size: int = 20, period: m.Period | None = None
) -> AnnualReport:
    """Builds the report of `year` (or of any `period`) for a scope."""
    period = period or m.Period.year(year)
    with m.cached():
        return _annual_report(year, scope, ranking_size, period)


def _annual_report(year: int, scope: m.Scope, ranking_size: int, period: m.Period) -> AnnualReport:
    figures = m.compute_all(period, scope)
    previous = m.compute_all(period.previous_year(), scope)
    breakdowns = {
        "loans_by_month": m.loans_by(period, scope, "month"),
        "loans_by_service_point": m.loans_by(period, scope, "service_point"),
        "loans_by_channel": m.loans_by(period, scope, "channel"),
        "loans_by_reader_category": m.loans_by(period, scope, "reader_category"),
        "loans_by_age_band": m.loans_by(period, scope, "age_band"),
        "loans_by_collection": m.loans_by(period, scope, "collection"),
        "visits_by_month": m.visits_by(period, scope, "month"),
        "visits_by_service_point": m.visits_by(period, scope, "service_point"),
        "events_by_kind": m.events_by_kind(period, scope),
        "additions_by_source": figures["collection.additions"]["by_source"],
    }
    return AnnualReport(
        year=year,
        scope=scope,
        scope_label=scope.label(),
        figures=figures,
        previous=previous,
        breakdowns=breakdowns,
        checks=consistency_checks(period, scope, figures),
        periods=service_periods(period, scope),
        ranking=borrowing_ranking(year=year, library=scope.library, limit=ranking_size),
        texts=report_texts(year=year, library=scope.library),
    )
