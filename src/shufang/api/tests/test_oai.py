"""OAI-PMH 2.0 at /oai: the verbs, datestamps, sets, resumption tokens and errors, answered
through Django's test client; and a real harvester (Sickle) taking everything over HTTP."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import pymarc
import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from shufang.api.oai import TOKEN_SALT
from shufang.catalogue.models import Record
from shufang.catalogue.services.items import item_create
from shufang.catalogue.services.records import record_create_from_marc
from shufang.core.audit import Actor
from shufang.web.tests.fixtures import Network, build_network

NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "m": "http://www.loc.gov/MARC21/slim",
}


def make_record(title: str, isbn: str = "") -> Record:
    marc = pymarc.Record(force_utf8=True)
    if isbn:
        marc.add_field(
            pymarc.Field(tag="020", indicators=[" ", " "], subfields=[pymarc.Subfield("a", isbn)])
        )
    marc.add_field(
        pymarc.Field(tag="245", indicators=["1", "0"], subfields=[pymarc.Subfield("a", title)])
    )
    return record_create_from_marc(record=marc, flavour="marc21", actor=Actor.system("tests"))


def set_updated(record: Record, when: dt.datetime) -> None:
    Record.objects.filter(pk=record.pk).update(updated_at=when)


def get(client: Client, **params: str) -> ET.Element:
    response = client.get("/oai", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)


def error_code(root: ET.Element) -> str | None:
    error = root.find("o:error", NS)
    return None if error is None else error.get("code")


def identifiers(root: ET.Element, verb: str) -> list[str]:
    return [e.text or "" for e in root.iterfind(f"o:{verb}//o:header/o:identifier", NS)]


@pytest.fixture
def catalogue(net: Network) -> dict[str, Record]:
    """Five records with known datestamps: 红楼梦 (the network's, with a copy at library A),
    two more with a copy at library B, two without copies."""
    base = dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.UTC)
    records = {"红楼梦": net.record}
    for title in ("丽江古城史话", "玉龙雪山", "Lijiang old town", "纳西东巴文化"):
        records[title] = make_record(title)
    for title in ("玉龙雪山", "纳西东巴文化"):
        item_create(
            record=records[title],
            barcode=f"B{records[title].pk:07d}",
            home_service_point=net.point_b,
            collection=net.collection,
            actor=Actor.system("tests"),
        )
    for n, record in enumerate(records.values()):
        set_updated(record, base + dt.timedelta(days=n, seconds=n))
    return records


@pytest.mark.django_db
def test_identify_says_deleted_records_are_persistent_and_gives_the_earliest_datestamp(
    catalogue: dict[str, Record],
) -> None:
    root = get(Client(), verb="Identify")

    identify = root.find("o:Identify", NS)
    assert identify is not None
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("o:earliestDatestamp", namespaces=NS) == "2024-03-01T08:00:00Z"
    assert identify.findtext("o:baseURL", namespaces=NS) == "http://testserver/oai"


@pytest.mark.django_db
def test_list_metadata_formats_offers_oai_dc_and_marc21(catalogue: dict[str, Record]) -> None:
    root = get(Client(), verb="ListMetadataFormats")

    prefixes = [e.text for e in root.iterfind(".//o:metadataPrefix", NS)]
    assert prefixes == ["oai_dc", "marc21"]


@pytest.mark.django_db
def test_list_sets_has_each_library_and_each_collection(catalogue: dict[str, Record]) -> None:
    root = get(Client(), verb="ListSets")

    specs = [e.text for e in root.iterfind(".//o:setSpec", NS)]
    assert specs == [
        "library",
        "collection",
        "library:CN-530700",
        "library:CN-530724",
        "collection:adult",
    ]


@pytest.mark.django_db
def test_get_record_in_oai_dc_and_in_marcxml(catalogue: dict[str, Record]) -> None:
    record = catalogue["丽江古城史话"]
    identifier = f"oai:shufang:{record.pk}"

    dc = get(Client(), verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    marc = get(Client(), verb="GetRecord", identifier=identifier, metadataPrefix="marc21")

    assert dc.findtext(".//dc:title", namespaces=NS) == "丽江古城史话"
    assert dc.findtext(".//o:header/o:datestamp", namespaces=NS) == "2024-03-02T08:00:01Z"
    titles = marc.findall(".//m:datafield[@tag='245']/m:subfield[@code='a']", NS)
    assert [t.text for t in titles] == ["丽江古城史话"]
    assert marc.findtext(".//m:controlfield[@tag='001']", namespaces=NS) == str(record.pk)


@pytest.mark.django_db
def test_set_library_lists_only_records_with_a_copy_there(catalogue: dict[str, Record]) -> None:
    root = get(Client(), verb="ListIdentifiers", metadataPrefix="oai_dc", set="library:CN-530724")

    expected = [f"oai:shufang:{catalogue[t].pk}" for t in ("玉龙雪山", "纳西东巴文化")]
    assert identifiers(root, "ListIdentifiers") == expected
    specs = [e.text for e in root.iterfind(".//o:header[1]/o:setSpec", NS)]
    assert specs[:2] == ["collection:adult", "library:CN-530724"]


@pytest.mark.django_db
def test_from_and_until_select_by_day_and_by_second(catalogue: dict[str, Record]) -> None:
    client = Client()

    by_day = get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2024-03-02")
    by_second = get(
        client,
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        **{"from": "2024-03-02T08:00:01Z", "until": "2024-03-03T08:00:02Z"},
    )
    after_second = get(
        client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2024-03-02T08:00:02Z"}
    )

    ids = {t: f"oai:shufang:{r.pk}" for t, r in catalogue.items()}
    assert identifiers(by_day, "ListIdentifiers") == [ids["红楼梦"], ids["丽江古城史话"]]
    assert identifiers(by_second, "ListIdentifiers") == [ids["丽江古城史话"], ids["玉龙雪山"]]
    assert identifiers(after_second, "ListIdentifiers") == [
        ids["玉龙雪山"],
        ids["Lijiang old town"],
        ids["纳西东巴文化"],
    ]


@pytest.mark.django_db
def test_deleted_record_stays_listed_with_status_deleted_and_no_metadata(
    catalogue: dict[str, Record],
) -> None:
    record = catalogue["Lijiang old town"]
    Record.objects.filter(pk=record.pk).update(deleted_at=timezone.now(), updated_at=timezone.now())

    listed = get(Client(), verb="ListRecords", metadataPrefix="oai_dc")
    single = get(
        Client(), verb="GetRecord", metadataPrefix="marc21", identifier=f"oai:shufang:{record.pk}"
    )

    last = listed.findall(".//o:record", NS)[-1]
    header = last.find("o:header", NS)
    assert header is not None and header.get("status") == "deleted"
    assert header.findtext("o:identifier", namespaces=NS) == f"oai:shufang:{record.pk}"
    assert last.find("o:metadata", NS) is None
    assert len(listed.findall(".//o:record", NS)) == 5
    single_header = single.find(".//o:header", NS)
    assert single_header is not None and single_header.get("status") == "deleted"
    assert single.find(".//o:metadata", NS) is None


@pytest.mark.django_db
def test_resumption_tokens_page_through_everything_once(
    catalogue: dict[str, Record], settings: Any
) -> None:
    settings.OAI_PAGE_SIZE = 2
    client = Client()
    seen: list[str] = []
    cursors: list[str | None] = []

    root = get(client, verb="ListIdentifiers", metadataPrefix="marc21")
    while True:
        seen += identifiers(root, "ListIdentifiers")
        token = root.find(".//o:resumptionToken", NS)
        assert token is not None
        cursors.append(token.get("cursor"))
        assert token.get("completeListSize") == "5"
        if not token.text:
            break
        root = get(client, verb="ListIdentifiers", resumptionToken=token.text)

    assert seen == [f"oai:shufang:{r.pk}" for r in catalogue.values()]
    assert cursors == ["0", "2", "4"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "colour": "red"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13-01"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2024-03-01",
                "until": "2024-03-05T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2024-04-01",
                "until": "2024-03-01",
            },
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "resumptionToken": "forged-token"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:shufang:999999"},
            "idDoesNotExist",
        ),
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:elsewhere:1"},
            "idDoesNotExist",
        ),
        (
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2030-01-01"},
            "noRecordsMatch",
        ),
        (
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "shelf:3"},
            "noRecordsMatch",
        ),
    ],
)
def test_bad_requests_get_the_protocol_error(
    catalogue: dict[str, Record], params: dict[str, str], code: str
) -> None:
    root = get(Client(), **params)

    assert error_code(root) == code
    request = root.find("o:request", NS)
    assert request is not None
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}


@pytest.mark.django_db
def test_expired_token_is_refused(catalogue: dict[str, Record]) -> None:
    state = {
        "verb": "ListIdentifiers",
        "args": {"metadataPrefix": "oai_dc"},
        "at": "2024-03-01T08:00:00+00:00",
        "id": 1,
        "cursor": 2,
        "total": 5,
        "x": 1,
    }
    token = signing.dumps(state, salt=TOKEN_SALT, compress=True)

    root = get(Client(), verb="ListIdentifiers", resumptionToken=token)

    assert error_code(root) == "badResumptionToken"


@pytest.mark.django_db(transaction=True)
def test_sickle_harvests_every_record_across_pages(live_server: Any, settings: Any) -> None:
    sickle = pytest.importorskip("sickle")
    net = build_network()
    titles = {"红楼梦"} | {f"丽江地方文献 第{n}辑" for n in range(1, 8)}
    for title in sorted(titles - {"红楼梦"}):
        make_record(title)
    deleted = make_record("已删除的书")
    Record.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    settings.OAI_PAGE_SIZE = 3

    harvester = sickle.Sickle(f"{live_server.url}/oai")
    records = list(harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=True))
    headers = list(harvester.ListIdentifiers(metadataPrefix="marc21"))
    identify = harvester.Identify()

    assert sorted(r.metadata["title"][0] for r in records) == sorted(titles)
    assert len(headers) == 9
    assert [h.identifier for h in headers if h.deleted] == [f"oai:shufang:{deleted.pk}"]
    assert identify.deletedRecord == "persistent"
    assert net.record.pk in {int(h.identifier.rsplit(":", 1)[1]) for h in headers}
