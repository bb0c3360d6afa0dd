"""The staff home's panel for programmes, outreach and the ledgers: menu entries the user may
use, and open reminders (overdue inspections) of the user's libraries."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

ENTRIES = [
    ("programmes.view", "web:programmes-events", _("Events and reader programmes")),
    ("outreach.view", "web:outreach-home", _("Outreach: reading points, mobile rooms, devices")),
    ("operations.view", "web:operations-home", _("Operations ledgers")),
]


@register.inclusion_tag("web/staff/operations/_panel.html", takes_context=True)
def staff_operations_panel(context: Any) -> dict[str, Any]:
    from shufang.core.permissions import has_permission, visible_library_ids
    from shufang.operations.selectors import open_reminders

    user = context["request"].user
    entries = [(url, label) for perm, url, label in ENTRIES if has_permission(user, perm)]
    reminders: list[Any] = []
    if has_permission(user, "operations.view"):
        reminders = list(
            open_reminders(library_ids=visible_library_ids(user, "operations.view"))[:20]
        )
    return {"entries": entries, "reminders": reminders}
