"""Login throttling for readers: failures are counted per card number and per IP address in
the shared (database) cache, so every application server sees the same counts. After
`READER_LOGIN_MAX_FAILURES` failures within `READER_LOGIN_WINDOW_SECONDS`, further attempts
are refused before the PIN is checked, until the window has passed."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def max_failures() -> int:
    return int(getattr(settings, "READER_LOGIN_MAX_FAILURES", 5))


def window_seconds() -> int:
    return int(getattr(settings, "READER_LOGIN_WINDOW_SECONDS", 15 * 60))


def _keys(card_number: str, ip: str) -> list[str]:
    # Hashed: cache keys must be short and safe whatever a visitor types.
    card = hashlib.sha256(card_number.strip().upper().encode()).hexdigest()[:32]
    return [f"reader-login-fail:card:{card}", f"reader-login-fail:ip:{ip}"]


def login_blocked(*, card_number: str, ip: str) -> bool:
    counts = cache.get_many(_keys(card_number, ip))
    return any(int(v) >= max_failures() for v in counts.values())


def login_failed(*, card_number: str, ip: str) -> None:
    for key in _keys(card_number, ip):
        # The window starts at the first failure and is not extended by later ones.
        if not cache.add(key, 1, timeout=window_seconds()):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=window_seconds())


def login_succeeded(*, card_number: str) -> None:
    """The card's count starts again; the address's count stays (one address trying many
    cards is what the per-address count is for)."""
    cache.delete(_keys(card_number, "")[0])
