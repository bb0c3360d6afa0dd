"""Login throttling for readers: failures are counted per card number and per IP address in
the shared (database) cache, so every application server sees the same counts. After
`READER_LOGIN_MAX_FAILURES` failures within `READER_LOGIN_WINDOW_SECONDS`, further attempts
are refused before the PIN is checked, until the window has passed."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

from shufang.core.throttle import blocked, record_failure


def max_failures() -> int:
    return int(getattr(settings, "READER_LOGIN_MAX_FAILURES", 5))


def window_seconds() -> int:
    return int(getattr(settings, "READER_LOGIN_WINDOW_SECONDS", 15 * 60))


def _keys(card_number: str, ip: str) -> list[str]:
    # Hashed: cache keys must be short and safe whatever a visitor types.
    card = hashlib.sha256(card_number.strip().upper().encode()).hexdigest()[:32]
    return [f"reader-login-fail:card:{card}", f"reader-login-fail:ip:{ip}"]


def login_blocked(*, card_number: str, ip: str, now: float | None = None) -> bool:
    return blocked(_keys(card_number, ip), max_failures=max_failures(), now=now)


def login_failed(*, card_number: str, ip: str, now: float | None = None) -> None:
    """Counts one failure; the window starts at the first failure and is not extended by
    later ones (its end is stored with the count, see `core.throttle`)."""
    record_failure(_keys(card_number, ip), window_seconds=window_seconds(), now=now)


def login_succeeded(*, card_number: str) -> None:
    """The card's count starts again; the address's count stays (one address trying many
    cards is what the per-address count is for)."""
    cache.delete(_keys(card_number, "")[0])
