"""Local documents (地方文献): items of a non-lending collection with their provenance and
local subject; manuscripts of local authors (名人手稿) also with who keeps them and how."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.models import LocalDocument
from shufang.acquisitions.services.common import require_acq
from shufang.catalogue.models import AcquisitionSource, Collection, ItemStatus, Record
from shufang.catalogue.services.items import item_create
from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import ValidationFailed
from shufang.network.models import ServicePoint


class LoanableCollection(ValidationFailed):
    code = "local_documents_not_for_loan"
    default_message = _("Local documents go into a collection that is not lent.")


def local_document_add(
    *,
    record: Record,
    barcode: str,
    service_point: ServicePoint,
    collection: Collection,
    provenance: str,
    local_subject: str,
    actor: Actor,
    price: Decimal | None = None,
    acquired_on: dt.date | None = None,
    source: str = AcquisitionSource.LOCAL_DOCUMENTS,
    manuscript: bool = False,
    author: str = "",
    custody_location: str = "",
    custody_conditions: str = "",
    access_note: str = "",
) -> LocalDocument:
    """Add a local document as an item of a non-lending collection (refused otherwise)."""
    require_acq(actor, service_point.library_id)
    if collection.loanable:
        raise LoanableCollection(collection=collection.code)
    if not provenance.strip() or not local_subject.strip():
        raise ValidationFailed(
            _("A local document needs its provenance and local subject."), field="provenance"
        )
    if manuscript and not (author.strip() and custody_location.strip()):
        raise ValidationFailed(
            _("A manuscript needs its author and where it is kept."), field="custody_location"
        )
    with transaction.atomic():
        item = item_create(
            record=record,
            barcode=barcode,
            home_service_point=service_point,
            collection=collection,
            actor=actor,
            price=price,
            acquisition_source=source,
            acquired_on=acquired_on,
            status=ItemStatus.IN_PROCESSING,
        )
        document = LocalDocument.objects.create(
            item=item,
            provenance=provenance.strip(),
            local_subject=local_subject.strip(),
            manuscript=manuscript,
            author=author.strip(),
            custody_location=custody_location.strip(),
            custody_conditions=custody_conditions.strip(),
            access_note=access_note.strip(),
        )
        audit_record(
            actor=actor,
            action="local_document.create",
            obj=document,
            library=service_point.library_id,
            changes={"item": item.barcode, "manuscript": manuscript, "subject": local_subject},
        )
    return document


LOCAL_DOCUMENT_FIELDS = (
    "provenance",
    "local_subject",
    "author",
    "custody_location",
    "custody_conditions",
    "access_note",
)


def local_document_update(
    *, document: LocalDocument, actor: Actor, **changes: str
) -> LocalDocument:
    """Correct what is known of a local document (provenance, subject, custody). Locks it."""
    from shufang.core.audit import diff

    unknown = set(changes) - set(LOCAL_DOCUMENT_FIELDS)
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed."), fields=sorted(unknown))
    cleaned = {key: (value or "").strip() for key, value in changes.items()}
    with transaction.atomic():
        locked = (
            LocalDocument.objects.select_for_update(of=("self",))
            .select_related("item__home_service_point")
            .get(pk=document.pk)
        )
        library_id = locked.item.home_service_point.library_id
        require_acq(actor, library_id)
        before = {key: getattr(locked, key) for key in cleaned}
        for key, value in cleaned.items():
            setattr(locked, key, value)
        if not locked.provenance or not locked.local_subject:
            raise ValidationFailed(
                _("A local document needs its provenance and local subject."), field="provenance"
            )
        if locked.manuscript and not (locked.author and locked.custody_location):
            raise ValidationFailed(
                _("A manuscript needs its author and where it is kept."), field="custody_location"
            )
        locked.save()
        audit_record(
            actor=actor,
            action="local_document.update",
            obj=locked,
            library=library_id,
            changes=diff(before, cleaned),
        )
    return locked
