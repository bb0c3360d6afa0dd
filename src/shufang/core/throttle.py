"""Failure counting for login throttles, kept in the shared (database) cache so every
application server sees the same counts.

Each entry is `(count, window_end)`: the window starts at the first failure and is not
extended by later ones. Its end is stored with the count because the cache's `incr` (a get
and a set on the database cache) would reset the entry's timeout to the cache's default.
Not atomic (two failures at the same instant may count once), which a throttle can afford."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable


def blocked(keys: Iterable[str], *, max_failures: int, now: float | None = None) -> bool:
    """Whether any of `keys` has reached `max_failures` within a window not yet ended."""
    from django.core.cache import cache

    at = time.time() if now is None else now
    entries = cache.get_many(list(keys)).values()
    return any(count >= max_failures and ends > at for count, ends in entries)


def record_failure(keys: Iterable[str], *, window_seconds: int, now: float | None = None) -> None:
    """Counts one failure under each of `keys`; a key whose window has ended starts again."""
    from django.core.cache import cache

    at = time.time() if now is None else now
    for key in keys:
        entry = cache.get(key)
        if entry is None or entry[1] <= at:
            cache.set(key, (1, at + window_seconds), timeout=window_seconds)
        else:
            count, ends = entry
            cache.set(key, (count + 1, ends), timeout=max(1, math.ceil(ends - at)))
