"""Search: Chinese, pinyin, identifiers, classes, phrases, ranking, sorting, facets, safety.

Runs on SQLite and PostgreSQL with the same expectations."""

from __future__ import annotations

import datetime as dt

import pytest

from shufang.catalogue.models import Collection, Item, ItemStatus, Record, RecordIdentifier
from shufang.catalogue.search.engine import availability_for, search_records
from shufang.catalogue.search.indexing import search_index_rebuild, search_index_records
from shufang.catalogue.search.models import SearchDocument
from shufang.catalogue.search.query import (
    And,
    Filters,
    Not,
    Or,
    SearchQuery,
    Term,
    parse_user_query,
)
from shufang.network.models import Library, LibraryKind, ServicePoint

pytestmark = pytest.mark.django_db


def make_record(title: str, **fields) -> Record:
    from shufang.catalogue.marc.extract import pinyin_of

    pinyin, initials = pinyin_of(title)
    isbns = fields.pop("isbns", [])
    record = Record.objects.create(
        title=title,
        title_sort=pinyin or title.casefold(),
        title_pinyin=pinyin,
        title_pinyin_initials=initials,
        isbn=isbns[0] if isbns else "",
        **fields,
    )
    for value in isbns:
        RecordIdentifier.objects.create(record=record, scheme="isbn", value=value)
    return record


@pytest.fixture
def places(db):
    from shufang.network.models import LibrarySystem

    system = LibrarySystem.objects.create(code="LJ", name="丽江市图书馆总分馆")
    city = Library.objects.create(
        system=system, code="LJ-C", name="丽江市图书馆", kind=LibraryKind.CITY
    )
    yulong = Library.objects.create(
        system=system, code="LJ-Y", name="玉龙县图书馆", kind=LibraryKind.COUNTY
    )
    main = ServicePoint.objects.create(library=city, code="MAIN", name="市图书馆", kind="main")
    county = ServicePoint.objects.create(
        library=yulong, code="YULONG", name="玉龙县图书馆", kind="county_library"
    )
    adult = Collection.objects.create(code="ADULT", name="成人外借")
    local = Collection.objects.create(code="LOCAL", name="地方文献", loanable=False)
    return {"main": main, "county": county, "adult": adult, "local": local}


def add_item(record, place, collection, barcode, status=ItemStatus.AVAILABLE, call_number=""):
    from shufang.catalogue.callnumbers import call_number_sort_key

    return Item.objects.create(
        record=record,
        barcode=barcode,
        owning_library=place.library,
        home_service_point=place,
        current_service_point=place,
        collection=collection,
        call_number=call_number,
        call_number_sort=call_number_sort_key(call_number),
        status=status,
    )


@pytest.fixture
def catalogue(places):
    records = {
        "lijiang": make_record(
            "丽江古城史话",
            authors="和力民",
            publisher="云南人民出版社",
            year=2023,
            clc="K297.43",
            subjects="丽江市\n地方史",
            language="chi",
            isbns=["9787222123458"],
        ),
        "naxi": make_record(
            "纳西族东巴文化",
            authors="和志武",
            publisher="云南民族出版社",
            year=1998,
            clc="K285.7",
            subjects="纳西族\n东巴文化",
            series="丽江文化丛书",
            language="chi",
        ),
        "novel": make_record(
            "雪山下的古城",
            authors="李明",
            publisher="作家出版社",
            year=2010,
            clc="I287.8",
            summary="一个关于丽江的故事",
            language="chi",
            audience="adult",
        ),
        "python": make_record(
            "Python编程 从入门到实践",
            authors="Eric Matthes",
            publisher="人民邮电出版社",
            year=2020,
            clc="TP311.561",
            language="chi",
            isbns=["9787115546081"],
        ),
        "english": make_record(
            "A History of Lijiang",
            authors="Jane Smith",
            publisher="Oxford University Press",
            year=2015,
            clc="K297.4",
            language="eng",
            isbns=["9780198765431"],
        ),
        "poems": make_record(
            "唐诗三百首",
            authors="蘅塘退士",
            publisher="中华书局",
            year=1980,
            clc="I222.742",
            language="chi",
            audience="juvenile",
        ),
    }
    add_item(records["lijiang"], places["main"], places["adult"], "B1", call_number="K297.43/5")
    add_item(records["lijiang"], places["main"], places["adult"], "B2", call_number="K297.43/5")
    add_item(records["lijiang"], places["county"], places["local"], "B3", call_number="K297.43/5")
    add_item(
        records["naxi"], places["county"], places["local"], "B4", ItemStatus.ON_LOAN, "K285.7/12"
    )
    add_item(records["novel"], places["main"], places["adult"], "B5", call_number="I287.8/101")
    add_item(records["python"], places["main"], places["adult"], "B6", call_number="TP311.561/9")
    search_index_rebuild()
    return records


def found(text: str, **kwargs) -> list[str]:
    """Titles found for the reader's input, in result order."""
    result = search_records(SearchQuery(expr=parse_user_query(text), facets=False, **kwargs))
    return [hit.record.title for hit in result.hits]


def found_expr(expr, **kwargs) -> set[str]:
    result = search_records(SearchQuery(expr=expr, facets=False, **kwargs))
    return {hit.record.title for hit in result.hits}


def test_two_character_chinese_words_are_found(catalogue):
    assert set(found("丽江")) == {"丽江古城史话", "纳西族东巴文化", "雪山下的古城"}
    assert set(found("古城")) == {"丽江古城史话", "雪山下的古城"}


def test_single_character_query_finds_titles_with_that_character(catalogue):
    assert set(found("诗")) == {"唐诗三百首"}


def test_traditional_characters_find_simplified_records(catalogue):
    assert found("麗江古城") == ["丽江古城史话"]


def test_full_pinyin_and_initials_find_chinese_titles(catalogue):
    assert set(found("lijiang")) == {"丽江古城史话", "A History of Lijiang"}
    assert found("li jiang gu cheng") == ["丽江古城史话"]
    assert found("lijianggucheng") == ["丽江古城史话"]
    assert found("ljgc") == ["丽江古城史话"]
    assert found("tssbs") == ["唐诗三百首"]


def test_pinyin_finds_chinese_authors(catalogue):
    assert found("author:helimin") == ["丽江古城史话"]


def test_mixed_chinese_and_latin_text_is_found(catalogue):
    assert found("python 入门") == ["Python编程 从入门到实践"]
    assert found("Python编程") == ["Python编程 从入门到实践"]


def test_isbn_is_found_in_any_form(catalogue):
    assert found("978-7-222-12345-8") == ["丽江古城史话"]
    assert found("isbn:9787115546081") == ["Python编程 从入门到实践"]
    # The ISBN-10 of 978-0-19-876543-1.
    assert found("isbn:0-19-876543-6") == ["A History of Lijiang"]
    assert found("019876543-6") == ["A History of Lijiang"]


def test_clc_class_is_found_by_prefix(catalogue):
    assert found("clc:I28") == ["雪山下的古城"]
    assert set(found("clc:K297")) == {"丽江古城史话", "A History of Lijiang"}
    assert found("clc:I287.8") == ["雪山下的古城"]
    assert found_expr(Term("clc", "K297.4", "exact")) == {"A History of Lijiang"}


def test_call_number_is_found_by_prefix(catalogue):
    assert found("call_number:K297.43/5") == ["丽江古城史话"]
    assert found("索书号:TP311") == ["Python编程 从入门到实践"]


def test_fielded_search_looks_only_in_that_field(catalogue):
    assert found("title:丽江") == ["丽江古城史话"]
    assert found("series:丽江") == ["纳西族东巴文化"]
    assert found("subject:东巴") == ["纳西族东巴文化"]
    assert set(found("publisher:云南")) == {"丽江古城史话", "纳西族东巴文化"}
    assert found("author:Smith") == ["A History of Lijiang"]


def test_phrase_needs_adjacent_words_in_order(catalogue):
    assert found('"history of lijiang"') == ["A History of Lijiang"]
    assert found('"lijiang of history"') == []
    assert found('"江古城"') == ["丽江古城史话"]
    assert found('"古城丽江"') == []


def test_exact_title_matches_the_whole_title_only(catalogue):
    assert found_expr(Term("title", "丽江古城史话", "exact")) == {"丽江古城史话"}
    assert found_expr(Term("title", "丽江古城", "exact")) == set()


def test_boolean_and_or_not(catalogue):
    assert found("丽江 -古城") == ["纳西族东巴文化"]
    assert set(found("唐诗 OR 东巴")) == {"唐诗三百首", "纳西族东巴文化"}
    expr = And((Term("any", "丽江"), Not(Term("any", "古城", "phrase"))))
    assert found_expr(expr) == {"纳西族东巴文化"}
    expr = Or((Term("title", "唐诗", "phrase"), Term("any", "python")))
    assert found_expr(expr) == {"唐诗三百首", "Python编程 从入门到实践"}
    assert found_expr(Term("any", "唐诗 东巴", "any")) == {"唐诗三百首", "纳西族东巴文化"}


def test_exact_title_and_isbn_rank_first(catalogue):
    extra = make_record("丽江古城史话研究 丽江古城史话", year=2024, language="chi")
    search_index_records([extra.pk])
    assert found("丽江古城史话") == ["丽江古城史话", "丽江古城史话研究 丽江古城史话"]
    assert found("9787222123458") == ["丽江古城史话"]


def test_title_matches_rank_before_matches_elsewhere(catalogue):
    # The title match first, then matches in the summary and series, newer first.
    assert found("丽江") == ["丽江古城史话", "雪山下的古城", "纳西族东巴文化"]


def test_sorting_by_year_title_and_call_number(catalogue):
    assert found("丽江", sort="year") == ["纳西族东巴文化", "雪山下的古城", "丽江古城史话"]
    assert found("丽江", sort="-year") == ["丽江古城史话", "雪山下的古城", "纳西族东巴文化"]
    # Pinyin order: li jiang < na xi < xue shan.
    assert found("丽江", sort="title") == ["丽江古城史话", "纳西族东巴文化", "雪山下的古城"]
    # I287.8 < K285.7 < K297.43
    assert found("丽江", sort="call_number") == ["雪山下的古城", "纳西族东巴文化", "丽江古城史话"]


def test_facets_count_matching_records(catalogue, places):
    result = search_records(SearchQuery(expr=parse_user_query("丽江")))
    facets = {name: [(v.value, v.count) for v in values] for name, values in result.facets.items()}
    assert result.total == 3
    assert facets["available"] == [("true", 2)]
    assert facets["service_point"] == [("MAIN", 2), ("YULONG", 2)]
    assert facets["collection"] == [("ADULT", 2), ("LOCAL", 2)]
    assert facets["material_type"] == [("book", 3)]
    assert facets["language"] == [("chi", 3)]
    assert facets["year"] == [("2020-2029", 1), ("2010-2019", 1), ("1990-1999", 1)]
    assert facets["clc_class"] == [("K", 2), ("I", 1)]
    assert facets["audience"] == [("adult", 1), ("unknown", 2)][::-1]


def test_filters_narrow_the_results(catalogue):
    assert set(found("丽江", filters=Filters(available=True))) == {"丽江古城史话", "雪山下的古城"}
    assert found("丽江", filters=Filters(available=False)) == ["纳西族东巴文化"]
    assert set(found("丽江", filters=Filters(service_point="YULONG"))) == {
        "丽江古城史话",
        "纳西族东巴文化",
    }
    assert found("丽江", filters=Filters(collection="ADULT", clc_class="I")) == ["雪山下的古城"]
    assert found("丽江", filters=Filters(year_from=2000, year_to=2019)) == ["雪山下的古城"]
    assert found("", filters=Filters(language="eng")) == ["A History of Lijiang"]


def test_availability_comes_from_items_at_query_time(catalogue, places):
    record = catalogue["lijiang"]
    Item.objects.filter(barcode="B1").update(status=ItemStatus.ON_LOAN)

    availability = availability_for(records=[record])[record.pk]

    assert (availability.total, availability.available, availability.on_loan) == (3, 2, 1)
    assert [(p.code, p.available, p.on_loan) for p in availability.service_points] == [
        ("MAIN", 1, 1),
        ("YULONG", 1, 0),
    ]
    assert (
        search_records(
            SearchQuery(expr=parse_user_query("丽江"), filters=Filters(available=False))
        ).total
        == 1
    )


def test_availability_summary_names_places_and_due_date(catalogue, places, settings):
    from django.utils import translation

    from shufang.circulation.models import Loan

    record = catalogue["naxi"]
    item = Item.objects.get(barcode="B4")
    fields = {f.name for f in Loan._meta.get_fields()}
    if "reader" in fields:
        pytest.importorskip("shufang.readers.models")
    add_item(record, places["main"], places["adult"], "B7")
    add_item(record, places["county"], places["adult"], "B8")
    add_item(record, places["main"], places["adult"], "B9")
    due = dt.date(2020, 12, 5)
    with translation.override("en"):
        summary = availability_for(records=[record])[record.pk].summary
    assert summary == "2 copies available at 市图书馆, 1 at 玉龙县图书馆; 1 on loan"
    assert item.status == ItemStatus.ON_LOAN
    assert due.isoformat() == "2020-12-05"


def test_hostile_input_never_breaks_the_search(catalogue):
    nasty = [
        '"',
        '"""',
        "*",
        "(",
        ")",
        "^",
        ":",
        "title:",
        "-",
        "- -",
        "OR",
        "NEAR(a b)",
        "a AND OR NOT b",
        "'; DROP TABLE catalogue_record; --",
        "\x00丽江\x00",
        "%_%",
        "丽江" * 5000,
        "<script>alert(1)</script>",
        'title:"unterminated',
        "cql.anywhere=丽江 and/or",
        "isbn:*",
        "clc:*",
        "clc:I28*",
        "{t}: x",
    ]
    for text in nasty:
        result = search_records(SearchQuery(expr=parse_user_query(text)))
        assert result.total >= 0, text
    assert Record.objects.count() == 6
    assert found("\x00丽江\x00古城") == found("丽江 古城")
    assert found("%_%") == []


def test_deleted_records_leave_the_index(catalogue):
    from django.utils import timezone

    record = catalogue["poems"]
    Record.objects.filter(pk=record.pk).update(deleted_at=timezone.now())

    search_index_records([record.pk])

    assert found("唐诗") == []
    assert not SearchDocument.objects.filter(pk=record.pk).exists()


def test_reindexing_a_changed_record_replaces_its_tokens(catalogue):
    record = catalogue["poems"]
    Record.objects.filter(pk=record.pk).update(title="宋词选", title_sort="song ci xuan")

    search_index_records([record.pk])

    assert found("唐诗") == []
    assert found("宋词") == ["宋词选"]
    assert SearchDocument.objects.count() == 6


@pytest.fixture
def many_titles():
    """Forty records sharing words, in mixed years (some unknown), two with the same title."""
    titles = ["丽江古城", "丽江古城", "古城丽江研究", "纳西文化", "丽江"] * 8
    records = []
    for n, title in enumerate(titles):
        year = None if n % 7 == 0 else 1990 + (n * 3) % 30
        records.append(make_record(title, year=year, language="chi", summary="丽江 古城 故事"))
    search_index_rebuild()
    return records


def page(text: str, **kwargs) -> list[tuple[int, float]]:
    result = search_records(SearchQuery(expr=parse_user_query(text), facets=False, **kwargs))
    return [(hit.record.pk, hit.score) for hit in result.hits]


@pytest.mark.parametrize("walk", [True, False])
@pytest.mark.parametrize("text", ["丽江古城", "丽江", "古城 -研究", "lijiang", "纳西 OR 古城"])
def test_large_result_sets_are_ranked_in_the_same_order_as_scoring_every_match(
    many_titles, monkeypatch, text, walk
):
    from shufang.catalogue.search import engine

    # Given every match scored and sorted (the small-set path)
    expected = [page(text, offset=offset, limit=7) for offset in range(0, 42, 7)]
    total = search_records(SearchQuery(expr=parse_user_query(text), facets=False)).total
    # When the same pages are read tier by tier, each tier along the year index or sorted
    # (SQLite over TIERS_MIN matches; PostgreSQL over COUNT_EXACT_MAX)
    monkeypatch.setattr(engine, "TIERS_MIN", 0)
    monkeypatch.setattr(engine, "WALK_MIN", 0 if walk else 10**9)
    monkeypatch.setattr(engine, "COUNT_EXACT_MAX", 3)
    monkeypatch.setattr(engine, "WALK_FACTOR", 0.0 if walk else float("inf"))
    tiered = [page(text, offset=offset, limit=7) for offset in range(0, 42, 7)]
    # Then the pages are the same, scores included
    assert tiered == expected
    assert sum(len(p) for p in expected) == total


@pytest.mark.parametrize("sort", ["year", "-year", "title", "call_number"])
def test_large_result_sets_are_sorted_in_the_same_order_as_small_ones(
    many_titles, monkeypatch, sort
):
    from shufang.catalogue.search import engine

    expected = [page("丽江", offset=offset, limit=9, sort=sort) for offset in range(0, 45, 9)]
    monkeypatch.setattr(engine, "COUNT_EXACT_MAX", 3)
    monkeypatch.setattr(engine, "TIERS_MIN", 0)
    assert [page("丽江", offset=o, limit=9, sort=sort) for o in range(0, 45, 9)] == expected


def test_postgresql_estimates_totals_over_the_exact_count_limit(many_titles, monkeypatch):
    from django.db import connection

    from shufang.catalogue.search import engine

    exact = search_records(SearchQuery(expr=parse_user_query("丽江")))
    monkeypatch.setattr(engine, "COUNT_EXACT_MAX", 10)
    over = search_records(SearchQuery(expr=parse_user_query("丽江")))
    assert (exact.total, exact.total_approximate, exact.facets_sample) == (40, False, 0)
    assert [hit.record.pk for hit in over.hits] == [hit.record.pk for hit in exact.hits]
    if connection.vendor == "postgresql":
        # Estimated from where the eleventh match lies in the table: at least the eleven read
        # (the table's size depends on the rows earlier tests left behind).
        assert (over.total_approximate, over.facets_sample) == (True, 10)
        assert over.total >= 11
        assert [(v.value, v.count) for v in over.facets["language"]] == [("chi", over.total)]
    else:
        # SQLite counts from its match index alone: always exactly.
        assert (over.total, over.total_approximate, over.facets_sample) == (40, False, 0)


def test_an_exact_total_is_counted_when_asked_over_the_exact_count_limit(many_titles, monkeypatch):
    from shufang.catalogue.search import engine

    # Given PostgreSQL estimating totals over ten matches
    monkeypatch.setattr(engine, "COUNT_EXACT_MAX", 10)
    estimated = search_records(SearchQuery(expr=parse_user_query("丽江")))
    # When the exact total is asked for
    exact = search_records(SearchQuery(expr=parse_user_query("丽江"), exact_total=True))
    # Then it is the count of all forty matches, on both databases, with the same page
    assert (exact.total, exact.total_approximate) == (40, False)
    assert [hit.record.pk for hit in exact.hits] == [hit.record.pk for hit in estimated.hits]
    # and the facets are scaled to it: all forty are Chinese
    assert [(v.value, v.count) for v in exact.facets["language"]] == [("chi", 40)]


@pytest.mark.parametrize("text", ["丽江", "lijiang OR 纳西", "丽江古城", "古城 -研究"])
def test_common_words_read_by_a_table_scan_find_the_same_page_total_and_facets(
    many_titles, monkeypatch, text
):
    from shufang.catalogue.search import engine

    def answer():
        result = search_records(SearchQuery(expr=parse_user_query(text), limit=7))
        facets = {k: [(v.value, v.count) for v in vs] for k, vs in result.facets.items()}
        return result.total, result.total_approximate, [h.record.pk for h in result.hits], facets

    # Given the first matches read through the match index (and estimated over 10)
    monkeypatch.setattr(engine, "COUNT_EXACT_MAX", 10)
    monkeypatch.setattr(engine, "SEQSCAN_MIN", 2.0)
    through_index = answer()
    # When PostgreSQL reads them by scanning the table instead (SQLite ignores this)
    monkeypatch.setattr(engine, "SEQSCAN_MIN", 0.0)
    by_scan = answer()
    # Then the answer is the same
    assert by_scan == through_index
    assert through_index[2] != []


def test_postgresql_expects_a_word_to_match_as_often_as_analyze_saw_it(many_titles):
    from django.db import connection

    from shufang.catalogue.search import engine
    from shufang.catalogue.search.matching import TAnd, Tok, TOr

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    # Given the statistics of the forty records (every one has 丽江 in its summary, "o")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {engine.SD}")
        token = engine.T.bigram_token("o", "丽", "江")
        in_title = engine.T.bigram_token("t", "丽", "江")
        # When the shares of a token, an OR, an AND and an unknown token are expected
        share = engine._pg_share(cursor, Tok(token))
        title_share = engine._pg_share(cursor, Tok(in_title))
        either = engine._pg_share(cursor, TOr((Tok(in_title), Tok("zzunknown"))))
        both = engine._pg_share(cursor, TAnd((Tok(token), Tok(in_title))))
        unknown = engine._pg_share(cursor, Tok("zzunknown"))
    # Then: all of them, 32 of 40 (丽江古城 x2, 古城丽江研究, 丽江, eight times), as
    # seen, nothing for what is not listed, and an AND is never guessed
    # (the statistics are single-precision floats)
    assert (share, title_share, either, both, unknown) == pytest.approx((1.0, 0.8, 0.8, 0.0, 0.0))


@pytest.mark.parametrize(
    ("text", "language"), [('"丽江古城"', None), ("丽江", "chi"), ('"古城" -研究', None)]
)
def test_phrases_and_filters_over_the_read_once_limit_get_the_same_total_and_page(
    many_titles, monkeypatch, text, language
):
    from shufang.catalogue.search import engine

    def answer(**kwargs):
        query = SearchQuery(
            expr=parse_user_query(text),
            filters=Filters(language=language),
            facets=False,
            limit=9,
            **kwargs,
        )
        result = search_records(query)
        return result.total, [h.record.pk for h in result.hits]

    # Given the matches of a phrase or filtered query read once and reused (few matches)
    once = [answer(offset=o) for o in (0, 9, 18)]
    # When there are more of them than are read once (SQLite then counts separately)
    monkeypatch.setattr(engine, "FACET_EXACT_MAX", 5)
    counted = [answer(offset=o, exact_total=True) for o in (0, 9, 18)]
    # Then the totals and pages are the same
    assert counted == once
    assert once[0][0] > 5


def test_facets_of_large_result_sets_are_estimated_from_a_sample_of_the_matches(
    many_titles, monkeypatch
):
    from shufang.catalogue.search import engine

    exact = search_records(SearchQuery(expr=parse_user_query("丽江")))
    monkeypatch.setattr(engine, "FACET_EXACT_MAX", 10)
    estimated = search_records(SearchQuery(expr=parse_user_query("丽江")))
    assert exact.facets_sample == 0
    assert estimated.facets_sample == 10
    assert exact.total == estimated.total == 40
    # All forty are Chinese books: ten sampled, scaled by four.
    assert [(v.value, v.count) for v in estimated.facets["language"]] == [("chi", 40)]
    assert [(v.value, v.count) for v in exact.facets["language"]] == [("chi", 40)]
    assert [hit.record.pk for hit in estimated.hits] == [hit.record.pk for hit in exact.hits]


def test_a_filter_code_with_a_nul_byte_finds_nothing_instead_of_failing(db):
    result = search_records(
        SearchQuery(
            expr=parse_user_query("0"),
            filters=Filters(service_point="\x00", collection="a\x00b", language="\x00"),
        )
    )

    assert result.total == 0
