"""The reader's suggestions (荐购) in their account: suggest a title, see what became of it
(with the reason when declined)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.selectors import reader_suggestions
from shufang.acquisitions.services.suggestions import suggestion_submit
from shufang.core.audit import Actor
from shufang.core.exceptions import ShufangError
from shufang.core.models import Channel
from shufang.web.account.views import session_reader


class SuggestionForm(forms.Form):
    isbn = forms.CharField(label=_("ISBN"), max_length=20, required=False)
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    authors = forms.CharField(label=_("Author"), max_length=500, required=False)
    publisher = forms.CharField(label=_("Publisher"), max_length=300, required=False)
    price = forms.DecimalField(label=_("Price"), max_digits=10, decimal_places=2, required=False)
    note = forms.CharField(label=_("Why the library should buy it"), max_length=500, required=False)


def account_suggestions(request: HttpRequest) -> HttpResponse:
    reader = session_reader(request)
    if reader is None:
        return redirect("web:account-login")
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            suggestion_submit(
                reader=reader,
                library=reader.home_service_point.library,
                channel="account",
                actor=Actor(user=None, channel=Channel.OPAC, label=f"reader:{reader.pk}"),
                **data,
            )
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you: your suggestion was sent to the library."))
            return redirect("web:account-suggestions")
    return render(
        request,
        "web/account/suggestions.html",
        {"reader": reader, "form": form, "requests": reader_suggestions(reader=reader)},
    )
