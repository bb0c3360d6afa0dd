"""Helpers shared by the acquisitions services: permissions, ISBNs, records, barcodes."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import pymarc
from django.db.models import Max

from shufang.acquisitions.errors import InvalidIsbn
from shufang.catalogue.marc.extract import normalise_isbns
from shufang.catalogue.models import IdentifierScheme, Item, Record
from shufang.core.audit import Actor
from shufang.core.exceptions import ValidationFailed
from shufang.core.permissions import require


def require_acq(actor: Actor, library: Any = None, perm: str = "acquisitions.change") -> None:
    """Staff need `perm` at the library; system, import and terminal actors are trusted."""
    if actor.user is not None:
        require(actor.user, perm, library=library)


def clean_isbn(value: str, *, required: bool = False) -> str:
    """The ISBN-13 of `value`, or "" for an empty value; raises InvalidIsbn."""
    value = (value or "").strip()
    if not value:
        if required:
            raise InvalidIsbn(field="isbn")
        return ""
    valid, _invalid = normalise_isbns([value])
    if not valid:
        raise InvalidIsbn(isbn=value, field="isbn")
    return valid[0]


def clean_price(value: Any, *, field: str = "price") -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        price = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(field=field) from None
    if price < 0:
        raise ValidationFailed(field=field)
    return price


def title_key(title: str) -> str:
    """Titles compare without case, spaces or punctuation (for merging suggestions)."""
    return re.sub(r"[\W_]+", "", title.casefold())[:500]


def record_by_isbn(isbn: str) -> Record | None:
    if not isbn:
        return None
    return (
        Record.objects.filter(
            identifiers__scheme=IdentifierScheme.ISBN,
            identifiers__value=isbn,
            deleted_at__isnull=True,
        )
        .order_by("pk")
        .first()
    )


def marc_for(
    *,
    title: str,
    isbn: str = "",
    authors: str = "",
    publisher: str = "",
    year: int | None = None,
    clc: str = "",
    price: Decimal | None = None,
    serial: str = "",
    issn: str = "",
) -> pymarc.Record:
    """A brief MARC 21 record for a title known only from a suggestion, a bookshop's data or
    a subscription: cataloguers complete it while the copies are processed."""
    record = pymarc.Record(force_utf8=True)
    if serial:
        record.leader = pymarc.Leader("00000nas a2200000 a 4500")
        f008 = " " * 21 + ("n" if serial == "newspaper" else "p") + " " * 18
        record.add_field(pymarc.Field(tag="008", data=f008))
    else:
        record.leader = pymarc.Leader("00000nam a2200000 a 4500")

    def add(tag: str, ind: tuple[str, str], *pairs: tuple[str, str]) -> None:
        subfields = [pymarc.Subfield(code, value) for code, value in pairs if value]
        if subfields:
            record.add_field(
                pymarc.Field(tag=tag, indicators=pymarc.Indicators(*ind), subfields=subfields)
            )

    add("020", (" ", " "), ("a", isbn), ("c", f"CNY{price}" if price is not None else ""))
    add("022", (" ", " "), ("a", issn))
    add("084", (" ", " "), ("a", clc), ("2", "clc" if clc else ""))
    add("100", ("1", " "), ("a", authors))
    add("245", ("1" if authors else "0", "0"), ("a", title))
    add("260", (" ", " "), ("b", publisher), ("c", str(year) if year else ""))
    return record


def next_barcodes(prefix: str, count: int, width: int = 8) -> list[str]:
    """`count` barcodes after the highest `prefix` + digits barcode in use. The unique
    barcode constraint settles a race: the loser's item_create raises BarcodeTaken."""
    top = (
        Item.objects.filter(
            barcode__startswith=prefix, barcode__regex=rf"^{prefix}[0-9]{{{width}}}$"
        )
        .aggregate(top=Max("barcode"))
        .get("top")
    )
    start = int(top[len(prefix) :]) + 1 if top else 1
    return [f"{prefix}{n:0{width}d}" for n in range(start, start + count)]
