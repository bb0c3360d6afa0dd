"""Which blocks stand against a transaction, and which of them an override lifts.

The checks are small functions over already-loaded rows so the desk's preview, checkout and
renewal share them. Order matters only for which block is raised first: card, then item,
then the reader's limits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from shufang.catalogue.models import ItemStatus
from shufang.circulation import errors
from shufang.circulation.models import LoanRule
from shufang.core.audit import Actor
from shufang.core.permissions import has_permission
from shufang.readers.models import CardStatus


def card_blocks(*, card: Any, today: dt.date) -> list[errors.Block]:
    """Blocks from the reader's current card: missing, lost, suspended, cancelled, expired."""
    if card is None or card.status == CardStatus.CANCELLED:
        return [errors.CardNotValid()]
    if card.status == CardStatus.LOST:
        return [errors.CardLost(card=card.number)]
    if card.status == CardStatus.SUSPENDED:
        return [errors.CardSuspended(card=card.number)]
    if card.status == CardStatus.EXPIRED or card.expires_on < today:
        return [errors.CardExpired(card=card.number, expires_on=card.expires_on.isoformat())]
    return []


def item_blocks(
    *, item: Any, rule: LoanRule, trapped_for_reader_id: int | None, reader: Any
) -> list[errors.Block]:
    """Blocks from the item and the collection rules. `trapped_for_reader_id` is the reader
    an on-hold-shelf item is set aside for (None when not trapped)."""
    found: list[errors.Block] = []
    if not item.collection.loanable:
        found.append(errors.ItemNotLoanable(barcode=item.barcode))
    elif not rule.loanable:
        found.append(
            errors.CollectionNotAllowed(barcode=item.barcode, collection=item.collection.code)
        )
    status = item.status
    if status == ItemStatus.ON_LOAN:
        found.append(errors.ItemAlreadyOnLoan(barcode=item.barcode))
    elif status == ItemStatus.IN_QUARANTINE:
        found.append(errors.ItemInQuarantine(barcode=item.barcode))
    elif status == ItemStatus.ON_HOLD_SHELF:
        if trapped_for_reader_id != reader.pk:
            found.append(errors.ItemOnHoldForAnother(barcode=item.barcode))
    elif status != ItemStatus.AVAILABLE:
        found.append(errors.ItemNotAvailable(barcode=item.barcode, status=status))
    return found


def limit_blocks(
    *, rule: LoanRule, counts: dict[str, int], fines: Decimal | None
) -> list[errors.Block]:
    """Blocks from the reader's loans and fines. A limit of N loans refuses the (N+1)th;
    `max_overdue_items` N refuses when more than N are overdue (0: any overdue item blocks);
    `max_fines` refuses when the outstanding total is above it."""
    found: list[errors.Block] = []
    if counts["total"] >= rule.max_loans:
        found.append(errors.TooManyLoans(current=counts["total"], limit=rule.max_loans))
    if (
        rule.max_loans_in_collection is not None
        and counts["in_collection"] >= rule.max_loans_in_collection
    ):
        found.append(
            errors.TooManyLoansInCollection(
                current=counts["in_collection"], limit=rule.max_loans_in_collection
            )
        )
    if rule.max_overdue_items is not None and counts["overdue"] > rule.max_overdue_items:
        found.append(errors.TooManyOverdue(current=counts["overdue"], limit=rule.max_overdue_items))
    if rule.max_fines is not None and fines is not None and fines > rule.max_fines:
        found.append(errors.FinesOverLimit(outstanding=str(fines), limit=str(rule.max_fines)))
    return found


def may_override(*, actor: Actor, service_point: Any) -> bool:
    return has_permission(actor.user, "circulation.override", service_point=service_point)


def resolve_blocks(
    *,
    blocks: Iterable[errors.Block],
    override: Iterable[str],
    actor: Actor,
    service_point: Any,
) -> list[str]:
    """Raises the first block not lifted; returns the codes overridden. A block is lifted when
    it is overridable, its code is in `override` and the actor may override here."""
    wanted = set(override)
    lifted: list[str] = []
    allowed: bool | None = None
    for block in blocks:
        if block.overridable and block.code in wanted:
            if allowed is None:
                allowed = may_override(actor=actor, service_point=service_point)
            if allowed:
                lifted.append(block.code)
                continue
        raise block
    return lifted
