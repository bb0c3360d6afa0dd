"""Item services: create, update, change status (through the table in `catalogue.states`).

Permission: when the actor is a staff user, `catalogue.change` is required at the item's
owning library (and at the library of a service point it is placed at). Circulation moves
(checkout, checkin, transit, holds, missing/lost/found) are also allowed to staff holding
`circulation.lend` anywhere, because items circulate through the whole network (通借通还).
System and import actors (no user) are trusted callers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.catalogue.callnumbers import call_number_sort_key
from shufang.catalogue.models import AcquisitionSource, Collection, Item, ItemStatus, Record
from shufang.catalogue.search.indexing import search_index_on_commit
from shufang.catalogue.states import Trigger, next_status
from shufang.core.audit import Actor, audit_record, diff
from shufang.core.exceptions import Conflict, InvalidTransition, ValidationFailed
from shufang.core.permissions import has_permission, require
from shufang.network.models import Library, ServicePoint


class BarcodeTaken(Conflict):
    code = "barcode_taken"
    default_message = _("An item with this barcode already exists.")


UPDATABLE_FIELDS = frozenset(
    {
        "record",
        "owning_library",
        "home_service_point",
        "current_service_point",
        "collection",
        "call_number",
        "price",
        "properties",
        "acquisition_source",
        "acquired_on",
        "notes",
        "barcode",
    }
)


# Status triggers that the circulation desk may apply to any library's item.
CIRCULATION_TRIGGERS = frozenset(
    {
        Trigger.CHECKOUT,
        Trigger.CHECKIN,
        Trigger.CHECKIN_AWAY,
        Trigger.CHECKIN_QUARANTINE,
        Trigger.QUARANTINE_END,
        Trigger.SEND,
        Trigger.ARRIVE,
        Trigger.ARRIVE_FOR_HOLD,
        Trigger.TRAP_HOLD,
        Trigger.HOLD_EXPIRED,
        Trigger.HOLD_CANCELLED,
        Trigger.DECLARE_MISSING,
        Trigger.DECLARE_LOST,
        Trigger.FOUND,
    }
)


def _require_at(actor: Actor, *library_ids: int | None) -> None:
    """`catalogue.change` at each of the given libraries (None entries are skipped)."""
    if actor.user is None:
        return
    for library_id in dict.fromkeys(library_ids):
        if library_id is not None:
            require(actor.user, "catalogue.change", library=library_id)


def _barcode_taken(barcode: str) -> BarcodeTaken:
    return BarcodeTaken(
        _("An item with barcode %(barcode)s already exists.") % {"barcode": barcode},
        barcode=barcode,
    )


def item_create(
    *,
    record: Record,
    barcode: str,
    home_service_point: ServicePoint,
    collection: Collection,
    actor: Actor,
    call_number: str = "",
    price: Decimal | None = None,
    acquisition_source: str = AcquisitionSource.PURCHASE,
    acquired_on: dt.date | None = None,
    status: str = ItemStatus.AVAILABLE,
    owning_library: Library | None = None,
) -> Item:
    """Create an item at its home service point. The barcode is unique (enforced by the
    database, so two desks creating the same barcode at once cannot both succeed)."""
    _require_at(actor, owning_library.pk if owning_library else None, home_service_point.library_id)
    barcode = barcode.strip()
    if not barcode:
        raise ValidationFailed(_("An item needs a barcode."), field="barcode")
    if status not in ItemStatus.values:
        raise ValidationFailed(_("Unknown item status."), field="status")
    try:
        with transaction.atomic():
            item = Item.objects.create(
                record=record,
                barcode=barcode,
                owning_library=owning_library or home_service_point.library,
                home_service_point=home_service_point,
                current_service_point=home_service_point,
                collection=collection,
                call_number=call_number,
                call_number_sort=call_number_sort_key(call_number),
                price=price,
                acquisition_source=acquisition_source,
                acquired_on=acquired_on,
                status=status,
            )
            audit_record(
                actor=actor,
                action="item.create",
                obj=item,
                changes={
                    "record": record.pk,
                    "status": status,
                    "home_service_point": home_service_point.pk,
                },
            )
            search_index_on_commit([record.pk])
    except IntegrityError:
        if Item.objects.filter(barcode=barcode).exists():
            raise _barcode_taken(barcode) from None
        raise
    return item


def item_update(*, item: Item, actor: Actor, **changes: Any) -> Item:
    """Change an item's descriptive fields. The status is changed only by `item_set_status`.
    Locks the item row."""
    if "status" in changes:
        raise ValidationFailed(
            _("Change an item's status through its status transitions."), field="status"
        )
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    try:
        with transaction.atomic():
            locked = Item.objects.select_for_update().get(pk=item.pk)
            _require_at(
                actor,
                locked.owning_library_id,
                getattr(changes.get("owning_library"), "pk", None),
                getattr(changes.get("home_service_point"), "library_id", None),
                getattr(changes.get("current_service_point"), "library_id", None),
            )
            before = {key: getattr(locked, key) for key in changes}
            for key, value in changes.items():
                setattr(locked, key, value)
            if "call_number" in changes:
                locked.call_number_sort = call_number_sort_key(locked.call_number)
            locked.save()
            audit_record(
                actor=actor, action="item.update", obj=locked, changes=diff(before, changes)
            )
            # Call numbers are indexed; a moved item may also change its record.
            search_index_on_commit(
                {getattr(before.get("record"), "pk", locked.record_id), locked.record_id}
            )
    except IntegrityError:
        if "barcode" in changes:
            raise _barcode_taken(str(changes["barcode"])) from None
        raise
    return locked


def item_set_status(*, item: Item, to: str, trigger: str, actor: Actor, reason: str = "") -> Item:
    """Move an item to `to` by `trigger`, as allowed by `catalogue.states.TRANSITIONS`.
    Locks the item row; raises `InvalidTransition` if the table does not lead there."""
    with transaction.atomic():
        locked = Item.objects.select_for_update().get(pk=item.pk)
        if not (
            trigger in CIRCULATION_TRIGGERS
            and actor.user is not None
            and has_permission(actor.user, "circulation.lend")
        ):
            _require_at(actor, locked.owning_library_id)
        target = next_status(locked.status, trigger)
        if target != to:
            raise InvalidTransition(
                _("“%(trigger)s” leads from “%(state)s” to “%(target)s”, not “%(to)s”.")
                % {"trigger": trigger, "state": locked.status, "target": target, "to": to},
                state=locked.status,
                trigger=trigger,
                to=to,
            )
        before = locked.status
        locked.status = target
        locked.status_changed_at = timezone.now()
        update_fields = ["status", "status_changed_at", "updated_at"]
        if target == ItemStatus.WITHDRAWN:
            locked.withdrawn_on = timezone.localdate()
            update_fields.append("withdrawn_on")
        locked.save(update_fields=update_fields)
        audit_record(
            actor=actor,
            action="item.status",
            obj=locked,
            changes={"status": [before, target], "trigger": trigger, "reason": reason},
        )
        if ItemStatus.WITHDRAWN in (before, target):
            # Withdrawn items leave the index's call numbers; availability is read live.
            search_index_on_commit([locked.record_id])
    return locked
