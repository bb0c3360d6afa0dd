from __future__ import annotations

import pytest

from shufang.core.audit import Actor
from shufang.network.models import Library, LibrarySystem, ServicePoint
from shufang.readers.identity import id_check_character
from shufang.readers.models import ReaderCategory


def make_id_number(first17: str) -> str:
    """A valid ID number: the first 17 digits and their check character."""
    return first17 + id_check_character(first17)


@pytest.fixture
def actor() -> Actor:
    return Actor.system("test")


@pytest.fixture
def service_point(db) -> ServicePoint:
    system = LibrarySystem.objects.create(code="CN-530700", name="丽江市总分馆体系")
    library = Library.objects.create(
        system=system, code="CN-530700-LJ", name="丽江市图书馆", kind="city"
    )
    return ServicePoint.objects.create(
        library=library, code="CN-530700-LJ-MAIN", name="总馆", kind="main"
    )


@pytest.fixture
def adult(db) -> ReaderCategory:
    return ReaderCategory.objects.create(code="ADULT", name="成人读者")


@pytest.fixture
def juvenile(db) -> ReaderCategory:
    return ReaderCategory.objects.create(code="CHILD", name="少儿读者", juvenile=True)
