"""Generated card numbers stay unique when desks register readers at the same time."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from shufang.readers.models import Card
from shufang.readers.services import reader_register


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_card_numbers(adult, service_point, actor):
    # Given four desks registering three readers each at the same moment
    errors: list[Exception] = []
    barrier = threading.Barrier(4)

    def desk(n: int) -> None:
        try:
            barrier.wait()
            for i in range(3):
                reader_register(
                    name=f"读者{n}-{i}",
                    category=adult,
                    home_service_point=service_point,
                    actor=actor,
                )
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # Then every reader has a card and the numbers run from 1 to 12 without a gap
    assert errors == []
    assert sorted(Card.objects.values_list("number", flat=True)) == [
        f"R{n:09d}" for n in range(1, 13)
    ]
