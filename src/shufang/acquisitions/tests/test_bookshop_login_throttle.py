"""The bookshop terminal page throttles sign-ins: 5 failures per terminal code or per address
within 15 minutes, then a clear refusal (429) that does not even check the secret."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from shufang.acquisitions.services.bookshop import terminal_create
from shufang.core import throttle
from shufang.web.bookshop.views import TOO_MANY_FAILURES

pytestmark = pytest.mark.django_db
LOGIN = "/bookshop/login/"


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


@pytest.fixture
def shop(acq):
    terminal, secret = terminal_create(
        code="XH-GC",
        name="新华书店古城店",
        vendor=acq.vendor,
        service_point=acq.net.point_a,
        collection=acq.net.collection,
        budget_line=acq.suggestions_line,
        actor=acq.actor,
    )
    return terminal, secret


def in_page_language(html: str, message: object) -> str:
    """`message` as the page shows it, in the language the page was rendered in."""
    found = re.search(r'<html lang="([^"]+)"', html)
    with translation.override(found.group(1) if found else "zh-hans"):
        return escape(str(message))


def attempt(code: str, secret: str, ip: str = "10.0.0.1") -> int:
    response = Client(REMOTE_ADDR=ip).post(LOGIN, {"code": code, "secret": secret})
    return response.status_code


def test_after_five_failures_even_the_right_secret_is_refused(shop) -> None:
    _terminal, secret = shop
    failures = [attempt("XH-GC", f"guess-{n}", ip=f"10.0.0.{n}") for n in range(5)]

    client = Client(REMOTE_ADDR="10.0.1.1")
    response = client.post(LOGIN, {"code": "XH-GC", "secret": secret})

    assert failures == [200] * 5
    assert response.status_code == 429
    html = response.content.decode()
    assert in_page_language(html, TOO_MANY_FAILURES % {"minutes": 15}) in html
    assert client.get("/bookshop/")["Location"] == "/bookshop/login/"


def test_four_failures_do_not_stop_the_right_secret(shop) -> None:
    _terminal, secret = shop
    for n in range(4):
        attempt("XH-GC", f"guess-{n}")

    response = Client(REMOTE_ADDR="10.0.0.1").post(LOGIN, {"code": "XH-GC", "secret": secret})

    assert response.status_code == 302
    assert response["Location"] == "/bookshop/"


def test_one_address_trying_many_codes_is_refused_after_five(shop) -> None:
    _terminal, secret = shop
    for n in range(5):
        attempt(f"SHOP-{n}", "guess", ip="10.9.9.9")

    from_that_address = attempt("XH-GC", secret, ip="10.9.9.9")
    from_elsewhere = attempt("XH-GC", secret, ip="10.9.9.10")

    assert (from_that_address, from_elsewhere) == (429, 302)


def test_the_refusal_ends_when_the_window_has_passed(shop, settings, monkeypatch) -> None:
    # the throttle's clock is the test's: the attempts' own duration cannot end the window
    clock = [time.time()]
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: clock[0]))
    settings.BOOKSHOP_LOGIN_WINDOW_SECONDS = 60
    _terminal, secret = shop
    for n in range(5):
        attempt("XH-GC", f"guess-{n}", ip=f"10.0.0.{n}")
    clock[0] += 59
    assert attempt("XH-GC", secret, ip="10.0.2.1") == 429

    clock[0] += 2

    assert attempt("XH-GC", secret, ip="10.0.2.1") == 302
