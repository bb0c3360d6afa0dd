"""The partner bookshop's own page (你选书我买单): the shop signs in with its terminal's code
and secret (never a staff login), then submits a reader's card number and the book's ISBN,
price and title. It calls the same service as the terminal API (`bookshop_lend`), with an
idempotency key put in the form when it is shown, so a form sent twice lends once."""

from __future__ import annotations

import uuid

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shufang.acquisitions.errors import RequestReplayed
from shufang.acquisitions.models import BookshopPurchase, BookshopTerminal
from shufang.acquisitions.services.bookshop import bookshop_lend, terminal_authenticate
from shufang.core.exceptions import ShufangError
from shufang.web.bookshop import throttle

SESSION_KEY = "shufang_bookshop_terminal"
TOO_MANY_FAILURES = _(
    "Too many failed attempts. Please wait %(minutes)d minutes and try again, or call the library."
)


def session_terminal(request: HttpRequest) -> BookshopTerminal | None:
    """The terminal signed in on this browser, while it is active and its secret unchanged."""
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return None
    terminal_id = stored.get("id")
    if not isinstance(terminal_id, int):
        return None
    return (
        BookshopTerminal.objects.select_related("service_point")
        .filter(pk=terminal_id, active=True, secret_digest=str(stored.get("digest", "")))
        .first()
    )


class TerminalLoginForm(forms.Form):
    code = forms.CharField(label=_("Terminal code"), max_length=32)
    secret = forms.CharField(label=_("Secret"), max_length=200, widget=forms.PasswordInput)


def login(request: HttpRequest) -> HttpResponse:
    """Signs a terminal in; throttled per terminal code and per address (see `throttle`):
    once refused, the secret is not even checked, and the answer is a 429."""
    form = TerminalLoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        ip = str(request.META.get("REMOTE_ADDR", ""))
        if throttle.login_blocked(code=code, ip=ip):
            form.add_error(
                None,
                TOO_MANY_FAILURES % {"minutes": throttle.window_seconds() // 60},
            )
            status = 429
        else:
            try:
                terminal = terminal_authenticate(code=code, secret=form.cleaned_data["secret"])
            except ShufangError as error:
                throttle.login_failed(code=code, ip=ip)
                form.add_error(None, error.message)
            else:
                throttle.login_succeeded(code=code)
                request.session.cycle_key()
                request.session[SESSION_KEY] = {
                    "id": terminal.pk,
                    "digest": terminal.secret_digest,
                }
                return redirect("web:bookshop-lend")
    return render(request, "web/bookshop/login.html", {"form": form}, status=status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect("web:bookshop-login")


class LendForm(forms.Form):
    card_number = forms.CharField(label=_("Reader's card number"), max_length=32)
    isbn = forms.CharField(label=_("ISBN"), max_length=20)
    price = forms.DecimalField(label=_("Price"), max_digits=10, decimal_places=2, min_value=0)
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    authors = forms.CharField(label=_("Author"), max_length=500, required=False)
    publisher = forms.CharField(label=_("Publisher"), max_length=300, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)


def lend(request: HttpRequest) -> HttpResponse:
    terminal = session_terminal(request)
    if terminal is None:
        return redirect("web:bookshop-login")
    fresh = {"idempotency_key": uuid.uuid4().hex}
    form = LendForm(request.POST or None, initial=fresh)
    purchase: BookshopPurchase | None = None
    replayed = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            purchase = bookshop_lend(terminal=terminal, **data)
        except RequestReplayed as error:
            replayed = True
            purchase = (
                BookshopPurchase.objects.select_related("item__record", "loan")
                .filter(pk=int(error.details.get("purchase") or 0))
                .first()
            )
        except ShufangError as error:
            form.add_error(None, error.message)
        if purchase is not None:
            form = LendForm(initial=fresh)
    return render(
        request,
        "web/bookshop/lend.html",
        {"terminal": terminal, "form": form, "purchase": purchase, "replayed": replayed},
    )
