"""Which role may do what, and where. Enforced in services and in views.

A role held for a library covers the library and all its service points; a role held for a
service point covers that service point only; a role with no scope covers the whole network.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shufang.core.exceptions import PermissionDenied
from shufang.core.models import Role

# Permission names are "<area>.<verb>"; the table is the whole policy.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CIRCULATION: frozenset(
        {
            "staff.access",
            "readers.view",
            "readers.view_personal",
            "readers.change",
            "catalogue.view",
            "circulation.lend",
            "acquisitions.suggest",
        }
    ),
    Role.CATALOGUER: frozenset(
        {
            "staff.access",
            "catalogue.view",
            "catalogue.change",
            "catalogue.import",
            "catalogue.export",
        }
    ),
    Role.ACQUISITIONS: frozenset(
        {
            "staff.access",
            "catalogue.view",
            "catalogue.change",
            "acquisitions.view",
            "acquisitions.change",
            "acquisitions.suggest",
            "serials.view",
            "serials.change",
        }
    ),
    Role.EVENTS: frozenset(
        {"staff.access", "programmes.view", "programmes.change", "catalogue.view"}
    ),
    Role.STATISTICS: frozenset(
        {
            "staff.access",
            "statistics.view",
            "catalogue.view",
            "programmes.view",
            "outreach.view",
            "operations.view",
        }
    ),
    Role.BRANCH_MANAGER: frozenset(
        {
            "staff.access",
            "readers.view",
            "readers.view_personal",
            "readers.change",
            "catalogue.view",
            "catalogue.change",
            "circulation.lend",
            "circulation.override",
            "network.change",
            "statistics.view",
            "audit.view",
            "readers.import",
            "catalogue.import",
            "programmes.view",
            "programmes.change",
            "outreach.view",
            "outreach.change",
            "operations.view",
            "operations.change",
        }
    ),
    Role.SYSTEM_ADMIN: frozenset({"*"}),
}


def _role_allows(role: str, perm: str) -> bool:
    perms = ROLE_PERMISSIONS.get(role, frozenset())
    return "*" in perms or perm in perms


def _scope_covers(grant: Any, library_id: int | None, service_point_id: int | None) -> bool:
    if grant.library_id is None and grant.service_point_id is None:
        return True
    if grant.service_point_id is not None:
        return service_point_id is not None and grant.service_point_id == service_point_id
    # library-scoped grant
    if library_id is None and service_point_id is not None:
        from shufang.network.models import ServicePoint

        library_id = (
            ServicePoint.objects.filter(pk=service_point_id)
            .values_list("library_id", flat=True)
            .first()
        )
    return library_id is not None and grant.library_id == library_id


def _grants(user: Any) -> list[Any]:
    cached = getattr(user, "_shufang_grants", None)
    if cached is None:
        cached = list(user.staff_roles.all())
        user._shufang_grants = cached
    return cached


def has_permission(
    user: Any,
    perm: str,
    *,
    library: Any = None,
    service_point: Any = None,
) -> bool:
    """True when `user` holds a role allowing `perm` whose scope covers the given place.

    With no place given, any scope will do (used for "may see the menu entry at all")."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    library_id = getattr(library, "pk", library)
    service_point_id = getattr(service_point, "pk", service_point)
    anywhere = library_id is None and service_point_id is None
    for grant in _grants(user):
        if not _role_allows(grant.role, perm):
            continue
        if anywhere or _scope_covers(grant, library_id, service_point_id):
            return True
    return False


def require(user: Any, perm: str, *, library: Any = None, service_point: Any = None) -> None:
    if not has_permission(user, perm, library=library, service_point=service_point):
        raise PermissionDenied(_("You do not have permission to do this here."), permission=perm)


def visible_library_ids(user: Any, perm: str) -> set[int] | None:
    """Libraries where `user` has `perm`; None means every library."""
    if user.is_superuser:
        return None
    from shufang.network.models import ServicePoint

    ids: set[int] = set()
    for grant in _grants(user):
        if not _role_allows(grant.role, perm):
            continue
        if grant.library_id is None and grant.service_point_id is None:
            return None
        if grant.library_id is not None:
            ids.add(grant.library_id)
        elif grant.service_point_id is not None:
            lib = (
                ServicePoint.objects.filter(pk=grant.service_point_id)
                .values_list("library_id", flat=True)
                .first()
            )
            if lib is not None:
                ids.add(lib)
    return ids
