"""Staff pages for serials: subscriptions of a year, a subscription's issues with check-in
(记到) and claims, and the subscription round worksheet as XLSX."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.models import BudgetLine
from shufang.core.exceptions import ShufangError
from shufang.core.permissions import has_permission, visible_library_ids
from shufang.serials.models import Issue, Subscription
from shufang.serials.selectors import subscription_round_worksheet
from shufang.serials.services import issue_check_in, issue_claim
from shufang.web.access import desk_actor, staff_required
from shufang.web.staff.acquisitions.common import post_pk, year_param


@staff_required("serials.view")
def home(request: HttpRequest) -> HttpResponse:
    year = year_param(request)
    subs = Subscription.objects.filter(year=year).select_related("vendor", "service_point")
    ids = visible_library_ids(request.user, "serials.view")
    if ids is not None:
        subs = subs.filter(service_point__library_id__in=ids)
    lines = BudgetLine.objects.filter(fund__year=year + 1).select_related("fund")
    return render(
        request,
        "web/staff/serials/home.html",
        {"year": year, "subscriptions": subs.order_by("kind", "title"), "round_lines": lines},
    )


@staff_required("serials.view")
def subscription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sub = get_object_or_404(Subscription.objects.select_related("service_point"), pk=pk)
    library_id = sub.service_point.library_id
    if not has_permission(request.user, "serials.view", library=library_id):
        raise PermissionDenied
    if request.method == "POST":
        if not has_permission(request.user, "serials.change", library=library_id):
            raise PermissionDenied
        issue = get_object_or_404(Issue, pk=post_pk(request, "issue"), subscription=sub)
        barcode = request.POST.get("barcode", "").strip()
        try:
            if request.POST.get("action") == "claim":
                issue_claim(issue=issue, actor=desk_actor(request))
                messages.success(request, _("Claim recorded."))
            else:
                issue_check_in(
                    issue=issue, actor=desk_actor(request), barcodes=[barcode] if barcode else []
                )
                messages.success(request, _("Checked in."))
        except ShufangError as error:
            messages.error(request, str(error.message))
        return redirect("web:serials-subscription", pk=sub.pk)
    return render(
        request,
        "web/staff/serials/subscription.html",
        {"sub": sub, "issues": sub.issues.order_by("sequence")},
    )


@staff_required("serials.view")
def round_xlsx(request: HttpRequest, line: int) -> HttpResponse:
    from openpyxl import Workbook

    budget_line = get_object_or_404(BudgetLine.objects.select_related("fund"), pk=line)
    if not has_permission(request.user, "serials.view", library=budget_line.fund.library_id):
        raise PermissionDenied
    sheet_data = subscription_round_worksheet(year=budget_line.fund.year, budget_line=budget_line)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        [
            str(_("Title")),
            "ISSN",
            str(_("CN number")),
            str(_("Kind")),
            str(_("Frequency")),
            str(_("Copies")),
            str(_("Price per copy and year")),
            str(_("Total")),
        ]
    )
    for s in sheet_data.rows:
        sheet.append(
            [
                s.title,
                s.issn,
                s.cn_number,
                str(s.get_kind_display()),
                str(s.get_frequency_display()),
                s.copies,
                float(s.unit_price),
                float(s.unit_price * s.copies),
            ]
        )
    sheet.append([])
    sheet.append([str(_("Total")), *[""] * 6, float(sheet_data.total)])
    sheet.append([str(_("Budget line has")), *[""] * 6, float(sheet_data.available)])
    sheet.append([str(_("Over budget by")), *[""] * 6, float(sheet_data.over_budget)])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="round-{budget_line.fund.year}.xlsx"'
    return response
