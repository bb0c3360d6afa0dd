"""Staff pages for events and series: list, add, edit, export; an event's page with desk
registration, check-in, cancellation and the head-count."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.core.exceptions import PermissionDenied as DomainPermissionDenied
from shufang.core.exceptions import ShufangError
from shufang.core.models import Channel
from shufang.core.permissions import has_permission, visible_library_ids
from shufang.network.models import Library, ServicePoint
from shufang.programmes import selectors
from shufang.programmes.models import Event, EventKind, EventStatus, Registration, Series
from shufang.readers.identity import mask_name
from shufang.web.access import desk_actor, staff_required
from shufang.web.staff.operations.ledger_views import xlsx_response

EDIT_FIELDS = (
    "title",
    "kind",
    "online",
    "service_point",
    "room",
    "starts_at",
    "ends_at",
    "audience",
    "organisers",
    "partners",
    "speaker",
    "description",
    "capacity",
    "registration_open",
    "status",
    "head_count",
    "online_views",
    "online_participants",
    "books_brought",
    "books_exchanged",
)


def _events(request: HttpRequest, verb: str = "view") -> QuerySet[Event]:
    rows = Event.objects.select_related("series", "library", "service_point")
    ids = visible_library_ids(request.user, f"programmes.{verb}")
    return rows if ids is None else rows.filter(library_id__in=ids)


def _libraries(request: HttpRequest, verb: str) -> QuerySet[Library]:
    ids = visible_library_ids(request.user, f"programmes.{verb}")
    rows = Library.objects.order_by("code")
    return rows if ids is None else rows.filter(pk__in=ids)


def _filtered(request: HttpRequest) -> tuple[QuerySet[Event], dict[str, str]]:
    rows = _events(request)
    applied = {k: request.GET.get(k, "").strip() for k in ("year", "kind", "status", "online", "q")}
    if applied["year"].isdecimal():
        rows = rows.filter(starts_at__year=int(applied["year"]))
    if applied["kind"]:
        rows = rows.filter(kind=applied["kind"])
    if applied["status"]:
        rows = rows.filter(status=applied["status"])
    if applied["online"] in ("0", "1"):
        rows = rows.filter(online=applied["online"] == "1")
    if applied["q"]:
        rows = rows.filter(Q(title__icontains=applied["q"]) | Q(speaker__icontains=applied["q"]))
    return rows.order_by("-starts_at", "-id"), applied


@staff_required("programmes.view")
def event_list(request: HttpRequest) -> HttpResponse:
    rows, applied = _filtered(request)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "web/staff/programmes/event_list.html",
        {
            "page": page,
            "applied": applied,
            "kinds": EventKind.choices,
            "statuses": EventStatus.choices,
            "may_change": has_permission(request.user, "programmes.change"),
            "query": request.GET.urlencode(),
        },
    )


@staff_required("programmes.view")
def event_export(request: HttpRequest) -> HttpResponse:
    rows, _applied = _filtered(request)
    headings = [
        _("library"),
        _("series"),
        _("number"),
        _("title"),
        _("kind"),
        _("online"),
        _("starts at"),
        _("ends at"),
        _("venue"),
        _("speaker"),
        _("status"),
        _("attendance"),
        _("online views"),
    ]
    data: list[list[Any]] = []
    for e in rows.annotate(
        checked_in=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False))
    ):
        data.append(
            [
                str(e.library),
                str(e.series or ""),
                e.number_label,
                e.title,
                e.get_kind_display(),
                _("yes") if e.online else _("no"),
                e.starts_at,
                e.ends_at,
                str(e.service_point or ""),
                e.speaker,
                e.get_status_display(),
                e.head_count if e.head_count is not None else e.checked_in,
                e.online_views,
            ]
        )
    return xlsx_response("events.xlsx", headings, data)


class EventForm(forms.ModelForm):
    library = forms.ModelChoiceField(queryset=Library.objects.none(), label=_("library"))
    number = forms.IntegerField(
        label=_("number in series"),
        required=False,
        min_value=1,
        help_text=_("Leave empty to take the next number."),
    )

    class Meta:
        model = Event
        fields = ("series", *EDIT_FIELDS)
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }


@staff_required("programmes.change")
def event_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    from shufang.programmes.services import event_create, event_update

    event = None
    if pk is not None:
        event = _events(request, "change").filter(pk=pk).first()
        if event is None:
            raise Http404
    form = EventForm(
        request.POST or None,
        instance=event,
        initial={"library": event.library_id} if event else {},
    )
    libraries = _libraries(request, "change")
    form.fields["library"].queryset = libraries  # type: ignore[attr-defined]
    form.fields["series"].queryset = Series.objects.filter(library__in=libraries)  # type: ignore[attr-defined]
    form.fields["service_point"].queryset = ServicePoint.objects.filter(  # type: ignore[attr-defined]
        library__in=libraries
    ).order_by("code")
    if event is not None:
        for name in ("library", "series", "number"):
            form.fields[name].disabled = True
            form.fields[name].required = False
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in EDIT_FIELDS}
        try:
            if event is None:
                event = event_create(
                    library=form.cleaned_data["library"],
                    series=form.cleaned_data["series"],
                    number=form.cleaned_data["number"],
                    actor=desk_actor(request),
                    **values,
                )
            else:
                event = event_update(event=event, actor=desk_actor(request), **values)
        except DomainPermissionDenied:
            raise PermissionDenied from None
        except ShufangError as exc:
            form.add_error(None, str(exc.message))
        else:
            return redirect("web:programmes-event", pk=event.pk)
    return render(request, "web/staff/programmes/event_form.html", {"form": form, "event": event})


@staff_required("programmes.view")
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from shufang.programmes import services

    event = _events(request).filter(pk=pk).first()
    if event is None:
        raise Http404
    may_change = has_permission(request.user, "programmes.change", library=event.library_id)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        action = request.POST.get("action", "")
        actor = desk_actor(request)
        try:
            if action == "register":
                from shufang.readers.selectors import reader_by_card_number

                reader = reader_by_card_number(number=request.POST.get("card", "").strip())
                if reader is None:
                    messages.error(request, _("No reader has this card number."))
                else:
                    reg = services.registration_create(
                        event=event, reader=reader, channel=Channel.DESK, actor=actor
                    )
                    messages.success(
                        request,
                        _("%(name)s: %(status)s.")
                        % {"name": mask_name(reader.name), "status": reg.get_status_display()},
                    )
            elif action in ("check_in", "cancel"):
                registration = Registration.objects.get(
                    pk=int(request.POST.get("registration", "0")), event=event
                )
                if action == "check_in":
                    services.registration_check_in(registration=registration, actor=actor)
                else:
                    services.registration_cancel(registration=registration, actor=actor)
            elif action == "head_count":
                count = request.POST.get("head_count", "").strip()
                services.event_update(
                    event=event,
                    actor=actor,
                    head_count=int(count) if count.isdecimal() else None,
                    status=EventStatus.HELD,
                )
        except DomainPermissionDenied:
            raise PermissionDenied from None
        except (ShufangError, Registration.DoesNotExist, ValueError) as exc:
            messages.error(request, str(getattr(exc, "message", _("Not found."))))
        return redirect("web:programmes-event", pk=event.pk)
    registrations = [
        (r, mask_name(r.reader.name))
        for r in event.registrations.select_related("reader").order_by("registered_at", "id")
    ]
    return render(
        request,
        "web/staff/programmes/event_detail.html",
        {
            "event": event,
            "registrations": registrations,
            "counts": selectors.registration_counts(event=event),
            "attendance": selectors.event_attendance_of(event=event),
            "may_change": may_change,
            "now": timezone.now(),
        },
    )


class SeriesForm(forms.Form):
    library = forms.ModelChoiceField(queryset=Library.objects.none(), label=_("library"))
    code = forms.SlugField(label=_("code"), max_length=40)
    name = forms.CharField(label=_("name"), max_length=200)
    kind = forms.ChoiceField(label=_("kind of event"), choices=EventKind.choices)
    number_format = forms.CharField(label=_("number format"), initial="第{n}期", max_length=40)
    first_number = forms.IntegerField(label=_("first number"), min_value=1, initial=1)


@staff_required("programmes.view")
def series_list(request: HttpRequest) -> HttpResponse:
    from shufang.programmes.services import series_create

    may_change = has_permission(request.user, "programmes.change")
    form = SeriesForm(request.POST or None) if may_change else None
    if form is not None:
        form.fields["library"].queryset = _libraries(request, "change")  # type: ignore[attr-defined]
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                series_create(actor=desk_actor(request), **form.cleaned_data)
            except DomainPermissionDenied:
                raise PermissionDenied from None
            except ShufangError as exc:
                form.add_error(None, str(exc.message))
            else:
                return redirect("web:programmes-series")
    ids = visible_library_ids(request.user, "programmes.view")
    rows = Series.objects.select_related("library").order_by("name")
    if ids is not None:
        rows = rows.filter(library_id__in=ids)
    table = [(s, selectors.series_total(series=s)) for s in rows]
    return render(request, "web/staff/programmes/series.html", {"table": table, "form": form})
