"""Hypothesis strategies that build any SIP2 message from its layout."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from hypothesis import strategies as st

from shufang.sip2.protocol.fields import (
    Coded,
    Date,
    Flag,
    FlagsKind,
    FlagUnknown,
    Kind,
    Language,
    LanguageKind,
    Number,
    Ok,
    Summary,
    SummaryKind,
    Text,
)
from shufang.sip2.protocol.messages import LAYOUTS, Layout, Message

# Anything a device could put in a value, except the field separator and line ends (which the
# encoder cleans, so they cannot round-trip).
value_text = st.text(
    alphabet=st.characters(blacklist_characters="|\r\n", blacklist_categories=("Cs",)),
    max_size=20,
)
moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0)
)
dates = st.one_of(moments, moments.map(lambda moment: moment.replace(tzinfo=UTC)))


def for_kind(kind: Kind) -> st.SearchStrategy[Any]:
    if isinstance(kind, Text):
        if kind.width is None:
            return value_text
        return st.text(
            alphabet="0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZ ",
            min_size=kind.width,
            max_size=kind.width,
        )
    if isinstance(kind, Flag | Ok):
        return st.booleans()
    if isinstance(kind, FlagUnknown):
        return st.none() | st.booleans()
    if isinstance(kind, Number):
        top = 10**kind.width - 1 if kind.width else 10**9
        return st.none() | st.integers(min_value=0, max_value=top)
    if isinstance(kind, Coded):
        members: list[Enum] = list(kind.enum)
        return st.sampled_from(members)
    if isinstance(kind, LanguageKind):
        return st.sampled_from(list(Language)) | st.integers(min_value=28, max_value=999)
    if isinstance(kind, FlagsKind):
        flags = {f.name: st.booleans() for f in dataclasses.fields(kind.cls)}
        return st.builds(kind.cls, **flags)
    if isinstance(kind, SummaryKind):
        return st.none() | st.sampled_from(list(Summary))
    if isinstance(kind, Date):
        return st.none() | dates
    raise AssertionError(f"no strategy for {kind!r}")


def message(code: str) -> st.SearchStrategy[Message]:
    layout: Layout = LAYOUTS[code]
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for fixed in layout.fixed:
        fields[fixed.name] = for_kind(fixed.kind)
    for spec in layout.required:
        strategy = for_kind(spec.kind)
        if isinstance(spec.kind, Number | Date):  # these read "" as None: never empty here
            strategy = strategy.filter(lambda value: value is not None)
        fields[spec.name] = (
            st.lists(value_text, max_size=3).map(tuple) if spec.repeatable else strategy
        )
    for spec in layout.optional:
        if spec.repeatable:
            fields[spec.name] = st.lists(value_text, max_size=3).map(tuple)
        else:
            inner = for_kind(spec.kind)
            if isinstance(spec.kind, Number | Date):
                inner = inner.filter(lambda value: value is not None)
            fields[spec.name] = st.none() | inner
    known = {spec.code for spec in (*layout.required, *layout.optional)} | {"AY", "AZ"}
    extra_code = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2).filter(
        lambda field_code: field_code not in known
    )
    fields["extra"] = st.lists(st.tuples(extra_code, value_text), max_size=2).map(tuple)
    return st.builds(layout.message_class, **fields)


any_message = st.sampled_from(sorted(LAYOUTS)).flatmap(message)
