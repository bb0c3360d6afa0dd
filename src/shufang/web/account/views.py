"""The reader's own session: card number and PIN at /account/login/. It keeps only the
reader's id in the session and never logs a Django user in, so it grants no staff access."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shufang.readers.models import Reader

READER_SESSION_KEY = "shufang_reader_id"


class ReaderLoginForm(forms.Form):
    card_number = forms.CharField(label=_("Card number"), max_length=32)
    pin = forms.CharField(label=_("PIN"), max_length=32, widget=forms.PasswordInput)


def session_reader(request: HttpRequest) -> Reader | None:
    reader_id = request.session.get(READER_SESSION_KEY)
    if reader_id is None:
        return None
    return (
        Reader.objects.select_related("category", "home_service_point").filter(pk=reader_id).first()
    )


def _authenticate(card_number: str, pin: str) -> Any:
    from shufang.readers.selectors import reader_by_card_number
    from shufang.readers.services import reader_check_pin

    reader = reader_by_card_number(number=card_number)
    if reader is None or not reader_check_pin(reader=reader, pin=pin):
        return None
    return reader


def account_login(request: HttpRequest) -> HttpResponse:
    form = ReaderLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reader = _authenticate(form.cleaned_data["card_number"].strip(), form.cleaned_data["pin"])
        if reader is not None:
            request.session.cycle_key()
            request.session[READER_SESSION_KEY] = reader.pk
            return redirect("web:account")
        form.add_error(None, _("The card number or PIN is not correct."))
    return render(request, "web/account/login.html", {"form": form})


@require_POST
def account_logout(request: HttpRequest) -> HttpResponse:
    request.session.pop(READER_SESSION_KEY, None)
    return redirect("web:home")


def account_home(request: HttpRequest) -> HttpResponse:
    reader = session_reader(request)
    if reader is None:
        return redirect("web:account-login")
    cards = reader.cards.order_by("-issued_at")
    return render(request, "web/account/home.html", {"reader": reader, "cards": cards})
