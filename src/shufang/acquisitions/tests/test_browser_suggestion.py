"""In a real headless Chromium: a reader suggests a book from their account, staff approve
it onto an order, and the reader sees the decision."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.utils import translation

from shufang.acquisitions.models import OrderLine, Suggestion, SuggestionStatus
from shufang.acquisitions.tests.conftest import build_acq
from shufang.web.tests.fixtures import PASSWORD, READER_PIN

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


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Any:
    if not os.path.exists(CHROMIUM):
        pytest.skip("no system Chromium at /usr/bin/chromium")
    monkeypatch.setenv("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1100, "height": 800}, locale="zh-CN")
        yield context.new_page()
        context.close()
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reader_suggests_a_book_and_staff_approve_it(live_server: Any, browser_page: Any) -> None:
    acq = build_acq()
    page = browser_page

    # the reader suggests a title from their account
    page.goto(f"{live_server.url}/account/login/")
    page.fill("#id_card_number", "LJ0000001")
    page.fill("#id_pin", READER_PIN)
    page.press("#id_pin", "Enter")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/account/suggestions/")
    page.fill("#id_isbn", "978-7-5442-9117-0")
    page.fill("#id_title", "百年孤独")
    page.fill("#id_price", "55.00")
    page.click("#suggest-form button[type=submit]")
    page.wait_for_load_state()
    suggestion = Suggestion.objects.get()
    assert (suggestion.isbn, suggestion.status) == ("9787544291170", SuggestionStatus.PENDING)
    assert page.locator("#my-suggestions tbody tr").count() == 1

    # staff review it and approve it onto the open order
    staff = page.context.new_page()
    staff.goto(f"{live_server.url}/staff/login/")
    staff.fill("#id_username", "acq_a")
    staff.fill("#id_password", PASSWORD)
    staff.press("#id_password", "Enter")
    staff.wait_for_url(f"{live_server.url}/staff/")
    staff.goto(f"{live_server.url}/staff/acquisitions/suggestions/")
    staff.click("#suggestions a")
    staff.wait_for_url(f"{live_server.url}/staff/acquisitions/suggestions/{suggestion.pk}/")
    assert staff.locator("#rules-ok").count() == 1
    staff.select_option("#id_order", str(acq.order.pk))
    staff.click("#approve")
    staff.wait_for_load_state()

    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.APPROVED
    line = OrderLine.objects.get(suggestion=suggestion)
    assert (line.order, line.copies, str(line.unit_price)) == (acq.order, 1, "55.00")

    # and the reader sees the decision
    page.reload()
    with translation.override("zh-hans"):
        approved = str(SuggestionStatus.APPROVED.label)
    assert page.locator("#my-suggestions .status").inner_text() == approved
