"""Search queries as plain values (pure: no ORM), and the reader's query syntax.

The OPAC, SRU (CQL) and OAI layers build a `SearchQuery` and call
`catalogue.search.engine.search_records`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FIELDS = frozenset(
    {
        "any",
        "title",
        "author",
        "subject",
        "series",
        "publisher",
        "isbn",
        "issn",
        "clc",
        "call_number",
    }
)
MODES = frozenset({"all", "any", "phrase", "exact", "prefix"})
SORTS = frozenset({"relevance", "year", "-year", "title", "call_number"})
MAX_QUERY = 1000
MAX_TERMS = 32


@dataclass(frozen=True)
class Term:
    """Words to find in a field. `mode`: "all" words, "any" word, "phrase" (the words
    adjacent, in order), "exact" (a whole field value), "prefix" (class and call numbers)."""

    field: str
    text: str
    mode: str = "all"


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """Records not matching `item`; meaningful inside an `And`."""

    item: Node


Node = Term | And | Or | Not


def _printable(value: str) -> str:
    return "".join(ch for ch in value if ch.isprintable())


@dataclass(frozen=True)
class Filters:
    available: bool | None = None
    service_point: str | None = None  # service point code: holds a copy there
    library: str | None = None  # library code: owns a copy
    collection: str | None = None  # collection code
    material_type: str | None = None
    language: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    clc_class: str | None = None  # CLC main class letter
    audience: str | None = None

    def __post_init__(self) -> None:
        # Codes come from URLs and SRU requests: control characters (a NUL byte, which
        # PostgreSQL refuses in text) can match no code, so they are dropped here.
        for name in (
            "service_point",
            "library",
            "collection",
            "material_type",
            "language",
            "clc_class",
            "audience",
        ):
            value = getattr(self, name)
            if isinstance(value, str) and not value.isprintable():
                object.__setattr__(self, name, _printable(value))


@dataclass(frozen=True)
class SearchQuery:
    expr: Node | None
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"  # relevance | year | -year | title | call_number
    offset: int = 0
    limit: int = 20
    facets: bool = True
    # PostgreSQL estimates `total` over COUNT_EXACT_MAX matches (`total_approximate`); this
    # asks for an exact count (one more query, visiting every match): for clients that page
    # by it (SRU's numberOfRecords). SQLite always counts exactly.
    exact_total: bool = False


# Field names readers type (English and Chinese), to the engine's field.
FIELD_ALIASES = {
    "any": "any",
    "all": "any",
    "kw": "any",
    "title": "title",
    "ti": "title",
    "t": "title",
    "题名": "title",
    "书名": "title",
    "author": "author",
    "au": "author",
    "a": "author",
    "creator": "author",
    "著者": "author",
    "作者": "author",
    "subject": "subject",
    "su": "subject",
    "主题": "subject",
    "series": "series",
    "丛书": "series",
    "publisher": "publisher",
    "pub": "publisher",
    "出版社": "publisher",
    "isbn": "isbn",
    "issn": "issn",
    "clc": "clc",
    "class": "clc",
    "分类号": "clc",
    "call_number": "call_number",
    "callno": "call_number",
    "cn": "call_number",
    "索书号": "call_number",
}
DEFAULT_MODE = {"clc": "prefix", "call_number": "prefix"}

# One piece of reader input: optional "-", optional "field:", then a "quoted phrase" or a run
# of non-space characters. Quotes may be ASCII or Chinese.
_PIECE = re.compile(
    r'(?P<neg>-)?(?:(?P<field>[^\s:："“”]{1,20})[:：])?'
    r'(?:["“”](?P<phrase>[^"“”]*)["“”]?|(?P<word>[^\s"“”]+))'
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parse_user_query(text: str) -> Node | None:
    """The reader's input as a query: words (all must match), "quoted phrases",
    `field:value` or `field:"a phrase"` (title, author, subject, series, publisher, isbn,
    issn, clc, call_number and Chinese names such as 题名), `-` before a piece to exclude it,
    `OR` between two pieces. Never raises; None when nothing is searchable."""
    if not isinstance(text, str):
        return None
    text = _CONTROL.sub(" ", text[:MAX_QUERY])
    groups: list[list[Node]] = [[]]
    pending_or = False
    for match in _PIECE.finditer(text):
        negative = bool(match["neg"])
        name = match["field"]
        phrase = match["phrase"]
        word = match["word"]
        if name is None and phrase is None and word == "OR":
            pending_or = bool(groups[-1])
            continue
        fld = FIELD_ALIASES.get(name.casefold()) if name else "any"
        if fld is None:  # "a:b" with an unknown name is just text
            fld, word = "any", f"{name}:{word or phrase or ''}"
            phrase = None
        value = (phrase if phrase is not None else word or "").strip()
        if not value.strip("-"):
            continue
        mode = "phrase" if phrase is not None else DEFAULT_MODE.get(fld, "all")
        node: Node = Term(field=fld, text=value, mode=mode)
        if negative:
            node = Not(node)
        if pending_or and groups[-1] and not negative:
            previous = groups[-1].pop()
            alternatives = previous.items if isinstance(previous, Or) else (previous,)
            node = Or((*alternatives, node))
        groups[-1].append(node)
        pending_or = False
        if sum(len(g) for g in groups) >= MAX_TERMS:
            break
    items = groups[0]
    if not any(not isinstance(n, Not) for n in items):
        return None
    if len(items) == 1:
        return items[0]
    return And(tuple(items))
