"""Writes to the network: library systems, libraries, service points, opening hours and
calendar exceptions. Each service runs in one transaction and writes one audit event per change.

Permission: when the actor is a staff user, `network.change` is required for the library
concerned (the whole network for library systems and network-wide exceptions). System and
import actors (no user) are trusted callers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shufang.core.audit import Actor, audit_record, diff
from shufang.core.exceptions import Conflict, ValidationFailed
from shufang.core.permissions import require
from shufang.network.models import (
    CalendarException,
    CalendarExceptionKind,
    Library,
    LibraryKind,
    LibrarySystem,
    OpeningHours,
    ServicePoint,
    ServicePointKind,
)

# ISIL style: country prefix CN, the six-digit administrative area code, then optional
# segments of letters and digits: CN-530700, CN-530700-LJ, CN-530700-LJ-GC01.
CODE_PATTERN = re.compile(r"^CN-\d{6}(-[A-Za-z0-9]{1,12})*$")

LIBRARY_FIELDS = frozenset(
    {
        "name",
        "name_en",
        "kind",
        "admin_area_code",
        "host_organisation",
        "address",
        "contact_phone",
        "contact_email",
        "service_population",
        "opened_on",
        "closed_on",
    }
)
SERVICE_POINT_FIELDS = frozenset(
    {
        "name",
        "name_en",
        "kind",
        "host_organisation",
        "address",
        "contact_name",
        "contact_phone",
        "opened_on",
        "closed_on",
    }
)


def _require(actor: Actor, library: Library | None = None) -> None:
    if actor.user is not None:
        require(actor.user, "network.change", library=library)


def validate_code(code: str) -> str:
    code = code.strip()
    if len(code) > 32 or not CODE_PATTERN.match(code):
        raise ValidationFailed(
            _("“%(code)s” is not an ISIL-style code such as CN-530700-LJ.") % {"code": code},
            field="code",
        )
    return code


def _check_choice(value: str, choices: Any, field: str) -> None:
    if value not in choices.values:
        raise ValidationFailed(
            _("“%(value)s” is not a valid %(field)s.") % {"value": value, "field": field},
            field=field,
        )


def _check_dates(opened_on: dt.date | None, closed_on: dt.date | None) -> None:
    if opened_on and closed_on and closed_on < opened_on:
        raise ValidationFailed(_("The closing date is before the opening date."), field="closed_on")


def _unique_save(obj: Any, code: str) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise Conflict(
            _("The code %(code)s is already in use.") % {"code": code}, field="code"
        ) from exc


@transaction.atomic
def library_system_create(
    *, code: str, name: str, actor: Actor, name_en: str = ""
) -> LibrarySystem:
    _require(actor)
    code = validate_code(code)
    system = LibrarySystem(code=code, name=name.strip(), name_en=name_en.strip())
    _unique_save(system, code)
    audit_record(
        actor=actor,
        action="library_system.created",
        obj=system,
        changes={"code": code, "name": system.name},
    )
    return system


@transaction.atomic
def library_create(
    *,
    system: LibrarySystem,
    code: str,
    name: str,
    kind: str,
    actor: Actor,
    **fields: Any,
) -> Library:
    """Creates a member library. Extra keyword arguments are among LIBRARY_FIELDS."""
    _require(actor)
    code = validate_code(code)
    _check_choice(kind, LibraryKind, "kind")
    unknown = set(fields) - LIBRARY_FIELDS
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    _check_dates(fields.get("opened_on"), fields.get("closed_on"))
    library = Library(system=system, code=code, name=name.strip(), kind=kind, **fields)
    _unique_save(library, code)
    audit_record(
        actor=actor,
        action="library.created",
        obj=library,
        changes={"code": code, "name": library.name, "kind": kind, **fields},
    )
    return library


@transaction.atomic
def library_update(*, library: Library, actor: Actor, **changes: Any) -> Library:
    """Changes the given fields (among LIBRARY_FIELDS); the code never changes. Locks the
    library row."""
    _require(actor, library)
    unknown = set(changes) - LIBRARY_FIELDS
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    library = Library.objects.select_for_update().get(pk=library.pk)
    if "kind" in changes:
        _check_choice(changes["kind"], LibraryKind, "kind")
    before = {key: getattr(library, key) for key in changes}
    for key, value in changes.items():
        setattr(library, key, value)
    _check_dates(library.opened_on, library.closed_on)
    delta = diff(before, changes)
    if delta:
        library.save()
        audit_record(actor=actor, action="library.updated", obj=library, changes=delta)
    return library


@transaction.atomic
def service_point_create(
    *,
    library: Library,
    code: str,
    name: str,
    kind: str,
    actor: Actor,
    **fields: Any,
) -> ServicePoint:
    """Creates a service point of `library`. Extra keyword arguments are among
    SERVICE_POINT_FIELDS."""
    _require(actor, library)
    code = validate_code(code)
    _check_choice(kind, ServicePointKind, "kind")
    unknown = set(fields) - SERVICE_POINT_FIELDS
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    _check_dates(fields.get("opened_on"), fields.get("closed_on"))
    point = ServicePoint(library=library, code=code, name=name.strip(), kind=kind, **fields)
    _unique_save(point, code)
    audit_record(
        actor=actor,
        action="service_point.created",
        obj=point,
        changes={"code": code, "name": point.name, "kind": kind, "library": library, **fields},
    )
    return point


@transaction.atomic
def service_point_update(
    *, service_point: ServicePoint, actor: Actor, **changes: Any
) -> ServicePoint:
    """Changes the given fields (among SERVICE_POINT_FIELDS). Locks the service point row."""
    _require(actor, service_point.library)
    unknown = set(changes) - SERVICE_POINT_FIELDS
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    point = ServicePoint.objects.select_for_update().get(pk=service_point.pk)
    if "kind" in changes:
        _check_choice(changes["kind"], ServicePointKind, "kind")
    before = {key: getattr(point, key) for key in changes}
    for key, value in changes.items():
        setattr(point, key, value)
    _check_dates(point.opened_on, point.closed_on)
    delta = diff(before, changes)
    if delta:
        point.save()
        audit_record(actor=actor, action="service_point.updated", obj=point, changes=delta)
    return point


def _validate_periods(
    periods: list[tuple[int, dt.time, dt.time]],
) -> list[tuple[int, dt.time, dt.time]]:
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, opens, closes in periods:
        if weekday not in range(7):
            raise ValidationFailed(
                _("Weekday must be 0 (Monday) to 6 (Sunday), not %(d)s.") % {"d": weekday},
                field="periods",
            )
        if closes <= opens:
            raise ValidationFailed(
                _("A period must close after it opens (%(o)s-%(c)s).")
                % {"o": f"{opens:%H:%M}", "c": f"{closes:%H:%M}"},
                field="periods",
            )
        by_day.setdefault(weekday, []).append((opens, closes))
    for weekday, day in by_day.items():
        day.sort()
        for (_o1, c1), (o2, _c2) in zip(day, day[1:], strict=False):
            if o2 < c1:
                raise ValidationFailed(
                    _("Opening periods overlap on weekday %(d)s.") % {"d": weekday},
                    field="periods",
                )
    return sorted(periods)


@transaction.atomic
def opening_hours_set(
    *,
    service_point: ServicePoint,
    periods: list[tuple[int, dt.time, dt.time]],
    actor: Actor,
) -> list[OpeningHours]:
    """Replaces the whole week of `service_point` with `periods` (weekday, opens, closes).
    An empty list means closed every week (e.g. an outreach point open by appointment).
    Locks the service point row so that two editors do not interleave."""
    _require(actor, service_point.library)
    periods = _validate_periods(periods)
    ServicePoint.objects.select_for_update().filter(pk=service_point.pk).first()
    old = list(
        OpeningHours.objects.filter(service_point=service_point).values_list(
            "weekday", "opens", "closes"
        )
    )
    OpeningHours.objects.filter(service_point=service_point).delete()
    rows = OpeningHours.objects.bulk_create(
        OpeningHours(service_point=service_point, weekday=d, opens=o, closes=c)
        for d, o, c in periods
    )
    audit_record(
        actor=actor,
        action="service_point.opening_hours_set",
        obj=service_point,
        changes={"before": sorted(old), "after": periods},
    )
    return rows


@transaction.atomic
def calendar_exception_add(
    *,
    kind: str,
    start_date: dt.date,
    end_date: dt.date,
    reason: str,
    actor: Actor,
    library: Library | None = None,
    service_point: ServicePoint | None = None,
    opens: dt.time | None = None,
    closes: dt.time | None = None,
) -> CalendarException:
    """Adds a holiday, closure or special hours for a service point, a library or (neither
    given) the whole network. Special hours need opens < closes; the others take no hours."""
    if service_point is not None:
        if library is not None and library.pk != service_point.library_id:
            raise ValidationFailed(
                _("The service point does not belong to that library."), field="service_point"
            )
        library = None  # the service point is the scope
        _require(actor, service_point.library)
    else:
        _require(actor, library)
    _check_choice(kind, CalendarExceptionKind, "kind")
    if end_date < start_date:
        raise ValidationFailed(
            _("The exception ends (%(end)s) before it starts (%(start)s).")
            % {"end": end_date.isoformat(), "start": start_date.isoformat()},
            field="end_date",
        )
    if not reason.strip():
        raise ValidationFailed(_("Give a reason for the exception."), field="reason")
    if kind == CalendarExceptionKind.SPECIAL_HOURS:
        if opens is None or closes is None or closes <= opens:
            raise ValidationFailed(
                _("Special opening hours need an opening time before the closing time."),
                field="opens",
            )
    elif opens is not None or closes is not None:
        raise ValidationFailed(
            _("Only special opening hours take opening and closing times."), field="opens"
        )
    exception = CalendarException.objects.create(
        kind=kind,
        library=library,
        service_point=service_point,
        start_date=start_date,
        end_date=end_date,
        opens=opens,
        closes=closes,
        reason=reason.strip(),
    )
    audit_record(
        actor=actor,
        action="calendar_exception.added",
        obj=exception,
        changes={
            "kind": kind,
            "library": library,
            "service_point": service_point,
            "start_date": start_date,
            "end_date": end_date,
            "opens": opens,
            "closes": closes,
            "reason": exception.reason,
        },
    )
    return exception
