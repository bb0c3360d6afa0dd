"""Sort keys for call numbers (索书号) in Chinese Library Classification order.

A call number is a class number and a book number: `I287.8/123`. Class numbers compare as
class letters, then the digits as a decimal fraction (the dots are only for reading: I247.5 <
I247.57 < I247.7, TP3 < TP31 < TP311), with the auxiliary signs ("-" general, "=" time,
"(" place, '"' ethnic, ":" combination) after the bare class and before its subdivisions.
Book numbers compare numerically (123 < 1230).

The key is made of digits only, in fixed-width tokens, so that it sorts the same under any
database collation (PostgreSQL's locale-aware collations ignore punctuation)."""

from __future__ import annotations

import re

MAX_KEY = 200
_END = "00"
_CLASS_SIGNS = {
    "-": "01",
    "=": "02",
    "(": "03",
    ")": "04",
    '"': "05",
    ":": "06",
    "<": "07",
    ">": "08",
    "+": "09",
}
_BOOK_SIGNS = {
    "-": "01",
    ":": "02",
    "=": "03",
    ".": "04",
    "(": "05",
    ")": "05",
    ",": "06",
    "/": "07",
}
_SPLIT = re.compile(r"\s*/\s*")
_LEADING = re.compile(r"^([A-Za-z]{1,3})(.*)$")
_DIGITS = re.compile(r"\d+|\D")


def _letter(ch: str) -> str:
    return f"{ord(ch.upper()) - ord('A') + 10:02d}"


def _class_tokens(text: str) -> str:
    out = []
    for ch in text:
        if ch.isdigit():
            out.append("5" + ch)
        elif ch == ".":
            continue  # a reading aid only
        elif ch in _CLASS_SIGNS:
            out.append(_CLASS_SIGNS[ch])
        elif "A" <= ch.upper() <= "Z" and ch.isascii():
            out.append(_letter(ch))
        elif ch.strip():
            out.append("09")
    return "".join(out)


def _book_tokens(text: str) -> str:
    out = []
    for token in _DIGITS.findall(text):
        if token.isdigit():
            out.append("99" + token.lstrip("0").zfill(10)[-10:])
        elif token in _BOOK_SIGNS:
            out.append(_BOOK_SIGNS[token])
        elif token.isascii() and token.isalpha():
            out.append(_letter(token))
        elif token.strip():
            out.append(f"{min(ord(token) % 89 + 10, 98):02d}")
    return "".join(out)


def call_number_sort_key(call_number: str) -> str:
    """A digits-only key: sorting keys as strings sorts call numbers in CLC order."""
    text = (call_number or "").strip()
    if not text:
        return ""
    parts = _SPLIT.split(text, maxsplit=1)
    class_part, book_part = parts[0], (parts[1] if len(parts) > 1 else "")
    match = _LEADING.match(class_part)
    if match:
        letters, rest = match.group(1), match.group(2)
        key = "".join(_letter(ch) for ch in letters) + _END + _class_tokens(rest) + _END
    else:
        key = _END + _class_tokens(class_part) + _END
    key += _book_tokens(book_part)
    return key[:MAX_KEY]
