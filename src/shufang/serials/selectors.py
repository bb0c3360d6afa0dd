"""Read-only helpers of serials: counts for the annual report, late issues, the subscription
round worksheet, retention and binding lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from shufang.acquisitions.models import BudgetLine
from shufang.acquisitions.selectors import budget_line_status
from shufang.serials.models import Issue, IssueStatus, Subscription, SubscriptionStatus


def subscriptions_count(
    *, year: int, kind: str, library: Any = None, checked_in_only: bool = False
) -> int:
    """Titles subscribed for `year` (periodical or newspaper); with `checked_in_only`, those
    of which at least one issue was checked in."""
    subs = Subscription.objects.filter(year=year, kind=kind, status=SubscriptionStatus.ORDERED)
    if library is not None:
        subs = subs.filter(service_point__library=library)
    if checked_in_only:
        subs = subs.filter(issues__status__in=RECEIVED_STATES)
    return subs.values("title", "issn", "cn_number").distinct().count()


RECEIVED_STATES = (IssueStatus.RECEIVED, IssueStatus.BOUND)


def issues_late(*, at: dt.date, subscription: Subscription | None = None) -> list[Issue]:
    """Expected issues not checked in `claim_after_days` after their date (to claim)."""
    issues = Issue.objects.filter(
        status=IssueStatus.EXPECTED,
        expected_on__lt=at,
        subscription__status=SubscriptionStatus.ORDERED,
    ).select_related("subscription__service_point")
    if subscription is not None:
        issues = issues.filter(subscription=subscription)
    return [
        i
        for i in issues.order_by("expected_on", "pk")
        if i.expected_on is not None
        and i.expected_on + dt.timedelta(days=i.subscription.claim_after_days) < at
    ]


@dataclass(frozen=True)
class Worksheet:
    year: int
    budget_line: BudgetLine
    rows: list[Subscription]
    total: Decimal
    available: Decimal  # what the budget line has for it (its remaining, planned excluded)

    @property
    def over_budget(self) -> Decimal:
        return max(Decimal("0.00"), self.total - self.available)


def subscription_round_worksheet(*, year: int, budget_line: BudgetLine) -> Worksheet:
    """Next year's planned subscriptions on a budget line, priced against it."""
    rows = list(
        Subscription.objects.filter(
            year=year, budget_line=budget_line, status=SubscriptionStatus.PLANNED
        )
        .select_related("vendor", "service_point")
        .order_by("kind", "title", "pk")
    )
    total = sum((r.unit_price * r.copies for r in rows), Decimal("0.00"))
    status = budget_line_status(line=budget_line)
    return Worksheet(
        year=year, budget_line=budget_line, rows=rows, total=total, available=status.remaining
    )


def issues_due_for_discard(*, at: dt.date) -> QuerySet[Issue]:
    """Checked-in issues kept long enough (keep_years after their year), not to be bound."""
    issues = Issue.objects.filter(
        status=IssueStatus.RECEIVED,
        subscription__keep_years__isnull=False,
        subscription__bind=False,
    ).select_related("subscription")
    due = [
        i.pk
        for i in issues
        if i.subscription.keep_years is not None
        and i.subscription.year + i.subscription.keep_years < at.year
    ]
    return Issue.objects.filter(pk__in=due).order_by("subscription_id", "sequence")


def issues_ready_for_binding(*, subscription: Subscription) -> list[list[Issue]]:
    """Complete volumes: runs of `issues_per_volume` issues in sequence, all checked in."""
    if not subscription.bind:
        return []
    issues = list(subscription.issues.order_by("sequence"))
    size = max(1, subscription.issues_per_volume)
    volumes = []
    for start in range(0, len(issues), size):
        chunk = issues[start : start + size]
        if len(chunk) == size and all(i.status == IssueStatus.RECEIVED for i in chunk):
            volumes.append(chunk)
    return volumes
