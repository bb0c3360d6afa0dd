"""Read-only helpers for circulation.

Sections: loans and rules (engineer L), holds and transits (engineer R)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Sum, When

from shufang.catalogue.models import Item, ItemStatus
from shufang.circulation.models import (
    OPEN_LOAN_STATUSES,
    Fine,
    FineStatus,
    Hold,
    HoldStatus,
    Loan,
    LoanRule,
    LoanStatus,
    QuarantineEntry,
    Transit,
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
# --- holds, transits, quarantine


@dataclass(frozen=True)
class PickLine:
    """One line of a pick list: fetch `item` (at this service point) for `hold`."""

    hold: Hold
    item: Item


def hold_queue(*, record: Any) -> QuerySet[Hold]:
    """The open holds on a record in queue order (FIFO by placed_at, then id)."""
    return (
        Hold.objects.filter(
            record=record,
            status__in=(HoldStatus.WAITING, HoldStatus.IN_TRANSIT, HoldStatus.READY),
        )
        .select_related("reader", "item", "trapped_item", "pickup_service_point")
        .order_by("placed_at", "id")
    )


def hold_shelf_list(*, service_point: ServicePoint) -> QuerySet[Hold]:
    """Holds ready on the hold shelf of `service_point`, first to expire first."""
    return (
        Hold.objects.filter(pickup_service_point=service_point, status=HoldStatus.READY)
        .select_related("reader", "record", "trapped_item")
        .order_by("shelf_expires_on", "ready_at", "id")
    )


def pick_list(*, service_point: ServicePoint, day: dt.date | None = None) -> list[PickLine]:
    """What staff at `service_point` fetch from the stacks (closed-stack requests, or holds
    on copies sitting on the shelf here), sorted by call number sort key. Each waiting hold,
    in queue order, gets one available loanable copy here, and each copy serves one hold. A
    hold whose pickup point has an available copy of its own is left to that point's list.
    Three queries."""
    from django.utils import timezone

    day = day or timezone.localdate()
    copies = list(
        Item.objects.filter(
            current_service_point=service_point,
            status=ItemStatus.AVAILABLE,
            collection__loanable=True,
            record__holds__status=HoldStatus.WAITING,
        )
        .distinct()
        .order_by("call_number_sort", "barcode")
    )
    if not copies:
        return []
    record_ids = {c.record_id for c in copies}
    holds = list(
        Hold.objects.filter(record_id__in=record_ids, status=HoldStatus.WAITING)
        .exclude(not_needed_after__lt=day)
        .select_related("reader", "record", "pickup_service_point")
        .order_by("placed_at", "id")
    )
    elsewhere = {h.pickup_service_point_id for h in holds} - {service_point.pk}
    covered = set(
        Item.objects.filter(
            record_id__in=record_ids,
            current_service_point_id__in=elsewhere,
            status=ItemStatus.AVAILABLE,
            collection__loanable=True,
        ).values_list("record_id", "current_service_point_id")
    )
    taken: set[int] = set()
    lines = []
    for hold in holds:
        if (hold.record_id, hold.pickup_service_point_id) in covered:
            continue
        for copy in copies:
            if copy.pk in taken or copy.record_id != hold.record_id:
                continue
            if hold.item_id is not None and hold.item_id != copy.pk:
                continue
            taken.add(copy.pk)
            lines.append(PickLine(hold=hold, item=copy))
            break
    lines.sort(key=lambda line: (line.item.call_number_sort, line.item.barcode))
    return lines


def transit_list(*, service_point: ServicePoint, direction: str = "incoming") -> QuerySet[Transit]:
    """Open transits coming to `service_point` ("incoming"), leaving it ("outgoing") or both
    ("all"), oldest first."""
    rows = Transit.objects.filter(received_at__isnull=True, cancelled_at__isnull=True)
    if direction == "incoming":
        rows = rows.filter(to_service_point=service_point)
    elif direction == "outgoing":
        rows = rows.filter(from_service_point=service_point)
    else:
        rows = rows.filter(
            Q(to_service_point=service_point) | Q(from_service_point=service_point)
        )
    return rows.select_related(
        "item", "item__record", "from_service_point", "to_service_point", "hold__reader"
    ).order_by("sent_at", "id")


def quarantine_list(*, service_point: ServicePoint) -> QuerySet[QuarantineEntry]:
    """Items in quarantine at `service_point`, first to end first."""
    return (
        QuarantineEntry.objects.filter(service_point=service_point, released_at__isnull=True)
        .select_related("item", "item__record")
        .order_by("ends_at", "id")
    )
