"""Scheduled work for readers (registered with `core.jobs`; run by `shufang run-jobs` or
`serve`'s periodic runner)."""

from __future__ import annotations

import datetime as dt

from shufang.core.audit import Actor
from shufang.core.jobs import job
from shufang.readers.services import cards_expire_due


@job("readers.expire_cards", every=dt.timedelta(hours=1))
def expire_cards() -> int:
    """Cards past their expiry date that are still valid become expired. Hourly, so that a
    card is expired soon after midnight whichever server runs the jobs."""
    return cards_expire_due(actor=Actor.system("card expiry"))
