"""Deployment checks: `shufang check --deploy` refuses demo secrets and missing keys."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def shufang_deploy_checks(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    if settings.SECRET_KEY == settings.DEMO_SECRET_KEY:
        errors.append(
            Error(
                "SHUFANG_SECRET_KEY is the demo key.",
                hint="Set SHUFANG_SECRET_KEY.",
                id="shufang.E001",
            )
        )
    if not settings.ID_ENCRYPTION_KEYS or not settings.ID_HASH_KEY:
        errors.append(
            Error(
                "SHUFANG_ID_ENCRYPTION_KEYS and SHUFANG_ID_HASH_KEY must be set in production.",
                hint="Generate a key with `shufang generate-keys`.",
                id="shufang.E002",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        errors.append(
            Error(
                "Production uses PostgreSQL.",
                hint="Set SHUFANG_DATABASE_URL=postgres://...",
                id="shufang.E003",
            )
        )
    from django.contrib.auth import get_user_model

    try:
        from shufang.core.demo_accounts import DEMO_PASSWORD

        user_model = get_user_model()
        for user in user_model.objects.filter(is_active=True).only("password", "username")[:1000]:
            if user.check_password(DEMO_PASSWORD):
                errors.append(
                    Error(
                        f"User {user.username!r} still has the demo password.",
                        id="shufang.E004",
                    )
                )
                break
    except Exception:  # noqa: BLE001  (no database yet: nothing to check)
        pass
    return errors
