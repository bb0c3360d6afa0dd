"""Login throttling for the bookshop terminal page: failures are counted per terminal code
and per IP address in the shared (database) cache, so every application server sees the same
counts. After `BOOKSHOP_LOGIN_MAX_FAILURES` (5) failures within
`BOOKSHOP_LOGIN_WINDOW_SECONDS` (15 minutes), further attempts are refused before the secret
is checked, until the window has passed."""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache


def max_failures() -> int:
    return int(getattr(settings, "BOOKSHOP_LOGIN_MAX_FAILURES", 5))


def window_seconds() -> int:
    return int(getattr(settings, "BOOKSHOP_LOGIN_WINDOW_SECONDS", 15 * 60))


def _keys(code: str, ip: str) -> list[str]:
    # Hashed: cache keys must be short and safe whatever a visitor types.
    digest = hashlib.sha256(code.strip().upper().encode()).hexdigest()[:32]
    return [f"bookshop-login-fail:code:{digest}", f"bookshop-login-fail:ip:{ip}"]


def login_blocked(*, code: str, ip: str) -> bool:
    now = time.time()
    entries = cache.get_many(_keys(code, ip)).values()
    return any(count >= max_failures() and ends > now for count, ends in entries)


def login_failed(*, code: str, ip: str) -> None:
    """Counts one failure. The window starts at the first failure and is not extended by
    later ones: its end is stored with the count, because the cache's `incr` (a get and a set
    on the database cache) would reset the entry's timeout to the cache's default. Not atomic
    (two failures at the same instant may count once), which a throttle can afford."""
    now = time.time()
    for key in _keys(code, ip):
        entry = cache.get(key)
        if entry is None or entry[1] <= now:
            cache.set(key, (1, now + window_seconds()), timeout=window_seconds())
        else:
            count, ends = entry
            cache.set(key, (count + 1, ends), timeout=max(1, math.ceil(ends - now)))


def login_succeeded(*, code: str) -> None:
    """The terminal's count starts again; the address's count stays (one address trying
    many codes is what the per-address count is for)."""
    cache.delete(_keys(code, "")[0])
