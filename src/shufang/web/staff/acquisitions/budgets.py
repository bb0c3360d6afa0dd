"""Staff pages for vendors, funds and budget lines (with committed, spent, remaining and the
overspend warning), the suggestion rules, and the budget export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.models import BudgetLine, Fund, Vendor, VendorKind
from shufang.acquisitions.selectors import budget_status, suggestion_rule_for
from shufang.acquisitions.services.budgets import (
    budget_line_create,
    budget_line_update,
    fund_create,
    fund_update,
    vendor_create,
    vendor_update,
)
from shufang.acquisitions.services.suggestions import suggestion_rule_set
from shufang.core.exceptions import ShufangError
from shufang.core.permissions import visible_library_ids
from shufang.network.models import Library
from shufang.web.access import desk_actor, staff_required
from shufang.web.staff.acquisitions.common import (
    check_library,
    form_page,
    libraries,
    may_change,
    money,
    xlsx_response,
    year_param,
)


def _year(request: HttpRequest) -> int:
    return year_param(request)


# --------------------------------------------------------------------------- vendors


class VendorForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=VendorKind.choices)
    contact_name = forms.CharField(label=_("Contact"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    claim_after_days = forms.IntegerField(label=_("Claim after (days)"), min_value=1, initial=60)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


@staff_required("acquisitions.view")
def vendors(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/staff/acquisitions/vendors.html",
        {"vendors": Vendor.objects.order_by("code"), "may_change": may_change(request)},
    )


@staff_required("acquisitions.change")
def vendor_add(request: HttpRequest) -> HttpResponse:
    form = VendorForm(request.POST or None)
    del form.fields["active"]
    if request.method == "POST" and form.is_valid():
        try:
            vendor_create(actor=desk_actor(request), **form.cleaned_data)
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Vendor added."))
            return redirect("web:acq-vendors")
    return form_page(request, form, title=_("Add a vendor"), back=reverse("web:acq-vendors"))


@staff_required("acquisitions.change")
def vendor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    vendor = get_object_or_404(Vendor, pk=pk)
    initial = {name: getattr(vendor, name) for name in VendorForm.base_fields}
    form = VendorForm(request.POST or None, initial=initial)
    form.fields["code"].disabled = True
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k not in ("code", "kind")}
        try:
            vendor_update(vendor=vendor, actor=desk_actor(request), **changes)
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Vendor saved."))
            return redirect("web:acq-vendors")
    return form_page(
        request,
        form,
        title=_("Edit vendor %(name)s") % {"name": vendor.name},
        back=reverse("web:acq-vendors"),
    )


# --------------------------------------------------------------------------- funds and lines


@staff_required("acquisitions.view")
def budgets(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    ids = visible_library_ids(request.user, "acquisitions.view")
    funds = (
        Fund.objects.filter(year=year).select_related("library").order_by("library__code", "name")
    )
    if ids is not None:
        funds = funds.filter(library_id__in=ids)
    statuses = budget_status(year=year)
    by_fund: dict[int, list[Any]] = {}
    for status in statuses:
        by_fund.setdefault(status.line.fund_id, []).append(status)
    return render(
        request,
        "web/staff/acquisitions/budgets.html",
        {
            "year": year,
            "funds": [(fund, by_fund.get(fund.pk, [])) for fund in funds],
            "may_change": may_change(request),
        },
    )


@staff_required("acquisitions.view")
def budgets_xlsx(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    ids = visible_library_ids(request.user, "acquisitions.view")
    rows = [
        [
            s.line.fund.library_id,
            s.line.fund.name,
            s.line.code,
            s.line.name,
            money(s.amount),
            money(s.committed),
            money(s.spent),
            money(s.remaining),
            s.percent_used,
            _("yes") if s.warning else "",
        ]
        for s in budget_status(year=year)
        if ids is None or s.line.fund.library_id in ids
    ]
    headings = [
        _("Library"),
        _("Fund"),
        _("Code"),
        _("Budget line"),
        _("Amount"),
        _("Committed"),
        _("Spent"),
        _("Remaining"),
        _("Percent used"),
        _("Warning"),
    ]
    return xlsx_response(f"budgets-{year}.xlsx", headings, rows)


class FundForm(forms.Form):
    library = forms.ModelChoiceField(label=_("Library"), queryset=Library.objects.none())
    year = forms.IntegerField(label=_("Fiscal year"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Name"), max_length=200)


@staff_required("acquisitions.change")
def fund_add(request: HttpRequest) -> HttpResponse:
    form = FundForm(request.POST or None, initial={"year": _year(request)})
    form.fields["library"].queryset = libraries(request)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            fund = fund_create(actor=desk_actor(request), **form.cleaned_data)
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Fund added."))
            return redirect(f"{reverse('web:acq-budgets')}?year={fund.year}")
    return form_page(request, form, title=_("Add a fund"), back=reverse("web:acq-budgets"))


class FundEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


@staff_required("acquisitions.change")
def fund_edit(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_object_or_404(Fund, pk=pk)
    check_library(request, fund.library_id, "acquisitions.change")
    form = FundEditForm(request.POST or None, initial={"name": fund.name})
    if request.method == "POST" and form.is_valid():
        try:
            fund_update(fund=fund, name=form.cleaned_data["name"], actor=desk_actor(request))
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Fund saved."))
            return redirect(f"{reverse('web:acq-budgets')}?year={fund.year}")
    return form_page(request, form, title=str(fund), back=reverse("web:acq-budgets"))


class LineForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=2, min_value=0)
    warn_at_percent = forms.IntegerField(
        label=_("Warn at (percent used)"), min_value=1, max_value=100, initial=90
    )


@staff_required("acquisitions.change")
def line_add(request: HttpRequest, fund: int) -> HttpResponse:
    target = get_object_or_404(Fund, pk=fund)
    check_library(request, target.library_id, "acquisitions.change")
    form = LineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            budget_line_create(fund=target, actor=desk_actor(request), **form.cleaned_data)
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Budget line added."))
            return redirect(f"{reverse('web:acq-budgets')}?year={target.year}")
    return form_page(
        request,
        form,
        title=_("Add a budget line to %(fund)s") % {"fund": target},
        back=reverse("web:acq-budgets"),
    )


@staff_required("acquisitions.change")
def line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_object_or_404(BudgetLine.objects.select_related("fund"), pk=pk)
    check_library(request, line.fund.library_id, "acquisitions.change")
    initial = {name: getattr(line, name) for name in LineForm.base_fields}
    form = LineForm(request.POST or None, initial=initial)
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            budget_line_update(
                line=line,
                actor=desk_actor(request),
                name=data["name"],
                amount=data["amount"],
                warn_at_percent=data["warn_at_percent"],
            )
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Budget line saved."))
            return redirect(f"{reverse('web:acq-budgets')}?year={line.fund.year}")
    return form_page(request, form, title=str(line), back=reverse("web:acq-budgets"))


# --------------------------------------------------------------------------- suggestion rules


class RuleForm(forms.Form):
    price_cap = forms.DecimalField(
        label=_("Price cap"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    excluded_classes = forms.CharField(
        label=_("Excluded classes"),
        max_length=500,
        required=False,
        help_text=_("CLC class prefixes, comma separated (e.g. G6, O1)."),
    )
    yearly_quota = forms.IntegerField(
        label=_("Suggestions per reader and year"), min_value=0, max_value=1000
    )
    copies_per_title = forms.IntegerField(label=_("Copies per title"), min_value=1, max_value=100)
    budget_line = forms.ModelChoiceField(
        label=_("Budget line"), queryset=BudgetLine.objects.none(), required=False
    )
    bookshop_enabled = forms.BooleanField(label=_("In-bookshop lending"), required=False)


@staff_required("acquisitions.view")
def rules(request: HttpRequest) -> HttpResponse:
    rows = [
        (lib, suggestion_rule_for(library=lib)) for lib in libraries(request, "acquisitions.view")
    ]
    return render(
        request,
        "web/staff/acquisitions/rules.html",
        {"rows": rows, "may_change": may_change(request)},
    )


@staff_required("acquisitions.change")
def rule_edit(request: HttpRequest, library: int) -> HttpResponse:
    target = get_object_or_404(Library, pk=library)
    check_library(request, target.pk, "acquisitions.change")
    rule = suggestion_rule_for(library=target)
    initial = {name: getattr(rule, name) for name in RuleForm.base_fields}
    form = RuleForm(request.POST or None, initial=initial)
    form.fields["budget_line"].queryset = (  # type: ignore[attr-defined]
        BudgetLine.objects.filter(fund__library=target)
        .select_related("fund")
        .order_by("-fund__year", "code")
    )
    if request.method == "POST" and form.is_valid():
        try:
            suggestion_rule_set(library=target, actor=desk_actor(request), **form.cleaned_data)
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Suggestion rules saved."))
            return redirect("web:acq-rules")
    return form_page(
        request,
        form,
        title=_("Suggestion rules of %(library)s") % {"library": target},
        back=reverse("web:acq-rules"),
    )
