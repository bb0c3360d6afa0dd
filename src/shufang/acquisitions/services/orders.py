"""Orders, receiving, cancelling, claims and invoices.

Receiving locks the order line row, creates one item per copy (in processing, with the line's
source and price, so the annual report can count it) and, for a line bought on a reader's
suggestion, places a hold for each reader who asked for the title and tells them it arrived."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.errors import NothingOutstanding
from shufang.acquisitions.models import (
    BudgetLine,
    Invoice,
    InvoiceLine,
    Order,
    OrderClaim,
    OrderLine,
    OrderLineStatus,
    OrderStatus,
    Receipt,
    Suggestion,
    SuggestionStatus,
    Vendor,
)
from shufang.acquisitions.notices import suggestion_notice_queue
from shufang.acquisitions.services.budgets import budget_line_reserve
from shufang.acquisitions.services.common import clean_price, next_barcodes, require_acq
from shufang.catalogue.models import AcquisitionSource, Collection, ItemStatus, Record
from shufang.catalogue.services.items import item_create
from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import InvalidTransition, ShufangError, ValidationFailed
from shufang.network.models import Library, ServicePoint

RECEIPT_BARCODE_PREFIX = "AQ"


def order_create(
    *,
    library: Library,
    vendor: Vendor,
    number: str,
    service_point: ServicePoint,
    collection: Collection,
    budget_line: BudgetLine,
    actor: Actor,
    ordered_on: dt.date | None = None,
    notes: str = "",
) -> Order:
    require_acq(actor, library)
    if service_point.library_id != library.pk:
        raise ValidationFailed(_("The destination is not a service point of this library."))
    if not number.strip():
        raise ValidationFailed(_("An order needs a number."), field="number")
    with transaction.atomic():
        order = Order.objects.create(
            library=library,
            vendor=vendor,
            number=number.strip(),
            ordered_on=ordered_on or timezone.localdate(),
            service_point=service_point,
            collection=collection,
            budget_line=budget_line,
            notes=notes,
        )
        audit_record(actor=actor, action="order.create", obj=order, library=library.pk)
    return order


def order_line_add(
    *,
    order: Order,
    record: Record,
    copies: int,
    unit_price: Decimal,
    actor: Actor,
    budget_line: BudgetLine | None = None,
    service_point: ServicePoint | None = None,
    collection: Collection | None = None,
    acquisition_source: str = AcquisitionSource.PURCHASE,
    suggestion: Suggestion | None = None,
    expected_by: dt.date | None = None,
    allow_overspend: bool = False,
) -> OrderLine:
    """Commit `copies × unit_price` to the budget line (refused when it would overspend the
    line, unless `allow_overspend`). Locks the budget line row."""
    require_acq(actor, order.library_id)
    if order.status != OrderStatus.OPEN:
        raise InvalidTransition(_("Lines can be added only to an open order."), state=order.status)
    if copies < 1:
        raise ValidationFailed(_("Order at least one copy."), field="copies")
    price = clean_price(unit_price, field="unit_price")
    if price is None:
        raise ValidationFailed(_("An order line needs a price."), field="unit_price")
    if acquisition_source not in AcquisitionSource.values:
        raise ValidationFailed(_("Unknown acquisition source."), field="acquisition_source")
    with transaction.atomic():
        line_budget = budget_line_reserve(
            line=budget_line or order.budget_line,
            amount=price * copies,
            allow_overspend=allow_overspend,
        )
        line = OrderLine.objects.create(
            order=order,
            record=record,
            suggestion=suggestion,
            copies=copies,
            unit_price=price,
            budget_line=line_budget,
            service_point=service_point or order.service_point,
            collection=collection or order.collection,
            acquisition_source=acquisition_source,
            expected_by=expected_by,
        )
        audit_record(
            actor=actor,
            action="order_line.create",
            obj=line,
            library=order.library_id,
            changes={
                "record": record.pk,
                "copies": copies,
                "unit_price": price,
                "budget_line": line_budget.pk,
                "source": acquisition_source,
                "overspend_allowed": allow_overspend,
            },
        )
    return line


def _line_status(line: OrderLine) -> str:
    if line.copies_received + line.copies_cancelled >= line.copies:
        return OrderLineStatus.RECEIVED if line.copies_received else OrderLineStatus.CANCELLED
    return OrderLineStatus.PARTLY_RECEIVED if line.copies_received else OrderLineStatus.OPEN


def order_line_receive(
    *,
    line: OrderLine,
    copies: int,
    actor: Actor,
    received_on: dt.date | None = None,
    barcodes: list[str] | None = None,
) -> Receipt:
    """Receive `copies` of a line (all outstanding, or some). Items are created in processing
    with barcodes (given, or the next free `AQ` numbers). Locks the order line."""
    received_on = received_on or timezone.localdate()
    with transaction.atomic():
        locked = (
            OrderLine.objects.select_for_update(of=("self",))
            .select_related("order", "record", "service_point", "collection", "suggestion")
            .get(pk=line.pk)
        )
        require_acq(actor, locked.order.library_id)
        if copies < 1 or copies > locked.copies_outstanding:
            raise NothingOutstanding(
                _("%(copies)s copies cannot be received: %(outstanding)s are outstanding.")
                % {"copies": copies, "outstanding": locked.copies_outstanding},
                outstanding=locked.copies_outstanding,
            )
        codes = [b.strip() for b in barcodes or [] if b.strip()]
        if codes and len(codes) != copies:
            raise ValidationFailed(_("Give one barcode per copy received."), field="barcodes")
        codes = codes or next_barcodes(RECEIPT_BARCODE_PREFIX, copies)
        receipt = Receipt.objects.create(
            order_line=locked,
            received_on=received_on,
            copies=copies,
            received_by=actor.user if getattr(actor.user, "pk", None) else None,
        )
        items = [
            item_create(
                record=locked.record,
                barcode=code,
                home_service_point=locked.service_point,
                collection=locked.collection,
                actor=actor,
                price=locked.unit_price,
                acquisition_source=locked.acquisition_source,
                acquired_on=received_on,
                status=ItemStatus.IN_PROCESSING,
                owning_library=locked.order.library,
            )
            for code in codes
        ]
        receipt.items.add(*items)
        locked.copies_received += copies
        locked.status = _line_status(locked)
        locked.save(update_fields=["copies_received", "status", "updated_at"])
        audit_record(
            actor=actor,
            action="order_line.receive",
            obj=locked,
            library=locked.order.library_id,
            changes={"copies": copies, "barcodes": codes, "status": locked.status},
        )
        if locked.suggestion is not None:
            _suggestion_arrived(locked, actor)
    return receipt


def _suggestion_arrived(line: OrderLine, actor: Actor) -> None:
    """Each reader who asked gets a hold on the title (first asked, first served) and a
    notice. A reader who cannot hold now (card expired, ...) is still told; staff see the
    missing hold on the suggestion."""
    from shufang.circulation.models import CirculationChannel
    from shufang.circulation.services.holds import hold_place

    suggestion = line.suggestion
    assert suggestion is not None
    if suggestion.status != SuggestionStatus.RECEIVED:
        suggestion.status = SuggestionStatus.RECEIVED
        suggestion.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="suggestion.received",
            obj=suggestion,
            library=suggestion.library_id,
        )
    # Holds are placed for the reader by the library itself, not at a desk: the staff member
    # receiving need not hold circulation rights. The audit names them in the label.
    hold_actor = dataclasses.replace(actor, user=None, label=f"acquisitions:{actor.name}")
    for request in suggestion.requests.filter(hold__isnull=True).select_related("reader"):
        try:
            with transaction.atomic():
                hold = hold_place(
                    reader=request.reader,
                    record=line.record,
                    pickup_service_point=line.service_point,
                    actor=hold_actor,
                    channel=CirculationChannel.SYSTEM,
                )
                request.hold = hold
                request.save(update_fields=["hold"])
        except ShufangError:
            pass
        suggestion_notice_queue(request=request, event="arrived")


def order_line_cancel(*, line: OrderLine, reason: str, actor: Actor) -> OrderLine:
    """Cancel the copies not yet received (the commitment is released). Locks the line."""
    if not reason.strip():
        raise ValidationFailed(_("Say why the order is cancelled."), field="reason")
    with transaction.atomic():
        locked = (
            OrderLine.objects.select_for_update(of=("self",))
            .select_related("order")
            .get(pk=line.pk)
        )
        require_acq(actor, locked.order.library_id)
        outstanding = locked.copies_outstanding
        if outstanding == 0:
            raise NothingOutstanding()
        locked.copies_cancelled += outstanding
        locked.cancel_reason = reason.strip()
        locked.status = _line_status(locked)
        locked.save(update_fields=["copies_cancelled", "cancel_reason", "status", "updated_at"])
        audit_record(
            actor=actor,
            action="order_line.cancel",
            obj=locked,
            library=locked.order.library_id,
            changes={"copies": outstanding, "reason": reason.strip()},
        )
    return locked


def order_line_claim(
    *, line: OrderLine, actor: Actor, on: dt.date | None = None, note: str = ""
) -> OrderClaim:
    """Record a claim (催缺) to the vendor for the outstanding copies."""
    with transaction.atomic():
        locked = (
            OrderLine.objects.select_for_update(of=("self",))
            .select_related("order")
            .get(pk=line.pk)
        )
        require_acq(actor, locked.order.library_id)
        if locked.copies_outstanding == 0:
            raise NothingOutstanding()
        claim = OrderClaim.objects.create(
            order_line=locked,
            claimed_on=on or timezone.localdate(),
            copies=locked.copies_outstanding,
            note=note,
        )
        audit_record(
            actor=actor,
            action="order_line.claim",
            obj=locked,
            library=locked.order.library_id,
            changes={"copies": claim.copies, "note": note},
        )
    return claim


def invoice_create(
    *,
    vendor: Vendor,
    library: Library,
    number: str,
    actor: Actor,
    invoiced_on: dt.date | None = None,
) -> Invoice:
    require_acq(actor, library)
    if not number.strip():
        raise ValidationFailed(_("An invoice needs a number."), field="number")
    with transaction.atomic():
        invoice = Invoice.objects.create(
            vendor=vendor,
            library=library,
            number=number.strip(),
            invoiced_on=invoiced_on or timezone.localdate(),
        )
        audit_record(actor=actor, action="invoice.create", obj=invoice, library=library.pk)
    return invoice


def invoice_line_add(
    *,
    invoice: Invoice,
    actor: Actor,
    amount: Decimal,
    order_line: OrderLine | None = None,
    copies: int = 1,
    budget_line: BudgetLine | None = None,
    description: str = "",
) -> InvoiceLine:
    """Money spent: for `copies` of an order line (moving them from committed to spent), or
    on a budget line directly. Locks the order line."""
    require_acq(actor, invoice.library_id)
    money = clean_price(amount, field="amount")
    if money is None:
        raise ValidationFailed(_("An invoice line needs an amount."), field="amount")
    with transaction.atomic():
        if order_line is not None:
            locked = OrderLine.objects.select_for_update(of=("self",)).get(pk=order_line.pk)
            if locked.order.vendor_id != invoice.vendor_id:
                raise ValidationFailed(_("The order line is from another vendor."))
            if locked.copies_invoiced + copies > locked.copies - locked.copies_cancelled:
                raise ValidationFailed(
                    _("More copies invoiced than ordered."), field="copies", copies=copies
                )
            OrderLine.objects.filter(pk=locked.pk).update(
                copies_invoiced=F("copies_invoiced") + copies
            )
            budget_line = locked.budget_line
        if budget_line is None:
            raise ValidationFailed(_("Give an order line or a budget line."), field="budget_line")
        line = InvoiceLine.objects.create(
            invoice=invoice,
            budget_line=budget_line,
            order_line=order_line,
            copies=copies,
            amount=money,
            description=description,
        )
        audit_record(
            actor=actor,
            action="invoice_line.create",
            obj=line,
            library=invoice.library_id,
            changes={"invoice": invoice.number, "amount": money, "order_line": order_line},
        )
    return line


def order_close(*, order: Order, actor: Actor) -> Order:
    require_acq(actor, order.library_id)
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != OrderStatus.OPEN:
            raise InvalidTransition(state=locked.status)
        locked.status = OrderStatus.CLOSED
        locked.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="order.close", obj=locked, library=locked.library_id)
    return locked


def order_record_find_or_create(
    *,
    actor: Actor,
    isbn: str = "",
    record_id: int | None = None,
    title: str = "",
    authors: str = "",
    publisher: str = "",
    price: Decimal | None = None,
) -> Record:
    """The record to order: by number, by ISBN, or a brief record made from the title (and
    ISBN) for the cataloguers to complete. Refuses an invalid ISBN."""
    from shufang.acquisitions.services.common import clean_isbn, marc_for, record_by_isbn
    from shufang.catalogue.services.records import record_create_from_marc

    require_acq(actor)
    if record_id is not None:
        found = Record.objects.filter(pk=record_id, deleted_at__isnull=True).first()
        if found is None:
            raise ValidationFailed(_("No record has this number."), field="record")
        return found
    isbn13 = clean_isbn(isbn)
    found = record_by_isbn(isbn13)
    if found is not None:
        return found
    if not title.strip():
        raise ValidationFailed(
            _("This ISBN is not in the catalogue: give the title too."), field="title"
        )
    return record_create_from_marc(
        record=marc_for(
            title=title.strip(), isbn=isbn13, authors=authors, publisher=publisher, price=price
        ),
        flavour="marc21",
        actor=actor,
    )
