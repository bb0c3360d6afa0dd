"""Staff pages shared by every ledger (see operations.ledger): list with filters, add, edit,
export as XLSX. Mounted by the programmes, outreach and operations URL modules with
`app=<app>`, so each app's role reaches only its own ledgers."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q, QuerySet
from django.forms import modelform_factory
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from shufang.core.exceptions import NotFound, ShufangError
from shufang.core.exceptions import PermissionDenied as DomainPermissionDenied
from shufang.core.permissions import has_permission, visible_library_ids
from shufang.network.models import Library, ServicePoint
from shufang.operations.ledger import LedgerSpec, get_ledger, ledgers_of
from shufang.web.access import desk_actor, staff_required

PAGE_SIZE = 50


def _spec(app: str, ledger: str) -> LedgerSpec:
    try:
        spec = get_ledger(ledger)
    except NotFound:
        raise Http404 from None
    if spec.app != app:
        raise Http404
    return spec


def _check(request: HttpRequest, spec: LedgerSpec, verb: str) -> None:
    if not has_permission(request.user, f"{spec.app}.{verb}"):
        raise PermissionDenied


def scoped(request: HttpRequest, spec: LedgerSpec, verb: str = "view") -> QuerySet[Any]:
    rows = spec.model._default_manager.all()
    ids = visible_library_ids(request.user, f"{spec.app}.{verb}")
    if ids is not None:
        rows = rows.filter(**{f"{spec.library_path}__in": ids})
    related = [
        name
        for name in spec.columns
        if isinstance(spec.model._meta.get_field(name), models.ForeignKey)
    ]
    if not spec.has_library_field:
        related.append(spec.library_path)
    else:
        related.append("library")
    return rows.select_related(*related)


def _is_year_field(spec: LedgerSpec) -> bool:
    return isinstance(spec.model._meta.get_field(spec.date_field), models.IntegerField)


def filtered(request: HttpRequest, spec: LedgerSpec) -> tuple[QuerySet[Any], dict[str, str]]:
    """The rows the list and the export show: the user's libraries, narrowed by the query
    string (year, library, each filter field, q)."""
    rows = scoped(request, spec)
    applied: dict[str, str] = {}
    year = request.GET.get("year", "").strip()
    if year.isdecimal():
        applied["year"] = year
        if _is_year_field(spec):
            rows = rows.filter(**{spec.date_field: int(year)})
        else:
            rows = rows.filter(**{f"{spec.date_field}__year": int(year)})
    library = request.GET.get("library", "").strip()
    if library.isdecimal():
        applied["library"] = library
        rows = rows.filter(**{f"{spec.library_path}_id": int(library)})
    for name in spec.filters:
        value = request.GET.get(name, "").strip()
        if value:
            applied[name] = value
            field = spec.model._meta.get_field(name)
            if isinstance(field, models.BooleanField):
                rows = rows.filter(**{name: value in ("1", "true", "on")})
            else:
                rows = rows.filter(**{name: value})
    query = request.GET.get("q", "").strip()
    if query and spec.search:
        applied["q"] = query
        condition = Q()
        for name in spec.search:
            condition |= Q(**{f"{name}__icontains": query})
        rows = rows.filter(condition)
    return rows.order_by(f"-{spec.date_field}", "-pk"), applied


def cell(entry: models.Model, name: str) -> Any:
    field = entry._meta.get_field(name)
    if getattr(field, "choices", None):
        return getattr(entry, f"get_{name}_display")()
    value = getattr(entry, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None:
        return ""
    return value


def _filter_choices(
    spec: LedgerSpec, applied: dict[str, str]
) -> list[tuple[str, Any, list[tuple[str, Any]], str]]:
    out = []
    for name in spec.filters:
        field: Any = spec.model._meta.get_field(name)
        choices: list[tuple[str, Any]]
        if isinstance(field, models.BooleanField):
            choices = [("1", _("yes")), ("0", _("no"))]
        else:
            choices = [(str(k), v) for k, v in field.choices or []]
        out.append((name, field.verbose_name, choices, applied.get(name, "")))
    return out


@staff_required()
def ledger_index(request: HttpRequest, app: str) -> HttpResponse:
    if not has_permission(request.user, f"{app}.view"):
        raise PermissionDenied
    return render(
        request,
        "web/staff/operations/ledger_index.html",
        {"app": app, "ledgers": ledgers_of(app), "app_title": APP_TITLES[app]},
    )


def _libraries(request: HttpRequest, app: str) -> QuerySet[Library]:
    ids = visible_library_ids(request.user, f"{app}.view")
    rows = Library.objects.order_by("code")
    return rows if ids is None else rows.filter(pk__in=ids)


APP_TITLES = {
    "programmes": _("Reader programmes"),
    "outreach": _("Outreach"),
    "operations": _("Operations ledgers"),
}


@staff_required()
def ledger_list(request: HttpRequest, app: str, ledger: str) -> HttpResponse:
    spec = _spec(app, ledger)
    _check(request, spec, "view")
    rows, applied = filtered(request, spec)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    table = [(entry, [cell(entry, name) for name in spec.columns]) for entry in page]
    return render(
        request,
        "web/staff/operations/ledger_list.html",
        {
            "app": app,
            "spec": spec,
            "headings": [spec.label(name) for name in spec.columns],
            "table": table,
            "page": page,
            "applied": applied,
            "filters": _filter_choices(spec, applied),
            "libraries": _libraries(request, app),
            "may_change": has_permission(request.user, f"{app}.change"),
            "query": request.GET.urlencode(),
        },
    )


class LedgerForm(forms.ModelForm):
    """Parses the input only: the service validates the row (it says which dates are out of
    order, rather than naming a database constraint)."""

    def _post_clean(self) -> None:
        from django.forms.models import construct_instance

        self.instance = construct_instance(self, self.instance, self._meta.fields)


def _form_class(request: HttpRequest, spec: LedgerSpec) -> type[forms.ModelForm]:
    ids = visible_library_ids(request.user, f"{spec.app}.change")
    form_class = modelform_factory(spec.model, form=LedgerForm, fields=spec.fields)
    base_fields = form_class.base_fields
    for name, field in base_fields.items():
        if isinstance(field, forms.DateField):
            field.widget = forms.DateInput(attrs={"type": "date"})
        if name == "service_point":
            points = ServicePoint.objects.filter(kind__in=spec.point_kinds)
            if ids is not None:
                points = points.filter(library_id__in=ids)
            field.queryset = points.order_by("code")  # type: ignore[attr-defined]
    if spec.has_library_field:
        libraries = Library.objects.order_by("code")
        if ids is not None:
            libraries = libraries.filter(pk__in=ids)
        base_fields["library"] = forms.ModelChoiceField(
            queryset=libraries,
            label=_("library"),
            initial=libraries.first() if libraries.count() == 1 else None,
        )
    return form_class


@staff_required()
def ledger_edit(request: HttpRequest, app: str, ledger: str, pk: int | None = None) -> HttpResponse:
    from shufang.operations.services.ledger import ledger_entry_create, ledger_entry_update

    spec = _spec(app, ledger)
    _check(request, spec, "change")
    entry = None
    if pk is not None:
        entry = scoped(request, spec, "change").filter(pk=pk).first()
        if entry is None:
            raise Http404
    form_class = _form_class(request, spec)
    initial = {"library": getattr(entry, "library_id", None)} if entry is not None else {}
    form = form_class(request.POST or None, instance=entry, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in spec.fields}
        try:
            if entry is None:
                ledger_entry_create(
                    ledger=spec.name,
                    library=form.cleaned_data.get("library"),
                    values=values,
                    actor=desk_actor(request),
                )
            else:
                ledger_entry_update(
                    ledger=spec.name, entry=entry, changes=values, actor=desk_actor(request)
                )
        except DomainPermissionDenied:
            raise PermissionDenied from None
        except ShufangError as exc:
            form.add_error(None, str(exc.message))
        else:
            return redirect(f"web:{app}-ledger", ledger=spec.name)
    return render(
        request,
        "web/staff/operations/ledger_form.html",
        {"app": app, "spec": spec, "form": form, "entry": entry},
    )


def xlsx_response(filename: str, headings: list[Any], rows: list[list[Any]]) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([str(h) for h in headings])
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str | int | float | Decimal | dt.date) or value is None:
        return value
    return str(value)


@staff_required()
def ledger_export(request: HttpRequest, app: str, ledger: str) -> HttpResponse:
    spec = _spec(app, ledger)
    _check(request, spec, "view")
    rows, _applied = filtered(request, spec)
    headings = [_("library"), *[spec.label(name) for name in spec.columns]]
    data = []
    for entry in rows:
        library = entry.library if spec.has_library_field else entry.service_point.library
        data.append([str(library), *[cell(entry, name) for name in spec.columns]])
    return xlsx_response(f"{spec.name}.xlsx", headings, data)
