"""The CQL parser behind /sru: pure text in, tree out, an SRU diagnostic number for anything
it cannot take."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shufang.api.sru import BooleanNode, CQLError, SearchClause, cql_parse


def test_bare_term_searches_the_server_choice_index() -> None:
    assert cql_parse("丽江") == SearchClause(index="", relation="=", term="丽江")


def test_index_relation_and_quoted_term_with_escaped_quote() -> None:
    assert cql_parse('dc.title = "丽江 \\"古城\\""') == SearchClause(
        index="dc.title", relation="=", term='丽江 "古城"'
    )


def test_named_relations_are_lower_cased() -> None:
    assert cql_parse("dc.creator ALL 木公") == SearchClause("dc.creator", "all", "木公")
    assert cql_parse("bath.isbn exact 9787020002207") == SearchClause(
        "bath.isbn", "exact", "9787020002207"
    )
    assert cql_parse("dc.title==丽江") == SearchClause("dc.title", "==", "丽江")


def test_booleans_are_left_associative_and_parentheses_group() -> None:
    tree = cql_parse("a and b or c")
    grouped = cql_parse("a and (b or c)")

    a, b, c = (SearchClause("", "=", t) for t in "abc")
    assert tree == BooleanNode("or", BooleanNode("and", a, b), c)
    assert grouped == BooleanNode("and", a, BooleanNode("or", b, c))


def test_not_is_a_binary_boolean() -> None:
    assert cql_parse("dc.title=丽江 NOT dc.subject=旅游") == BooleanNode(
        "not", SearchClause("dc.title", "=", "丽江"), SearchClause("dc.subject", "=", "旅游")
    )


def test_relation_modifiers_are_kept_for_the_translator_to_refuse() -> None:
    assert cql_parse("dc.title =/stem 丽江") == SearchClause("dc.title", "=", "丽江", ("stem",))


@pytest.mark.parametrize(
    ("query", "number"),
    [
        ("", 10),
        ("   ", 10),
        ("(丽江", 10),
        ("丽江)", 10),
        ('"丽江', 10),
        ('"丽江\\"', 10),
        ("dc.title =", 10),
        ("()", 10),
        ("丽江 and", 10),
        ("丽江 prox 古城", 37),
        ("丽江 and/rel.algorithm=cql 古城", 46),
        ("丽江 sortBy dc.title", 80),
        ("> dc = http://purl.org/dc/elements/1.1/ dc.title = x", 10),
        ("(" * 40 + "x" + ")" * 40, 10),
        ("x" * 2001, 10),
    ],
)
def test_malformed_queries_raise_the_diagnostic(query: str, number: int) -> None:
    with pytest.raises(CQLError) as caught:
        cql_parse(query)

    assert caught.value.number == number


@given(st.text(max_size=300))
def test_any_text_parses_or_raises_a_cql_error(text: str) -> None:
    try:
        cql_parse(text)
    except CQLError as error:
        assert error.number in {10, 37, 46, 80}
