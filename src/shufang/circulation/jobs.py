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
# (closures, notices, anonymisation)


@job("circulation.notices_queue", every=dt.timedelta(hours=1))
def notices_queue_job() -> dict[str, int]:
    """Due soon, overdue, hold ready and hold expiring notices (each at most once: unique
    keys)."""
    from shufang.circulation.notices import notices_queue_all

    return notices_queue_all()


@job("circulation.notices_send", every=dt.timedelta(minutes=5))
def notices_send_job() -> int:
    """Pending notices through the channels the readers consented to."""
    from shufang.circulation.notices import notices_send_pending

    return notices_send_pending()


@job("circulation.loans_anonymise", every=dt.timedelta(days=1))
def loans_anonymise_job() -> int:
    """Loan history older than LOAN_HISTORY_DAYS, unless the reader keeps it."""
    from shufang.circulation.services.anonymise import loans_anonymise

    return loans_anonymise()
