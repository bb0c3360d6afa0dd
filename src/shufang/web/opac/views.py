"""The public catalogue (OPAC): search with facets, record pages with holdings and holds,
browsing by CLC class and new arrivals. Views translate the request into a `SearchQuery`
(or a selector call), call one service, and render; nothing here writes except through
`hold_place`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pymarc
from django.contrib import messages
from django.db.models import Count, Max, QuerySet
from django.db.models.functions import Substr, Upper
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shufang.catalogue.models import Item, ItemStatus, Record
from shufang.circulation.models import OPEN_LOAN_STATUSES, CirculationChannel, Loan
from shufang.core.exceptions import ShufangError
from shufang.network.models import Library, ServicePoint, ServicePointKind
from shufang.web.account.views import reader_actor, session_reader
from shufang.web.opac.clc import CLC_MAIN_CLASSES, clc_name

PAGE_SIZE = 20
MAX_PAGE = 50  # deeper than 1,000 results nobody reads; refine the search instead
NEW_ARRIVAL_DAYS = 90
FILTER_PARAMS = (
    "available",
    "service_point",
    "library",
    "collection",
    "material_type",
    "language",
    "year_from",
    "year_to",
    "clc_class",
    "audience",
)
ADVANCED_FIELDS = (
    ("title", _("Title")),
    ("author", _("Author")),
    ("subject", _("Subject")),
    ("series", _("Series")),
    ("publisher", _("Publisher")),
    ("isbn", _("ISBN / ISSN")),
    ("clc", _("CLC class")),
    ("call_number", _("Call number")),
)
SORTS = (
    ("relevance", _("Relevance")),
    ("-year", _("Newest first")),
    ("year", _("Oldest first")),
    ("title", _("Title")),
    ("call_number", _("Call number")),
)
FACET_LABELS = {
    "available": _("Availability"),
    "service_point": _("Service point"),
    "library": _("Library"),
    "collection": _("Collection"),
    "material_type": _("Material type"),
    "language": _("Language"),
    "year": _("Year"),
    "clc_class": _("CLC class"),
    "audience": _("Audience"),
}
# Pickup is at a staffed desk: not at a kiosk, an e-book machine, a 24-hour room or a deposit.
NO_PICKUP_KINDS = (
    ServicePointKind.KIOSK,
    ServicePointKind.EBOOK_MACHINE,
    ServicePointKind.STUDY_ROOM,
    ServicePointKind.DEPOSIT_SITE,
)


def pickup_points() -> QuerySet[ServicePoint]:
    return (
        ServicePoint.objects.filter(closed_on__isnull=True)
        .exclude(kind__in=NO_PICKUP_KINDS)
        .select_related("library")
        .order_by("library__code", "code")
    )


def _short(value: str, limit: int = 200) -> str:
    return value.strip()[:limit]


def _int_or_none(value: str | None, low: int = 0, high: int = 9999) -> int | None:
    if value is None or not value.strip().isdecimal() or len(value.strip()) > 6:
        return None
    number = int(value.strip())
    return number if low <= number <= high else None


def _filters(params: QueryDict) -> Any:
    from shufang.catalogue.search.query import Filters

    available = params.get("available")
    return Filters(
        available=True if available in ("1", "true", "on") else None,
        service_point=_short(params.get("service_point", ""), 40) or None,
        library=_short(params.get("library", ""), 32) or None,
        collection=_short(params.get("collection", ""), 32) or None,
        material_type=_short(params.get("material_type", ""), 16) or None,
        language=_short(params.get("language", ""), 3) or None,
        year_from=_int_or_none(params.get("year_from")),
        year_to=_int_or_none(params.get("year_to")),
        clc_class=_short(params.get("clc_class", ""), 1).upper() or None,
        audience=_short(params.get("audience", ""), 16) or None,
    )


def _expression(params: QueryDict) -> Any:
    """The reader's words (`q`) and the advanced form's fields, all required together."""
    from shufang.catalogue.search.query import DEFAULT_MODE, And, Term, parse_user_query

    parts: list[Any] = []
    main = parse_user_query(params.get("q", ""))
    if main is not None:
        parts.append(main)
    for name, _label in ADVANCED_FIELDS:
        text = params.get(name, "").strip()[:200]
        if text:
            parts.append(Term(field=name, text=text, mode=DEFAULT_MODE.get(name, "all")))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _url(params: QueryDict, **changes: str | None) -> str:
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    if "page" not in changes:
        query.pop("page", None)  # a new filter or sort starts again at page 1
    return "?" + query.urlencode()


@dataclass
class FacetLink:
    label: str
    count: int
    url: str
    active: bool


def _facet_links(params: QueryDict, facets: dict[str, Any]) -> list[tuple[str, list[FacetLink]]]:
    """Each facet value as a link that toggles its filter, keeping the query and the rest."""
    groups = []
    for name, values in facets.items():
        if not values:
            continue
        links = []
        for value in values:
            if name == "year":
                # a year facet value is a year or a "from-to" range
                low, _sep, high = str(value.value).partition("-")
                active = params.get("year_from") == low and params.get("year_to") == (high or low)
                url = (
                    _url(params, year_from=None, year_to=None)
                    if active
                    else _url(params, year_from=low, year_to=high or low)
                )
            else:
                param = name if name in FILTER_PARAMS else None
                if param is None:
                    continue
                raw = "1" if name == "available" else str(value.value)
                active = params.get(param) == raw
                url = _url(params, **{param: None if active else raw})
            links.append(FacetLink(str(value.label), int(value.count), url, active))
        if links:
            groups.append((str(FACET_LABELS.get(name, name)), links))
    return groups


def _availability(records: list[Record]) -> dict[int, Any]:
    if not records:
        return {}
    from shufang.catalogue.search.engine import availability_for

    return availability_for(records=records)


def home(request: HttpRequest) -> HttpResponse:
    """The search home: the search box, the classes to browse and the latest arrivals."""
    if request.GET.get("q") or any(request.GET.get(f) for f, _l in ADVANCED_FIELDS):
        return search(request)
    library = Library.objects.order_by("code").first()
    return render(
        request,
        "web/opac/home.html",
        {
            "library": library,
            "classes": _classes(),
            "advanced_fields": [(n, label, "") for n, label in ADVANCED_FIELDS],
            "new_arrivals": _new_arrivals(offset=0, limit=6)[0],
        },
    )


def search(request: HttpRequest) -> HttpResponse:
    from shufang.catalogue.search.engine import search_records
    from shufang.catalogue.search.query import SearchQuery

    params = request.GET
    expression = _expression(params)
    page = _int_or_none(params.get("page"), 1, MAX_PAGE) or 1
    sort = params.get("sort", "relevance")
    if sort not in dict(SORTS):
        sort = "relevance"
    context: dict[str, Any] = {
        "q": params.get("q", "")[:1000],
        "advanced_fields": [(n, label, params.get(n, "")[:200]) for n, label in ADVANCED_FIELDS],
        "advanced_open": any(params.get(n) for n, _l in ADVANCED_FIELDS),
        "sorts": [(key, label, _url(params, sort=key), key == sort) for key, label in SORTS],
        "sort": sort,
    }
    if expression is None:
        context.update(total=0, rows=[], facets=[], empty_query=True)
        return render(request, "web/opac/results.html", context)
    result = search_records(
        SearchQuery(
            expr=expression,
            filters=_filters(params),
            sort=sort,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
            facets=True,
        )
    )
    records = [hit.record for hit in result.hits]
    availability = _availability(records)
    pages = min(MAX_PAGE, (result.total + PAGE_SIZE - 1) // PAGE_SIZE)
    active_filters = [
        (name, params.get(name), _url(params, **{name: None}))
        for name in FILTER_PARAMS
        if params.get(name)
    ]
    context.update(
        total=result.total,
        total_approximate=result.total_approximate,
        rows=[(r, availability.get(r.pk)) for r in records],
        facets=_facet_links(params, result.facets or {}),
        # Counted on a sample of a large result set and scaled: shown as "about n".
        facets_approximate=bool(result.facets_sample),
        active_filters=active_filters,
        page=page,
        pages=pages,
        first_position=(page - 1) * PAGE_SIZE + 1,
        previous_url=_url(params, page=str(page - 1)) if page > 1 else None,
        next_url=_url(params, page=str(page + 1)) if page < pages else None,
    )
    return render(request, "web/opac/results.html", context)


def _marc_fields(record: Record) -> list[dict[str, Any]]:
    if not record.marc:
        return []
    try:
        marc = pymarc.Record(data=bytes(record.marc), to_unicode=True, force_utf8=True)
    except Exception:  # a damaged stored record: show the page without the MARC view
        return []
    rows: list[dict[str, Any]] = [{"tag": "LDR", "data": str(marc.leader)}]
    for field in marc.fields:
        if field.is_control_field():
            rows.append({"tag": field.tag, "data": field.data})
        else:
            indicators = field.indicators or pymarc.Indicators(" ", " ")
            rows.append(
                {
                    "tag": field.tag,
                    "ind1": (indicators[0] or " ").replace(" ", "#"),
                    "ind2": (indicators[1] or " ").replace(" ", "#"),
                    "subfields": [(s.code, s.value) for s in field.subfields],
                }
            )
    return rows


def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(Record, pk=pk, deleted_at__isnull=True)
    items = list(
        Item.objects.filter(record=record)
        .exclude(status=ItemStatus.WITHDRAWN)
        .select_related(
            "owning_library", "current_service_point", "home_service_point", "collection"
        )
        .order_by("owning_library__code", "home_service_point__code", "call_number_sort", "barcode")
    )
    due = dict(
        Loan.objects.filter(item__in=items, status__in=OPEN_LOAN_STATUSES).values_list(
            "item_id", "due_at"
        )
    )
    reader = session_reader(request)
    return render(
        request,
        "web/opac/record.html",
        {
            "record": record,
            "items": [(item, due.get(item.pk)) for item in items],
            "availability": _availability([record]).get(record.pk),
            "marc_fields": _marc_fields(record),
            "reader": reader,
            "pickup_points": pickup_points() if reader is not None else [],
            "default_pickup": reader.home_service_point_id if reader is not None else None,
            "clc_name": clc_name(record.clc, get_language() or "") if record.clc else "",
        },
    )


@require_POST
def record_hold(request: HttpRequest, pk: int) -> HttpResponse:
    from shufang.circulation.services.holds import hold_place

    record = get_object_or_404(Record, pk=pk, deleted_at__isnull=True)
    reader = session_reader(request)
    if reader is None:
        return redirect(f"/account/login/?{urlencode({'next': f'/record/{record.pk}/'})}")
    raw_point = request.POST.get("pickup", "")
    point = pickup_points().filter(pk=int(raw_point) if raw_point.isdecimal() else 0).first()
    if point is None:
        messages.error(request, _t("Please choose a pickup point."))
        return redirect("web:opac-record", pk=record.pk)
    try:
        hold_place(
            reader=reader,
            record=record,
            pickup_service_point=point,
            actor=reader_actor(reader),
            channel=CirculationChannel.OPAC,
        )
    except ShufangError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _t("Hold placed: %(title)s, to collect at %(point)s.")
            % {"title": record.title, "point": point.name},
        )
    return redirect("web:opac-record", pk=record.pk)


def _classes() -> list[tuple[str, str, int]]:
    counts = dict(
        Record.objects.filter(deleted_at__isnull=True)
        .exclude(clc="")
        .annotate(main=Upper(Substr("clc", 1, 1)))
        .values_list("main")
        .annotate(n=Count("pk"))
        .values_list("main", "n")
    )
    language = get_language() or ""
    return [
        (code, clc_name(code, language), counts.get(code, 0)) for code, _zh, _en in CLC_MAIN_CLASSES
    ]


def browse_clc(request: HttpRequest) -> HttpResponse:
    """The 22 main classes; with `p` (a class prefix), the subdivisions present under it."""
    prefix = "".join(c for c in request.GET.get("p", "").upper()[:20] if c.isalnum() or c in ".-")
    if not prefix:
        return render(request, "web/opac/browse.html", {"classes": _classes(), "prefix": ""})
    length = len(prefix) + 1
    rows = (
        Record.objects.filter(deleted_at__isnull=True, clc__istartswith=prefix)
        .annotate(sub=Upper(Substr("clc", 1, length)))
        .values_list("sub")
        .annotate(n=Count("pk"))
        .values_list("sub", "n")
        .order_by("sub")
    )
    subdivisions = []
    for sub, count in rows:
        # "I24." is not a class of its own: go one character further
        if sub.endswith((".", "-")) or len(sub) < length:
            subdivisions.append((sub.rstrip(".-"), count, sub.rstrip(".-") == prefix))
        else:
            subdivisions.append((sub, count, False))
    merged: dict[str, int] = {}
    exact = 0
    for sub, count, is_exact in subdivisions:
        if is_exact:
            exact += count
        else:
            merged[sub] = merged.get(sub, 0) + count
    return render(
        request,
        "web/opac/browse.html",
        {
            "prefix": prefix,
            "parent": prefix[:-1],
            "prefix_name": clc_name(prefix, get_language() or ""),
            "subdivisions": sorted(merged.items()),
            "exact": exact,
            "search_url": "/?" + urlencode({"q": f"clc:{prefix}"}),
        },
    )


def _new_arrivals(
    *, offset: int, limit: int, days: int = NEW_ARRIVAL_DAYS
) -> tuple[list[Record], bool]:
    since = timezone.localdate() - dt.timedelta(days=days)
    rows: list[Record] = list(
        Record.objects.filter(deleted_at__isnull=True, items__acquired_on__gte=since)
        .annotate(latest=Max("items__acquired_on"))
        .order_by("-latest", "-pk")[offset : offset + limit + 1]
    )
    return rows[:limit], len(rows) > limit


def new_arrivals(request: HttpRequest) -> HttpResponse:
    page = _int_or_none(request.GET.get("page"), 1, MAX_PAGE) or 1
    records, more = _new_arrivals(offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    availability = _availability(records)
    return render(
        request,
        "web/opac/new.html",
        {
            "rows": [(r, availability.get(r.pk)) for r in records],
            "days": NEW_ARRIVAL_DAYS,
            "page": page,
            "previous_url": f"?page={page - 1}" if page > 1 else None,
            "next_url": f"?page={page + 1}" if more else None,
        },
    )
