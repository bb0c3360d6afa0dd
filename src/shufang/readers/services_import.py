"""Bulk loading of readers from a CSV or XLSX file (migration from another system).

Each row goes through `reader_register` in its own savepoint: a bad row is reported with its
line and reason and leaves nothing behind; the good rows are loaded. The columns are listed in
READER_COLUMNS (canonical name -> accepted headings) and documented in docs/import-formats.md.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from shufang.core.audit import Actor
from shufang.core.exceptions import ValidationFailed
from shufang.core.permissions import require
from shufang.core.tabular import (
    ImportResult,
    RowError,
    TabularRow,
    iter_rows,
    load_rows,
    parse_date,
    parse_datetime,
)
from shufang.network.models import ServicePoint
from shufang.readers.models import ReaderCategory
from shufang.readers.selectors import reader_by_card_number
from shufang.readers.services import reader_register

READER_COLUMNS: dict[str, list[str]] = {
    "name": ["姓名", "读者姓名"],
    "category": ["读者类型", "读者类别", "类别"],
    "home_service_point": ["服务点", "服务点代码", "所属服务点", "service_point"],
    "card_number": ["读者证号", "证号", "卡号", "借书证号"],
    "id_number": ["身份证号", "身份证号码", "证件号码"],
    "birth_date": ["出生日期", "生日"],
    "phone": ["电话", "手机", "手机号", "联系电话"],
    "email": ["邮箱", "电子邮箱", "电子邮件"],
    "address": ["地址", "住址", "联系地址"],
    "guardian_name": ["监护人", "监护人姓名"],
    "guardian_phone": ["监护人电话"],
    "guardian_card_number": ["监护人证号", "监护人读者证号"],
    "issued_at": ["办证日期", "办证时间"],
    "card_expires_on": ["有效期至", "到期日期", "失效日期"],
    "pin": ["密码"],
}
READER_REQUIRED = ["name", "category", "home_service_point"]


class _Lookups:
    """Categories and service points loaded once, by code and by name."""

    def __init__(self) -> None:
        self.categories: dict[str, ReaderCategory] = {}
        for category in ReaderCategory.objects.all():
            self.categories.setdefault(category.name.casefold(), category)
            self.categories[category.code.casefold()] = category
        self.points: dict[str, ServicePoint] = {}
        for point in ServicePoint.objects.select_related("library"):
            self.points.setdefault(point.name.casefold(), point)
            self.points[point.code.casefold()] = point

    def category(self, text: str) -> ReaderCategory:
        try:
            return self.categories[text.strip().casefold()]
        except KeyError:
            raise ValidationFailed(
                _("Unknown reader category “%(c)s”.") % {"c": text}, field="category"
            ) from None

    def point(self, text: str) -> ServicePoint:
        try:
            return self.points[text.strip().casefold()]
        except KeyError:
            raise ValidationFailed(
                _("Unknown service point “%(c)s”.") % {"c": text}, field="home_service_point"
            ) from None


def readers_import(
    *,
    path: Path,
    actor: Actor,
    on_row: Callable[[TabularRow, RowError | None], None] | None = None,
) -> ImportResult:
    """Loads the readers of `path`. Raises MissingColumns (nothing loaded) when a required
    column is absent; otherwise returns what was loaded and what was rejected, by line."""
    if actor.user is not None:
        require(actor.user, "readers.import")
    rows = iter_rows(Path(path), aliases=READER_COLUMNS, required=READER_REQUIRED)
    first = next(rows, None)  # reads the heading: missing columns fail here, before loading
    lookups = _Lookups()

    def load_one(row: TabularRow) -> None:
        get = row.get
        guardian = None
        if get("guardian_card_number"):
            guardian = reader_by_card_number(number=get("guardian_card_number"))
            if guardian is None:
                raise ValidationFailed(
                    _("No reader has the guardian's card number %(n)s.")
                    % {"n": get("guardian_card_number")},
                    field="guardian_card_number",
                )
        reader_register(
            name=get("name"),
            category=lookups.category(get("category")),
            home_service_point=lookups.point(get("home_service_point")),
            actor=actor,
            birth_date=parse_date(get("birth_date"), "birth_date"),
            id_number=get("id_number"),
            phone=get("phone"),
            email=get("email"),
            address=get("address"),
            guardian=guardian,
            guardian_name=get("guardian_name"),
            guardian_phone=get("guardian_phone"),
            pin=get("pin"),
            card_number=get("card_number") or None,
            card_expires_on=parse_date(get("card_expires_on"), "card_expires_on"),
            issued_at=parse_datetime(get("issued_at"), "issued_at"),
        )

    return load_rows(chain([first] if first else [], rows), load_one, on_row=on_row)
