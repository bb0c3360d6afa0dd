"""Speed of the pure SIP2 codec: frames decoded and encoded per second on one core.

.venv/bin/python bench/bench_sip2_codec.py
"""

from __future__ import annotations

import time
from datetime import datetime

from shufang.sip2.protocol import CheckoutResponse, FrameBuffer, decode, encode

REQUEST = b"11YN20250301    093000                  AOLJ|AA00012345|AB31234000012345|AC|ADpin|AY1AZ"
REQUEST += b"%04X" % (-sum(REQUEST) & 0xFFFF) + b"\r"
RESPONSE = CheckoutResponse(
    ok=True,
    transaction_date=datetime(2025, 3, 1, 9, 30),
    institution_id="LJ",
    patron_id="00012345",
    item_id="31234000012345",
    title="红楼梦",
    due_date="20250331    235959",
    screen_message=("借书成功",),
)


def rate(label: str, action, n: int = 50_000) -> None:
    start = time.perf_counter()
    for _ in range(n):
        action()
    elapsed = time.perf_counter() - start
    print(f"{label:<40} {n / elapsed:>10,.0f} /s  ({elapsed / n * 1e6:.1f} µs each)")


def main() -> None:
    rate("decode checkout request (checksummed)", lambda: decode(REQUEST))
    rate("encode checkout response (checksummed)", lambda: encode(RESPONSE, seq=1, checksum=True))
    buffer = FrameBuffer()
    rate("frame buffer, one frame per feed", lambda: list(buffer.feed(REQUEST)))


if __name__ == "__main__":
    main()
