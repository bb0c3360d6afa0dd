"""Staff pages for the partner bookshops' terminals (你选书我买单): list, create (the secret
is shown once), rename, revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.models import BookshopTerminal, BudgetLine, Vendor
from shufang.acquisitions.services.bookshop import (
    terminal_create,
    terminal_revoke,
    terminal_update,
)
from shufang.catalogue.models import Collection
from shufang.core.exceptions import ShufangError
from shufang.web.access import desk_actor, staff_required
from shufang.web.staff.acquisitions.common import (
    check_library,
    form_page,
    may_change,
    post_pk,
    scoped,
    service_points,
)


def _terminals(request: HttpRequest, perm: str) -> QuerySet[BookshopTerminal]:
    return scoped(
        BookshopTerminal.objects.select_related("vendor", "service_point", "budget_line"),
        request,
        perm,
        "service_point__library_id",
    )


@staff_required("acquisitions.view")
def terminals(request: HttpRequest) -> HttpResponse:
    rows = _terminals(request, "acquisitions.view")
    if request.method == "POST":
        terminal = get_object_or_404(rows, pk=post_pk(request, "terminal"))
        check_library(request, terminal.service_point.library_id, "acquisitions.change")
        try:
            terminal_revoke(terminal=terminal, actor=desk_actor(request))
        except ShufangError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Terminal revoked: its credentials no longer work."))
        return redirect("web:acq-terminals")
    return render(
        request,
        "web/staff/acquisitions/terminals.html",
        {"terminals": rows.order_by("code"), "may_change": may_change(request)},
    )


class TerminalForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    vendor = forms.ModelChoiceField(label=_("Bookshop"), queryset=Vendor.objects.none())
    service_point = forms.ModelChoiceField(
        label=_("Lending service point"), queryset=Vendor.objects.none()
    )
    collection = forms.ModelChoiceField(
        label=_("Collection"), queryset=Collection.objects.order_by("code")
    )
    budget_line = forms.ModelChoiceField(label=_("Budget line"), queryset=Vendor.objects.none())
    barcode_prefix = forms.CharField(label=_("Barcode prefix"), max_length=8, initial="BS")


@staff_required("acquisitions.change")
def terminal_add(request: HttpRequest) -> HttpResponse:
    form = TerminalForm(request.POST or None)
    form.fields["vendor"].queryset = Vendor.objects.filter(active=True)  # type: ignore[attr-defined]
    form.fields["service_point"].queryset = service_points(request)  # type: ignore[attr-defined]
    form.fields["budget_line"].queryset = scoped(  # type: ignore[attr-defined]
        BudgetLine.objects.select_related("fund"),
        request,
        "acquisitions.change",
        "fund__library_id",
    ).order_by("-fund__year", "code")
    if request.method == "POST" and form.is_valid():
        try:
            terminal, secret = terminal_create(actor=desk_actor(request), **form.cleaned_data)
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            # The secret is shown on this one response and never again.
            response = render(
                request,
                "web/staff/acquisitions/terminal_created.html",
                {"terminal": terminal, "secret": secret},
            )
            response["Cache-Control"] = "no-store"
            return response
    return form_page(
        request, form, title=_("Add a bookshop terminal"), back=reverse("web:acq-terminals")
    )


class TerminalEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


@staff_required("acquisitions.change")
def terminal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Renames a terminal; its code, which the shop signs in with, stays."""
    terminal = get_object_or_404(_terminals(request, "acquisitions.change"), pk=pk)
    form = TerminalEditForm(request.POST or None, initial={"name": terminal.name})
    if request.method == "POST" and form.is_valid():
        try:
            terminal_update(terminal=terminal, actor=desk_actor(request), **form.cleaned_data)
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Terminal saved."))
            return redirect("web:acq-terminals")
    return form_page(
        request,
        form,
        title=_("Terminal %(code)s") % {"code": terminal.code},
        back=reverse("web:acq-terminals"),
    )
