"""Read-only helpers of acquisitions: budget status, catalogue check, claims due, and the
figures of the annual report (additions by source, spending by budget line)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from shufang.acquisitions.models import (
    BookshopPurchase,
    BudgetLine,
    InvoiceLine,
    OrderLine,
    OrderLineStatus,
    OrderStatus,
    Suggestion,
    SuggestionRequest,
    SuggestionRule,
    SuggestionStatus,
)
from shufang.catalogue.models import AcquisitionSource, Item, ItemStatus, MaterialType, Record

ZERO = Decimal("0.00")
GONE = (ItemStatus.WITHDRAWN, ItemStatus.LOST, ItemStatus.MISSING)
OPEN_SUGGESTION = (SuggestionStatus.PENDING, SuggestionStatus.APPROVED)
# Sources bought with the library's money (the annual report's "purchased additions").
PURCHASED_SOURCES = (
    AcquisitionSource.READER_SUGGESTION,
    AcquisitionSource.PURCHASE,
    AcquisitionSource.LOCAL_DOCUMENTS,
)
SERIAL_TYPES = (MaterialType.PERIODICAL, MaterialType.NEWSPAPER)


# --------------------------------------------------------------------------- budgets


@dataclass(frozen=True)
class BudgetLineStatus:
    line: BudgetLine
    amount: Decimal
    committed: Decimal  # ordered (or lent in a bookshop, or subscribed) and not yet invoiced
    spent: Decimal  # invoiced

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.committed - self.spent

    @property
    def percent_used(self) -> int:
        if not self.amount:
            return 100
        return int((self.committed + self.spent) * 100 / self.amount)

    @property
    def warning(self) -> bool:
        """Near or over the line: staff see a warning before it is overspent."""
        return self.percent_used >= self.line.warn_at_percent or self.remaining < 0


def _sum(qs: QuerySet[Any], expr: Any) -> Decimal:
    value = qs.aggregate(total=Coalesce(Sum(expr), ZERO, output_field=_MONEY))["total"]
    return Decimal(value).quantize(Decimal("0.01"))


_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


def budget_line_committed(line: BudgetLine) -> Decimal:
    outstanding = ExpressionWrapper(
        (F("copies") - F("copies_cancelled") - F("copies_invoiced")) * F("unit_price"),
        output_field=_MONEY,
    )
    committed = _sum(
        OrderLine.objects.filter(budget_line=line).exclude(status=OrderLineStatus.CANCELLED),
        outstanding,
    )
    committed += _sum(
        BookshopPurchase.objects.filter(terminal__budget_line=line, invoice_line__isnull=True),
        F("price"),
    )
    from shufang.serials.models import Subscription, SubscriptionStatus

    committed += _sum(
        Subscription.objects.filter(
            budget_line=line, status=SubscriptionStatus.ORDERED, invoice_line__isnull=True
        ),
        ExpressionWrapper(F("unit_price") * F("copies"), output_field=_MONEY),
    )
    return committed


def budget_line_status(*, line: BudgetLine) -> BudgetLineStatus:
    spent = _sum(InvoiceLine.objects.filter(budget_line=line), F("amount"))
    return BudgetLineStatus(
        line=line, amount=line.amount, committed=budget_line_committed(line), spent=spent
    )


def budget_status(*, year: int, library: Any = None) -> list[BudgetLineStatus]:
    lines = BudgetLine.objects.filter(fund__year=year).select_related("fund")
    if library is not None:
        lines = lines.filter(fund__library=library)
    return [budget_line_status(line=line) for line in lines.order_by("fund_id", "code")]


# --------------------------------------------------------------------------- suggestions


@dataclass(frozen=True)
class CatalogueCheck:
    """What the catalogue already has of a suggested title."""

    record: Record | None = None
    held: bool = False  # copies in the network (not withdrawn, lost or missing)
    copies: int = 0
    on_order: bool = False  # copies ordered and not yet received
    suggestion: Suggestion | None = None  # an open suggestion of the title here (to merge)
    notes: list[str] = field(default_factory=list)


def catalogue_check(*, library: Any, isbn: str = "", title: str = "") -> CatalogueCheck:
    from shufang.acquisitions.services.common import record_by_isbn, title_key

    record = record_by_isbn(isbn)
    if record is None and title and not isbn:
        record = Record.objects.filter(title=title, deleted_at__isnull=True).order_by("pk").first()
    copies = 0
    on_order = False
    if record is not None:
        copies = Item.objects.filter(record=record).exclude(status__in=GONE).count()
        on_order = (
            OrderLine.objects.filter(
                record=record, status__in=(OrderLineStatus.OPEN, OrderLineStatus.PARTLY_RECEIVED)
            )
            .exclude(order__status=OrderStatus.CANCELLED)
            .exists()
        )
    open_suggestions = Suggestion.objects.filter(
        library=library, status__in=OPEN_SUGGESTION
    ).order_by("pk")
    if isbn:
        suggestion = open_suggestions.filter(isbn=isbn).first()
    else:
        suggestion = open_suggestions.filter(title_key=title_key(title), isbn="").first()
    if suggestion is not None and suggestion.status == SuggestionStatus.APPROVED:
        on_order = True
    return CatalogueCheck(
        record=record,
        held=copies > 0,
        copies=copies,
        on_order=on_order,
        suggestion=suggestion,
    )


def suggestion_rule_for(*, library: Any) -> SuggestionRule:
    """The library's rules, or permissive defaults when it has none."""
    library_id = getattr(library, "pk", library)
    rule = SuggestionRule.objects.filter(library_id=library_id).first()
    return rule or SuggestionRule(library_id=library_id)


def reader_quota_used(*, reader: Any, year: int) -> int:
    start = timezone.make_aware(dt.datetime.combine(dt.date(year, 1, 1), dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(dt.date(year + 1, 1, 1), dt.time.min))
    return SuggestionRequest.objects.filter(
        reader=reader, created_at__gte=start, created_at__lt=end
    ).count()


def reader_suggestions(*, reader: Any) -> QuerySet[SuggestionRequest]:
    return (
        SuggestionRequest.objects.filter(reader=reader)
        .select_related("suggestion")
        .order_by("-created_at", "-pk")
    )


def suggestions_list(*, status: str = "", library_ids: Any = None) -> QuerySet[Suggestion]:
    qs = Suggestion.objects.select_related("library", "record")
    if status:
        qs = qs.filter(status=status)
    if library_ids is not None:
        qs = qs.filter(library_id__in=library_ids)
    return qs.order_by("-request_count", "-created_at", "-pk")


# --------------------------------------------------------------------------- orders


def order_lines_to_claim(*, at: dt.date | None = None) -> QuerySet[OrderLine]:
    """Lines with copies outstanding past their expected date (or the vendor's claim delay
    after the order date when no date was given)."""
    at = at or timezone.localdate()
    lines = OrderLine.objects.filter(
        status__in=(OrderLineStatus.OPEN, OrderLineStatus.PARTLY_RECEIVED),
        order__status=OrderStatus.OPEN,
    ).select_related("order__vendor", "record")
    late = [
        line.pk
        for line in lines
        if (
            line.expected_by
            or line.order.ordered_on + dt.timedelta(days=line.order.vendor.claim_after_days)
        )
        < at
    ]
    return lines.filter(pk__in=late).order_by("order__ordered_on", "pk")


# --------------------------------------------------------------------------- annual report


@dataclass(frozen=True)
class Additions:
    """Items added in a period (serial issues not counted: they are counted as titles)."""

    by_source: dict[str, int]
    total: int
    purchased: int
    juvenile: int
    cost_by_source: dict[str, Decimal]


def additions_by_source(*, start: dt.date, end: dt.date, library: Any = None) -> Additions:
    """Items acquired from `start` to `end` (both included), by acquisition source."""
    items = Item.objects.filter(acquired_on__gte=start, acquired_on__lte=end).exclude(
        record__material_type__in=SERIAL_TYPES
    )
    if library is not None:
        items = items.filter(owning_library=library)
    rows = items.values("acquisition_source").annotate(
        n=Count("pk"), cost=Coalesce(Sum("price"), ZERO, output_field=_MONEY)
    )
    by_source = {source: 0 for source in AcquisitionSource.values}
    cost = {source: ZERO for source in AcquisitionSource.values}
    for row in rows:
        by_source[row["acquisition_source"]] = row["n"]
        cost[row["acquisition_source"]] = Decimal(row["cost"]).quantize(Decimal("0.01"))
    return Additions(
        by_source=by_source,
        total=sum(by_source.values()),
        purchased=sum(by_source[s] for s in PURCHASED_SOURCES),
        juvenile=items.filter(collection__juvenile=True).count(),
        cost_by_source=cost,
    )


@dataclass(frozen=True)
class Spending:
    line: BudgetLine
    amount: Decimal
    committed: Decimal
    spent: Decimal
    remaining: Decimal


def spending_by_budget_line(*, year: int, library: Any = None) -> list[Spending]:
    """Each budget line of the fiscal year: budgeted, committed, spent (invoiced), remaining."""
    return [
        Spending(
            line=s.line,
            amount=s.amount,
            committed=s.committed,
            spent=s.spent,
            remaining=s.remaining,
        )
        for s in budget_status(year=year, library=library)
    ]


def invoice_total(*, invoice: Any) -> Decimal:
    return _sum(InvoiceLine.objects.filter(invoice=invoice), F("amount"))
