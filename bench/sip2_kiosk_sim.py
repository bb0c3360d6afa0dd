"""Simulated SIP2 kiosks: for the demo and for load tests.

    SHUFANG_DATA_DIR=/tmp/sf-sip .venv/bin/shufang demo --build-only
    SHUFANG_DATA_DIR=/tmp/sf-sip .venv/bin/python bench/sip2_kiosk_sim.py --spawn-server \\
        --login kiosk-01 --password shufang-demo --kiosks 50 --seconds 60

or against a running server (`shufang serve` / `shufang sip2-server`):

    .venv/bin/python bench/sip2_kiosk_sim.py --host 127.0.0.1 --port 6001 \\
        --login kiosk-01 --password shufang-demo --kiosks 50 --seconds 60

Each kiosk is one connection that logs in, then loops patron information (with the reader's
PIN) -> checkout -> checkin of its own items for its own reader, for `--seconds`. Printed:
transactions per second in total, p50/p99 latency per request, errors (any refusal or
protocol failure); then the same loop calling the circulation services in-process (one
thread) for `--inprocess-seconds`, and the ratio of the two; then (with --spawn-server or
--server-pid) the server's resident memory with `--idle` connections held open.

The script reads the demo database (same SHUFANG_DATA_DIR) to choose readers and items: adult
readers with a valid card and no loans, and available items of loanable collections of the
kiosk's library. Readers without a PIN get the demo PIN (123456) through `reader_set_pin`.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shufang.config.settings")

import django  # noqa: E402

django.setup()

from django.db import connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from shufang.catalogue.models import Item, ItemStatus  # noqa: E402
from shufang.circulation.models import CirculationChannel, Loan  # noqa: E402
from shufang.core.audit import Actor  # noqa: E402
from shufang.core.demo_accounts import DEMO_READER_PIN  # noqa: E402
from shufang.core.models import Channel  # noqa: E402
from shufang.readers.models import Card, CardStatus  # noqa: E402
from shufang.sip2 import protocol as p  # noqa: E402
from shufang.sip2.models import DeviceAccount  # noqa: E402

ITEMS_PER_KIOSK = 3


@dataclass
class Kiosk:
    card: str
    items: list[str]
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def choose(login: str, kiosks: int, pin: str) -> tuple[DeviceAccount, list[Kiosk]]:
    from shufang.readers.services import reader_check_pin, reader_set_pin

    account = DeviceAccount.objects.select_related("service_point").get(login=login)
    today = timezone.localdate()
    busy = set(Loan.objects.filter(status="active").values_list("reader_id", flat=True))
    cards = [
        c
        for c in Card.objects.select_related("reader", "reader__category")
        .filter(
            status=CardStatus.VALID,
            expires_on__gt=today,
            replaced_by__isnull=True,
            reader__category__code="ADULT",
        )
        .order_by("pk")[: kiosks * 3]
        if c.reader_id not in busy
    ][:kiosks]
    if len(cards) < kiosks:
        raise SystemExit(f"only {len(cards)} usable readers for {kiosks} kiosks")
    actor = Actor.system("sip2 kiosk simulator")
    for card in cards:
        if not reader_check_pin(reader=card.reader, pin=pin):
            reader_set_pin(reader=card.reader, pin=pin, actor=actor)
    items = list(
        Item.objects.filter(
            status=ItemStatus.AVAILABLE,
            collection__loanable=True,
            collection__juvenile=False,
            owning_library_id=account.service_point.library_id,
            home_service_point_id=account.service_point_id,
        ).values_list("barcode", flat=True)[: kiosks * ITEMS_PER_KIOSK]
    )
    if len(items) < kiosks * ITEMS_PER_KIOSK:
        # items of the whole library: returns at the kiosk then send them home (a transit);
        # the loop lends each again only after it is back, so use items homed at the kiosk
        # when there are enough, otherwise any of the library's.
        raise SystemExit(
            f"only {len(items)} available items homed at {account.service_point.code}; "
            "run with --home-items to place some there"
        )
    return account, [
        Kiosk(card=c.number, items=items[i * ITEMS_PER_KIOSK : (i + 1) * ITEMS_PER_KIOSK])
        for i, c in enumerate(cards)
    ]


def home_items_at_kiosk(login: str, count: int) -> None:
    """Moves `count` available items of the kiosk's library to the kiosk (home and current
    service point), so that returns there go to the shelf: a bench fixture, not a service."""
    account = DeviceAccount.objects.select_related("service_point").get(login=login)
    point = account.service_point
    ids = list(
        Item.objects.filter(
            status=ItemStatus.AVAILABLE,
            collection__loanable=True,
            collection__juvenile=False,
            owning_library_id=point.library_id,
        )
        .exclude(home_service_point=point)
        .values_list("pk", flat=True)[:count]
    )
    Item.objects.filter(pk__in=ids).update(home_service_point=point, current_service_point=point)


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=30)
        self.buffer = p.FrameBuffer()
        self.pending: list[bytes] = []
        self.seq = 0

    def request(self, message: p.Message) -> p.Message:
        self.seq = (self.seq + 1) % 10
        self.sock.sendall(p.encode(message, seq=self.seq, checksum=True))
        while not self.pending:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed by the server")
            self.pending.extend(self.buffer.feed(data))
        return p.decode(self.pending.pop(0))


def run_kiosk(
    kiosk: Kiosk,
    *,
    host: str,
    port: int,
    login: str,
    password: str,
    pin: str,
    start: threading.Barrier,
    window: list[float],
) -> None:
    """Logs in and shows the reader once (the device's and the PIN's hashing: warm-up, not
    measured), waits for every kiosk, then loops until the end of the window."""
    try:
        conn = Connection(host, port)
        if not conn.request(p.Login(login_user_id=login, login_password=password)).ok:
            kiosk.errors.append("login refused")
        conn.request(
            p.PatronInformation(
                transaction_date=None, institution_id="", patron_id=kiosk.card, patron_password=pin
            )
        )
    except Exception as exc:
        kiosk.errors.append(f"warm-up {type(exc).__name__}: {exc}")
    start.wait()
    until = window[0]
    try:
        turn = 0
        while time.monotonic() < until:
            barcode = kiosk.items[turn % len(kiosk.items)]
            turn += 1
            now = timezone.localtime().replace(tzinfo=None, microsecond=0)
            steps: list[p.Message] = [
                p.PatronInformation(
                    transaction_date=now,
                    institution_id="",
                    patron_id=kiosk.card,
                    patron_password=pin,
                ),
                p.Checkout(
                    transaction_date=now,
                    nb_due_date=None,
                    institution_id="",
                    patron_id=kiosk.card,
                    item_id=barcode,
                    terminal_password="",
                    patron_password=pin,
                ),
                p.Checkin(
                    transaction_date=now,
                    return_date=now,
                    current_location="",
                    institution_id="",
                    item_id=barcode,
                    terminal_password="",
                ),
            ]
            for step in steps:
                started = time.perf_counter()
                answer = conn.request(step)
                kiosk.latencies.append(time.perf_counter() - started)
                ok = getattr(answer, "ok", None)
                if ok is None:
                    ok = getattr(answer, "valid_patron_password", False)
                if not ok:
                    kiosk.errors.append(
                        f"{answer.code}: {' '.join(getattr(answer, 'screen_message', ()))}"
                    )
    except Exception as exc:  # counted, reported
        kiosk.errors.append(f"{type(exc).__name__}: {exc}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def in_process(account: DeviceAccount, kiosks: list[Kiosk], seconds: float) -> float:
    """The same loop through the services, in this process: transactions per second."""
    from shufang.circulation.selectors import reader_loan_counts
    from shufang.circulation.services.checkin import loan_checkin
    from shufang.circulation.services.checkout import loan_checkout
    from shufang.readers.selectors import card_by_number

    actor = Actor(channel=Channel.KIOSK, label=account.device_label)
    point = account.service_point
    done = 0
    until = time.monotonic() + seconds
    turn = 0
    while time.monotonic() < until:
        kiosk = kiosks[turn % len(kiosks)]
        barcode = kiosk.items[(turn // len(kiosks)) % len(kiosk.items)]
        turn += 1
        card = card_by_number(number=kiosk.card)
        assert card is not None
        reader_loan_counts(reader=card.reader, collection_id=None, at=timezone.now())
        item = Item.objects.get(barcode=barcode)
        loan_checkout(
            item=item,
            reader=card.reader,
            service_point=point,
            actor=actor,
            channel=CirculationChannel.SELF_SERVICE,
            card=card,
            device=account.device_label,
        )
        loan_checkin(
            item=item, service_point=point, actor=actor, channel=CirculationChannel.SELF_SERVICE
        )
        done += 3
    return done / seconds


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def idle_test(host: str, port: int, count: int, pid: int) -> tuple[float, float]:
    before = rss_mb(pid)
    socks = []
    for _ in range(count):
        conn = Connection(host, port)
        conn.request(p.SCStatus())  # fully accepted and served once
        socks.append(conn)
    time.sleep(1.0)
    during = rss_mb(pid)
    for conn in socks:
        conn.sock.close()
    return before, during


def spawn_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            *("-m", "shufang", "sip2-server", "--host", "127.0.0.1", "--port", str(port)),
            *("--workers", str(workers)),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the SIP2 server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6001)
    parser.add_argument("--login", default="kiosk-01")
    parser.add_argument("--password", default="shufang-demo")
    parser.add_argument("--pin", default=DEMO_READER_PIN)
    parser.add_argument("--kiosks", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--inprocess-seconds", type=float, default=15)
    parser.add_argument("--idle", type=int, default=500, help="idle connections (0: skip)")
    parser.add_argument("--spawn-server", action="store_true", help="start sip2-server here")
    parser.add_argument("--server-pid", type=int, default=0, help="for the memory figure")
    parser.add_argument("--workers", type=int, default=8, help="server workers (spawned)")
    parser.add_argument(
        "--home-items",
        action="store_true",
        help="first home enough items at the kiosk (bench fixture)",
    )
    args = parser.parse_args()

    if args.home_items:
        home_items_at_kiosk(args.login, args.kiosks * ITEMS_PER_KIOSK)
    account, kiosks = choose(args.login, args.kiosks, args.pin)
    connections.close_all()
    server = spawn_server(args.port, args.workers) if args.spawn_server else None
    pid = server.pid if server is not None else args.server_pid
    try:
        memory = None
        if args.idle and pid:
            memory = idle_test(args.host, args.port, args.idle, pid)
        window = [0.0]

        def open_window() -> None:
            window[0] = time.monotonic() + args.seconds

        start = threading.Barrier(len(kiosks) + 1, action=open_window)
        threads = [
            threading.Thread(
                target=run_kiosk,
                args=(k,),
                kwargs={
                    "host": args.host,
                    "port": args.port,
                    "login": args.login,
                    "password": args.password,
                    "pin": args.pin,
                    "start": start,
                    "window": window,
                },
            )
            for k in kiosks
        ]
        for t in threads:
            t.start()
        start.wait()
        started = time.monotonic()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        after_load = rss_mb(pid) if pid else None
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)

    latencies = [x for k in kiosks for x in k.latencies]
    errors = [e for k in kiosks for e in k.errors]
    tps = len(latencies) / elapsed
    print(f"SIP2 kiosks: {args.kiosks} for {elapsed:.1f} s on {connections['default'].vendor}")
    print(f"  transactions: {len(latencies)}  ({tps:.0f}/s)")
    print(
        f"  latency p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
        f"mean {statistics.fmean(latencies) * 1000 if latencies else 0:.1f} ms"
    )
    print(f"  errors: {len(errors)}")
    for error in sorted(set(errors))[:10]:
        print(f"    {errors.count(error)} x {error}")

    local = in_process(account, kiosks, args.inprocess_seconds)
    print(f"In-process services, one thread: {local:.0f} tx/s")
    print(f"  ratio SIP2 / in-process: {tps / local:.2f}")
    if memory is not None:
        print(
            f"Server memory: {memory[0]:.1f} MB before, {memory[1]:.1f} MB with "
            f"{args.idle} idle connections (+{memory[1] - memory[0]:.1f} MB)"
            + (f"; {after_load:.1f} MB after the load" if after_load else "")
        )


if __name__ == "__main__":
    main()
