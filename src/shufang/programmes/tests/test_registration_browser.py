"""Registration and attendance in a real headless Chromium: a reader signs up on the public
events page, the events officer checks the reader in and records the head-count."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.utils import timezone

from shufang.core.audit import Actor
from shufang.operations.tests.fixtures import PASSWORD, build_lijiang
from shufang.programmes.models import Registration
from shufang.programmes.services import event_create

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Any:
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
def test_a_reader_signs_up_and_staff_check_her_in(live_server: Any, page: Any) -> None:
    lj = build_lijiang()
    lj.reader("和丽梅", "LJ0000001")
    start = timezone.now() + dt.timedelta(hours=2)
    event = event_create(library=lj.library, title="丽图周末故事会", kind="story", starts_at=start,
                         ends_at=start + dt.timedelta(hours=1), service_point=lj.main, capacity=20,
                         registration_open=True, actor=Actor.system("tests"))  # fmt: skip

    # The reader logs in with her card and signs up
    page.goto(f"{live_server.url}/account/login/")
    page.fill("input[name=card_number]", "LJ0000001")
    page.fill("input[name=pin]", "2468")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/account/")
    page.goto(f"{live_server.url}/events/{event.pk}/")
    page.click("button.sign-up")
    page.wait_for_selector("p.registration")
    assert list(Registration.objects.values_list("status", "channel")) == [("confirmed", "opac")]
    assert page.locator("dd.places").inner_text() == "19"

    # The events officer checks her in and records the head-count
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", "events")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/staff/")
    page.goto(f"{live_server.url}/staff/programmes/{event.pk}/")
    assert page.locator("table.registrations tbody td").first.inner_text() == "和*梅"
    with page.expect_navigation():
        page.click("button.check-in")
    assert page.locator("dd.attendance").inner_text() == "1"
    page.fill("#head_count", "23")
    with page.expect_navigation():
        page.press("#head_count", "Enter")

    assert page.locator("dd.attendance").inner_text() == "23"
    assert Registration.objects.get().checked_in_at is not None
    event.refresh_from_db()
    assert (event.status, event.head_count) == ("held", 23)
