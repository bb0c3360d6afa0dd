"""Staff pages editing donors (network-wide) and bookshop terminals (scoped to the terminal's
library): the acquisitions team can use them; other roles and libraries are refused."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from shufang.acquisitions.models import BookshopTerminal, Donor
from shufang.acquisitions.services.bookshop import terminal_create
from shufang.acquisitions.services.donations import donor_create
from shufang.core.models import AuditEvent, Role
from shufang.web.tests.fixtures import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def browser(username: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def donor(acq) -> Donor:
    return donor_create(kind="organisation", name="丽江一中", actor=acq.actor)


@pytest.fixture
def terminal(acq) -> BookshopTerminal:
    return terminal_create(
        code="XH-GC",
        name="新华书店古城店",
        vendor=acq.vendor,
        service_point=acq.net.point_a,
        collection=acq.net.collection,
        budget_line=acq.suggestions_line,
        actor=acq.actor,
    )[0]


def test_staff_rename_a_donor_and_give_a_contact(acq, donor) -> None:
    staff = browser("acq_a")
    form = staff.get(f"/staff/acquisitions/donors/{donor.pk}/").content.decode()

    response = staff.post(
        f"/staff/acquisitions/donors/{donor.pk}/",
        {"name": "丽江市第一中学", "contact": "0888-5120000", "address": ""},
    )

    assert 'value="丽江一中"' in form
    assert response["Location"] == "/staff/acquisitions/donations/"
    donor.refresh_from_db()
    assert (donor.name, donor.contact, donor.anonymous) == ("丽江市第一中学", "0888-5120000", False)
    assert AuditEvent.objects.filter(action="donor.update").count() == 1


def test_a_named_donor_cannot_lose_their_name_on_the_page(acq, donor) -> None:
    response = browser("acq_a").post(f"/staff/acquisitions/donors/{donor.pk}/", {"name": " "})

    assert "A donor needs a name, or is anonymous." in response.content.decode()
    assert Donor.objects.get().name == "丽江一中"


def test_another_role_cannot_edit_a_donor(acq, donor) -> None:
    # given: desk_a (of the network fixture) lends at library A
    events = AuditEvent.objects.count()

    response = browser("desk_a").post(
        f"/staff/acquisitions/donors/{donor.pk}/", {"name": "改名", "contact": "x"}
    )

    assert response.status_code == 403
    donor.refresh_from_db()
    assert (donor.name, donor.contact) == ("丽江一中", "")
    assert AuditEvent.objects.count() == events


def test_staff_rename_a_terminal_and_its_code_stays(acq, terminal) -> None:
    staff = browser("acq_a")
    form = staff.get(f"/staff/acquisitions/terminals/{terminal.pk}/").content.decode()

    response = staff.post(
        f"/staff/acquisitions/terminals/{terminal.pk}/", {"name": "新华书店福慧店"}
    )

    assert 'value="新华书店古城店"' in form
    assert response["Location"] == "/staff/acquisitions/terminals/"
    terminal.refresh_from_db()
    assert (terminal.code, terminal.name) == ("XH-GC", "新华书店福慧店")
    assert AuditEvent.objects.filter(action="bookshop_terminal.update").count() == 1


@pytest.mark.parametrize(("username", "status"), [("acq_b", 404), ("desk_a", 403)])
def test_another_library_or_role_cannot_rename_a_terminal(acq, terminal, username, status) -> None:
    # given: acq_b works at library B, desk_a (of the network fixture) lends at library A
    make_user("acq_b", (Role.ACQUISITIONS, acq.net.library_b))
    events = AuditEvent.objects.count()

    response = browser(username).post(
        f"/staff/acquisitions/terminals/{terminal.pk}/", {"name": "改名"}
    )

    assert response.status_code == status
    terminal.refresh_from_db()
    assert terminal.name == "新华书店古城店"
    assert AuditEvent.objects.count() == events
