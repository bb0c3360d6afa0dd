"""Staff pages for subscriptions: add, edit, predict the year's issues, and the export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.models import BudgetLine, Vendor
from shufang.catalogue.models import Collection
from shufang.core.exceptions import ShufangError
from shufang.core.permissions import has_permission
from shufang.serials.models import Frequency, SerialKind, Subscription, SubscriptionStatus
from shufang.serials.services import (
    subscription_create,
    subscription_predict_issues,
    subscription_update,
)
from shufang.web.access import desk_actor, staff_required
from shufang.web.staff.acquisitions.common import (
    date_input,
    form_page,
    money,
    scoped,
    service_points,
    xlsx_response,
    year_param,
)


def _months(value: str) -> list[int]:
    return [int(m) for m in value.replace("，", ",").replace(" ", ",").split(",") if m.isdecimal()]


class SubscriptionForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=300)
    issn = forms.CharField(label=_("ISSN"), max_length=9, required=False)
    cn_number = forms.CharField(label=_("CN number"), max_length=20, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=SerialKind.choices)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    vendor = forms.ModelChoiceField(label=_("Vendor"), queryset=Vendor.objects.none())
    budget_line = forms.ModelChoiceField(label=_("Budget line"), queryset=Vendor.objects.none())
    service_point = forms.ModelChoiceField(label=_("Service point"), queryset=Vendor.objects.none())
    unit_price = forms.DecimalField(
        label=_("Price per copy and year"), max_digits=10, decimal_places=2, min_value=0
    )
    copies = forms.IntegerField(label=_("Copies"), min_value=1, initial=1)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            c
            for c in SubscriptionStatus.choices
            if c[0] in (SubscriptionStatus.ORDERED, SubscriptionStatus.PLANNED)
        ],
    )
    skip_months = forms.CharField(
        label=_("Months without an issue"),
        required=False,
        help_text=_("Known publisher gaps, e.g. 2, 8."),
    )
    first_issue_on = forms.DateField(label=_("First issue on"), widget=date_input(), required=False)
    keep_years = forms.IntegerField(
        label=_("Keep for (years, empty: permanently)"), min_value=0, required=False
    )
    bind = forms.BooleanField(label=_("Bind"), required=False)
    issues_per_volume = forms.IntegerField(
        label=_("Issues per bound volume"), min_value=1, initial=12
    )
    collection = forms.ModelChoiceField(
        label=_("Collection for barcoded issues"),
        queryset=Collection.objects.order_by("code"),
        required=False,
    )
    claim_after_days = forms.IntegerField(label=_("Claim after (days)"), min_value=1, initial=14)
    allow_overspend = forms.BooleanField(label=_("Allow overspending the line"), required=False)


@staff_required("serials.change")
def subscription_add(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None, initial={"year": timezone.localdate().year})
    form.fields["vendor"].queryset = Vendor.objects.filter(active=True)  # type: ignore[attr-defined]
    form.fields["service_point"].queryset = service_points(  # type: ignore[attr-defined]
        request, "serials.change"
    )
    form.fields["budget_line"].queryset = scoped(  # type: ignore[attr-defined]
        BudgetLine.objects.select_related("fund"), request, "serials.change", "fund__library_id"
    ).order_by("-fund__year", "code")
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = dict(form.cleaned_data)
        data["skip_months"] = _months(data["skip_months"])
        try:
            sub = subscription_create(actor=desk_actor(request), **data)
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Subscription saved."))
            return redirect("web:serials-subscription", pk=sub.pk)
    return form_page(request, form, title=_("Add a subscription"), back=reverse("web:serials-home"))


EDITABLE = (
    "title",
    "frequency",
    "copies",
    "unit_price",
    "skip_months",
    "first_issue_on",
    "keep_years",
    "bind",
    "issues_per_volume",
    "claim_after_days",
    "allow_overspend",
)


def _subscription(request: HttpRequest, pk: int, perm: str) -> Subscription:
    sub = get_object_or_404(Subscription.objects.select_related("service_point"), pk=pk)
    if not has_permission(request.user, perm, library=sub.service_point.library_id):
        raise PermissionDenied
    return sub


@staff_required("serials.change")
def subscription_edit(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _subscription(request, pk, "serials.change")
    initial = {name: getattr(sub, name, None) for name in EDITABLE}
    initial["skip_months"] = ", ".join(str(m) for m in sub.skip_months)
    form = SubscriptionForm(request.POST or None, initial=initial)
    for name in list(form.fields):
        if name not in EDITABLE:
            del form.fields[name]
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = dict(form.cleaned_data)
        data["skip_months"] = _months(data["skip_months"])
        try:
            subscription_update(subscription=sub, actor=desk_actor(request), **data)
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Subscription saved."))
            return redirect("web:serials-subscription", pk=sub.pk)
    return form_page(
        request, form, title=str(sub), back=reverse("web:serials-subscription", args=[sub.pk])
    )


@staff_required("serials.change")
def subscription_predict(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows the button; POST predicts the issues of the year."""
    sub = _subscription(request, pk, "serials.change")
    if request.method == "POST":
        try:
            issues = subscription_predict_issues(subscription=sub, actor=desk_actor(request))
        except ShufangError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("%(n)s issues expected.") % {"n": len(issues)})
        return redirect("web:serials-subscription", pk=sub.pk)
    return form_page(
        request,
        forms.Form(),
        title=_("Predict the issues of %(sub)s") % {"sub": sub},
        back=reverse("web:serials-subscription", args=[sub.pk]),
        intro=_("Expected issues are made from the frequency, less the known publisher gaps."),
        submit=_("Predict"),
    )


@staff_required("serials.view")
def subscriptions_xlsx(request: HttpRequest) -> HttpResponse:
    year = year_param(request)
    subs = scoped(
        Subscription.objects.filter(year=year).select_related(
            "vendor", "service_point", "budget_line"
        ),
        request,
        "serials.view",
        "service_point__library_id",
    ).order_by("kind", "title", "pk")
    headings = [
        _("Title"),
        "ISSN",
        _("CN number"),
        _("Kind"),
        _("Frequency"),
        _("Vendor"),
        _("Service point"),
        _("Copies"),
        _("Price per copy and year"),
        _("Total"),
        _("Budget line"),
        _("Status"),
    ]
    rows = [
        [
            s.title,
            s.issn,
            s.cn_number,
            s.get_kind_display(),
            s.get_frequency_display(),
            s.vendor.name,
            s.service_point.name,
            s.copies,
            money(s.unit_price),
            money(s.unit_price * s.copies),
            s.budget_line.name,
            s.get_status_display(),
        ]
        for s in subs
    ]
    return xlsx_response(f"subscriptions-{year}.xlsx", headings, rows)
