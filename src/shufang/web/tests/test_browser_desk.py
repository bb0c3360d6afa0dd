"""Ms He at the desk in a real headless Chromium, keyboard only: log in, scan a card, scan two
items (one lends, one is refused with its reason), F3 to returns, scan, read the routing
message, in Chinese; then switch to English."""

from __future__ import annotations

from typing import Any

import pytest

from shufang.web.tests.desk_fixtures import build_desk
from shufang.web.tests.fixtures import PASSWORD, build_network
from shufang.web.tests.test_browser import SCREENSHOT_DIR, page  # noqa: F401

pytest.importorskip("playwright.sync_api")


READY = (
    "document.activeElement.id === 'scan' && document.activeElement.value === ''"
    " && !document.querySelector('.htmx-request')"
)


def scan(tab: Any, value: str) -> None:
    """A scanner types the barcode and presses Enter into whatever has the focus: the scan
    field, empty again once the previous answer is in."""
    tab.wait_for_function(READY)
    tab.keyboard.type(value)
    tab.keyboard.press("Enter")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_desk_lends_refuses_and_returns_with_the_keyboard_only(
    live_server: Any,
    page: Any,  # noqa: F811
) -> None:
    desk = build_desk(build_network())
    page.goto(f"{live_server.url}/staff/circulation/")
    page.keyboard.type("desk_a")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/staff/circulation/")
    assert page.locator(".desk-point").inner_text() == "总馆"

    scan(page, "LJ0000001")
    page.wait_for_selector("#reader-name")
    assert page.locator("#reader-name").inner_text() == "和丽梅"
    assert page.locator("#reader-panel .id-number").inner_text() == "5307**********1234"

    scan(page, "C0000001")
    page.wait_for_selector('#scan-log li[data-kind="lent"]')
    scan(page, "C0000003")
    refused = page.locator('#scan-log li[data-kind="blocked"]')
    refused.wait_for()
    assert (
        refused.locator("[data-code=item_on_hold_for_another]")
        .inner_text()
        .startswith("该复本已为其他读者预留")
    )
    assert page.locator('#reader-loans tr[data-barcode="C0000001"]').count() == 1
    page.wait_for_function(READY)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.screenshot(path=f"{SCREENSHOT_DIR}/shufang-desk-lend-zh.png", full_page=True)

    page.keyboard.press("F3")
    page.wait_for_url(f"{live_server.url}/staff/circulation/return/")
    scan(page, "C0000001")
    routing = page.locator("#scan-log li.route-shelf .routing")
    routing.wait_for()
    assert "I242.4/1" in routing.inner_text()
    page.wait_for_function(READY)
    page.screenshot(path=f"{SCREENSHOT_DIR}/shufang-desk-return-zh.png", full_page=True)
    assert desk.net.item.loans.get().returned_at is not None

    page.click("button[name=language][value=en]")
    page.wait_for_url(f"{live_server.url}/staff/circulation/return/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("label[for=scan]").inner_text() == "Scan a returned item"
    assert page.locator(".desk-bar a[aria-current]").inner_text().startswith("Return")
    page.keyboard.press("F2")
    page.wait_for_url(f"{live_server.url}/staff/circulation/")
    assert page.locator("label[for=scan]").inner_text() == "Scan a card or an item"
    page.screenshot(path=f"{SCREENSHOT_DIR}/shufang-desk-lend-en.png", full_page=True)
