"""Loan and hold state machines: everything that affects a loan's or a hold's state lives here.

`LOAN_TRANSITIONS[state][trigger] -> next state`, `HOLD_TRANSITIONS[state][trigger] -> next
state`. Services call `loan_next` / `hold_next`; nothing else writes `status`. Item statuses
follow `catalogue.states`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shufang.circulation.models import HoldStatus as H
from shufang.circulation.models import LoanStatus as L
from shufang.core.exceptions import InvalidTransition

LOAN_TRANSITIONS: dict[str, dict[str, str]] = {
    L.ACTIVE: {
        "renew": L.ACTIVE,
        "checkin": L.RETURNED,
        "declare_lost": L.LOST,
        "claim_returned": L.CLAIMS_RETURNED,
    },
    L.CLAIMS_RETURNED: {"checkin": L.RETURNED, "declare_lost": L.LOST, "found": L.RETURNED},
    L.LOST: {"checkin": L.RETURNED, "found": L.RETURNED},
    L.RETURNED: {},
}

HOLD_TRANSITIONS: dict[str, dict[str, str]] = {
    H.WAITING: {
        "trap_here": H.READY,  # item caught at the pickup point
        "trap_elsewhere": H.IN_TRANSIT,  # item caught elsewhere, sent to the pickup point
        "cancel": H.CANCELLED,
        "expire": H.EXPIRED,  # not needed after a date that has passed
    },
    H.IN_TRANSIT: {"arrive": H.READY, "cancel": H.CANCELLED, "retarget": H.WAITING},
    H.READY: {
        "collect": H.FULFILLED,
        "cancel": H.CANCELLED,
        "expire": H.EXPIRED,  # not collected within the hold shelf days
    },
    H.FULFILLED: {},
    H.CANCELLED: {},
    H.EXPIRED: {},
}


def loan_next(state: str, trigger: str) -> str:
    try:
        return LOAN_TRANSITIONS[state][trigger]
    except KeyError:
        raise InvalidTransition(
            _("A loan that is “%(state)s” cannot be “%(trigger)s”.")
            % {"state": state, "trigger": trigger},
            state=state,
            trigger=trigger,
        ) from None


def hold_next(state: str, trigger: str) -> str:
    try:
        return HOLD_TRANSITIONS[state][trigger]
    except KeyError:
        raise InvalidTransition(
            _("A hold that is “%(state)s” cannot be “%(trigger)s”.")
            % {"state": state, "trigger": trigger},
            state=state,
            trigger=trigger,
        ) from None
