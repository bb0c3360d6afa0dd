"""Local documents: non-lending collection, provenance, local subject, manuscripts."""

from __future__ import annotations

import pytest

from shufang.acquisitions.services.local_documents import LoanableCollection, local_document_add
from shufang.catalogue.models import AcquisitionSource, Item
from shufang.core.exceptions import ValidationFailed

pytestmark = pytest.mark.django_db


def test_a_manuscript_is_kept_with_its_custody_details(acq) -> None:
    document = local_document_add(
        record=acq.net.record,
        barcode="DF0000001",
        service_point=acq.net.point_a,
        collection=acq.local_collection,
        provenance="作者家属捐赠",
        local_subject="丽江古城",
        manuscript=True,
        author="木增",
        custody_location="特藏室 A-3 柜",
        custody_conditions="恒温恒湿",
        actor=acq.actor,
    )

    assert document.item.acquisition_source == AcquisitionSource.LOCAL_DOCUMENTS
    assert (document.manuscript, document.custody_location) == (True, "特藏室 A-3 柜")


def test_local_documents_are_refused_in_a_lending_collection(acq) -> None:
    with pytest.raises(LoanableCollection):
        local_document_add(
            record=acq.net.record,
            barcode="DF0000001",
            service_point=acq.net.point_a,
            collection=acq.net.collection,
            provenance="采购",
            local_subject="玉龙雪山",
            actor=acq.actor,
        )
    assert not Item.objects.filter(barcode="DF0000001").exists()


def test_a_manuscript_without_custody_is_refused(acq) -> None:
    with pytest.raises(ValidationFailed):
        local_document_add(
            record=acq.net.record,
            barcode="DF0000001",
            service_point=acq.net.point_a,
            collection=acq.local_collection,
            provenance="征集",
            local_subject="纳西古乐",
            manuscript=True,
            author="宣科",
            actor=acq.actor,
        )
    assert not Item.objects.filter(barcode="DF0000001").exists()
