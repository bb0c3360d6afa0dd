"""Running searches: matching, filters, relevance, sorting, facets, and availability.

Every query is one SQL WHERE over the index table, built from the same token expressions on
both databases; only the match operator differs (FTS5 `MATCH` on SQLite, `@@` on a GIN-indexed
tsvector on PostgreSQL). Relevance is computed in SQL from boolean features (exact title,
ISBN, all words in the title), so the order is the same on both. Tokens and LIKE patterns are
always bound parameters."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
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
    # 0: facet counts are exact. Otherwise they were counted over this many matches (the
    # newest records; on PostgreSQL the first in table order) and scaled to `total`:
    # estimates, to show as "about n".
    facets_sample: int = 0
    # PostgreSQL only, over COUNT_EXACT_MAX matches: `total` is an estimate ("about n").
    total_approximate: bool = False


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


@dataclass(frozen=True)
class _Features:
    """The relevance features of a query as token expressions: `high` finds the exact title
    or ISBN matches (100 points each), `in_title` the records with every word in the title
    (10 points)."""

    title_key: str | None
    high: TokenExpr | None
    in_title: TokenExpr | None
    isbn: TokenExpr | None


def _features(expr: Node | None) -> _Features:
    terms = [t for t in _positive_terms(expr) if t.field in ("any", "title")]
    title_key = None
    in_title = None
    high: list[TokenExpr] = []
    if terms:
        title_key = " ".join(T.units(" ".join(t.text for t in terms)))
        if title_key:
            high.append(Tok(T.title_key_token(title_key)))
        in_title = t_and([e for e in (title_expr(t.text) for t in terms) if e is not None])
    isbns = [T.isbn13(t.text) for t in _positive_terms(expr) if t.field in ("any", "isbn")]
    isbn_expr = t_or([Tok(f"iw{i}") for i in isbns if i])
    if isbn_expr is not None:
        high.append(isbn_expr)
    return _Features(title_key, t_or(high), in_title, isbn_expr)


def _score(features: _Features) -> tuple[str, list[Any]]:
    """100 for the exact title, 100 for the ISBN, 10 for all words in the title."""
    parts: list[str] = []
    params: list[Any] = []
    if features.title_key is not None:
        parts.append("CASE WHEN sd.title_key = %s THEN 100 ELSE 0 END")
        params.append(features.title_key)
    if features.in_title is not None:
        sql, p = _match(features.in_title)
        parts.append(f"CASE WHEN {sql} THEN 10 ELSE 0 END")
        params.extend(p)
    if features.isbn is not None:
        sql, p = _match(features.isbn)
        parts.append(f"CASE WHEN {sql} THEN 100 ELSE 0 END")
        params.extend(p)
    if not parts:
        return "0", []
    return " + ".join(parts), params


ORDER = {
    "relevance": "score DESC, sd.year_key DESC, sd.record_id",
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


def _facets(
    ids_sql: str,
    ids_params: list[Any],
    scale: float,
    record_facets: list[tuple[Any, ...]] | None = None,
) -> dict[str, list[FacetValue]]:
    """Facet counts over the matches `ids_sql` selects (their record ids), multiplied by
    `scale`: record facets grouped in SQL over the narrow facet index (or tallied from
    `record_facets`, the matches' (material type, language, year key, class, audience) when
    the caller has read them already), holdings facets (service point, collection, available
    now) from the items of those records, read live."""
    out: dict[str, list[FacetValue]] = {}

    def scaled(n: int) -> int:
        return n if scale == 1 else max(1, round(n * scale))

    narrow = " INDEXED BY catalogue_sd_facets" if connection.vendor == "sqlite" else ""
    with connection.cursor() as cursor:
        if record_facets is None:
            cursor.execute(
                f"SELECT f.material_type, f.language, f.year_key, f.clc_class, f.audience,"
                f" COUNT(*) FROM {SD} f{narrow} WHERE f.record_id IN ({ids_sql})"
                " GROUP BY f.material_type, f.language, f.year_key, f.clc_class, f.audience",
                ids_params,
            )
            grouped_rows = cursor.fetchall()
        else:
            grouped_rows = [(*values, n) for values, n in Counter(record_facets).items()]
        tallies: list[Counter[Any]] = [Counter() for _ in range(5)]
        for *values, n in grouped_rows:
            for tally, value in zip(tallies, values, strict=True):
                tally[value] += n
        tallies = [Counter({v: scaled(n) for v, n in tally.items()}) for tally in tallies]
        if record_facets is not None and connection.vendor == "postgresql":
            # `ids_params` is the list of the ids, sent as one text (far cheaper to send than
            # an array of thousands of numbers), probed in the items' record index.
            in_ids = "i.record_id = ANY(string_to_array(%s, ',')::bigint[])"
            ids_params = [",".join(str(int(r)) for r in ids_params[0])]
        else:
            in_ids = f"i.record_id IN ({ids_sql})"
        # Holdings facets: the records holding a copy at each service point, in each
        # collection, and available now, counted in SQL (a record counts once per value).
        cursor.execute(
            "WITH h AS MATERIALIZED (SELECT i.record_id, i.home_service_point_id AS sp,"
            f" i.collection_id AS c, i.status AS st FROM {ITEM} i"
            f" WHERE {in_ids} AND i.status NOT IN (%s, %s))"
            " SELECT 's', sp, COUNT(DISTINCT record_id) FROM h GROUP BY sp"
            " UNION ALL SELECT 'c', c, COUNT(DISTINCT record_id) FROM h GROUP BY c"
            " UNION ALL SELECT 'a', 0, COUNT(DISTINCT record_id) FROM h WHERE st = %s",
            [*ids_params, *GONE, ItemStatus.AVAILABLE.value],
        )
        available = 0
        holders: dict[str, dict[Any, int]] = {"service_point": {}, "collection": {}}
        for kind, value, n in cursor.fetchall():
            if kind == "a":
                available = int(n)
            else:
                holders["service_point" if kind == "s" else "collection"][value] = int(n)
    out["available"] = (
        [FacetValue("true", str(_("Available now")), scaled(available))] if available else []
    )
    for name, model in (("service_point", ServicePoint), ("collection", Collection)):
        counts = {pk: scaled(n) for pk, n in holders[name].items() if pk is not None}
        names = {o.pk: o for o in model.objects.filter(pk__in=counts)}
        values = [
            FacetValue(names[pk].code, names[pk].name, n) for pk, n in counts.items() if pk in names
        ]
        values.sort(key=lambda v: (-v.count, v.value))
        out[name] = values[:FACET_SIZE]

    def grouped(index: int) -> list[tuple[Any, int]]:
        pairs = [(v, n) for v, n in tallies[index].items() if v not in ("", None)]
        return sorted(pairs, key=lambda p: (-p[1], str(p[0])))

    out["material_type"] = [FacetValue(v, _choice_label(MaterialType, v), n) for v, n in grouped(0)]
    out["language"] = [FacetValue(v, str(LANGUAGES.get(v, v)), n) for v, n in grouped(1)][
        :FACET_SIZE
    ]
    decades: Counter[int] = Counter()
    for year, n in tallies[2].items():
        if year:
            decades[int(year) // 10 * 10] += n
    out["year"] = [
        FacetValue(f"{d}-{d + 9}", f"{d}–{d + 9}", n) for d, n in sorted(decades.items())[::-1]
    ][:FACET_SIZE]
    out["clc_class"] = [
        FacetValue(v, f"{v} {CLC_CLASSES[v]}" if v in CLC_CLASSES else v, n) for v, n in grouped(3)
    ]
    out["audience"] = [FacetValue(v, _choice_label(Audience, v), n) for v, n in grouped(4)]
    return out


# --- the search ------------------------------------------------------------------------------

# Above this many matches (pure queries), relevance is worked out tier by tier instead of
# scoring every match on its wide row.
TIERS_MIN = 2_000
# Above this many matches, a relevance tier is read newest first along the (year_key, record)
# index, stopping at the page, instead of sorting its matches.
WALK_MIN = 10_000
# At most this many exact title / ISBN matches are ranked exactly before the other tiers.
HIGH_MAX = 1000
# Facets are counted exactly up to this many matches; over it, on the newest this many
# records and scaled (a million-record catalogue answers a common word with 100,000 matches).
FACET_EXACT_MAX = 5_000


def _pure_node(node: Node) -> TokenExpr | None:
    """The whole node as one token expression (no phrase or exact checks), or None."""
    if isinstance(node, Term):
        return _pure(node)
    if isinstance(node, Or):
        items = [_pure_node(n) for n in node.items]
        if any(i is None for i in items):
            return None
        return t_or([i for i in items if i is not None])
    if isinstance(node, And):
        positive: list[TokenExpr] = []
        negative: list[TokenExpr] = []
        for item in node.items:
            if isinstance(item, Not):
                inner = _pure_node(item.item)
                if inner is None:
                    return None
                negative.append(inner)
            else:
                inner = _pure_node(item)
                if inner is None:
                    return None
                positive.append(inner)
        pos, neg = t_and(positive), t_or(negative)
        if pos is None:
            return None
        return TAndNot(pos, neg) if neg is not None else pos
    return None


def _ids(expr: TokenExpr, newest: int = 0) -> tuple[str, list[Any]]:
    """SQL selecting the record ids matching a token expression, from the match index alone;
    only the `newest` highest ids if given."""
    tail = f" ORDER BY 1 DESC LIMIT {int(newest)}" if newest else ""
    if connection.vendor == "sqlite":
        return f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s{tail}", [_fts(expr)]
    return (
        f"SELECT record_id FROM {SD} WHERE doc_tsv @@ to_tsquery('simple', %s){tail}",
        [_tsquery(expr)],
    )


def _count(cursor: Any, sql: str, params: list[Any]) -> int:
    cursor.execute(f"SELECT COUNT(*) FROM ({sql}) m", params)
    return int(cursor.fetchone()[0])


def _tune(cursor: Any) -> None:
    if connection.vendor == "sqlite":
        # The match sets of a million-record catalogue are read from the narrow indexes:
        # keep them in memory (64 MiB page cache on this connection instead of 2 MiB).
        cursor.execute("PRAGMA cache_size = -65536")
        # Phrase candidates are checked on their wide rows, read at random: through a memory
        # map of the database file rather than a read() per page (21,000 candidates at 1M:
        # 53 ms instead of 83). SQLite caps it at its compiled maximum (2 GiB by default).
        cursor.execute("PRAGMA mmap_size = 2147418112")
    elif not connection.in_atomic_block:
        # Exact (not lossy) bitmaps for match sets of 100,000 records.
        cursor.execute("SET work_mem = '32MB'")


def _walk(
    cursor: Any, cond: tuple[str, list[Any]], count: int, offset: int, limit: int
) -> list[int]:
    """Record ids of one relevance tier (`cond` over `sd`), newest first then by id."""
    index = ""
    if connection.vendor == "sqlite":
        # Large tiers: along the year index, stopping at the page. Smaller ones: sorted, their
        # keys read from the narrow facet index rather than the wide rows.
        index = " INDEXED BY " + (
            "catalogue_sd_year_walk" if count > WALK_MIN else "catalogue_sd_facets"
        )
    cursor.execute(
        f"SELECT sd.record_id FROM {SD} sd{index} WHERE {cond[0]}"
        " ORDER BY sd.year_key DESC, sd.record_id LIMIT %s OFFSET %s",
        [*cond[1], limit, offset],
    )
    return [int(r) for (r,) in cursor.fetchall()]


def _ranked_by_tiers(
    cursor: Any,
    pure: TokenExpr,
    features: _Features,
    total: int,
    offset: int,
    limit: int,
) -> list[tuple[int, float]] | None:
    """The page of a large pure match set in relevance order without scoring every match:
    the few exact title / ISBN matches ranked in SQL, then the matches with every word in
    the title, then the rest, each tier read newest first (the same order as scoring all).
    None when the first tier is too large for this (then every match is scored)."""
    rows: list[tuple[int, float]] = []
    high = features.high
    if high is not None:
        # Few rows: their features are read separately (small match sets), scored here.
        ids_sql, ids_params = _ids(TAnd((pure, high)))
        cursor.execute(
            f"SELECT sd.record_id, sd.title_key, sd.year_key FROM {SD} sd"
            f" WHERE sd.record_id IN ({ids_sql}) LIMIT %s",
            [*ids_params, HIGH_MAX + 1],
        )
        found = cursor.fetchall()
        if len(found) > HIGH_MAX:
            return None
        in_title: set[int] = set()
        isbn: set[int] = set()
        for feature, into in ((features.in_title, in_title), (features.isbn, isbn)):
            if feature is not None and found:
                f_sql, f_params = _ids(TAnd((pure, high, feature)))
                cursor.execute(f_sql, f_params)
                into.update(int(r) for (r,) in cursor.fetchall())
        scored = []
        for record_id, title_key, year_key in found:
            score = 100 * (title_key == features.title_key) + 100 * (record_id in isbn)
            score += 10 * (record_id in in_title)
            scored.append((-score, -int(year_key), int(record_id)))
        scored.sort()
        rows = [(r, float(-sc)) for sc, _y, r in scored]
    rest = TAndNot(pure, high) if high is not None else pure
    tiers: list[tuple[TokenExpr, float, int | None]] = []
    if features.in_title is not None:
        title_tier = TAnd((rest, features.in_title))
        ids_sql, ids_params = _ids(title_tier)
        n_title = _count(cursor, ids_sql, ids_params)
        tiers.append((title_tier, 10.0, n_title))
        tiers.append((TAndNot(rest, features.in_title), 0.0, total - len(rows) - n_title))
    else:
        tiers.append((rest, 0.0, total - len(rows)))
    skip = offset
    page = rows[skip : skip + limit]
    skip = max(0, skip - len(rows))
    for expr, score, count in tiers:
        need = limit - len(page)
        if need <= 0:
            break
        n = count or 0
        if skip >= n:
            skip -= n
            continue
        ids = _walk(cursor, _match(expr), n, skip, need)
        page.extend((r, score) for r in ids)
        skip = 0
    return page


# --- PostgreSQL ------------------------------------------------------------------------------
#
# A GIN index answers which rows match without reading them, but counting them means visiting
# each match's heap page (PostgreSQL has no index-only count for GIN): a common word in a
# million records is 100,000 page visits, far over the time budget. So at most
# COUNT_EXACT_MAX + 1 matches are read, in one pass through the bitmap of the match index, in
# table order; up to COUNT_EXACT_MAX they are counted, ranked and faceted exactly from that one
# read (the same answers as SQLite); over it the total is estimated from how far into the
# table the last of them lies, facets are counted on them, and the page is read tier by tier
# (newest first along the year index when that visits fewer rows than the tier holds).

COUNT_EXACT_MAX = 5_000
# A pure query (tokens, no filters or phrases) expected to match at least this share of the
# records reads its first matches by a sequential scan instead of the match index's bitmap
# (measured at a million records: from about 14% the scan finds 5,001 matches sooner than
# the bitmap of all of them is built; tests set 0: always, or 2: never).
SEQSCAN_MIN = 0.14
# Walk a tier along the year index when the rows the walk is expected to visit, times this,
# are fewer than the tier's estimated size (tests set 0: always walk, or inf: never).
WALK_FACTOR = 1.0

_PG_KEYS = {
    # The Python equivalents of ORDER (rows: record_id, score, year_key, year, title_order,
    # call_number_order, ...); the sort keys are ASCII, so they order the same here.
    "relevance": lambda r: (-r[1], -r[2], r[0]),
    "year": lambda r: (r[3] is None, r[3] or 0, r[0]),
    "-year": lambda r: (r[3] is None, -(r[3] or 0), r[0]),
    "title": lambda r: (r[4], r[0]),
    "call_number": lambda r: (r[5] == "", r[5], r[0]),
}


def _pg_set(cursor: Any, **settings: str) -> None:
    """Settings for the rest of this (search) transaction only (SET LOCAL): one round trip."""
    names = list(settings)
    cursor.execute(
        "SELECT " + ", ".join("set_config(%s, %s, true)" for _n in names),
        [v for n in names for v in (n, settings[n])],
    )


def _pg_share(cursor: Any, expr: TokenExpr) -> float:
    """The share of records expected to match `expr`, from the most common tokens ANALYZE
    found (`pg_stats.most_common_elems` of the tsvector: sampled, refreshed by the rebuild's
    ANALYZE and by autovacuum): a token as often as ANALYZE saw it, a prefix as its most
    common token, an OR of alternatives as if they occurred independently. 0 for ANDs and
    AND NOTs (whether their tokens occur together is unknown) and for tokens ANALYZE did not
    list. It only chooses a plan: the rows found are the same either way."""
    exact: set[str] = set()
    prefixes: set[str] = set()

    def collect(e: TokenExpr) -> None:
        if isinstance(e, Tok):
            (prefixes if e.prefix else exact).add(e.token)
        elif isinstance(e, TOr):
            for item in e.items:
                collect(item)

    collect(expr)
    if not exact and not prefixes:
        return 0.0
    cursor.execute(
        "SELECT u.e, u.f FROM pg_stats s,"
        " unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS u(e, f)"
        " WHERE s.schemaname = current_schema() AND s.tablename = %s AND s.attname = 'doc_tsv'"
        " AND (u.e = ANY(%s) OR u.e LIKE ANY(%s))",
        [SD, sorted(exact), [f"{p}%" for p in sorted(prefixes)]],
    )
    common = {str(e): float(f) for e, f in cursor.fetchall()}

    def bound(e: TokenExpr) -> float:
        if isinstance(e, Tok):
            if e.prefix:
                return max((f for t, f in common.items() if t.startswith(e.token)), default=0.0)
            return common.get(e.token, 0.0)
        if isinstance(e, TOr):
            missed = 1.0
            for item in e.items:
                missed *= 1.0 - bound(item)
            return 1.0 - missed
        return 0.0

    return bound(expr)


def _pg_estimate(cursor: Any, last_block: int, seen: int) -> tuple[int, int]:
    """(estimated matches, estimated rows) when `seen` matches were found in the table's
    blocks up to `last_block`: matches are taken to be spread like the rows."""
    cursor.execute(
        "SELECT pg_relation_size(%s) / current_setting('block_size')::int,"
        " GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
        [SD, SD],
    )
    blocks, rows = cursor.fetchone()
    total = max(seen + 1, round(seen * max(int(blocks), 1) / (last_block + 1)))
    return total, max(int(rows), total)


def _pg_tiers(
    cursor: Any,
    where: str,
    params: list[Any],
    features: _Features,
    sample: list[tuple[Any, ...]],
    total: int,
    rows_in_table: int,
    offset: int,
    limit: int,
) -> list[tuple[int, float]] | None:
    """The page of a large match set in relevance order, as `_ranked_by_tiers`, for any
    condition (phrases and filters too): the exact title / ISBN matches scored, then the
    matches with every word in the title, then the rest, each newest first; a tier is walked
    along the year index, stopping at the page, or sorted, whichever should visit fewer rows
    (its size estimated from the sample). None when the first tier is too large."""
    score_sql, score_params = _score(features)
    rows: list[tuple[int, float]] = []
    not_high: tuple[str, list[Any]] | None = None
    if features.high is not None:
        high_sql, high_params = _match(features.high)
        cursor.execute(
            f"SELECT sd.record_id, {score_sql}, sd.year_key FROM {SD} sd"
            f" WHERE ({where}) AND {high_sql} LIMIT %s",
            [*score_params, *params, *high_params, HIGH_MAX + 1],
        )
        found = cursor.fetchall()
        if len(found) > HIGH_MAX:
            return None
        found.sort(key=lambda r: (-r[1], -r[2], r[0]))
        rows = [(int(r), float(sc)) for r, sc, _y in found]
        not_high = (f"NOT ({high_sql})", high_params)
    tiers: list[tuple[str, list[Any], float, float]] = []
    base_sql = f"({where})" + (f" AND {not_high[0]}" if not_high else "")
    base_params = [*params, *(not_high[1] if not_high else [])]
    share = {score: sum(1 for r in sample if r[1] == score) / len(sample) for score in (0, 10)}
    if features.in_title is not None:
        title_sql, title_params = _match(features.in_title)
        tiers.append(
            (f"{base_sql} AND {title_sql}", [*base_params, *title_params], 10.0, share[10])
        )
        tiers.append(
            (f"{base_sql} AND NOT ({title_sql})", [*base_params, *title_params], 0.0, share[0])
        )
    else:
        tiers.append((base_sql, base_params, 0.0, share[0]))
    page = rows[offset : offset + limit]
    skip = max(0, offset - len(rows))
    for cond, cond_params, score, fraction in tiers:
        need = limit - len(page)
        if need <= 0:
            break
        estimate = fraction * total
        walk = (skip + need) * rows_in_table * WALK_FACTOR < estimate * estimate
        # The planner misjudges how many rows match ANDed token sets (it takes them to be
        # independent), so the plan is chosen here: along the year index, or through the
        # match bitmap and sorted.
        flag = "off" if walk else "on"
        _pg_set(cursor, enable_bitmapscan=flag, enable_seqscan=flag, enable_sort=flag)
        cursor.execute(
            f"SELECT sd.record_id FROM {SD} sd WHERE {cond}"
            " ORDER BY sd.year_key DESC, sd.record_id LIMIT %s OFFSET %s",
            [*cond_params, need, skip],
        )
        ids = [int(r) for (r,) in cursor.fetchall()]
        page.extend((r, score) for r in ids)
        if ids:
            skip = 0
        elif skip:
            # The tier ends before the page starts: how far (deep pages only).
            cursor.execute(f"SELECT COUNT(*) FROM {SD} sd WHERE {cond}", cond_params)
            skip = max(0, skip - int(cursor.fetchone()[0]))
    return page


def _search_postgresql(
    query: SearchQuery,
    where: str,
    params: list[Any],
    sort: str,
    offset: int,
    limit: int,
    features: _Features,
    pure: TokenExpr | None,
) -> SearchResult:
    score_sql, score_params = _score(features) if sort == "relevance" else ("0", [])
    with transaction.atomic(), connection.cursor() as cursor:
        # No JIT (it costs tens of ms on these plans and saves nothing), exact bitmaps, one
        # process (table order must be the same every time), and the first matches read
        # through the match index's bitmap in table order, never a sequential scan.
        _pg_set(
            cursor,
            jit="off",
            work_mem="32MB",
            max_parallel_workers_per_gather="0",
            synchronize_seqscans="off",
            enable_seqscan="off",
            enable_bitmapscan="on",
            enable_sort="on",
        )
        seqscan = pure is not None and _pg_share(cursor, pure) >= SEQSCAN_MIN
        if seqscan:
            # At least one record in SEQSCAN_MIN matches: reading the table from its start
            # finds the first matches sooner than building the match index's bitmap of them
            # all (a word in 20% of a million records: 17 ms against 60 ms). The same rows,
            # in the same (table) order.
            _pg_set(cursor, enable_seqscan="on", enable_bitmapscan="off")
        # The sort keys only for the sort asked for (long texts, 5,000 rows).
        title = "sd.title_order" if sort == "title" else "''"
        call_number = "sd.call_number_order" if sort == "call_number" else "''"
        cursor.execute(
            f"SELECT sd.record_id, {score_sql} AS score, sd.year_key, sd.year, {title},"
            f" {call_number}, sd.material_type, sd.language, sd.year_key, sd.clc_class,"
            " sd.audience, (sd.ctid::text::point)[0]::bigint"
            f" FROM {SD} sd WHERE {where} LIMIT %s",
            [*score_params, *params, COUNT_EXACT_MAX + 1],
        )
        matches = [(int(r[0]), float(r[1]), *r[2:]) for r in cursor.fetchall()]
        if seqscan:
            _pg_set(cursor, enable_seqscan="off", enable_bitmapscan="on")
        capped = approximate = len(matches) > COUNT_EXACT_MAX
        page: list[tuple[int, float]] | None = None
        if not capped:
            total = len(matches)
            ordered = sorted(matches, key=_PG_KEYS[sort])[offset : offset + limit]
            page = [(r[0], r[1]) for r in ordered]
        else:
            matches = matches[:COUNT_EXACT_MAX]
            total, rows_in_table = _pg_estimate(cursor, int(matches[-1][11]), len(matches))
            if query.exact_total:
                # Every match's heap page is visited: only for clients that need it.
                cursor.execute(f"SELECT COUNT(*) FROM {SD} sd WHERE {where}", params)
                total = int(cursor.fetchone()[0])
                approximate = False
            if sort == "relevance" and limit:
                page = _pg_tiers(
                    cursor, where, params, features, matches, total, rows_in_table, offset, limit
                )
            if page is None:
                page = _page(cursor, where, params, features, sort, offset, limit)
    hits = _hits(page)
    facets: dict[str, list[FacetValue]] = {}
    sample = 0
    if query.facets and total:
        counted = matches
        if len(matches) > FACET_EXACT_MAX or capped:
            counted = matches[:FACET_EXACT_MAX]
            sample = len(counted)
        facets = _facets(
            "",
            [[r[0] for r in counted]],
            total / len(counted) if sample else 1.0,
            record_facets=[tuple(r[6:11]) for r in counted],
        )
    return SearchResult(
        total=total,
        hits=hits,
        facets=facets,
        facets_sample=sample,
        total_approximate=approximate,
    )


def _page(
    cursor: Any,
    where: str,
    params: list[Any],
    features: _Features,
    sort: str,
    offset: int,
    limit: int,
) -> list[tuple[int, float]]:
    """(record id, score) of the page, scoring and sorting every match in SQL (the plain
    path, for result sets the tiers do not serve)."""
    if not limit:
        return []
    score_sql, score_params = _score(features) if sort == "relevance" else ("0", [])
    cursor.execute(
        f"SELECT sd.record_id, {score_sql} AS score FROM {SD} sd WHERE {where}"
        f" ORDER BY {ORDER[sort]} LIMIT %s OFFSET %s",
        [*score_params, *params, limit, offset],
    )
    return [(int(r), float(sc)) for r, sc in cursor.fetchall()]


def _hits(page: list[tuple[int, float]]) -> list[Hit]:
    records = Record.objects.in_bulk([r for r, _s in page])
    return [Hit(records[r], sc) for r, sc in page if r in records]


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
    features = _features(query.expr)
    # A query that is one token expression without filters is answered from the match index
    # alone on SQLite (counts, tiers, facets); anything else through the index table.
    pure = _pure_node(query.expr) if query.expr is not None and not fsql else None
    if connection.vendor == "postgresql":
        return _search_postgresql(query, where, params, sort, offset, limit, features, pure)
    if pure is not None:
        ids_sql, ids_params = _ids(pure)
    else:
        ids_sql, ids_params = f"SELECT sd.record_id FROM {SD} sd WHERE {where}", params
    with connection.cursor() as cursor:
        _tune(cursor)
        found: list[int] = []
        if pure is None:
            # Phrases, exact values and filters are checked on each candidate's row: the
            # matches are found once (up to FACET_EXACT_MAX of them) and counted, ranked and
            # faceted by their ids, instead of checking the candidates again for each.
            cursor.execute(f"{ids_sql} LIMIT %s", [*ids_params, FACET_EXACT_MAX + 1])
            found = [int(r) for (r,) in cursor.fetchall()]
        if pure is None and len(found) <= FACET_EXACT_MAX:
            total = len(found)
            ids_sql, ids_params = "SELECT value FROM json_each(%s)", [json.dumps(found)]
            where, params = f"sd.record_id IN ({ids_sql})", ids_params
        else:
            total = _count(cursor, ids_sql, ids_params)
        rows: list[tuple[int, float]] | None = None
        if total and limit and sort == "relevance" and pure is not None and total > TIERS_MIN:
            rows = _ranked_by_tiers(cursor, pure, features, total, offset, limit)
        if rows is None:
            rows = _page(cursor, where, params, features, sort, offset, limit) if total else []
    hits = _hits(rows)
    facets: dict[str, list[FacetValue]] = {}
    sample = 0
    if query.facets and total:
        if total <= FACET_EXACT_MAX:
            facets = _facets(ids_sql, ids_params, 1.0)
        else:
            sample = FACET_EXACT_MAX
            if pure is not None:
                s_sql, s_params = _ids(pure, newest=sample)
            else:
                s_sql = f"{ids_sql} ORDER BY sd.record_id DESC LIMIT {sample}"
                s_params = ids_params
            facets = _facets(s_sql, s_params, total / sample)
    return SearchResult(total=total, hits=hits, facets=facets, facets_sample=sample)


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
