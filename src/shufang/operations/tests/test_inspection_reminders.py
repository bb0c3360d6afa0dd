"""An overdue recurring inspection opens one reminder on the staff home; recording the
inspection resolves it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from shufang.core.audit import Actor
from shufang.operations.models import Reminder
from shufang.operations.services.ledger import ledger_entry_create
from shufang.operations.services.reminders import reminders_inspections_refresh
from shufang.operations.tests.fixtures import PASSWORD, Lijiang

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")


def inspect(lj: Lijiang, kind: str, day: dt.date) -> None:
    ledger_entry_create(ledger="inspection", library=lj.library, actor=ACTOR,
                        values={"kind": kind, "done_on": day, "inspector": "王松涛"})  # fmt: skip


def test_an_overdue_lift_maintenance_opens_one_reminder_shown_on_the_staff_home(
    lj: Lijiang,
) -> None:
    inspect(lj, "lift", dt.date(2020, 11, 1))  # due every 15 days: by 2020-11-16
    inspect(lj, "patrol", dt.date(2020, 11, 15))  # due by 2020-11-22

    first = reminders_inspections_refresh(today=dt.date(2020, 11, 20), actor=ACTOR)
    again = reminders_inspections_refresh(today=dt.date(2020, 11, 21), actor=ACTOR)

    assert first == {"opened": 1, "resolved": 0}
    assert again == {"opened": 0, "resolved": 0}
    assert list(Reminder.objects.values_list("key", "resolved_at")) == [
        ("inspection_overdue:lift", None)
    ]
    client = Client()
    client.login(username="manager", password=PASSWORD)
    home = client.get("/staff/").content.decode()
    assert home.count('class="error reminder"') == 1
    assert "2020-11-16" in home
    county = Client()
    county.login(username="county_manager", password=PASSWORD)
    assert 'class="error reminder"' not in county.get("/staff/").content.decode()


def test_recording_the_inspection_resolves_the_reminder(lj: Lijiang) -> None:
    inspect(lj, "lift", dt.date(2020, 11, 1))
    reminders_inspections_refresh(today=dt.date(2020, 11, 20), actor=ACTOR)

    inspect(lj, "lift", dt.date(2020, 11, 20))
    result = reminders_inspections_refresh(today=dt.date(2020, 11, 21), actor=ACTOR)

    assert result == {"opened": 0, "resolved": 1}
    assert Reminder.objects.filter(resolved_at__isnull=True).count() == 0
