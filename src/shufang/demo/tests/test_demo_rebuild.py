"""Building the demo again: refused over a network it did not build, and rebuilt from an empty
database with `reset`."""

from __future__ import annotations

import pytest

from shufang.core.audit import Actor
from shufang.core.exceptions import Conflict
from shufang.demo.models import DemoBuild
from shufang.demo.services import demo_build
from shufang.network import services as network
from shufang.network.models import Library, LibrarySystem
from shufang.readers.models import Reader


@pytest.mark.django_db
def test_demo_refuses_a_database_holding_another_network():
    # given a network that the demo did not build
    network.library_system_create(code="CN-110000", name="别的体系", actor=Actor.system("test"))
    # when building the demo; then it refuses and changes nothing
    with pytest.raises(Conflict):
        demo_build(scale="tiny")
    assert LibrarySystem.objects.get().code == "CN-110000"
    assert Library.objects.count() == 0
    assert not DemoBuild.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_demo_reset_builds_again_from_an_empty_database():
    first = demo_build(scale="tiny")
    Reader.objects.filter(name="和丽华").update(notes="changed")
    second = demo_build(scale="tiny", reset=True)
    assert second.built is True
    assert second.counts == first.counts
    assert DemoBuild.objects.count() == 1
    assert Reader.objects.get(name="和丽华").notes == ""
