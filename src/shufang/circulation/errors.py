"""Circulation refusals. Each block has a stable code that the desk, the OPAC, the API and the
SIP2 layer translate into their own messages (a SIP2 screen message in Chinese, for one)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shufang.core.exceptions import ShufangError


class Block(ShufangError):
    """A rule refuses the transaction. `overridable` blocks may be overridden by staff holding
    `circulation.override`; the override is recorded on the loan and in the audit trail."""

    code = "blocked"
    overridable = False


class CardExpired(Block):
    code = "card_expired"
    overridable = True
    default_message = _("The reader's card has expired.")


class CardLost(Block):
    code = "card_lost"
    default_message = _("This card has been reported lost.")


class CardSuspended(Block):
    code = "card_suspended"
    default_message = _("This card is suspended.")


class CardNotValid(Block):
    code = "card_not_valid"
    default_message = _("This card is not valid.")


class TooManyLoans(Block):
    code = "too_many_loans"
    overridable = True
    default_message = _("The reader has reached the maximum number of loans.")


class TooManyLoansInCollection(Block):
    code = "too_many_loans_in_collection"
    overridable = True
    default_message = _("The reader has reached the maximum number of loans from this collection.")


class TooManyOverdue(Block):
    code = "too_many_overdue"
    overridable = True
    default_message = _("The reader has too many overdue items.")


class FinesOverLimit(Block):
    code = "fines_over_limit"
    overridable = True
    default_message = _("The reader's outstanding fines are over the limit.")


class ItemNotLoanable(Block):
    code = "item_not_loanable"
    default_message = _("This item is not for loan.")


class ItemAlreadyOnLoan(Block):
    code = "item_on_loan"
    default_message = _("This item is already on loan.")


class ItemOnHoldForAnother(Block):
    code = "item_on_hold_for_another"
    overridable = True
    default_message = _("This item is on hold for another reader.")


class ItemInQuarantine(Block):
    code = "item_in_quarantine"
    default_message = _("This item is in quarantine.")


class ItemNotAvailable(Block):
    code = "item_not_available"
    default_message = _("This item is not available for loan.")


class CollectionNotAllowed(Block):
    code = "collection_not_allowed"
    default_message = _("This reader may not borrow from this collection.")


class RenewalNotAllowed(Block):
    code = "renewal_not_allowed"
    overridable = True
    default_message = _("This loan cannot be renewed again.")


class RenewalRefusedHeld(Block):
    code = "renewal_refused_held"
    overridable = True
    default_message = _("Another reader is waiting for this title.")


class HoldNotAllowed(Block):
    code = "hold_not_allowed"
    default_message = _("Holds are not allowed for this reader or this title.")


class TooManyHolds(Block):
    code = "too_many_holds"
    default_message = _("The reader has reached the maximum number of holds.")


class AlreadyHeld(Block):
    code = "already_held"
    default_message = _("The reader already has a hold on this title.")


class ServicePointClosed(Block):
    code = "service_point_closed"
    default_message = _("The service point is closed.")


class ModeForbids(Block):
    code = "mode_forbids"
    default_message = _("The current service mode does not allow this.")
