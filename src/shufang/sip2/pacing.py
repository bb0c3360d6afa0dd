"""Open-loop pacing for SIP2 load generators (`bench/sip2_kiosk_sim.py`): pure arithmetic,
no I/O, so that the figures the bench prints can be checked by tests.

A paced kiosk means to send its n-th request at `start + phase + n / rate`, whatever became of
the previous one. SIP2 allows one request at a time per connection, so when an answer comes
late the next request goes out late too; its latency is then counted from when it *should*
have been sent (the intended time), not from when it was: otherwise a stall would delay the
requests that would have measured it and hide itself ("coordinated omission"). A closed-loop
kiosk (rate 0) sends each request as soon as the previous answer arrives and its latency runs
from the send.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class Pacer:
    """The send schedule of one kiosk. `rate` requests per second (0: closed loop), starting
    at `start + phase`, intended sends before `end` only."""

    start: float
    end: float
    rate: float = 0.0
    phase: float = 0.0
    sent: int = 0

    def intended(self, n: int) -> float:
        """When the n-th request (from 0) is meant to go out (paced only)."""
        return self.start + self.phase + n / self.rate

    def next_send(self, now: float) -> tuple[float, float] | None:
        """(intended send time, seconds to wait before sending) of the next request, or None
        when the schedule is over. Closed loop: (now, 0) until `end`. Counts the request as
        sent."""
        if self.rate <= 0:
            if now >= self.end:
                return None
            self.sent += 1
            return now, 0.0
        due = self.intended(self.sent)
        if due >= self.end:
            return None
        self.sent += 1
        return due, max(0.0, due - now)


def phases(kiosks: int, rate: float) -> list[float]:
    """Start offsets that spread `kiosks` paced kiosks evenly over one interval, so that
    the offered load is smooth rather than `kiosks` requests at each tick."""
    if rate <= 0 or kiosks <= 0:
        return [0.0] * max(kiosks, 0)
    return [i / (kiosks * rate) for i in range(kiosks)]


def latency(*, intended: float, received: float) -> float:
    """The latency of one request: from its intended send time (paced) or from its send
    (closed loop, where the intended time is the send time) to its answer."""
    return received - intended


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile by the nearest-rank method (q in [0, 1]); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(round(len(ordered) * q, 9)))  # round: 0.99 * 100 is 99.000...01
    return ordered[min(len(ordered), rank) - 1]
