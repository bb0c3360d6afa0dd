"""The programmes ledgers (see operations.ledger). Events have their own services and pages;
awards are a plain ledger."""

from __future__ import annotations

from typing import Any

from shufang.operations.ledger import LedgerSpec
from shufang.programmes import models as m


def _award_prepare(values: dict[str, Any]) -> dict[str, Any]:
    """An award to a registered reader shows the reader's masked name."""
    from shufang.readers.identity import mask_name

    reader = values.get("reader")
    if reader is not None:
        values["recipient_name"] = mask_name(reader.name)
    elif values.get("recipient_name"):
        values["recipient_name"] = mask_name(values["recipient_name"])
    return values


LEDGERS: tuple[LedgerSpec, ...] = (
    LedgerSpec(
        name="award",
        model=m.Award,
        app="programmes",
        fields=(
            "kind",
            "title",
            "awarded_on",
            "reader",
            "recipient_name",
            "contest",
            "event",
            "awarding_body",
            "prize",
        ),
        columns=(
            "awarded_on",
            "kind",
            "title",
            "recipient_name",
            "contest",
            "awarding_body",
            "prize",
        ),
        date_field="awarded_on",
        filters=("kind",),
        search=("contest", "awarding_body", "title"),
        prepare=_award_prepare,
    ),
)
