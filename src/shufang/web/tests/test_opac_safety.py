"""Search input of any size or content is answered with a page, never a server error."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shufang.web.tests.fixtures import Network

NASTY = st.sampled_from(
    [
        '"',
        "“丽江",
        "'; DROP TABLE catalogue_record; --",
        "<script>alert(1)</script>",
        "title:",
        "-",
        "OR OR OR",
        "*" * 5000,
        "丽江 " * 400,
        "isbn:978-7-",
        "clc:I2%",
        "\\x00",
        'a NEAR/3 b AND "c',
    ]
)


@pytest.mark.django_db
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=st.text(max_size=300) | NASTY,
    field=st.sampled_from(
        ["title", "author", "isbn", "clc", "year_from", "service_point", "sort", "page"]
    ),
    value=st.text(max_size=50) | NASTY,
)
def test_any_search_input_gets_a_page(net: Network, q: str, field: str, value: str) -> None:
    response = Client().get("/", {"q": q, field: value})

    assert response.status_code == 200
    assert b"<script>alert(1)" not in response.content
