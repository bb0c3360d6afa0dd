"""A staff member's first minute in a real headless Chromium (the system's, never a
downloaded one): log in, scan a card, see the masked ID number, switch to English."""

from __future__ import annotations

import os
from typing import Any

import pytest

from shufang.web.tests.fixtures import PASSWORD, build_network

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
def page(monkeypatch: pytest.MonkeyPatch) -> Any:
    if not os.path.exists(CHROMIUM):
        pytest.skip("no system Chromium at /usr/bin/chromium")
    monkeypatch.setenv("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    # Playwright's sync API runs an event loop; Django's async-safety check must allow the
    # live server's database calls made from this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # A desk browser in Lijiang asks for Chinese, as the library's machines do.
        context = browser.new_context(viewport={"width": 1100, "height": 800}, locale="zh-CN")
        yield context.new_page()
        context.close()
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_scans_a_card_and_switches_to_english(live_server: Any, page: Any) -> None:
    net = build_network()
    page.goto(f"{live_server.url}/staff/")

    # Redirected to the login page, whose first field has the focus.
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type("desk_a")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/staff/")
    page.goto(f"{live_server.url}/staff/readers/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("LJ0000001")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/staff/readers/{net.reader_a.pk}/")

    assert page.locator("h1").inner_text() == "和丽梅"
    assert page.locator(".id-number").inner_text() == "5307**********1234"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.screenshot(path=f"{SCREENSHOT_DIR}/shufang-reader-zh.png", full_page=True)

    page.click("button[name=language][value=en]")
    page.wait_for_load_state()

    assert page.url == f"{live_server.url}/staff/readers/{net.reader_a.pk}/"
    assert page.locator("html").get_attribute("lang") == "en"
    # The English source strings are what an English page shows, compiled catalogue or not.
    assert page.locator("h2").first.inner_text() == "Cards"
    assert page.locator(".id-number").inner_text() == "5307**********1234"
    page.screenshot(path=f"{SCREENSHOT_DIR}/shufang-reader-en.png", full_page=True)
