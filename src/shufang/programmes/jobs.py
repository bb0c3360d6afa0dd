"""Scheduled work of the programmes: suspend planned events where a service mode forbids
gatherings (and release them when it no longer does)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shufang.core.audit import Actor
from shufang.core.jobs import job


@job("programmes.event_mode_check", every=dt.timedelta(hours=1))
def event_mode_check() -> None:
    from shufang.programmes.services import event_mode_check as check

    check(today=timezone.localdate(), actor=Actor.system("event mode check"))
