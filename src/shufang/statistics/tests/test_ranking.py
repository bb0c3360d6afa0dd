"""The borrowing ranking ranks people: a group card borrowing a deposit collection is not a
borrowing star, however many items it took."""

from __future__ import annotations

import pytest

from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.tests.conftest import local
from shufang.readers.models import CategoryKind, ReaderCategory
from shufang.statistics.report import borrowing_ranking

pytestmark = pytest.mark.django_db


def test_a_group_card_is_left_out_of_the_ranking_and_categories_are_named(
    make_reader, make_item, rules, clerk_actor, main
) -> None:
    camp = ReaderCategory.objects.create(
        code="GROUP", name="集体读者", name_en="Group", kind=CategoryKind.GROUP
    )
    group = make_reader("武警新兵集训队", category=camp)
    person = make_reader("和雨涵")
    when = local(2024, 3, 5, 10)
    for _ in range(3):
        loan_checkout(
            item=make_item(), reader=group, service_point=main, at=when, actor=clerk_actor
        )
    loan_checkout(item=make_item(), reader=person, service_point=main, at=when, actor=clerk_actor)

    ranking = borrowing_ranking(year=2024)

    assert [(row.rank, row.category, row.category_name, row.loans) for row in ranking] == [
        (1, "ADULT", "成人读者", 1)
    ]
