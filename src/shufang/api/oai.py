"""OAI-PMH 2.0 at /oai: the catalogue's records for harvesters (union catalogues, discovery).

Records are ordered by (datestamp, id) and paged by keyset, so resumption tokens are stateless:
a token is the request's arguments, the last (datestamp, id) sent and an expiry, signed with
the secret key. A record's datestamp is its `updated_at` (UTC, second granularity; the
microseconds stay in the cursor). Deleted records (`Record.deleted_at`) stay in the answers
with status="deleted" for ever (deletedRecord: persistent). Sets: `library:<ISIL code>` and
`collection:<code>`, a record belonging to each library owning a copy and each collection
holding one."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.core import signing
from django.db.models import Min, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from shufang.api.sru import DC_NS, MARCXML_NS, dc_elements_xml, record_marcxml
from shufang.catalogue.models import Collection, Item, Record
from shufang.network.models import Library

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
FORMATS = {
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC_NS),
    "marc21": ("http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd", MARCXML_NS),
}
VERBS = {
    # verb: (required, optional, exclusive)
    "Identify": (set(), set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}, set()),
    "ListSets": (set(), set(), {"resumptionToken"}),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}, {"resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}, {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set(), set()),
}
TOKEN_SALT = "shufang.api.oai.resumption"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECONDS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def page_size() -> int:
    return int(getattr(settings, "OAI_PAGE_SIZE", 100))


def token_lifetime() -> int:
    """Seconds a resumption token stays valid."""
    return int(getattr(settings, "OAI_TOKEN_SECONDS", 24 * 3600))


def repository_identifier() -> str:
    return str(getattr(settings, "OAI_REPOSITORY_IDENTIFIER", "shufang"))


def oai_identifier(record_id: int) -> str:
    return f"oai:{repository_identifier()}:{record_id}"


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _x(value: str) -> str:
    return escape(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", value))


def parse_datestamp(value: str, *, until: bool) -> tuple[dt.datetime, str]:
    """(the bound as an aware UTC datetime, granularity "day"|"seconds"). An `until` bound is
    exclusive and already moved past the given day or second, so that it includes them."""
    if _DAY.fullmatch(value):
        granularity = "day"
        fmt = "%Y-%m-%d"
        step = dt.timedelta(days=1)
    elif _SECONDS.fullmatch(value):
        granularity = "seconds"
        fmt = "%Y-%m-%dT%H:%M:%SZ"
        step = dt.timedelta(seconds=1)
    else:
        raise OAIError("badArgument", f"Not a UTC datestamp: {value}")
    try:
        moment = dt.datetime.strptime(value, fmt).replace(tzinfo=dt.UTC)
    except ValueError as error:
        raise OAIError("badArgument", f"Not a valid date: {value}") from error
    return (moment + step if until else moment), granularity


def _record_filter(args: dict[str, str]) -> QuerySet[Record]:
    rows = Record.objects.all()
    granularities = set()
    if args.get("from"):
        start, gran = parse_datestamp(args["from"], until=False)
        granularities.add(gran)
        rows = rows.filter(updated_at__gte=start)
    if args.get("until"):
        end, gran = parse_datestamp(args["until"], until=True)
        granularities.add(gran)
        rows = rows.filter(updated_at__lt=end)
    if len(granularities) > 1:
        raise OAIError("badArgument", "from and until must have the same granularity.")
    if (
        args.get("from")
        and args.get("until")
        and (
            parse_datestamp(args["from"], until=False)[0]
            >= parse_datestamp(args["until"], until=True)[0]
        )
    ):
        raise OAIError("badArgument", "from is later than until.")
    spec = args.get("set")
    if spec:
        kind, _sep, code = spec.partition(":")
        if kind == "library" and code:
            rows = rows.filter(
                pk__in=Item.objects.filter(owning_library__code=code).values("record_id")
            )
        elif kind == "collection" and code:
            rows = rows.filter(
                pk__in=Item.objects.filter(collection__code=code).values("record_id")
            )
        elif kind in ("library", "collection") and not code:
            rows = rows.filter(pk__in=Item.objects.values("record_id"))
        else:
            raise OAIError("noRecordsMatch", f"No such set: {spec}")
    return rows


def _sets_of(record_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, set[str]] = {}
    rows = (
        Item.objects.filter(record_id__in=record_ids)
        .values_list("record_id", "owning_library__code", "collection__code")
        .distinct()
    )
    for record_id, library_code, collection_code in rows:
        specs = found.setdefault(record_id, set())
        specs.add(f"library:{library_code}")
        specs.add(f"collection:{collection_code}")
    return {k: sorted(v) for k, v in found.items()}


def _header(record: Record, sets: list[str]) -> str:
    deleted = ' status="deleted"' if record.deleted_at is not None else ""
    specs = "".join(f"<setSpec>{_x(s)}</setSpec>" for s in sets)
    return (
        f"<header{deleted}><identifier>{oai_identifier(record.pk)}</identifier>"
        f"<datestamp>{_stamp(record.updated_at)}</datestamp>{specs}</header>"
    )


def _metadata(record: Record, prefix: str) -> str:
    if prefix == "marc21":
        return f"<metadata>{record_marcxml(record)}</metadata>"
    return (
        f'<metadata><oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc="{DC_NS}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{OAI_DC_NS} {FORMATS["oai_dc"][0]}">'
        f"{dc_elements_xml(record)}</oai_dc:dc></metadata>"
    )


def _record_xml(record: Record, prefix: str, sets: list[str]) -> str:
    header = _header(record, sets)
    if record.deleted_at is not None:
        return f"<record>{header}</record>"
    return f"<record>{header}{_metadata(record, prefix)}</record>"


def _make_token(state: dict[str, Any]) -> tuple[str, dt.datetime]:
    expires = timezone.now() + dt.timedelta(seconds=token_lifetime())
    state = {**state, "x": int(expires.timestamp())}
    return signing.dumps(state, salt=TOKEN_SALT, compress=True), expires


def _read_token(token: str) -> dict[str, Any]:
    try:
        state = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature as error:
        raise OAIError("badResumptionToken", "The resumption token is not valid.") from error
    if not isinstance(state, dict) or int(state.get("x", 0)) < timezone.now().timestamp():
        raise OAIError("badResumptionToken", "The resumption token has expired.")
    return state


def _list(verb: str, args: dict[str, str]) -> str:
    if "resumptionToken" in args:
        state = _read_token(args["resumptionToken"])
        if state.get("verb") != verb:
            raise OAIError("badResumptionToken", "The token belongs to another verb.")
        query = {k: v for k, v in state["args"].items() if v}
        after = (dt.datetime.fromisoformat(state["at"]), int(state["id"]))
        cursor = int(state["cursor"])
        complete = int(state["total"])
    else:
        query = {k: args[k] for k in ("metadataPrefix", "from", "until", "set") if k in args}
        after = None
        cursor = 0
        complete = -1
    prefix = query["metadataPrefix"]
    if prefix not in FORMATS:
        raise OAIError("cannotDisseminateFormat", f"Unknown metadata format: {prefix}")
    rows = _record_filter(query)
    if complete < 0:
        complete = rows.count()
    if after is not None:
        rows = rows.filter(Q(updated_at__gt=after[0]) | Q(updated_at=after[0], pk__gt=after[1]))
    size = page_size()
    page = list(rows.order_by("updated_at", "pk")[: size + 1])
    if not page and after is None:
        raise OAIError("noRecordsMatch", "No records match the request.")
    more = len(page) > size
    page = page[:size]
    sets = _sets_of([r.pk for r in page])
    parts = [f"<{verb}>"]
    for record in page:
        if verb == "ListIdentifiers":
            parts.append(_header(record, sets.get(record.pk, [])))
        else:
            parts.append(_record_xml(record, prefix, sets.get(record.pk, [])))
    if more or after is not None:
        if more:
            last = page[-1]
            token, expires = _make_token(
                {
                    "verb": verb,
                    "args": query,
                    "at": last.updated_at.isoformat(),
                    "id": last.pk,
                    "cursor": cursor + len(page),
                    "total": complete,
                }
            )
            parts.append(
                f'<resumptionToken expirationDate="{_stamp(expires)}" '
                f'completeListSize="{complete}" cursor="{cursor}">{_x(token)}</resumptionToken>'
            )
        else:
            parts.append(f'<resumptionToken completeListSize="{complete}" cursor="{cursor}"/>')
    parts.append(f"</{verb}>")
    return "".join(parts)


def _record_id(identifier: str) -> int:
    prefix = f"oai:{repository_identifier()}:"
    if not identifier.startswith(prefix) or not identifier[len(prefix) :].isdecimal():
        raise OAIError("idDoesNotExist", f"Unknown identifier: {identifier}")
    value = int(identifier[len(prefix) :])
    if value > 2**62:
        raise OAIError("idDoesNotExist", f"Unknown identifier: {identifier}")
    return value


def _get_record(args: dict[str, str]) -> str:
    record = Record.objects.filter(pk=_record_id(args["identifier"])).first()
    if record is None:
        raise OAIError("idDoesNotExist", f"Unknown identifier: {args['identifier']}")
    prefix = args["metadataPrefix"]
    if prefix not in FORMATS:
        raise OAIError("cannotDisseminateFormat", f"Unknown metadata format: {prefix}")
    sets = _sets_of([record.pk]).get(record.pk, [])
    return f"<GetRecord>{_record_xml(record, prefix, sets)}</GetRecord>"


def _identify(request: HttpRequest) -> str:
    earliest = Record.objects.aggregate(m=Min("updated_at"))["m"] or timezone.now()
    library = Library.objects.order_by("code").first()
    name = library.system.name if library is not None else "Shufang"
    email = (library.contact_email if library is not None else "") or getattr(
        settings, "OAI_ADMIN_EMAIL", "admin@shufang.invalid"
    )
    return (
        f"<Identify><repositoryName>{_x(name)}</repositoryName>"
        f"<baseURL>{_x(request.build_absolute_uri(request.path))}</baseURL>"
        "<protocolVersion>2.0</protocolVersion>"
        f"<adminEmail>{_x(email)}</adminEmail>"
        f"<earliestDatestamp>{_stamp(earliest)}</earliestDatestamp>"
        "<deletedRecord>persistent</deletedRecord>"
        "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"
        '<description><oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier '
        'http://www.openarchives.org/OAI/2.0/oai-identifier.xsd">'
        "<scheme>oai</scheme>"
        f"<repositoryIdentifier>{_x(repository_identifier())}</repositoryIdentifier>"
        "<delimiter>:</delimiter>"
        f"<sampleIdentifier>{oai_identifier(1)}</sampleIdentifier>"
        "</oai-identifier></description></Identify>"
    )


def _list_metadata_formats(args: dict[str, str]) -> str:
    if (
        "identifier" in args
        and not Record.objects.filter(pk=_record_id(args["identifier"])).exists()
    ):
        raise OAIError("idDoesNotExist", f"Unknown identifier: {args['identifier']}")
    formats = "".join(
        f"<metadataFormat><metadataPrefix>{prefix}</metadataPrefix><schema>{schema}</schema>"
        f"<metadataNamespace>{namespace}</metadataNamespace></metadataFormat>"
        for prefix, (schema, namespace) in FORMATS.items()
    )
    return f"<ListMetadataFormats>{formats}</ListMetadataFormats>"


def _list_sets(args: dict[str, str]) -> str:
    if "resumptionToken" in args:
        raise OAIError("badResumptionToken", "ListSets is answered in one page.")
    sets = [("library", "Libraries"), ("collection", "Collections")]
    sets += [(f"library:{c}", n) for c, n in Library.objects.values_list("code", "name")]
    sets += [(f"collection:{c}", n) for c, n in Collection.objects.values_list("code", "name")]
    body = "".join(
        f"<set><setSpec>{_x(spec)}</setSpec><setName>{_x(name)}</setName></set>"
        for spec, name in sets
    )
    return f"<ListSets>{body}</ListSets>"


def _check_arguments(verb: str, args: dict[str, str]) -> None:
    required, optional, exclusive = VERBS[verb]
    given = set(args)
    unknown = given - required - optional - exclusive
    if unknown:
        raise OAIError("badArgument", f"Illegal argument: {', '.join(sorted(unknown))}")
    if exclusive & given:
        if given - exclusive:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument.")
        return
    missing = required - given
    if missing:
        raise OAIError("badArgument", f"Missing argument: {', '.join(sorted(missing))}")


def _envelope(request: HttpRequest, body: str, args: dict[str, str] | None) -> HttpResponse:
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in sorted((args or {}).items()))
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
        f"<responseDate>{_stamp(timezone.now())}</responseDate>"
        f"<request{attrs}>{_x(request.build_absolute_uri(request.path))}</request>"
        f"{body}</OAI-PMH>"
    )
    return HttpResponse(xml, content_type="text/xml; charset=utf-8")


def oai(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    verbs = source.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in VERBS:
        message = "Missing verb." if not verbs else "Illegal or repeated verb."
        return _envelope(request, f'<error code="badVerb">{_x(message)}</error>', None)
    verb = verbs[0]
    args = {k: source.get(k, "") for k in source if k != "verb"}
    try:
        if any(len(source.getlist(k)) > 1 for k in args):
            raise OAIError("badArgument", "Repeated argument.")
        _check_arguments(verb, args)
        if verb == "Identify":
            body = _identify(request)
        elif verb == "ListMetadataFormats":
            body = _list_metadata_formats(args)
        elif verb == "ListSets":
            body = _list_sets(args)
        elif verb == "GetRecord":
            body = _get_record(args)
        else:
            body = _list(verb, args)
    except OAIError as error:
        echoed = None if error.code in ("badArgument", "badVerb") else {"verb": verb, **args}
        return _envelope(
            request, f"<error code={quoteattr(error.code)}>{_x(error.message)}</error>", echoed
        )
    return _envelope(request, body, {"verb": verb, **args})
