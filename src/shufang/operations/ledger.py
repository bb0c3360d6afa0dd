"""Ledgers: record types that are kept as dated rows of a library (media reports, inspections,
trainings, device checks, awards...) and share one way to be added, edited, listed and exported.

Each ledger is described once by a `LedgerSpec` (model, editable fields, columns, filters, the
date pairs that must be in order). The programmes, outreach and operations apps declare theirs
in `<app>/ledgers.py`; `ledger_entry_create` / `ledger_entry_update` (operations.services) are
the write services for all of them, and the staff pages are generic over the specs. Record
types with rules of their own (events, registrations, series numbering, WeChat imports) have
their own services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class LedgerSpec:
    name: str  # slug used in URLs and audit actions, e.g. "media_report"
    model: type[models.Model]
    app: str  # "programmes" | "outreach" | "operations": permissions are <app>.view/.change
    fields: tuple[str, ...]  # editable fields (the library is given separately)
    columns: tuple[str, ...]  # list and export columns
    date_field: str  # the date a row is filed under (year filter, ordering)
    filters: tuple[str, ...] = ()  # choice or boolean fields offered as filters
    search: tuple[str, ...] = ()  # text fields searched by the list's "q"
    # (later, earlier): the later date may not be before the earlier one
    date_order: tuple[tuple[str, str], ...] = ()
    # Where the row's library is: "library" or a path such as "service_point__library".
    library_path: str = "library"
    # Service point kinds allowed for a `service_point` field.
    point_kinds: tuple[str, ...] = ()
    # Called with the values before saving (may fill derived fields or raise ValidationFailed).
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    group: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def verbose_name(self) -> Any:
        return self.model._meta.verbose_name

    @property
    def verbose_name_plural(self) -> Any:
        return self.model._meta.verbose_name_plural

    @property
    def has_library_field(self) -> bool:
        return self.library_path == "library"

    def library_id_of(self, entry: models.Model) -> int | None:
        obj: Any = entry
        parts = self.library_path.split("__")
        for part in parts[:-1]:
            obj = getattr(obj, part)
        return getattr(obj, f"{parts[-1]}_id", None)

    def label(self, name: str) -> Any:
        field: Any = self.model._meta.get_field(name)
        return field.verbose_name


def all_ledgers() -> dict[str, LedgerSpec]:
    """Every ledger of the three apps, by name, in menu order."""
    from shufang.operations.ledgers import LEDGERS as operations
    from shufang.outreach.ledgers import LEDGERS as outreach
    from shufang.programmes.ledgers import LEDGERS as programmes

    return {spec.name: spec for spec in (*programmes, *outreach, *operations)}


def ledgers_of(app: str) -> list[LedgerSpec]:
    return [spec for spec in all_ledgers().values() if spec.app == app]


def get_ledger(name: str) -> LedgerSpec:
    from shufang.core.exceptions import NotFound

    spec = all_ledgers().get(name)
    if spec is None:
        raise NotFound(_("There is no ledger “%(name)s”.") % {"name": name})
    return spec
