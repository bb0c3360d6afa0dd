"""Everything the library holds about one reader, for the reader's own download: the reader
row (without the PIN hash and the encrypted or hashed ID number) and every row of every model
that points at the reader (cards, consents, loans, holds, fines, notices, event sign-ups...),
found through the model graph so that a new app's data is included without changes here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from shufang.readers.models import Reader

SECRET_FIELDS = {"pin_hash", "id_number_encrypted", "id_number_hash"}


def _value(obj: models.Model, field: models.Field[Any, Any]) -> Any:
    if field.is_relation:
        related = getattr(obj, field.name, None)
        return None if related is None else str(related)
    value = field.value_from_object(obj)
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


def _row(obj: models.Model, skip: set[str]) -> dict[str, Any]:
    return {
        f.name: _value(obj, f)
        for f in obj._meta.concrete_fields
        if f.name not in skip and f.name not in SECRET_FIELDS
    }


def reader_personal_data(*, reader: Reader) -> dict[str, Any]:
    """{"reader": {...}, "<app>.<model>": {"label": verbose name plural, "rows": [...]}, ...}"""
    data: dict[str, Any] = {
        "generated_at": timezone.localtime().isoformat(),
        "reader": _row(reader, set()),
        "sections": {},
    }
    for rel in Reader._meta.related_objects:
        model = rel.related_model
        if (
            isinstance(model, str)
            or model is Reader
            or not isinstance(rel.field, models.ForeignKey | models.OneToOneField)
        ):
            continue  # wards are other readers: their data is theirs
        fk_names = [
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation and f.name != rel.field.name
        ]
        rows = (
            model._default_manager.filter(**{rel.field.name: reader})
            .select_related(*fk_names)
            .order_by("pk")
        )
        data["sections"][model._meta.label_lower] = {
            "label": str(model._meta.verbose_name_plural),
            "rows": [_row(obj, {rel.field.name}) for obj in rows],
        }
    return data
