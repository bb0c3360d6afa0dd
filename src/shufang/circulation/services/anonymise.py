"""Anonymising loan history: `LOAN_HISTORY_DAYS` days after a loan is returned, the loan
forgets who borrowed it (reader and card cleared, `anonymised_at` set), unless the reader
keeps their history (the KEEP_LOAN_HISTORY consent, mirrored on `Reader.keep_loan_history`).

Statistics never read loans: they count `CirculationEvent` rows, which hold no reader identity,
so anonymising changes no past figure. Loans still open, lost or claimed returned are kept
whole (they are still the reader's business)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shufang.circulation.models import Loan, LoanStatus
from shufang.core.audit import Actor, audit_record

_BATCH = 5000


def loans_anonymise(*, at: dt.datetime | None = None, days: int | None = None) -> int:
    """Anonymise the loans returned more than `days` (default LOAN_HISTORY_DAYS) days before
    `at`; returns how many. Works in batches of conditional UPDATEs (each its own transaction,
    locking the loan rows it changes), so a second run at the same time finds nothing left to
    do and the job can stop half way without harm. One audit event per batch."""
    at = at or timezone.now()
    days = settings.LOAN_HISTORY_DAYS if days is None else days
    cutoff = at - dt.timedelta(days=days)
    due = Loan.objects.filter(
        status=LoanStatus.RETURNED,
        returned_at__lt=cutoff,
        reader__isnull=False,
        reader__keep_loan_history=False,
    )
    total = 0
    while True:
        with transaction.atomic():
            ids = list(due.order_by("pk").values_list("pk", flat=True)[:_BATCH])
            if not ids:
                break
            done = due.filter(pk__in=ids).update(reader=None, card=None, anonymised_at=at)
            audit_record(
                actor=Actor.system("anonymise"),
                action="loans.anonymised",
                object_type="circulation.loan",
                changes={
                    "count": done,
                    "returned_before": cutoff,
                    "first": ids[0],
                    "last": ids[-1],
                },
            )
        total += done
        if len(ids) < _BATCH:
            break
    return total
