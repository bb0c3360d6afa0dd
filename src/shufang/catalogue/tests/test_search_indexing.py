"""Keeping the search index current: the rebuild command and the record and item services."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from shufang.catalogue.models import Item, ItemStatus, Record
from shufang.catalogue.search.engine import search_records
from shufang.catalogue.search.models import SearchDocument
from shufang.catalogue.search.query import SearchQuery, parse_user_query
from shufang.catalogue.tests.conftest import cnmarc_record

pytestmark = pytest.mark.django_db


def titles(text: str) -> list[str]:
    result = search_records(SearchQuery(expr=parse_user_query(text), facets=False))
    return [hit.record.title for hit in result.hits]


def test_rebuild_command_indexes_every_record_and_reports_the_count():
    Record.objects.create(title="丽江古城史话", title_sort="li jiang gu cheng shi hua")
    Record.objects.create(title="A History of Lijiang", title_sort="a history of lijiang")
    out = io.StringIO()

    call_command("search_index", "--rebuild", stdout=out)

    assert SearchDocument.objects.count() == 2
    assert "2/2" in out.getvalue()
    assert titles("古城") == ["丽江古城史话"]


def test_record_services_keep_the_index_current(actor, django_capture_on_commit_callbacks):
    from shufang.catalogue.services.records import (
        record_create_from_marc,
        record_update_from_marc,
    )

    with django_capture_on_commit_callbacks(execute=True):
        record = record_create_from_marc(
            record=cnmarc_record("丽江古城史话"), flavour="cnmarc", actor=actor
        )
    assert titles("ljgc") == ["丽江古城史话"]

    with django_capture_on_commit_callbacks(execute=True):
        record_update_from_marc(
            target=record, record=cnmarc_record("玉龙雪山"), flavour="cnmarc", actor=actor
        )
    assert titles("ljgc") == []
    assert titles("雪山") == ["玉龙雪山"]


def test_item_services_keep_call_numbers_current(
    actor, service_point, collection, django_capture_on_commit_callbacks
):
    from shufang.catalogue.services.items import item_create, item_set_status, item_update

    record = Record.objects.create(title="丽江古城史话", title_sort="li jiang")
    with django_capture_on_commit_callbacks(execute=True):
        item = item_create(
            record=record,
            barcode="B1",
            home_service_point=service_point,
            collection=collection,
            actor=actor,
            call_number="K297.43/5",
        )
    assert titles("call_number:K297.43") == ["丽江古城史话"]

    with django_capture_on_commit_callbacks(execute=True):
        item_update(item=item, actor=actor, call_number="K928.9/1")
    assert titles("call_number:K297.43") == []
    assert titles("call_number:K928") == ["丽江古城史话"]

    with django_capture_on_commit_callbacks(execute=True):
        item_set_status(item=item, to=ItemStatus.WITHDRAWN, trigger="withdraw", actor=actor)
    assert Item.objects.get(pk=item.pk).status == ItemStatus.WITHDRAWN
    assert titles("call_number:K928") == []


def test_marc_import_indexes_each_batch(actor, django_capture_on_commit_callbacks):
    from shufang.catalogue.services.importing import marc_import
    from shufang.catalogue.tests.conftest import cnmarc_bytes, stream

    data = cnmarc_bytes([cnmarc_record("丽江古城史话"), cnmarc_record("玉龙雪山")], "utf-8")

    with django_capture_on_commit_callbacks(execute=True):
        marc_import(sources=[stream(data)], actor=actor)

    assert SearchDocument.objects.count() == 2
    assert titles("雪山") == ["玉龙雪山"]


def test_rebuild_finds_the_same_as_indexing_record_by_record_and_keeps_the_index_in_step():
    from django.db import connection

    from shufang.catalogue.search.indexing import (
        FTS_TABLE,
        search_index_rebuild,
        search_index_records,
    )

    # Given records indexed one batch at a time (through the insert trigger on SQLite)
    made = [
        Record.objects.create(title=title, title_sort=title, year=year)
        for title, year in [
            ("丽江古城史话", 2005),
            ("纳西东巴文化研究", 2001),
            ("A History of Lijiang", 1999),
            ("玉龙雪山", 2012),
        ]
    ]
    search_index_records([r.pk for r in made])
    queries = ["丽江", "lijiang", "纳西 OR 玉龙", "history", "ljgc"]
    incremental = {q: titles(q) for q in queries}

    # When the whole index is rebuilt
    count = search_index_rebuild()

    # Then it finds exactly the same, and the match index holds exactly the index rows
    assert count == 4
    assert {q: titles(q) for q in queries} == incremental
    assert incremental["丽江"] == ["丽江古城史话"]
    assert incremental["纳西 OR 玉龙"] == ["玉龙雪山", "纳西东巴文化研究"]
    assert SearchDocument.objects.count() == 4
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Checks the FTS5 index against its content table; raises when they differ.
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"
            )
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                " AND name LIKE 'catalogue_sd_fts_%' ORDER BY name"
            )
            assert [n for (n,) in cursor.fetchall()] == [
                "catalogue_sd_fts_delete",
                "catalogue_sd_fts_insert",
                "catalogue_sd_fts_update",
            ]
    # And the triggers keep it current afterwards
    later = Record.objects.create(title="丽江民歌选", title_sort="丽江民歌选", year=2018)
    search_index_records([later.pk])
    made[0].delete()
    assert titles("丽江") == ["丽江民歌选"]
