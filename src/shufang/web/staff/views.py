"""Staff pages: translate the request, call one selector or service, render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shufang.catalogue.models import Item, Record
from shufang.core.models import AuditEvent, StaffRole
from shufang.core.permissions import has_permission, visible_library_ids
from shufang.network.models import OpeningHours, ServicePoint
from shufang.readers.models import Card, Reader
from shufang.web.access import desk_actor, mask_phone, staff_required

SEARCH_LIMIT = 50

# (permission, url name, label): the staff home lists the entries the user may use.
MENU = [
    ("readers.view", "web:staff-readers", _("Find a reader")),
    ("catalogue.view", "web:staff-items", _("Find an item by barcode")),
    ("staff.access", "web:staff-service-points", _("Service points and opening hours")),
    ("audit.view", "web:staff-audit", _("Audit log")),
]


def _menu() -> list[tuple[str, str, object]]:
    from shufang.web.staff.circulation import DESK_MENU

    return [*DESK_MENU, *MENU]


@staff_required()
def staff_home(request: HttpRequest) -> HttpResponse:
    entries = [(url, label) for perm, url, label in _menu() if has_permission(request.user, perm)]
    roles = StaffRole.objects.filter(user_id=int(request.user.pk or 0)).select_related(
        "library", "service_point"
    )
    return render(request, "web/staff/home.html", {"entries": entries, "roles": roles})


def _readers_visible_to(user: object) -> Q:
    library_ids = visible_library_ids(user, "readers.view")
    if library_ids is None:
        return Q()
    return Q(home_service_point__library_id__in=library_ids)


@staff_required("readers.view")
def reader_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    readers: list[Reader] = []
    if query:
        found = (
            Reader.objects.filter(_readers_visible_to(request.user))
            .filter(Q(cards__number=query) | Q(name__icontains=query))
            .select_related("category", "home_service_point")
            .distinct()
            .order_by("name", "pk")[:SEARCH_LIMIT]
        )
        readers = list(found)
        if len(readers) == 1 and readers[0].cards.filter(number=query).exists():
            # A scanned card goes straight to its reader, as the desk expects.
            url = reverse("web:staff-reader", kwargs={"pk": readers[0].pk})
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    template = (
        "web/staff/_reader_results.html"
        if request.headers.get("HX-Request")
        else "web/staff/reader_search.html"
    )
    return render(request, template, {"query": query, "readers": readers})


@staff_required("readers.view")
def reader_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reader = get_object_or_404(
        Reader.objects.filter(_readers_visible_to(request.user)).select_related(
            "category", "home_service_point__library"
        ),
        pk=pk,
    )
    library = reader.home_service_point.library_id
    show_personal = has_permission(request.user, "readers.view_personal", library=library)
    if show_personal:
        from shufang.readers.services import reader_personal_data_viewed

        reader_personal_data_viewed(
            reader=reader, actor=desk_actor(request), purpose="staff reader page"
        )
    cards = Card.objects.filter(reader=reader).order_by("-issued_at")
    return render(
        request,
        "web/staff/reader_detail.html",
        {
            "reader": reader,
            "cards": cards,
            "show_personal": show_personal,
            "phone_masked": mask_phone(reader.phone),
        },
    )


@staff_required("catalogue.view")
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(Record, pk=pk, deleted_at__isnull=True)
    items = record.items.select_related(
        "home_service_point", "current_service_point", "collection"
    ).order_by("barcode")
    return render(request, "web/staff/record_detail.html", {"record": record, "items": items})


@staff_required("catalogue.view")
def item_search(request: HttpRequest) -> HttpResponse:
    barcode = request.GET.get("barcode", "").strip()
    not_found = False
    if barcode:
        if Item.objects.filter(barcode=barcode).exists():
            return redirect("web:staff-item", barcode=barcode)
        not_found = True
    return render(
        request, "web/staff/item_search.html", {"barcode": barcode, "not_found": not_found}
    )


@staff_required("catalogue.view")
def item_detail(request: HttpRequest, barcode: str) -> HttpResponse:
    item = get_object_or_404(
        Item.objects.select_related(
            "record",
            "owning_library",
            "home_service_point",
            "current_service_point",
            "collection",
        ),
        barcode=barcode,
    )
    return render(request, "web/staff/item_detail.html", {"item": item})


@staff_required()
def service_point_list(request: HttpRequest) -> HttpResponse:
    points = (
        ServicePoint.objects.select_related("library")
        .prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
        )
        .order_by("library__code", "code")
    )
    return render(request, "web/staff/service_points.html", {"service_points": points})


def _audit_events_visible_to(user: object) -> Q:
    """The whole log for network-wide auditors. Otherwise the events placed in a library the
    user may audit, and the network-wide events (records, collections... which have no
    library) made by staff holding a role there."""
    library_ids = visible_library_ids(user, "audit.view")
    if library_ids is None:
        return Q()
    own_staff = StaffRole.objects.filter(
        Q(library_id__in=library_ids) | Q(service_point__library_id__in=library_ids)
    ).values("user_id")
    return Q(library_id__in=library_ids) | Q(library__isnull=True, actor_id__in=own_staff)


@staff_required("audit.view")
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.filter(_audit_events_visible_to(request.user))
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    object_id = request.GET.get("object_id", "").strip()
    if object_id:
        events = events.filter(object_id=object_id)
    page = Paginator(events.select_related("library").order_by("-at", "-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "web/staff/audit_log.html",
        {"page": page, "action": action, "object_id": object_id},
    )
