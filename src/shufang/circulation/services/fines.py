"""Overdue fines: optional policy (`LoanRule.fine_per_day`, default 0 = no fines).

A fine counts the days the lending calendar was open after the due day, up to and including
the day of return, less the rule's grace days. Closed days (weekly closing days, holidays,
emergency closures) never count, so a closure cannot make anyone pay."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shufang.circulation.models import Fine, Loan, LoanRule
from shufang.circulation.selectors import calendar_point_for
from shufang.core.audit import Actor, audit_record
from shufang.network.calendar import Calendar, is_open_on
from shufang.network.selectors import calendar_for


def overdue_days(*, due: dt.date, returned: dt.date, calendar: Calendar) -> int:
    """Open days strictly after `due` up to and including `returned`."""
    days = 0
    day = due + dt.timedelta(days=1)
    while day <= returned:
        if is_open_on(calendar, day):
            days += 1
        day += dt.timedelta(days=1)
    return days


def fine_amount(*, rule: LoanRule, days_overdue: int) -> Decimal:
    chargeable = max(0, days_overdue - rule.fine_grace_days)
    return (rule.fine_per_day * chargeable).quantize(Decimal("0.01"))


def fine_for_return(*, loan: Loan, returned_at: dt.datetime) -> Fine | None:
    """The overdue fine for `loan` returned at `returned_at`, written (with its audit event)
    when the rule charges fines and the amount is above zero; None otherwise. Uses the rule
    recorded on the loan at checkout (the terms the reader borrowed under). Locks nothing:
    called inside the checkin's transaction, which holds the item and the loan."""
    rule = loan.rule
    if rule is None or rule.fine_per_day <= 0 or loan.reader_id is None:
        return None
    due = timezone.localtime(loan.due_at).date()
    returned = timezone.localtime(returned_at).date()
    if returned <= due:
        return None
    calendar = calendar_for(
        service_point=calendar_point_for(loan.service_point), start=due, end=returned
    )
    days = overdue_days(due=due, returned=returned, calendar=calendar)
    amount = fine_amount(rule=rule, days_overdue=days)
    if amount <= 0:
        return None
    with transaction.atomic():
        fine = Fine.objects.create(
            reader_id=loan.reader_id,
            loan=loan,
            kind="overdue",
            amount=amount,
            created_at=returned_at,
            note=f"{days}d × {rule.fine_per_day} (grace {rule.fine_grace_days})",
        )
        audit_record(
            actor=Actor.system("fines"),
            action="fine.create",
            obj=fine,
            changes={"loan": loan.pk, "amount": amount, "days": days},
            library=loan.service_point.library_id,
        )
    return fine
