"""Login throttling for the bookshop terminal page: failures are counted per terminal code
and per IP address in the shared (database) cache, so every application server sees the same
counts. After `BOOKSHOP_LOGIN_MAX_FAILURES` (5) failures within
`BOOKSHOP_LOGIN_WINDOW_SECONDS` (15 minutes), further attempts are refused before the secret
is checked, until the window has passed."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

from shufang.core.throttle import blocked, record_failure


def max_failures() -> int:
    return int(getattr(settings, "BOOKSHOP_LOGIN_MAX_FAILURES", 5))


def window_seconds() -> int:
    return int(getattr(settings, "BOOKSHOP_LOGIN_WINDOW_SECONDS", 15 * 60))


def _keys(code: str, ip: str) -> list[str]:
    # Hashed: cache keys must be short and safe whatever a visitor types.
    digest = hashlib.sha256(code.strip().upper().encode()).hexdigest()[:32]
    return [f"bookshop-login-fail:code:{digest}", f"bookshop-login-fail:ip:{ip}"]


def login_blocked(*, code: str, ip: str, now: float | None = None) -> bool:
    return blocked(_keys(code, ip), max_failures=max_failures(), now=now)


def login_failed(*, code: str, ip: str, now: float | None = None) -> None:
    """Counts one failure; the window starts at the first failure (see `core.throttle`)."""
    record_failure(_keys(code, ip), window_seconds=window_seconds(), now=now)


def login_succeeded(*, code: str) -> None:
    """The terminal's count starts again; the address's count stays (one address trying
    many codes is what the per-address count is for)."""
    cache.delete(_keys(code, "")[0])
