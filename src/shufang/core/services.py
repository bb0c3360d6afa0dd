"""Staff users and their roles. (Readers are not Django users: see `readers`.)"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import Conflict, ValidationFailed
from shufang.core.models import Role, StaffRole


@transaction.atomic
def staff_user_create(
    *,
    username: str,
    actor: Actor,
    password: str | None = None,
    password_hash: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_superuser: bool = False,
) -> Any:
    """A staff user who may log in to `/staff/` (and `/admin/` when superuser). Either a
    password or an already computed hash (bulk creation of demo users) may be given."""
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise Conflict(_("A staff user with this login already exists."), username=username)
    user = user_model(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=True,
        is_superuser=is_superuser,
    )
    if password_hash:
        user.password = password_hash
    elif password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(
        actor=actor,
        action="staff.create",
        obj=user,
        changes={"username": username, "superuser": is_superuser},
    )
    return user


@transaction.atomic
def staff_role_grant(
    *, user: Any, role: str, actor: Actor, library: Any = None, service_point: Any = None
) -> StaffRole:
    """Give `user` a role, scoped to a library, a service point, or (neither) the network."""
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."), role=role)
    if library is not None and service_point is not None:
        raise ValidationFailed(_("A role is scoped to a library or to a service point, not both."))
    grant, created = StaffRole.objects.get_or_create(
        user=user, role=role, library=library, service_point=service_point
    )
    if created:
        audit_record(
            actor=actor,
            action="staff.role_grant",
            obj=grant,
            changes={
                "user": user.pk,
                "role": role,
                "library": library,
                "service_point": service_point,
            },
        )
    return grant


@transaction.atomic
def staff_role_revoke(*, grant: StaffRole, actor: Actor) -> None:
    audit_record(
        actor=actor,
        action="staff.role_revoke",
        obj=grant,
        changes={"user": grant.user_id, "role": grant.role},
    )
    grant.delete()
