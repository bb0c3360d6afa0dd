"""A reader on a phone in a real headless Chromium (the system's): search in Chinese and in
pinyin, narrow by a facet, open a record, log in from it, place a hold, renew a loan, cancel
the hold, switch to English. Screenshots of the phone layout go to /tmp."""

from __future__ import annotations

import os
from typing import Any

import pytest

from shufang.catalogue.models import Item
from shufang.circulation.models import Hold, HoldStatus, Loan
from shufang.circulation.services.checkout import loan_checkout
from shufang.core.audit import Actor
from shufang.web.tests.fixtures import READER_PIN, build_network
from shufang.web.tests.opac_helpers import build_catalogue

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOT_DIR = os.environ.get("SHUFANG_SCREENSHOT_DIR", "/tmp")


@pytest.fixture
def phone(monkeypatch: pytest.MonkeyPatch) -> Any:
    if not os.path.exists(CHROMIUM):
        pytest.skip("no system Chromium at /usr/bin/chromium")
    monkeypatch.setenv("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 375, "height": 812},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
        )
        yield context.new_page()
        context.close()
        browser.close()


def result_titles(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("ol.results a.title").all_inner_texts()]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reader_searches_holds_renews_and_switches_language(live_server: Any, phone: Any) -> None:
    page = phone
    net = build_network()
    records = build_catalogue(net)
    loan = loan_checkout(
        item=Item.objects.get(barcode="A0000003"),
        reader=net.reader_a,
        service_point=net.point_a,
        actor=Actor.system("tests"),
    )
    url = live_server.url

    # Search in Chinese from the home page.
    page.goto(f"{url}/")
    page.fill("#q", "丽江")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert sorted(result_titles(page)) == ["丽江古城史话", "丽江民歌选"]
    page.screenshot(path=f"{SCREENSHOT_DIR}/shufang-opac-results-phone.png", full_page=True)

    # In pinyin.
    page.fill("#q", "lijiang gucheng")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert result_titles(page)[0] == "丽江古城史话"

    # A facet: copies at the county library.
    page.fill("#q", "丽江")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    with page.expect_navigation():
        page.locator(".facets a", has_text="宁蒗县图书馆本馆").first.click()
    assert result_titles(page) == ["丽江古城史话"]
    assert page.input_value("#q") == "丽江"

    # Open the record; log in from it; come back and place a hold.
    with page.expect_navigation():
        page.click("ol.results a.title")
    assert page.locator("h1").inner_text() == "丽江古城史话"
    page.screenshot(path=f"{SCREENSHOT_DIR}/shufang-opac-record-phone.png", full_page=True)
    page.click("#login-to-hold")
    page.fill("#id_card_number", "LJ0000001")
    page.fill("#id_pin", READER_PIN)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/record/{records['丽江古城史话'].pk}/")
    page.select_option("#pickup", str(net.point_b.pk))
    with page.expect_navigation():
        page.click("#place-hold")
    hold = Hold.objects.get(reader=net.reader_a)
    assert (hold.record_id, hold.pickup_service_point_id) == (
        records["丽江古城史话"].pk,
        net.point_b.pk,
    )

    # The account: renew the loan, cancel the hold.
    page.goto(f"{url}/account/")
    with page.expect_navigation():
        page.click(f"[data-loan='{loan.pk}'] button.renew")
    assert Loan.objects.get(pk=loan.pk).renewals == 1
    page.screenshot(path=f"{SCREENSHOT_DIR}/shufang-opac-account-phone.png", full_page=True)
    with page.expect_navigation():
        page.click(f"[data-hold='{hold.pk}'] button.cancel-hold")
    assert Hold.objects.get(pk=hold.pk).status == HoldStatus.CANCELLED
    assert page.locator("[data-hold]").count() == 0

    # English.
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    with page.expect_navigation():
        page.click("button[name=language][value=en]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "My account"
    page.screenshot(path=f"{SCREENSHOT_DIR}/shufang-opac-account-en-phone.png", full_page=True)
