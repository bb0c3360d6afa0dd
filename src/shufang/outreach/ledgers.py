"""The outreach ledgers (see operations.ledger for what a ledger is)."""

from __future__ import annotations

from shufang.operations.ledger import LedgerSpec
from shufang.outreach import models as m
from shufang.outreach.models import DEVICE_KINDS, OUTREACH_KINDS

LEDGERS: tuple[LedgerSpec, ...] = (
    LedgerSpec(
        name="outreach_visit",
        model=m.OutreachVisit,
        app="outreach",
        fields=("service_point", "visited_on", "kind", "staff", "summary"),
        columns=("visited_on", "service_point", "kind", "staff", "summary"),
        date_field="visited_on",
        filters=("kind",),
        library_path="service_point__library",
        point_kinds=OUTREACH_KINDS,
    ),
    LedgerSpec(
        name="device",
        model=m.Device,
        app="outreach",
        fields=("service_point", "location", "vendor", "model_name", "serial_number"),
        columns=("service_point", "location", "vendor", "model_name", "serial_number"),
        date_field="created_at",
        library_path="service_point__library",
        point_kinds=DEVICE_KINDS,
        search=("location", "vendor"),
    ),
    LedgerSpec(
        name="device_check",
        model=m.DeviceCheck,
        app="outreach",
        fields=("service_point", "checked_on", "state", "fault", "fix", "fixed_on"),
        columns=("checked_on", "service_point", "state", "fault", "fix", "fixed_on"),
        date_field="checked_on",
        date_order=(("fixed_on", "checked_on"),),
        filters=("state",),
        library_path="service_point__library",
        point_kinds=DEVICE_KINDS,
    ),
    LedgerSpec(
        name="county_guidance",
        model=m.CountyGuidance,
        app="outreach",
        fields=("county_library", "kind", "held_on", "topic", "participants", "hours"),
        columns=("held_on", "county_library", "kind", "topic", "participants", "hours"),
        date_field="held_on",
        filters=("kind",),
        search=("topic",),
    ),
)
