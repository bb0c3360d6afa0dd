"""Refusals of the acquisitions services, each with a stable code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shufang.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed


class InvalidIsbn(ValidationFailed):
    code = "invalid_isbn"
    default_message = _("This is not a valid ISBN.")


class UnknownCard(NotFound):
    code = "unknown_card"
    default_message = _("No reader has this card number.")


class AlreadyHeld(Conflict):
    code = "already_held"
    default_message = _("The library already holds this title: place a hold on it instead.")


class OnOrder(Conflict):
    code = "on_order"
    default_message = _("This title is already on order.")


class AlreadySuggested(Conflict):
    code = "already_suggested"
    default_message = _("You have already suggested this title.")


class QuotaExceeded(ValidationFailed):
    code = "quota_exceeded"
    default_message = _("You have used all your suggestions for this year.")


class RulesRefuse(ValidationFailed):
    code = "rules_refuse"
    default_message = _("The suggestion rules do not allow this title.")


class BudgetExceeded(ValidationFailed):
    code = "budget_exceeded"
    default_message = _("The budget line does not have enough money left.")


class NothingOutstanding(ValidationFailed):
    code = "nothing_outstanding"
    default_message = _("No copies of this order line are outstanding.")


class TerminalRefused(PermissionDenied):
    code = "terminal_refused"
    default_message = _("The bookshop terminal's credentials are not valid.")


class BookshopNotEnabled(PermissionDenied):
    code = "bookshop_not_enabled"
    default_message = _("In-bookshop lending is not enabled at this library.")


class RequestReplayed(Conflict):
    code = "request_replayed"
    default_message = _("This request was already carried out; nothing was done again.")
