"""The reader's own session: card number and PIN at /account/login/. It keeps only the
reader's id in the session and never logs a Django user in, so it grants no staff access.

Every page and action here works on the session's reader only: objects are looked up with
`reader=` that reader, so another reader's loan or hold is simply not found (404)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shufang.circulation.models import CirculationChannel, Fine, Hold, Loan, LoanStatus
from shufang.core.audit import Actor
from shufang.core.exceptions import ShufangError
from shufang.core.models import Channel
from shufang.readers.models import ConsentKind, Reader
from shufang.web.account import throttle

READER_SESSION_KEY = "shufang_reader_id"


class ReaderLoginForm(forms.Form):
    card_number = forms.CharField(label=_("Card number"), max_length=32)
    pin = forms.CharField(label=_("PIN"), max_length=32, widget=forms.PasswordInput)


def session_reader(request: HttpRequest) -> Reader | None:
    reader_id = request.session.get(READER_SESSION_KEY)
    if reader_id is None:
        return None
    return (
        Reader.objects.select_related("category", "home_service_point").filter(pk=reader_id).first()
    )


def reader_actor(reader: Reader) -> Actor:
    """The reader acting for themself through the public catalogue."""
    return Actor(user=None, channel=Channel.OPAC, label=f"reader:{reader.pk}")


def reader_required(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        reader = session_reader(request)
        if reader is None:
            login_url = reverse("web:account-login")
            if request.path == reverse("web:account"):
                return redirect(login_url)  # the account is where login leads anyway
            return redirect(f"{login_url}?{urlencode({'next': request.path})}")
        return view(request, reader, *args, **kwargs)

    return wrapped


def _authenticate(card_number: str, pin: str) -> Any:
    from shufang.readers.selectors import reader_by_card_number
    from shufang.readers.services import reader_check_pin

    reader = reader_by_card_number(number=card_number)
    if reader is None or not reader_check_pin(reader=reader, pin=pin):
        return None
    return reader


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _next_url(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def account_login(request: HttpRequest) -> HttpResponse:
    form = ReaderLoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        card_number = form.cleaned_data["card_number"].strip()
        ip = _client_ip(request)
        if throttle.login_blocked(card_number=card_number, ip=ip):
            form.add_error(
                None,
                _(
                    "Too many failed attempts. Please wait %(minutes)d minutes and try again, "
                    "or ask at the desk."
                )
                % {"minutes": throttle.window_seconds() // 60},
            )
            status = 429
        else:
            reader = _authenticate(card_number, form.cleaned_data["pin"])
            if reader is not None:
                throttle.login_succeeded(card_number=card_number)
                request.session.cycle_key()
                request.session[READER_SESSION_KEY] = reader.pk
                return redirect(_next_url(request) or "web:account")
            throttle.login_failed(card_number=card_number, ip=ip)
            form.add_error(None, _("The card number or PIN is not correct."))
    return render(
        request,
        "web/account/login.html",
        {"form": form, "next": _next_url(request) or ""},
        status=status,
    )


@require_POST
def account_logout(request: HttpRequest) -> HttpResponse:
    request.session.pop(READER_SESSION_KEY, None)
    return redirect("web:home")


def _pickup_points() -> Any:
    from shufang.web.opac.views import pickup_points

    return pickup_points()


@reader_required
def account_home(request: HttpRequest, reader: Reader) -> HttpResponse:
    from shufang.circulation.selectors import reader_fines_outstanding, reader_loans_current
    from shufang.circulation.services.holds import OPEN_HOLD_STATUSES

    loans = list(reader_loans_current(reader=reader))
    holds = list(
        Hold.objects.filter(reader=reader, status__in=OPEN_HOLD_STATUSES)
        .select_related("record", "pickup_service_point")
        .order_by("placed_at", "pk")
    )
    return render(
        request,
        "web/account/home.html",
        {
            "reader": reader,
            "cards": reader.cards.order_by("-issued_at"),
            "loans": loans,
            "holds": holds,
            "now": timezone.now(),
            "fines_outstanding": reader_fines_outstanding(reader=reader),
            "pickup_points": _pickup_points(),
        },
    )


def _refusal(request: HttpRequest, error: ShufangError) -> None:
    messages.error(request, str(error.message))


@require_POST
@reader_required
def account_loan_renew(request: HttpRequest, reader: Reader, pk: int) -> HttpResponse:
    from shufang.circulation.services.renew import loan_renew

    loan = get_object_or_404(Loan, pk=pk, reader=reader, status=LoanStatus.ACTIVE)
    try:
        renewed = loan_renew(loan=loan, actor=reader_actor(reader), channel=CirculationChannel.OPAC)
    except ShufangError as error:
        _refusal(request, error)
    else:
        messages.success(
            request,
            _t("Renewed: %(title)s, now due %(due)s.")
            % {
                "title": renewed.item.record.title,
                "due": timezone.localtime(renewed.due_at).strftime("%Y-%m-%d"),
            },
        )
    return redirect("web:account")


@require_POST
@reader_required
def account_hold_cancel(request: HttpRequest, reader: Reader, pk: int) -> HttpResponse:
    from shufang.circulation.services.holds import OPEN_HOLD_STATUSES, hold_cancel

    hold = get_object_or_404(Hold, pk=pk, reader=reader, status__in=OPEN_HOLD_STATUSES)
    try:
        hold_cancel(hold=hold, actor=reader_actor(reader), reason=_t("Cancelled by the reader"))
    except ShufangError as error:
        _refusal(request, error)
    else:
        messages.success(request, _t("Hold cancelled: %(title)s") % {"title": hold.record.title})
    return redirect("web:account")


@require_POST
@reader_required
def account_hold_pickup(request: HttpRequest, reader: Reader, pk: int) -> HttpResponse:
    from shufang.circulation.services.holds import OPEN_HOLD_STATUSES, hold_change_pickup

    hold = get_object_or_404(Hold, pk=pk, reader=reader, status__in=OPEN_HOLD_STATUSES)
    point = _pickup_points().filter(pk=_int(request.POST.get("pickup"))).first()
    if point is None:
        messages.error(request, _t("Please choose a pickup point."))
        return redirect("web:account")
    try:
        hold_change_pickup(hold=hold, pickup_service_point=point, actor=reader_actor(reader))
    except ShufangError as error:
        _refusal(request, error)
    else:
        messages.success(request, _t("Pickup point changed to %(point)s.") % {"point": point})
    return redirect("web:account")


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@reader_required
def account_history(request: HttpRequest, reader: Reader) -> HttpResponse:
    loans = (
        Loan.objects.filter(reader=reader, status=LoanStatus.RETURNED)
        .select_related("item__record", "service_point")
        .order_by("-returned_at", "-pk")[:500]
        if reader.keep_loan_history
        else []
    )
    return render(request, "web/account/history.html", {"reader": reader, "loans": loans})


@reader_required
def account_fines(request: HttpRequest, reader: Reader) -> HttpResponse:
    from shufang.circulation.selectors import reader_fines_outstanding

    fines = Fine.objects.filter(reader=reader).select_related("loan__item__record")
    return render(
        request,
        "web/account/fines.html",
        {
            "reader": reader,
            "fines": fines.order_by("-created_at", "-pk"),
            "outstanding": reader_fines_outstanding(reader=reader),
        },
    )


PRIVACY_CHOICES = (ConsentKind.KEEP_LOAN_HISTORY, ConsentKind.NAMED_IN_RANKINGS)


@reader_required
def account_profile(request: HttpRequest, reader: Reader) -> HttpResponse:
    from shufang.readers.selectors import consent_in_force
    from shufang.readers.services import consent_set

    current = {kind: consent_in_force(reader=reader, kind=kind) for kind in PRIVACY_CHOICES}
    if request.method == "POST":
        changed = False
        for kind in PRIVACY_CHOICES:
            wanted = request.POST.get(kind) == "on"
            if wanted != current[kind]:
                consent_set(reader=reader, kind=kind, granted=wanted, actor=reader_actor(reader))
                changed = True
        if changed:
            messages.success(request, _t("Your privacy choices are saved."))
        return redirect("web:account-profile")
    choices = [(kind, ConsentKind(kind).label, current[kind]) for kind in PRIVACY_CHOICES]
    return render(request, "web/account/profile.html", {"reader": reader, "choices": choices})


def _personal_data(reader: Reader, fmt: str) -> dict[str, Any]:
    from shufang.readers.services import reader_personal_data_viewed
    from shufang.web.account.data import reader_personal_data

    reader_personal_data_viewed(
        reader=reader, actor=reader_actor(reader), purpose=f"reader download ({fmt})"
    )
    return reader_personal_data(reader=reader)


@reader_required
def account_data(request: HttpRequest, reader: Reader) -> HttpResponse:
    data = _personal_data(reader, "html")
    return render(request, "web/account/data.html", {"reader": reader, "data": data})


@reader_required
def account_data_json(request: HttpRequest, reader: Reader) -> HttpResponse:
    data = _personal_data(reader, "json")
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="shufang-my-data-{stamp}.json"'
    return response


__all__ = ["READER_SESSION_KEY", "session_reader", "reader_actor"]
