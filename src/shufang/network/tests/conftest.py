from __future__ import annotations

import pytest

from shufang.core.audit import Actor
from shufang.network.models import Library, LibrarySystem, ServicePoint


@pytest.fixture
def actor() -> Actor:
    return Actor.system("test")


@pytest.fixture
def system(db) -> LibrarySystem:
    return LibrarySystem.objects.create(code="CN-530700", name="丽江市总分馆体系")


@pytest.fixture
def library(system) -> Library:
    return Library.objects.create(
        system=system, code="CN-530700-LJ", name="丽江市图书馆", kind="city"
    )


@pytest.fixture
def service_point(library) -> ServicePoint:
    return ServicePoint.objects.create(
        library=library, code="CN-530700-LJ-MAIN", name="总馆", kind="main"
    )
