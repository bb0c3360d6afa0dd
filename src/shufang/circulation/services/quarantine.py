"""Quarantine of returned items (2020: returned books rested before they were lent again) and
the record of each run of the book disinfection machines.

A service point's `QuarantinePolicy.hours` > 0 sends every item returned there into
quarantine (`services.routing.route_item`); `quarantine_release_due` (a scheduled job) ends the
quarantines that are over and routes each item on: to its next hold, home, or the shelf."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.catalogue.models import Item, ItemStatus
from shufang.circulation.models import DisinfectionRun, QuarantineEntry, QuarantinePolicy
from shufang.circulation.services.routing import Routing, item_lock, route_item
from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import InvalidTransition, ValidationFailed
from shufang.core.permissions import require
from shufang.network.models import ServicePoint

MAX_HOURS = 24 * 30


@transaction.atomic
def quarantine_policy_set(
    *, service_point: ServicePoint, hours: int, actor: Actor
) -> QuarantinePolicy:
    """Sets the quarantine hours of `service_point` (0 ends quarantine for new returns; items
    already in quarantine keep their end time). Locks the policy row."""
    if actor.user is not None:
        require(actor.user, "network.change", library=service_point.library)
    if not 0 <= hours <= MAX_HOURS:
        raise ValidationFailed(
            _("Quarantine hours must be between 0 and %(max)s.") % {"max": MAX_HOURS},
            field="hours",
        )
    policy, _created = QuarantinePolicy.objects.select_for_update().get_or_create(
        service_point=service_point
    )
    before = policy.hours if not _created else None
    policy.hours = hours
    policy.save(update_fields=["hours", "updated_at"])
    audit_record(
        actor=actor,
        action="quarantine.policy_set",
        obj=policy,
        library=service_point.library_id,
        changes={"hours": [before, hours]},
    )
    return policy


def _release_locked(
    item: Item, entry: QuarantineEntry, *, actor: Actor, at: dt.datetime, early: bool
) -> Routing | None:
    routing: Routing | None = None
    if item.status == ItemStatus.IN_QUARANTINE:
        routing = route_item(
            item, service_point=entry.service_point, actor=actor, at=at, quarantine=False
        )
    entry.released_at = at
    entry.released_to = (routing.sort_bin if routing is not None else "-")[:200]
    entry.save(update_fields=["released_at", "released_to"])
    audit_record(
        actor=actor,
        action="quarantine.release",
        obj=entry,
        changes={
            "item": item.barcode,
            "released_to": entry.released_to,
            "early": early,
            "item_status": item.status,
        },
    )
    return routing


def quarantine_release_due(*, at: dt.datetime | None = None) -> int:
    """Ends every quarantine whose time is over at `at` and routes its item on. One
    transaction per item: locks the item row, then the entry, and re-checks that the entry is
    still open, so two servers running the job at once release each item once. Returns the
    number released."""
    at = at or timezone.now()
    actor = Actor.system("quarantine")
    due = list(
        QuarantineEntry.objects.filter(released_at__isnull=True, ends_at__lte=at)
        .order_by("ends_at", "pk")
        .values_list("pk", "item_id")
    )
    released = 0
    for entry_id, item_id in due:
        with transaction.atomic():
            locked = item_lock(item_id)
            entry = (
                QuarantineEntry.objects.select_for_update(of=("self",))
                .select_related("service_point")
                .filter(pk=entry_id, released_at__isnull=True)
                .first()
            )
            if entry is None:
                continue
            _release_locked(locked, entry, actor=actor, at=at, early=False)
            released += 1
    return released


def quarantine_release(*, item: Item, actor: Actor, at: dt.datetime | None = None) -> Routing:
    """Ends the quarantine of one item now (staff decision) and routes it on. Locks the item
    row and its open entry."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = item_lock(item)
        entry = (
            QuarantineEntry.objects.select_for_update(of=("self",))
            .select_related("service_point")
            .filter(item=locked, released_at__isnull=True)
            .first()
        )
        if entry is None or locked.status != ItemStatus.IN_QUARANTINE:
            raise InvalidTransition(
                _("This item is not in quarantine."), state=locked.status, trigger="release"
            )
        if actor.user is not None:
            require(actor.user, "circulation.lend", service_point=entry.service_point)
        routing = _release_locked(locked, entry, actor=actor, at=at, early=True)
    assert routing is not None
    return routing


@transaction.atomic
def disinfection_run_record(
    *,
    service_point: ServicePoint,
    machine: str,
    started_at: dt.datetime,
    minutes: int,
    actor: Actor,
    items_count: int = 0,
    notes: str = "",
) -> DisinfectionRun:
    """Records one run of a book disinfection machine. Locks nothing (an insert)."""
    if actor.user is not None:
        require(
            actor.user,
            "circulation.lend",
            library=service_point.library_id,
            service_point=service_point,
        )
    machine = machine.strip()
    if not machine:
        raise ValidationFailed(_("Name the machine."), field="machine")
    if minutes <= 0:
        raise ValidationFailed(_("A run lasts at least one minute."), field="minutes")
    if items_count < 0:
        raise ValidationFailed(_("The number of items cannot be negative."), field="items_count")
    run = DisinfectionRun.objects.create(
        service_point=service_point,
        machine=machine,
        started_at=started_at,
        minutes=minutes,
        items_count=items_count,
        staff=actor.user if getattr(actor.user, "pk", None) else None,
        notes=notes.strip(),
    )
    audit_record(
        actor=actor,
        action="disinfection.record",
        obj=run,
        library=service_point.library_id,
        changes={
            "machine": run.machine,
            "started_at": started_at,
            "minutes": minutes,
            "items_count": items_count,
        },
    )
    return run
