"""From query terms to boolean expressions over index tokens (pure).

A term becomes a `TokenExpr` (which records can match, answered by the database's match
index) and, for phrases and exact values, a `Residual` (a check on the stored normalised text
of the candidates). Both databases receive the same tokens, so they return the same records."""

from __future__ import annotations

from dataclasses import dataclass

from shufang.catalogue.search import text as T
from shufang.catalogue.search.query import Term

FIELD_LETTER = {
    "title": "t",
    "author": "a",
    "subject": "s",
    "series": "e",
    "publisher": "p",
}
TEXT_COLUMN = {
    "t": "title_text",
    "a": "author_text",
    "s": "subject_text",
    "e": "series_text",
    "p": "publisher_text",
    "o": "other_text",
}
PINYIN_FIELDS = frozenset({"t", "a"})


@dataclass(frozen=True)
class Tok:
    token: str
    prefix: bool = False


@dataclass(frozen=True)
class TAnd:
    items: tuple[TokenExpr, ...]


@dataclass(frozen=True)
class TOr:
    items: tuple[TokenExpr, ...]


@dataclass(frozen=True)
class TAndNot:
    positive: TokenExpr
    negative: TokenExpr


TokenExpr = Tok | TAnd | TOr | TAndNot


@dataclass(frozen=True)
class Residual:
    """The candidate's text in one of `columns` must contain `pattern` (a LIKE pattern made
    only of letters, digits, CJK characters, spaces, `|` and the enclosing `%`)."""

    columns: tuple[str, ...]
    pattern: str


def t_and(items: list[TokenExpr]) -> TokenExpr | None:
    unique = list(dict.fromkeys(items))
    if not unique:
        return None
    return unique[0] if len(unique) == 1 else TAnd(tuple(unique))


def t_or(items: list[TokenExpr]) -> TokenExpr | None:
    unique = list(dict.fromkeys(items))
    if not unique:
        return None
    return unique[0] if len(unique) == 1 else TOr(tuple(unique))


def _pinyin_exprs(letter: str, word: str) -> list[TokenExpr]:
    out: list[TokenExpr] = []
    split = T.pinyin_split(word)
    if split:
        if len(split) == 1:
            out.append(Tok(f"{letter}p{split[0]}"))
        else:
            pairs = [Tok(f"{letter}q{a}{b}") for a, b in zip(split, split[1:], strict=False)]
            expr = t_and(list(pairs))
            if expr is not None:
                out.append(expr)
    if word.isascii() and word.isalpha() and 2 <= len(word) <= 12:
        if len(word) <= 4:
            out.append(Tok(f"{letter}j{word}"))
        else:
            starts = sorted({*range(0, len(word) - 3, 3), len(word) - 4})
            expr = t_and([Tok(f"{letter}j{word[s : s + 4]}") for s in starts])
            if expr is not None:
                out.append(expr)
    return out


def group_expr(letter: str, group: list[str]) -> TokenExpr | None:
    """Where one query word is found in one field."""
    if len(group) == 1 and not T.is_cjk(group[0]):
        word = group[0]
        alternatives: list[TokenExpr] = [Tok(T.word_token(letter, word))]
        if letter in PINYIN_FIELDS:
            alternatives.extend(_pinyin_exprs(letter, word))
        return t_or(alternatives)
    if len(group) == 1:
        if letter not in T.UNIGRAM_FIELDS:
            return None
        return Tok(T.unigram_token(letter, group[0]))
    return t_and(
        [Tok(T.bigram_token(letter, a, b)) for a, b in zip(group, group[1:], strict=False)]
    )


def _identifier_exprs(text: str) -> list[TokenExpr]:
    """A whole "any" term that is an ISBN, ISSN, class or call number."""
    out: list[TokenExpr] = []
    isbn = T.isbn13(text)
    if isbn:
        out.append(Tok(f"iw{isbn}"))
    issn = T.issn_compact(text)
    if issn:
        out.append(Tok(f"nw{issn}"))
    stripped = text.strip()
    if stripped and " " not in stripped and any(c.isdigit() for c in stripped):
        body = T.class_body(stripped)
        if body and body[0].isalpha():
            out.append(Tok(f"cc{body}"))
            out.append(Tok(f"kc{body}"))
    return out


def term_expr(term: Term) -> tuple[TokenExpr | None, Residual | None]:
    """The token expression and residual check of one term; (None, None) when the term has
    nothing searchable in it."""
    fld, mode, text = term.field, term.mode, term.text[:1000]
    if fld in ("isbn", "issn"):
        if fld == "isbn":
            number = T.isbn13(text) or "".join(c for c in text if c.isalnum()).lower()
            tok = f"iw{number[: T.MAX_WORD]}"
        else:
            number = T.issn_compact(text) or "".join(c for c in text if c.isalnum()).lower()
            tok = f"nw{number[: T.MAX_WORD]}"
        return (Tok(tok) if number else None), None
    if fld in ("clc", "call_number"):
        body = T.class_body(text)
        if not body:
            return None, None
        letter = "c" if fld == "clc" else "k"
        return Tok(f"{letter}c{body}", prefix=mode != "exact"), None
    letters = T.TEXT_FIELDS if fld == "any" else (FIELD_LETTER.get(fld, "t"),)
    units = T.units(text)
    word_groups = T.runs(text)
    per_group: list[TokenExpr] = []
    combined: TokenExpr | None
    if mode in ("phrase", "exact"):
        # A phrase lies within one field: all its words in the same field (far fewer
        # candidates to check than each word in any field).
        combined = t_or(
            [
                e
                for e in (
                    t_and([g for g in (group_expr(letter, w) for w in word_groups) if g])
                    for letter in letters
                )
                if e is not None
            ]
        )
    else:
        for group in word_groups:
            expr = t_or([e for e in (group_expr(letter, group) for letter in letters) if e])
            if expr is not None:
                per_group.append(expr)
        combined = t_or(per_group) if mode == "any" else t_and(per_group)
    if fld == "any" and mode in ("all", "any"):
        combined = t_or([e for e in (combined, *_identifier_exprs(text)) if e is not None])
    if combined is None:
        return None, None
    residual = None
    if mode in ("phrase", "exact") and units:
        inner = " ".join(units)
        pattern = f"% {inner} %" if mode == "phrase" else f"%| {inner} |%"
        residual = Residual(tuple(TEXT_COLUMN[letter] for letter in letters), pattern)
    return combined, residual


def title_expr(text: str) -> TokenExpr | None:
    """All words of `text` in the title (a relevance feature)."""
    per_group = [group_expr("t", g) for g in T.runs(text)]
    return t_and([e for e in per_group if e is not None])
