"""Simulated SIP2 kiosks: for the demo and for load tests.

    SHUFANG_DATA_DIR=/tmp/sf-sip .venv/bin/shufang demo --build-only
    SHUFANG_DATA_DIR=/tmp/sf-sip .venv/bin/python bench/sip2_kiosk_sim.py --spawn-server \\
        --home-items --login kiosk-01 --password shufang-demo --kiosks 50 --seconds 60

or against a running server (`shufang serve` / `shufang sip2-server`):

    .venv/bin/python bench/sip2_kiosk_sim.py --host 127.0.0.1 --port 6001 \\
        --login kiosk-01 --password shufang-demo --kiosks 50 --seconds 60

Each kiosk is one connection that logs in, then loops patron information (with the reader's
PIN) -> checkout -> checkin of its own items for its own reader. All kiosks run on one asyncio
loop in this process (the simulator shares the cores with the server: it should cost little).

Two phases, in this order:

- paced (`--seconds`, `--rate` transactions per second per kiosk, default 6: 50 kiosks offer
  300/s): open loop, each kiosk's sends spread evenly over the interval; a request's latency
  counts from when it was *meant* to be sent, so a late answer also charges the requests it
  delayed (no coordinated omission). Printed: offered and achieved transactions per second,
  p50/p95/p99/max latency, errors.
- saturated (`--saturate-seconds`, 0 skips): closed loop, each kiosk sends as soon as it has
  its answer: the most the server gives. Printed: transactions per second, p50/p99.

`--rate 0` makes the first phase closed-loop too. Then the same loop calling the circulation
services in-process (one thread, `--inprocess-seconds`) and the ratio saturated / in-process;
the SIP2 handlers in-process (decode, handle, encode; no socket), for the server's share; the
CPU time of the simulator and of the server during each phase; and (with --spawn-server or
--server-pid) the server's resident memory with `--idle` connections held open.

The script reads the demo database (same SHUFANG_DATA_DIR) to choose readers and items: adult
readers with a valid card and no loans, and available items of loanable collections of the
kiosk's library. Readers without a PIN get the demo PIN (123456) through `reader_set_pin`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import statistics
import subprocess
import sys
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
from shufang.sip2.pacing import Pacer, latency, percentile, phases  # noqa: E402

ITEMS_PER_KIOSK = 3


@dataclass
class Kiosk:
    card: str
    items: list[str]
    turn: int = 0  # transactions done: where the loop goes on in the next phase
    latencies: list[float] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)  # intended send times, same order
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


class AsyncConnection:
    """One kiosk's connection on the simulator's event loop."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.buffer = p.FrameBuffer()
        self.pending: list[bytes] = []
        self.seq = 0

    @classmethod
    async def open(cls, host: str, port: int) -> AsyncConnection:
        return cls(*await asyncio.open_connection(host, port))

    def send(self, message: p.Message) -> None:
        self.seq = (self.seq + 1) % 10
        self.writer.write(p.encode(message, seq=self.seq, checksum=True))

    async def receive(self) -> p.Message:
        while not self.pending:
            data = await self.reader.read(65536)
            if not data:
                raise ConnectionError("closed by the server")
            self.pending.extend(self.buffer.feed(data))
        return p.decode(self.pending.pop(0))

    async def request(self, message: p.Message) -> p.Message:
        self.send(message)
        return await self.receive()

    def close(self) -> None:
        self.writer.close()


def kiosk_step(kiosk: Kiosk, pin: str) -> p.Message:
    """The kiosk's next request: patron information, checkout, checkin of its next item."""
    step = kiosk.turn % 3
    barcode = kiosk.items[(kiosk.turn // 3) % len(kiosk.items)]
    now = timezone.localtime().replace(tzinfo=None, microsecond=0)
    if step == 0:
        return p.PatronInformation(
            transaction_date=now, institution_id="", patron_id=kiosk.card, patron_password=pin
        )
    if step == 1:
        return p.Checkout(
            transaction_date=now,
            nb_due_date=None,
            institution_id="",
            patron_id=kiosk.card,
            item_id=barcode,
            terminal_password="",
            patron_password=pin,
        )
    return p.Checkin(
        transaction_date=now,
        return_date=now,
        current_location="",
        institution_id="",
        item_id=barcode,
        terminal_password="",
    )


def answer_error(answer: p.Message) -> str | None:
    ok = getattr(answer, "ok", None)
    if ok is None:
        ok = getattr(answer, "valid_patron_password", False)
    if ok:
        return None
    return f"{answer.code}: {' '.join(getattr(answer, 'screen_message', ()))}"


async def kiosk_connect(
    kiosk: Kiosk, *, host: str, port: int, login: str, password: str, pin: str
) -> AsyncConnection | None:
    """Logs in and shows the reader once (the device's and the PIN's hashing: warm-up, not
    measured)."""
    try:
        conn = await AsyncConnection.open(host, port)
        if not getattr(
            await conn.request(p.Login(login_user_id=login, login_password=password)), "ok", False
        ):
            kiosk.errors.append("login refused")
        await conn.request(
            p.PatronInformation(
                transaction_date=None, institution_id="", patron_id=kiosk.card, patron_password=pin
            )
        )
        return conn
    except Exception as exc:
        kiosk.errors.append(f"warm-up {type(exc).__name__}: {exc}")
        return None


async def kiosk_loop(kiosk: Kiosk, conn: AsyncConnection, pacer: Pacer, pin: str) -> None:
    """Sends the kiosk's requests on the pacer's schedule until it ends."""
    clock = time.perf_counter
    try:
        while True:
            planned = pacer.next_send(clock())
            if planned is None:
                return
            intended, wait = planned
            if wait > 0:
                await asyncio.sleep(wait)
            answer = await conn.request(kiosk_step(kiosk, pin))
            kiosk.latencies.append(latency(intended=intended, received=clock()))
            kiosk.sent_at.append(intended - pacer.start)
            kiosk.turn += 1
            error = answer_error(answer)
            if error is not None:
                kiosk.errors.append(error)
    except Exception as exc:  # counted, reported
        kiosk.errors.append(f"{type(exc).__name__}: {exc}")


@dataclass
class Phase:
    name: str
    seconds: float
    rate: float
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cpu_self: float = 0.0
    cpu_server: float | None = None

    @property
    def done(self) -> int:
        return len(self.latencies)

    def report(self, kiosks: int) -> None:
        lat = self.latencies
        ms = [percentile(lat, q) * 1000 for q in (0.5, 0.95, 0.99, 1.0)]
        offered = f"offered {kiosks * self.rate:.0f}/s, " if self.rate > 0 else "closed loop, "
        print(
            f"  {self.name}: {offered}{self.done} transactions in {self.elapsed:.1f} s "
            f"= {self.done / self.elapsed if self.elapsed else 0:.0f}/s"
        )
        print(
            f"    latency p50 {ms[0]:.1f} ms, p95 {ms[1]:.1f} ms, p99 {ms[2]:.1f} ms, "
            f"max {ms[3]:.1f} ms, mean {statistics.fmean(lat) * 1000 if lat else 0:.1f} ms"
        )
        windows: dict[int, list[float]] = {}
        for at, lat_ in zip(self.sent_at, lat, strict=True):
            windows.setdefault(int(at // 10), []).append(lat_)
        print(
            "    p99 by 10 s window (ms): "
            + " ".join(f"{percentile(v, 0.99) * 1000:.0f}" for _w, v in sorted(windows.items()))
        )
        print(f"    errors: {len(self.errors)}")
        for error in sorted(set(self.errors))[:10]:
            print(f"      {self.errors.count(error)} x {error}")
        server = f", server {self.cpu_server:.1f} s" if self.cpu_server is not None else ""
        print(
            f"    CPU: simulator {self.cpu_self:.1f} s "
            f"({100 * self.cpu_self / self.elapsed if self.elapsed else 0:.0f}% of a core){server}"
            + (
                f" ({100 * self.cpu_server / self.elapsed:.0f}% of a core)"
                if self.cpu_server is not None and self.elapsed
                else ""
            )
        )


def cpu_seconds_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_seconds_of(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_phases(
    kiosks: list[Kiosk],
    phases_: list[Phase],
    *,
    host: str,
    port: int,
    login: str,
    password: str,
    pin: str,
    server_pid: int,
) -> None:
    conns = await asyncio.gather(
        *(
            kiosk_connect(k, host=host, port=port, login=login, password=password, pin=pin)
            for k in kiosks
        )
    )
    live = [(k, c) for k, c in zip(kiosks, conns, strict=True) if c is not None]
    warmup = [e for k in kiosks for e in k.errors]
    if warmup:
        print(f"  warm-up errors: {len(warmup)}: {sorted(set(warmup))[:3]}")
    for phase in phases_:
        for k in kiosks:
            k.latencies, k.sent_at, k.errors = [], [], []
        cpu0, server0 = cpu_seconds_self(), cpu_seconds_of(server_pid) if server_pid else None
        start = time.perf_counter() + 0.05
        offsets = phases(len(live), phase.rate)
        await asyncio.gather(
            *(
                kiosk_loop(
                    k,
                    c,
                    Pacer(
                        start=start, end=start + phase.seconds, rate=phase.rate, phase=offsets[i]
                    ),
                    pin,
                )
                for i, (k, c) in enumerate(live)
            )
        )
        phase.elapsed = time.perf_counter() - start
        phase.cpu_self = cpu_seconds_self() - cpu0
        server1 = cpu_seconds_of(server_pid) if server_pid else None
        if server0 is not None and server1 is not None:
            phase.cpu_server = server1 - server0
        phase.latencies = [x for k in kiosks for x in k.latencies]
        phase.sent_at = [x for k in kiosks for x in k.sent_at]
        phase.errors = [e for k in kiosks for e in k.errors]
    for k, c in live:  # finish the last round (not measured): every item back on the shelf
        while k.turn % 3:
            await c.request(kiosk_step(k, pin))
            k.turn += 1
        c.close()


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


def handlers_in_process(
    login: str, password: str, pin: str, kiosks: list[Kiosk], seconds: float
) -> float:
    """The SIP2 handlers called directly (decode, handle, encode; no socket, one thread):
    transactions per second. The difference to the server is the server's own cost."""
    from shufang.sip2 import handlers

    session = handlers.Session(peer="in-process")
    handlers.handle(session, p.Login(login_user_id=login, login_password=password))
    for kiosk in kiosks:  # each reader's PIN hashed once, as the kiosks' warm-up does
        handlers.handle(
            session,
            p.PatronInformation(
                transaction_date=None, institution_id="", patron_id=kiosk.card, patron_password=pin
            ),
        )
    done = 0
    until = time.monotonic() + seconds
    turn = 0
    while time.monotonic() < until or turn % 3:
        kiosk = kiosks[(turn // 3) % len(kiosks)]
        kiosk.turn = (turn // (3 * len(kiosks))) * 3 + turn % 3
        frame = p.encode(kiosk_step(kiosk, pin), seq=1, checksum=True)
        response = handlers.handle(session, p.decode(frame))
        p.encode(response, seq=1, checksum=True)
        if answer_error(response) is not None:
            raise SystemExit(f"in-process handlers refused: {answer_error(response)}")
        turn += 1
        done += 1
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


def spawn_server(port: int, workers: int | None) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            *("-m", "shufang", "sip2-server", "--host", "127.0.0.1", "--port", str(port)),
            *(("--workers", str(workers)) if workers else ()),
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
    parser.add_argument("--seconds", type=float, default=60, help="paced phase")
    parser.add_argument(
        "--rate",
        type=float,
        default=6.0,
        help="transactions per second per kiosk in the paced phase (0: closed loop)",
    )
    parser.add_argument(
        "--saturate-seconds", type=float, default=30, help="closed-loop phase (0: skip)"
    )
    parser.add_argument("--inprocess-seconds", type=float, default=15)
    parser.add_argument("--idle", type=int, default=500, help="idle connections (0: skip)")
    parser.add_argument("--spawn-server", action="store_true", help="start sip2-server here")
    parser.add_argument("--server-pid", type=int, default=0, help="for memory and CPU figures")
    parser.add_argument(
        "--workers", type=int, default=None, help="server workers (spawned; default: by database)"
    )
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
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    server = spawn_server(args.port, args.workers) if args.spawn_server else None
    pid = server.pid if server is not None else args.server_pid
    runs = [Phase("paced" if args.rate > 0 else "closed loop", args.seconds, args.rate)]
    if args.saturate_seconds > 0 and args.rate > 0:
        runs.append(Phase("saturated", args.saturate_seconds, 0.0))
    try:
        memory = None
        if args.idle and pid:
            memory = idle_test(args.host, args.port, args.idle, pid)
        asyncio.run(
            run_phases(
                kiosks,
                runs,
                host=args.host,
                port=args.port,
                login=args.login,
                password=args.password,
                pin=args.pin,
                server_pid=pid,
            )
        )
        after_load = rss_mb(pid) if pid else None
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)

    print(f"SIP2 kiosks: {args.kiosks} on {connections['default'].vendor}")
    for phase in runs:
        phase.report(args.kiosks)
    saturated = runs[-1].done / runs[-1].elapsed if runs[-1].elapsed else 0.0

    local = in_process(account, kiosks, args.inprocess_seconds)
    print(f"In-process services, one thread: {local:.0f} tx/s")
    print(f"  ratio SIP2 ({runs[-1].name}) / in-process: {saturated / local:.2f}")
    direct = handlers_in_process(
        args.login, args.password, args.pin, kiosks, min(args.inprocess_seconds, 10)
    )
    print(f"In-process SIP2 handlers (decode, handle, encode), one thread: {direct:.0f} tx/s")
    print(f"  ratio SIP2 ({runs[-1].name}) / in-process handlers: {saturated / direct:.2f}")
    if memory is not None:
        print(
            f"Server memory: {memory[0]:.1f} MB before, {memory[1]:.1f} MB with "
            f"{args.idle} idle connections (+{memory[1] - memory[0]:.1f} MB)"
            + (f"; {after_load:.1f} MB after the load" if after_load else "")
        )
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
