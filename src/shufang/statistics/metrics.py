"""The annual report's metrics, each a named function of a period and a scope, registered by
the keys of the metrics spec (docs: shared/spec/annual-report-metrics.md).

Every figure is computed from records (circulation events, cards, visit counts, items,
subscriptions, events, ledgers); none is stored as a typed total. Loans, renewals and their
breakdowns come from `CirculationEvent`, which holds no reader identity, so anonymising loan
history never changes them. Scope: a service point, a library or the whole network. Figures
kept only per library (ledgers, events, subscriptions, budgets, staff) are those of the
service point's library when the scope is a service point; their docstrings say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.selectors import PURCHASED_SOURCES, SERIAL_TYPES, spending_by_budget_line
from shufang.catalogue.models import AcquisitionSource, Collection, Item
from shufang.circulation.models import CirculationEvent, EventKind
from shufang.network.models import Library, ServicePoint, ServicePointKind
from shufang.operations import selectors as ops
from shufang.outreach import selectors as outreach
from shufang.programmes import selectors as prog
from shufang.readers.selectors import cards_new_between, cards_valid_at
from shufang.serials.models import SerialKind
from shufang.serials.selectors import subscriptions_count
from shufang.statistics.models import EbookHolding, VisitCount, VisitSource


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included (library time)."""

    start: dt.date
    end: dt.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    def previous_year(self) -> Period:
        return Period(_years_back(self.start), _years_back(self.end))

    @property
    def label(self) -> str:
        if (
            self.start.month == 1
            and self.start.day == 1
            and self.end == dt.date(self.start.year, 12, 31)
        ):
            return str(self.start.year)
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def _years_back(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Scope:
    """The whole network (both empty), one library, or one service point."""

    library_id: int | None = None
    service_point_id: int | None = None

    @classmethod
    def of(cls, *, library: Any = None, service_point: Any = None) -> Scope:
        if service_point is not None:
            point = (
                service_point
                if isinstance(service_point, ServicePoint)
                else ServicePoint.objects.get(pk=service_point)
            )
            return cls(library_id=point.library_id, service_point_id=point.pk)
        if library is not None:
            return cls(library_id=getattr(library, "pk", library))
        return cls()

    @property
    def library(self) -> int | None:
        """The library to pass to selectors that know only libraries."""
        return self.library_id

    def label(self) -> str:
        if self.service_point_id is not None:
            return str(ServicePoint.objects.get(pk=self.service_point_id))
        if self.library_id is not None:
            return str(Library.objects.get(pk=self.library_id))
        return str(_("Whole network"))


NETWORK = Scope()


# --------------------------------------------------------------------------- registry

MetricFunc = Callable[[Period, Scope], Any]


@dataclass(frozen=True)
class Metric:
    key: str
    label: Any
    func: MetricFunc
    headline: bool = True  # compared year on year in the report

    def __call__(self, period: Period, scope: Scope = NETWORK) -> Any:
        cache = _CACHE.get()
        if cache is None:
            return self.func(period, scope)
        key = (self.key, period, scope)
        if key not in cache:
            cache[key] = self.func(period, scope)
        return cache[key]


REGISTRY: dict[str, Metric] = {}


def metric(key: str, label: Any, *, headline: bool = True) -> Callable[[MetricFunc], MetricFunc]:
    def register(func: MetricFunc) -> MetricFunc:
        REGISTRY[key] = Metric(key=key, label=label, func=func, headline=headline)
        return func

    return register


def compute(key: str, period: Period, scope: Scope = NETWORK) -> Any:
    return REGISTRY[key](period, scope)


def compute_all(period: Period, scope: Scope = NETWORK) -> dict[str, Any]:
    with cached():
        return {key: m(period, scope) for key, m in REGISTRY.items()}


def headline_value(value: Any) -> Any:
    """The single number of a metric that is a dict (its total), for year-on-year tables."""
    if isinstance(value, dict):
        for name in ("total", "count", "followers", "authorised", "titles", "amount"):
            if name in value:
                return value[name]
        return None
    return value


# --------------------------------------------------------------------------- circulation


# One grouped scan of the circulation events per period and scope gives every loan figure
# and breakdown ("the cube"); inside `cached()` (the report uses it) the scan is shared by all
# the metrics of one report, outside it every call scans afresh.
_CACHE: ContextVar[dict[Any, Any] | None] = ContextVar("statistics_cache", default=None)


@contextmanager
def cached() -> Iterator[None]:
    """Shares the circulation scans between the metrics computed inside the block."""
    token = _CACHE.set({}) if _CACHE.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _CACHE.reset(token)


_CUBE_FIELDS = (
    "kind",
    "day",
    "service_point_id",
    "channel",
    "reader_category",
    "age_band",
    "collection_id",
    "juvenile_collection",
    "deposit",
)


@dataclass(frozen=True)
class CubeRow:
    kind: str
    day: dt.date
    service_point: str
    channel: str
    reader_category: str
    age_band: str
    collection: str
    juvenile: bool
    deposit: bool
    n: int


def _cube(period: Period, scope: Scope) -> list[CubeRow]:
    cache = _CACHE.get()
    key = ("circulation", period, scope)
    if cache is not None and key in cache:
        return cache[key]  # type: ignore[no-any-return]
    rows = CirculationEvent.objects.filter(day__gte=period.start, day__lte=period.end)
    if scope.service_point_id is not None:
        rows = rows.filter(service_point_id=scope.service_point_id)
    elif scope.library_id is not None:
        rows = rows.filter(library_id=scope.library_id)
    points = dict(ServicePoint.objects.values_list("pk", "code"))
    collections = dict(Collection.objects.values_list("pk", "code"))
    cube = [
        CubeRow(
            kind=row[0],
            day=row[1],
            service_point=points.get(row[2], ""),
            channel=row[3],
            reader_category=row[4],
            age_band=row[5],
            collection=collections.get(row[6], ""),
            juvenile=bool(row[7]),
            deposit=bool(row[8]),
            n=row[9],
        )
        for row in rows.values(*_CUBE_FIELDS)
        .annotate(n=Count("id"))
        .order_by()
        .values_list(*_CUBE_FIELDS, "n")
    ]
    if cache is not None:
        cache[key] = cube
    return cube


def _count(period: Period, scope: Scope, kind: str, **where: bool) -> int:
    return sum(
        r.n
        for r in _cube(period, scope)
        if r.kind == kind and all(getattr(r, k) == v for k, v in where.items())
    )


@metric("circulation.loans", _("Loans"))
def loans(period: Period, scope: Scope) -> int:
    """图书流通册次: checkouts in the period, whatever the channel (desk, kiosk, deposit);
    renewals are not loans. Counted where the loan was made."""
    return _count(period, scope, EventKind.CHECKOUT)


@metric("circulation.loans_juvenile", _("Juvenile loans"))
def loans_juvenile(period: Period, scope: Scope) -> int:
    """其中青少年读物及少儿类: loans of items of a juvenile collection (at loan time)."""
    return _count(period, scope, EventKind.CHECKOUT, juvenile=True)


@metric("circulation.renewals", _("Renewals"))
def renewals(period: Period, scope: Scope) -> int:
    """Renewals in the period (never counted as loans)."""
    return _count(period, scope, EventKind.RENEWAL)


BREAKDOWNS = ("service_point", "channel", "reader_category", "age_band", "collection")


def loans_by(
    period: Period, scope: Scope, by: str, *, kind: str = EventKind.CHECKOUT
) -> dict[Any, int]:
    """Loans (or another circulation event kind) broken down by month ("YYYY-MM", every
    month of the period listed), service point (code), channel, reader category, age band
    or collection (code). Every loan falls in exactly one group."""
    out: dict[Any, int] = {}
    if by == "month":
        out = {month: 0 for month in _months(period)}
    elif by not in BREAKDOWNS:
        raise ValueError(by)
    for r in _cube(period, scope):
        if r.kind != kind:
            continue
        group = f"{r.day.year:04d}-{r.day.month:02d}" if by == "month" else getattr(r, by)
        out[group] = out.get(group, 0) + r.n
    return out if by == "month" else dict(sorted(out.items()))


def _months(period: Period) -> list[str]:
    months = []
    year, month = period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# --------------------------------------------------------------------------- readers


@metric("readers.new_cards", _("New reader cards"))
def new_cards(period: Period, scope: Scope) -> int:
    """新增读者证: cards issued in the period, replacements of lost cards not counted; placed
    at the service point that issued the card."""
    rows = cards_new_between(start=period.start, end=period.end)
    if scope.service_point_id is not None:
        rows = rows.filter(issued_at_service_point_id=scope.service_point_id)
    elif scope.library_id is not None:
        rows = rows.filter(issued_at_service_point__library_id=scope.library_id)
    return rows.count()


@metric("readers.valid_cardholders", _("Valid cardholders"))
def valid_cardholders(period: Period, scope: Scope) -> int:
    """有效持证读者: distinct readers with a valid card at the end of the period (issued, not
    expired, not cancelled), placed at their home service point."""
    rows = cards_valid_at(at=period.end)
    if scope.service_point_id is not None:
        rows = rows.filter(reader__home_service_point_id=scope.service_point_id)
    elif scope.library_id is not None:
        rows = rows.filter(reader__home_service_point__library_id=scope.library_id)
    return rows.values("reader").distinct().count()


# --------------------------------------------------------------------------- visits


def _visit_rows(period: Period, scope: Scope) -> QuerySet[VisitCount]:
    rows = VisitCount.objects.filter(day__gte=period.start, day__lte=period.end)
    if scope.service_point_id is not None:
        rows = rows.filter(service_point_id=scope.service_point_id)
    elif scope.library_id is not None:
        rows = rows.filter(service_point__library_id=scope.library_id)
    # A staff head-count counts only for a service point and day without gate counts, so a
    # day counted both ways is not counted twice.
    gate_same_day = VisitCount.objects.filter(
        service_point_id=OuterRef("service_point_id"), day=OuterRef("day"), source=VisitSource.GATE
    )
    return rows.filter(Q(source=VisitSource.GATE) | ~Exists(gate_same_day))


@metric("visits.total", _("Visits"))
def visits(period: Period, scope: Scope) -> int:
    """接待读者人次: physical entries counted by gate counters (all entrances), or by a staff
    head-count on days a service point has no gate count."""
    return _visit_rows(period, scope).aggregate(n=Sum("count"))["n"] or 0


def visits_by(period: Period, scope: Scope, by: str) -> dict[str, int]:
    """Visits by month ("YYYY-MM") or by service point (code)."""
    rows = _visit_rows(period, scope)
    if by == "month":
        out = {m: 0 for m in _months(period)}
        for row in (
            rows.annotate(m=ExtractMonth("day"))
            .values("day__year", "m")
            .annotate(n=Sum("count"))
            .order_by()
        ):
            out[f"{row['day__year']:04d}-{row['m']:02d}"] = row["n"]
        return out
    return {
        row["service_point__code"]: row["n"]
        for row in rows.values("service_point__code")
        .annotate(n=Sum("count"))
        .order_by("service_point__code")
    }


# --------------------------------------------------------------------------- service


@metric("service.open_hours_per_week", _("Opening hours per week"))
def open_hours_per_week(period: Period, scope: Scope) -> float:
    """每周开馆时间: regular weekly opening hours of the scope's main building (of a service
    point: its own), exceptions not counted; for the whole network, the longest of the main
    buildings. Hours are those in force now (opening hours have no history)."""
    from shufang.network.calendar import open_hours_per_week as hours_of
    from shufang.network.selectors import calendar_for

    if scope.service_point_id is not None:
        points = list(ServicePoint.objects.filter(pk=scope.service_point_id))
    else:
        points_qs = ServicePoint.objects.filter(kind=ServicePointKind.MAIN)
        if scope.library_id is not None:
            points_qs = points_qs.filter(library_id=scope.library_id)
        points = list(points_qs)
    values = [hours_of(calendar_for(service_point=p)) for p in points]
    return round(max(values), 1) if values else 0.0


# --------------------------------------------------------------------------- outreach


@metric("outreach.reading_points", _("Public reading points"))
def reading_points(period: Period, scope: Scope) -> dict[str, int]:
    """公共阅读点: reading points open at the end of the period, and how many opened in it."""
    return {
        "total": outreach.reading_points_count(at=period.end, library=scope.library),
        "new": outreach._open_at("reading_point", period.end, scope.library)
        .filter(opened_on__gte=period.start)
        .count(),
    }


@metric("outreach.mobile_rooms", _("Mobile library rooms"))
def mobile_rooms(period: Period, scope: Scope) -> int:
    """流动图书室: mobile rooms open at the end of the period."""
    return outreach.mobile_rooms_count(at=period.end, library=scope.library)


@metric("outreach.ebook_machines", _("E-book machines"))
def ebook_machines(period: Period, scope: Scope) -> int:
    """电子书借阅机: e-book machines in place at the end of the period."""
    return outreach.ebook_machines_count(at=period.end, library=scope.library)


@metric("outreach.deposit_loans", _("Deposit loans"))
def deposit_loans(period: Period, scope: Scope) -> int:
    """Items lent as deposit collections (e.g. to the armed police training camp): loans
    made through a deposit; they are part of circulation.loans."""
    return _count(period, scope, EventKind.CHECKOUT, deposit=True)


# --------------------------------------------------------------------------- publicity, venue


@metric("publicity.wechat", _("WeChat account"))
def wechat(period: Period, scope: Scope) -> dict[str, int]:
    """公众号: followers at the end of the period's last year, the gain over the year before,
    posts, posts over 500 reads, top reads (ledger figures, per library)."""
    return ops.wechat_figures(year=period.end.year, library=scope.library)


@metric("publicity.website", _("Website"))
def website(period: Period, scope: Scope) -> dict[str, int]:
    """网站: articles, page views and visits of the months in the period (per library)."""
    return ops.website_figures(start=period.start, end=period.end, library=scope.library)


@metric("media.reports", _("Media reports"))
def media_reports(period: Period, scope: Scope) -> dict[str, int]:
    """媒体报道 by level (city, province, national) with the total (per library)."""
    return ops.media_reports_by_level(start=period.start, end=period.end, library=scope.library)


@metric("venue.group_visits", _("Group visits"))
def group_visits(period: Period, scope: Scope) -> dict[str, Any]:
    """Group visits (e.g. kindergartens) with their people."""
    return ops.group_visits(start=period.start, end=period.end, library=scope.library)


@metric("venue.hosted", _("Venue hosted"))
def venue_hosted(period: Period, scope: Scope) -> int:
    """场地服务: uses of the library's rooms by other organisations."""
    return ops.venue_hosted(start=period.start, end=period.end, library=scope.library)


# --------------------------------------------------------------------------- collection


@metric("collection.periodicals", _("Periodicals subscribed"))
def periodicals(period: Period, scope: Scope) -> int:
    """期刊: periodical titles subscribed for the period's (last) year."""
    return subscriptions_count(
        year=period.end.year, kind=SerialKind.PERIODICAL, library=scope.library
    )


@metric("collection.newspapers", _("Newspapers subscribed"))
def newspapers(period: Period, scope: Scope) -> int:
    """报纸: newspaper titles subscribed for the period's (last) year."""
    return subscriptions_count(
        year=period.end.year, kind=SerialKind.NEWSPAPER, library=scope.library
    )


def _items(scope: Scope) -> QuerySet[Item]:
    rows = Item.objects.exclude(record__material_type__in=SERIAL_TYPES)
    if scope.service_point_id is not None:
        rows = rows.filter(home_service_point_id=scope.service_point_id)
    elif scope.library_id is not None:
        rows = rows.filter(owning_library_id=scope.library_id)
    return rows


def _added(period: Period, scope: Scope) -> QuerySet[Item]:
    return _items(scope).filter(acquired_on__gte=period.start, acquired_on__lte=period.end)


@metric("collection.additions", _("Additions"))
def additions(period: Period, scope: Scope) -> dict[str, int]:
    """入藏纸质图书: items acquired in the period (serial issues excluded: they count as
    titles), with exactly one acquisition source each: {"total", "by_source": {...}}."""
    by_source = {source: 0 for source in AcquisitionSource.values}
    for row in (
        _added(period, scope).values("acquisition_source").annotate(n=Count("pk")).order_by()
    ):
        by_source[row["acquisition_source"]] = row["n"]
    return {"total": sum(by_source.values()), "by_source": by_source}  # type: ignore[dict-item]


@metric("collection.additions_purchased", _("Purchased additions"))
def additions_purchased(period: Period, scope: Scope) -> int:
    """新购图书: additions from the sources that cost money (reader suggestion, ordinary
    purchase, local documents)."""
    return _added(period, scope).filter(acquisition_source__in=PURCHASED_SOURCES).count()


@metric("collection.additions_juvenile", _("Juvenile additions"))
def additions_juvenile(period: Period, scope: Scope) -> int:
    """新增青少年及少儿读物: additions placed in a juvenile collection."""
    return _added(period, scope).filter(collection__juvenile=True).count()


@metric("collection.holdings", _("Holdings"))
def holdings(period: Period, scope: Scope) -> int:
    """馆藏图书总量: items in the collection at the end of the period: acquired by then (or
    migrated without a date) and not withdrawn by then. Serial issues excluded."""
    return (
        _items(scope)
        .filter(Q(acquired_on__isnull=True) | Q(acquired_on__lte=period.end))
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=period.end))
        .count()
    )


@metric("collection.ebooks_owned", _("E-books owned"))
def ebooks_owned(period: Period, scope: Scope) -> int:
    """自购电子书: e-book titles owned at the end of the period, from the e-book ledger
    (`EbookHolding`: each library's latest statement per platform on or before the end)."""
    rows = EbookHolding.objects.filter(as_of__lte=period.end)
    if scope.library_id is not None:
        rows = rows.filter(library_id=scope.library_id)
    latest: dict[tuple[int, str], int] = {}
    for lib, platform, titles in rows.order_by("-as_of").values_list(
        "library_id", "platform", "titles"
    ):
        latest.setdefault((lib, platform), titles)
    return sum(latest.values())


# --------------------------------------------------------------------------- events


@metric("events.exhibitions", _("Exhibitions"))
def exhibitions(period: Period, scope: Scope) -> dict[str, int]:
    """展览: exhibitions held (each once, in the period it opens), online and offline."""
    online = prog.exhibitions_count(
        start=period.start, end=period.end, online=True, library=scope.library
    )
    offline = prog.exhibitions_count(
        start=period.start, end=period.end, online=False, library=scope.library
    )
    return {"online": online, "offline": offline, "total": online + offline}


@metric("events.online_activities", _("Online activities"))
def online_activities(period: Period, scope: Scope) -> dict[str, Any]:
    """线上活动: online events held other than exhibitions and films, by kind."""
    by_kind = prog.activities_by_kind(
        start=period.start, end=period.end, online=True, library=scope.library
    )
    return {"total": sum(by_kind.values()), "by_kind": by_kind}


@metric("events.offline", _("Offline activities"))
def offline_activities(period: Period, scope: Scope) -> dict[str, Any]:
    """线下品牌活动: offline events held other than exhibitions and films, by kind."""
    by_kind = prog.activities_by_kind(
        start=period.start, end=period.end, online=False, library=scope.library
    )
    return {"total": sum(by_kind.values()), "by_kind": by_kind}


@metric("events.films", _("Film screenings"))
def films(period: Period, scope: Scope) -> int:
    """电影: screenings held."""
    return prog.films_count(start=period.start, end=period.end, library=scope.library)


@metric("events.total", _("Events"))
def events_total(period: Period, scope: Scope) -> int:
    """All events held (exhibitions once each, films, online and offline activities)."""
    return prog.events_count(start=period.start, end=period.end, library=scope.library)


def events_by_kind(period: Period, scope: Scope) -> dict[str, int]:
    """Events held by kind (online and offline together)."""
    rows = (
        prog.events_held(start=period.start, end=period.end, library=scope.library)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("kind")
    )
    return {row["kind"]: row["n"] for row in rows}


@metric("events.attendance", _("Event attendance"))
def event_attendance(period: Period, scope: Scope) -> int:
    """Attendance of offline events held (head-count, else checked-in registrations)."""
    return prog.event_attendance(
        start=period.start, end=period.end, online=False, library=scope.library
    )


@metric("events.attendance_by_kind", _("Event attendance by kind"), headline=False)
def event_attendance_by_kind(period: Period, scope: Scope) -> dict[str, int]:
    """Attendance of the offline events held, by kind (lectures, open classes, story
    sessions, ceremonies, films...): head-count, else checked-in registrations. Kinds with
    no event held are left out; the values sum to events.attendance."""
    held = (
        prog.events_held(start=period.start, end=period.end, online=False, library=scope.library)
        .values_list("kind", flat=True)
        .distinct()
        .order_by()
    )
    return {
        kind: prog.event_attendance(
            start=period.start, end=period.end, kind=kind, online=False, library=scope.library
        )
        for kind in sorted(set(held))
    }


@metric("events.series", _("Event series"), headline=False)
def event_series(period: Period, scope: Scope) -> dict[str, dict[str, Any]]:
    """The numbered series (天雨流芳文化讲坛, 丽图公开课, 故事会, 周末电影) by code: events
    held in the period with their numbers and days, how many the series has had since it
    began up to the period's end (its numbering counts the events before the system), and the
    attendance recorded for it since it began (per library)."""
    from shufang.programmes.models import Series

    rows = Series.objects.order_by("code")
    if scope.library_id is not None:
        rows = rows.filter(library_id=scope.library_id)
    out: dict[str, dict[str, Any]] = {}
    for series in rows:
        held = prog.events_held(start=period.start, end=period.end, series=series).order_by(
            "number"
        )
        numbers = [
            [number, timezone.localtime(starts).date().isoformat()]
            for number, starts in held.values_list("number", "starts_at")
        ]
        out[series.code] = {
            "name": series.name,
            "kind": series.kind,
            "held": len(numbers),
            "numbers": numbers,
            "attendance": prog.event_attendance(start=period.start, end=period.end, series=series),
            "since_start": prog.series_total(series=series, until=period.end),
            "attendance_since_start": prog.event_attendance(
                start=dt.date(1900, 1, 1), end=period.end, series=series
            ),
        }
    return out


@metric("awards.readers", _("Awards to readers"))
def awards(period: Period, scope: Scope) -> dict[str, int]:
    """读者获奖: awards to readers in the period, by kind, with the total."""
    return prog.awards_count(start=period.start, end=period.end, library=scope.library)


# --------------------------------------------------------------------------- organisation


@metric("staff", _("Staff posts"))
def staff(period: Period, scope: Scope) -> dict[str, int]:
    """编制: authorised posts at the end of the period, filled and vacant (per library)."""
    return ops.staff_posts(at=period.end, library=scope.library)


@metric("funding.projects", _("Funded projects"))
def funding(period: Period, scope: Scope) -> dict[str, Any]:
    """专项经费: projects granted in the period's (last) year and their amount (yuan)."""
    data = ops.funded_projects(year=period.end.year, library=scope.library)
    return {
        "count": data["count"],
        "amount": str(data["amount"]),
        "projects": [
            {"name": name, "amount": str(amount), "status": status}
            for name, amount, status, _done in data["projects"]
        ],
    }


@metric("budget.books", _("Book budget"))
def budget_books(period: Period, scope: Scope) -> dict[str, str]:
    """购书经费: the acquisitions budget of the period's (last) fiscal year, all lines summed,
    with what was spent (invoiced)."""
    lines = spending_by_budget_line(year=period.end.year, library=scope.library)
    amount = sum((s.amount for s in lines), Decimal("0"))
    spent = sum((s.spent for s in lines), Decimal("0"))
    return {"amount": str(amount), "spent": str(spent)}


# --------------------------------------------------------------------------- derived


def _ratio(a: float, b: float, digits: int = 2) -> float | None:
    return round(a / b, digits) if b else None


def _population(scope: Scope) -> int:
    rows = Library.objects.all()
    if scope.library_id is not None:
        rows = rows.filter(pk=scope.library_id)
    return rows.aggregate(n=Sum("service_population"))["n"] or 0


@metric("indicators", _("Evaluation indicators"), headline=False)
def indicators(period: Period, scope: Scope) -> dict[str, float | None]:
    """The national evaluation's indicators, derived from the metrics above: visits and loans
    per valid cardholder, collection turnover (loans / holdings), event attendance per 1,000
    service population (`Library.service_population`), share of juvenile loans, weekly
    opening hours. None where the divisor is zero."""
    with cached():
        n_loans = compute("circulation.loans", period, scope)
        holders = compute("readers.valid_cardholders", period, scope)
        attendance = compute("events.attendance", period, scope)
        return {
            "visits_per_cardholder": _ratio(compute("visits.total", period, scope), holders),
            "loans_per_cardholder": _ratio(n_loans, holders),
            "turnover": _ratio(n_loans, compute("collection.holdings", period, scope), 3),
            "attendance_per_1000": _ratio(attendance * 1000, _population(scope)),
            "juvenile_share": _ratio(
                compute("circulation.loans_juvenile", period, scope), n_loans, 3
            ),
            "open_hours_per_week": compute("service.open_hours_per_week", period, scope),
        }
