"""MARC export: stream records out as UTF-8 ISO 2709 or MARCXML, in either flavour."""

from __future__ import annotations

from typing import BinaryIO

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shufang.catalogue.marc.convert import cnmarc_to_marc21, marc21_to_cnmarc
from shufang.catalogue.marc.read import decode_iso2709
from shufang.catalogue.marc.write import MarcWriter
from shufang.catalogue.models import Record
from shufang.core.audit import Actor
from shufang.core.exceptions import ValidationFailed
from shufang.core.permissions import require


def marc_export(
    *,
    out: BinaryIO,
    flavour: str = "marc21",
    fmt: str = "iso2709",
    records: QuerySet[Record] | None = None,
    actor: Actor | None = None,
) -> int:
    """Write `records` (default: all not deleted) to `out`; return how many were written.
    A record stored in the other flavour is converted. Reads with `.iterator()` so memory
    stays flat. A staff actor needs `catalogue.export`; no actor (the command line) or a
    system actor is trusted."""
    if actor is not None and actor.user is not None:
        require(actor.user, "catalogue.export")
    if flavour not in ("marc21", "cnmarc"):
        raise ValidationFailed(_("Unknown MARC flavour."), flavour=flavour)
    if fmt not in ("iso2709", "marcxml"):
        raise ValidationFailed(_("Unknown MARC format."), fmt=fmt)
    if records is None:
        records = Record.objects.filter(deleted_at__isnull=True)
    writer = MarcWriter(out, fmt=fmt, flavour=flavour)
    rows = records.order_by("pk").values_list("marc", "marc_flavour").iterator(chunk_size=1000)
    for marc, stored_flavour in rows:
        if not marc:
            continue
        decoded = decode_iso2709(bytes(marc), flavour=stored_flavour, encoding="utf-8")
        if decoded.record is None:
            continue
        record = decoded.record
        if stored_flavour != flavour:
            record = marc21_to_cnmarc(record) if flavour == "cnmarc" else cnmarc_to_marc21(record)
        writer.write(record)
    writer.close()
    return writer.count
