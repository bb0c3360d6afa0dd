"""The report command and its documents: JSON with the spec's keys, DOCX with Chinese text
and the charts, HTML, XLSX with the evaluation indicators."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from shufang.statistics.render import render_report
from shufang.statistics.report import annual_report
from shufang.statistics.services import report_text_save
from shufang.statistics.tests.test_annual_metrics import SYSTEM, Year, simulate

pytestmark = pytest.mark.django_db

SPEC_KEYS = {
    "readers.new_cards",
    "readers.valid_cardholders",
    "circulation.loans",
    "circulation.loans_juvenile",
    "visits.total",
    "service.open_hours_per_week",
    "outreach.reading_points",
    "outreach.mobile_rooms",
    "outreach.ebook_machines",
    "publicity.wechat",
    "publicity.website",
    "media.reports",
    "venue.group_visits",
    "venue.hosted",
    "collection.periodicals",
    "collection.newspapers",
    "collection.additions",
    "collection.additions_purchased",
    "collection.additions_juvenile",
    "collection.holdings",
    "collection.ebooks_owned",
    "events.exhibitions",
    "events.online_activities",
    "events.offline",
    "events.films",
    "awards.readers",
    "staff",
    "funding.projects",
    "budget.books",
}


@pytest.fixture
def year(tmp_path, lj, main, kiosk, adult_lending, children, adult_category, rules) -> Year:
    return simulate(tmp_path, lj, main, kiosk, adult_lending, children, adult_category, rules)


def test_json_report_has_every_key_of_the_spec_with_last_years_values(year: Year, capsys) -> None:
    call_command("report", "annual", "--year", "2020", "--format", "json")

    data = json.loads(capsys.readouterr().out)
    assert set(data["metrics"]) >= SPEC_KEYS and set(data["previous_year"]) >= SPEC_KEYS
    assert data["metrics"]["circulation.loans"] == sum(year.loans.values())
    assert data["previous_year"]["visits.total"] == year.visits_2019
    assert data["consistency"]["passed"] is True


@override_settings(LANGUAGE_CODE="zh-hans")
def test_docx_opens_with_chinese_text_the_staff_paragraph_and_four_charts(
    year: Year, tmp_path
) -> None:
    from docx import Document

    report_text_save(
        year=2020, section="epidemic", text="1月24日起闭馆，4月7日起闭架借阅。", actor=SYSTEM
    )
    out = tmp_path / "report.docx"

    call_command("report", "annual", "--year", "2020", "--format", "docx", "--output", str(out))

    document = Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "1月24日起闭馆，4月7日起闭架借阅。" in text
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert f"{sum(year.loans.values()):,}" in cells
    assert len(document.inline_shapes) == 4


def test_html_and_xlsx_reports_are_generated(year: Year) -> None:
    from openpyxl import load_workbook

    report = annual_report(year=2020)

    html = render_report(report, "html").decode()
    book = load_workbook(io.BytesIO(render_report(report, "xlsx")))

    assert html.count("<img") == 4
    assert book.sheetnames[:2] == ["indicators", "figures"]
    rows = list(book["indicators"].iter_rows(values_only=True))
    assert len(rows) == 7
    assert rows[2][1] == report.figures["indicators"]["loans_per_cardholder"]
