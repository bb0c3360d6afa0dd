from __future__ import annotations

import pytest

from shufang.catalogue.models import Record, RecordIdentifier
from shufang.catalogue.services.importing import marc_import
from shufang.core.models import AuditEvent

from .conftest import DATA

pytestmark = pytest.mark.django_db


def _written() -> tuple[list, list, list]:
    records = list(
        Record.objects.order_by("pk").values_list(
            "title", "title_pinyin", "isbn", "marc", "marc_original", "marc_encoding"
        )
    )
    identifiers = sorted(RecordIdentifier.objects.values_list("scheme", "value"))
    audit = list(AuditEvent.objects.order_by("pk").values_list("action", "object_repr", "changes"))
    return records, identifiers, audit


@pytest.mark.parametrize(
    "name", ["marc4j/pride-and-prejudice-with-many-errors.mrc", "pymarc/bad_records.mrc"]
)
def test_reading_in_a_second_process_gives_the_same_report_and_rows(actor, name):
    # given a file with good and broken records, imported in this process
    path = DATA / name
    alone = marc_import(sources=[path], actor=actor, match="none", parallel=False)
    written_alone = _written()
    Record.objects.all().delete()
    AuditEvent.objects.all().delete()

    # when the same file is imported with a reader process
    together = marc_import(sources=[path], actor=actor, match="none", parallel=True)

    # then counts, rejects (positions, offsets, reasons) and written rows are the same
    assert together == alone
    assert together.rejected > 0
    assert _written() == written_alone


def test_a_missing_file_fails_the_same_way_with_or_without_a_reader_process(actor, tmp_path):
    missing = tmp_path / "missing.mrc"

    with pytest.raises(FileNotFoundError):
        marc_import(sources=[missing], actor=actor, parallel=True)

    assert Record.objects.count() == 0
