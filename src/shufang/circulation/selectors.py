"""Read-only helpers for circulation.

Sections: loans and rules (engineer L), holds and transits (engineer R)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Sum, When

from shufang.circulation.models import (
    OPEN_LOAN_STATUSES,
    Fine,
    FineStatus,
    Loan,
    LoanRule,
    LoanStatus,
)
from shufang.circulation.rules import RuleContext, best_rule
from shufang.network.models import ServicePoint, ServicePointKind

# =========================================================================== loans and rules (L)

# Service points without a desk of their own: their due dates follow the calendar of the
# library's main building, where readers return what they borrowed there.
UNSTAFFED_KINDS = frozenset(
    {ServicePointKind.KIOSK, ServicePointKind.EBOOK_MACHINE, ServicePointKind.STUDY_ROOM}
)


def rule_for(ctx: RuleContext) -> LoanRule:
    """The most specific rule matching `ctx` (one query). With no rule at all in the matrix,
    an unsaved rule with the model defaults, so lending never stops for want of a row."""
    scope = (
        (Q(service_point__isnull=True) | Q(service_point_id=ctx.service_point_id))
        & (Q(library__isnull=True) | Q(library_id=ctx.library_id))
        & (Q(reader_category__isnull=True) | Q(reader_category_id=ctx.reader_category_id))
        & (Q(collection__isnull=True) | Q(collection_id=ctx.collection_id))
        & (Q(material_type="") | Q(material_type=ctx.material_type))
    )
    rule = best_rule(LoanRule.objects.filter(scope), ctx)
    return rule if isinstance(rule, LoanRule) else LoanRule(name="default")


def rule_context(*, item: Any, reader: Any, service_point: ServicePoint) -> RuleContext:
    """The rule context of a transaction; `item.record` should be loaded (select_related)."""
    return RuleContext(
        library_id=service_point.library_id,
        service_point_id=service_point.pk,
        reader_category_id=reader.category_id,
        collection_id=item.collection_id,
        material_type=item.record.material_type,
    )


def rule_for_transaction(*, item: Any, reader: Any, service_point: ServicePoint) -> LoanRule:
    return rule_for(rule_context(item=item, reader=reader, service_point=service_point))


def calendar_point_for(service_point: ServicePoint) -> ServicePoint:
    """The service point whose calendar sets due dates for loans made at `service_point`:
    itself, or for a kiosk, e-book machine or 24-hour study room the main building of its
    library (where such loans are returned). Falls back to the point itself."""
    if service_point.kind not in UNSTAFFED_KINDS:
        return service_point
    main = (
        ServicePoint.objects.filter(library_id=service_point.library_id)
        .exclude(kind__in=UNSTAFFED_KINDS)
        # the main building first, then any other staffed point
        .order_by(Case(When(kind=ServicePointKind.MAIN, then=0), default=1), "code")
        .first()
    )
    return main or service_point


def reader_loans_current(*, reader: Any) -> QuerySet[Loan]:
    """The reader's open loans (on loan or claimed returned), soonest due first, with item,
    record and collection loaded."""
    return (
        Loan.objects.filter(reader=reader, status__in=OPEN_LOAN_STATUSES)
        .select_related("item", "item__record", "item__collection", "service_point")
        .order_by("due_at", "pk")
    )


def reader_loan_counts(
    *, reader: Any, collection_id: int | None, at: dt.datetime
) -> dict[str, int]:
    """In one query: the reader's current loans (`total`), those from `collection_id`
    (`in_collection`) and those overdue at `at` (`overdue`). Deposit loans are not counted;
    a loan claimed returned counts as a loan but not as overdue."""
    active = Q(status=LoanStatus.ACTIVE)
    counts = Loan.objects.filter(
        reader=reader, status__in=OPEN_LOAN_STATUSES, deposit__isnull=True
    ).aggregate(
        total=Count("pk"),
        in_collection=Count("pk", filter=Q(item__collection_id=collection_id)),
        overdue=Count("pk", filter=active & Q(due_at__lt=at)),
    )
    return {k: int(v or 0) for k, v in counts.items()}


def reader_overdue_count(*, reader: Any, at: dt.datetime) -> int:
    return Loan.objects.filter(
        reader=reader, status=LoanStatus.ACTIVE, due_at__lt=at, deposit__isnull=True
    ).count()


def reader_fines_outstanding(*, reader: Any) -> Decimal:
    total = Fine.objects.filter(reader=reader, status=FineStatus.OUTSTANDING).aggregate(
        s=Sum("amount")
    )["s"]
    return total if total is not None else Decimal("0")


# =========================================================================== holds, transits (R)
