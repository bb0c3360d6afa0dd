"""The records of Lijiang's 2019 and 2020 beyond circulation: programmes (series, events,
awards), ledgers (media, group visits, venue use, website, staff, funded projects, training),
WeChat figures, e-books owned, budgets, subscriptions and a sample of acquisitions through the
suggestion, order, receipt and donation workflows; and the outreach service points.

One builder serves the demo (`demo.simulation.simulate`) and the tests that check the annual
report's selectors (`operations/tests/test_annual_figures_2020.py`,
`acquisitions/tests/test_annual_figures.py`). Every function takes the network objects, the
`actor` and (where anything is chosen) an `rng`, and writes through the real services: the
figures come out of the records exactly as the 2020 annual report gives them (see
shared/spec/annual-report-metrics.md), whatever the seed.

When things happened follows the report: the city library closed on 2020-01-24, lent from
closed stacks 2020-04-07 to 2020-07-19 (no gatherings: `service_mode_allows` refuses events
then, and `event_create` would suspend them), reopened further on 2020-07-20, and brought its
group events back in the autumn (lecture 36 on 2020-09-24 with the photo exhibition from
2020-09-12, films from 2020-10-31, story sessions, open classes and lecture 37 from November).
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.errors import AlreadyHeld
from shufang.acquisitions.models import BudgetLine, Fund, Order, Vendor
from shufang.acquisitions.services.budgets import budget_line_create, fund_create, vendor_create
from shufang.acquisitions.services.donations import (
    DonatedItemIn,
    donated_item_decide,
    donation_record,
    donor_create,
)
from shufang.acquisitions.services.orders import (
    order_create,
    order_line_add,
    order_line_receive,
    order_record_find_or_create,
)
from shufang.acquisitions.services.suggestions import (
    suggestion_approve,
    suggestion_rule_set,
    suggestion_submit,
)
from shufang.catalogue.models import AcquisitionSource, Collection, Item, ItemStatus, Record
from shufang.catalogue.services.items import item_set_status
from shufang.core.audit import Actor
from shufang.core.exceptions import Conflict
from shufang.network import services as network
from shufang.network.models import Library, ServicePoint
from shufang.operations.services.ledger import ledger_entry_create
from shufang.operations.services.wechat import wechat_months_import, wechat_posts_import
from shufang.programmes.models import Event, EventKind, EventStatus, Series
from shufang.programmes.services import event_create, event_update, series_create
from shufang.readers.models import Reader
from shufang.serials.models import Subscription
from shufang.serials.services import (
    issue_check_in,
    issue_claim,
    subscription_create,
    subscription_predict_issues,
)
from shufang.statistics.services import ebook_holding_set

WECHAT_ACCOUNT = "ljstsg"


def _at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


# ------------------------------------------------------------------------------- outreach


def service_point_from_spec(*, spec: Any, library: Library, actor: Actor) -> ServicePoint:
    """One service point of `demo.data.service_points()` with its weekly hours."""
    point = network.service_point_create(
        library=library,
        code=spec.code,
        name=spec.name,
        kind=spec.kind,
        actor=actor,
        name_en=spec.name_en,
        host_organisation=spec.host_organisation,
        address=spec.address,
        opened_on=spec.opened_on,
        closed_on=spec.closed_on,
    )
    network.opening_hours_set(service_point=point, periods=spec.hours, actor=actor)
    return point


OUTREACH_KINDS = ("mobile_room", "reading_point", "ebook_machine")


def outreach_points_create(*, library: Library, actor: Actor) -> list[ServicePoint]:
    """The city library's 14 mobile library rooms, 32 public reading points (2 opened in
    2020) and 10 e-book machines in government offices, placed in `library`."""
    from shufang.demo import data

    return [
        service_point_from_spec(spec=spec, library=library, actor=actor)
        for spec in data.service_points()
        if spec.kind in OUTREACH_KINDS and spec.library_code == data.CITY_LIBRARY_CODE
    ]


# ------------------------------------------------------------------------------- programmes


@dataclass
class SeriesSet:
    lectures: Series
    classes: Series
    stories: Series
    films: Series


def _planned_then_held(
    *,
    library: Library,
    title: str,
    kind: str,
    start: dt.datetime,
    end: dt.datetime,
    actor: Actor,
    head_count: int | None = None,
    **fields: Any,
) -> Event:
    """Plans an event, then records it as held with its head-count. An offline event the
    venue's service mode forbids is saved suspended by `event_create`: the demo never holds
    one (Conflict), so its calendar stays true to the service modes."""
    event = event_create(
        library=library,
        title=title,
        kind=kind,
        starts_at=start,
        ends_at=end,
        status=EventStatus.PLANNED,
        actor=actor,
        **fields,
    )
    if event.suspended:
        raise Conflict(
            _("%(title)s: planned on a day its venue holds no events (%(day)s).")
            % {"title": title, "day": f"{start:%Y-%m-%d}"}
        )
    changes: dict[str, Any] = {"status": EventStatus.HELD}
    if head_count is not None:
        changes["head_count"] = head_count
    return event_update(event=event, actor=actor, **changes)


def _held_history(
    *, library: Library, title: str, kind: str, day: dt.date, actor: Actor, **fields: Any
) -> Event:
    """An event of the years before, recorded as held (history is written, not planned)."""
    hour = 14 if kind == EventKind.FILM else 9
    return event_create(
        library=library,
        title=title,
        kind=kind,
        starts_at=_at(day, hour),
        ends_at=_at(day, hour + 2),
        status=EventStatus.HELD,
        actor=actor,
        **fields,
    )


FILMS_BEFORE_2020 = 395  # screenings 1..395 of 丽图周末电影 (since 2016), then 24 in 2020
FILMS_2020 = 24
FILM_TITLES = [
    "寻梦环游记",
    "疯狂动物城",
    "千与千寻",
    "龙猫",
    "哪吒之魔童降世",
    "放牛班的春天",
    "小王子",
    "冰雪奇缘",
    "狮子王",
    "我和我的祖国",
    "流浪地球",
    "大鱼海棠",
    "飞屋环游记",
    "机器人总动员",
    "海洋奇缘",
    "熊出没·原始时代",
    "穿条纹睡衣的男孩",
    "夺冠",
    "我和我的家乡",
    "姜子牙",
    "音乐之声",
    "地球上的星星",
    "奇迹男孩",
    "忠犬八公的故事",
]


def _weekend_days_before(last: dt.date, count: int) -> list[dt.date]:
    """The last `count` Saturdays and Sundays on or before `last`, oldest first."""
    days: list[dt.date] = []
    day = last
    while len(days) < count:
        if day.weekday() >= 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    return days[::-1]


def film_screenings_2020() -> list[dt.date]:
    """丽图周末电影 came back on 2020-10-31: every Saturday and Sunday to the end of the year
    and the Fridays of 11-06 to 12-11: 24 screenings."""
    days = []
    day = dt.date(2020, 10, 31)
    while day <= dt.date(2020, 12, 31):
        if day.weekday() >= 5 or (day.weekday() == 4 and day <= dt.date(2020, 12, 11)):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def programmes_make(
    *, library: Library, main: ServicePoint, actor: Actor, rng: random.Random
) -> SeriesSet:
    """The 2020 programme of the city library (and the film series since 2016): 15 online and
    5 offline exhibitions, 10 online activities, 13 offline activities (2 lectures, 36 and 37,
    about 250 people; 5 open classes, 10 to 14, 500; 5 story sessions, 46 to 50, 49 on
    12-05; the borrowing-star ceremony of 01-10), 24 film screenings (395 before 2020, 12,000
    viewers and more in all), a reading salon cancelled in the closure, and the year's 28
    awards to readers."""
    lectures = series_create(
        library=library,
        code="tianyu",
        name="天雨流芳文化讲坛",
        kind=EventKind.LECTURE,
        number_format="第{n}讲",
        first_number=36,
        actor=actor,
    )
    classes = series_create(
        library=library,
        code="open-class",
        name="丽图公开课",
        kind=EventKind.CLASS,
        number_format="第{n}讲",
        first_number=10,
        actor=actor,
    )
    stories = series_create(
        library=library,
        code="story",
        name="丽图周末故事会",
        kind=EventKind.STORY,
        first_number=46,
        actor=actor,
    )
    films = series_create(
        library=library,
        code="film",
        name="丽图周末电影",
        kind=EventKind.FILM,
        first_number=1,
        actor=actor,
    )
    # The film series since 2016, two screenings most weekends, held before the closure.
    for n, day in enumerate(
        _weekend_days_before(dt.date(2019, 12, 29), FILMS_BEFORE_2020), start=1
    ):
        _held_history(
            library=library,
            title=FILM_TITLES[n % len(FILM_TITLES)],
            kind=EventKind.FILM,
            day=day,
            actor=actor,
            series=films,
            service_point=main,
            head_count=rng.randint(18, 44),
        )
    # An exhibition opened in 2019 and running into 2020 belongs to 2019.
    _held_history(
        library=library,
        title="迎新年书法展",
        kind=EventKind.EXHIBITION,
        day=dt.date(2019, 12, 20),
        actor=actor,
        service_point=main,
    )

    online_exhibitions = [
        (dt.date(2020, 2, 3), "传统节日·元宵"),
        (dt.date(2020, 3, 8), "巾帼风采·妇女节"),
        (dt.date(2020, 3, 20), "抗疫·众志成城"),
        (dt.date(2020, 4, 23), "世界读书日·数字展览矩阵"),
        (dt.date(2020, 5, 12), "自然科学·防灾减灾"),
        (dt.date(2020, 6, 25), "传统文化·端午"),
        (dt.date(2020, 7, 7), "纪念全民族抗战"),
        (dt.date(2020, 8, 15), "法律普及·民法典"),
        (dt.date(2020, 9, 3), "纪念抗战胜利 75 周年"),
        (dt.date(2020, 10, 1), "人文景观·丽江古城"),
        (dt.date(2020, 11, 5), "脱贫攻坚·云岭答卷"),
        (dt.date(2020, 11, 12), "自然科学·滇西北植物"),
        (dt.date(2020, 11, 19), "传统文化·纳西东巴文"),
        (dt.date(2020, 11, 26), "抗疫·最美逆行者"),
        (dt.date(2020, 11, 28), "百名摄影师聚焦 脱贫攻坚（线上）"),
    ]
    for day, title in online_exhibitions:
        _planned_then_held(
            library=library,
            title=f"线上展览：{title}",
            kind=EventKind.EXHIBITION,
            start=_at(day),
            end=_at(day + dt.timedelta(days=30), 17),
            actor=actor,
            online=True,
            online_views=rng.randint(300, 2500),
        )
    # Offline exhibitions: three for the Spring Festival (opened before the closure), two
    # photo exhibitions after the further reopening.
    for title, start, end in (
        ("岁吉年祥——中国传统剪纸文化展", dt.date(2020, 1, 15), dt.date(2020, 2, 28)),
        ("贴出年的吉祥——中华传统春联珍品展", dt.date(2020, 1, 15), dt.date(2020, 2, 28)),
        (
            "浓郁民族风 最美中国年——五十六民族春节民俗展",
            dt.date(2020, 1, 18),
            dt.date(2020, 2, 28),
        ),
        ("百名摄影师聚焦 COVID-19", dt.date(2020, 9, 12), dt.date(2020, 11, 12)),
        ("百名摄影师聚焦 脱贫攻坚图片巡展", dt.date(2020, 11, 28), dt.date(2020, 12, 28)),
    ):
        _planned_then_held(
            library=library,
            title=title,
            kind=EventKind.EXHIBITION,
            start=_at(start),
            end=_at(end, 17),
            actor=actor,
            service_point=main,
        )
    online_activities = [
        (dt.date(2020, 1, 20), "新春线上阅读推广"),
        (dt.date(2020, 2, 20), "防疫专题·宅家听书"),
        (dt.date(2020, 3, 20), "答题战疫"),
        (dt.date(2020, 4, 10), "“声采飞扬”青少年英语口语风采展示"),
        (dt.date(2020, 5, 20), "“我听·我读”少儿读者主题朗诵作品征集"),
        (dt.date(2020, 6, 20), "全国公共机构节能宣传周"),
        (dt.date(2020, 7, 20), "中小学生必读书目及暑假阅读指导"),
        (dt.date(2020, 8, 20), "建军节·红色经典共读"),
        (dt.date(2020, 9, 20), "“阅读金秋·收获未来，争做游读达人”"),
        (dt.date(2020, 10, 20), "国庆·中秋双节阅读推广"),
    ]
    for day, title in online_activities:
        _planned_then_held(
            library=library,
            title=title,
            kind=EventKind.CAMPAIGN,
            start=_at(day),
            end=_at(day, 17),
            actor=actor,
            online=True,
            online_participants=rng.randint(80, 600),
        )
    _planned_then_held(
        library=library,
        title="2019 年度读者借阅排行榜暨借阅之星评选",
        kind=EventKind.CEREMONY,
        start=_at(dt.date(2020, 1, 10), 15),
        end=_at(dt.date(2020, 1, 10), 17),
        actor=actor,
        service_point=main,
        head_count=60,
    )
    for day, title, speaker, people in (
        (dt.date(2020, 9, 24), "丽江玉龙大具为都墓地考古发掘工作收获", "闵锐", 110),
        (dt.date(2020, 11, 28), "带一本书去旅游", "王子舟", 140),
    ):
        _planned_then_held(
            library=library,
            title=title,
            kind=EventKind.LECTURE,
            start=_at(day, 9),
            end=_at(day, 12),
            actor=actor,
            series=lectures,
            service_point=main,
            speaker=speaker,
            head_count=people,
        )
    class_topics = ["认识滇金丝猴", "玉龙雪山的冰川", "丽江的候鸟", "高原湖泊泸沽湖", "纳西药草"]
    for i, topic in enumerate(class_topics):
        day = dt.date(2020, 11, 8) + dt.timedelta(days=7 * i)
        _planned_then_held(
            library=library,
            title=topic,
            kind=EventKind.CLASS,
            start=_at(day, 14, 30),
            end=_at(day, 16, 30),
            actor=actor,
            series=classes,
            service_point=main,
            head_count=100,
        )
    for day in (
        dt.date(2020, 1, 4),
        dt.date(2020, 11, 14),
        dt.date(2020, 11, 28),
        dt.date(2020, 12, 5),
        dt.date(2020, 12, 19),
    ):
        _planned_then_held(
            library=library,
            title="丽图周末故事会",
            kind=EventKind.STORY,
            start=_at(day, 10),
            end=_at(day, 11, 30),
            actor=actor,
            series=stories,
            service_point=main,
            audience="children",
            head_count=30,
        )
    for n, day in enumerate(film_screenings_2020()):
        _planned_then_held(
            library=library,
            title=FILM_TITLES[n % len(FILM_TITLES)],
            kind=EventKind.FILM,
            start=_at(day, 14, 30),
            end=_at(day, 16, 30),
            actor=actor,
            series=films,
            service_point=main,
            head_count=rng.randint(18, 44),
        )
    # Planned for the closure and cancelled: never counted.
    event_create(
        library=library,
        title="读书沙龙",
        kind=EventKind.CAMPAIGN,
        starts_at=_at(dt.date(2020, 2, 8)),
        ends_at=_at(dt.date(2020, 2, 8), 11),
        status=EventStatus.CANCELLED,
        actor=actor,
    )
    awards_make(library=library, actor=actor, rng=rng)
    return SeriesSet(lectures=lectures, classes=classes, stories=stories, films=films)


AWARDS_2020 = [
    # kind, awarding body, contest, date, how many
    (
        "borrowing_expert",
        "云南省图书馆",
        "阅读金秋·收获未来，争做游读达人",
        dt.date(2020, 10, 20),
        10,
    ),
    ("diligent_star", "中国图书馆学会", "“声采飞扬”青少年英语口语风采展示", dt.date(2020, 8, 1), 2),
    (
        "popular_young_reader",
        "中国图书馆学会",
        "我听·我读——第四届少儿读者主题朗诵",
        dt.date(2020, 10, 30),
        6,
    ),
    ("prize", "丽江市图书馆", "世界读书日·数字展览矩阵阅读推广", dt.date(2020, 4, 30), 10),
]
GIVEN_NAMES = ["子涵", "雨桐", "思源", "一心", "浩然", "梓萱", "俊杰", "欣怡", "宇航", "诗雨"]
SURNAMES = ["和", "杨", "李", "王", "张", "木", "赵", "单"]


def awards_make(*, library: Library, actor: Actor, rng: random.Random) -> None:
    """The 2020 awards to readers (10 of the province's 23 借阅达人, 2 勤学之星, 6 网络人气小读者,
    10 exhibition-quiz prizes), through the award ledger; names are masked by the ledger."""
    for kind, body, contest, day, n in AWARDS_2020:
        for _i in range(n):
            ledger_entry_create(
                ledger="award",
                library=library,
                actor=actor,
                values={
                    "kind": kind,
                    "awarded_on": day,
                    "recipient_name": rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES),
                    "awarding_body": body,
                    "contest": contest,
                    "prize": "图书一本" if kind == "prize" else "荣誉证书",
                },
            )


# ------------------------------------------------------------------------------- ledgers

STAFF_NAMES = [
    "张博涵",
    "王松涛",
    "李宗达",
    "王锋",
    "何海燕",
    "李志强",
    "杨丽君",
    "张玲芳",
    "和丽琼",
    "木春燕",
    "杨晓东",
    "赵文华",
    "习建国",
    "段秀英",
]
OUTLETS = {
    "city": ["丽江热线", "丽江广播电视台", "文旅丽江", "丽江网", "生态丽江"],
    "province": ["春城晚报开屏新闻", "云报客户端", "云南卫视云视新闻", "文旅头条"],
    "national": ["中国日报", "中国文明网", "凤凰新闻", "搜狐新闻", "一点资讯"],
}


def _split(total: int, parts: int, rng: random.Random, spread: float = 0.25) -> list[int]:
    """`total` in `parts` random shares that sum exactly."""
    weights = [1 + rng.uniform(-spread, spread) for _n in range(parts)]
    whole = sum(weights)
    shares = [int(total * w / whole) for w in weights]
    for n in range(total - sum(shares)):
        shares[n % parts] += 1
    return shares


def ledgers_make(*, library: Library, actor: Actor, rng: random.Random) -> None:
    """The 2020 ledgers (and the 2019 rows the year-on-year needs): 85 media reports (city 35,
    province 39, national 11), two kindergarten visits (34 and 30 people), one venue use
    (2020-11-16), the website's 59 articles, 2,032,164 page views and 47,770 visits, 15
    authorised posts with 14 filled, four funded projects of 1.52 million yuan, two
    trainings, and the WeChat account's figures (`wechat_make`)."""

    def add(ledger: str, **values: object) -> None:
        ledger_entry_create(ledger=ledger, library=library, values=values, actor=actor)

    for level, n in (("city", 35), ("province", 39), ("national", 11)):
        for i in range(n):
            day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(366))
            add(
                "media_report",
                outlet=rng.choice(OUTLETS[level]),
                level=level,
                published_on=day,
                title=f"丽江市图书馆 {day:%m 月 %d 日}报道 {i + 1}",
            )
    # 2019 (for the year on year): 48 reports, the last on 2019-12-30
    for level, n in (("city", 30), ("province", 14), ("national", 3)):
        for i in range(n):
            day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(360))
            add(
                "media_report",
                outlet=rng.choice(OUTLETS[level]),
                level=level,
                published_on=day,
                title=f"丽江市图书馆 {day:%m 月 %d 日}报道 {i + 1}",
            )
    add(
        "media_report",
        outlet="丽江网",
        level="city",
        published_on=dt.date(2019, 12, 30),
        title="丽江市图书馆举办迎新年书法展",
    )
    add("group_visit", visitor="贝乐迪幼儿园学前班", visited_on=dt.date(2020, 10, 13), people=34)
    add("group_visit", visitor="贝乐迪幼儿园大班", visited_on=dt.date(2020, 12, 29), people=30)
    add(
        "venue_use",
        organisation="古城区残联",
        used_on=dt.date(2020, 11, 16),
        purpose="古城区残疾人自强、诚信、感恩主题交流会",
    )
    for year, articles, views, visits in (
        (2019, 64, 2_210_530, 52_310),
        (2020, 59, 2_032_164, 47_770),
    ):
        month_articles = _split(articles, 12, rng)
        month_views = _split(views, 12, rng)
        month_visits = _split(visits, 12, rng)
        for month in range(12):
            add(
                "website_month",
                month=dt.date(year, month + 1, 1),
                articles=month_articles[month],
                page_views=month_views[month],
                visits=month_visits[month],
            )
    add("staff_establishment", effective_from=dt.date(2015, 1, 1), authorised_posts=15)
    for i, name in enumerate(STAFF_NAMES):
        add("staff_member", name=name, post="馆员", joined_on=dt.date(2006 + i % 14, 3, 1))
    add(
        "staff_member",
        name="和志明",
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
        course="书香助力战“疫”，阅读通达未来——图书馆员业务能力提升",
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
    wechat_make(library=library, actor=actor, rng=rng)


def wechat_make(*, library: Library, actor: Actor, rng: random.Random) -> None:
    """The account's monthly followers from 2018-12 (8,905) to 2020-12 (10,628: 971 more than
    at the end of 2019's fourth quarter, 9,657) and its posts: 236 in 2019, 271 in 2020 of
    which 23 over 500 reads, the top 2,522; imported as the platform's CSV exports."""
    months = [(dt.date(2018, 12, 1), 8905)]
    for year, start, end in ((2019, 8905, 9657), (2020, 9657, 10628)):
        gains = _split(end - start, 12, rng, spread=0.5)
        followers = start
        for month in range(12):
            followers += gains[month]
            months.append((dt.date(year, month + 1, 1), followers))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wechat-users.csv"
        lines = ["月份,累计关注人数,新关注人数"]
        previous = months[0][1] - 60
        for first_day, total in months:
            lines.append(f"{first_day:%Y-%m},{total},{total - previous}")
            previous = total
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        wechat_months_import(path=path, library=library, account=WECHAT_ACCOUNT, actor=actor)
        posts = Path(folder) / "wechat-posts.csv"
        rows = []
        reads_2019 = [rng.randint(60, 480) for _n in range(236)]
        # 2020: the top post, 22 more over 500, one at exactly 500 (not over), the rest fewer
        reads_2020 = [2522] + [rng.randint(501, 2400) for _n in range(22)] + [500]
        reads_2020 += [rng.randint(40, 499) for _n in range(271 - len(reads_2020))]
        rng.shuffle(reads_2020)
        for year, reads in ((2019, reads_2019), (2020, reads_2020)):
            days = sorted(
                dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365)) for _r in reads
            )
            rows += [
                f"{day.isoformat()},推文 {year}-{n + 1},{r}"
                for n, (day, r) in enumerate(zip(days, reads, strict=True))
            ]
        posts.write_text("发布时间,标题,阅读次数\n" + "\n".join(rows) + "\n", encoding="gb18030")
        wechat_posts_import(path=posts, library=library, account=WECHAT_ACCOUNT, actor=actor)


def ebooks_make(*, library: Library, actor: Actor) -> None:
    """E-books owned (自购电子书, 11 万余 at the end of 2020), from the platforms' statements."""
    for as_of, platform, titles in (
        (dt.date(2019, 1, 1), "超星电子书", 78_000),
        (dt.date(2019, 12, 31), "超星电子书", 80_000),
        (dt.date(2020, 3, 1), "中文在线", 26_000),
        (dt.date(2020, 12, 31), "超星电子书", 86_460),
    ):
        ebook_holding_set(
            library=library, as_of=as_of, titles=titles, platform=platform, actor=actor
        )


# ------------------------------------------------------------------------------- acquisitions

BUDGETS = {
    # the book budget ("由往年的 35 万元提高到 45 万元"), by line
    2019: [
        ("periodicals", "报刊", "70000"),
        ("local", "地方文献", "150000"),
        ("suggestions", "读者荐购", "100000"),
        ("purchase", "零散采购", "30000"),
    ],
    2020: [
        ("periodicals", "报刊", "70000"),
        ("local", "地方文献", "150000"),
        ("suggestions", "读者荐购", "200000"),
        ("purchase", "零散采购", "30000"),
    ],
}


def budget_make(*, library: Library, year: int, actor: Actor) -> dict[str, BudgetLine]:
    """The acquisitions fund of `year` with its budget lines (350,000 yuan in 2019, 450,000
    in 2020). Returns the lines by code."""
    fund: Fund = fund_create(library=library, year=year, name="购书经费", actor=actor)
    return {
        code: budget_line_create(
            fund=fund, code=code, name=name, amount=Decimal(amount), actor=actor
        )
        for code, name, amount in BUDGETS[year]
    }


def order_lines_receive(
    *,
    order: Order,
    record: Record,
    source: str,
    copies: int,
    budget_line: BudgetLine,
    collection: Collection,
    actor: Actor,
    received_on: dt.date,
    unit_price: Decimal = Decimal("30.00"),
    per_line: int = 50,
) -> list[Item]:
    """Orders `copies` of `record` in lines of at most `per_line` copies, and receives each
    line whole on `received_on`. Returns the items received (in processing)."""
    items: list[Item] = []
    while copies > 0:
        n = min(per_line, copies)
        line = order_line_add(
            order=order,
            record=record,
            copies=n,
            unit_price=unit_price,
            budget_line=budget_line,
            collection=collection,
            acquisition_source=source,
            actor=actor,
        )
        receipt = order_line_receive(line=line, copies=n, actor=actor, received_on=received_on)
        items += list(receipt.items.all())
        copies -= n
    return items


PERIODICAL_TITLES = [
    "读者",
    "青年文摘",
    "意林",
    "三联生活周刊",
    "中国国家地理",
    "环球科学",
    "收获",
    "人民文学",
    "故事会",
    "小说月报",
    "求是",
    "半月谈",
    "新华文摘",
    "中国图书馆学报",
    "云南画报",
    "边疆文学",
    "玉龙山",
    "少年文艺",
    "儿童文学",
    "东方娃娃",
]
NEWSPAPER_TITLES = [
    "人民日报",
    "光明日报",
    "云南日报",
    "丽江日报",
    "春城晚报",
    "参考消息",
    "中国文化报",
    "中国青年报",
    "经济日报",
    "新华每日电讯",
]


def subscriptions_make(
    *,
    year: int,
    vendor: Vendor,
    budget_line: BudgetLine,
    service_point: ServicePoint,
    actor: Actor,
    periodicals: int = 206,
    newspapers: int = 30,
    unit_price: Decimal = Decimal("100.00"),
) -> list[Subscription]:
    """The year's serial subscriptions (206 periodical and 30 newspaper titles in 2020),
    each committing its price to `budget_line`."""
    subscriptions = []
    for n in range(periodicals + newspapers):
        periodical = n < periodicals
        names = PERIODICAL_TITLES if periodical else NEWSPAPER_TITLES
        k = n if periodical else n - periodicals
        title = names[k] if k < len(names) else f"{'期刊' if periodical else '报纸'} {k + 1:03d}"
        subscriptions.append(
            subscription_create(
                year=year,
                title=title,
                kind="periodical" if periodical else "newspaper",
                frequency="monthly" if periodical else "daily",
                vendor=vendor,
                budget_line=budget_line,
                unit_price=unit_price,
                service_point=service_point,
                cn_number=f"CN 53-{n:04d}",
                actor=actor,
            )
        )
    return subscriptions


# The city library reopened its doors (closed-stack lending) on this day: the post of the
# closure was checked in then.
REOPENED = dt.date(2020, 4, 7)
CLOSURE = (dt.date(2020, 1, 24), dt.date(2020, 4, 6))


def serial_issues_sample(
    *, subscriptions: list[Subscription], actor: Actor, rng: random.Random
) -> dict[str, int]:
    """A sample of the serials desk's year for a few titles: the issues predicted, checked in
    a few days after they were due (those due during the closure on the day the library
    reopened), about one in twenty never arriving and claimed from the vendor in December.
    No copies become items: the holdings figures are the books'. Returns the counts."""
    counts = {"checked_in": 0, "claimed": 0}
    for subscription in subscriptions:
        for issue in subscription_predict_issues(subscription=subscription, actor=actor):
            if issue.expected_on is None or issue.expected_on > dt.date(2020, 12, 20):
                continue
            if rng.random() < 0.05:
                issue_claim(issue=issue, actor=actor, on=dt.date(2020, 12, 21), note="demo")
                counts["claimed"] += 1
                continue
            received = issue.expected_on + dt.timedelta(days=rng.randint(0, 5))
            if CLOSURE[0] <= received <= CLOSURE[1]:
                received = REOPENED
            issue_check_in(issue=issue, actor=actor, received_on=received)
            counts["checked_in"] += 1
    return counts


SUGGESTED_TITLES = [
    # title, author, juvenile
    ("人世间", "梁晓声", False),
    ("云边有个小卖部", "张嘉佳", False),
    ("额尔古纳河右岸", "迟子建", False),
    ("长安的荔枝", "马伯庸", False),
    ("俗世奇人", "冯骥才", False),
    ("文城", "余华", False),
    ("南方有嘉木", "王旭烽", False),
    ("白鹿原", "陈忠实", False),
    ("丽江地方史话", "和志武", False),
    ("纳西族东巴文化概论", "郭大烈", False),
    ("乡土中国", "费孝通", False),
    ("万物有灵", "李元胜", False),
    ("青铜葵花", "曹文轩", True),
    ("会讲故事的地球", "佚名", True),
    ("米小圈上学记", "北猫", True),
    ("小猪唏哩呼噜", "孙幼军", True),
    ("没头脑和不高兴", "任溶溶", True),
    ("神奇校车", "乔安娜·柯尔", True),
]


@dataclass
class AcquisitionsSample:
    """Items added in 2020 through the workflows, by source, and of them the juvenile ones."""

    by_source: dict[str, int]
    juvenile: int
    items: list[int]  # their ids


def acquisitions_make(
    *,
    library: Library,
    main: ServicePoint,
    collections: dict[str, Collection],
    readers: list[Reader],
    actor: Actor,
    rng: random.Random,
    caps: dict[str, int] | None = None,
) -> AcquisitionsSample:
    """The book budgets of 2019 and 2020, the vendor, the 2020 serial subscriptions, and a
    sample of 2020's additions through the workflows: reader suggestions submitted from May
    (after the closure), approved onto an order and received; an ordinary purchase; local
    documents; and a World Book Day donation. `collections` by code (ADULT, JUV, LOCAL);
    `readers` hold cards valid in 2020. The received items are catalogued (made available).
    `caps` limits the copies added per source (small demo scales have small targets)."""
    left = dict(caps) if caps is not None else {s: 10**9 for s in AcquisitionSource.values}

    def take(source: str, copies: int) -> int:
        n = min(copies, left.get(source, 0))
        left[source] = left.get(source, 0) - n
        return n

    lines_2019 = budget_make(library=library, year=2019, actor=actor)
    lines = budget_make(library=library, year=2020, actor=actor)
    vendor = vendor_create(code="XH", name="丽江新华书店", kind="bookshop", actor=actor)
    # 2019's round had a few titles fewer than 2020's
    subscriptions_make(
        year=2019,
        vendor=vendor,
        budget_line=lines_2019["periodicals"],
        service_point=main,
        actor=actor,
        periodicals=198,
        newspapers=30,
    )
    subscriptions = subscriptions_make(
        year=2020, vendor=vendor, budget_line=lines["periodicals"], service_point=main, actor=actor
    )
    serial_issues_sample(subscriptions=subscriptions[:12], actor=actor, rng=rng)
    suggestion_rule_set(
        library=library,
        actor=actor,
        price_cap=Decimal("150"),
        excluded_classes="G6",
        yearly_quota=3,
        copies_per_title=2,
        budget_line=lines["suggestions"],
    )
    adult, juvenile, local = collections["ADULT"], collections["JUV"], collections["LOCAL"]
    order = order_create(
        library=library,
        vendor=vendor,
        number="2020-001",
        service_point=main,
        collection=adult,
        budget_line=lines["purchase"],
        actor=actor,
        ordered_on=dt.date(2020, 5, 11),
    )
    counts: dict[str, int] = {}
    received: list[Item] = []
    young = 0
    readers = list(readers)
    rng.shuffle(readers)
    for n, (title, author, is_juvenile) in enumerate(SUGGESTED_TITLES):
        copies = take(AcquisitionSource.READER_SUGGESTION, 2)
        if copies == 0:
            break
        day = dt.date(2020, 5, 4) + dt.timedelta(days=rng.randrange(60))
        try:
            suggestion = suggestion_submit(
                reader=readers[n],
                library=library,
                channel="account",
                actor=actor,
                title=title,
                authors=author,
                publisher="人民文学出版社" if not is_juvenile else "少年儿童出版社",
                year=2020,
                price=Decimal(rng.randrange(25, 60)),
                at=_at(day, 20),
            )
        except AlreadyHeld:
            # the reader is told to place a hold instead: nothing is bought
            left[AcquisitionSource.READER_SUGGESTION] += copies
            continue
        line = suggestion_approve(
            suggestion=suggestion,
            order=order,
            actor=actor,
            copies=copies,
            collection=juvenile if is_juvenile else adult,
        )
        receipt = order_line_receive(
            line=line,
            copies=line.copies,
            actor=actor,
            received_on=day + dt.timedelta(days=rng.randrange(10, 30)),
        )
        items = list(receipt.items.all())
        received += items
        counts[AcquisitionSource.READER_SUGGESTION] = counts.get(
            AcquisitionSource.READER_SUGGESTION, 0
        ) + len(items)
        young += len(items) if is_juvenile else 0
    for source, title, copies, line_code, collection, day in (
        (
            AcquisitionSource.PURCHASE,
            "云南省志·图书馆志",
            6,
            "purchase",
            adult,
            dt.date(2020, 8, 3),
        ),
        (
            AcquisitionSource.LOCAL_DOCUMENTS,
            "丽江年鉴 2020",
            4,
            "local",
            local,
            dt.date(2020, 11, 9),
        ),
    ):
        copies = take(source, copies)
        if copies == 0:
            continue
        record = order_record_find_or_create(title=title, actor=actor)
        items = order_lines_receive(
            order=order,
            record=record,
            source=source,
            copies=copies,
            budget_line=lines[line_code],
            collection=collection,
            actor=actor,
            received_on=day,
            unit_price=Decimal("88.00"),
        )
        received += items
        counts[source] = counts.get(source, 0) + len(items)
    gifts = [
        DonatedItemIn(
            title=title, copies=take(AcquisitionSource.DONATION, copies), condition="good"
        )
        for title, copies in (("欧·亨利短篇小说经典", 8), ("十万个为什么（少儿版）", 6))
    ]
    gifts = [gift for gift in gifts if gift.copies > 0]
    if gifts:
        donor = donor_create(kind="person", anonymous=True, actor=actor)
        donation = donation_record(
            donor=donor,
            library=library,
            received_on=dt.date(2020, 4, 23),
            items=gifts,
            actor=actor,
        )
        donated_items = list(donation.items.order_by("pk"))
    else:
        donated_items = []
    for donated in donated_items:
        is_juvenile = "少儿" in donated.title
        decided = donated_item_decide(
            donated_item=donated,
            decision="added",
            service_point=main,
            collection=juvenile if is_juvenile else adult,
            actor=actor,
        )
        items = list(decided.items.all())
        received += items
        counts[AcquisitionSource.DONATION] = counts.get(AcquisitionSource.DONATION, 0) + len(items)
        young += len(items) if is_juvenile else 0
    for item in received:
        item_set_status(item=item, to=ItemStatus.AVAILABLE, trigger="catalogued", actor=actor)
    return AcquisitionsSample(by_source=counts, juvenile=young, items=[i.pk for i in received])


def ranking_consents_make(
    *, years: tuple[int, ...], actor: Actor, rng: random.Random, top: int = 30
) -> int:
    """Before each year's 借阅之星 selection the library asks the year's `top` borrowers
    whether they may be named in the ranking; about seven in ten agree (`consent_set`). Run
    after the lending. Returns the consents granted."""
    from django.db.models import Count

    from shufang.circulation.models import Loan
    from shufang.readers.models import ConsentKind
    from shufang.readers.services import consent_set

    tz = timezone.get_current_timezone()
    asked: set[int] = set()
    granted = 0
    for year in years:
        ranked = (
            Loan.objects.filter(
                checked_out_at__gte=dt.datetime(year, 1, 1, tzinfo=tz),
                checked_out_at__lt=dt.datetime(year + 1, 1, 1, tzinfo=tz),
                reader__category__kind="person",
            )
            .values("reader_id")
            .annotate(n=Count("id"))
            .order_by("-n", "reader_id")
            .values_list("reader_id", flat=True)[:top]
        )
        for reader in Reader.objects.filter(pk__in=list(ranked)).order_by("pk"):
            if reader.pk in asked:
                continue
            asked.add(reader.pk)
            if rng.random() < 0.7:
                consent_set(
                    reader=reader, kind=ConsentKind.NAMED_IN_RANKINGS, granted=True, actor=actor
                )
                granted += 1
    return granted


def reference_year_make(
    *,
    library: Library,
    main: ServicePoint,
    collections: dict[str, Collection],
    readers: list[Reader],
    actor: Actor,
    rng: random.Random,
    caps: dict[str, int] | None = None,
) -> AcquisitionsSample:
    """Everything of this module for the demo's city library (the outreach service points are
    made with the network)."""
    programmes_make(library=library, main=main, actor=actor, rng=rng)
    ledgers_make(library=library, actor=actor, rng=rng)
    ebooks_make(library=library, actor=actor)
    return acquisitions_make(
        library=library,
        main=main,
        collections=collections,
        readers=readers,
        actor=actor,
        rng=rng,
        caps=caps,
    )
