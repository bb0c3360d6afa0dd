"""Renaming donors and bookshop terminals and changing a donor's contact: audited, and a
refusal changes nothing."""

from __future__ import annotations

import pytest

from shufang.acquisitions.models import BookshopTerminal, Donor
from shufang.acquisitions.services.bookshop import terminal_create, terminal_update
from shufang.acquisitions.services.donations import donor_create, donor_update
from shufang.core.audit import Actor
from shufang.core.exceptions import PermissionDenied, ValidationFailed
from shufang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_donor_is_renamed_and_given_a_contact_with_one_audit_event(acq) -> None:
    donor = donor_create(kind="organisation", name="丽江一中", actor=acq.actor)

    donor_update(donor=donor, name="丽江市第一中学", contact="0888-5120000", actor=acq.actor)

    donor.refresh_from_db()
    assert (donor.name, donor.contact, donor.address) == ("丽江市第一中学", "0888-5120000", "")
    event = AuditEvent.objects.get(action="donor.update")
    assert event.changes == {
        "name": ["丽江一中", "丽江市第一中学"],
        "contact": ["", "0888-5120000"],
    }


def test_a_named_donor_cannot_lose_their_name(acq) -> None:
    donor = donor_create(kind="person", name="和志强", actor=acq.actor)

    with pytest.raises(ValidationFailed):
        donor_update(donor=donor, name="  ", actor=acq.actor)

    assert Donor.objects.get().name == "和志强"
    assert AuditEvent.objects.filter(action="donor.update").count() == 0


def test_an_unchanged_donor_writes_no_audit_event(acq) -> None:
    donor = donor_create(kind="person", name="和志强", actor=acq.actor)

    donor_update(donor=donor, name="和志强", actor=acq.actor)

    assert AuditEvent.objects.filter(action="donor.update").count() == 0


@pytest.fixture
def terminal(acq) -> BookshopTerminal:
    created, _secret = terminal_create(
        code="XH-GC",
        name="新华书店古城店",
        vendor=acq.vendor,
        service_point=acq.net.point_a,
        collection=acq.net.collection,
        budget_line=acq.suggestions_line,
        actor=acq.actor,
    )
    return created


def test_a_terminal_is_renamed_and_keeps_its_code(acq, terminal) -> None:
    terminal_update(terminal=terminal, name="新华书店福慧路店", actor=acq.actor)

    terminal.refresh_from_db()
    assert (terminal.code, terminal.name) == ("XH-GC", "新华书店福慧路店")
    event = AuditEvent.objects.get(action="bookshop_terminal.update")
    assert event.changes == {"name": ["新华书店古城店", "新华书店福慧路店"]}


def test_staff_without_acquisitions_rights_cannot_rename_a_terminal(acq, terminal) -> None:
    with pytest.raises(PermissionDenied):
        terminal_update(
            terminal=terminal, name="别的名字", actor=Actor(user=acq.net.users["desk_a"])
        )

    terminal.refresh_from_db()
    assert terminal.name == "新华书店古城店"
