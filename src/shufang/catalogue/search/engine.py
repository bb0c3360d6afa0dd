"""Running searches: matching, filters, relevance, sorting, facets, and availability.

Every query is one SQL WHERE over the index table, built from the same token expressions on
both databases; only the match operator differs (FTS5 `MATCH` on SQLite, `@@` on a GIN-indexed
tsvector on PostgreSQL). Relevance is computed in SQL from boolean features (exact title,
ISBN, all words in the title), so the order is the same on both. Tokens and LIKE patterns are
always bound parameters."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from shufang.catalogue.models import Audience, Collection, Item, ItemStatus, MaterialType, Record
from shufang.catalogue.search import text as T
from shufang.catalogue.search.indexing import FTS_TABLE
from shufang.catalogue.search.matching import (
    Residual,
    TAnd,
    TAndNot,
    Tok,
    TokenExpr,
    TOr,
    t_and,
    t_or,
    term_expr,
    title_expr,
)
from shufang.catalogue.search.query import And, Filters, Node, Not, Or, SearchQuery, Term
from shufang.network.models import Library, ServicePoint

SD = "catalogue_searchdocument"
ITEM = Item._meta.db_table
MAX_LIMIT = 200
MAX_OFFSET = 100_000
FACET_SIZE = 20
# Items that are not (or no longer) part of the holdings a reader can reach.
GONE = (ItemStatus.WITHDRAWN.value, ItemStatus.LOST.value)

CLC_CLASSES = {
    "A": _("Marxism, Leninism, Mao Zedong Thought, Deng Xiaoping Theory"),
    "B": _("Philosophy and religion"),
    "C": _("Social sciences in general"),
    "D": _("Politics and law"),
    "E": _("Military science"),
    "F": _("Economics"),
    "G": _("Culture, science, education and sports"),
    "H": _("Languages and linguistics"),
    "I": _("Literature"),
    "J": _("Art"),
    "K": _("History and geography"),
    "N": _("Natural sciences in general"),
    "O": _("Mathematics, physics and chemistry"),
    "P": _("Astronomy and earth sciences"),
    "Q": _("Biology"),
    "R": _("Medicine and health"),
    "S": _("Agriculture"),
    "T": _("Industrial technology"),
    "U": _("Transport"),
    "V": _("Aviation and aerospace"),
    "X": _("Environmental science and safety"),
    "Z": _("General works"),
}
LANGUAGES = {
    "chi": _("Chinese"),
    "zho": _("Chinese"),
    "eng": _("English"),
    "jpn": _("Japanese"),
    "tib": _("Tibetan"),
    "mon": _("Mongolian"),
    "uig": _("Uyghur"),
    "fre": _("French"),
    "ger": _("German"),
    "rus": _("Russian"),
    "kor": _("Korean"),
}


@dataclass(frozen=True)
class Hit:
    record: Record
    score: float


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)


# --- SQL for token expressions ---------------------------------------------------------------


def _fts(expr: TokenExpr) -> str:
    """FTS5 query syntax; tokens are [a-z0-9]+ and quoted."""
    if isinstance(expr, Tok):
        return f'"{expr.token}"' + ("*" if expr.prefix else "")
    if isinstance(expr, TAnd):
        return "(" + " AND ".join(_fts(e) for e in expr.items) + ")"
    if isinstance(expr, TOr):
        return "(" + " OR ".join(_fts(e) for e in expr.items) + ")"
    return f"({_fts(expr.positive)} NOT {_fts(expr.negative)})"


def _tsquery(expr: TokenExpr) -> str:
    """PostgreSQL tsquery syntax; tokens are [a-z0-9]+."""
    if isinstance(expr, Tok):
        return expr.token + (":*" if expr.prefix else "")
    if isinstance(expr, TAnd):
        return "(" + " & ".join(_tsquery(e) for e in expr.items) + ")"
    if isinstance(expr, TOr):
        return "(" + " | ".join(_tsquery(e) for e in expr.items) + ")"
    return f"({_tsquery(expr.positive)} & !{_tsquery(expr.negative)})"


def _match(expr: TokenExpr) -> tuple[str, list[Any]]:
    if connection.vendor == "sqlite":
        return (
            f"sd.record_id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)",
            [_fts(expr)],
        )
    return "sd.doc_tsv @@ to_tsquery('simple', %s)", [_tsquery(expr)]


def _residual(residual: Residual) -> tuple[str, list[Any]]:
    parts = [f"sd.{column} LIKE %s" for column in residual.columns]
    return "(" + " OR ".join(parts) + ")", [residual.pattern] * len(parts)


def _pure(node: Node) -> TokenExpr | None:
    """The token expression of a node without residual checks, or None if it has some."""
    if isinstance(node, Term):
        expr, residual = term_expr(node)
        return expr if residual is None else None
    return None


def _where(node: Node) -> tuple[str, list[Any]] | None:
    """The SQL condition of a node; None means "no condition" (nothing searchable in it)."""
    if isinstance(node, Term):
        expr, residual = term_expr(node)
        if expr is None:
            return None
        sql, params = _match(expr)
        if residual is not None:
            rsql, rparams = _residual(residual)
            sql, params = f"({sql} AND {rsql})", params + rparams
        return sql, params
    if isinstance(node, Not):
        inner = _where(node.item)
        return None if inner is None else (f"NOT ({inner[0]})", inner[1])
    if isinstance(node, Or):
        alternatives = [_pure(n) for n in node.items]
        if all(p is not None for p in alternatives):
            merged = t_or([p for p in alternatives if p is not None])
            return _match(merged) if merged is not None else None
        either = [c for c in (_where(n) for n in node.items) if c is not None]
        if not either:
            return None
        return "(" + " OR ".join(c[0] for c in either) + ")", [p for c in either for p in c[1]]
    # And: the plain terms in one match expression, the rest as separate conditions.
    positive: list[TokenExpr] = []
    negative: list[TokenExpr] = []
    conds: list[tuple[str, list[Any]]] = []
    for item in node.items:
        if isinstance(item, Not) and (pure := _pure(item.item)) is not None:
            negative.append(pure)
            continue
        pure = _pure(item)
        if pure is not None:
            positive.append(pure)
            continue
        cond = _where(item)
        if cond is not None:
            conds.append(cond)
    pos = t_and(positive)
    neg = t_or(negative)
    if pos is not None:
        conds.insert(0, _match(TAndNot(pos, neg) if neg is not None else pos))
    elif neg is not None:
        sql, params = _match(neg)
        conds.append((f"NOT ({sql})", params))
    if not conds:
        return None
    return " AND ".join(f"({c[0]})" for c in conds), [p for c in conds for p in c[1]]


# --- filters ---------------------------------------------------------------------------------


def _filters(filters: Filters) -> tuple[list[str], list[Any]]:
    sql: list[str] = []
    params: list[Any] = []
    for column in ("material_type", "language", "audience", "clc_class"):
        value = getattr(filters, column)
        if value:
            sql.append(f"sd.{column} = %s")
            params.append(str(value)[:16])
    if filters.year_from is not None:
        sql.append("sd.year >= %s")
        params.append(int(filters.year_from))
    if filters.year_to is not None:
        sql.append("sd.year <= %s")
        params.append(int(filters.year_to))
    item_conditions: list[tuple[str, Any]] = []
    if filters.service_point:
        sp = ServicePoint.objects.filter(code=filters.service_point).values_list("pk", flat=True)
        item_conditions.append(("i.home_service_point_id = %s", sp.first() or 0))
    if filters.library:
        lib = Library.objects.filter(code=filters.library).values_list("pk", flat=True)
        item_conditions.append(("i.owning_library_id = %s", lib.first() or 0))
    if filters.collection:
        col = Collection.objects.filter(code=filters.collection).values_list("pk", flat=True)
        item_conditions.append(("i.collection_id = %s", col.first() or 0))
    if item_conditions:
        sql.append(
            f"EXISTS (SELECT 1 FROM {ITEM} i WHERE i.record_id = sd.record_id"
            " AND i.status NOT IN (%s, %s) AND "
            + " AND ".join(c for c, _v in item_conditions)
            + ")"
        )
        params.extend([*GONE, *(v for _c, v in item_conditions)])
    if filters.available is not None:
        exists = (
            f"EXISTS (SELECT 1 FROM {ITEM} i WHERE i.record_id = sd.record_id AND i.status = %s)"
        )
        sql.append(exists if filters.available else f"NOT {exists}")
        params.append(ItemStatus.AVAILABLE.value)
    return sql, params


# --- relevance -------------------------------------------------------------------------------


def _positive_terms(node: Node | None) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    if isinstance(node, And | Or):
        return [t for n in node.items for t in _positive_terms(n)]
    return []


def _score(expr: Node | None) -> tuple[str, list[Any]]:
    """100 for the exact title, 100 for the ISBN, 10 for all words in the title."""
    terms = [t for t in _positive_terms(expr) if t.field in ("any", "title")]
    parts: list[str] = []
    params: list[Any] = []
    if terms:
        text = " ".join(t.text for t in terms)
        parts.append("CASE WHEN sd.title_key = %s THEN 100 ELSE 0 END")
        params.append(" ".join(T.units(text)))
        in_title = t_and([e for e in (title_expr(t.text) for t in terms) if e is not None])
        if in_title is not None:
            sql, p = _match(in_title)
            parts.append(f"CASE WHEN {sql} THEN 10 ELSE 0 END")
            params.extend(p)
    isbns = [T.isbn13(t.text) for t in _positive_terms(expr) if t.field in ("any", "isbn")]
    isbn_expr = t_or([Tok(f"iw{i}") for i in isbns if i])
    if isbn_expr is not None:
        sql, p = _match(isbn_expr)
        parts.append(f"CASE WHEN {sql} THEN 100 ELSE 0 END")
        params.extend(p)
    if not parts:
        return "0", []
    return " + ".join(parts), params


ORDER = {
    "relevance": "score DESC, COALESCE(sd.year, 0) DESC, sd.record_id",
    "year": "CASE WHEN sd.year IS NULL THEN 1 ELSE 0 END, sd.year, sd.record_id",
    "-year": "CASE WHEN sd.year IS NULL THEN 1 ELSE 0 END, sd.year DESC, sd.record_id",
    "title": "sd.title_order, sd.record_id",
    "call_number": (
        "CASE WHEN sd.call_number_order = '' THEN 1 ELSE 0 END, sd.call_number_order, sd.record_id"
    ),
}


# --- facets ----------------------------------------------------------------------------------


def _choice_label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _facets(where: str, params: list[Any]) -> dict[str, list[FacetValue]]:
    base = f"FROM {SD} sd WHERE {where}"
    out: dict[str, list[FacetValue]] = {}
    with connection.cursor() as cursor:
        # One pass over the matches (driven by the match index) for the record facets;
        # grouping in SQL lets SQLite scan by the facet column's index instead.
        cursor.execute(
            f"SELECT sd.material_type, sd.language, sd.year, sd.clc_class, sd.audience,"
            f" EXISTS (SELECT 1 FROM {ITEM} i WHERE i.record_id = sd.record_id AND i.status = %s)"
            f" {base}",
            [ItemStatus.AVAILABLE.value, *params],
        )
        tallies: list[Counter[Any]] = [Counter() for _ in range(6)]
        for row in cursor.fetchall():
            for tally, value in zip(tallies, row, strict=True):
                tally[value] += 1
        available = sum(n for v, n in tallies[5].items() if v)
        out["available"] = (
            [FacetValue("true", str(_("Available now")), available)] if available else []
        )
        for name, model in (("service_point", ServicePoint), ("collection", Collection)):
            column = "home_service_point_id" if name == "service_point" else "collection_id"
            cursor.execute(
                f"SELECT i.{column}, COUNT(DISTINCT i.record_id) AS n FROM {ITEM} i"
                f" WHERE i.status NOT IN (%s, %s) AND i.record_id IN (SELECT sd.record_id {base})"
                f" GROUP BY i.{column}",
                [*GONE, *params],
            )
            counts = dict(cursor.fetchall())
            names = {o.pk: o for o in model.objects.filter(pk__in=counts)}
            values = [
                FacetValue(names[pk].code, names[pk].name, int(n))
                for pk, n in counts.items()
                if pk in names
            ]
            values.sort(key=lambda v: (-v.count, v.value))
            out[name] = values[:FACET_SIZE]

        def grouped(index: int) -> list[tuple[Any, int]]:
            pairs = [(v, n) for v, n in tallies[index].items() if v not in ("", None)]
            return sorted(pairs, key=lambda p: (-p[1], str(p[0])))

        out["material_type"] = [
            FacetValue(v, _choice_label(MaterialType, v), n) for v, n in grouped(0)
        ]
        out["language"] = [FacetValue(v, str(LANGUAGES.get(v, v)), n) for v, n in grouped(1)][
            :FACET_SIZE
        ]
        decades: Counter[int] = Counter()
        for year, n in tallies[2].items():
            if year is not None:
                decades[int(year) // 10 * 10] += n
        out["year"] = [
            FacetValue(f"{d}-{d + 9}", f"{d}–{d + 9}", n) for d, n in sorted(decades.items())[::-1]
        ][:FACET_SIZE]
        out["clc_class"] = [
            FacetValue(v, f"{v} {CLC_CLASSES[v]}" if v in CLC_CLASSES else v, n)
            for v, n in grouped(3)
        ]
        out["audience"] = [FacetValue(v, _choice_label(Audience, v), n) for v, n in grouped(4)]
    return out


# --- the search ------------------------------------------------------------------------------


def search_records(query: SearchQuery) -> SearchResult:
    """Records matching the query (deleted records never), the page asked for, and facet
    counts over all matches. Unknown sorts fall back to relevance; offset and limit are
    clamped."""
    conds: list[str] = []
    params: list[Any] = []
    if query.expr is not None:
        cond = _where(query.expr)
        if cond is None:
            return SearchResult(total=0, hits=[], facets={} if not query.facets else {})
        conds.append(cond[0])
        params.extend(cond[1])
    fsql, fparams = _filters(query.filters)
    conds.extend(fsql)
    params.extend(fparams)
    where = " AND ".join(f"({c})" for c in conds) or "1 = 1"
    sort = query.sort if query.sort in ORDER else "relevance"
    limit = max(0, min(int(query.limit), MAX_LIMIT))
    offset = max(0, min(int(query.offset), MAX_OFFSET))
    score_sql, score_params = _score(query.expr) if sort == "relevance" else ("0", [])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {SD} sd WHERE {where}", params)
        total = int(cursor.fetchone()[0])
        rows: list[tuple[int, float]] = []
        if total and limit:
            cursor.execute(
                f"SELECT sd.record_id, {score_sql} AS score FROM {SD} sd WHERE {where}"
                f" ORDER BY {ORDER[sort]} LIMIT %s OFFSET %s",
                [*score_params, *params, limit, offset],
            )
            rows = [(int(r), float(s)) for r, s in cursor.fetchall()]
    records = Record.objects.in_bulk([r for r, _s in rows])
    hits = [Hit(records[r], s) for r, s in rows if r in records]
    facets = _facets(where, params) if query.facets and total else {}
    return SearchResult(total=total, hits=hits, facets=facets)


# --- availability ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ServicePointAvailability:
    code: str
    name: str
    available: int = 0
    on_loan: int = 0
    on_hold_shelf: int = 0
    in_transit: int = 0
    other: int = 0


@dataclass(frozen=True)
class RecordAvailability:
    total: int
    available: int
    on_loan: int
    earliest_due: dt.date | None
    service_points: list[ServicePointAvailability]
    summary: str


def _summary(points: list[ServicePointAvailability], on_loan: int, due: dt.date | None) -> str:
    parts: list[str] = []
    with_copies = [p for p in points if p.available]
    for index, point in enumerate(with_copies):
        if index == 0:
            parts.append(
                ngettext(
                    "%(count)d copy available at %(place)s",
                    "%(count)d copies available at %(place)s",
                    point.available,
                )
                % {"count": point.available, "place": point.name}
            )
        else:
            parts.append(
                _g("%(count)d at %(place)s") % {"count": point.available, "place": point.name}
            )
    text = _g(", ").join(parts)
    if on_loan:
        loan = (
            _g("%(count)d on loan, due %(date)s") % {"count": on_loan, "date": due.isoformat()}
            if due
            else _g("%(count)d on loan") % {"count": on_loan}
        )
        text = f"{text}{_g('; ')}{loan}" if text else loan
    return text or _g("No copy available")


def availability_for(*, records: Iterable[Record | int]) -> dict[int, RecordAvailability]:
    """Availability of each record's copies per service point (where they are now), with the
    earliest due date of the copies on loan: read from the items, never from the index.
    Three queries whatever the number of records."""
    ids = [r if isinstance(r, int) else r.pk for r in records]
    counts: dict[int, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for record_id, sp_id, status, n in _status_counts(ids):
        counts[record_id][sp_id][status] = n
    sp_ids = {sp for per in counts.values() for sp in per}
    points = {sp.pk: sp for sp in ServicePoint.objects.filter(pk__in=sp_ids)}
    due = _earliest_due(ids)
    out: dict[int, RecordAvailability] = {}
    for record_id in ids:
        per_point: list[ServicePointAvailability] = []
        for sp_id, statuses in counts.get(record_id, {}).items():
            sp = points[sp_id]
            known = ("available", "on_loan", "on_hold_shelf", "in_transit")
            per_point.append(
                ServicePointAvailability(
                    code=sp.code,
                    name=sp.name,
                    available=statuses.get("available", 0),
                    on_loan=statuses.get("on_loan", 0),
                    on_hold_shelf=statuses.get("on_hold_shelf", 0),
                    in_transit=statuses.get("in_transit", 0),
                    other=sum(n for s, n in statuses.items() if s not in known),
                )
            )
        per_point.sort(key=lambda p: (-p.available, p.code))
        on_loan = sum(p.on_loan for p in per_point)
        total = sum(
            p.available + p.on_loan + p.on_hold_shelf + p.in_transit + p.other for p in per_point
        )
        available = sum(p.available for p in per_point)
        out[record_id] = RecordAvailability(
            total=total,
            available=available,
            on_loan=on_loan,
            earliest_due=due.get(record_id),
            service_points=per_point,
            summary=_summary(per_point, on_loan, due.get(record_id)),
        )
    return out


def _status_counts(ids: list[int]) -> list[tuple[int, int, str, int]]:
    from django.db.models import Count

    rows = (
        Item.objects.filter(record_id__in=ids)
        .exclude(status__in=GONE)
        .values("record_id", "current_service_point_id", "status")
        .order_by()
        .annotate(n=Count("pk"))
    )
    return [(r["record_id"], r["current_service_point_id"], r["status"], r["n"]) for r in rows]


def _earliest_due(ids: list[int]) -> dict[int, dt.date]:
    # Circulation owns loans; reading them here is a read-only selector.
    from django.db.models import Min

    from shufang.circulation.models import Loan

    rows = (
        Loan.objects.filter(item__record_id__in=ids, status__in=["active", "claims_returned"])
        .values("item__record_id")
        .order_by()
        .annotate(due=Min("due_at"))
    )
    return {r["item__record_id"]: timezone.localtime(r["due"]).date() for r in rows if r["due"]}
