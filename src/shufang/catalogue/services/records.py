"""Bibliographic record services: create and update a record from MARC.

Permission: records are shared by the whole network; when the actor is a staff user,
`catalogue.change` (held anywhere) is required. System and import actors (no user) are
trusted callers."""

from __future__ import annotations

from typing import Any

import pymarc
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from shufang.catalogue.marc.extract import BibFields, extract_fields
from shufang.catalogue.marc.write import record_as_iso2709
from shufang.catalogue.models import IdentifierScheme, Record, RecordIdentifier
from shufang.catalogue.search.indexing import search_index_on_commit
from shufang.core.audit import Actor, audit_record, diff
from shufang.core.exceptions import ValidationFailed
from shufang.core.permissions import require

# The model fields filled from the MARC record (besides the MARC bytes themselves).
INDEXED_FIELDS = (
    "control_number",
    "title",
    "title_sort",
    "title_pinyin",
    "title_pinyin_initials",
    "responsibility",
    "authors",
    "publisher",
    "place",
    "year",
    "edition",
    "series",
    "isbn",
    "issn",
    "clc",
    "subjects",
    "summary",
    "language",
    "audience",
    "material_type",
    "price",
)
_MAX: dict[str, int] = {
    f.name: int(f.max_length)
    for f in Record._meta.concrete_fields
    if isinstance(f, models.CharField) and f.max_length
}


class RecordWithoutTitle(ValidationFailed):
    code = "record_without_title"
    default_message = _("The record has no title (MARC 21 245 $a or CNMARC 200 $a).")


def _cut(name: str, value: str) -> str:
    limit = _MAX.get(name)
    return value[:limit] if limit else value


def record_values(bib: BibFields) -> dict[str, Any]:
    """The Record field values for extracted MARC fields, cut to the column sizes."""
    if not bib.title:
        raise RecordWithoutTitle()
    year = bib.year if bib.year and 0 < bib.year < 32767 else None
    values: dict[str, Any] = {
        "control_number": bib.control_number,
        "title": bib.title,
        "title_sort": bib.title_pinyin or bib.title.casefold(),
        "title_pinyin": bib.title_pinyin,
        "title_pinyin_initials": bib.title_pinyin_initials,
        "responsibility": bib.responsibility,
        "authors": "; ".join(bib.authors),
        "publisher": bib.publisher,
        "place": bib.place,
        "year": year,
        "edition": bib.edition,
        "series": bib.series,
        "isbn": bib.isbn,
        "issn": bib.issn,
        "clc": bib.clc,
        "subjects": "\n".join(bib.subjects),
        "summary": bib.summary,
        "language": bib.language[:3],
        "audience": bib.audience,
        "material_type": bib.material_type,
        "price": bib.price,
    }
    return {k: _cut(k, v) if isinstance(v, str) else v for k, v in values.items()}


def identifier_keys(bib: BibFields) -> list[tuple[str, str]]:
    """(scheme, value) of every normalised identifier of the record."""
    keys = [(IdentifierScheme.ISBN.value, value) for value in bib.isbns]
    if bib.issn:
        keys.append((IdentifierScheme.ISSN.value, bib.issn))
    if bib.control_number:
        keys.append((IdentifierScheme.CONTROL.value, bib.control_number[:64]))
    return keys


def marc_values(
    record: pymarc.Record, *, flavour: str, original: bytes, encoding: str, fmt: str
) -> dict[str, Any]:
    if (
        fmt == "iso2709"
        and encoding == "utf-8"
        and original
        and (flavour != "marc21" or original[9:10] == b"a")
    ):
        # Already UTF-8 ISO 2709 as we would write it: keep the bytes, skip re-encoding.
        utf8 = original
    else:
        utf8 = record_as_iso2709(record, flavour)
    return {
        "marc_original": original,
        "marc_flavour": flavour,
        "marc_encoding": encoding,
        "marc_format": fmt,
        "marc": utf8,
    }


def _require(actor: Actor) -> None:
    if actor.user is not None:
        require(actor.user, "catalogue.change")


def _write_identifiers(target: Record, bib: BibFields) -> None:
    target.identifiers.all().delete()
    RecordIdentifier.objects.bulk_create(
        [RecordIdentifier(record=target, scheme=s, value=v) for s, v in identifier_keys(bib)]
    )


def record_create_from_marc(
    *,
    record: pymarc.Record,
    flavour: str,
    actor: Actor,
    original: bytes = b"",
    encoding: str = "utf-8",
    fmt: str = "iso2709",
) -> Record:
    """Create a record from a decoded MARC record, with a row per identifier (all ISBNs, the
    ISSN, the control number). The original bytes are kept untouched in `marc_original`."""
    _require(actor)
    bib = extract_fields(record, flavour)
    values = record_values(bib)
    with transaction.atomic():
        target = Record.objects.create(
            **values,
            **marc_values(record, flavour=flavour, original=original, encoding=encoding, fmt=fmt),
        )
        _write_identifiers(target, bib)
        audit_record(
            actor=actor,
            action="record.create",
            obj=target,
            changes={"title": target.title, "flavour": flavour},
        )
        search_index_on_commit([target.pk])
    return target


def record_update_from_marc(
    *,
    target: Record,
    record: pymarc.Record,
    flavour: str,
    actor: Actor,
    original: bytes = b"",
    encoding: str = "utf-8",
    fmt: str = "iso2709",
) -> Record:
    """Replace a record's MARC and indexed fields; identifiers are rewritten. Locks the row."""
    _require(actor)
    bib = extract_fields(record, flavour)
    values = record_values(bib)
    with transaction.atomic():
        locked = Record.objects.select_for_update().get(pk=target.pk)
        before = {k: getattr(locked, k) for k in INDEXED_FIELDS}
        for key, value in values.items():
            setattr(locked, key, value)
        for key, value in marc_values(
            record, flavour=flavour, original=original, encoding=encoding, fmt=fmt
        ).items():
            setattr(locked, key, value)
        locked.save()
        _write_identifiers(locked, bib)
        audit_record(actor=actor, action="record.update", obj=locked, changes=diff(before, values))
        search_index_on_commit([locked.pk])
    return locked
