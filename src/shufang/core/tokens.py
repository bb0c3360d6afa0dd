"""API tokens: created once and shown once; only a SHA-256 hash of the token is stored.

A token looks like `sf_<prefix>_<secret>`; the prefix is stored in clear so that staff can
tell their tokens apart in the admin without the secret ever being kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import ValidationFailed
from shufang.core.models import ApiToken

TOKEN_PREFIX = "sf_"


def _hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def api_token_create(*, user: Any, name: str, actor: Actor) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the plaintext, which is not kept."""
    name = name.strip()
    if not name:
        raise ValidationFailed(_("A token needs a name."), field="name")
    prefix = secrets.token_hex(4)
    plaintext = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:100], prefix=prefix, key_hash=_hash(plaintext)
        )
        audit_record(
            actor=actor,
            action="api_token.create",
            obj=token,
            changes={"user": user.pk, "name": token.name, "prefix": prefix},
        )
    return token, plaintext


def api_token_revoke(*, token: ApiToken, actor: Actor) -> ApiToken:
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db()
        if updated:
            audit_record(actor=actor, action="api_token.revoke", obj=token)
    return token


def api_token_authenticate(plaintext: str) -> Any | None:
    """The active user owning this unrevoked token, or None. Records the time of use."""
    if not plaintext or not plaintext.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(plaintext), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Conditional update: at most one write a minute per token, whatever the request rate.
    ApiToken.objects.filter(pk=token.pk).exclude(
        last_used_at__gt=now - dt.timedelta(minutes=1)
    ).update(last_used_at=now)
    return token.user
