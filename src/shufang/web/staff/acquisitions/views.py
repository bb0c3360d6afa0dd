"""Staff pages for acquisitions: budgets, suggestions (review, approve, decline, enter at the
desk), XLSX export, donation certificates. Each view translates, calls one service, renders."""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.certificates import certificate_docx, certificate_values
from shufang.acquisitions.models import (
    Donation,
    Order,
    OrderStatus,
    Suggestion,
    SuggestionStatus,
)
from shufang.acquisitions.selectors import budget_status, suggestions_list
from shufang.acquisitions.services.suggestions import (
    suggestion_approve,
    suggestion_decline,
    suggestion_review,
    suggestion_submit,
)
from shufang.core.exceptions import ShufangError
from shufang.core.permissions import has_permission, visible_library_ids
from shufang.readers.selectors import reader_by_card_number
from shufang.web.access import desk_actor, staff_required
from shufang.web.staff.acquisitions.common import year_param


def _check_library(request: HttpRequest, library_id: int, perm: str) -> None:
    if not has_permission(request.user, perm, library=library_id):
        raise PermissionDenied


@staff_required("acquisitions.view")
def home(request: HttpRequest) -> HttpResponse:
    year = year_param(request)
    ids = visible_library_ids(request.user, "acquisitions.view")
    lines = [s for s in budget_status(year=year) if ids is None or s.line.fund.library_id in ids]
    return render(request, "web/staff/acquisitions/home.html", {"year": year, "lines": lines})


@staff_required("acquisitions.view")
def suggestions(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", SuggestionStatus.PENDING)
    rows = suggestions_list(
        status=status, library_ids=visible_library_ids(request.user, "acquisitions.view")
    )[:200]
    return render(
        request,
        "web/staff/acquisitions/suggestions.html",
        {"rows": rows, "status": status, "statuses": SuggestionStatus.choices},
    )


@staff_required("acquisitions.view")
def suggestions_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    rows = suggestions_list(library_ids=visible_library_ids(request.user, "acquisitions.view"))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        [
            str(_("ISBN")),
            str(_("Title")),
            str(_("Times suggested")),
            str(_("Status")),
            str(_("Price")),
            str(_("Reason")),
        ]
    )
    for s in rows:
        sheet.append(
            [
                s.isbn,
                s.title,
                s.request_count,
                str(s.get_status_display()),
                float(s.price) if s.price is not None else None,
                s.reason,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="suggestions.xlsx"'
    return response


class DecideForm(forms.Form):
    order = forms.ModelChoiceField(label=_("Order"), queryset=Order.objects.none(), required=False)
    reason = forms.CharField(
        label=_("Reason (shown to the reader)"), max_length=500, required=False
    )
    override_rules = forms.BooleanField(
        label=_("Approve although a rule is broken"), required=False
    )


@staff_required("acquisitions.view")
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(Suggestion.objects.select_related("library"), pk=pk)
    _check_library(request, suggestion.library_id, "acquisitions.view")
    form = DecideForm(request.POST or None)
    form.fields["order"].queryset = Order.objects.filter(  # type: ignore[attr-defined]
        library_id=suggestion.library_id, status=OrderStatus.OPEN
    )
    if request.method == "POST" and form.is_valid():
        _check_library(request, suggestion.library_id, "acquisitions.change")
        data = form.cleaned_data
        try:
            if request.POST.get("decision") == "approve":
                if data["order"] is None:
                    raise ShufangError(_("Choose the order to put it on."))
                suggestion_approve(
                    suggestion=suggestion,
                    order=data["order"],
                    actor=desk_actor(request),
                    override_rules=data["override_rules"],
                    message=data["reason"],
                )
                messages.success(request, _("Approved and ordered."))
            else:
                suggestion_decline(
                    suggestion=suggestion, reason=data["reason"], actor=desk_actor(request)
                )
                messages.success(request, _("Declined; the reader will see the reason."))
            return redirect("web:acq-suggestion", pk=suggestion.pk)
        except ShufangError as error:
            form.add_error(None, error.message)
    return render(
        request,
        "web/staff/acquisitions/suggestion.html",
        {
            "suggestion": suggestion,
            "requests": suggestion.requests.select_related("reader").order_by("created_at"),
            "findings": suggestion_review(suggestion=suggestion)
            if suggestion.status == SuggestionStatus.PENDING
            else [],
            "form": form,
        },
    )


class DeskSuggestionForm(forms.Form):
    card_number = forms.CharField(label=_("Card number"), max_length=32)
    isbn = forms.CharField(label=_("ISBN"), max_length=20, required=False)
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    price = forms.DecimalField(label=_("Price"), max_digits=10, decimal_places=2, required=False)


@staff_required("acquisitions.suggest")
def desk_suggest(request: HttpRequest) -> HttpResponse:
    form = DeskSuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reader = reader_by_card_number(number=data["card_number"].strip())
        if reader is None:
            form.add_error("card_number", _("No reader has this card number."))
        else:
            try:
                suggestion = suggestion_submit(
                    reader=reader,
                    library=reader.home_service_point.library,
                    channel="desk",
                    actor=desk_actor(request),
                    isbn=data["isbn"],
                    title=data["title"],
                    price=data["price"],
                )
            except ShufangError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Suggestion recorded (suggested %(n)s times).")
                    % {"n": suggestion.request_count},
                )
                return redirect("web:acq-desk-suggest")
    return render(request, "web/staff/acquisitions/desk_suggest.html", {"form": form})


def _donation(request: HttpRequest, pk: int) -> Donation:
    donation = get_object_or_404(Donation.objects.select_related("donor", "library"), pk=pk)
    _check_library(request, donation.library_id, "acquisitions.view")
    return donation


@staff_required("acquisitions.view")
def donation_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    donation = _donation(request, pk)
    return render(
        request,
        "web/staff/acquisitions/certificate.html",
        {"donation": donation, "c": certificate_values(donation)},
    )


@staff_required("acquisitions.view")
def donation_certificate_docx(request: HttpRequest, pk: int) -> HttpResponse:
    donation = _donation(request, pk)
    response = HttpResponse(
        certificate_docx(donation),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{donation.certificate_number}.docx"'
    )
    return response
