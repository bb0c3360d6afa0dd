"""The one tokenizer of the search engine: pure, used for records and queries alike.

Text is normalised (NFKC, case folded, diacritics removed, traditional Chinese characters
mapped to simplified ones) and cut into *units*: a word of letters and digits, or one CJK
character. Index tokens are ASCII `[a-z0-9]+` words, so that SQLite FTS5 and PostgreSQL's
`simple` parser both read each as exactly one lexeme, and no query character ever reaches a
match expression: a token is a field letter, a kind letter and a body:

    kind w  a word of ASCII letters and digits           twpython
    kind x  any other word, hex of its UTF-8 bytes        twx...
    kind u  one CJK character (base 36 code point)        tu...
    kind b  two adjacent CJK characters                   tb....
    kind p  one pinyin syllable of a Chinese title/author tpli
    kind q  two adjacent pinyin syllables                 tqlijiang
    kind j  2 to 4 adjacent pinyin initials               tjljgc
    kind c  a class or call number, dots dropped          ci2878

Fields: t title, a author, s subject, e series, p publisher, o other text (summary, place,
edition), i ISBN (13 digits), n ISSN, c CLC class, k call number."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn
from zhconv.zhconv import getdict  # type: ignore[import-untyped]

TEXT_FIELDS = ("t", "a", "s", "e", "p", "o")
# Fields whose single characters are indexed (one-character queries); long text only has pairs.
UNIGRAM_FIELDS = frozenset({"t", "a", "s", "e", "p"})
MAX_WORD = 40
MAX_UNITS = 2000


def _simplified_table() -> dict[int, str]:
    # zhconv's zh-hans table; only one-character entries, so that normalising is a
    # `str.translate` (fast, and the same for a record and a query).
    table = getdict("zh-hans")
    return {ord(k): v for k, v in table.items() if len(k) == 1 and len(v) == 1 and k != v}


_TO_SIMPLIFIED = _simplified_table()
_CJK = (
    "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_UNIT = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_RUN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_COMBINING = re.compile(r"[\u0300-\u036f]")


def normalise(text: str) -> str:
    """NFKC, case folded, without Latin diacritics, traditional characters simplified."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
        text = unicodedata.normalize("NFC", text).translate(_TO_SIMPLIFIED)
    return text


def units(text: str) -> list[str]:
    """The words and CJK characters of `text`, normalised, in order."""
    return _UNIT.findall(normalise(text))[:MAX_UNITS]


def runs(text: str) -> list[list[str]]:
    """The units of `text` grouped into words: a Latin word alone, a run of adjacent CJK
    characters (not broken by spaces or punctuation) together."""
    out: list[list[str]] = []
    count = 0
    for run in _RUN.findall(normalise(text)):
        group = list(run) if _CJK_CHAR.match(run) else [run]
        out.append(group)
        count += len(group)
        if count >= MAX_UNITS:
            break
    return out


def is_cjk(unit: str) -> bool:
    return len(unit) == 1 and _CJK_CHAR.match(unit) is not None


_B36: dict[str, str] = {}


def _b36(ch: str) -> str:
    """Four base-36 digits of the code point (memoised: the index build calls this for every
    CJK character of every record)."""
    code = _B36.get(ch)
    if code is None:
        n = ord(ch)
        code = ""
        for _ in range(4):
            n, r = divmod(n, 36)
            code = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + code
        if len(_B36) < 200_000:
            _B36[ch] = code
    return code


def word_token(field: str, word: str) -> str:
    word = word[:MAX_WORD]
    if word.isascii():
        return f"{field}w{word}"
    return f"{field}x{word.encode()[:MAX_WORD].hex()}"


def unigram_token(field: str, ch: str) -> str:
    return f"{field}u{_b36(ch)}"


def bigram_token(field: str, a: str, b: str) -> str:
    return f"{field}b{_b36(a)}{_b36(b)}"


def joined(values: Iterable[str]) -> str:
    """Normalised text of a field for phrase and exact checks: each value's units separated
    by spaces, values enclosed in `|` so that a phrase never spans two values."""
    parts = [" ".join(units(v)) for v in values]
    parts = [p for p in parts if p]
    return "| " + " | ".join(parts) + " |" if parts else ""


def text_tokens(field: str, values: Iterable[str], out: set[str]) -> None:
    """The word, CJK character and CJK pair tokens of a field's values (the same tokens as
    `word_token`, `unigram_token` and `bigram_token`, written out for speed)."""
    unigrams = field in UNIGRAM_FIELDS
    u, b = f"{field}u", f"{field}b"
    for value in values:
        count = 0
        for run in _RUN.findall(normalise(value)):
            if not _CJK_CHAR.match(run):
                out.add(word_token(field, run))
                count += 1
            else:
                codes = [_B36.get(ch) or _b36(ch) for ch in run]
                if unigrams:
                    out.update([u + c for c in codes])
                out.update([b + x + y for x, y in zip(codes, codes[1:], strict=False)])
                count += len(codes)
            if count >= MAX_UNITS:
                break


def analyse(field: str, values: Iterable[str], out: set[str]) -> str:
    """`text_tokens` and `joined` of a field in one pass (each value normalised once): adds
    the tokens to `out`, returns the joined normalised text."""
    unigrams = field in UNIGRAM_FIELDS
    u, b = f"{field}u", f"{field}b"
    parts: list[str] = []
    for value in values:
        text = normalise(value)
        count = 0
        for run in _RUN.findall(text):
            if not _CJK_CHAR.match(run):
                out.add(word_token(field, run))
                count += 1
            else:
                codes = [_B36.get(ch) or _b36(ch) for ch in run]
                if unigrams:
                    out.update([u + c for c in codes])
                out.update([b + x + y for x, y in zip(codes, codes[1:], strict=False)])
                count += len(codes)
            if count >= MAX_UNITS:
                break
        part = " ".join(_UNIT.findall(text)[:MAX_UNITS])
        if part:
            parts.append(part)
    return "| " + " | ".join(parts) + " |" if parts else ""


def pinyin_tokens(field: str, syllables: list[str], out: set[str]) -> None:
    """Syllables, syllable pairs and runs of 2-4 initials of one Chinese title or name."""
    syllables = [s for s in syllables if s.isascii() and s.isalnum()][:200]
    initials = "".join(s[0] for s in syllables)
    for i, syl in enumerate(syllables):
        out.add(f"{field}p{syl}")
        if i:
            out.add(f"{field}q{syllables[i - 1]}{syl}")
        for n in (2, 3, 4):
            if i + n <= len(initials):
                out.add(f"{field}j{initials[i : i + n]}")


def title_key_token(title_key: str) -> str:
    """The token of a whole normalised title (its units joined by spaces): exact title
    matches are found by the match index, not by reading rows."""
    return "th" + hashlib.blake2b(title_key.encode(), digest_size=10).hexdigest()


def class_body(value: str) -> str:
    """A CLC class or call number as one token body: dots dropped (they only group digits:
    I287.8 is I2878), other signs as `z`, so a prefix of the class is a prefix of the body."""
    value = normalise(value).strip()
    value = value.replace(".", "").replace(" ", "")
    return re.sub(r"[^a-z0-9]", "z", value)[:MAX_WORD]


def isbn13(value: str) -> str:
    """The ISBN-13 of an ISBN in any form, or "" if it is not a valid ISBN."""
    compact = stdnum_isbn.compact(value)
    if not stdnum_isbn.is_valid(compact):
        return ""
    return str(stdnum_isbn.to_isbn13(compact))


def issn_compact(value: str) -> str:
    compact = stdnum_issn.compact(value)
    return compact.lower() if stdnum_issn.is_valid(compact) else ""


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable of pypinyin's character table (ü written v)."""
    from pypinyin.pinyin_dict import pinyin_dict  # local: only needed when reading queries

    found: set[str] = set()
    for readings in set(pinyin_dict.values()):
        for reading in readings.split(","):
            plain = unicodedata.normalize("NFKD", reading).replace("u\u0308", "v")
            plain = _COMBINING.sub("", plain)
            if plain.isascii() and plain.isalpha():
                found.add(plain)
    return frozenset(found)


def pinyin_split(word: str) -> list[str] | None:
    """`word` as pinyin syllables (fewest syllables first), or None if it is not pinyin."""
    if not word.isascii() or not word.isalpha() or len(word) > 60:
        return None
    table = syllables()
    best: dict[int, list[str] | None] = {len(word): []}
    for start in range(len(word) - 1, -1, -1):
        choice: list[str] | None = None
        for end in range(min(len(word), start + 6), start, -1):
            rest = best.get(end)
            if rest is not None and word[start:end] in table:
                candidate = [word[start:end], *rest]
                if choice is None or len(candidate) < len(choice):
                    choice = candidate
        best[start] = choice
    return best[0]


def sort_key(text: str) -> str:
    """An ASCII sort key (hex of the UTF-8 bytes of the case-folded text) that orders the
    same under any database collation."""
    return normalise(text).strip().encode()[:100].hex()
