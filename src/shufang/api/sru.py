"""SRU 1.2 and 2.0 at /sru: explain and searchRetrieve with CQL.

Three parts: a small CQL parser (pure: text in, tree out, `CQLError` with an SRU diagnostic
number on anything it cannot take), the translation of the tree into the catalogue's search
query, and the HTTP handler that renders explain records, result sets and diagnostics.

The record serialisers at the end (`record_marc21`, `record_marcxml`, `record_dc_elements`)
are shared with the OAI-PMH endpoint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pymarc
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from shufang.catalogue.models import MarcFlavour, Record

# =========================================================================== CQL (pure)

DIAG_GENERAL = 1
DIAG_UNSUPPORTED_OPERATION = 4
DIAG_UNSUPPORTED_VERSION = 5
DIAG_UNSUPPORTED_PARAMETER_VALUE = 6
DIAG_MANDATORY_PARAMETER = 7
DIAG_UNSUPPORTED_PARAMETER = 8
DIAG_QUERY_SYNTAX = 10
DIAG_UNSUPPORTED_INDEX = 16
DIAG_UNSUPPORTED_RELATION = 19
DIAG_UNSUPPORTED_RELATION_MODIFIER = 20
DIAG_EMPTY_TERM = 27
DIAG_UNSUPPORTED_BOOLEAN = 37
DIAG_UNSUPPORTED_BOOLEAN_MODIFIER = 46
DIAG_SORT_UNSUPPORTED = 80
DIAG_FIRST_RECORD_OUT_OF_RANGE = 61
DIAG_UNKNOWN_SCHEMA = 66
DIAG_UNSUPPORTED_PACKING = 71

DIAGNOSTIC_MESSAGES = {
    DIAG_GENERAL: "General system error",
    DIAG_UNSUPPORTED_OPERATION: "Unsupported operation",
    DIAG_UNSUPPORTED_VERSION: "Unsupported version",
    DIAG_UNSUPPORTED_PARAMETER_VALUE: "Unsupported parameter value",
    DIAG_MANDATORY_PARAMETER: "Mandatory parameter not supplied",
    DIAG_UNSUPPORTED_PARAMETER: "Unsupported parameter",
    DIAG_QUERY_SYNTAX: "Query syntax error",
    DIAG_UNSUPPORTED_INDEX: "Unsupported index",
    DIAG_UNSUPPORTED_RELATION: "Unsupported relation",
    DIAG_UNSUPPORTED_RELATION_MODIFIER: "Unsupported relation modifier",
    DIAG_EMPTY_TERM: "Empty term unsupported",
    DIAG_UNSUPPORTED_BOOLEAN: "Unsupported boolean operator",
    DIAG_UNSUPPORTED_BOOLEAN_MODIFIER: "Unsupported boolean modifier",
    DIAG_SORT_UNSUPPORTED: "Sort not supported",
    DIAG_FIRST_RECORD_OUT_OF_RANGE: "First record position out of range",
    DIAG_UNKNOWN_SCHEMA: "Unknown schema for retrieval",
    DIAG_UNSUPPORTED_PACKING: "Unsupported record packing",
}

# Longer queries are refused before parsing: nobody types them, and the parser stays linear.
MAX_QUERY_LENGTH = 2000
MAX_DEPTH = 32


class CQLError(Exception):
    def __init__(self, number: int, details: str = "") -> None:
        self.number = number
        self.details = details
        super().__init__(f"{number}: {details}")


@dataclass(frozen=True)
class SearchClause:
    index: str  # lower-cased, "" for a bare term
    relation: str  # lower-cased: "=", "==", "exact", "all", "any", "adj", ...
    term: str
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class BooleanNode:
    op: str  # "and" | "or" | "not" | "prox"
    left: Any
    right: Any
    modifiers: tuple[str, ...] = ()


Node = SearchClause | BooleanNode

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<quoted>"(?:[^"\\]|\\.)*"?)
      | (?P<sym><>|<=|>=|==|[()=<>/])
      | (?P<word>[^\s()=<>/"]+)
    )""",
    re.VERBOSE | re.DOTALL,
)
_BOOLEANS = {"and", "or", "not", "prox"}
_SYMBOL_RELATIONS = {"=", "==", "<>", "<", ">", "<=", ">="}


@dataclass(frozen=True)
class _Tok:
    kind: str  # "quoted" | "sym" | "word"
    text: str


def cql_tokenise(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise CQLError(DIAG_QUERY_SYNTAX, f"unexpected character at {pos}")
        pos = match.end()
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "quoted":
            if len(value) < 2 or not value.endswith('"') or _escaped_end(value):
                raise CQLError(DIAG_QUERY_SYNTAX, "unterminated quoted term")
            value = re.sub(r"\\(.)", r"\1", value[1:-1], flags=re.DOTALL)
        tokens.append(_Tok(kind, value))
    return tokens


def _escaped_end(quoted: str) -> bool:
    """True when the closing quote is itself escaped (an odd run of backslashes before it)."""
    run = len(quoted) - 1 - len(quoted[:-1].rstrip("\\"))
    return run % 2 == 1


class _Parser:
    """Recursive descent over the CQL grammar (prefix assignments and sortBy refused)."""

    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self, offset: int = 0) -> _Tok | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise CQLError(DIAG_QUERY_SYNTAX, "query ends too early")
        self.pos += 1
        return tok

    def parse(self) -> Node:
        node = self.scoped_clause()
        tok = self.peek()
        if tok is not None:
            if tok.kind == "word" and tok.text.lower() == "sortby":
                raise CQLError(DIAG_SORT_UNSUPPORTED, "sortBy")
            raise CQLError(DIAG_QUERY_SYNTAX, f"unexpected {tok.text!r}")
        return node

    def scoped_clause(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise CQLError(DIAG_QUERY_SYNTAX, "query nested too deeply")
        node = self.search_clause()
        while True:
            tok = self.peek()
            if tok is None or tok.kind != "word" or tok.text.lower() not in _BOOLEANS:
                break
            self.take()
            op = tok.text.lower()
            modifiers = self.modifiers()
            if op == "prox":
                raise CQLError(DIAG_UNSUPPORTED_BOOLEAN, "prox")
            if modifiers:
                raise CQLError(DIAG_UNSUPPORTED_BOOLEAN_MODIFIER, modifiers[0])
            node = BooleanNode(op, node, self.search_clause())
        self.depth -= 1
        return node

    def modifiers(self) -> tuple[str, ...]:
        found: list[str] = []
        while (tok := self.peek()) is not None and tok.kind == "sym" and tok.text == "/":
            self.take()
            name = self.take()
            if name.kind == "sym":
                raise CQLError(DIAG_QUERY_SYNTAX, "modifier name expected")
            text = name.text
            nxt = self.peek()
            if nxt is not None and nxt.kind == "sym" and nxt.text in _SYMBOL_RELATIONS:
                self.take()
                text += nxt.text + self.take().text
            found.append(text)
        return tuple(found)

    def search_clause(self) -> Node:
        tok = self.take()
        if tok.kind == "sym" and tok.text == "(":
            node = self.scoped_clause()
            close = self.take()
            if close.kind != "sym" or close.text != ")":
                raise CQLError(DIAG_QUERY_SYNTAX, "missing )")
            return node
        if tok.kind == "sym":
            if tok.text == ">":
                raise CQLError(DIAG_QUERY_SYNTAX, "prefix assignments are not supported")
            raise CQLError(DIAG_QUERY_SYNTAX, f"unexpected {tok.text!r}")
        nxt = self.peek()
        relation = self._relation_ahead(tok)
        if relation is None:
            return SearchClause(index="", relation="=", term=tok.text)
        # index relation [modifiers] term
        assert nxt is not None
        self.take()
        modifiers = self.modifiers()
        term = self.take()
        if term.kind == "sym":
            raise CQLError(DIAG_QUERY_SYNTAX, "search term expected")
        return SearchClause(tok.text.lower(), relation, term.text, modifiers)

    def _relation_ahead(self, first: _Tok) -> str | None:
        """The relation when `first` is an index followed by a relation, else None."""
        if first.kind != "word":
            return None
        nxt = self.peek()
        if nxt is None:
            return None
        if nxt.kind == "sym" and nxt.text in _SYMBOL_RELATIONS:
            return nxt.text
        if nxt.kind == "word" and nxt.text.lower() not in _BOOLEANS | {"sortby"}:
            # "dc.title exact x": a named relation must be followed by a term (or modifiers)
            after = self.peek(1)
            if after is not None and (after.kind != "sym" or after.text == "/"):
                return nxt.text.lower()
            raise CQLError(DIAG_QUERY_SYNTAX, f"unexpected {nxt.text!r}")
        return None


def cql_parse(text: str) -> Node:
    """Parses a CQL query; raises CQLError carrying the SRU diagnostic number."""
    if len(text) > MAX_QUERY_LENGTH:
        raise CQLError(DIAG_QUERY_SYNTAX, "query too long")
    tokens = cql_tokenise(text)
    if not tokens:
        raise CQLError(DIAG_QUERY_SYNTAX, "empty query")
    return _Parser(tokens).parse()


# =========================================================================== CQL -> search

INDEXES = {
    "cql.anywhere": "any",
    "cql.serverchoice": "any",
    "cql.keywords": "any",
    "dc.anywhere": "any",
    "dc.title": "title",
    "dc.creator": "author",
    "dc.author": "author",
    "dc.subject": "subject",
    "dc.publisher": "publisher",
    "bath.isbn": "isbn",
    "dc.identifier": "isbn",
    "bath.issn": "issn",
}
# CQL relation -> search term mode.
RELATIONS = {
    "=": "all",
    "all": "all",
    "any": "any",
    "==": "phrase",
    "adj": "phrase",
    "exact": "exact",
}


def _index_name(index: str) -> str:
    if index == "":
        return "cql.serverchoice"
    if "." not in index:
        return f"cql.{index}" if f"cql.{index}" in INDEXES else f"dc.{index}"
    return index


def cql_to_expression(node: Node) -> Any:
    """The search expression (`catalogue.search.query`) for a parsed CQL tree."""
    from shufang.catalogue.search.query import And, Not, Or, Term

    if isinstance(node, BooleanNode):
        left = cql_to_expression(node.left)
        right = cql_to_expression(node.right)
        if node.op == "and":
            return And((left, right))
        if node.op == "or":
            return Or((left, right))
        return And((left, Not(right)))
    index = _index_name(node.index)
    if index not in INDEXES:
        raise CQLError(DIAG_UNSUPPORTED_INDEX, node.index)
    if node.relation not in RELATIONS:
        raise CQLError(DIAG_UNSUPPORTED_RELATION, node.relation)
    if node.modifiers:
        raise CQLError(DIAG_UNSUPPORTED_RELATION_MODIFIER, node.modifiers[0])
    term = node.term.strip()
    if not term:
        raise CQLError(DIAG_EMPTY_TERM, "")
    mode = RELATIONS[node.relation]
    if term.endswith("*") and "*" not in term[:-1] and len(term) > 1:
        term, mode = term[:-1], "prefix"
    elif "*" in term or "?" in term:
        term = term.replace("*", " ").replace("?", " ").strip()
        if not term:
            raise CQLError(DIAG_EMPTY_TERM, node.term)
    return Term(field=INDEXES[index], text=term, mode=mode)


# =========================================================================== records as XML

MARCXML_NS = "http://www.loc.gov/MARC21/slim"
DC_NS = "http://purl.org/dc/elements/1.1/"


def record_marc21(record: Record) -> pymarc.Record:
    """The record as MARC 21 (CNMARC converted), rebuilt from its fields when no MARC is kept.
    001 carries the record id, so harvesters can come back to it."""
    marc: pymarc.Record | None = None
    if record.marc:
        try:
            marc = pymarc.Record(data=bytes(record.marc), to_unicode=True, force_utf8=True)
        except Exception:  # a damaged stored record must not break a whole result page
            marc = None
        if marc is not None and record.marc_flavour == MarcFlavour.CNMARC:
            from shufang.catalogue.marc.convert import cnmarc_to_marc21

            marc = cnmarc_to_marc21(marc)
    if marc is None:
        marc = pymarc.Record(force_utf8=True)
        marc.add_field(
            pymarc.Field(
                tag="245",
                indicators=pymarc.Indicators("0", "0"),
                subfields=[pymarc.Subfield("a", record.title)],
            )
        )
        if record.isbn:
            marc.add_field(
                pymarc.Field(
                    tag="020",
                    indicators=pymarc.Indicators(" ", " "),
                    subfields=[pymarc.Subfield("a", record.isbn)],
                )
            )
    marc.remove_fields("001")
    marc.add_ordered_field(pymarc.Field(tag="001", data=str(record.pk)))
    return marc


def _xml_text(value: str) -> str:
    # XML 1.0 cannot carry most control characters, even escaped: drop them.
    return escape(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", value))


def record_marcxml(record: Record) -> str:
    """A MARCXML <record> element (MARC 21 slim) as text."""
    marc = record_marc21(record)
    parts = [f'<record xmlns="{MARCXML_NS}">']
    parts.append(f"<leader>{_xml_text(str(marc.leader))}</leader>")
    for field in marc.fields:
        if field.is_control_field():
            parts.append(f'<controlfield tag="{_xml_text(field.tag)}">')
            parts.append(f"{_xml_text(field.data or '')}</controlfield>")
            continue
        ind1, ind2 = (field.indicators or pymarc.Indicators(" ", " "))[:2]
        parts.append(
            f"<datafield tag={quoteattr(field.tag)} ind1={quoteattr(ind1 or ' ')} "
            f"ind2={quoteattr(ind2 or ' ')}>"
        )
        for sub in field.subfields:
            parts.append(f"<subfield code={quoteattr(sub.code)}>{_xml_text(sub.value)}</subfield>")
        parts.append("</datafield>")
    parts.append("</record>")
    return "".join(parts)


# Dublin Core types are English words whatever the interface language.
_DC_TYPES = {
    "book": "Text",
    "periodical": "Text",
    "newspaper": "Text",
    "ebook": "Text",
    "audiovisual": "MovingImage",
}


def record_dc_elements(record: Record) -> list[tuple[str, str]]:
    """Dublin Core elements (name, value) of a record, in the usual order."""
    out: list[tuple[str, str]] = [("title", record.title)]
    for name in re.split(r"\s*[;|]\s*", record.authors or ""):
        if name:
            out.append(("creator", name))
    for subject in re.split(r"\s*[;|\n]\s*", record.subjects or ""):
        if subject:
            out.append(("subject", subject))
    if record.clc:
        out.append(("subject", f"CLC {record.clc}"))
    if record.summary:
        out.append(("description", record.summary))
    if record.publisher:
        out.append(("publisher", record.publisher))
    if record.year:
        out.append(("date", str(record.year)))
    out.append(("type", _DC_TYPES.get(record.material_type, "Text")))
    if record.isbn:
        out.append(("identifier", f"urn:isbn:{record.isbn}"))
    if record.issn:
        out.append(("identifier", f"urn:issn:{record.issn}"))
    if record.language:
        out.append(("language", record.language))
    return out


def dc_elements_xml(record: Record) -> str:
    return "".join(
        f"<dc:{name}>{_xml_text(value)}</dc:{name}>" for name, value in record_dc_elements(record)
    )


# =========================================================================== the SRU handler

VERSIONS = ("1.2", "2.0")
NS = {
    "1.2": "http://www.loc.gov/zing/srw/",
    "2.0": "http://docs.oasis-open.org/ns/search-ws/sruResponse",
}
DIAG_NS = {
    "1.2": "http://www.loc.gov/zing/srw/diagnostic/",
    "2.0": "http://docs.oasis-open.org/ns/search-ws/diagnostic",
}
SCHEMAS = {
    "marcxml": "info:srw/schema/1/marcxml-v1.1",
    "dc": "info:srw/schema/1/dc-v1.1",
}
SCHEMA_ALIASES = {
    "marcxml": "marcxml",
    "marc21": "marcxml",
    "marc": "marcxml",
    "info:srw/schema/1/marcxml-v1.1": "marcxml",
    "info:srw/schema/1/marcxml-v1.1-light": "marcxml",
    "dc": "dc",
    "info:srw/schema/1/dc-v1.1": "dc",
    "info:srw/schema/1/dc-schema": "dc",
}
DEFAULT_MAXIMUM_RECORDS = 10
MAX_MAXIMUM_RECORDS = 100
_KNOWN_PARAMETERS = {
    "operation",
    "version",
    "query",
    "startrecord",
    "maximumrecords",
    "recordpacking",
    "recordxmlescaping",
    "recordschema",
    "stylesheet",
    "resultsetttl",
    "sortkeys",
    "httpaccept",
    "querytype",
    "recordxpath",
    "extrarequestdata",
    "x-info-1-charset",
}


class _Diagnostic(Exception):
    def __init__(self, number: int, details: str = "") -> None:
        self.number = number
        self.details = details


def _diagnostic_xml(version: str, number: int, details: str) -> str:
    ns = DIAG_NS[version]
    detail = f"<diag:details>{_xml_text(details)}</diag:details>" if details else ""
    return (
        f'<diag:diagnostic xmlns:diag="{ns}">'
        f"<diag:uri>info:srw/diagnostic/1/{number}</diag:uri>{detail}"
        f"<diag:message>{_xml_text(DIAGNOSTIC_MESSAGES.get(number, ''))}</diag:message>"
        "</diag:diagnostic>"
    )


def _xml_response(body: str) -> HttpResponse:
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + body,
        content_type="application/xml; charset=utf-8",
    )


def _base_url(request: HttpRequest) -> tuple[str, int, str]:
    host = request.get_host()
    name, _sep, port = host.partition(":")
    default = 443 if request.is_secure() else 80
    return name, int(port) if port.isdecimal() else default, request.path.lstrip("/")


def _explain_record(request: HttpRequest) -> str:
    host, port, database = _base_url(request)
    indexes = "".join(
        f"<index><title>{name}</title><map><name set={quoteattr(name.split('.')[0])}>"
        f"{name.split('.', 1)[1]}</name></map></index>"
        for name in (
            "cql.anywhere",
            "cql.serverChoice",
            "dc.title",
            "dc.creator",
            "dc.subject",
            "dc.publisher",
            "dc.identifier",
            "bath.isbn",
            "bath.issn",
        )
    )
    schemas = "".join(
        f"<schema identifier={quoteattr(uri)} name={quoteattr(name)}><title>{name}</title></schema>"
        for name, uri in SCHEMAS.items()
    )
    return (
        '<explain xmlns="http://explain.z3950.org/dtd/2.0/">'
        f'<serverInfo protocol="SRU" version="1.2"><host>{_xml_text(host)}</host>'
        f"<port>{port}</port><database>{_xml_text(database)}</database></serverInfo>"
        '<databaseInfo><title lang="zh">书房 公共目录</title>'
        '<title lang="en" primary="true">Shufang public catalogue</title></databaseInfo>'
        "<indexInfo>"
        '<set identifier="info:srw/cql-context-set/1/cql-v1.2" name="cql"/>'
        '<set identifier="info:srw/cql-context-set/1/dc-v1.1" name="dc"/>'
        '<set identifier="http://zing.z3950.org/cql/bath/2.0/" name="bath"/>'
        f"{indexes}</indexInfo>"
        f"<schemaInfo>{schemas}</schemaInfo>"
        "<configInfo>"
        f'<default type="numberOfRecords">{DEFAULT_MAXIMUM_RECORDS}</default>'
        f'<setting type="maximumRecords">{MAX_MAXIMUM_RECORDS}</setting>'
        '<default type="contextSet">cql</default>'
        '<default type="index">cql.anywhere</default>'
        '<supports type="relation">=</supports><supports type="relation">==</supports>'
        '<supports type="relation">exact</supports><supports type="relation">all</supports>'
        '<supports type="relation">any</supports><supports type="relation">adj</supports>'
        "</configInfo></explain>"
    )


def _wrap_record(version: str, packing: str, schema: str, xml: str, position: int) -> str:
    data = xml if packing == "xml" else _xml_text(xml)
    packing_tag = (
        f"<recordPacking>{packing}</recordPacking>"
        if version == "1.2"
        else f"<recordXMLEscaping>{packing}</recordXMLEscaping>"
    )
    return (
        f"<record><recordSchema>{_xml_text(schema)}</recordSchema>{packing_tag}"
        f"<recordData>{data}</recordData><recordPosition>{position}</recordPosition></record>"
    )


def _int_param(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name.lower())
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"\d{1,9}", raw.strip()):
        raise _Diagnostic(DIAG_UNSUPPORTED_PARAMETER_VALUE, name)
    return int(raw.strip())


def _search_retrieve(request: HttpRequest, version: str, params: dict[str, str]) -> str:
    ns = NS[version]
    query = params.get("query")
    if query is None:
        raise _Diagnostic(DIAG_MANDATORY_PARAMETER, "query")
    if params.get("sortkeys"):
        raise _Diagnostic(DIAG_SORT_UNSUPPORTED, "sortKeys")
    start = _int_param(params, "startRecord", 1)
    if start < 1:
        raise _Diagnostic(DIAG_FIRST_RECORD_OUT_OF_RANGE, str(start))
    maximum = min(
        _int_param(params, "maximumRecords", DEFAULT_MAXIMUM_RECORDS), MAX_MAXIMUM_RECORDS
    )
    schema_name = SCHEMA_ALIASES.get(params.get("recordschema", "marcxml").strip().lower())
    if schema_name is None:
        raise _Diagnostic(DIAG_UNKNOWN_SCHEMA, params.get("recordschema", ""))
    packing_param = "recordpacking" if version == "1.2" else "recordxmlescaping"
    packing = params.get(packing_param, "xml").strip().lower() or "xml"
    if packing not in ("xml", "string"):
        raise _Diagnostic(DIAG_UNSUPPORTED_PACKING, packing)
    if version == "2.0" and params.get("recordpacking", "packed") not in ("packed", "unpacked"):
        raise _Diagnostic(DIAG_UNSUPPORTED_PACKING, params["recordpacking"])
    try:
        expression = cql_to_expression(cql_parse(query))
    except CQLError as error:
        raise _Diagnostic(error.number, error.details) from error

    from shufang.catalogue.search.engine import search_records
    from shufang.catalogue.search.query import SearchQuery

    result = search_records(
        SearchQuery(
            expr=expression,
            sort="relevance",
            offset=start - 1,
            limit=maximum,
            facets=False,
            # Harvesting clients page by numberOfRecords: never an estimate.
            exact_total=True,
        )
    )
    body = [f'<searchRetrieveResponse xmlns="{ns}"><version>{version}</version>']
    body.append(f"<numberOfRecords>{result.total}</numberOfRecords>")
    if result.total > 0 and start > result.total:
        body.append(
            "<diagnostics>"
            + _diagnostic_xml(version, DIAG_FIRST_RECORD_OUT_OF_RANGE, str(start))
            + "</diagnostics>"
        )
    elif result.hits:
        body.append("<records>")
        for position, hit in enumerate(result.hits, start=start):
            if schema_name == "marcxml":
                xml = record_marcxml(hit.record)
            else:
                xml = (
                    '<srw_dc:dc xmlns:srw_dc="info:srw/schema/1/dc-schema" '
                    f'xmlns:dc="{DC_NS}">{dc_elements_xml(hit.record)}</srw_dc:dc>'
                )
            body.append(_wrap_record(version, packing, SCHEMAS[schema_name], xml, position))
        body.append("</records>")
        following = start + len(result.hits)
        if following <= result.total:
            body.append(f"<nextRecordPosition>{following}</nextRecordPosition>")
    body.append(
        f"<echoedSearchRetrieveRequest><version>{version}</version>"
        f"<query>{_xml_text(query)}</query>"
        f"<startRecord>{start}</startRecord><maximumRecords>{maximum}</maximumRecords>"
        f"<recordSchema>{schema_name}</recordSchema></echoedSearchRetrieveRequest>"
    )
    body.append("</searchRetrieveResponse>")
    return "".join(body)


def _explain(request: HttpRequest, version: str) -> str:
    packing_tag = "recordPacking" if version == "1.2" else "recordXMLEscaping"
    return (
        f'<explainResponse xmlns="{NS[version]}"><version>{version}</version>'
        "<record><recordSchema>http://explain.z3950.org/dtd/2.0/</recordSchema>"
        f"<{packing_tag}>xml</{packing_tag}><recordData>{_explain_record(request)}</recordData>"
        "</record></explainResponse>"
    )


def _diagnostic_response(operation: str, version: str, number: int, details: str) -> str:
    element = "searchRetrieveResponse" if operation == "searchRetrieve" else "explainResponse"
    total = "<numberOfRecords>0</numberOfRecords>" if element == "searchRetrieveResponse" else ""
    return (
        f'<{element} xmlns="{NS[version]}"><version>{version}</version>{total}'
        f"<diagnostics>{_diagnostic_xml(version, number, details)}</diagnostics></{element}>"
    )


def sru(request: HttpRequest) -> HttpResponse:
    """GET (or POST form) SRU: explain when no operation is given, searchRetrieve with CQL."""
    source = request.POST if request.method == "POST" else request.GET
    params = {key.lower(): source.get(key, "") for key in source}
    requested = params.get("version", "")
    version = requested if requested in VERSIONS else getattr(settings, "SRU_VERSION", "1.2")
    operation = params.get("operation", "")
    if not operation:
        operation = "searchRetrieve" if "query" in params else "explain"
    try:
        if requested and requested not in VERSIONS:
            raise _Diagnostic(DIAG_UNSUPPORTED_VERSION, requested)
        if operation == "explain":
            return _xml_response(_explain(request, version))
        if operation != "searchRetrieve":
            raise _Diagnostic(DIAG_UNSUPPORTED_OPERATION, operation)
        return _xml_response(_search_retrieve(request, version, params))
    except _Diagnostic as diag:
        return _xml_response(_diagnostic_response(operation, version, diag.number, diag.details))
