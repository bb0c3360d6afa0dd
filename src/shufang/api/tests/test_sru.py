"""SRU 1.2 and 2.0 at /sru: explain, searchRetrieve with CQL, record schemas, paging and
diagnostics through Django's test client; and Debian's yaz-client as an independent client."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shufang.catalogue.models import Record
from shufang.web.tests.fixtures import Network, build_network
from shufang.web.tests.opac_helpers import build_catalogue

SRW = {
    "1.2": "http://www.loc.gov/zing/srw/",
    "2.0": "http://docs.oasis-open.org/ns/search-ws/sruResponse",
}
NS = {
    "s": SRW["1.2"],
    "s2": SRW["2.0"],
    "m": "http://www.loc.gov/MARC21/slim",
    "dc": "http://purl.org/dc/elements/1.1/",
    "zr": "http://explain.z3950.org/dtd/2.0/",
}


def sru(**params: str) -> ET.Element:
    response = Client().get("/sru", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return ET.fromstring(response.content)


def count(root: ET.Element, prefix: str = "s") -> int:
    return int(root.findtext(f"{prefix}:numberOfRecords", namespaces=NS) or -1)


def diagnostic(root: ET.Element) -> str | None:
    uri = root.find(".//{*}diagnostic/{*}uri")
    return None if uri is None else uri.text


def marc_titles(root: ET.Element) -> list[str]:
    return [
        e.text or "" for e in root.iterfind(".//m:datafield[@tag='245']/m:subfield[@code='a']", NS)
    ]


@pytest.mark.django_db
def test_explain_is_the_default_operation(net: Network) -> None:
    root = sru()

    assert root.tag == f"{{{SRW['1.2']}}}explainResponse"
    indexes = [e.text for e in root.iterfind(".//zr:index/zr:title", NS)]
    assert "dc.title" in indexes and "bath.isbn" in indexes and "cql.anywhere" in indexes


@pytest.mark.django_db
def test_search_retrieve_in_both_versions(net: Network) -> None:
    build_catalogue(net)

    v12 = sru(operation="searchRetrieve", version="1.2", query="dc.title=丽江")
    v20 = sru(operation="searchRetrieve", version="2.0", query="dc.title=丽江")

    assert count(v12) == 2 and count(v20, "s2") == 2
    assert sorted(marc_titles(v12)) == ["丽江古城史话", "丽江民歌选"]
    assert v20.findtext(".//s2:recordXMLEscaping", namespaces=NS) == "xml"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("丽江", ["丽江古城史话", "丽江民歌选"]),
        ("cql.anywhere all 丽江", ["丽江古城史话", "丽江民歌选"]),
        ('cql.serverChoice any "纳西 玉龙"', ["玉龙雪山植物志", "纳西东巴文化研究"]),
        ("dc.creator=木丽春", ["丽江古城史话"]),
        ("bath.isbn=978-7-222-04391-6", ["丽江古城史话"]),
        ("dc.identifier=9787222043916", ["丽江古城史话"]),
        ('dc.title adj "古城史话"', ["丽江古城史话"]),
        ('dc.title == "古城史话"', ["丽江古城史话"]),
        ("dc.title=丽江 and dc.creator=和丽梅", ["丽江民歌选"]),
        ("dc.title=丽江 not dc.creator=和丽梅", ["丽江古城史话"]),
        ("(dc.title=玉龙 or dc.title=纳西) and dc.subject=nothing-here", []),
        ("dc.title=玉龙 or dc.title=纳西", ["玉龙雪山植物志", "纳西东巴文化研究"]),
    ],
)
def test_cql_queries_find_the_right_records(net: Network, query: str, expected: list[str]) -> None:
    build_catalogue(net)

    root = sru(operation="searchRetrieve", version="1.2", query=query, maximumRecords="50")

    assert sorted(marc_titles(root)) == sorted(expected)
    assert count(root) == len(expected)


@pytest.mark.django_db
def test_dublin_core_schema(net: Network) -> None:
    build_catalogue(net)

    root = sru(
        operation="searchRetrieve", version="1.2", query="dc.creator=木丽春", recordSchema="dc"
    )

    assert root.findtext(".//dc:title", namespaces=NS) == "丽江古城史话"
    assert root.findtext(".//dc:creator", namespaces=NS) == "木丽春"
    assert root.findtext(".//s:recordSchema", namespaces=NS) == "info:srw/schema/1/dc-v1.1"


@pytest.mark.django_db
def test_start_record_and_maximum_records_page_the_results(net: Network) -> None:
    build_catalogue(net)
    query = "cql.anywhere=云南人民出版社"

    first = sru(operation="searchRetrieve", version="1.2", query=query, maximumRecords="2")
    last = sru(
        operation="searchRetrieve", version="1.2", query=query, startRecord="5", maximumRecords="2"
    )

    assert count(first) == 5 and len(marc_titles(first)) == 2
    assert first.findtext("s:nextRecordPosition", namespaces=NS) == "3"
    assert [e.text for e in last.iterfind(".//s:recordPosition", NS)] == ["5"]
    assert last.find("s:nextRecordPosition", NS) is None


@pytest.mark.django_db
def test_number_of_records_is_the_exact_count_even_over_the_estimating_limit(
    net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shufang.catalogue.search import engine
    from shufang.catalogue.search.indexing import search_index_rebuild
    from shufang.catalogue.search.query import SearchQuery, parse_user_query

    # Given 2 + 30 records titled 丽江…, and PostgreSQL estimating totals over 3 matches
    build_catalogue(net)
    for n in range(30):
        Record.objects.create(title=f"丽江游记第{n}卷", title_sort=f"lijiang {n}", year=2000)
    search_index_rebuild()
    monkeypatch.setattr(engine, "COUNT_EXACT_MAX", 3)
    search = engine.search_records(SearchQuery(expr=parse_user_query("title:丽江"), limit=0))

    # When a harvester pages through them five at a time
    first = sru(operation="searchRetrieve", query="dc.title=丽江", maximumRecords="5")
    last = sru(
        operation="searchRetrieve", query="dc.title=丽江", maximumRecords="5", startRecord="31"
    )

    # Then numberOfRecords is the exact count, and the last page ends the paging
    assert count(first) == count(last) == 32
    assert first.findtext("s:nextRecordPosition", namespaces=NS) == "6"
    assert len(last.findall(".//s:record", NS)) == 2
    assert last.find("s:nextRecordPosition", NS) is None
    # (where the engine alone would have answered with an estimate)
    assert search.total_approximate == (connection.vendor == "postgresql")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "number"),
    [
        ({"query": "dc.title="}, 10),
        ({"query": "(丽江"}, 10),
        ({"query": "dc.colour=red"}, 16),
        ({"query": "dc.title < 丽江"}, 19),
        ({"query": "dc.title =/stem 丽江"}, 20),
        ({"query": "丽江 prox 古城"}, 37),
        ({"query": "丽江", "recordSchema": "mods"}, 66),
        ({"query": "丽江", "recordPacking": "json"}, 71),
        ({"query": "丽江", "startRecord": "0"}, 61),
        ({"query": "丽江", "startRecord": "99"}, 61),
        ({"query": "丽江", "maximumRecords": "-1"}, 6),
        ({"version": "3.0"}, 5),
        ({"operation": "scan", "scanClause": "dc.title=丽江"}, 4),
        ({"operation": "searchRetrieve"}, 7),
    ],
)
def test_bad_requests_get_diagnostics(net: Network, params: dict[str, str], number: int) -> None:
    build_catalogue(net)
    params = {"operation": "searchRetrieve", "version": "1.2", **params}

    root = sru(**params)

    assert diagnostic(root) == f"info:srw/diagnostic/1/{number}"


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.text(max_size=200)
    | st.sampled_from(['"', "'; DROP TABLE x; --", "<a>&", "a and (b or", "*", "\\"])
)
def test_any_query_gets_an_answer_never_an_error(net: Network, query: str) -> None:
    response = Client().get(
        "/sru", {"operation": "searchRetrieve", "version": "1.2", "query": query}
    )

    assert response.status_code == 200
    ET.fromstring(response.content)


@pytest.mark.django_db(transaction=True)
def test_yaz_client_searches_and_shows_a_record(live_server: Any) -> None:
    if shutil.which("yaz-client") is None:
        pytest.skip("yaz-client (Debian package yaz) is not installed")
    build_catalogue(build_network())
    commands = "\n".join(
        [
            f"open {live_server.url}/sru",
            "sru get 1.2",
            "format xml",
            "schema marcxml",
            "find dc.title=丽江古城",
            "show 1",
            "find dc.colour=red",
            "quit",
            "",
        ]
    )

    done = subprocess.run(
        ["yaz-client"], input=commands, capture_output=True, text=True, timeout=60, check=False
    )

    out = done.stdout
    assert "Number of hits: 1" in out, out
    assert "丽江古城史话" in out
    assert "info:srw/diagnostic/1/16" in out or "Unsupported index" in out, out
