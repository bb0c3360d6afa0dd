"""Visit counts: manual entry, import from CSV and XLSX, a day entered twice replaces the
first count, refusals leave nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from shufang.core.audit import Actor
from shufang.core.exceptions import ValidationFailed
from shufang.core.models import AuditEvent
from shufang.statistics import metrics as m
from shufang.statistics.models import Entrance, VisitCount
from shufang.statistics.services import visit_count_set, visit_counts_import

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("test")
MAY = m.Period(dt.date(2020, 5, 1), dt.date(2020, 5, 31))


def test_a_day_entered_twice_is_replaced_not_added(main) -> None:
    visit_count_set(service_point=main, day=dt.date(2020, 5, 4), count=120, actor=SYSTEM)

    visit_count_set(service_point=main, day=dt.date(2020, 5, 4), count=130, actor=SYSTEM)

    assert m.compute("visits.total", MAY) == 130
    assert VisitCount.objects.count() == 1
    assert AuditEvent.objects.filter(action="statistics.visit_count_set").count() == 2


def test_a_negative_count_is_refused_and_nothing_changes(main) -> None:
    visit_count_set(service_point=main, day=dt.date(2020, 5, 4), count=120, actor=SYSTEM)

    with pytest.raises(ValidationFailed):
        visit_count_set(service_point=main, day=dt.date(2020, 5, 4), count=-1, actor=SYSTEM)

    assert list(VisitCount.objects.values_list("count", flat=True)) == [120]
    assert AuditEvent.objects.filter(action="statistics.visit_count_set").count() == 1


def test_xlsx_import_loads_valid_rows_reports_bad_lines_and_creates_entrances(
    main, tmp_path
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["服务点", "入口", "日期", "人次", "来源"])
    sheet.append([main.code, "north", "2020-05-04", 80, "闸机"])
    sheet.append([main.code, "south", "2020-05-04", 40, "gate"])
    sheet.append([main.code, "south", "2020-05-05", "many", "gate"])
    sheet.append([main.code, "", "2020-05-06", 25, "人工"])
    path = tmp_path / "visits.xlsx"
    book.save(path)

    result = visit_counts_import(path=path, actor=SYSTEM)
    again = visit_counts_import(path=path, actor=SYSTEM)

    assert (result.loaded, [e.line for e in result.rejected]) == (3, [4])
    assert (again.loaded, [e.line for e in again.rejected]) == (3, [4])
    assert sorted(Entrance.objects.values_list("code", flat=True)) == ["north", "south"]
    assert m.compute("visits.total", MAY) == 80 + 40 + 25
    assert m.visits_by(MAY, m.NETWORK, "month") == {"2020-05": 145}
