"""The statistics-safe event log: one compact row per circulation transaction, with the
dimensions the reports need and no reader identity."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from shufang.circulation.models import CirculationEvent
from shufang.core.audit import insert_row
from shufang.readers.identity import age_band


def clc_main_class(clc: str) -> str:
    """The CLC main class letter of a class number ("I247.57" -> "I"); "" when none."""
    first = clc.strip()[:1].upper()
    return first if first.isascii() and first.isalpha() else ""


def circulation_event_record(
    *,
    kind: str,
    item: Any,
    reader: Any,
    service_point: Any,
    channel: str,
    at: dt.datetime,
    deposit: bool = False,
) -> CirculationEvent:
    """Writes one event. `item.record`, `item.collection` and `reader.category` should be
    loaded (select_related) to keep this to one INSERT. `reader` may be None (a return of an
    anonymised loan): reader dimensions are then left empty."""
    day = timezone.localtime(at).date()
    category = reader.category.code if reader is not None else ""
    band = age_band(reader.birth_date, day) if reader is not None else ""
    event = CirculationEvent(
        kind=kind,
        at=at,
        day=day,
        library_id=service_point.library_id,
        service_point=service_point,
        channel=channel,
        reader_category=category,
        age_band=band,
        collection_id=item.collection_id,
        juvenile_collection=item.collection.juvenile,
        material_type=item.record.material_type,
        clc_class=clc_main_class(item.record.clc),
        item=item,
        deposit=deposit,
    )
    # one INSERT with its SQL built once: this runs in every circulation transaction
    insert_row(event)
    return event
