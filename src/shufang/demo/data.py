"""The Lijiang network as data: libraries, service points, hosts, hours and holidays.

Facts come from the library's 2020 annual report (14 mobile library rooms, 32 public reading
points of which 2 opened in 2020, 10 e-book machines in government offices, the 武警云南总队
新兵集训 deposit of September to December 2020, 60 opening hours a week every day of the year,
the closure from 2020-01-24 and the reopening on 2020-07-20). Host organisations are realistic
but made up for the demo. Service populations are rounded from the 2020 census.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

SYSTEM_CODE = "CN-530700-LJ"
SYSTEM_NAME = "丽江市公共图书馆总分馆体系"
SYSTEM_NAME_EN = "Lijiang Public Library System"

CITY_LIBRARY_CODE = "CN-530700-PL-001"
YULONG_LIBRARY_CODE = "CN-530721-PL-001"
MAIN_SERVICE_POINT_CODE = "CN-530700-MAIN"


@dataclass(frozen=True)
class LibrarySpec:
    code: str
    name: str
    name_en: str
    kind: str  # network.models.LibraryKind value
    admin_area_code: str
    service_population: int
    address: str
    short: str  # prefix of its service point codes and barcodes
    contact_phone: str = ""
    contact_email: str = ""


LIBRARIES: list[LibrarySpec] = [
    LibrarySpec(
        CITY_LIBRARY_CODE,
        "丽江市图书馆",
        "Lijiang City Library",
        "city",
        "530700",
        1_254_000,
        "云南省丽江市古城区",
        "LJ",
        "0888-5170611",
        "ljstsg@163.com",
    ),
    LibrarySpec(
        "CN-530702-PL-001",
        "古城区图书馆",
        "Gucheng District Library",
        "district",
        "530702",
        217_000,
        "云南省丽江市古城区",
        "GC",
    ),
    LibrarySpec(
        YULONG_LIBRARY_CODE,
        "玉龙纳西族自治县图书馆",
        "Yulong Naxi Autonomous County Library",
        "county",
        "530721",
        215_000,
        "云南省丽江市玉龙纳西族自治县黄山镇",
        "YL",
    ),
    LibrarySpec(
        "CN-530722-PL-001",
        "永胜县图书馆",
        "Yongsheng County Library",
        "county",
        "530722",
        374_000,
        "云南省丽江市永胜县永北镇",
        "YS",
    ),
    LibrarySpec(
        "CN-530723-PL-001",
        "华坪县图书馆",
        "Huaping County Library",
        "county",
        "530723",
        169_000,
        "云南省丽江市华坪县中心镇",
        "HP",
    ),
    LibrarySpec(
        "CN-530724-PL-001",
        "宁蒗彝族自治县图书馆",
        "Ninglang Yi Autonomous County Library",
        "county",
        "530724",
        275_000,
        "云南省丽江市宁蒗彝族自治县大兴镇",
        "NL",
    ),
]

# Weekly hours as (weekday 0=Monday, opens, closes) periods.
Periods = list[tuple[int, dt.time, dt.time]]


def _t(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def _every(days: range | list[int], *spans: tuple[str, str]) -> Periods:
    return [(day, _t(a), _t(b)) for day in days for a, b in spans]


# 60 hours a week, every day: 9:00-17:30 on weekdays (8.5 h x 5 = 42.5 h) and 8:45-17:30 at
# weekends (8.75 h x 2 = 17.5 h).
MAIN_HOURS: Periods = _every(range(5), ("09:00", "17:30")) + _every([5, 6], ("08:45", "17:30"))
COUNTY_HOURS: Periods = _every(range(1, 7), ("09:00", "12:00"), ("14:30", "17:30"))
SCHOOL_HOURS: Periods = _every(range(5), ("08:30", "11:30"), ("14:30", "17:00"))
OFFICE_HOURS: Periods = _every(range(5), ("08:30", "12:00"), ("14:30", "18:00"))
COMMUNITY_HOURS: Periods = _every(range(7), ("09:00", "12:00"), ("14:00", "18:00"))
VILLAGE_HOURS: Periods = _every([0, 2, 4, 5], ("14:00", "18:00"))
CAMP_HOURS: Periods = _every(range(7), ("19:00", "21:00"))
ALL_DAY: Periods = [(day, dt.time(0, 0), dt.time(23, 59, 59)) for day in range(7)]


@dataclass(frozen=True)
class ServicePointSpec:
    library_code: str
    code: str
    name: str
    name_en: str
    kind: str  # network.models.ServicePointKind value
    host_organisation: str = ""
    address: str = ""
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    hours: Periods = field(default_factory=list)
    # Share of the library's items shelved here (the main building and county libraries hold
    # the bulk; rooms and points a few hundred each).
    weight: float = 0.0


def _county_points() -> list[ServicePointSpec]:
    return [
        ServicePointSpec(
            lib.code,
            f"CN-{lib.admin_area_code}-MAIN",
            lib.name,
            lib.name_en,
            "county_library",
            address=lib.address,
            hours=COUNTY_HOURS,
            weight=1.0,
        )
        for lib in LIBRARIES[1:]
    ]


# (host, English host, kind of host): kind picks the hours.
MOBILE_ROOM_HOSTS: list[tuple[str, str, str]] = [
    ("古城区金山白族乡中心小学", "Jinshan Bai Township Central Primary School", "school"),
    ("古城区七河镇中心小学", "Qihe Town Central Primary School", "school"),
    ("古城区大东乡中心学校", "Dadong Township Central School", "school"),
    ("古城区金江白族乡中心学校", "Jinjiang Bai Township Central School", "school"),
    ("玉龙县拉市镇海东村委会", "Haidong Village Committee, Lashi", "village"),
    ("玉龙县白沙镇玉湖村委会", "Yuhu Village Committee, Baisha", "village"),
    ("玉龙县太安乡汝寒坪村委会", "Ruhanping Village Committee, Tai'an", "village"),
    ("古城区七河镇共和村委会", "Gonghe Village Committee, Qihe", "village"),
    ("宁蒗县宝山乡宝山村委会", "Baoshan Village Committee, Baoshan", "village"),
    ("武警丽江支队", "PAP Lijiang Detachment", "army"),
    ("丽江军分区某部", "Lijiang Military Sub-district unit", "army"),
    ("丽江市消防救援支队", "Lijiang Fire and Rescue Detachment", "army"),
    ("丽江市社会福利院", "Lijiang Social Welfare Home", "community"),
    ("古城区老年大学", "Gucheng University for the Elderly", "community"),
]

READING_POINT_HOSTS: list[tuple[str, str, str]] = [
    ("古城区七一街小学", "Qiyi Street Primary School", "school"),
    ("古城区新团小学", "Xintuan Primary School", "school"),
    ("古城区福慧学校", "Fuhui School", "school"),
    ("古城区黄山小学", "Huangshan Primary School", "school"),
    ("丽江市第一中学", "Lijiang No. 1 Middle School", "school"),
    ("丽江市第四中学", "Lijiang No. 4 Middle School", "school"),
    ("古城区第一幼儿园", "Gucheng No. 1 Kindergarten", "school"),
    ("丽江师范高等专科学校附属小学", "Lijiang Normal College Primary School", "school"),
    ("束河街道龙泉社区", "Longquan Community, Shuhe", "community"),
    ("祥和街道义和社区", "Yihe Community, Xianghe", "community"),
    ("西安街道文化社区", "Wenhua Community, Xi'an Street", "community"),
    ("大研街道七一社区", "Qiyi Community, Dayan", "community"),
    ("金山街道东元社区", "Dongyuan Community, Jinshan", "community"),
    ("祥和街道祥和社区", "Xianghe Community", "community"),
    ("开南街道忠义社区", "Zhongyi Community, Kainan", "community"),
    ("文化巷社区党群服务中心", "Wenhuaxiang Community Centre", "community"),
    ("玉龙县白沙镇新善村", "Xinshan Village, Baisha", "village"),
    ("玉龙县黄山镇五台村", "Wutai Village, Huangshan", "village"),
    ("古城区金安镇金山村", "Jinshan Village, Jin'an", "village"),
    ("古城区七河镇龙山村", "Longshan Village, Qihe", "village"),
    ("玉龙县拉市镇均良村", "Junliang Village, Lashi", "village"),
    ("古城区大具乡大具村", "Daju Village", "village"),
    ("武警丽江支队执勤一中队", "PAP Lijiang Detachment, 1st Duty Squadron", "army"),
    ("丽江市公安局特警支队", "Lijiang SWAT Detachment", "army"),
    ("丽江市人民医院", "Lijiang People's Hospital", "community"),
    ("丽江市中医医院", "Lijiang Hospital of Traditional Chinese Medicine", "community"),
    ("丽江古城游客服务中心", "Lijiang Old Town Visitor Centre", "community"),
    ("丽江三义国际机场候机楼", "Lijiang Sanyi Airport Terminal", "community"),
    ("丽江火车站候车室", "Lijiang Railway Station Waiting Hall", "community"),
    ("丽江市残疾人联合会", "Lijiang Disabled Persons' Federation", "community"),
    # The two points opened in 2020.
    ("古城区金山街道漾西社区", "Yangxi Community, Jinshan", "community"),
    ("丽江市民服务中心", "Lijiang Citizens' Service Centre", "community"),
]
NEW_READING_POINTS_2020 = 2

EBOOK_MACHINE_HOSTS: list[tuple[str, str]] = [
    ("中共丽江市委办公室", "Lijiang Municipal Party Committee Office"),
    ("丽江市人民政府办公室", "Lijiang Municipal Government Office"),
    ("丽江市文化和旅游局", "Lijiang Bureau of Culture and Tourism"),
    ("丽江市教育体育局", "Lijiang Bureau of Education and Sports"),
    ("丽江市政务服务管理局", "Lijiang Government Services Administration"),
    ("丽江市人力资源和社会保障局", "Lijiang Bureau of Human Resources and Social Security"),
    ("丽江市总工会", "Lijiang Federation of Trade Unions"),
    ("丽江市妇女联合会", "Lijiang Women's Federation"),
    ("中共丽江市委党校", "Party School of the Lijiang Municipal Committee"),
    ("古城区人民政府", "Gucheng District Government"),
]

_HOURS_BY_HOST = {
    "school": SCHOOL_HOURS,
    "village": VILLAGE_HOURS,
    "army": CAMP_HOURS,
    "community": COMMUNITY_HOURS,
}


def service_points() -> list[ServicePointSpec]:
    city = CITY_LIBRARY_CODE
    points = [
        ServicePointSpec(
            city,
            MAIN_SERVICE_POINT_CODE,
            "丽江市图书馆总馆",
            "Lijiang City Library, main building",
            "main",
            address="云南省丽江市古城区",
            hours=MAIN_HOURS,
            weight=6.0,
        ),
        *_county_points(),
    ]
    for n, (host, host_en, kind) in enumerate(MOBILE_ROOM_HOSTS, start=1):
        points.append(
            ServicePointSpec(
                city,
                f"CN-530700-MR{n:02d}",
                f"流动图书室（{host}）",
                f"Mobile library room ({host_en})",
                "mobile_room",
                host_organisation=host,
                opened_on=dt.date(2016 + n % 4, 3, 1),
                hours=_HOURS_BY_HOST[kind],
                weight=0.08,
            )
        )
    first_new = len(READING_POINT_HOSTS) - NEW_READING_POINTS_2020
    for n, (host, host_en, kind) in enumerate(READING_POINT_HOSTS, start=1):
        if n > first_new:
            opened = dt.date(2020, 4, 23) if n == first_new + 1 else dt.date(2020, 9, 28)
        else:
            opened = dt.date(2017 + n % 3, 4, 23)
        points.append(
            ServicePointSpec(
                city,
                f"CN-530700-RP{n:02d}",
                f"公共阅读点（{host}）",
                f"Public reading point ({host_en})",
                "reading_point",
                host_organisation=host,
                opened_on=opened,
                hours=_HOURS_BY_HOST[kind],
                weight=0.05,
            )
        )
    for n, (host, host_en) in enumerate(EBOOK_MACHINE_HOSTS, start=1):
        points.append(
            ServicePointSpec(
                city,
                f"CN-530700-EB{n:02d}",
                f"电子书借阅机（{host}）",
                f"E-book machine ({host_en})",
                "ebook_machine",
                host_organisation=host,
                opened_on=dt.date(2018, 6, 1),
                hours=OFFICE_HOURS,
            )
        )
    points += [
        ServicePointSpec(
            city,
            "CN-530700-SR01",
            "丽江城市书房（规划中）",
            "Lijiang City Study Room (planned)",
            "study_room",
            address="云南省丽江市古城区",
            hours=ALL_DAY,
        ),
        ServicePointSpec(
            city,
            "CN-530700-KIOSK01",
            "24小时自助图书馆",
            "24-hour self-service library",
            "kiosk",
            address="丽江市图书馆门厅外",
            opened_on=dt.date(2021, 6, 1),
            hours=ALL_DAY,
        ),
        ServicePointSpec(
            city,
            "CN-530700-DEP2020WJ",
            "武警云南总队新兵集训图书借阅点",
            "Deposit: PAP Yunnan Corps recruit training camp",
            "deposit_site",
            host_organisation="武警云南总队新兵集训队",
            opened_on=dt.date(2020, 9, 1),
            closed_on=dt.date(2020, 12, 31),
            hours=CAMP_HOURS,
        ),
    ]
    return points


# Statutory public holidays 2019-2021 (国务院办公厅 notices): (first day, last day, name).
PUBLIC_HOLIDAYS: list[tuple[dt.date, dt.date, str]] = [
    (dt.date(2019, 1, 1), dt.date(2019, 1, 1), "元旦"),
    (dt.date(2019, 2, 4), dt.date(2019, 2, 10), "春节"),
    (dt.date(2019, 4, 5), dt.date(2019, 4, 7), "清明节"),
    (dt.date(2019, 5, 1), dt.date(2019, 5, 4), "劳动节"),
    (dt.date(2019, 6, 7), dt.date(2019, 6, 9), "端午节"),
    (dt.date(2019, 9, 13), dt.date(2019, 9, 15), "中秋节"),
    (dt.date(2019, 10, 1), dt.date(2019, 10, 7), "国庆节"),
    (dt.date(2020, 1, 1), dt.date(2020, 1, 1), "元旦"),
    (dt.date(2020, 1, 24), dt.date(2020, 2, 2), "春节"),
    (dt.date(2020, 4, 4), dt.date(2020, 4, 6), "清明节"),
    (dt.date(2020, 5, 1), dt.date(2020, 5, 5), "劳动节"),
    (dt.date(2020, 6, 25), dt.date(2020, 6, 27), "端午节"),
    (dt.date(2020, 10, 1), dt.date(2020, 10, 8), "国庆节、中秋节"),
    (dt.date(2021, 1, 1), dt.date(2021, 1, 3), "元旦"),
    (dt.date(2021, 2, 11), dt.date(2021, 2, 17), "春节"),
    (dt.date(2021, 4, 3), dt.date(2021, 4, 5), "清明节"),
    (dt.date(2021, 5, 1), dt.date(2021, 5, 5), "劳动节"),
    (dt.date(2021, 6, 12), dt.date(2021, 6, 14), "端午节"),
    (dt.date(2021, 9, 19), dt.date(2021, 9, 21), "中秋节"),
    (dt.date(2021, 10, 1), dt.date(2021, 10, 7), "国庆节"),
]

# The city library closed for the epidemic and reopened, lending only, on 2020-04-07.
COVID_CLOSURE = (dt.date(2020, 1, 24), dt.date(2020, 4, 6), "新冠肺炎疫情防控闭馆")
