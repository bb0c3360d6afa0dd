"""Every error leaves the API as JSON {code, message, details} with a fitting status."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from shufang.core import exceptions as errors

STATUS_BY_ERROR: list[tuple[type[errors.ShufangError], int]] = [
    (errors.ValidationFailed, 400),
    (errors.PermissionDenied, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.InvalidTransition, 409),
]


def status_for(exc: errors.ShufangError) -> int:
    for cls, status in STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return status
    return 400


def _body(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "details": details or {}}, status=status
    )


def install(api: NinjaAPI) -> None:
    @api.exception_handler(errors.ShufangError)
    def shufang_error(request: HttpRequest, exc: errors.ShufangError) -> HttpResponse:
        return api.create_response(request, exc.as_dict(), status=status_for(exc))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _body(
            api,
            request,
            401,
            "unauthenticated",
            _("A valid API token is required (Authorization: Bearer …)."),
        )

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return _body(
            api,
            request,
            400,
            errors.ValidationFailed.code,
            str(errors.ValidationFailed.default_message),
            {"errors": exc.errors},
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _body(api, request, 404, errors.NotFound.code, str(errors.NotFound.default_message))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return _body(api, request, exc.status_code, "error", str(exc))
