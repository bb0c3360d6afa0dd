"""The domain error hierarchy. Each error carries a stable `code` that the desk, the OPAC, the
API and the SIP2 layer translate into their own messages; `message` is already translated."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class ShufangError(Exception):
    code = "error"
    default_message: Any = _("The request could not be completed.")

    def __init__(self, message: Any = None, **details: Any) -> None:
        self.message = message if message is not None else self.default_message
        self.details = details
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "details": self.details}


class ValidationFailed(ShufangError):
    code = "invalid"
    default_message = _("The data is not valid.")


class NotFound(ShufangError):
    code = "not_found"
    default_message = _("Not found.")


class PermissionDenied(ShufangError):
    code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class InvalidTransition(ShufangError):
    code = "invalid_transition"
    default_message = _("This change of state is not allowed.")


class Conflict(ShufangError):
    code = "conflict"
    default_message = _("This conflicts with an existing record.")
