"""The audit trail: `audit_record` is called by every service that changes something."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from shufang.core.models import AuditEvent, Channel


@dataclass(frozen=True)
class Actor:
    """Who acts, through which channel. Services take one of these instead of a request."""

    user: Any = None  # a django User or None
    channel: str = Channel.SYSTEM
    label: str = ""

    @property
    def name(self) -> str:
        if self.label:
            return self.label
        if self.user is not None:
            return str(self.user.get_username())
        return str(self.channel)

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(user=None, channel=Channel.SYSTEM, label=label)

    @classmethod
    def importer(cls, label: str = "import") -> Actor:
        return cls(user=None, channel=Channel.IMPORT, label=label)


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor.user if getattr(actor.user, "pk", None) else None,
        actor_label=actor.name[:150],
        channel=actor.channel,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=_jsonable(changes or {}),
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in after
        if before.get(key) != after.get(key)
    }


def audit_bulk(rows: list[AuditEvent]) -> None:
    """For imports: one audit row per record, written in the same batch transaction."""
    AuditEvent.objects.bulk_create(rows, batch_size=1000)
