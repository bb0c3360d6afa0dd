"""Write services for series, events and registrations.

Numbering: an event of a series gets the series' next number while the series row is locked
(`select_for_update`), and (series, number) is unique in the database, so two editors adding
events at once get consecutive numbers and never the same one. Numbers are never freed: a
cancelled or postponed event keeps its number, so the series has no gaps.

Capacity: registrations are decided while the event row is locked; a reader beyond the
capacity goes on the waiting list, and when a confirmed reader cancels the first one waiting
is promoted in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.core.audit import Actor, audit_record, diff
from shufang.core.exceptions import Conflict, InvalidTransition, NotFound, ValidationFailed
from shufang.core.permissions import require
from shufang.network.models import Library, ServicePoint
from shufang.programmes.models import (
    Audience,
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
    Series,
)
from shufang.readers.models import Reader


class DuplicateNumber(Conflict):
    code = "event_number_taken"
    default_message = _("This number is already used in the series.")


class NumberGap(ValidationFailed):
    code = "event_number_gap"
    default_message = _("This number would leave a gap in the series.")


class DatesOutOfOrder(ValidationFailed):
    code = "dates_out_of_order"
    default_message = _("The end is before the start.")


class RegistrationClosed(InvalidTransition):
    code = "registration_closed"
    default_message = _("Registration for this event is not open.")


class AlreadyRegistered(Conflict):
    code = "already_registered"
    default_message = _("This reader is already registered for this event.")


EVENT_FIELDS = frozenset(
    {
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
    }
)


def _require(actor: Actor, library: Any) -> None:
    if actor.user is not None:
        require(actor.user, "programmes.change", library=library)


@transaction.atomic
def series_create(
    *,
    library: Library,
    code: str,
    name: str,
    kind: str,
    actor: Actor,
    number_format: str = "第{n}期",
    first_number: int = 1,
) -> Series:
    _require(actor, library)
    if kind not in EventKind.values:
        raise ValidationFailed(_("Unknown kind of event: %(k)s") % {"k": kind}, field="kind")
    if "{n}" not in number_format:
        raise ValidationFailed(
            _("The number format must contain {n}, e.g. 第{n}讲."), field="number_format"
        )
    if first_number < 1:
        raise ValidationFailed(_("Numbers start at 1 or more."), field="first_number")
    if Series.objects.filter(code=code).exists():
        raise Conflict(_("A series with code %(c)s exists.") % {"c": code}, field="code")
    series = Series.objects.create(
        library=library,
        code=code,
        name=name.strip(),
        kind=kind,
        number_format=number_format,
        first_number=first_number,
    )
    audit_record(
        actor=actor,
        action="series.created",
        obj=series,
        changes={"code": code, "name": series.name, "kind": kind, "first_number": first_number},
        library=library,
    )
    return series


def series_number_next(*, series: Series) -> int:
    """The number the next event of `series` will get (read-only; allocation happens in
    `event_create` under the series lock)."""
    last = Event.objects.filter(series=series).aggregate(m=Max("number"))["m"]
    return series.first_number if last is None else last + 1


def _check_event_values(values: dict[str, Any]) -> None:
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts is None or ends is None:
        raise ValidationFailed(_("An event needs a start and an end."), field="starts_at")
    if ends < starts:
        raise DatesOutOfOrder(
            _("The event ends (%(end)s) before it starts (%(start)s).")
            % {
                "end": timezone.localtime(ends).strftime("%Y-%m-%d %H:%M"),
                "start": timezone.localtime(starts).strftime("%Y-%m-%d %H:%M"),
            },
            field="ends_at",
        )
    if values.get("kind") not in EventKind.values:
        raise ValidationFailed(
            _("Unknown kind of event: %(k)s") % {"k": values.get("kind")}, field="kind"
        )
    if values.get("audience", Audience.ALL) not in Audience.values:
        raise ValidationFailed(_("Unknown audience."), field="audience")
    if values.get("status", EventStatus.PLANNED) not in EventStatus.values:
        raise ValidationFailed(_("Unknown status."), field="status")
    if not str(values.get("title", "")).strip():
        raise ValidationFailed(_("An event needs a title."), field="title")
    capacity = values.get("capacity")
    if capacity is not None and capacity < 1:
        raise ValidationFailed(_("The capacity must be at least 1."), field="capacity")


def _forbidden_days(event: Event) -> list[dt.date]:
    """Days of an offline event at a service point whose service mode forbids gatherings."""
    point = event.service_point
    if event.online or point is None:
        return []
    from shufang.circulation.services.modes import service_mode_allows

    day = timezone.localtime(event.starts_at).date()
    last = timezone.localtime(event.ends_at).date()
    days = []
    while day <= last:
        if not service_mode_allows(service_point=point, day=day, activity="events"):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _should_suspend(event: Event) -> bool:
    # An exhibition is suspended only when every one of its days is forbidden.
    if event.status != EventStatus.PLANNED:
        return False
    forbidden = _forbidden_days(event)
    if not forbidden:
        return False
    if event.kind == EventKind.EXHIBITION:
        first = timezone.localtime(event.starts_at).date()
        last = timezone.localtime(event.ends_at).date()
        return len(forbidden) == (last - first).days + 1
    return True


@transaction.atomic
def event_create(
    *,
    library: Library,
    title: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    actor: Actor,
    series: Series | None = None,
    number: int | None = None,
    **fields: Any,
) -> Event:
    """Creates an event. In a series it gets the next number, or `number` when given: a
    number already used is refused (DuplicateNumber), one beyond the next would leave a gap
    (NumberGap). Locks the series row. An offline planned event on a day its venue's service
    mode forbids gatherings is saved suspended."""
    _require(actor, library)
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    values = {"title": title, "kind": kind, "starts_at": starts_at, "ends_at": ends_at, **fields}
    _check_event_values(values)
    point = fields.get("service_point")
    if isinstance(point, ServicePoint) and point.library_id != library.pk:
        raise ValidationFailed(_("The venue belongs to another library."), field="service_point")
    if series is not None:
        series = Series.objects.select_for_update().get(pk=series.pk)
        if series.library_id != library.pk:
            raise ValidationFailed(_("The series belongs to another library."), field="series")
        expected = series_number_next(series=series)
        if number is None:
            number = expected
        elif Event.objects.filter(series=series, number=number).exists():
            raise DuplicateNumber(
                _("%(series)s already has number %(n)d; the next free number is %(next)d.")
                % {"series": series.name, "n": number, "next": expected},
                field="number",
                next=expected,
            )
        elif number > expected or number < series.first_number:
            raise NumberGap(
                _("%(series)s: number %(n)d would leave a gap; the next number is %(next)d.")
                % {"series": series.name, "n": number, "next": expected},
                field="number",
                next=expected,
            )
    elif number is not None:
        raise ValidationFailed(_("Only an event in a series has a number."), field="number")
    event = Event(library=library, series=series, number=number, **values)
    event.suspended = _should_suspend(event)
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError as exc:  # the unique (series, number) constraint, as a last guard
        raise DuplicateNumber(field="number") from exc
    audit_record(
        actor=actor,
        action="event.created",
        obj=event,
        changes={**values, "series": series, "number": number, "suspended": event.suspended},
        library=library,
    )
    return event


@transaction.atomic
def event_update(*, event: Event, actor: Actor, **changes: Any) -> Event:
    """Changes an event's fields (not its series or number). Locks the event row. Recording a
    head-count or online reach is an update of the same kind."""
    _require(actor, event.library_id)
    unknown = set(changes) - EVENT_FIELDS
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    locked = Event.objects.select_for_update().get(pk=event.pk)
    before = {name: getattr(locked, name) for name in EVENT_FIELDS}
    _check_event_values({**before, **changes})
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.suspended = _should_suspend(locked)
    locked.save()
    audit_record(
        actor=actor,
        action="event.updated",
        obj=locked,
        changes=diff(before, {name: getattr(locked, name) for name in EVENT_FIELDS}),
        library=locked.library_id,
    )
    return locked


def event_mode_check(*, today: dt.date, actor: Actor) -> int:
    """Re-checks planned events from `today` on against the service modes (a closure or a
    closed-stack period may be set after an event was planned) and suspends or releases
    them. Returns how many changed."""
    changed = 0
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    for event in Event.objects.filter(
        status=EventStatus.PLANNED, online=False, ends_at__gte=start
    ).select_related("service_point"):
        should = _should_suspend(event)
        if should != event.suspended:
            with transaction.atomic():
                Event.objects.filter(pk=event.pk).update(suspended=should)
                audit_record(
                    actor=actor,
                    action="event.suspended" if should else "event.released",
                    obj=event,
                    changes={"suspended": should},
                    library=event.library_id,
                )
            changed += 1
    return changed


# --------------------------------------------------------------------------- registration


def _lock_event(event: Event) -> Event:
    try:
        return Event.objects.select_for_update().get(pk=event.pk)
    except Event.DoesNotExist:
        raise NotFound(_("No such event.")) from None


def _confirmed(event: Event) -> int:
    return Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).count()


@transaction.atomic
def registration_create(
    *, event: Event, reader: Reader, channel: str, actor: Actor
) -> Registration:
    """Registers `reader` for `event`: confirmed while there is room, otherwise on the waiting
    list. Refuses a closed, suspended, past or non-planned event (RegistrationClosed) and a
    second active registration of the same reader (AlreadyRegistered). Locks the event row.
    From the desk the staff user needs programmes.change; a reader registers themselves."""
    if actor.user is not None:
        require(actor.user, "programmes.change", library=event.library_id)
    locked = _lock_event(event)
    if (
        not locked.registration_open
        or locked.suspended
        or locked.status != EventStatus.PLANNED
        or locked.ends_at < timezone.now()
    ):
        raise RegistrationClosed()
    if (
        Registration.objects.filter(event=locked, reader=reader)
        .exclude(status=RegistrationStatus.CANCELLED)
        .exists()
    ):
        raise AlreadyRegistered()
    full = locked.capacity is not None and _confirmed(locked) >= locked.capacity
    registration = Registration.objects.create(
        event=locked,
        reader=reader,
        channel=channel,
        status=RegistrationStatus.WAITING if full else RegistrationStatus.CONFIRMED,
    )
    audit_record(
        actor=actor,
        action="registration.created",
        obj=registration,
        changes={"event": locked, "reader": reader, "status": registration.status},
        library=locked.library_id,
    )
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, actor: Actor) -> Registration | None:
    """Cancels a registration; when it held a place, the first reader on the waiting list is
    confirmed. Returns the promoted registration, if any. Locks the event row."""
    event = registration.event
    if actor.user is not None:
        require(actor.user, "programmes.change", library=event.library_id)
    locked = _lock_event(event)
    current = Registration.objects.select_for_update().get(pk=registration.pk)
    if current.status == RegistrationStatus.CANCELLED:
        raise InvalidTransition(_("This registration is already cancelled."))
    held_place = current.status == RegistrationStatus.CONFIRMED
    current.status = RegistrationStatus.CANCELLED
    current.cancelled_at = timezone.now()
    current.save(update_fields=["status", "cancelled_at"])
    audit_record(
        actor=actor,
        action="registration.cancelled",
        obj=current,
        changes={"status": "cancelled"},
        library=locked.library_id,
    )
    promoted = None
    if held_place and (locked.capacity is None or _confirmed(locked) < locked.capacity):
        promoted = (
            Registration.objects.select_for_update()
            .filter(event=locked, status=RegistrationStatus.WAITING)
            .order_by("registered_at", "id")
            .first()
        )
        if promoted is not None:
            promoted.status = RegistrationStatus.CONFIRMED
            promoted.save(update_fields=["status"])
            audit_record(
                actor=actor,
                action="registration.promoted",
                obj=promoted,
                changes={"status": "confirmed"},
                library=locked.library_id,
            )
    return promoted


@transaction.atomic
def registration_check_in(*, registration: Registration, actor: Actor) -> Registration:
    """Marks a confirmed registration as attended (once)."""
    _require(actor, registration.event.library_id)
    current = Registration.objects.select_for_update().get(pk=registration.pk)
    if current.status != RegistrationStatus.CONFIRMED:
        raise InvalidTransition(_("Only a confirmed registration can be checked in."))
    if current.checked_in_at is not None:
        raise InvalidTransition(_("Already checked in."))
    current.checked_in_at = timezone.now()
    current.save(update_fields=["checked_in_at"])
    audit_record(
        actor=actor,
        action="registration.checked_in",
        obj=current,
        changes={"checked_in_at": current.checked_in_at},
        library=current.event.library_id,
    )
    return current
