"""Scheduled work of the operations ledgers."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shufang.core.audit import Actor
from shufang.core.jobs import job


@job("operations.inspection_reminders", every=dt.timedelta(hours=6))
def inspection_reminders() -> None:
    from shufang.operations.services.reminders import reminders_inspections_refresh

    reminders_inspections_refresh(
        today=timezone.localdate(), actor=Actor.system("inspection reminders")
    )
