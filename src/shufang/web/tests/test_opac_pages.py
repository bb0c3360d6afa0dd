"""The public catalogue pages through Django's test client: search, facets, sorting, paging,
record page with holdings and the MARC view, holds, browsing by class, new arrivals."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from shufang.catalogue.models import Record
from shufang.circulation.models import Hold
from shufang.web.tests.fixtures import READER_PIN, Network
from shufang.web.tests.opac_helpers import build_catalogue

pytestmark = pytest.mark.django_db


def titles(html: str) -> list[str]:
    return re.findall(r'<a class="title" href="/record/\d+/">([^<]*)</a>', html)


def login(client: Client, card: str = "LJ0000001") -> Client:
    response = client.post("/account/login/", {"card_number": card, "pin": READER_PIN})
    assert response.status_code == 302
    return client


def test_home_page_offers_search_and_the_classes_present(net: Network) -> None:
    build_catalogue(net)

    response = Client().get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="q"' in html
    assert (
        '<a href="/browse/clc/?p=K"><span class="code">K</span>历史、地理</a> <span class="count">(3)</span>'
        in html
    )


def test_chinese_word_finds_the_titles_containing_it(net: Network) -> None:
    build_catalogue(net)

    response = Client().get("/", {"q": "丽江"})

    html = response.content.decode()
    assert sorted(titles(html)) == ["丽江古城史话", "丽江民歌选"]
    assert 'id="result-count">2' in html


def test_results_show_availability_per_service_point(net: Network) -> None:
    records = build_catalogue(net)

    html = Client().get("/", {"q": "丽江古城史话"}).content.decode()

    assert titles(html)[0] == "丽江古城史话"
    assert "总馆" in html and "宁蒗县图书馆本馆" in html
    assert records["丽江古城史话"].items.count() == 2


def test_facet_link_filters_and_keeps_the_query(net: Network) -> None:
    build_catalogue(net)
    client = Client()
    html = client.get("/", {"q": "丽江"}).content.decode()
    link = re.search(r'<a href="(\?[^"]*service_point=CN-530724-MAIN[^"]*)"', html)
    assert link is not None

    filtered = client.get("/" + link.group(1).replace("&amp;", "&")).content.decode()

    assert "q=%E4%B8%BD%E6%B1%9F" in link.group(1)
    assert titles(filtered) == ["丽江古城史话"]
    assert 'class="active" aria-current="true"' in filtered


def test_sort_by_year_orders_the_results(net: Network) -> None:
    build_catalogue(net)

    newest = Client().get("/", {"q": "云南人民出版社", "sort": "-year"}).content.decode()
    oldest = Client().get("/", {"q": "云南人民出版社", "sort": "year"}).content.decode()

    assert titles(newest) == [
        "丽江民歌选",
        "玉龙雪山植物志",
        "丽江古城史话",
        "纳西东巴文化研究",
        "Lijiang: the old town",
    ]
    assert titles(oldest) == list(reversed(titles(newest)))


def test_paging_walks_the_results_twenty_at_a_time(
    net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shufang.web.opac import views

    build_catalogue(net)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client = Client()

    first = client.get("/", {"q": "云南人民出版社", "sort": "-year"}).content.decode()
    third = client.get("/", {"q": "云南人民出版社", "sort": "-year", "page": "3"}).content.decode()

    assert titles(first) == ["丽江民歌选", "玉龙雪山植物志"]
    assert titles(third) == ["Lijiang: the old town"]
    assert 'rel="next"' in first and 'rel="next"' not in third


def test_advanced_search_combines_fields(net: Network) -> None:
    build_catalogue(net)

    html = Client().get("/", {"title": "丽江", "author": "木丽春"}).content.decode()

    assert titles(html) == ["丽江古城史话"]


def test_record_page_shows_holdings_due_dates_and_the_marc_view(net: Network) -> None:
    from shufang.catalogue.models import Item

    records = build_catalogue(net)
    record = records["丽江古城史话"]
    due = timezone.make_aware(dt.datetime(2031, 12, 5, 23, 59))
    from shufang.circulation.models import Loan

    item = Item.objects.get(barcode="B0000001")
    Item.objects.filter(pk=item.pk).update(status="on_loan")
    Loan.objects.create(
        item=item, reader=net.reader_b, service_point=net.point_b, channel="desk", due_at=due
    )

    html = Client().get(f"/record/{record.pk}/").content.decode()

    assert "<h1>丽江古城史话</h1>" in html
    assert "2031-12-05" in html
    assert (
        '<td class="tag">245</td><td class="ind">1#</td><td><span class="code">$a</span>丽江古城史话 </td>'
        in html
    )
    assert 'id="login-to-hold"' in html
    assert f"/account/login/?next=/record/{record.pk}/" in html


def test_reader_places_a_hold_from_the_record_page(net: Network) -> None:
    records = build_catalogue(net)
    record = records["纳西东巴文化研究"]
    client = login(Client())

    page = client.get(f"/record/{record.pk}/").content.decode()
    response = client.post(f"/record/{record.pk}/hold/", {"pickup": net.point_b.pk})

    assert '<select id="pickup" name="pickup">' in page
    assert response.status_code == 302
    hold = Hold.objects.get()
    assert (hold.reader_id, hold.record_id, hold.pickup_service_point_id, hold.channel) == (
        net.reader_a.pk,
        record.pk,
        net.point_b.pk,
        "opac",
    )


def test_hold_without_login_goes_to_login_and_places_nothing(net: Network) -> None:
    records = build_catalogue(net)
    record = records["纳西东巴文化研究"]

    response = Client().post(f"/record/{record.pk}/hold/", {"pickup": net.point_a.pk})

    assert response.status_code == 302
    assert response["Location"] == f"/account/login/?next=%2Frecord%2F{record.pk}%2F"
    assert Hold.objects.count() == 0


def test_login_with_next_returns_to_the_record(net: Network) -> None:
    records = build_catalogue(net)
    path = f"/record/{records['丽江民歌选'].pk}/"

    response = Client().post(
        "/account/login/", {"card_number": "LJ0000001", "pin": READER_PIN, "next": path}
    )
    offsite = Client().post(
        "/account/login/",
        {"card_number": "LJ0000001", "pin": READER_PIN, "next": "https://evil.example/"},
    )

    assert response["Location"] == path
    assert offsite["Location"] == "/account/"


def test_deleted_record_page_is_not_found(net: Network) -> None:
    records = build_catalogue(net)
    record = records["丽江民歌选"]
    Record.objects.filter(pk=record.pk).update(deleted_at=timezone.now())

    assert Client().get(f"/record/{record.pk}/").status_code == 404


def test_browse_by_class_lists_subdivisions_present(net: Network) -> None:
    build_catalogue(net)

    main = Client().get("/browse/clc/").content.decode()
    k = Client().get("/browse/clc/", {"p": "K"}).content.decode()
    k2 = Client().get("/browse/clc/", {"p": "K2"}).content.decode()

    assert main.count('<span class="code">') == 22
    assert re.findall(
        r'<span class="code">([^<]+)</span></a> <span class="count">\((\d+)\)', k
    ) == [
        ("K2", "2"),
        ("K9", "1"),
    ]
    assert re.findall(
        r'<span class="code">([^<]+)</span></a> <span class="count">\((\d+)\)', k2
    ) == [
        ("K28", "1"),
        ("K29", "1"),
    ]


def test_new_arrivals_lists_recent_acquisitions_newest_first(net: Network) -> None:
    from shufang.catalogue.models import Item

    today = timezone.localdate()
    build_catalogue(net, acquired_on=today - dt.timedelta(days=400))
    Item.objects.filter(barcode="A0000005").update(acquired_on=today - dt.timedelta(days=3))
    Item.objects.filter(barcode="A0000002").update(acquired_on=today - dt.timedelta(days=10))

    html = Client().get("/new/").content.decode()

    assert titles(html) == ["丽江民歌选", "玉龙雪山植物志"]


def test_data_in_pages_is_escaped(net: Network) -> None:
    from shufang.catalogue.search.indexing import search_index_records

    build_catalogue(net)
    Record.objects.filter(pk=net.record.pk).update(title="<script>alert(1)</script>红楼梦")
    search_index_records([net.record.pk])

    results = Client().get("/", {"q": '红楼梦 "><b>x</b>'}).content.decode()
    record = Client().get(f"/record/{net.record.pk}/").content.decode()

    assert "<script>alert(1)" not in results and "<script>alert(1)" not in record
    assert "&lt;script&gt;alert(1)&lt;/script&gt;红楼梦" in record
    assert "<b>x</b>" not in results


def test_facet_counts_of_a_large_result_set_are_shown_as_approximate(
    net: Network, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    from shufang.catalogue.search import engine

    # Given a result set larger than the facets are counted exactly for
    build_catalogue(net)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    exact = client.get("/", {"q": "丽江"}).content.decode()
    monkeypatch.setattr(engine, "FACET_EXACT_MAX", 1)

    # When the results page is shown
    sampled = client.get("/", {"q": "丽江"}).content.decode()

    # Then the page says the counts are estimates, and says so only then
    assert 'id="facets-approximate"' in sampled
    assert '<span class="count">about 2</span>' in sampled
    assert 'id="facets-approximate"' not in exact
    assert '<span class="count">2</span>' in exact
    assert sorted(titles(sampled)) == sorted(titles(exact)) == ["丽江古城史话", "丽江民歌选"]


def test_an_estimated_total_is_shown_as_approximate(
    net: Network, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    from shufang.catalogue.search import engine

    build_catalogue(net)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    exact = client.get("/", {"q": "丽江"}).content.decode()
    monkeypatch.setattr(engine, "COUNT_EXACT_MAX", 1)

    estimated = client.get("/", {"q": "丽江"}).content.decode()

    assert 'id="result-count">2 results' in exact
    if connection.vendor == "postgresql":
        # PostgreSQL counts over COUNT_EXACT_MAX matches by estimate.
        assert re.search(r'id="result-count">about \d+ results', estimated)
    else:
        assert 'id="result-count">2 results' in estimated
