"""The circulation desk (流通台): lend, return, renew, holds, the desk's lists, and the
managers' closures, service modes and deposit collections.

Built for a barcode scanner and a keyboard: every screen has one scan field with the focus,
Enter submits, htmx swaps the answer in and the field keeps the focus (see web/desk.js for
the shortcut keys). The desk works at one service point, chosen once per session.

Views translate the request, call one circulation service, and render its result; blocks are
shown with their reason and, for staff holding `circulation.override`, a confirm step that
passes the block codes to `loan_checkout(override=...)`, which records them."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shufang.catalogue.models import Item, Record
from shufang.circulation import errors
from shufang.circulation.models import (
    OPEN_LOAN_STATUSES,
    CirculationChannel,
    Closure,
    Deposit,
    Fine,
    FineStatus,
    Hold,
    HoldStatus,
    Loan,
    LoanStatus,
    ServiceMode,
    ServiceModePeriod,
)
from shufang.circulation.rules import RuleContext
from shufang.circulation.selectors import (
    hold_shelf_list,
    pick_list,
    quarantine_list,
    reader_loan_counts,
    reader_loans_current,
    rule_for,
    transit_list,
)
from shufang.circulation.services.blocks import card_blocks, limit_blocks
from shufang.core.exceptions import ShufangError
from shufang.core.permissions import has_permission, visible_library_ids
from shufang.network.models import Library, ServicePoint
from shufang.readers.identity import mask_name
from shufang.readers.models import Reader
from shufang.readers.selectors import card_by_number, card_current
from shufang.web.access import desk_actor, staff_required

SESSION_POINT = "desk_service_point_id"
SESSION_READER = "desk_reader_id"
OPEN_HOLD_STATUSES = (HoldStatus.WAITING, HoldStatus.IN_TRANSIT, HoldStatus.READY)
RECORD_SEARCH_LIMIT = 20
DESK = CirculationChannel.DESK

# (permission, url name, label): the desk's entries on the staff home.
DESK_MENU = [
    ("circulation.lend", "web:desk-lend", gettext_lazy("Circulation desk: lend")),
    ("circulation.lend", "web:desk-return", gettext_lazy("Circulation desk: return")),
    ("circulation.lend", "web:desk-hold-shelf", gettext_lazy("Hold shelf")),
    ("circulation.lend", "web:desk-pick-list", gettext_lazy("Pick list")),
    ("circulation.lend", "web:desk-transits", gettext_lazy("Transits")),
    ("circulation.lend", "web:desk-quarantine", gettext_lazy("Quarantine")),
    ("circulation.lend", "web:desk-deposits", gettext_lazy("Deposit collections")),
    ("circulation.lend", "web:desk-fines", gettext_lazy("Fines")),
    ("network.change", "web:desk-closures", gettext_lazy("Emergency closures")),
    ("network.change", "web:desk-modes", gettext_lazy("Service modes")),
]


# --------------------------------------------------------------------------- the desk's place


def desk_points(user: Any) -> list[ServicePoint]:
    """The service points where `user` may lend, in library and code order."""
    points = ServicePoint.objects.select_related("library").order_by("library__code", "code")
    library_ids = visible_library_ids(user, "circulation.lend")
    if library_ids is None:
        return list(points)
    return [
        p
        for p in points.filter(library_id__in=library_ids)
        if has_permission(user, "circulation.lend", library=p.library_id, service_point=p)
    ]


def desk_point(request: HttpRequest) -> ServicePoint | None:
    """The service point of this desk session, if the user may still lend there. A user who
    may lend at one point only works there without choosing."""
    point_id = request.session.get(SESSION_POINT)
    if point_id is not None:
        point = ServicePoint.objects.select_related("library").filter(pk=point_id).first()
        if point is not None and has_permission(
            request.user, "circulation.lend", library=point.library_id, service_point=point
        ):
            return point
    points = desk_points(request.user)
    if len(points) == 1:
        request.session[SESSION_POINT] = points[0].pk
        return points[0]
    return None


def _needs_point(request: HttpRequest) -> HttpResponse:
    url = reverse("web:desk-point") + "?next=" + request.get_full_path()
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


@staff_required("circulation.lend")
def choose_point(request: HttpRequest) -> HttpResponse:
    points = desk_points(request.user)
    if request.method == "POST":
        chosen = request.POST.get("service_point", "")
        for point in points:
            if str(point.pk) == chosen:
                request.session[SESSION_POINT] = point.pk
                request.session.pop(SESSION_READER, None)
                next_url = request.POST.get("next", "")
                if not next_url.startswith("/staff/"):
                    next_url = reverse("web:desk-lend")
                return redirect(next_url)
        messages.error(request, _("Choose one of the service points listed."))
    current = request.session.get(SESSION_POINT)
    return render(
        request,
        "web/staff/circulation/choose_point.html",
        {"points": points, "current": current, "next": request.GET.get("next", "")},
    )


# --------------------------------------------------------------------------- the reader panel


@dataclass
class BlockLine:
    code: str
    message: str
    overridable: bool


def _block_lines(blocks: list[errors.Block]) -> list[BlockLine]:
    return [BlockLine(b.code, str(b.message), b.overridable) for b in blocks]


def _desk_reader(request: HttpRequest) -> Reader | None:
    reader_id = request.session.get(SESSION_READER)
    if reader_id is None:
        return None
    return (
        Reader.objects.select_related("category", "home_service_point__library")
        .filter(pk=reader_id)
        .first()
    )


def reader_circulation(*, reader: Reader, point: ServicePoint, user: Any) -> dict[str, Any]:
    """Loans, holds, fines and the reader's standing blocks (card and limits under the
    rule for this desk and the reader's category), with whether `user` may override them."""
    now = timezone.now()
    card = card_current(reader=reader)
    loans = list(reader_loans_current(reader=reader))
    holds = list(
        Hold.objects.filter(reader=reader, status__in=OPEN_HOLD_STATUSES)
        .select_related("record", "pickup_service_point")
        .order_by("placed_at", "pk")
    )
    fines = list(
        Fine.objects.filter(reader=reader, status=FineStatus.OUTSTANDING)
        .select_related("loan__item")
        .order_by("created_at", "pk")
    )
    rule = rule_for(
        RuleContext(
            library_id=point.library_id,
            service_point_id=point.pk,
            reader_category_id=reader.category_id,
            collection_id=None,
            material_type="",
        )
    )
    counts = reader_loan_counts(reader=reader, collection_id=None, at=now)
    fines_total = sum((f.amount for f in fines), start=Decimal(0))
    blocks = card_blocks(card=card, today=timezone.localdate(now))
    blocks += [
        b
        for b in limit_blocks(
            rule=rule, counts=counts, fines=fines_total if rule.max_fines is not None else None
        )
        if not isinstance(b, errors.TooManyLoansInCollection)
    ]
    for loan in loans:
        loan.overdue = loan.status == LoanStatus.ACTIVE and loan.due_at < now  # type: ignore[attr-defined]
    return {
        "reader": reader,
        "card": card,
        "loans": loans,
        "holds": holds,
        "fines": fines,
        "fines_total": fines_total,
        "blocks": _block_lines(blocks),
        "may_override": has_permission(
            user, "circulation.override", library=point.library_id, service_point=point
        ),
        "overdue_count": counts["overdue"],
    }


def _reader_panel(request: HttpRequest, reader: Reader, point: ServicePoint) -> dict[str, Any]:
    """The whole panel; showing the masked ID number is a view of personal data, recorded by
    the readers service, and only for staff who may see that reader's personal data."""
    show_personal = has_permission(
        request.user, "readers.view_personal", library=reader.home_service_point.library_id
    )
    if show_personal:
        from shufang.readers.services import reader_personal_data_viewed

        reader_personal_data_viewed(
            reader=reader, actor=desk_actor(request), purpose="circulation desk"
        )
    context = reader_circulation(reader=reader, point=point, user=request.user)
    context["show_personal"] = show_personal
    context["display_name"] = reader.name if show_personal else mask_name(reader.name)
    return context


# --------------------------------------------------------------------------- lending


@dataclass
class ScanOutcome:
    """One scanned barcode at the desk and what became of it."""

    kind: str  # "lent" | "blocked" | "error" | "returned" | "renewed"
    barcode: str
    title: str = ""
    message: str = ""
    due_at: dt.datetime | None = None
    explanation: str = ""
    blocks: list[BlockLine] = field(default_factory=list)
    can_override: bool = False
    overridden: list[str] = field(default_factory=list)
    routing_action: str = ""
    sort_bin: str = ""
    fine: Any = None


def _find_item(barcode: str) -> Item | None:
    return Item.objects.select_related("record", "collection").filter(barcode=barcode).first()


def _lend(
    request: HttpRequest,
    *,
    reader: Reader,
    point: ServicePoint,
    barcode: str,
    override: list[str],
) -> ScanOutcome:
    from shufang.circulation.services.checkout import loan_checkout, loan_checkout_preview

    item = _find_item(barcode)
    if item is None:
        return ScanOutcome(
            "error", barcode, message=_("No item has the barcode %(b)s.") % {"b": barcode}
        )
    title = item.record.title
    preview = loan_checkout_preview(item=item, reader=reader, service_point=point)
    outcome = ScanOutcome("lent", barcode, title=title, explanation=preview.explanation)
    codes = preview.block_codes
    if codes and sorted(set(codes)) != sorted(set(override)):
        may_override = has_permission(
            request.user, "circulation.override", library=point.library_id, service_point=point
        )
        outcome.kind = "blocked"
        outcome.blocks = _block_lines(preview.blocks)
        outcome.can_override = may_override and all(b.overridable for b in preview.blocks)
        outcome.message = _("Not lent.")
        return outcome
    try:
        loan = loan_checkout(
            item=item,
            reader=reader,
            service_point=point,
            actor=desk_actor(request),
            channel=DESK,
            override=override,
        )
    except errors.Block as block:
        outcome.kind = "blocked"
        outcome.blocks = _block_lines([block])
        outcome.message = _("Not lent.")
        return outcome
    except ShufangError as error:
        return ScanOutcome("error", barcode, title=title, message=str(error.message))
    outcome.due_at = loan.due_at
    outcome.overridden = list(loan.overrides)
    return outcome


@staff_required("circulation.lend")
def lend(request: HttpRequest) -> HttpResponse:
    """GET: the lend screen. POST `scan`: a card number switches the reader; anything else is
    an item barcode to lend to the current reader (previewed first: a block is shown before
    lending). POST `done`: the reader is finished (Esc)."""
    point = desk_point(request)
    if point is None:
        return _needs_point(request)
    reader = _desk_reader(request)
    outcome: ScanOutcome | None = None
    if request.method == "POST":
        if "done" in request.POST:
            request.session.pop(SESSION_READER, None)
            if _is_htmx(request):
                return _desk_swap(request, None, point)
            return redirect("web:desk-lend")
        scanned = request.POST.get("scan", "").strip()
        card = card_by_number(number=scanned) if scanned else None
        if card is not None:
            request.session[SESSION_READER] = card.reader_id
            reader = _desk_reader(request)
            if _is_htmx(request):
                return _desk_swap(request, reader, point)
        elif scanned and reader is None:
            outcome = ScanOutcome(
                "error",
                scanned,
                message=_("Scan the reader's card first: %(b)s is not a card.") % {"b": scanned},
            )
        elif scanned and reader is not None:
            override = [c for c in request.POST.getlist("override") if c]
            outcome = _lend(request, reader=reader, point=point, barcode=scanned, override=override)
        if _is_htmx(request) and outcome is not None:
            context: dict[str, Any] = {"outcome": outcome, "point": point}
            if reader is not None and outcome.kind == "lent":
                context.update(reader_circulation(reader=reader, point=point, user=request.user))
                context["oob"] = True
            return render(request, "web/staff/circulation/_lend_result.html", context)
    context = {"point": point, "outcome": outcome, "mode": "lend"}
    if reader is not None:
        context.update(_reader_panel(request, reader, point))
    return render(request, "web/staff/circulation/lend.html", context)


def _desk_swap(request: HttpRequest, reader: Reader | None, point: ServicePoint) -> HttpResponse:
    """A card scan (or Esc) replaces the whole desk area below the scan field."""
    context: dict[str, Any] = {"point": point, "mode": "lend"}
    if reader is not None:
        context.update(_reader_panel(request, reader, point))
    response = render(request, "web/staff/circulation/_desk.html", context)
    response["HX-Retarget"] = "#desk"
    response["HX-Reswap"] = "innerHTML"
    return response


# --------------------------------------------------------------------------- returns


@staff_required("circulation.lend")
def checkin(request: HttpRequest) -> HttpResponse:
    """One screen: scan items, each gets its routing message (shelf, quarantine, hold for X at
    Y, send to Z) and any fine."""
    from shufang.circulation.services.checkin import loan_checkin

    point = desk_point(request)
    if point is None:
        return _needs_point(request)
    outcome: ScanOutcome | None = None
    if request.method == "POST":
        barcode = request.POST.get("scan", "").strip()
        item = _find_item(barcode) if barcode else None
        if barcode and item is None:
            outcome = ScanOutcome(
                "error", barcode, message=_("No item has the barcode %(b)s.") % {"b": barcode}
            )
        elif item is not None:
            try:
                result = loan_checkin(
                    item=item, service_point=point, actor=desk_actor(request), channel=DESK
                )
            except ShufangError as error:
                outcome = ScanOutcome(
                    "error", barcode, title=item.record.title, message=str(error.message)
                )
            else:
                outcome = ScanOutcome(
                    "returned",
                    barcode,
                    title=item.record.title,
                    message=str(result.routing.message),
                    routing_action=result.routing.action,
                    sort_bin=result.routing.sort_bin,
                    fine=result.fine,
                )
                if result.loan is None:
                    outcome.explanation = _("This item was not on loan.")
        if _is_htmx(request):
            return render(
                request, "web/staff/circulation/_return_result.html", {"outcome": outcome}
            )
    return render(
        request,
        "web/staff/circulation/return.html",
        {"point": point, "outcome": outcome, "mode": "return"},
    )


# --------------------------------------------------------------------------- renewals


@staff_required("circulation.lend")
def renew(request: HttpRequest) -> HttpResponse:
    """Renew the current reader's loans: scan an item (or pick a loan) to renew one, or renew
    all; refusals are listed with their reasons."""
    from shufang.circulation.services.renew import loan_renew, loans_renew_all

    point = desk_point(request)
    if point is None:
        return _needs_point(request)
    reader = _desk_reader(request)
    outcomes: list[ScanOutcome] = []
    if request.method == "POST" and reader is not None:
        actor = desk_actor(request)
        if "all" in request.POST:
            result = loans_renew_all(reader=reader, actor=actor, channel=DESK)
            outcomes += [
                ScanOutcome(
                    "renewed", loan.item.barcode, title=loan.item.record.title, due_at=loan.due_at
                )
                for loan in Loan.objects.select_related("item__record").filter(
                    pk__in=[loan.pk for loan in result.renewed]
                )
            ]
            refused_items = {
                i.pk: i
                for i in Item.objects.select_related("record").filter(
                    pk__in=[loan.item_id for loan, _b in result.refused]
                )
            }
            for loan, block in result.refused:
                item = refused_items[loan.item_id]
                outcomes.append(
                    ScanOutcome(
                        "blocked",
                        item.barcode,
                        title=item.record.title,
                        message=_("Not renewed."),
                        blocks=_block_lines([block]),
                    )
                )
            if not outcomes:
                outcomes.append(ScanOutcome("error", "", message=_("No loan to renew.")))
        else:
            barcode = request.POST.get("scan", "").strip()
            found = (
                Loan.objects.select_related("item__record")
                .filter(reader=reader, item__barcode=barcode, status=LoanStatus.ACTIVE)
                .first()
            )
            if found is None:
                outcomes.append(
                    ScanOutcome(
                        "error",
                        barcode,
                        message=_("%(b)s is not on loan to this reader.") % {"b": barcode},
                    )
                )
            else:
                loan = found
                try:
                    renewed = loan_renew(loan=loan, actor=actor, channel=DESK)
                except errors.Block as block:
                    outcomes.append(
                        ScanOutcome(
                            "blocked",
                            barcode,
                            title=loan.item.record.title,
                            message=_("Not renewed."),
                            blocks=_block_lines([block]),
                        )
                    )
                except ShufangError as error:
                    outcomes.append(ScanOutcome("error", barcode, message=str(error.message)))
                else:
                    outcomes.append(
                        ScanOutcome(
                            "renewed",
                            barcode,
                            title=loan.item.record.title,
                            due_at=renewed.due_at,
                        )
                    )
        if _is_htmx(request):
            context: dict[str, Any] = {"outcomes": outcomes, "oob": True, "point": point}
            context.update(reader_circulation(reader=reader, point=point, user=request.user))
            return render(request, "web/staff/circulation/_renew_result.html", context)
    context = {"point": point, "outcomes": outcomes, "mode": "renew"}
    if reader is not None:
        context.update(_reader_panel(request, reader, point))
    return render(request, "web/staff/circulation/renew.html", context)


# --------------------------------------------------------------------------- fines


@staff_required("circulation.lend")
def fines(request: HttpRequest) -> HttpResponse:
    """The current reader's outstanding fines, with pay (one fine, in full or in part), pay an
    amount towards all of them (oldest first) and, for staff holding `circulation.override`,
    waive with a reason. POST `action` = pay | pay_all | waive; the answer is a message and
    the page again (post/redirect/get)."""
    from shufang.circulation.services.payments import fine_pay, fine_waive, reader_fines_pay

    point = desk_point(request)
    if point is None:
        return _needs_point(request)
    reader = _desk_reader(request)
    if request.method == "POST" and reader is not None:
        action = request.POST.get("action", "")
        amount = request.POST.get("amount", "").strip()
        payment_type = request.POST.get("payment_type", "cash")
        actor = desk_actor(request)
        try:
            if action == "pay_all":
                paid = reader_fines_pay(
                    reader=reader,
                    amount=amount,  # type: ignore[arg-type]  # checked by the service
                    actor=actor,
                    channel=DESK,
                    payment_type=payment_type,
                )
                total = sum((f.amount for f in paid), start=Decimal(0))
                messages.success(request, _("Paid %(amount)s.") % {"amount": f"{total:.2f}"})
            elif action in ("pay", "waive"):
                fine_id = request.POST.get("fine", "")
                fine = (
                    Fine.objects.filter(reader=reader, pk=int(fine_id)).first()
                    if fine_id.isdecimal()
                    else None
                )
                if fine is None:
                    messages.error(request, _("No such fine for this reader."))
                elif action == "pay":
                    done = fine_pay(
                        fine=fine,
                        amount=amount or fine.amount,  # type: ignore[arg-type]
                        actor=actor,
                        channel=DESK,
                        payment_type=payment_type,
                    )
                    messages.success(
                        request, _("Paid %(amount)s.") % {"amount": f"{done.amount:.2f}"}
                    )
                else:
                    fine_waive(fine=fine, actor=actor, reason=request.POST.get("reason", ""))
                    messages.success(request, _("Fine waived."))
        except ShufangError as error:
            messages.error(request, str(error.message))
        return redirect("web:desk-fines")
    context: dict[str, Any] = {"point": point, "mode": "fines"}
    if reader is not None:
        context.update(_reader_panel(request, reader, point))
    return render(request, "web/staff/circulation/fines.html", context)


# --------------------------------------------------------------------------- holds


def _record_search(query: str) -> list[Record]:
    if not query:
        return []
    digits = query.replace("-", "")
    found = Record.objects.filter(deleted_at__isnull=True).filter(
        Q(title__icontains=query) | Q(isbn=digits) | Q(items__barcode=query)
    )
    return list(found.distinct().order_by("title_sort", "pk")[:RECORD_SEARCH_LIMIT])


@staff_required("circulation.lend")
def holds(request: HttpRequest) -> HttpResponse:
    """Place a hold for the current reader on a record found by title, ISBN or barcode, with
    a pickup service point; cancel one of the reader's holds."""
    from shufang.circulation.services.holds import hold_cancel, hold_place

    point = desk_point(request)
    if point is None:
        return _needs_point(request)
    reader = _desk_reader(request)
    if request.method == "POST" and reader is not None:
        actor = desk_actor(request)
        try:
            if request.POST.get("action") == "cancel":
                hold = get_object_or_404(Hold, pk=request.POST.get("hold"), reader=reader)
                hold_cancel(hold=hold, actor=actor, reason=_("Cancelled at the desk"))
                messages.success(request, _("The hold was cancelled."))
            else:
                record = get_object_or_404(
                    Record, pk=request.POST.get("record"), deleted_at__isnull=True
                )
                pickup = get_object_or_404(ServicePoint, pk=request.POST.get("pickup"))
                hold_place(
                    reader=reader,
                    record=record,
                    pickup_service_point=pickup,
                    actor=actor,
                    channel=DESK,
                )
                messages.success(
                    request,
                    _("Hold placed on “%(title)s”, to collect at %(point)s.")
                    % {"title": record.title, "point": pickup},
                )
        except ShufangError as error:
            messages.error(request, str(error.message))
        return redirect(request.get_full_path())
    query = request.GET.get("q", "").strip()
    context: dict[str, Any] = {
        "point": point,
        "mode": "holds",
        "query": query,
        "records": _record_search(query),
        "pickup_points": ServicePoint.objects.select_related("library").order_by(
            "library__code", "code"
        ),
    }
    if reader is not None:
        context.update(_reader_panel(request, reader, point))
    return render(request, "web/staff/circulation/holds.html", context)


# --------------------------------------------------------------------------- lists


@staff_required("circulation.lend")
def hold_shelf(request: HttpRequest) -> HttpResponse:
    """Holds on this desk's hold shelf, first to expire first; `?expiring=1` lists those whose
    collect-by day is today or past (the list printed before closing)."""
    point = desk_point(request)
    if point is None:
        return _needs_point(request)
    rows = hold_shelf_list(service_point=point)
    expiring = request.GET.get("expiring") == "1"
    today = timezone.localdate()
    if expiring:
        rows = rows.filter(shelf_expires_on__lte=today)
    return render(
        request,
        "web/staff/circulation/hold_shelf.html",
        {"point": point, "holds": list(rows), "expiring": expiring, "today": today},
    )


@staff_required("circulation.lend")
def pick_list_view(request: HttpRequest) -> HttpResponse:
    point = desk_point(request)
    if point is None:
        return _needs_point(request)
    return render(
        request,
        "web/staff/circulation/pick_list.html",
        {"point": point, "lines": pick_list(service_point=point)},
    )


@staff_required("circulation.lend")
def transits(request: HttpRequest) -> HttpResponse:
    """Incoming and outgoing transits; scanning an arrived item receives it."""
    from shufang.circulation.services.transits import transit_receive

    point = desk_point(request)
    if point is None:
        return _needs_point(request)
    if request.method == "POST":
        barcode = request.POST.get("scan", "").strip()
        item = _find_item(barcode)
        if item is None:
            messages.error(request, _("No item has the barcode %(b)s.") % {"b": barcode})
        else:
            try:
                result = transit_receive(item=item, service_point=point, actor=desk_actor(request))
            except ShufangError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(
                    request,
                    _("%(b)s received: %(message)s")
                    % {"b": barcode, "message": result.routing.message},
                )
        return redirect(request.get_full_path())
    direction = request.GET.get("direction", "incoming")
    if direction not in ("incoming", "outgoing"):
        direction = "incoming"
    return render(
        request,
        "web/staff/circulation/transits.html",
        {
            "point": point,
            "direction": direction,
            "transits": list(transit_list(service_point=point, direction=direction)),
        },
    )


@staff_required("circulation.lend")
def quarantine(request: HttpRequest) -> HttpResponse:
    point = desk_point(request)
    if point is None:
        return _needs_point(request)
    return render(
        request,
        "web/staff/circulation/quarantine.html",
        {"point": point, "entries": list(quarantine_list(service_point=point))},
    )


# --------------------------------------------------------------------------- managers


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _libraries_for(user: Any, perm: str) -> list[Library]:
    library_ids = visible_library_ids(user, perm)
    libraries = Library.objects.order_by("code")
    if library_ids is not None:
        libraries = libraries.filter(pk__in=library_ids)
    return list(libraries)


def _points_in(libraries: list[Library]) -> list[ServicePoint]:
    return list(
        ServicePoint.objects.filter(library__in=libraries)
        .select_related("library")
        .order_by("library__code", "code")
    )


@staff_required("network.change")
def closures(request: HttpRequest) -> HttpResponse:
    """Declare an emergency closure of a service point, a library or the whole network; the
    answer says how many loans and hold-shelf expiries moved."""
    from shufang.circulation.services.closures import closure_declare

    libraries = _libraries_for(request.user, "network.change")
    points = _points_in(libraries)
    if request.method == "POST":
        scope = request.POST.get("scope", "")
        start = _date(request.POST.get("start_date", ""))
        end = _date(request.POST.get("end_date", ""))
        library = service_point = None
        if scope.startswith("library:"):
            library = next((x for x in libraries if f"library:{x.pk}" == scope), None)
        elif scope.startswith("point:"):
            service_point = next((x for x in points if f"point:{x.pk}" == scope), None)
        if start is None or end is None:
            messages.error(request, _("Give the first and last day of the closure."))
        elif scope != "network" and library is None and service_point is None:
            messages.error(request, _("Choose what closes."))
        else:
            try:
                closure = closure_declare(
                    start_date=start,
                    end_date=end,
                    reason=request.POST.get("reason", ""),
                    actor=desk_actor(request),
                    library=library,
                    service_point=service_point,
                )
            except ShufangError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(
                    request,
                    _(
                        "Closure declared: %(loans)s loans and %(holds)s hold-shelf expiries "
                        "moved to the next open day."
                    )
                    % {"loans": closure.loans_moved, "holds": closure.holds_moved},
                )
                return redirect("web:desk-closures")
    recent = Closure.objects.select_related("library", "service_point").order_by(
        "-start_date", "-pk"
    )[:50]
    return render(
        request,
        "web/staff/circulation/closures.html",
        {
            "libraries": libraries,
            "points": points,
            "closures": recent,
            "network_wide": visible_library_ids(request.user, "network.change") is None,
            "form": request.POST if request.method == "POST" else {},
        },
    )


@staff_required("network.change")
def modes(request: HttpRequest) -> HttpResponse:
    """Set a service mode (normal, closed-stack, lending only) for a period."""
    from shufang.circulation.services.modes import service_mode_set

    points = _points_in(_libraries_for(request.user, "network.change"))
    if request.method == "POST":
        point = next((p for p in points if str(p.pk) == request.POST.get("service_point")), None)
        start = _date(request.POST.get("start_date", ""))
        end_text = request.POST.get("end_date", "").strip()
        end = _date(end_text) if end_text else None
        if point is None or start is None or (end_text and end is None):
            messages.error(request, _("Choose a service point and give a valid first day."))
        else:
            try:
                service_mode_set(
                    service_point=point,
                    mode=request.POST.get("mode", ""),
                    start_date=start,
                    end_date=end,
                    reason=request.POST.get("reason", ""),
                    actor=desk_actor(request),
                )
            except ShufangError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("Service mode set."))
                return redirect("web:desk-modes")
    periods = (
        ServiceModePeriod.objects.filter(service_point__in=points)
        .select_related("service_point")
        .order_by("-start_date", "-pk")[:100]
    )
    return render(
        request,
        "web/staff/circulation/modes.html",
        {"points": points, "periods": periods, "modes": ServiceMode.choices},
    )


@staff_required("circulation.lend")
def deposits(request: HttpRequest) -> HttpResponse:
    """Deposit collections lent from this desk's service point; create one for a group
    account (found by its card number)."""
    from shufang.circulation.services.deposits import deposit_create

    point = desk_point(request)
    if point is None:
        return _needs_point(request)
    if request.method == "POST":
        card = card_by_number(number=request.POST.get("borrower_card", ""))
        lent_on = _date(request.POST.get("lent_on", "")) or timezone.localdate()
        due_on = _date(request.POST.get("due_on", ""))
        if card is None or due_on is None:
            messages.error(request, _("Give the group account's card number and a due date."))
        else:
            try:
                deposit = deposit_create(
                    name=request.POST.get("name", ""),
                    borrower=card.reader,
                    lent_from=point,
                    lent_on=lent_on,
                    due_on=due_on,
                    actor=desk_actor(request),
                )
            except ShufangError as error:
                messages.error(request, str(error.message))
            else:
                return redirect("web:desk-deposit", pk=deposit.pk)
    rows = (
        Deposit.objects.filter(lent_from=point)
        .select_related("borrower", "destination")
        .order_by("-lent_on", "-pk")[:100]
    )
    return render(
        request, "web/staff/circulation/deposits.html", {"point": point, "deposits": rows}
    )


@staff_required("circulation.lend")
def deposit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Lend to a deposit by scanning (one barcode a line) or uploading a barcode file; return
    a batch and see the discrepancy list."""
    from shufang.circulation.services.deposits import (
        deposit_lend,
        deposit_lend_file,
        deposit_return,
    )

    deposit = get_object_or_404(
        Deposit.objects.select_related("borrower", "lent_from", "destination"), pk=pk
    )
    if not has_permission(
        request.user,
        "circulation.lend",
        library=deposit.lent_from.library_id,
        service_point=deposit.lent_from,
    ):
        return HttpResponse(status=403)
    point = desk_point(request) or deposit.lent_from
    lent = returned = None
    if request.method == "POST":
        actor = desk_actor(request)
        barcodes = request.POST.get("barcodes", "").split()
        try:
            if request.POST.get("action") == "return":
                returned = deposit_return(
                    deposit=deposit, barcodes=barcodes, actor=actor, service_point=point
                )
            elif "file" in request.FILES:
                upload: Any = request.FILES["file"]
                suffix = Path(upload.name or "barcodes.txt").suffix or ".txt"
                with tempfile.TemporaryDirectory() as folder:
                    path = Path(folder) / f"barcodes{suffix}"
                    with path.open("wb") as out:
                        for chunk in upload.chunks():
                            out.write(chunk)
                    lent = deposit_lend_file(deposit=deposit, path=path, actor=actor)
            else:
                lent = deposit_lend(deposit=deposit, barcodes=barcodes, actor=actor)
        except ShufangError as error:
            messages.error(request, str(error.message))
    loans = (
        Loan.objects.filter(deposit=deposit)
        .select_related("item__record")
        .order_by("-checked_out_at", "pk")
    )
    open_count = loans.filter(status__in=OPEN_LOAN_STATUSES).count()
    return render(
        request,
        "web/staff/circulation/deposit_detail.html",
        {
            "deposit": deposit,
            "point": point,
            "loans": loans[:500],
            "open_count": open_count,
            "lent": lent,
            "returned": returned,
        },
    )
