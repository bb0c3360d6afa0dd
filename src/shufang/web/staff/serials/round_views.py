"""Staff pages for next year's subscription round (报刊征订: open, worksheet, confirm) and for
binding and discarding checked-in issues by the subscriptions' binding and retention rules."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.models import BudgetLine
from shufang.core.exceptions import ShufangError
from shufang.serials.models import Issue, IssueStatus, Subscription
from shufang.serials.selectors import (
    issues_due_for_discard,
    issues_ready_for_binding,
    subscription_round_worksheet,
)
from shufang.serials.services import (
    issues_set_status,
    subscription_round_confirm,
    subscription_round_open,
)
from shufang.web.access import desk_actor, staff_required
from shufang.web.staff.acquisitions.common import check_library, form_page, may_change, scoped


def _line(request: HttpRequest, pk: int, perm: str) -> BudgetLine:
    line = get_object_or_404(BudgetLine.objects.select_related("fund"), pk=pk)
    check_library(request, line.fund.library_id, perm)
    return line


@staff_required("serials.view")
def round_worksheet(request: HttpRequest, line: int) -> HttpResponse:
    """The round of a budget line's year: planned subscriptions priced against the line."""
    budget_line = _line(request, line, "serials.view")
    sheet = subscription_round_worksheet(year=budget_line.fund.year, budget_line=budget_line)
    return render(
        request,
        "web/staff/serials/round.html",
        {
            "line": budget_line,
            "sheet": sheet,
            "may_change": may_change(request, "serials.change"),
        },
    )


@staff_required("serials.change")
def round_open(request: HttpRequest, line: int) -> HttpResponse:
    """GET explains; POST plans last year's titles of the line again on this line."""
    budget_line = _line(request, line, "serials.change")
    if request.method == "POST":
        try:
            created = subscription_round_open(
                from_year=budget_line.fund.year - 1,
                budget_line=budget_line,
                actor=desk_actor(request),
            )
        except ShufangError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("%(n)s titles planned.") % {"n": len(created)})
        return redirect("web:serials-round", line=budget_line.pk)
    return form_page(
        request,
        forms.Form(),
        title=_("Open the %(year)s round on %(line)s")
        % {"year": budget_line.fund.year, "line": budget_line},
        back=reverse("web:serials-round", args=[budget_line.pk]),
        intro=_(
            "Every title subscribed last year on the line of the same code is planned again, "
            "at last year's price; titles already planned are not planned twice."
        ),
        submit=_("Open the round"),
    )


class ConfirmForm(forms.Form):
    allow_overspend = forms.BooleanField(label=_("Allow overspending the line"), required=False)


@staff_required("serials.change")
def round_confirm(request: HttpRequest, line: int) -> HttpResponse:
    """GET shows the form; POST orders every planned subscription of the worksheet."""
    budget_line = _line(request, line, "serials.change")
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            count = subscription_round_confirm(
                year=budget_line.fund.year,
                budget_line=budget_line,
                actor=desk_actor(request),
                allow_overspend=form.cleaned_data["allow_overspend"],
            )
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(n)s subscriptions ordered.") % {"n": count})
            return redirect("web:serials-round", line=budget_line.pk)
    return form_page(
        request,
        form,
        title=_("Confirm the %(year)s round on %(line)s")
        % {"year": budget_line.fund.year, "line": budget_line},
        back=reverse("web:serials-round", args=[budget_line.pk]),
        intro=_("All planned subscriptions are ordered at once, or none when over budget."),
        submit=_("Confirm the round"),
    )


STATUSES = {IssueStatus.BOUND.value, IssueStatus.DISCARDED.value}


@staff_required("serials.view")
def binding(request: HttpRequest) -> HttpResponse:
    """Volumes ready for binding and issues past retention; POST binds or discards the
    posted issues."""
    if request.method == "POST":
        status = request.POST.get("status", "")
        wanted = {int(v) for v in request.POST.getlist("issue") if v.isdecimal() and len(v) < 19}
        if status not in STATUSES or not wanted:
            messages.error(request, _("Choose issues to bind or discard."))
            return redirect("web:serials-binding")
        issues = list(
            scoped(
                Issue.objects.filter(pk__in=wanted),
                request,
                "serials.change",
                "subscription__service_point__library_id",
            )
        )
        if len(issues) != len(wanted):
            raise PermissionDenied
        try:
            count = issues_set_status(issues=issues, status=status, actor=desk_actor(request))
        except ShufangError as error:
            messages.error(request, str(error.message))
        else:
            done = _("%(n)s issues bound.") if status == "bound" else _("%(n)s issues discarded.")
            messages.success(request, done % {"n": count})
        return redirect("web:serials-binding")
    subs = scoped(
        Subscription.objects.filter(bind=True).select_related("service_point"),
        request,
        "serials.view",
        "service_point__library_id",
    ).order_by("-year", "title", "pk")
    volumes = [
        (sub, volume) for sub in subs for volume in issues_ready_for_binding(subscription=sub)
    ]
    discard = scoped(
        issues_due_for_discard(at=timezone.localdate()).select_related(
            "subscription__service_point"
        ),
        request,
        "serials.view",
        "subscription__service_point__library_id",
    )
    return render(
        request,
        "web/staff/serials/binding.html",
        {
            "volumes": volumes,
            "discard": list(discard),
            "may_change": may_change(request, "serials.change"),
        },
    )
