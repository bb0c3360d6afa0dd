"""The SIP2 TCP server: a thin asyncio loop that cuts the stream into frames, decodes them,
hands each request to `handlers.handle` in a database worker thread, and writes the encoded
response in the client's style (CR or CRLF, sequence number, checksum).

- Many long-lived connections: each is one small asyncio task; only the database work uses a
  thread, from a bounded pool (`DatabaseWorkers`), whose threads keep their Django connection
  open for the life of the server and drop it only when it is broken or was left inside a
  transaction. On SQLite the pool is ONE thread, a single-writer queue: SQLite lets one
  writer at a time, and several threads opening write transactions only wait on each other
  in SQLite's busy handler, which sleeps in steps of up to 100 ms (the tail latency of a
  busy kiosk network); PostgreSQL gets a small pool (see docs/decisions/0008).
- Bad input never takes a connection down with it, let alone the server: a wrong checksum is
  answered 96; a frame over 64 KB or an unknown message code 96 as well (the frame cannot be
  answered in kind); a request whose fields cannot be read gets its own response type with
  ok=0 and a screen message; bytes that are not SIP at all (no two-digit code) close that
  connection cleanly. Three bad frames in a row also close it (a client resending the same
  unreadable frame would otherwise loop forever).
- A request the client abandons (dropped connection) still runs to the end of its
  transaction in its worker thread: a loan is either made whole or not at all.
- Idle connections are closed after `idle_timeout` seconds (default 15 minutes: devices send
  SC status every few minutes as a keep-alive).
- Graceful shutdown (SIGTERM/SIGINT): stop accepting, close idle connections, let requests in
  flight finish their transaction and send their response, then close.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import queue
import signal
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.utils import translation

from shufang.sip2 import handlers
from shufang.sip2 import protocol as p

log = logging.getLogger("shufang.sip2")

DEFAULT_PORT = 6001
DEFAULT_IDLE_TIMEOUT = 15 * 60.0
DEFAULT_WORKERS = 8  # PostgreSQL (and other servers); SQLite always uses one
MAX_BAD_FRAMES = 3
SHUTDOWN_GRACE = 30.0


# ----------------------------------------------------------------------------- workers


def workers_for(vendor: str, requested: int | None = None) -> int:
    """How many database threads the server runs: one on SQLite whatever was asked (one
    writer at a time; more threads only queue in its busy handler), otherwise `requested` or
    DEFAULT_WORKERS."""
    if vendor == "sqlite":
        if requested is not None and requested > 1:
            log.info("SIP2 on SQLite: one database thread (%d requested)", requested)
        return 1
    return max(1, requested if requested is not None else DEFAULT_WORKERS)


def release_connections() -> None:
    """After a request in a worker thread: keep a healthy connection for the next request,
    close one that is broken or was left inside a transaction."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        if conn.in_atomic_block or not conn.get_autocommit():
            conn.close()  # rolls back what a failed handler left open
        elif conn.errors_occurred:
            if conn.is_usable():
                conn.errors_occurred = False
            else:
                conn.close()


class DatabaseWorkers:
    """A fixed pool of threads for ORM work, fed from one queue in arrival order. Each thread
    keeps its own Django connection (connections are per thread; no request signals run
    here, so CONN_MAX_AGE never closes it) and closes it when the pool shuts down."""

    def __init__(self, size: int = DEFAULT_WORKERS) -> None:
        self._tasks: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"sip2-db-{i}", daemon=True)
            for i in range(size)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., Any], *args: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._tasks.put((future, fn, args))
        return future

    def _work(self) -> None:
        try:
            while True:
                task = self._tasks.get()
                if task is None:
                    return
                future, fn, args = task
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(fn(*args))
                except BaseException as exc:
                    future.set_exception(exc)
                finally:
                    release_connections()
        finally:
            connections.close_all()

    def shutdown(self) -> None:
        """Lets queued work finish, then stops the threads."""
        for _thread in self._threads:
            self._tasks.put(None)
        for thread in self._threads:
            thread.join()


# ----------------------------------------------------------------------------- connections


@dataclass
class _Connection:
    session: handlers.Session
    writer: asyncio.StreamWriter
    busy: bool = False
    bad_in_row: int = 0
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)


def _collect(buffer: p.FrameBuffer, data: bytes) -> list[p.Frame | p.FrameTooLong]:
    """Every complete frame in the buffer after `data`, with a FrameTooLong in place of each
    frame that was too long."""
    found: list[p.Frame | p.FrameTooLong] = []
    frames = buffer.feed(data)
    while True:
        try:
            found.extend(frames)
            return found
        except p.FrameTooLong as exc:
            found.append(exc)
            frames = buffer.feed(b"")


_RESEND = p.RequestSCResend()


class SipServer:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
        workers: int | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.idle_timeout = idle_timeout
        self.ssl_context = ssl_context
        self.workers_size = workers_for(connections["default"].vendor, workers)
        self.workers: DatabaseWorkers | None = None
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[Any], _Connection] = {}
        self._stopping = False

    # -------------------------------------------------------------- life cycle

    async def start(self) -> None:
        self.workers = DatabaseWorkers(self.workers_size)
        self._server = await asyncio.start_server(
            self._client, self.host, self.port, ssl=self.ssl_context, backlog=1024
        )
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("SIP2 server listening on %s:%d", self.host, self.port)

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    async def shutdown(self, grace: float = SHUTDOWN_GRACE) -> None:
        """Stop accepting; close idle connections now and busy ones once their request is
        answered (at most `grace` seconds)."""
        self._stopping = True
        if self._server is not None:
            self._server.close()
        for task, conn in list(self._connections.items()):
            if not conn.busy:
                task.cancel()
        pending = list(self._connections)
        if pending:
            await asyncio.wait(pending, timeout=grace)
        for task in list(self._connections):
            task.cancel()
        if self._server is not None:
            await self._server.wait_closed()
        if self.workers is not None:
            await asyncio.to_thread(self.workers.shutdown)
        log.info("SIP2 server stopped")

    # -------------------------------------------------------------- one connection

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        session = handlers.Session(peer=str(peer[0]) if peer else "")
        conn = _Connection(session=session, writer=writer)
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = conn
        buffer = p.FrameBuffer()
        try:
            while not self._stopping:
                try:
                    # asyncio.timeout: a timer handle, not a task per read as wait_for makes
                    async with asyncio.timeout(self.idle_timeout):
                        data = await reader.read(65536)
                except TimeoutError:
                    log.info("SIP2 connection from %s idle, closed", session.peer)
                    break
                if not data:
                    break
                conn.busy = True
                try:
                    for frame in _collect(buffer, data):
                        answer = await self._answer(conn, frame)
                        if answer is None:
                            return
                        writer.write(answer)
                        await writer.drain()
                        if conn.bad_in_row >= MAX_BAD_FRAMES:
                            log.warning("SIP2 client %s: bad frames, closed", session.peer)
                            return
                finally:
                    conn.busy = False
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass  # the client went away; its request (if any) finished in its thread
        except asyncio.CancelledError:
            pass
        finally:
            self._connections.pop(task, None)
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _answer(self, conn: _Connection, frame: p.Frame | p.FrameTooLong) -> bytes | None:
        """The bytes to send for one frame, or None to close the connection cleanly."""
        session = conn.session
        if isinstance(frame, p.FrameTooLong):
            conn.bad_in_row += 1
            return p.encode(_RESEND, seq=None, checksum=True)
        try:
            message = p.decode(frame, encoding=session.encoding)
        except p.BadChecksum:
            conn.bad_in_row += 1
            terminator = p.split_terminator(frame)[1]
            return p.encode(_RESEND, seq=None, checksum=True, terminator=terminator)
        except p.ProtocolError as exc:
            conn.bad_in_row += 1
            terminator = p.split_terminator(frame)[1]
            if exc.message_code is None:
                log.info("SIP2 client %s sent garbage; closed", session.peer)
                return None
            refused = handlers.unreadable(session, exc.message_code)
            log.info("SIP2 client %s: %s (%s)", session.peer, exc.code, exc.detail)
            if refused is None:
                return p.encode(_RESEND, seq=None, checksum=True, terminator=terminator)
            return self._encode(session, refused, None, True, terminator)
        info = message.frame or p.FrameInfo()
        if message.code == "97":
            conn.bad_in_row = 0
            if session.last_response is not None:
                return session.last_response
            return p.encode(_RESEND, seq=None, checksum=True, terminator=info.terminator)
        account = session.account
        if account is not None and account.checksum_required and not info.checksum:
            conn.bad_in_row += 1
            return p.encode(_RESEND, seq=None, checksum=True, terminator=info.terminator)
        assert self.workers is not None
        try:
            response = await asyncio.wrap_future(
                self.workers.submit(handlers.handle, session, message)
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("SIP2 handler failed for %s from %s", message.code, session.peer)
            with translation.override(session.language):
                failed = str(handlers.FAILED)
            response = handlers.refusal(message.code, failed, request=message)
        conn.bad_in_row = 0
        checksum = info.checksum or (
            session.account is not None and session.account.checksum_required
        )
        encoded = self._encode(session, response, info.seq, checksum, info.terminator)
        session.last_response = encoded
        return encoded

    @staticmethod
    def _encode(
        session: handlers.Session,
        response: p.Response,
        seq: int | None,
        checksum: bool,
        terminator: bytes,
    ) -> bytes:
        return p.encode(
            response, seq=seq, checksum=checksum, encoding=session.encoding, terminator=terminator
        )


# ----------------------------------------------------------------------------- running


def tls_context(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ssl_context: ssl.SSLContext | None = None,
    workers: int | None = None,
    on_ready: Callable[[SipServer], None] | None = None,
) -> None:
    """Runs the server in this (main) thread until SIGTERM or SIGINT, then shuts down
    gracefully."""

    async def main() -> None:
        server = SipServer(
            host=host,
            port=port,
            idle_timeout=idle_timeout,
            ssl_context=ssl_context,
            workers=workers,
        )
        await server.start()
        if on_ready is not None:
            on_ready(server)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await server.shutdown()

    asyncio.run(main())


class SipServerThread:
    """The server on its own event loop in a background thread: for `shufang serve` (beside
    waitress) and for tests. `start()` returns once it listens (or raises why it cannot);
    `stop()` shuts it down gracefully."""

    def __init__(self, **kwargs: Any) -> None:
        self.server = SipServer(**kwargs)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="sip2-server", daemon=True)

    @property
    def port(self) -> int:
        return self.server.port

    def start(self) -> SipServerThread:
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._stop = asyncio.Event()
            try:
                loop.run_until_complete(self.server.start())
            except BaseException as exc:
                self._error = exc
                return
            finally:
                self._ready.set()
            loop.run_until_complete(self._stop.wait())
            loop.run_until_complete(self.server.shutdown())
        finally:
            loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()
