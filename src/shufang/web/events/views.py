"""The public events page of the catalogue site: upcoming events, sign-up and cancellation
by a reader logged in with card and PIN, and an iCalendar feed."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.core.audit import Actor
from shufang.core.exceptions import ShufangError
from shufang.core.models import Channel
from shufang.programmes import selectors
from shufang.programmes.models import Event, Registration, RegistrationStatus
from shufang.readers.models import Reader
from shufang.web.account.views import session_reader
from shufang.web.events import ical


def event_list(request: HttpRequest) -> HttpResponse:
    events = selectors.public_events()[:100]
    return render(request, "web/events/list.html", {"events": events})


def _registration(event: Event, reader: Reader | None) -> Registration | None:
    if reader is None:
        return None
    return (
        Registration.objects.filter(event=event, reader=reader)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from shufang.programmes import services

    event = selectors.public_events().filter(pk=pk).first()
    if event is None:
        raise Http404
    reader = session_reader(request)
    if request.method == "POST":
        if reader is None:
            return redirect("web:account-login")
        actor = Actor(user=None, channel=Channel.OPAC, label=f"reader {reader.pk}")
        try:
            if request.POST.get("action") == "cancel":
                current = _registration(event, reader)
                if current is not None:
                    services.registration_cancel(registration=current, actor=actor)
                    messages.success(request, _("Your registration is cancelled."))
            else:
                reg = services.registration_create(
                    event=event, reader=reader, channel=Channel.OPAC, actor=actor
                )
                if reg.status == RegistrationStatus.WAITING:
                    messages.success(request, _("The event is full: you are on the waiting list."))
                else:
                    messages.success(request, _("You are registered."))
        except ShufangError as exc:
            messages.error(request, str(exc.message))
        return redirect("web:event", pk=event.pk)
    counts = selectors.registration_counts(event=event)
    places_left = (
        max(event.capacity - counts["confirmed"], 0) if event.capacity is not None else None
    )
    return render(
        request,
        "web/events/detail.html",
        {
            "event": event,
            "reader": reader,
            "registration": _registration(event, reader),
            "places_left": places_left,
            "may_register": event.registration_open
            and not event.suspended
            and event.status == "planned",
        },
    )


def calendar_feed(request: HttpRequest) -> HttpResponse:
    events = selectors.public_events(now=timezone.now() - dt.timedelta(days=90))
    body = ical.calendar(
        events,
        host=request.get_host().split(":")[0],
        name=str(_("Library events")),
        now=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    return response
