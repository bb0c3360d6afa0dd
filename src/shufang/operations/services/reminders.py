"""Reminders for staff: an inspection overdue for its kind's interval."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from shufang.core.audit import Actor, audit_record
from shufang.operations.models import INSPECTION_INTERVAL_DAYS, Inspection, InspectionKind, Reminder


def _key(kind: str) -> str:
    return f"inspection_overdue:{kind}"


@transaction.atomic
def reminders_inspections_refresh(*, today: dt.date, actor: Actor) -> dict[str, int]:
    """For each library and kind of inspection it records, opens a reminder when the last one
    is older than the kind's interval, and resolves the open reminder once an inspection has
    been recorded in time. Idempotent: at most one open reminder per library and kind."""
    opened = resolved = 0
    last = Inspection.objects.values("library_id", "kind").annotate(last=Max("done_on")).order_by()
    for row in last:
        kind, library_id = row["kind"], row["library_id"]
        due = row["last"] + dt.timedelta(days=INSPECTION_INTERVAL_DAYS[kind])
        open_row = Reminder.objects.filter(
            library_id=library_id, key=_key(kind), resolved_at__isnull=True
        ).first()
        if today > due and open_row is None:
            label = InspectionKind(kind).label
            reminder = Reminder.objects.create(
                library_id=library_id,
                key=_key(kind),
                message=gettext("%(kind)s is overdue: last done %(last)s, due %(due)s.")
                % {"kind": label, "last": row["last"].isoformat(), "due": due.isoformat()},
            )
            audit_record(
                actor=actor,
                action="reminder.opened",
                obj=reminder,
                changes={"key": reminder.key},
                library=library_id,
            )
            opened += 1
        elif today <= due and open_row is not None:
            open_row.resolved_at = timezone.now()
            open_row.save(update_fields=["resolved_at"])
            audit_record(
                actor=actor,
                action="reminder.resolved",
                obj=open_row,
                changes={"key": open_row.key},
                library=library_id,
            )
            resolved += 1
    return {"opened": opened, "resolved": resolved}
