"""Scheduled circulation work, run by `shufang run-jobs` (leases in `core.jobs` make each run
happen on one server at a time; each job also re-checks its rows, so a repeat is harmless).

Sections: holds and quarantine (engineer R); closures, notices, anonymisation (engineer C)."""

from __future__ import annotations

import datetime as dt

from shufang.core.jobs import job

# =========================================================================== holds, quarantine (R)


@job("circulation.holds_expire", every=dt.timedelta(hours=1))
def holds_expire_job() -> int:
    """Holds not collected within their hold shelf days, or past "not needed after"."""
    from shufang.circulation.services.holds import holds_expire

    return holds_expire()


@job("circulation.quarantine_release", every=dt.timedelta(minutes=15))
def quarantine_release_job() -> int:
    """Items whose quarantine is over go on to their hold, home, or the shelf."""
    from shufang.circulation.services.quarantine import quarantine_release_due

    return quarantine_release_due()


# =========================================================================== engineer C
