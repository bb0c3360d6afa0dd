"""The audit trail: `audit_record` is called by every service that changes something."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections, models, router
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


def _related_library_id(obj: models.Model, fk_name: str) -> int | None:
    """The library of the service point `obj.<fk_name>`: from the loaded object when it is
    cached, otherwise with one small query."""
    field = obj._meta.get_field(fk_name)
    if field.is_cached(obj):  # type: ignore[union-attr]
        related = getattr(obj, fk_name)
        return getattr(related, "library_id", None) if related is not None else None
    point_id = getattr(obj, f"{fk_name}_id", None)
    if point_id is None:
        return None
    from shufang.network.models import ServicePoint

    return ServicePoint.objects.filter(pk=point_id).values_list("library_id", flat=True).first()


def library_id_of(obj: models.Model | None) -> int | None:
    """The library an object belongs to, where that is cheap to tell (at most one small
    query): a library itself; an object with `library_id` (service point, calendar exception,
    staff role) or `owning_library_id` (item); an object with a home service point (reader)
    or a service point (opening hours, a role or closure at a service point); an object of a
    reader (card, consent), through the reader's home service point. None for network-wide
    objects (records, collections, reader categories, library systems...)."""
    if obj is None:
        return None
    if obj._meta.label_lower == "network.library":
        return int(obj.pk) if obj.pk is not None else None
    for attname in ("library_id", "owning_library_id"):
        value = getattr(obj, attname, None)
        if value is not None:
            return int(value)
    names = {f.name for f in obj._meta.concrete_fields}
    for fk_name in ("home_service_point", "service_point"):
        if fk_name in names and getattr(obj, f"{fk_name}_id", None) is not None:
            return _related_library_id(obj, fk_name)
    if "reader" in names and getattr(obj, "reader_id", None) is not None:
        if obj._meta.get_field("reader").is_cached(obj):  # type: ignore[union-attr]
            return library_id_of(obj.reader)  # type: ignore[attr-defined]
        from shufang.readers.models import Reader

        return (
            Reader.objects.filter(pk=obj.reader_id)  # type: ignore[attr-defined]
            .values_list("home_service_point__library_id", flat=True)
            .first()
        )
    return None


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    library: Any = None,
) -> AuditEvent:
    """Writes one audit event. `library` (a Library or its id) places the event for the audit
    log's library scope; when not given it is derived from `obj` (see `library_id_of`)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    library_id = getattr(library, "pk", library) if library is not None else library_id_of(obj)
    event = AuditEvent(
        library_id=library_id,
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
    insert_row(event)
    return event


# --------------------------------------------------------------------------- raw row writes
# Circulation writes an audit event, a circulation event, a loan and an item update per
# transaction, hundreds of times a second at a busy desk. `Model.save()` compiles its SQL
# anew every time (and sends signals nobody listens to here); these two helpers build the
# statement once per model and database and only prepare the values. Same columns, same
# value preparation (`pre_save` for auto_now, `get_db_prep_save`) as `save()`.

_INSERT_SQL: dict[tuple[str, type[models.Model]], tuple[str, list[Any], bool]] = {}


def insert_row(obj: models.Model) -> models.Model:
    """INSERTs `obj` (a new instance with an auto primary key) in one statement, as
    `save(force_insert=True)` would, and sets its pk. No signals are sent (none are used)."""
    model = type(obj)
    alias = router.db_for_write(model)
    connection = connections[alias]
    key = (alias, model)
    cached = _INSERT_SQL.get(key)
    if cached is None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
        qn = connection.ops.quote_name
        sql = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        returning = bool(connection.features.can_return_columns_from_insert)
        if returning:
            sql += f" RETURNING {qn(meta.pk.column)}"
        cached = _INSERT_SQL[key] = (sql, fields, returning)
    sql, fields, returning = cached
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = alias
    return obj


def update_row(obj: models.Model, fields: list[str]) -> None:
    """UPDATEs the named fields of `obj` (plus any auto_now field among them) by primary key
    in one statement, as `save(update_fields=...)` would, without compiling a query."""
    model = type(obj)
    alias = router.db_for_write(model)
    connection = connections[alias]
    meta = model._meta
    qn = connection.ops.quote_name
    chosen: list[Any] = [meta.get_field(name) for name in fields]
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in chosen]
    sets = ", ".join(f"{qn(f.column)} = %s" for f in chosen)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(meta.pk.column)} = %s",
            [*params, obj.pk],
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
