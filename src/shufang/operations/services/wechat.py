"""Importing the WeChat official account's figures from the platform's CSV (or XLSX) export.

Two exports are read: the monthly user figures (month, followers, new followers) and the post
list (date, title, reads). A file is loaded completely or not at all: every row is checked
first and all the bad rows are reported with their line numbers, then the rows are saved in one
transaction. Encoding (UTF-8, with or without BOM, or GB18030) is detected by core.tabular."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import ShufangError, ValidationFailed
from shufang.core.models import AuditEvent, Channel
from shufang.core.permissions import require
from shufang.core.tabular import RowError, TabularRow, iter_rows, parse_date
from shufang.network.models import Library
from shufang.operations.models import WechatMonth, WechatPost

MONTH_ALIASES = {
    "month": ("月份", "时间", "日期", "date"),
    "followers": ("累计关注人数", "累积关注人数", "总关注人数", "cumulate_user", "followers"),
    "new_followers": ("新关注人数", "新增关注人数", "new_user"),
}
POST_ALIASES = {
    "published_on": ("发布时间", "发表时间", "日期", "date"),
    "title": ("标题", "文章标题", "title"),
    "reads": ("阅读次数", "阅读数", "图文阅读次数", "int_page_read_count", "reads"),
}


class WechatImportRefused(ValidationFailed):
    code = "wechat_import_refused"


@dataclass
class WechatImportResult:
    loaded: int = 0
    created: int = 0
    updated: int = 0
    rejected: list[RowError] = field(default_factory=list)


def _int(text: str, column: str) -> int:
    cleaned = text.replace(",", "").replace("，", "").strip()
    if not cleaned.isdigit():
        raise ValidationFailed(
            _("%(col)s: “%(text)s” is not a whole number.") % {"col": column, "text": text}
        )
    return int(cleaned)


def _month(text: str) -> dt.date:
    text = text.strip()
    for candidate in (
        text,
        f"{text}-01",
        f"{text}/01",
        text.replace("年", "-").replace("月", "-01"),
    ):
        try:
            day = parse_date(candidate, "month")
        except ValidationFailed:
            continue
        if day is not None:
            return day.replace(day=1)
    raise ValidationFailed(_("month: “%(text)s” is not a month (write 2020-12).") % {"text": text})


def _parse_month_row(row: TabularRow) -> dict[str, Any]:
    followers = _int(row.get("followers"), "followers")
    new = row.get("new_followers")
    return {
        "month": _month(row.get("month")),
        "followers": followers,
        "new_followers": _int(new, "new_followers") if new else 0,
    }


def _parse_post_row(row: TabularRow) -> dict[str, Any]:
    day = parse_date(row.get("published_on"), "published_on")
    if day is None:
        raise ValidationFailed(_("published_on is empty."))
    title = row.get("title")
    if not title:
        raise ValidationFailed(_("title is empty."))
    return {"published_on": day, "title": title[:300], "reads": _int(row.get("reads"), "reads")}


def _read_all(
    path: Path, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...], parse: Any
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    parsed: list[tuple[int, dict[str, Any]]] = []
    errors: list[RowError] = []
    for row in iter_rows(Path(path), aliases=aliases, required=required):
        try:
            parsed.append((row.line, parse(row)))
        except ShufangError as exc:
            errors.append(RowError(row.line, str(exc.message)))
    return parsed, errors


def _refuse(errors: list[RowError]) -> None:
    lines = "; ".join(f"line {e.line}: {e.reason}" for e in errors[:20])
    raise WechatImportRefused(
        _("Nothing was imported: %(n)d row(s) are not valid. %(lines)s")
        % {"n": len(errors), "lines": lines},
        rows=[{"line": e.line, "reason": e.reason} for e in errors],
    )


def _audit_row(actor: Actor, library: Library, action: str, obj: Any, changes: dict) -> AuditEvent:
    return AuditEvent(
        library_id=library.pk,
        actor=actor.user if getattr(actor.user, "pk", None) else None,
        actor_label=actor.name[:150],
        channel=actor.channel or Channel.IMPORT,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes,
    )


@transaction.atomic
def wechat_months_import(
    *, path: Path, library: Library, account: str, actor: Actor
) -> WechatImportResult:
    """Loads monthly follower figures; a month already recorded is replaced. Raises
    MissingColumns / TabularError for a file that cannot be read, WechatImportRefused (with
    every bad row) when any row is invalid — nothing is saved then."""
    if actor.user is not None:
        require(actor.user, "operations.change", library=library)
    parsed, errors = _read_all(path, MONTH_ALIASES, ("month", "followers"), _parse_month_row)
    seen: dict[dt.date, int] = {}
    for line, values in parsed:
        if values["month"] in seen:
            errors.append(
                RowError(
                    line,
                    str(
                        _("month %(m)s appears twice (first on line %(l)d).")
                        % {"m": values["month"].strftime("%Y-%m"), "l": seen[values["month"]]}
                    ),
                )
            )
        seen.setdefault(values["month"], line)
    if errors:
        _refuse(sorted(errors, key=lambda e: e.line))
    result = WechatImportResult()
    for _line, values in parsed:
        row, created = WechatMonth.objects.update_or_create(
            library=library, account=account, month=values["month"], defaults=values
        )
        result.created += int(created)
        result.updated += int(not created)
        audit_record(
            actor=actor,
            action="wechat_month.imported",
            obj=row,
            changes={k: v for k, v in values.items()},
            library=library,
        )
    result.loaded = len(parsed)
    return result


@transaction.atomic
def wechat_posts_import(
    *, path: Path, library: Library, account: str, actor: Actor
) -> WechatImportResult:
    """Loads the post list (date, title, reads); a post already recorded (same date and
    title) gets its reads updated. All or nothing, as `wechat_months_import`."""
    if actor.user is not None:
        require(actor.user, "operations.change", library=library)
    parsed, errors = _read_all(
        path, POST_ALIASES, ("published_on", "title", "reads"), _parse_post_row
    )
    if errors:
        _refuse(errors)
    existing = {
        (p.published_on, p.title): p
        for p in WechatPost.objects.filter(library=library, account=account)
    }
    new: list[WechatPost] = []
    changed: list[WechatPost] = []
    seen: set[tuple[dt.date, str]] = set()
    for _line, values in parsed:
        key = (values["published_on"], values["title"])
        if key in seen:
            continue
        seen.add(key)
        if key in existing:
            post = existing[key]
            post.reads = values["reads"]
            changed.append(post)
        else:
            new.append(WechatPost(library=library, account=account, **values))
    created = WechatPost.objects.bulk_create(new, batch_size=500)
    WechatPost.objects.bulk_update(changed, ["reads"], batch_size=500)
    if any(p.pk is None for p in created):  # backends without RETURNING on bulk insert
        created = list(
            WechatPost.objects.filter(library=library, account=account).filter(
                pk__in=[p.pk for p in created if p.pk]
            )
        )
    AuditEvent.objects.bulk_create(
        [
            _audit_row(actor, library, "wechat_post.imported", p, {"reads": p.reads})
            for p in (*created, *changed)
        ],
        batch_size=1000,
    )
    return WechatImportResult(
        loaded=len(new) + len(changed), created=len(new), updated=len(changed)
    )
