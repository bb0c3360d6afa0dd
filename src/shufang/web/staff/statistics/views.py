"""The statistics dashboard (figures, charts, evaluation indicators and ranking for any period
and scope, report downloads), the report's text-block editor and visit-count entry/import.
Branch managers see their own libraries only; the statistics role sees what its scope covers."""

from __future__ import annotations

import base64
import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.core.exceptions import PermissionDenied as DomainPermissionDenied
from shufang.core.exceptions import ShufangError
from shufang.core.permissions import has_permission, visible_library_ids
from shufang.network.models import Library, ServicePoint
from shufang.statistics import metrics as m
from shufang.statistics.models import ReportSection, VisitSource
from shufang.statistics.render import chart_images, indicator_rows, render_report
from shufang.statistics.report import annual_report
from shufang.statistics.services import (
    report_text_save,
    report_texts,
    visit_count_set,
    visit_counts_import,
)
from shufang.web.access import desk_actor, staff_required

PERM = "statistics.view"
CONTENT_TYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100, required=False)
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)
    library = forms.ModelChoiceField(
        label=_("Library"), queryset=Library.objects.none(), required=False
    )
    service_point = forms.ModelChoiceField(
        label=_("Service point"), queryset=ServicePoint.objects.none(), required=False
    )


def _period_and_scope(request: HttpRequest) -> tuple[PeriodForm, int, m.Period, m.Scope]:
    """The period and scope asked for, limited to what the user may see (404 otherwise).
    A branch manager with no scope chosen sees their (first) library."""
    ids = visible_library_ids(request.user, PERM)
    form = PeriodForm(request.GET or None)
    libraries = Library.objects.order_by("code")
    points = ServicePoint.objects.order_by("code")
    if ids is not None:
        libraries = libraries.filter(pk__in=ids)
        points = points.filter(library_id__in=ids)
    form.fields["library"].queryset = libraries  # type: ignore[attr-defined]
    form.fields["service_point"].queryset = points  # type: ignore[attr-defined]
    year = timezone.localdate().year - 1
    data: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
    elif request.GET:
        raise Http404
    year = data.get("year") or year
    period = m.Period.year(year)
    if data.get("start") and data.get("end") and data["start"] <= data["end"]:
        period = m.Period(data["start"], data["end"])
    if data.get("service_point") is not None:
        scope = m.Scope.of(service_point=data["service_point"])
    elif data.get("library") is not None:
        scope = m.Scope.of(library=data["library"])
    elif ids is not None:
        first = libraries.first()
        if first is None:
            raise PermissionDenied
        scope = m.Scope.of(library=first)
    else:
        scope = m.NETWORK
    if not has_permission(request.user, PERM, library=scope.library_id) and ids is not None:
        raise Http404
    return form, year, period, scope


@staff_required(PERM)
def dashboard(request: HttpRequest) -> HttpResponse:
    form, year, period, scope = _period_and_scope(request)
    report = annual_report(year=year, scope=scope, period=period)
    images = {k: base64.b64encode(v).decode() for k, v in chart_images(report).items()}
    return render(
        request,
        "web/staff/statistics/dashboard.html",
        {
            "form": form,
            "report": report,
            "period": period,
            "rows": report.headline_rows(),
            "indicators": indicator_rows(report),
            "images": images,
            "query": request.GET.urlencode(),
            "formats": list(CONTENT_TYPES),
        },
    )


@staff_required(PERM)
def report_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404
    _form, year, period, scope = _period_and_scope(request)
    report = annual_report(year=year, scope=scope, period=period)
    if fmt == "json":
        body = json.dumps(report.as_json(), ensure_ascii=False, indent=2, default=str).encode()
    else:
        body = render_report(report, fmt)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    if fmt in ("docx", "xlsx"):
        response["Content-Disposition"] = f'attachment; filename="report-{year}.{fmt}"'
    return response


class TextForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    section = forms.ChoiceField(label=_("Section"), choices=ReportSection.choices)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )


@staff_required(PERM)
def texts(request: HttpRequest) -> HttpResponse:
    """The narrative blocks of a year's (network) report, one section at a time."""
    try:
        year = int(request.GET.get("year") or timezone.localdate().year - 1)
    except ValueError:
        raise Http404 from None
    ids = visible_library_ids(request.user, PERM)
    library = None if ids is None else Library.objects.filter(pk__in=ids).order_by("code").first()
    form = TextForm(request.POST or None, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        try:
            report_text_save(
                year=form.cleaned_data["year"],
                section=form.cleaned_data["section"],
                text=form.cleaned_data["text"],
                library=library,
                actor=desk_actor(request),
            )
        except DomainPermissionDenied:
            raise PermissionDenied from None
        except ShufangError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Text saved."))
            return redirect(f"{request.path}?year={form.cleaned_data['year']}")
    current = report_texts(year=year, library=library)
    sections = [(value, label, current.get(value, "")) for value, label in ReportSection.choices]
    return render(
        request,
        "web/staff/statistics/texts.html",
        {"form": form, "year": year, "sections": sections},
    )


class VisitForm(forms.Form):
    service_point = forms.ModelChoiceField(
        label=_("Service point"), queryset=ServicePoint.objects.none()
    )
    day = forms.DateField(label=_("Day"), initial=dt.date.today)
    count = forms.IntegerField(label=_("Visits"), min_value=0)
    source = forms.ChoiceField(
        label=_("Source"), choices=VisitSource.choices, initial=VisitSource.HEADCOUNT
    )


class VisitImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))


@staff_required(PERM)
def visits(request: HttpRequest) -> HttpResponse:
    """Manual entry of a day's visits and import of gate-counter files (a day entered or
    imported again replaces the earlier count)."""
    ids = visible_library_ids(request.user, PERM)
    points = ServicePoint.objects.order_by("code")
    if ids is not None:
        points = points.filter(library_id__in=ids)
    entry = VisitForm(request.POST if "count" in request.POST else None)
    entry.fields["service_point"].queryset = points  # type: ignore[attr-defined]
    upload = VisitImportForm(
        request.POST if "count" not in request.POST and request.method == "POST" else None,
        request.FILES or None,
    )
    row_errors: list[Any] = []
    try:
        if request.method == "POST" and "count" in request.POST and entry.is_valid():
            visit_count_set(
                service_point=entry.cleaned_data["service_point"],
                day=entry.cleaned_data["day"],
                count=entry.cleaned_data["count"],
                source=entry.cleaned_data["source"],
                actor=desk_actor(request),
            )
            messages.success(request, _("Visits recorded."))
            return redirect(request.path)
        if request.method == "POST" and "count" not in request.POST and upload.is_valid():
            file = upload.cleaned_data["file"]
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"visits{Path(file.name).suffix.lower() or '.csv'}"
                path.write_bytes(file.read())
                result = visit_counts_import(path=path, actor=desk_actor(request))
            row_errors = result.rejected
            messages.success(request, result.summary())
    except DomainPermissionDenied:
        raise PermissionDenied from None
    except ShufangError as exc:
        entry.add_error(None, str(exc.message))
    return render(
        request,
        "web/staff/statistics/visits.html",
        {"entry": entry, "upload": upload, "row_errors": row_errors},
    )
