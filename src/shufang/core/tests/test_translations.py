"""The Simplified Chinese catalogue is complete, keeps every placeholder, and is what Django uses."""

import gettext
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from shufang.catalogue.models import Item
from shufang.network.models import ServicePoint
from shufang.readers.models import Reader

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
ZH_PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"

# Python %-style (named or not) and str.format-style placeholders.
PLACEHOLDER = re.compile(
    r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{[^{}]*\}"
)
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[dict[str, object]]:
    """Entries of a .po file: flags, msgid, msgid_plural and the list of msgstrs, in file order."""
    entries: list[dict[str, object]] = []
    entry: dict[str, object] = {}
    key = ""

    def start() -> dict[str, object]:
        new: dict[str, object] = {"flags": set(), "msgid": None, "msgid_plural": None, "msgstr": {}}
        entries.append(new)
        return new

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            if not entry or entry["msgid"] is not None:
                entry = start()
            flags = entry["flags"]
            assert isinstance(flags, set)
            if line.startswith("#,"):
                flags.update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#~"):
                flags.add("obsolete")  # left by makemessages for strings no longer in the code
            continue
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?) (\".*\")$", line)
        if match:
            key = match.group(1)
            if key in ("msgid", "msgctxt") and (not entry or entry["msgstr"]):
                entry = start()
            value = _unquote(match.group(3))
            if key.startswith("msgstr"):
                key = f"msgstr:{match.group(2) or 0}"
                msgstrs = entry["msgstr"]
                assert isinstance(msgstrs, dict)
                msgstrs[key] = value
            else:
                entry[key] = value
        else:
            assert line.startswith('"'), f"unexpected line in {path.name}: {line!r}"
            if key.startswith("msgstr"):
                msgstrs = entry["msgstr"]
                assert isinstance(msgstrs, dict)
                msgstrs[key] += _unquote(line)
            else:
                entry[key] = str(entry[key]) + _unquote(line)
    return entries


def _messages(path: Path) -> list[dict[str, object]]:
    return [e for e in parse_po(path) if e["msgid"] != "" and "obsolete" not in e["flags"]]  # type: ignore[operator]


def _header(path: Path) -> str:
    header = next(e for e in parse_po(path) if e["msgid"] == "")
    msgstrs = header["msgstr"]
    assert isinstance(msgstrs, dict)
    return str(msgstrs["msgstr:0"])


def test_the_chinese_catalogue_has_no_untranslated_entries():
    messages = _messages(ZH_PO)

    untranslated = [
        e["msgid"]
        for e in messages
        if not all(v for v in e["msgstr"].values())  # type: ignore[attr-defined]
    ]

    assert len(messages) > 400
    assert untranslated == []


def test_the_chinese_catalogue_has_no_fuzzy_entries():
    fuzzy = [e["msgid"] for e in parse_po(ZH_PO) if "fuzzy" in e["flags"]]  # type: ignore[operator]

    assert fuzzy == []


def test_every_chinese_translation_keeps_the_placeholders_of_its_source():
    mismatched = []
    for entry in _messages(ZH_PO):
        sources = [str(entry["msgid"])] + (
            [str(entry["msgid_plural"])] if entry["msgid_plural"] else []
        )
        expected = set(PLACEHOLDER.findall(sources[-1])) | set(PLACEHOLDER.findall(sources[0]))
        for value in entry["msgstr"].values():  # type: ignore[attr-defined]
            if set(PLACEHOLDER.findall(value)) != expected:
                mismatched.append((entry["msgid"], value))

    assert mismatched == []


def test_the_placeholder_check_notices_a_dropped_placeholder():
    msgid, msgstr = "Card number %(n)s is already in use.", "读者证号已被使用。"

    assert set(PLACEHOLDER.findall(msgid)) == {"%(n)s"}
    assert set(PLACEHOLDER.findall(msgstr)) == set()


def test_chinese_translations_keep_the_html_tags_of_their_source():
    tag = re.compile(r"</?[A-Za-z][^<>]*>")
    mismatched = [
        e["msgid"]
        for e in _messages(ZH_PO)
        for value in e["msgstr"].values()  # type: ignore[attr-defined]
        if sorted(tag.findall(str(e["msgid"]))) != sorted(tag.findall(value))
    ]

    assert mismatched == []


def test_the_catalogue_headers_name_their_language_charset_and_plural_rule():
    zh = _header(ZH_PO)
    en = _header(EN_PO)

    assert "Language: zh_Hans\n" in zh
    assert "Content-Type: text/plain; charset=UTF-8\n" in zh
    assert "Plural-Forms: nplurals=1; plural=0;\n" in zh
    assert "Language: en\n" in en
    assert "Content-Type: text/plain; charset=UTF-8\n" in en
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in en


def test_the_compiled_chinese_catalogue_matches_its_source():
    with ZH_PO.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    def translated(entry: dict[str, object]) -> str:
        if entry.get("msgctxt") is not None:  # pgettext: the same msgid in another sense
            return compiled.pgettext(str(entry["msgctxt"]), str(entry["msgid"]))
        return compiled.gettext(str(entry["msgid"]))

    stale = [
        e["msgid"]
        for e in _messages(ZH_PO)
        if e["msgid_plural"] is None and translated(e) != e["msgstr"]["msgstr:0"]  # type: ignore[index]
    ]

    assert stale == [], "run `shufang compilemessages`"


def test_central_model_names_are_chinese_in_simplified_chinese():
    with translation.override("zh-hans"):
        names = (
            str(Reader._meta.verbose_name),
            str(Item._meta.verbose_name),
            str(ServicePoint._meta.verbose_name),
            str(Item._meta.get_field("barcode").verbose_name),
            str(Item._meta.get_field("call_number").verbose_name),
        )

    assert names == ("读者", "复本", "服务点", "条码号", "索书号")


def test_central_model_names_stay_english_in_english():
    with translation.override("en"):
        names = (str(Reader._meta.verbose_name), str(ServicePoint._meta.verbose_name))

    assert names == ("reader", "service point")


@pytest.mark.django_db
def test_the_staff_login_page_is_titled_in_chinese():
    response = Client().get("/staff/login/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>馆员登录 · 书房</title>" in page
    assert "用户名" in page
    assert "密码" in page


@pytest.mark.django_db
def test_the_admin_index_is_in_chinese():
    User.objects.create_superuser("root", "root@example.org", "pw-for-tests")
    client = Client()
    client.force_login(User.objects.get(username="root"))

    page = client.get("/admin/").content.decode()

    assert "管理后台" in page
    assert "服务点" in page
    assert "读者" in page
