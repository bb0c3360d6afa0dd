"""Access checks for the staff pages. A reader's OPAC session never counts: staff access
needs a Django user holding a staff role (see core.permissions)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from shufang.core.audit import Actor
from shufang.core.models import Channel
from shufang.core.permissions import has_permission


def staff_required(perm: str = "staff.access") -> Callable[..., Any]:
    """Anonymous users go to the login page; users without `perm` anywhere get 403.
    Views check the object's own place themselves."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_permission(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def desk_actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user, channel=Channel.DESK)


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678; short numbers keep only their last two digits."""
    digits = phone.strip()
    if len(digits) >= 7:
        return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"
    if len(digits) > 2:
        return "*" * (len(digits) - 2) + digits[-2:]
    return digits
