"""The 22 main classes of the Chinese Library Classification (中国图书馆分类法, 5th edition),
with their Chinese and English names: reference data, not interface text."""

from __future__ import annotations

CLC_MAIN_CLASSES: tuple[tuple[str, str, str], ...] = (
    (
        "A",
        "马克思主义、列宁主义、毛泽东思想、邓小平理论",
        "Marxism, Leninism, Mao Zedong Thought, Deng Xiaoping Theory",
    ),
    ("B", "哲学、宗教", "Philosophy and religion"),
    ("C", "社会科学总论", "Social sciences (general)"),
    ("D", "政治、法律", "Politics and law"),
    ("E", "军事", "Military science"),
    ("F", "经济", "Economics"),
    ("G", "文化、科学、教育、体育", "Culture, science, education and sports"),
    ("H", "语言、文字", "Languages and writing"),
    ("I", "文学", "Literature"),
    ("J", "艺术", "Arts"),
    ("K", "历史、地理", "History and geography"),
    ("N", "自然科学总论", "Natural sciences (general)"),
    ("O", "数理科学和化学", "Mathematics, physics and chemistry"),
    ("P", "天文学、地球科学", "Astronomy and earth sciences"),
    ("Q", "生物科学", "Biology"),
    ("R", "医药、卫生", "Medicine and health"),
    ("S", "农业科学", "Agriculture"),
    ("T", "工业技术", "Industrial technology"),
    ("U", "交通运输", "Transport"),
    ("V", "航空、航天", "Aviation and spaceflight"),
    ("X", "环境科学、安全科学", "Environmental and safety sciences"),
    ("Z", "综合性图书", "General works"),
)
CLC_NAMES = {code: (zh, en) for code, zh, en in CLC_MAIN_CLASSES}


def clc_name(code: str, language: str) -> str:
    zh, en = CLC_NAMES.get(code[:1].upper(), ("", ""))
    return en if language.startswith("en") else zh
