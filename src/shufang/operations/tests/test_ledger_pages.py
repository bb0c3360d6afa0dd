"""Every ledger of the three apps, through its staff pages, by the role that owns it: add,
edit, list with a filter, export as XLSX; and the refusals (dates out of order, another
library's row, a role without the permission)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from shufang.core.models import AuditEvent
from shufang.network.models import ServicePoint
from shufang.operations.ledger import all_ledgers
from shufang.operations.models import Hazard
from shufang.operations.services.ledger import ledger_entry_create
from shufang.operations.tests.fixtures import PASSWORD, Lijiang

pytestmark = pytest.mark.django_db

BASE = {"programmes": "/staff/programmes/ledgers", "outreach": "/staff/outreach",
        "operations": "/staff/operations"}  # fmt: skip


def _points(lj: Lijiang) -> dict[str, ServicePoint]:
    return {
        kind: ServicePoint.objects.create(
            library=lj.library, code=f"CN-530700-{kind[:6].upper()}", name=kind, kind=kind
        )
        for kind in ("reading_point", "ebook_machine")
    }


def sample(lj: Lijiang, name: str) -> tuple[dict[str, Any], str, str]:
    """(form data, the field edited, its new value) for one ledger."""
    points = _points(lj) if name in ("outreach_visit", "device", "device_check") else {}
    volunteer = None
    if name == "volunteer_shift":
        volunteer = ledger_entry_create(
            ledger="volunteer",
            library=lj.library,
            values={"name": "和志愿", "joined_on": dt.date(2020, 1, 1)},
            actor=lj.actor("manager"),
        )
    lib = {"library": lj.library.pk}
    data: dict[str, tuple[dict[str, Any], str, str]] = {
        "award": ({**lib, "kind": "diligent_star", "awarded_on": "2020-08-01",
                   "recipient_name": "单一心", "awarding_body": "中国图书馆学会"},
                  "prize", "证书"),
        "outreach_visit": ({"service_point": points.get("reading_point", ServicePoint()).pk,
                            "visited_on": "2020-06-01", "kind": "guidance"}, "staff", "王锋"),
        "device": ({"service_point": points.get("ebook_machine", ServicePoint()).pk,
                    "location": "市政府大楼一楼", "vendor": "超星"}, "model_name", "M-100"),
        "device_check": ({"service_point": points.get("ebook_machine", ServicePoint()).pk,
                          "checked_on": "2020-06-01", "state": "faulty", "fault": "黑屏"},
                         "fix", "重启"),
        "county_guidance": ({**lib, "county_library": lj.county.pk, "kind": "training",
                             "held_on": "2020-06-01", "topic": "编目", "participants": "8",
                             "hours": "3"}, "topic", "总分馆"),
        "wechat_month": ({**lib, "account": "ljstsg", "month": "2020-12-01",
                          "followers": "10628", "new_followers": "91"}, "new_followers", "92"),
        "wechat_post": ({**lib, "account": "ljstsg", "published_on": "2020-04-23",
                         "title": "世界读书日", "reads": "2522"}, "reads", "2600"),
        "website_month": ({**lib, "month": "2020-12-01", "articles": "4", "page_views": "100",
                           "visits": "10"}, "visits", "11"),
        "community_group": ({**lib, "name": "故事会 2 号群", "platform": "WeChat",
                             "counted_on": "2020-11-23", "members": "112", "posts": "0"},
                            "members", "113"),
        "media_report": ({**lib, "outlet": "中国日报", "level": "national",
                          "published_on": "2020-09-15", "title": "图片展"}, "title", "摄影展"),
        "group_visit": ({**lib, "visitor": "贝乐迪幼儿园", "visited_on": "2020-10-13",
                         "people": "34"}, "people", "35"),
        "venue_use": ({**lib, "organisation": "古城区残联", "used_on": "2020-11-16",
                       "purpose": "交流会"}, "room", "报告厅"),
        "staff_establishment": ({**lib, "effective_from": "2020-01-01",
                                 "authorised_posts": "15"}, "authorised_posts", "16"),
        "staff_member": ({**lib, "name": "张博涵", "joined_on": "2015-07-01"}, "post", "馆员"),
        "training": ({**lib, "course": "消防设施操作员", "organiser": "消防支队",
                      "topic": "safety", "starts_on": "2020-09-01", "ends_on": "2020-09-03",
                      "hours": "16", "participants": "2"}, "hours", "18.0"),
        "honour": ({**lib, "title": "全民阅读示范基地", "awarded_by": "中国图书馆学会",
                    "awarded_on": "2020-10-01"}, "recipient", "丽江市图书馆"),
        "inspection": ({**lib, "kind": "patrol", "done_on": "2020-11-10",
                        "inspector": "王松涛"}, "findings", "无"),
        "hazard": ({**lib, "found_on": "2020-06-10", "location": "二楼",
                    "description": "灭火器过期"}, "fix", "更换"),
        "drill": ({**lib, "held_on": "2020-11-10", "title": "消防安全应急演练",
                   "participants": "2"}, "organiser", "市文旅局"),
        "certificate": ({**lib, "holder": "王松涛", "title": "消防安全管理员",
                         "issued_on": "2020-10-01"}, "issuer", "消防救援支队"),
        "disinfection": ({**lib, "room": "少儿阅览室", "done_on": "2020-09-01"},
                         "method", "紫外线"),
        "volunteer": ({**lib, "name": "李宗达", "joined_on": "2020-01-01"}, "name", "李宗"),
        "volunteer_shift": ({**lib, "volunteer": getattr(volunteer, "pk", None),
                             "served_on": "2020-09-02", "hours": "4"}, "task", "创文"),
        "funded_project": ({**lib, "name": "图书自助借还项目", "amount": "900000",
                            "year_granted": "2020", "status": "in_progress"},
                           "year_completed", "2021"),
    }  # fmt: skip
    return data[name]


def owner(spec_app: str) -> str:
    return "events" if spec_app == "programmes" else "manager"


@pytest.mark.parametrize("name", sorted(all_ledgers()))
def test_the_owning_role_adds_edits_lists_and_exports_every_ledger(lj: Lijiang, name: str) -> None:
    spec = all_ledgers()[name]
    form, field, new_value = sample(lj, name)
    client = Client()
    client.login(username=owner(spec.app), password=PASSWORD)
    base = f"{BASE[spec.app]}/{name}/"

    # When the owner adds a row
    response = client.post(f"{base}new/", {k: v for k, v in form.items() if v is not None})
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = spec.model._default_manager.get()
    assert AuditEvent.objects.filter(action=f"{name}.created", object_id=str(entry.pk)).count() == 1

    # and edits it
    assert client.get(f"{base}{entry.pk}/").status_code == 200
    response = client.post(f"{base}{entry.pk}/", {**form, field: new_value})
    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    assert str(getattr(entry, field)) == new_value

    # then the list shows it, filtered by its year
    year = getattr(entry, spec.date_field)
    year = year if isinstance(year, int) else year.year
    page = client.get(base, {"year": year})
    assert page.status_code == 200
    assert [row[0].pk for row in page.context["table"]] == [entry.pk]
    assert client.get(base, {"year": year + 1}).context["table"] == []

    # and the export holds one row under the headings
    export = client.get(f"{base}export.xlsx", {"year": year})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[0][0] == "图书馆"  # Chinese is the default language
    assert rows[1][0] == "丽江市图书馆"


def test_a_hazard_fixed_before_it_was_found_is_refused_and_nothing_saved(lj: Lijiang) -> None:
    client = Client()
    client.login(username="manager", password=PASSWORD)

    response = client.post(
        "/staff/operations/hazard/new/",
        {"library": lj.library.pk, "found_on": "2020-06-10", "location": "二楼",
         "description": "电线老化", "fixed_on": "2020-06-01"},
    )  # fmt: skip

    assert response.status_code == 200
    errors = [str(e) for e in response.context["form"].non_field_errors()]
    assert len(errors) == 1 and "2020-06-01" in errors[0] and "2020-06-10" in errors[0]
    assert Hazard.objects.count() == 0
    assert AuditEvent.objects.filter(action="hazard.created").count() == 0


def test_another_librarys_manager_can_neither_see_nor_edit_a_row(lj: Lijiang) -> None:
    hazard = ledger_entry_create(
        ledger="hazard",
        library=lj.library,
        values={"found_on": dt.date(2020, 6, 10), "location": "二楼", "description": "漏水"},
        actor=lj.actor("manager"),
    )
    client = Client()
    client.login(username="county_manager", password=PASSWORD)

    assert client.get("/staff/operations/hazard/").context["table"] == []
    assert client.get(f"/staff/operations/hazard/{hazard.pk}/").status_code == 404
    response = client.post(
        "/staff/operations/hazard/new/",
        {"library": lj.library.pk, "found_on": "2020-06-10", "location": "一楼",
         "description": "漏水"},
    )  # fmt: skip
    assert response.status_code == 200  # the library is not among the form's choices
    assert Hazard.objects.count() == 1


def test_statistics_role_lists_and_exports_but_cannot_add(lj: Lijiang) -> None:
    client = Client()
    client.login(username="statistics", password=PASSWORD)

    assert client.get("/staff/operations/media_report/").status_code == 200
    assert client.get("/staff/operations/media_report/export.xlsx").status_code == 200
    assert client.get("/staff/operations/media_report/new/").status_code == 403
    assert client.get("/staff/outreach/device_check/").status_code == 200


def test_the_desk_cannot_open_the_ledgers(lj: Lijiang) -> None:
    client = Client()
    client.login(username="desk", password=PASSWORD)

    assert client.get("/staff/operations/").status_code == 403
    assert client.get("/staff/outreach/points/").status_code == 403
    assert client.get("/staff/programmes/").status_code == 403
