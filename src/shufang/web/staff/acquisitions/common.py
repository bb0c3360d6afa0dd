"""Helpers of the acquisitions and serials staff pages: library scoping, form pages, XLSX."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise

from shufang.core.permissions import has_permission, visible_library_ids
from shufang.network.models import Library, ServicePoint

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def check_library(request: HttpRequest, library_id: int | None, perm: str) -> None:
    if not has_permission(request.user, perm, library=library_id):
        raise PermissionDenied


def scoped(rows: QuerySet[Any], request: HttpRequest, perm: str, path: str) -> QuerySet[Any]:
    """`rows` of the libraries where the user has `perm` (`path` leads to the library id)."""
    ids = visible_library_ids(request.user, perm)
    return rows if ids is None else rows.filter(**{f"{path}__in": ids})


def libraries(request: HttpRequest, perm: str = "acquisitions.change") -> QuerySet[Library]:
    return scoped(Library.objects.order_by("code"), request, perm, "pk")


def service_points(request: HttpRequest, perm: str = "acquisitions.change") -> QuerySet[Any]:
    return scoped(
        ServicePoint.objects.select_related("library").order_by("code"), request, perm, "library_id"
    )


def may_change(request: HttpRequest, perm: str = "acquisitions.change") -> bool:
    return has_permission(request.user, perm)


def form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    title: Any,
    back: str,
    intro: Any = "",
    submit: Any = None,
) -> HttpResponse:
    return render(
        request,
        "web/staff/acquisitions/form.html",
        {"form": form, "title": title, "back": back, "intro": intro, "submit": submit},
    )


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def xlsx_response(filename: str, headings: list[Any], rows: Iterable[list[Any]]) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([str(h) for h in headings])
    for row in rows:
        sheet.append([str(v) if isinstance(v, Promise) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def money(value: Any) -> float | None:
    return float(value) if value is not None else None


def year_param(request: HttpRequest) -> int:
    """The `year` of the query string, or this year for a missing or absurd one."""
    value = request.GET.get("year", "").strip()
    if value.isdecimal() and 1900 <= int(value) <= 2200:
        return int(value)
    return timezone.localdate().year


def post_pk(request: HttpRequest, name: str) -> int:
    """A row id posted in `name` (0, which matches nothing, when it is not a number)."""
    value = request.POST.get(name, "").strip()
    return int(value) if value.isdecimal() and len(value) < 19 else 0
