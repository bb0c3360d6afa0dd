"""The item status state machine: everything that affects an item's status lives here.

`TRANSITIONS[state][trigger] -> next state`. Services (`catalogue.services.items`) and the
circulation engine call `next_status`; nothing else changes `Item.status`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shufang.catalogue.models import ItemStatus as S
from shufang.core.exceptions import InvalidTransition


class Trigger:
    """What happened to the item."""

    CATALOGUED = "catalogued"  # processing finished, put on the shelf
    CHECKOUT = "checkout"
    CHECKIN = "checkin"  # returned at its home, straight back to the shelf
    CHECKIN_AWAY = "checkin_away"  # returned elsewhere: goes home in transit
    CHECKIN_QUARANTINE = "checkin_quarantine"  # returned and held back before reuse
    QUARANTINE_END = "quarantine_end"
    SEND = "send"  # sent to another service point (home, or to fill a hold)
    ARRIVE = "arrive"  # arrived where it was sent
    ARRIVE_FOR_HOLD = "arrive_for_hold"  # arrived and trapped for a waiting hold
    TRAP_HOLD = "trap_hold"  # caught for a hold at this service point
    HOLD_EXPIRED = "hold_expired"  # the hold was not collected, back to the shelf
    HOLD_CANCELLED = "hold_cancelled"
    DECLARE_MISSING = "declare_missing"  # not found on the shelf
    DECLARE_LOST = "declare_lost"  # lost by a reader or written off
    FOUND = "found"
    WITHDRAW = "withdraw"
    REPAIR = "repair"  # back to processing (repair, rebinding, relabelling)


ALL_TRIGGERS = tuple(v for k, v in vars(Trigger).items() if k.isupper())

TRANSITIONS: dict[str, dict[str, str]] = {
    S.IN_PROCESSING: {
        Trigger.CATALOGUED: S.AVAILABLE,
        Trigger.SEND: S.IN_TRANSIT,
        Trigger.DECLARE_MISSING: S.MISSING,
        Trigger.WITHDRAW: S.WITHDRAWN,
    },
    S.AVAILABLE: {
        Trigger.CHECKOUT: S.ON_LOAN,
        Trigger.SEND: S.IN_TRANSIT,
        Trigger.TRAP_HOLD: S.ON_HOLD_SHELF,
        Trigger.DECLARE_MISSING: S.MISSING,
        Trigger.DECLARE_LOST: S.LOST,
        Trigger.WITHDRAW: S.WITHDRAWN,
        Trigger.REPAIR: S.IN_PROCESSING,
    },
    S.ON_LOAN: {
        Trigger.CHECKIN: S.AVAILABLE,
        Trigger.CHECKIN_AWAY: S.IN_TRANSIT,
        Trigger.CHECKIN_QUARANTINE: S.IN_QUARANTINE,
        Trigger.TRAP_HOLD: S.ON_HOLD_SHELF,  # returned and caught for a hold at once
        Trigger.DECLARE_LOST: S.LOST,
    },
    S.IN_TRANSIT: {
        Trigger.ARRIVE: S.AVAILABLE,
        Trigger.ARRIVE_FOR_HOLD: S.ON_HOLD_SHELF,
        Trigger.CHECKIN: S.AVAILABLE,
        Trigger.DECLARE_MISSING: S.MISSING,
        Trigger.DECLARE_LOST: S.LOST,
    },
    S.ON_HOLD_SHELF: {
        Trigger.CHECKOUT: S.ON_LOAN,
        Trigger.HOLD_EXPIRED: S.AVAILABLE,
        Trigger.HOLD_CANCELLED: S.AVAILABLE,
        Trigger.SEND: S.IN_TRANSIT,
        Trigger.DECLARE_MISSING: S.MISSING,
    },
    S.IN_QUARANTINE: {
        Trigger.QUARANTINE_END: S.AVAILABLE,
        Trigger.SEND: S.IN_TRANSIT,
        Trigger.TRAP_HOLD: S.ON_HOLD_SHELF,
    },
    S.MISSING: {
        Trigger.FOUND: S.AVAILABLE,
        Trigger.CHECKIN: S.AVAILABLE,
        Trigger.DECLARE_LOST: S.LOST,
        Trigger.WITHDRAW: S.WITHDRAWN,
    },
    S.LOST: {
        Trigger.FOUND: S.AVAILABLE,
        Trigger.CHECKIN: S.AVAILABLE,
        Trigger.WITHDRAW: S.WITHDRAWN,
    },
    S.WITHDRAWN: {},
}


def allowed_triggers(state: str) -> tuple[str, ...]:
    return tuple(TRANSITIONS.get(state, {}))


def next_status(state: str, trigger: str) -> str:
    """The status after `trigger` from `state`; raises `InvalidTransition` if not allowed."""
    try:
        return TRANSITIONS[state][trigger]
    except KeyError:
        raise InvalidTransition(
            _("An item in status “%(state)s” cannot take “%(trigger)s”.")
            % {"state": state, "trigger": trigger},
            state=state,
            trigger=trigger,
        ) from None
