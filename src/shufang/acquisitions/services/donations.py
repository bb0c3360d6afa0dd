"""Donations (公众捐赠): donors (people or organisations, anonymous allowed), donated items
with their condition, a decision per item (added, passed on to a reading point, declined),
and the thank-you certificate (see `acquisitions.certificates`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.models import (
    DonatedItem,
    Donation,
    DonationDecision,
    Donor,
    DonorKind,
    ItemCondition,
)
from shufang.acquisitions.services.common import (
    clean_isbn,
    marc_for,
    next_barcodes,
    record_by_isbn,
    require_acq,
)
from shufang.catalogue.models import AcquisitionSource, Collection, ItemStatus, Record
from shufang.catalogue.services.items import item_create
from shufang.catalogue.services.records import record_create_from_marc
from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import InvalidTransition, ValidationFailed
from shufang.network.models import Library, ServicePoint

DONATION_BARCODE_PREFIX = "JZ"


@dataclass(frozen=True)
class DonatedItemIn:
    title: str
    condition: str
    isbn: str = ""
    copies: int = 1


def donor_create(
    *,
    kind: str,
    actor: Actor,
    name: str = "",
    anonymous: bool = False,
    contact: str = "",
    address: str = "",
) -> Donor:
    require_acq(actor)
    if kind not in DonorKind.values:
        raise ValidationFailed(_("Unknown kind of donor."), field="kind")
    if not anonymous and not name.strip():
        raise ValidationFailed(_("A donor needs a name, or is anonymous."), field="name")
    with transaction.atomic():
        donor = Donor.objects.create(
            name=name.strip(),
            kind=kind,
            anonymous=anonymous,
            contact=contact,
            address=address,
        )
        audit_record(actor=actor, action="donor.create", obj=donor)
    return donor


def donor_update(
    *,
    donor: Donor,
    actor: Actor,
    name: str | None = None,
    anonymous: bool | None = None,
    contact: str | None = None,
    address: str | None = None,
) -> Donor:
    """Renames a donor or changes their contact details (None leaves a field as it is).
    Certificates already printed keep the name they were printed with. Locks the donor."""
    require_acq(actor)
    with transaction.atomic():
        locked = Donor.objects.select_for_update().get(pk=donor.pk)
        new = {
            "name": locked.name if name is None else name.strip(),
            "anonymous": locked.anonymous if anonymous is None else anonymous,
            "contact": locked.contact if contact is None else contact.strip(),
            "address": locked.address if address is None else address.strip(),
        }
        if not new["anonymous"] and not new["name"]:
            raise ValidationFailed(_("A donor needs a name, or is anonymous."), field="name")
        changes = {k: [getattr(locked, k), v] for k, v in new.items() if getattr(locked, k) != v}
        if not changes:
            return locked
        for field, value in new.items():
            setattr(locked, field, value)
        locked.save(update_fields=[*changes, "updated_at"])
        audit_record(actor=actor, action="donor.update", obj=locked, changes=changes)
    return locked


def _certificate_number(year: int) -> str:
    prefix = f"JZ{year}-"
    last = (
        Donation.objects.filter(certificate_number__startswith=prefix)
        .order_by("-certificate_number")
        .values_list("certificate_number", flat=True)
        .first()
    )
    return f"{prefix}{(int(last[len(prefix) :]) + 1) if last else 1:05d}"


def donation_record(
    *,
    donor: Donor,
    library: Library,
    received_on: dt.date,
    items: list[DonatedItemIn],
    actor: Actor,
    notes: str = "",
) -> Donation:
    """Record what a donor gave; every item waits for a decision."""
    require_acq(actor, library)
    if not items:
        raise ValidationFailed(_("A donation needs at least one item."), field="items")
    for entry in items:
        if not entry.title.strip():
            raise ValidationFailed(_("Each donated item needs a title."), field="title")
        if entry.condition not in ItemCondition.values:
            raise ValidationFailed(_("Unknown condition."), field="condition")
        if entry.copies < 1:
            raise ValidationFailed(_("At least one copy."), field="copies")
    cleaned = [(entry, clean_isbn(entry.isbn)) for entry in items]
    with transaction.atomic():
        donation = Donation.objects.create(
            donor=donor,
            library=library,
            received_on=received_on,
            certificate_number=_certificate_number(received_on.year),
            notes=notes,
        )
        DonatedItem.objects.bulk_create(
            [
                DonatedItem(
                    donation=donation,
                    title=entry.title.strip(),
                    isbn=isbn,
                    copies=entry.copies,
                    condition=entry.condition,
                )
                for entry, isbn in cleaned
            ]
        )
        audit_record(
            actor=actor,
            action="donation.create",
            obj=donation,
            library=library.pk,
            changes={"donor": donor.pk, "items": len(items)},
        )
    return donation


def donated_item_decide(
    *,
    donated_item: DonatedItem,
    decision: str,
    actor: Actor,
    note: str = "",
    service_point: ServicePoint | None = None,
    collection: Collection | None = None,
    record: Record | None = None,
    barcodes: list[str] | None = None,
    passed_to: ServicePoint | None = None,
) -> DonatedItem:
    """Decide once what becomes of a donated item. `added` creates the record (found by ISBN,
    or brief from the title) and one item per copy, in processing, with source donation and
    no cost; `passed_on` needs the reading point; `declined` needs a note. Locks the row."""
    with transaction.atomic():
        locked = (
            DonatedItem.objects.select_for_update(of=("self",))
            .select_related("donation")
            .get(pk=donated_item.pk)
        )
        donation = locked.donation
        require_acq(actor, donation.library_id)
        if locked.decision != DonationDecision.PENDING:
            raise InvalidTransition(_("This item was decided already."), state=locked.decision)
        if decision == DonationDecision.ADDED:
            if service_point is None or collection is None:
                raise ValidationFailed(_("Say where the donated copies go."), field="service_point")
            target = record or record_by_isbn(locked.isbn)
            if target is None:
                target = record_create_from_marc(
                    record=marc_for(title=locked.title, isbn=locked.isbn),
                    flavour="marc21",
                    actor=actor,
                )
            codes = [b.strip() for b in barcodes or [] if b.strip()]
            if codes and len(codes) != locked.copies:
                raise ValidationFailed(_("Give one barcode per copy."), field="barcodes")
            codes = codes or next_barcodes(DONATION_BARCODE_PREFIX, locked.copies)
            created = [
                item_create(
                    record=target,
                    barcode=code,
                    home_service_point=service_point,
                    collection=collection,
                    actor=actor,
                    acquisition_source=AcquisitionSource.DONATION,
                    acquired_on=donation.received_on,
                    status=ItemStatus.IN_PROCESSING,
                )
                for code in codes
            ]
            locked.items.add(*created)
        elif decision == DonationDecision.PASSED_ON:
            if passed_to is None:
                raise ValidationFailed(_("Say which reading point it goes to."), field="passed_to")
            locked.passed_to = passed_to
        elif decision == DonationDecision.DECLINED:
            if not note.strip():
                raise ValidationFailed(_("Say why it is declined."), field="note")
        else:
            raise ValidationFailed(_("Unknown decision."), field="decision")
        locked.decision = decision
        locked.decision_note = note.strip()[:300]
        locked.save()
        audit_record(
            actor=actor,
            action="donated_item.decide",
            obj=locked,
            library=donation.library_id,
            changes={"decision": decision, "note": locked.decision_note},
        )
    return locked
