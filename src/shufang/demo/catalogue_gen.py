"""Made-up but realistic bibliographic records for the demo, as CNMARC (Chinese books) and
MARC 21 (English books) with local holdings fields (CNMARC 905, Koha-style MARC 21 952).

Pure: no ORM. Deterministic for a given seed. ISBNs use real publisher prefixes and correct
check digits; CLC class numbers come from the 22 main classes with common subdivisions.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from pymarc import Field, Indicators, Record, Subfield
from stdnum import ean
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn

# Collection codes (catalogue.Collection.code) created by the demo.
ADULT, JUVENILE, LOCAL, REFERENCE, PERIODICALS = "ADULT", "JUV", "LOCAL", "REF", "PER"

# (publisher, place, ISBN prefix after 978-7-)
CHINESE_PUBLISHERS: list[tuple[str, str, str]] = [
    ("云南人民出版社", "昆明", "222"),
    ("云南美术出版社", "昆明", "5489"),
    ("云南教育出版社", "昆明", "5415"),
    ("云南科技出版社", "昆明", "5416"),
    ("云南大学出版社", "昆明", "5482"),
    ("人民文学出版社", "北京", "02"),
    ("中华书局", "北京", "101"),
    ("商务印书馆", "北京", "100"),
    ("人民出版社", "北京", "01"),
    ("民族出版社", "北京", "105"),
    ("科学出版社", "北京", "03"),
    ("接力出版社", "南宁", "5448"),
    ("二十一世纪出版社", "南昌", "5391"),
    ("少年儿童出版社", "上海", "5324"),
    ("译林出版社", "南京", "5447"),
    ("上海译文出版社", "上海", "5327"),
    ("南海出版公司", "海口", "5442"),
]
# English-language books: Chinese English-teaching presses and foreign publishers.
ENGLISH_PUBLISHERS: list[tuple[str, str, str]] = [
    ("Foreign Language Teaching and Research Press", "Beijing", "7-5135"),
    ("Shanghai Foreign Language Education Press", "Shanghai", "7-5446"),
    ("Penguin Books", "London", "0-14"),
    ("Oxford University Press", "Oxford", "0-19"),
    ("HarperCollins", "New York", "0-06"),
    ("Scholastic", "New York", "0-545"),
]

SURNAMES = list("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐和木赵习段")
GIVEN = [
    "志强",
    "丽华",
    "建国",
    "海燕",
    "晓明",
    "春梅",
    "文杰",
    "玉兰",
    "子舟",
    "松涛",
    "博涵",
    "锐",
    "玲芳",
    "宗达",
    "锋",
    "一心",
    "雪松",
    "金花",
    "正清",
    "少华",
    "世荣",
    "秀英",
    "国栋",
    "红梅",
    "振华",
    "桂芬",
    "云",
    "鹏",
    "敏",
    "静",
    "丹",
    "磊",
    "洁",
    "卫东",
    "永胜",
    "丽君",
]
EN_FIRST = [
    "Emma",
    "James",
    "Olivia",
    "William",
    "Sophia",
    "Thomas",
    "Grace",
    "Henry",
    "Alice",
    "George",
    "Lucy",
    "Peter",
    "Anna",
    "David",
    "Helen",
    "Joseph",
]
EN_LAST = [
    "Smith",
    "Brown",
    "Taylor",
    "Wilson",
    "Clarke",
    "Walker",
    "Wright",
    "Green",
    "Hall",
    "Wood",
    "Harris",
    "Rock",
    "Baker",
    "Bell",
    "Hill",
    "Moore",
]

LOCAL_PLACES = [
    "丽江",
    "纳西",
    "东巴",
    "玉龙雪山",
    "泸沽湖",
    "丽江古城",
    "束河",
    "白沙",
    "老君山",
    "金沙江",
    "虎跳峡",
    "宁蒗",
    "永胜",
    "华坪",
    "茶马古道",
    "拉市海",
    "黑龙潭",
    "木府",
    "摩梭",
    "大研",
    "宝山石头城",
    "玉湖",
]
LOCAL_TOPICS = [
    "文化研究",
    "史话",
    "民俗志",
    "风物志",
    "古乐",
    "象形文字",
    "传说故事集",
    "图志",
    "植物图鉴",
    "地名考",
    "建筑艺术",
    "非物质文化遗产",
    "历代诗文选",
    "民间故事",
    "旅游指南",
    "方言词汇",
    "口述史",
    "摄影集",
    "考古发现",
    "壁画",
    "医药",
    "服饰",
]

# (class number, audience, subject heading, topic words, suffixes)
ADULT_CLASSES: list[tuple[str, str, list[str], list[str]]] = [
    ("A81", "马克思主义理论", ["马克思主义", "理论"], ["学习读本", "导读", "十讲"]),
    ("B222", "儒家", ["论语", "孟子", "儒家思想", "国学经典"], ["译注", "讲读", "新解"]),
    ("B84", "心理学", ["心理学", "情绪", "积极心理"], ["入门", "通识", "十五讲"]),
    ("C91", "社会学", ["乡村社会", "社会学", "城镇化"], ["研究", "调查", "概论"]),
    ("D922", "法律", ["公共图书馆法", "民法典", "宪法"], ["释义", "问答", "读本"]),
    ("E29", "军事", ["中国军事", "国防"], ["简史", "知识"]),
    ("F592", "旅游经济", ["文旅融合", "旅游经济", "乡村旅游"], ["研究", "案例", "实务"]),
    ("F323", "农业经济", ["脱贫攻坚", "乡村振兴", "农村经济"], ["实践", "研究", "纪实"]),
    ("G25", "图书馆学", ["公共图书馆", "阅读推广", "图书馆服务"], ["研究", "手册", "案例"]),
    ("G62", "初等教育", ["家庭教育", "亲子阅读", "小学教育"], ["指南", "手记", "方法"]),
    ("G80", "体育", ["健身", "太极拳", "跑步"], ["入门", "图解", "指导"]),
    ("H31", "英语", ["英语口语", "英语语法", "英语阅读"], ["一本通", "教程", "100句"]),
    ("H1", "汉语", ["汉字", "现代汉语", "成语"], ["故事", "十讲", "常识"]),
    (
        "I247.5",
        "当代小说",
        ["雪山", "河流", "远方", "故乡", "春天", "山谷", "月光", "风"],
        ["之歌", "的故事", "往事", "人家"],
    ),
    ("I267", "散文", ["岁月", "山河", "草木", "行旅", "乡愁"], ["散文集", "随笔", "札记"]),
    ("I227", "诗歌", ["高原", "云", "星空", "古城"], ["诗选", "诗集"]),
    ("I561.45", "英国小说", ["傲慢与偏见", "简·爱", "雾都孤儿", "远大前程"], ["", "（插图本）"]),
    ("I712.45", "美国小说", ["老人与海", "了不起的盖茨比", "白鲸"], ["", "（译文版）"]),
    ("J212", "中国画", ["山水画", "花鸟画", "工笔画"], ["技法", "入门", "作品集"]),
    ("J292", "书法", ["楷书", "行书", "隶书"], ["字帖", "技法", "入门"]),
    ("J607", "民族音乐", ["民族音乐", "民歌"], ["概论", "选集"]),
    ("K203", "中国文化", ["中国传统文化", "节日", "剪纸"], ["常识", "图说", "十讲"]),
    ("K825", "人物传记", ["名人", "科学家", "艺术家"], ["传记", "评传", "画传"]),
    ("K928.9", "旅游地理", ["中国古镇", "中国国家公园", "云南旅游"], ["地图册", "游", "指南"]),
    ("N49", "科普", ["科学", "自然", "宇宙"], ["的奥秘", "通识", "漫谈"]),
    ("O1-49", "数学", ["数学", "几何"], ["趣谈", "漫步"]),
    ("P9", "自然地理", ["横断山", "冰川", "高原湖泊"], ["考察", "科学", "图志"]),
    ("Q94", "植物学", ["高山植物", "杜鹃花", "药用植物"], ["图鉴", "识别手册"]),
    ("Q95", "动物学", ["滇金丝猴", "鸟类", "昆虫"], ["图鉴", "观察"]),
    ("R2", "中医", ["中医", "中草药", "养生"], ["入门", "验方", "图解"]),
    ("S6", "园艺", ["花卉", "盆景", "果树"], ["栽培", "种植技术"]),
    ("TP3", "计算机", ["Python", "人工智能", "办公软件", "数据分析"], ["入门", "实战", "教程"]),
    ("TS97", "生活", ["家常菜", "云南菜", "收纳"], ["大全", "一本通"]),
    ("U4", "交通", ["公路", "铁路"], ["建设史", "概论"]),
    ("X171", "生态保护", ["生物多样性", "湿地", "自然保护区"], ["保护", "研究"]),
]
JUVENILE_CLASSES: list[tuple[str, str, list[str], list[str]]] = [
    (
        "I287.8",
        "图画故事",
        ["小熊", "小章鱼", "小兔子", "大象", "小狐狸", "小猫", "小恐龙"],
        ["去上学", "盖房子", "找妈妈", "过生日", "的一天", "交朋友", "睡不着"],
    ),
    ("I287.5", "儿童故事", ["森林", "大海", "星星", "月亮", "魔法"], ["故事", "童话", "奇遇记"]),
    ("I287.45", "儿童小说", ["少年", "男孩", "女孩", "小学生"], ["日记", "成长记", "的夏天"]),
    ("I287.2", "儿童诗歌", ["童谣", "儿歌"], ["精选", "三百首"]),
    ("I18", "世界童话", ["安徒生", "格林", "伊索"], ["童话", "寓言"]),
    ("Z228.1", "少儿百科", ["十万个为什么", "儿童百科", "少儿科普"], ["（彩图版）", "全书"]),
    ("N49", "少儿科普", ["恐龙", "太空", "身体", "海洋"], ["的秘密", "大揭秘", "小百科"]),
    ("H31", "少儿英语", ["少儿英语", "英语启蒙"], ["绘本", "分级读物"]),
]
REFERENCE_CLASSES: list[tuple[str, str, list[str], list[str]]] = [
    ("H163", "汉语词典", ["现代汉语", "新华", "古汉语常用字"], ["词典", "字典"]),
    ("H316", "英语词典", ["英汉", "牛津高阶英汉双解"], ["词典", "大词典"]),
    ("Z227", "年鉴", ["丽江", "云南"], ["年鉴", "统计年鉴"]),
]
EN_TOPICS = [
    (
        "H319.4",
        "English language -- Readers",
        ["Graded Reader", "English Reader"],
        ["Level 1", "Level 2", "Level 3"],
    ),
    (
        "I561.45",
        "English fiction",
        [
            "The Secret Garden",
            "Little Women",
            "Treasure Island",
            "Oliver Twist",
            "Pride and Prejudice",
        ],
        [""],
    ),
    (
        "K297.4",
        "Yunnan Sheng (China) -- History",
        ["Lijiang", "The Naxi", "Yunnan"],
        ["and its People", "a History", "Travels"],
    ),
    (
        "I287.8",
        "Picture books for children",
        ["The Little Bear", "Snow Mountain", "Panda"],
        ["Goes to School", "and the Moon", "Finds a Friend"],
    ),
    ("Q94", "Plants -- Yunnan", ["Alpine Plants", "Rhododendrons"], ["of Yunnan", "Guide"]),
]


@dataclass(frozen=True, slots=True)
class HoldingSpec:
    barcode: str
    library_code: str
    service_point_code: str
    collection_code: str
    call_number: str
    price: Decimal
    acquired_on: dt.date
    source: str  # catalogue.AcquisitionSource value


@dataclass(slots=True)
class BookSpec:
    control_number: str
    flavour: str  # "cnmarc" or "marc21"
    title: str
    responsibility: str
    authors: list[str]
    publisher: str
    place: str
    year: int
    isbn: str  # ISBN-13, digits only ("" for periodicals)
    issn: str
    clc: str
    book_number: int
    subject: str
    language: str
    audience: str  # "juvenile" or "adult"
    price: Decimal
    pages: int
    material: str = "book"
    holdings: list[HoldingSpec] = field(default_factory=list)

    @property
    def call_number(self) -> str:
        return f"{self.clc}/{self.book_number}"


@dataclass(frozen=True)
class Shelf:
    """Where generated items may go: a service point, its owning library, and its weight."""

    library_code: str
    service_point_code: str
    barcode_prefix: str
    weight: float


def _pick(rng: random.Random, options: list[tuple[str, str, str]]) -> int:
    """The index `rng.choice(options)` would pick (the same draw)."""
    return rng.randrange(len(options))


class _IsbnAllocator:
    """Hands out unique valid ISBN-13s per publisher prefix, with correct check digits."""

    def __init__(self, rng: random.Random) -> None:
        self._next: dict[str, int] = {}
        self._rng = rng

    def take_or_next(
        self, publishers: list[tuple[str, str, str]], index: int, stem: str = "7-{}"
    ) -> tuple[str, str, str]:
        """(ISBN, publisher, place) from `publishers[index]`, or, once that publisher's
        range is used up (only at full scale), from the next publisher in the list that has
        numbers left. Consumes the random generator exactly as `take` does."""
        for k in range(len(publishers)):
            publisher, place, prefix = publishers[(index + k) % len(publishers)]
            try:
                return self.take(stem.format(prefix)), publisher, place
            except OverflowError:
                continue
        raise OverflowError("every publisher's ISBN range is used up")

    def take(self, group_and_publisher: str) -> str:
        stem = "978" + group_and_publisher.replace("-", "")
        width = 12 - len(stem)
        start = self._next.get(stem)
        if start is None:
            start = self._rng.randrange(0, 10**width // 4)
        if start >= 10**width:
            raise OverflowError(stem)
        self._next[stem] = start + 1 + self._rng.randrange(3)
        body = f"{stem}{start:0{width}d}"
        return body + ean.calc_check_digit(body)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _acquired(rng: random.Random, year: int) -> tuple[dt.date, str]:
    first = max(year, 2000)
    when = dt.date(first, 1, 1) + dt.timedelta(
        days=rng.randrange((dt.date(2020, 12, 31) - dt.date(first, 1, 1)).days + 1)
    )
    # The 2020 mix of sources in the annual report: suggestions 8854, purchase 81,
    # local documents 1073 (their own collection), donations 2560.
    source = rng.choices(
        ["reader_suggestion", "purchase", "donation", "exchange"], weights=[50, 30, 15, 5]
    )[0]
    return when, source


def generate_books(
    *, count: int, items: int, shelves: list[Shelf], seed: int = 530700
) -> Iterator[BookSpec]:
    """`count` records with about `items` holdings in all, spread over `shelves` by weight.
    Local documents and reference books stay in the first shelf (the main building)."""
    rng = random.Random(seed)
    isbns = _IsbnAllocator(rng)
    book_numbers: dict[str, int] = {}
    barcode_numbers: dict[str, int] = {}
    weights = [s.weight for s in shelves]
    copies_mean = max(1.0, items / max(count, 1))
    main = shelves[0]
    periodicals = min(206, count // 100)

    def next_book_number(clc: str) -> int:
        book_numbers[clc] = book_numbers.get(clc, 0) + 1
        return book_numbers[clc]

    def holding(
        shelf: Shelf,
        collection: str,
        call: str,
        price: Decimal,
        year: int,
        source: str | None = None,
    ) -> HoldingSpec:
        n = barcode_numbers.get(shelf.barcode_prefix, 0) + 1
        barcode_numbers[shelf.barcode_prefix] = n
        acquired_on, picked = _acquired(rng, year)
        return HoldingSpec(
            barcode=f"{shelf.barcode_prefix}{n:08d}",
            library_code=shelf.library_code,
            service_point_code=shelf.service_point_code,
            collection_code=collection,
            call_number=call,
            price=price,
            acquired_on=acquired_on,
            source=source or picked,
        )

    for index in range(count):
        control = f"LJDEMO{index + 1:07d}"
        year = min(2020, int(rng.triangular(1985, 2021, 2019)))
        roll = rng.random()
        if index < periodicals:
            book = _periodical(rng, control, index, year)
            collection = PERIODICALS
        elif roll < 0.07:
            book = _english(rng, isbns, control, year)
            collection = JUVENILE if book.audience == "juvenile" else ADULT
        elif roll < 0.15:
            book = _local(rng, isbns, control, year)
            collection = LOCAL
        elif roll < 0.18:
            book = _chinese(rng, isbns, control, year, REFERENCE_CLASSES, "adult")
            collection = REFERENCE
        elif roll < 0.50:
            book = _chinese(rng, isbns, control, year, JUVENILE_CLASSES, "juvenile")
            collection = JUVENILE
        else:
            book = _chinese(rng, isbns, control, year, ADULT_CLASSES, "adult")
            collection = ADULT
        book.book_number = next_book_number(book.clc)
        copies = max(1, min(12, round(rng.expovariate(1 / copies_mean))))
        if collection in (LOCAL, REFERENCE, PERIODICALS):
            places = [main] * copies
            source = "local_documents" if collection == LOCAL else None
        else:
            places = rng.choices(shelves, weights=weights, k=copies)
            source = None
        book.holdings = [
            holding(shelf, collection, book.call_number, book.price, book.year, source)
            for shelf in places
        ]
        yield book


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 10, high * 10)) / 10 + Decimal("0.00")


def _chinese(
    rng: random.Random,
    isbns: _IsbnAllocator,
    control: str,
    year: int,
    classes: list[tuple[str, str, list[str], list[str]]],
    audience: str,
) -> BookSpec:
    clc, subject, words, suffixes = rng.choice(classes)
    title = rng.choice(words) + rng.choice(suffixes)
    chosen = _pick(rng, CHINESE_PUBLISHERS)
    author = _person(rng)
    role = "绘" if clc == "I287.8" else rng.choice(["著", "编著", "主编"])
    isbn, publisher, place = isbns.take_or_next(CHINESE_PUBLISHERS, chosen)
    return BookSpec(
        control_number=control,
        flavour="cnmarc",
        title=title,
        responsibility=f"{author}{role}",
        authors=[author],
        publisher=publisher,
        place=place,
        year=year,
        isbn=isbn,
        issn="",
        clc=clc,
        book_number=0,
        subject=subject,
        language="chi",
        audience=audience,
        price=_price(rng, 18, 98),
        pages=rng.randrange(24 if audience == "juvenile" else 120, 460),
    )


def _local(rng: random.Random, isbns: _IsbnAllocator, control: str, year: int) -> BookSpec:
    place_word = rng.choice(LOCAL_PLACES)
    title = place_word + rng.choice(LOCAL_TOPICS)
    chosen = _pick(rng, CHINESE_PUBLISHERS[:5])
    clc = rng.choice(["K297.4", "K297.4", "K892.4", "I207.9", "J607", "H257"])
    author = _person(rng)
    isbn, publisher, place = isbns.take_or_next(CHINESE_PUBLISHERS, chosen)
    return BookSpec(
        control_number=control,
        flavour="cnmarc",
        title=title,
        responsibility=f"{author}编著",
        authors=[author],
        publisher=publisher,
        place=place,
        year=year,
        isbn=isbn,
        issn="",
        clc=clc,
        book_number=0,
        subject=f"{place_word}--地方史",
        language="chi",
        audience="adult",
        price=_price(rng, 30, 180),
        pages=rng.randrange(150, 600),
    )


def _english(rng: random.Random, isbns: _IsbnAllocator, control: str, year: int) -> BookSpec:
    clc, subject, words, suffixes = rng.choice(EN_TOPICS)
    title = f"{rng.choice(words)} {rng.choice(suffixes)}".strip()
    chosen = _pick(rng, ENGLISH_PUBLISHERS)
    author = f"{rng.choice(EN_LAST)}, {rng.choice(EN_FIRST)}"
    audience = "juvenile" if clc in ("I287.8", "H319.4") else "adult"
    isbn, publisher, place = isbns.take_or_next(ENGLISH_PUBLISHERS, chosen, stem="{}")
    return BookSpec(
        control_number=control,
        flavour="marc21",
        title=title,
        responsibility=" ".join(reversed(author.split(", "))),
        authors=[author],
        publisher=publisher,
        place=place,
        year=year,
        isbn=isbn,
        issn="",
        clc=clc,
        book_number=0,
        subject=subject,
        language="eng",
        audience=audience,
        price=_price(rng, 20, 120),
        pages=rng.randrange(32, 400),
    )


PERIODICAL_TITLES = [
    "读者",
    "故事会",
    "中国国家地理",
    "半月谈",
    "求是",
    "云南画报",
    "小学生时代",
    "儿童文学",
    "民族文学",
    "图书馆论坛",
    "大众医学",
    "科学画报",
    "青年文摘",
    "丽江文艺",
    "玉龙山",
    "知音",
    "环球科学",
    "中国摄影",
    "书法",
    "英语画刊",
]


def _periodical(rng: random.Random, control: str, index: int, year: int) -> BookSpec:
    base = PERIODICAL_TITLES[index % len(PERIODICAL_TITLES)]
    title = base if index < len(PERIODICAL_TITLES) else f"{base}（{index // 20}辑）"
    body = f"{1000 + index * 7 + rng.randrange(7):07d}"[-7:]
    issn = f"{body[:4]}-{body[4:]}{stdnum_issn.calc_check_digit(body)}"
    publisher, place, _prefix = rng.choice(CHINESE_PUBLISHERS)
    return BookSpec(
        control_number=control,
        flavour="cnmarc",
        title=f"{title}. {year}年合订本",
        responsibility=f"《{base}》编辑部",
        authors=[],
        publisher=publisher,
        place=place,
        year=year,
        isbn="",
        issn=issn,
        clc="Z89",
        book_number=0,
        subject="期刊",
        language="chi",
        audience="adult",
        price=_price(rng, 60, 300),
        pages=rng.randrange(200, 800),
        material="periodical",
    )


# ------------------------------------------------------------------------------- to MARC


def _sf(*pairs: str) -> list[Subfield]:
    return [Subfield(code=pairs[i], value=pairs[i + 1]) for i in range(0, len(pairs), 2)]


def to_cnmarc(book: BookSpec) -> Record:
    level = "s" if book.material == "periodical" else "m"
    record = Record(force_utf8=True, leader=f"00000na{level}0 2200000   450 ")
    audience = {"juvenile": "c", "adult": "m"}[book.audience]
    f100 = f"20210101d{book.year}    {audience}  y0chiy50      ea"
    fields = [
        Field(tag="001", data=book.control_number),
        Field(tag="100", indicators=Indicators(" ", " "), subfields=_sf("a", f100)),
        Field(tag="101", indicators=Indicators("0", " "), subfields=_sf("a", book.language)),
        Field(
            tag="200",
            indicators=Indicators("1", " "),
            subfields=_sf("a", book.title, "f", book.responsibility),
        ),
        Field(
            tag="210",
            indicators=Indicators(" ", " "),
            subfields=_sf("a", book.place, "c", book.publisher, "d", str(book.year)),
        ),
        Field(
            tag="215",
            indicators=Indicators(" ", " "),
            subfields=_sf("a", f"{book.pages}页", "d", "21cm"),
        ),
        Field(tag="606", indicators=Indicators("0", " "), subfields=_sf("a", book.subject)),
        Field(tag="690", indicators=Indicators(" ", " "), subfields=_sf("a", book.clc, "v", "5")),
        Field(
            tag="801",
            indicators=Indicators(" ", "0"),
            subfields=_sf("a", "CN", "b", "CN-530700-PL-001", "c", "20210101"),
        ),
    ]
    if book.isbn:
        fields.insert(
            1,
            Field(
                tag="010",
                indicators=Indicators(" ", " "),
                subfields=_sf("a", stdnum_isbn.format(book.isbn), "d", f"CNY{book.price}"),
            ),
        )
    if book.issn:
        fields.insert(
            1,
            Field(
                tag="011",
                indicators=Indicators(" ", " "),
                subfields=_sf("a", book.issn, "d", f"CNY{book.price}"),
            ),
        )
        fields.insert(
            3, Field(tag="110", indicators=Indicators(" ", " "), subfields=_sf("a", "ah  0yy0"))
        )
    for author in book.authors:
        fields.append(
            Field(tag="701", indicators=Indicators(" ", "0"), subfields=_sf("a", author, "4", "著"))
        )
    for h in book.holdings:
        fields.append(
            Field(
                tag="905",
                indicators=Indicators(" ", " "),
                subfields=_sf(
                    "a",
                    h.library_code,
                    "b",
                    h.barcode,
                    "c",
                    h.collection_code,
                    "d",
                    book.clc,
                    "e",
                    str(book.book_number),
                    "f",
                    h.service_point_code,
                    "p",
                    f"CNY{h.price}",
                ),
            )
        )
    for f in fields:
        record.add_ordered_field(f)
    return record


def to_marc21(book: BookSpec) -> Record:
    record = Record(force_utf8=True, leader="00000nam a2200000 i 4500")
    audience = "j" if book.audience == "juvenile" else "e"
    country = "cc " if book.isbn.startswith("9787") else "enk"
    fiction = "1" if book.clc.startswith("I") else "0"
    f008 = f"210101s{book.year}    {country}    {audience}      000 {fiction} eng d"
    fields = [
        Field(tag="001", data=book.control_number),
        Field(tag="008", data=f008),
        Field(
            tag="020",
            indicators=Indicators(" ", " "),
            subfields=_sf("a", book.isbn, "c", f"CNY{book.price}"),
        ),
        Field(
            tag="040",
            indicators=Indicators(" ", " "),
            subfields=_sf("a", "CN-530700-PL-001", "b", "eng", "e", "rda"),
        ),
        Field(tag="084", indicators=Indicators(" ", " "), subfields=_sf("a", book.clc, "2", "clc")),
        Field(tag="100", indicators=Indicators("1", " "), subfields=_sf("a", book.authors[0])),
        Field(
            tag="245",
            indicators=Indicators("1", "0"),
            subfields=_sf("a", f"{book.title} /", "c", f"{book.responsibility}."),
        ),
        Field(
            tag="264",
            indicators=Indicators(" ", "1"),
            subfields=_sf("a", f"{book.place} :", "b", f"{book.publisher},", "c", str(book.year)),
        ),
        Field(
            tag="300",
            indicators=Indicators(" ", " "),
            subfields=_sf("a", f"{book.pages} pages ;", "c", "21 cm"),
        ),
        Field(tag="650", indicators=Indicators(" ", "0"), subfields=_sf("a", book.subject)),
    ]
    for h in book.holdings:
        fields.append(
            Field(
                tag="952",
                indicators=Indicators(" ", " "),
                subfields=_sf(
                    "a",
                    h.library_code,
                    "b",
                    h.service_point_code,
                    "8",
                    h.collection_code,
                    "o",
                    h.call_number,
                    "p",
                    h.barcode,
                    "g",
                    str(h.price),
                    "d",
                    h.acquired_on.isoformat(),
                ),
            )
        )
    for f in fields:
        record.add_ordered_field(f)
    return record


def to_iso2709(books: Iterable[BookSpec], flavour: str) -> bytes:
    """The books of one flavour as one ISO 2709 file in memory (UTF-8)."""
    out = io.BytesIO()
    convert = to_cnmarc if flavour == "cnmarc" else to_marc21
    for book in books:
        if book.flavour == flavour:
            out.write(convert(book).as_marc())
    return out.getvalue()
