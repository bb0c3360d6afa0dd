"""The annual report as a document: one list of blocks (headings, staff paragraphs, tables,
charts) following the library's own report (work by area, epidemic response, results,
problems, next year's plan), rendered as HTML, DOCX or XLSX. Numbers come from the report
data only; narrative comes from the staff's text blocks (ReportText)."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shufang.catalogue.models import AcquisitionSource
from shufang.programmes.models import AwardKind, EventKind
from shufang.statistics import charts
from shufang.statistics.metrics import REGISTRY
from shufang.statistics.models import ReportSection
from shufang.statistics.report import AnnualReport


@dataclass
class Block:
    kind: str  # heading | heading2 | text | table | image
    text: str = ""
    rows: list[list[Any]] | None = None  # first row is the heading row
    image: bytes = b""


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _change(value: Any) -> str:
    return "—" if value is None else f"{value:+.1f}%"


def chart_images(report: AnnualReport) -> dict[str, bytes]:
    """The four charts of the report, PNG bytes by name."""
    b = report.breakdowns
    sources = {str(AcquisitionSource(k).label): v for k, v in b["additions_by_source"].items() if v}
    kinds = {
        str(EventKind(k).label) if k in EventKind.values else k: v
        for k, v in b["events_by_kind"].items()
    }
    return {
        "loans_by_month": charts.monthly_chart(
            _("Loans by month, %(year)s") % {"year": report.year},
            b["loans_by_month"],
            closures=report.periods["closures"],
            modes=report.periods["modes"],
            closure_label=_closure_label(report),
            mode_label=_("Closed-stack lending"),
        ),
        "visits_by_month": charts.monthly_chart(
            _("Visits by month, %(year)s") % {"year": report.year},
            b["visits_by_month"],
            closures=report.periods["closures"],
            closure_label=_closure_label(report),
            color="#a56b3a",
        ),
        "additions_by_source": charts.bar_chart(_("Additions by source"), sources),
        "events_by_kind": charts.bar_chart(_("Events by kind"), kinds, color="#7a5aa5"),
    }


def _closure_label(report: AnnualReport) -> str:
    """ "Closed", or "丽江市图书馆 closed" when the closures shaded were of one library only
    (the network's other libraries may have lent meanwhile)."""
    places = {c.get("where", "") for c in report.periods["closures"]}
    if len(places) == 1 and "" not in places:
        return _("%(where)s closed") % {"where": places.pop()}
    return pgettext("library closed to the public", "Closed")


def _yoy(report: AnnualReport, keys: list[str]) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [_("Figure"), str(report.year), str(report.year - 1), _("Change on the year before")]
    ]
    by_key = {row[0]: row for row in report.headline_rows()}
    for key in keys:
        _k, label, now, before, change = by_key[key]
        rows.append([str(label), _headline(now), _headline(before), _change(change)])
    return rows


def blocks(report: AnnualReport, images: dict[str, bytes] | None = None) -> list[Block]:
    images = images if images is not None else chart_images(report)
    f = report.figures
    texts = report.texts
    out: list[Block] = [
        Block(
            "title",
            _("%(scope)s annual report %(year)s")
            % {"scope": report.scope_label, "year": report.year},
        )
    ]

    def text(section: str) -> None:
        if texts.get(section):
            for paragraph in texts[section].split("\n"):
                if paragraph.strip():
                    out.append(Block("text", paragraph.strip()))

    text(ReportSection.INTRODUCTION)
    for warning in report.warnings:
        out.append(Block("text", "⚠ " + warning))
    out.append(Block("heading", _("1. Work by area")))
    out.append(Block("heading2", _("Reader services")))
    text(ReportSection.READER_SERVICES)
    out.append(
        Block(
            "table",
            rows=_yoy(
                report,
                [
                    "readers.new_cards",
                    "readers.valid_cardholders",
                    "circulation.loans",
                    "circulation.loans_juvenile",
                    "circulation.renewals",
                    "visits.total",
                    "service.open_hours_per_week",
                ],
            ),
        )
    )
    out.append(Block("image", image=images["loans_by_month"]))
    out.append(Block("image", image=images["visits_by_month"]))
    out.append(Block("heading2", _("Collection building")))
    text(ReportSection.COLLECTION)
    out.append(
        Block(
            "table",
            rows=_yoy(
                report,
                [
                    "collection.additions",
                    "collection.additions_purchased",
                    "collection.additions_juvenile",
                    "collection.holdings",
                    "collection.ebooks_owned",
                    "collection.periodicals",
                    "collection.newspapers",
                    "budget.books",
                ],
            ),
        )
    )
    sources = [[_("Source"), _("Items")]] + [
        [str(AcquisitionSource(k).label), _fmt(v)]
        for k, v in report.breakdowns["additions_by_source"].items()
        if v
    ]
    out.append(Block("table", rows=sources))
    out.append(Block("image", image=images["additions_by_source"]))
    out.append(Block("heading2", _("Reading promotion and events")))
    text(ReportSection.EVENTS)
    ex = f["events.exhibitions"]
    out.append(
        Block(
            "table",
            rows=[
                [_("Figure"), str(report.year)],
                [
                    _("Exhibitions (online / offline)"),
                    f"{ex['total']} ({ex['online']} / {ex['offline']})",
                ],
                [_("Online activities"), _fmt(f["events.online_activities"]["total"])],
                [_("Offline activities"), _fmt(f["events.offline"]["total"])],
                [_("Film screenings"), _fmt(f["events.films"])],
                [_("Events in total"), _fmt(f["events.total"])],
                [_("Attendance (offline)"), _fmt(f["events.attendance"])],
            ]
            + [
                [
                    _("Offline activities: %(kind)s (attendance)") % {"kind": _kind_label(k)},
                    f"{_fmt(n)} ({_fmt(f['events.attendance_by_kind'].get(k, 0))})",
                ]
                for k, n in f["events.offline"]["by_kind"].items()
            ],
        )
    )
    series = [
        [
            _("Series"),
            _("Held (numbers)"),
            _("Attendance"),
            _("Since the series began"),
            _("Attendance since it began"),
        ]
    ]
    for row in f["events.series"].values():
        if not row["held"]:
            continue
        numbers = [n for n, _day in row["numbers"]]
        span = f"{numbers[0]}–{numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
        series.append(
            [
                row["name"],
                f"{row['held']} ({span})",
                _fmt(row["attendance"]),
                _fmt(row["since_start"]),
                _fmt(row["attendance_since_start"]),
            ]
        )
    if len(series) > 1:
        out.append(Block("table", rows=series))
    out.append(Block("image", image=images["events_by_kind"]))
    out.append(Block("heading2", _("Outreach and the branch network")))
    text(ReportSection.OUTREACH)
    rp = f["outreach.reading_points"]
    out.append(
        Block(
            "table",
            rows=[
                [_("Figure"), str(report.year)],
                [_("Public reading points (new)"), f"{rp['total']} ({rp['new']})"],
                [_("Mobile library rooms"), _fmt(f["outreach.mobile_rooms"])],
                [_("E-book machines"), _fmt(f["outreach.ebook_machines"])],
                [_("Deposit loans"), _fmt(f["outreach.deposit_loans"])],
            ],
        )
    )
    out.append(Block("heading2", _("Publicity")))
    text(ReportSection.PUBLICITY)
    w, site, media = f["publicity.wechat"], f["publicity.website"], f["media.reports"]
    out.append(
        Block(
            "table",
            rows=[
                [_("Figure"), str(report.year)],
                [
                    _("WeChat followers (gain)"),
                    f"{_fmt(w['followers'])} (+{_fmt(w['followers_gain'])})",
                ],
                [
                    _("WeChat posts (over 500 reads; top reads)"),
                    f"{w['posts']} ({w['posts_over_500']}; {w['top_reads']})",
                ],
                [
                    _("Website articles / page views / visits"),
                    f"{site['articles']} / {_fmt(site['page_views'])} / {_fmt(site['visits'])}",
                ],
                [
                    _("Media reports (city / province / national)"),
                    f"{media['total']} ({media.get('city', 0)} / {media.get('province', 0)} / {media.get('national', 0)})",
                ],
                [
                    _("Group visits (people)"),
                    f"{f['venue.group_visits']['count']} ({f['venue.group_visits']['people']})",
                ],
                [_("Venue hosted"), _fmt(f["venue.hosted"])],
            ],
        )
    )
    out.append(Block("heading2", _("Staff and funding")))
    posts, funding = f["staff"], f["funding.projects"]
    budget_now, budget_before = f["budget.books"], report.previous["budget.books"]
    out.append(
        Block(
            "table",
            rows=[
                [_("Figure"), str(report.year)],
                [
                    _("Authorised posts (filled / vacant)"),
                    f"{posts.get('authorised', 0)} ({posts.get('filled', 0)} / "
                    f"{posts.get('vacant', 0)})",
                ],
                [
                    _("Book budget (the year before)"),
                    f"{_money(budget_now['amount'])} ({_money(budget_before['amount'])})",
                ],
                [
                    _("Funded projects (amount)"),
                    f"{funding['count']} ({_money(funding['amount'])})",
                ],
            ]
            + [[p["name"], _money(p["amount"])] for p in funding["projects"]],
        )
    )
    out.append(Block("heading", _("2. Epidemic response")))
    text(ReportSection.EPIDEMIC)
    spans = [[_("From"), _("To"), _("Where"), _("Service"), _("Reason")]]
    for c in report.periods["closures"]:
        spans.append(
            [
                c["start"],
                c["end"],
                c.get("where") or _("All libraries"),
                pgettext("library closed to the public", "Closed"),
                c["reason"],
            ]
        )
    for p in report.periods["modes"]:
        spans.append(
            [
                p["start"],
                p["end"],
                p.get("where", ""),
                _("Closed-stack lending") if p["mode"] == "closed_stack" else p["mode"],
                p["reason"],
            ]
        )
    out.append(Block("table", rows=spans))
    out.append(Block("heading", _("3. Results")))
    text(ReportSection.RESULTS)
    awards = f["awards.readers"]
    out.append(
        Block(
            "table",
            rows=[[_("Awards to readers"), _("Count")]]
            + [[_award_label(k), _fmt(v)] for k, v in awards.items()],
        )
    )
    out.append(Block("heading2", _("Evaluation indicators")))
    out.append(Block("table", rows=indicator_rows(report)))
    out.append(Block("heading2", _("Year on year")))
    out.append(
        Block("table", rows=_yoy(report, [k for k, metric in REGISTRY.items() if metric.headline]))
    )
    out.append(Block("heading2", _("Borrowing ranking")))
    ranking = [[_("Rank"), _("Reader"), _("Category"), _("Loans")]] + [
        [r.rank, r.name or _("(not named)"), r.category_name or r.category, r.loans]
        for r in report.ranking
    ]
    out.append(Block("table", rows=ranking))
    out.append(Block("heading", _("4. Problems")))
    text(ReportSection.PROBLEMS)
    out.append(Block("heading", _("5. Next year's plan")))
    text(ReportSection.PLAN)
    out.append(Block("heading", _("Consistency checks")))
    checks = [[_("Check"), _("Figure"), _("Against"), _("Result")]] + [
        [str(c.description), _fmt(c.left), _fmt(c.right), _("pass") if c.passed else _("FAIL")]
        for c in report.checks
    ]
    out.append(Block("table", rows=checks))
    return out


def _headline(value: Any) -> str:
    """A headline figure; amounts (kept as decimal strings) shown as yuan."""
    return _money(value) if isinstance(value, str) else _fmt(value)


def _kind_label(kind: str) -> str:
    return str(EventKind(kind).label) if kind in EventKind.values else kind


def _award_label(kind: str) -> str:
    if kind == "total":
        return _("Total")
    return str(AwardKind(kind).label) if kind in AwardKind.values else kind


def _money(value: Any) -> str:
    """Yuan without the cents when there are none: 1,520,000."""
    try:
        amount = Decimal(str(value))
    except (ArithmeticError, ValueError):
        return str(value)
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def indicator_rows(report: AnnualReport) -> list[list[Any]]:
    now = report.figures["indicators"]
    before = report.previous["indicators"]
    labels = {
        "visits_per_cardholder": _("Visits per cardholder"),
        "loans_per_cardholder": _("Loans per cardholder"),
        "turnover": _("Collection turnover (loans / holdings)"),
        "attendance_per_1000": _("Event attendance per 1,000 population"),
        "juvenile_share": _("Share of juvenile loans"),
        "open_hours_per_week": _("Opening hours per week"),
    }
    rows: list[list[Any]] = [[_("Indicator"), str(report.year), str(report.year - 1)]]
    for key, label in labels.items():
        rows.append([label, now[key], before[key]])
    return rows


# --------------------------------------------------------------------------- formats


def render_html(report: AnnualReport) -> bytes:
    parts = [
        "<!doctype html><html lang='zh-Hans'><head><meta charset='utf-8'>",
        f"<title>{escape(report.scope_label)} {report.year}</title>",
        "<style>body{font-family:'Noto Sans CJK SC',sans-serif;max-width:60em;margin:auto}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.2em .6em}"
        "img{max-width:100%}</style></head><body>",
    ]
    for block in blocks(report):
        if block.kind == "title":
            parts.append(f"<h1>{escape(block.text)}</h1>")
        elif block.kind == "heading":
            parts.append(f"<h2>{escape(block.text)}</h2>")
        elif block.kind == "heading2":
            parts.append(f"<h3>{escape(block.text)}</h3>")
        elif block.kind == "text":
            parts.append(f"<p>{escape(block.text)}</p>")
        elif block.kind == "table" and block.rows:
            head, *body = block.rows
            parts.append(
                "<table><thead><tr>"
                + "".join(f"<th>{escape(_fmt(c))}</th>" for c in head)
                + "</tr></thead><tbody>"
            )
            for row in body:
                parts.append("<tr>" + "".join(f"<td>{escape(_fmt(c))}</td>" for c in row) + "</tr>")
            parts.append("</tbody></table>")
        elif block.kind == "image":
            data = base64.b64encode(block.image).decode()
            parts.append(f"<p><img alt='' src='data:image/png;base64,{data}'></p>")
    parts.append("</body></html>")
    return "".join(parts).encode()


def render_docx(report: AnnualReport) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Noto Sans CJK SC"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    for block in blocks(report):
        if block.kind == "title":
            document.add_heading(block.text, level=0)
        elif block.kind == "heading":
            document.add_heading(block.text, level=1)
        elif block.kind == "heading2":
            document.add_heading(block.text, level=2)
        elif block.kind == "text":
            document.add_paragraph(block.text)
        elif block.kind == "table" and block.rows:
            table = document.add_table(rows=len(block.rows), cols=len(block.rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(block.rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = _fmt(value)
        elif block.kind == "image":
            document.add_picture(io.BytesIO(block.image), width=Cm(16))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_xlsx(report: AnnualReport) -> bytes:
    """The evaluation indicators, the year-on-year figures and the breakdowns, one sheet
    each, for the culture bureau's and the national evaluation's forms."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "indicators"
    for row in indicator_rows(report):
        sheet.append([str(c) if not isinstance(c, int | float) or c is None else c for c in row])
    figures = book.create_sheet("figures")
    figures.append(["key", str(_("Figure")), str(report.year), str(report.year - 1), "%"])
    for key, label, now, before, change in report.headline_rows():
        figures.append([key, str(label), _num(now), _num(before), change])
    for name, values in report.breakdowns.items():
        sheet = book.create_sheet(name[:31])
        for k, v in values.items():
            sheet.append([str(k), v])
    checks = book.create_sheet("consistency")
    for c in report.checks:
        checks.append(
            [c.name, str(c.description), str(c.left), str(c.right), "pass" if c.passed else "FAIL"]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _num(value: Any) -> Any:
    try:
        return float(value) if isinstance(value, str) else value
    except ValueError:
        return value


def render_report(report: AnnualReport, fmt: str) -> bytes:
    warning = charts.cjk_font_warning()
    if warning and warning not in report.warnings:
        report.warnings.append(warning)
    if fmt == "html":
        return render_html(report)
    if fmt == "docx":
        return render_docx(report)
    if fmt == "xlsx":
        return render_xlsx(report)
    raise ValueError(fmt)
