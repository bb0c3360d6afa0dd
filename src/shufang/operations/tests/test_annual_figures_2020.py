"""The programme, outreach and ledger figures of Lijiang's 2020 annual report, built from
records made through the services and read back through the report's selectors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from shufang.core.audit import Actor
from shufang.network.services import service_point_create
from shufang.operations import selectors as ops
from shufang.operations.services.ledger import ledger_entry_create
from shufang.operations.services.wechat import wechat_months_import, wechat_posts_import
from shufang.operations.tests.fixtures import Lijiang
from shufang.outreach import selectors as outreach
from shufang.programmes import selectors as prog
from shufang.programmes.models import EventKind, EventStatus, Series
from shufang.programmes.services import event_create, series_create

pytestmark = pytest.mark.django_db

YEAR_START, YEAR_END = dt.date(2020, 1, 1), dt.date(2020, 12, 31)
SYSTEM = Actor.system("2020 reference")


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def held(lj: Lijiang, title: str, kind: str, start: dt.date, end: dt.date | None = None, **kw):
    return event_create(
        library=lj.library,
        title=title,
        kind=kind,
        starts_at=at(start),
        ends_at=at(end or start, 17),
        status=EventStatus.HELD,
        actor=SYSTEM,
        **kw,
    )


def make_programmes(lj: Lijiang) -> None:
    lectures = series_create(
        library=lj.library,
        code="tianyu",
        name="天雨流芳文化讲坛",
        kind=EventKind.LECTURE,
        number_format="第{n}讲",
        first_number=36,
        actor=SYSTEM,
    )
    classes = series_create(
        library=lj.library,
        code="open-class",
        name="丽图公开课",
        kind=EventKind.CLASS,
        number_format="第{n}讲",
        first_number=10,
        actor=SYSTEM,
    )
    stories = series_create(
        library=lj.library,
        code="story",
        name="丽图周末故事会",
        kind=EventKind.STORY,
        first_number=46,
        actor=SYSTEM,
    )
    films = series_create(
        library=lj.library,
        code="film",
        name="丽图周末电影",
        kind=EventKind.FILM,
        first_number=396,
        actor=SYSTEM,
    )
    # An exhibition opened in 2019 and running into 2020 belongs to 2019.
    held(lj, "迎新年书法展", EventKind.EXHIBITION, dt.date(2019, 12, 20), dt.date(2020, 1, 20))
    for month in range(2, 12):
        held(lj, f"线上展览 {month}", EventKind.EXHIBITION, dt.date(2020, month, 3), online=True)
    for day in (5, 12, 19, 26, 28):
        held(lj, f"线上展览 11-{day}", EventKind.EXHIBITION, dt.date(2020, 11, day), online=True)
    for title, start, end in (
        ("岁吉年祥——中国传统剪纸文化展", dt.date(2020, 1, 15), dt.date(2020, 2, 28)),
        ("贴出年的吉祥——中华传统春联珍品展", dt.date(2020, 1, 15), dt.date(2020, 2, 28)),
        ("浓郁民族风 最美中国年", dt.date(2020, 1, 18), dt.date(2020, 2, 28)),
        ("百名摄影师聚焦 COVID-19", dt.date(2020, 9, 12), dt.date(2020, 11, 12)),
        ("百名摄影师聚焦 脱贫攻坚图片巡展", dt.date(2020, 11, 28), dt.date(2020, 12, 28)),
    ):
        held(lj, title, EventKind.EXHIBITION, start, end, service_point=lj.main)
    for month in range(1, 11):
        held(lj, f"线上阅读推广 {month}", EventKind.CAMPAIGN, dt.date(2020, month, 20), online=True)
    held(lj, "2019 年度借阅之星评选", EventKind.CEREMONY, dt.date(2020, 1, 10))
    held(
        lj,
        "丽江玉龙大具为都墓地考古发掘工作收获",
        EventKind.LECTURE,
        dt.date(2020, 9, 24),
        series=lectures,
        head_count=110,
        speaker="闵锐",
    )
    held(
        lj,
        "带一本书去旅游",
        EventKind.LECTURE,
        dt.date(2020, 11, 28),
        series=lectures,
        head_count=140,
        speaker="王子舟",
    )
    for i, day in enumerate((7, 14, 21, 28, 35)):
        held(
            lj,
            f"公开课 {i}",
            EventKind.CLASS,
            dt.date(2020, 11, 1) + dt.timedelta(days=day),
            series=classes,
            head_count=100,
        )
    for day in (
        dt.date(2020, 1, 4),
        dt.date(2020, 11, 14),
        dt.date(2020, 11, 28),
        dt.date(2020, 12, 5),
        dt.date(2020, 12, 19),
    ):
        held(lj, "故事会", EventKind.STORY, day, series=stories, head_count=30)
    for i in range(24):
        held(
            lj,
            f"电影 {i}",
            EventKind.FILM,
            dt.date(2020, 10, 31) + dt.timedelta(days=i),
            series=films,
            head_count=20,
        )
    # Planned but cancelled: never counted.
    event_create(
        library=lj.library,
        title="读书沙龙",
        kind=EventKind.CAMPAIGN,
        starts_at=at(dt.date(2020, 2, 8)),
        ends_at=at(dt.date(2020, 2, 8), 11),
        status=EventStatus.CANCELLED,
        actor=SYSTEM,
    )
    awards = [
        ("borrowing_expert", "云南省图书馆", 10),
        ("diligent_star", "中国图书馆学会", 2),
        ("popular_young_reader", "中国图书馆学会", 6),
        ("prize", "丽江市图书馆", 10),
    ]
    for kind, body, n in awards:
        for i in range(n):
            ledger_entry_create(
                ledger="award",
                library=lj.library,
                actor=SYSTEM,
                values={
                    "kind": kind,
                    "awarded_on": dt.date(2020, 10, 20),
                    "recipient_name": f"读者{i}甲",
                    "awarding_body": body,
                    "prize": "图书一本",
                },
            )


def make_ledgers(lj: Lijiang, tmp_path: Path) -> None:
    def add(ledger: str, **values: object) -> None:
        ledger_entry_create(ledger=ledger, library=lj.library, values=values, actor=SYSTEM)

    for level, n in (("city", 35), ("province", 39), ("national", 11)):
        for i in range(n):
            add(
                "media_report",
                outlet="文旅丽江",
                level=level,
                published_on=dt.date(2020, 1 + i % 12, 1 + i % 28),
                title=f"报道 {level} {i}",
            )
    add(
        "media_report",
        outlet="丽江网",
        level="city",
        published_on=dt.date(2019, 12, 30),
        title="2019 年的报道",
    )
    add("group_visit", visitor="贝乐迪幼儿园学前班", visited_on=dt.date(2020, 10, 13), people=34)
    add("group_visit", visitor="贝乐迪幼儿园大班", visited_on=dt.date(2020, 12, 29), people=30)
    add(
        "venue_use",
        organisation="古城区残联",
        used_on=dt.date(2020, 11, 16),
        purpose="古城区残疾人自强、诚信、感恩主题交流会",
    )
    articles = [5] * 11 + [4]
    views = [169347] * 11 + [2032164 - 169347 * 11]
    visits = [3980] * 11 + [47770 - 3980 * 11]
    for month in range(12):
        add(
            "website_month",
            month=dt.date(2020, month + 1, 1),
            articles=articles[month],
            page_views=views[month],
            visits=visits[month],
        )
    add("staff_establishment", effective_from=dt.date(2015, 1, 1), authorised_posts=15)
    for i in range(14):
        add("staff_member", name=f"馆员{i}", post="馆员", joined_on=dt.date(2010 + i % 10, 3, 1))
    add(
        "staff_member",
        name="退休馆员",
        post="馆员",
        joined_on=dt.date(1990, 1, 1),
        left_on=dt.date(2019, 6, 30),
    )
    for name, amount, completed in (
        ("配备图书消毒设备及防疫物资储备", 100000, 2020),
        ("天雨流芳文化讲坛品牌讲座", 120000, 2021),
        ("数字化文献中心建设及业务系统软件升级", 400000, 2021),
        ("图书自助借还项目", 900000, 2021),
    ):
        add(
            "funded_project",
            name=name,
            funder="丽江市文化和旅游局",
            amount=Decimal(amount),
            year_granted=2020,
            status="completed",
            year_completed=completed,
        )
    add(
        "training",
        course="图书馆员业务能力提升",
        organiser="中国图书馆学会",
        starts_on=dt.date(2020, 5, 6),
        ends_on=dt.date(2020, 5, 30),
        hours=Decimal("24"),
        online=True,
        participants=6,
    )
    add(
        "training",
        course="消防安全防火防灾应急知识",
        organiser="丽江市图书馆",
        topic="safety",
        starts_on=dt.date(2020, 9, 15),
        ends_on=dt.date(2020, 9, 15),
        hours=Decimal("3"),
        participants=14,
    )

    months = tmp_path / "wechat-users.csv"
    followers = [9657 + 80 * m for m in range(12)] + [10628]
    months.write_text(
        "月份,累计关注人数,新关注人数\n"
        + "2019-12,9657,60\n"
        + "".join(f"2020-{m:02d},{followers[m]},80\n" for m in range(1, 12))
        + "2020-12,10628,91\n",
        encoding="utf-8",
    )
    wechat_months_import(path=months, library=lj.library, account="ljstsg", actor=SYSTEM)
    posts = tmp_path / "wechat-posts.csv"
    reads = [2522] + [600] * 22 + [500] + [120] * 247  # 271 posts, 23 over 500
    posts.write_text(
        "发布时间,标题,阅读次数\n"
        + "".join(
            f"2020-{1 + i % 12:02d}-{1 + i % 28:02d},推文 {i},{r}\n" for i, r in enumerate(reads)
        ),
        encoding="gb18030",
    )
    wechat_posts_import(path=posts, library=lj.library, account="ljstsg", actor=SYSTEM)


def make_outreach(lj: Lijiang) -> None:
    def point(code: str, kind: str, opened: dt.date, closed: dt.date | None = None) -> None:
        service_point_create(
            library=lj.library,
            code=f"CN-530700-{code}",
            name=code,
            kind=kind,
            actor=SYSTEM,
            host_organisation="社区",
            opened_on=opened,
            closed_on=closed,
        )

    for i in range(30):
        point(f"RP{i:02d}", "reading_point", dt.date(2015 + i % 5, 6, 1))
    point("RP30", "reading_point", dt.date(2020, 4, 23))
    point("RP31", "reading_point", dt.date(2020, 10, 1))
    point("RP99", "reading_point", dt.date(2016, 1, 1), closed=dt.date(2019, 12, 1))
    point("RP2021", "reading_point", dt.date(2021, 3, 1))
    for i in range(14):
        point(f"MR{i:02d}", "mobile_room", dt.date(2018, 1, 1))
    for i in range(10):
        point(f"EB{i:02d}", "ebook_machine", dt.date(2019, 5, 1))


def test_the_2020_programme_outreach_and_ledger_figures_come_from_records(
    lj: Lijiang, tmp_path: Path
) -> None:
    # Given the year's records, made through the services
    make_programmes(lj)
    make_ledgers(lj, tmp_path)
    make_outreach(lj)
    period = {"start": YEAR_START, "end": YEAR_END}

    # Then the report's figures are these
    assert prog.exhibitions_count(**period, online=True) == 15
    assert prog.exhibitions_count(**period, online=False) == 5
    assert prog.exhibitions_count(**period) == 20
    assert prog.activities_count(**period, online=True) == 10
    assert prog.activities_count(**period, online=False) == 13
    assert prog.activities_by_kind(**period, online=False) == {
        "ceremony": 1,
        "class": 5,
        "lecture": 2,
        "story": 5,
    }
    assert prog.event_attendance(**period, kind=EventKind.LECTURE) == 250
    assert prog.event_attendance(**period, kind=EventKind.CLASS) == 500
    assert prog.films_count(**period) == 24
    films = Series.objects.get(code="film")
    assert prog.series_total(series=films) == 419
    assert prog.awards_count(**period) == {
        "borrowing_expert": 10,
        "diligent_star": 2,
        "popular_young_reader": 6,
        "prize": 10,
        "total": 28,
    }
    assert ops.media_reports_by_level(**period) == {
        "city": 35,
        "province": 39,
        "national": 11,
        "total": 85,
    }
    assert ops.wechat_figures(year=2020) == {
        "followers": 10628,
        "followers_gain": 971,
        "posts": 271,
        "posts_over_500": 23,
        "top_reads": 2522,
    }
    assert ops.website_figures(**period) == {
        "articles": 59,
        "page_views": 2032164,
        "visits": 47770,
    }
    assert ops.group_visits(**period) == {"count": 2, "people": 64, "each": [34, 30]}
    assert ops.venue_hosted(**period) == 1
    assert ops.staff_posts(at=YEAR_END) == {"authorised": 15, "filled": 14, "vacant": 1}
    funding = ops.funded_projects(year=2020)
    assert (funding["count"], funding["amount"]) == (4, Decimal("1520000"))
    assert ops.trainings(**period) == {"count": 2, "participants": 20, "hours": Decimal("27")}
    assert outreach.reading_points_count(at=YEAR_END) == 32
    assert outreach.reading_points_count(at=YEAR_END, opened_in=2020) == 2
    assert outreach.mobile_rooms_count(at=YEAR_END) == 14
    assert outreach.ebook_machines_count(at=YEAR_END) == 10
    # and the 2019 exhibition that ran into 2020 counts in 2019 only
    assert prog.exhibitions_count(start=dt.date(2019, 1, 1), end=dt.date(2019, 12, 31)) == 1
