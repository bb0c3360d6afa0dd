"""Writes of the statistics app: entrances, daily visit counts (manual entry and import from
CSV/XLSX) and the report's text blocks. Each change writes one audit event.

Staff need `statistics.view` at the service point's library to enter counts and texts (the
statistics role and branch managers hold it); system and import actors are trusted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from shufang.core.permissions import require, visible_library_ids
from shufang.core.tabular import (
    ImportResult,
    RowError,
    TabularRow,
    iter_rows,
    load_rows,
    parse_date,
)
from shufang.network.models import Library, ServicePoint
from shufang.statistics.models import (
    EbookHolding,
    Entrance,
    ReportSection,
    ReportText,
    VisitCount,
    VisitSource,
)

PERM = "statistics.view"

VISIT_COLUMNS: dict[str, list[str]] = {
    "service_point": ["服务点", "服务点代码", "service point", "point", "code"],
    "entrance": ["入口", "entrance", "gate"],
    "day": ["日期", "date", "day"],
    "count": ["人次", "到馆人次", "visits", "count"],
    "source": ["来源", "source"],
}


def _require(actor: Actor, library_id: int | None) -> None:
    if actor.user is not None:
        require(actor.user, PERM, library=library_id)


def entrance_create(
    *,
    service_point: ServicePoint,
    code: str,
    actor: Actor,
    name: str = "",
    has_counter: bool = True,
) -> Entrance:
    """An entrance of a service point; codes are unique per service point."""
    _require(actor, service_point.library_id)
    code = code.strip()
    if not code:
        raise ValidationFailed(_("The entrance needs a code."), field="code")
    if Entrance.objects.filter(service_point=service_point, code=code).exists():
        raise ValidationFailed(_("This entrance code is already used here."), field="code")
    with transaction.atomic():
        entrance = Entrance.objects.create(
            service_point=service_point, code=code, name=name.strip(), has_counter=has_counter
        )
        audit_record(
            actor=actor,
            action="statistics.entrance_create",
            obj=entrance,
            changes={"code": code, "name": name},
            library=service_point.library_id,
        )
    return entrance


def visit_count_set(
    *,
    service_point: ServicePoint,
    day: dt.date,
    count: int,
    actor: Actor,
    source: str = VisitSource.GATE,
    entrance: Entrance | None = None,
) -> VisitCount:
    """Records the visits of one day at a service point (one entrance, or the whole point).
    A count for the same point, entrance, day and source REPLACES the earlier one: entering
    or importing a day twice never doubles it. Locks the existing row, if any."""
    _require(actor, service_point.library_id)
    if source not in VisitSource.values:
        raise ValidationFailed(_("Unknown source of visit counts."), field="source")
    if count < 0:
        raise ValidationFailed(_("A visit count cannot be negative."), field="count")
    if entrance is not None and entrance.service_point_id != service_point.pk:
        raise ValidationFailed(_("This entrance belongs to another service point."))
    with transaction.atomic():
        row = (
            VisitCount.objects.select_for_update()
            .filter(service_point=service_point, entrance=entrance, day=day, source=source)
            .first()
        )
        before = row.count if row is not None else None
        if row is None:
            row = VisitCount.objects.create(
                service_point=service_point, entrance=entrance, day=day, source=source, count=count
            )
        elif row.count != count:
            row.count = count
            row.save(update_fields=["count", "updated_at"])
        audit_record(
            actor=actor,
            action="statistics.visit_count_set",
            obj=row,
            changes={"day": day, "source": source, "count": [before, count]},
            library=service_point.library_id,
        )
    return row


def _parse_count(text: str) -> int:
    try:
        value = int(text.replace(",", "").strip())
    except ValueError:
        raise ValidationFailed(
            _("“%(v)s” is not a whole number of visits.") % {"v": text}, field="count"
        ) from None
    if value < 0:
        raise ValidationFailed(_("A visit count cannot be negative."), field="count")
    return value


def visit_counts_import(
    *,
    path: Path,
    actor: Actor,
    on_row: Callable[[TabularRow, RowError | None], None] | None = None,
) -> ImportResult:
    """Imports daily counts from a CSV or XLSX file with the columns service point (code),
    day, count, and optionally entrance (code, created when new) and source (gate, the
    default, or headcount). Each row is loaded or rejected with its line number; valid rows
    are loaded whatever the others hold. A row for a point, entrance, day and source that is
    already recorded replaces it (see `visit_count_set`), so re-importing a file is safe."""
    points: dict[str, ServicePoint] = {}

    def load_one(row: TabularRow) -> None:
        code = row.get("service_point")
        point = points.get(code)
        if point is None:
            point = ServicePoint.objects.filter(code=code).first()
            if point is None:
                raise NotFound(
                    _("No service point has the code “%(c)s”.") % {"c": code},
                    field="service_point",
                )
            points[code] = point
        day = parse_date(row.get("day"), "day")
        if day is None:
            raise ValidationFailed(_("The day is missing."), field="day")
        source = (row.get("source") or VisitSource.GATE).strip().lower()
        source = {"闸机": VisitSource.GATE, "人工": VisitSource.HEADCOUNT}.get(source, source)
        entrance = None
        entrance_code = row.get("entrance")
        if entrance_code:
            entrance = Entrance.objects.filter(service_point=point, code=entrance_code).first()
            if entrance is None:
                entrance = entrance_create(service_point=point, code=entrance_code, actor=actor)
        visit_count_set(
            service_point=point,
            day=day,
            count=_parse_count(row.get("count")),
            source=source,
            entrance=entrance,
            actor=actor,
        )

    rows = iter_rows(path, aliases=VISIT_COLUMNS, required=("service_point", "day", "count"))
    return load_rows(rows, load_one, on_row=on_row)


def report_text_save(
    *, year: int, section: str, text: str, actor: Actor, library: Library | None = None
) -> ReportText:
    """Sets the narrative of one section of one year's report (replacing the earlier text).
    The network's texts (no library) need a network-wide grant."""
    _require(actor, getattr(library, "pk", None))
    if (
        library is None
        and actor.user is not None
        and visible_library_ids(actor.user, PERM) is not None
    ):
        raise PermissionDenied(_("Only network-wide staff may write the network's report."))
    if section not in ReportSection.values:
        raise ValidationFailed(_("Unknown report section."), field="section")
    with transaction.atomic():
        row, _created = ReportText.objects.select_for_update().get_or_create(
            year=year, section=section, library=library
        )
        before = row.text
        row.text = text.strip()
        row.save(update_fields=["text", "updated_at"])
        audit_record(
            actor=actor,
            action="statistics.report_text_save",
            obj=row,
            changes={"text": [before[:100], row.text[:100]]},
            library=library,
        )
    return row


def report_texts(*, year: int, library: Any = None) -> dict[str, str]:
    """{section: text} for a year (the network's texts, overridden by the library's)."""
    rows = ReportText.objects.filter(year=year, library__isnull=True)
    texts = {r.section: r.text for r in rows}
    if library is not None:
        lib_id = getattr(library, "pk", library)
        texts.update(
            {r.section: r.text for r in ReportText.objects.filter(year=year, library_id=lib_id)}
        )
    return texts


def ebook_holding_set(
    *, library: Library, as_of: dt.date, titles: int, actor: Actor, platform: str = ""
) -> EbookHolding:
    """Records the e-book titles a library owns from `as_of` on (replacing an entry for the
    same library, date and platform)."""
    _require(actor, library.pk)
    if titles < 0:
        raise ValidationFailed(_("A count of titles cannot be negative."), field="titles")
    with transaction.atomic():
        row, _created = EbookHolding.objects.select_for_update().get_or_create(
            library=library, as_of=as_of, platform=platform.strip(), defaults={"titles": titles}
        )
        before = None if _created else row.titles
        if row.titles != titles:
            row.titles = titles
            row.save(update_fields=["titles", "updated_at"])
        audit_record(
            actor=actor,
            action="statistics.ebook_holding_set",
            obj=row,
            changes={"titles": [before, titles]},
            library=library,
        )
    return row
