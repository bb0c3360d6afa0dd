"""Fixtures for the SIP2 handler and server tests: the circulation tests' small network (see
`circulation/tests/conftest.py`), a kiosk device account at the city library's kiosk, readers
with the PIN 1234, and helpers that speak SIP2 over a real socket."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from shufang.circulation.tests.conftest import *  # noqa: F403 - the shared network fixtures
from shufang.core.audit import Actor
from shufang.readers.services import reader_set_pin
from shufang.sip2 import protocol as p
from shufang.sip2.handlers import Session
from shufang.sip2.models import DeviceAccount
from shufang.sip2.server import SipServerThread
from shufang.sip2.services import device_account_create

PIN = "1234"
DEVICE_PASSWORD = "kiosk-secret-1"


@pytest.fixture
def device(kiosk) -> DeviceAccount:
    return device_account_create(
        login="kiosk-01",
        password=DEVICE_PASSWORD,
        institution_id="LJ",
        service_point=kiosk,
        actor=Actor.system("test"),
    )


@pytest.fixture
def card(reader) -> Any:
    reader_set_pin(reader=reader, pin=PIN, actor=Actor.system("test"))
    return reader.cards.get()


@pytest.fixture
def other_card(other_reader) -> Any:
    reader_set_pin(reader=other_reader, pin=PIN, actor=Actor.system("test"))
    return other_reader.cards.get()


@pytest.fixture
def session(device) -> Session:
    """A session already logged in as the kiosk device."""
    return Session(
        peer="127.0.0.1",
        account=DeviceAccount.objects.select_related("service_point").get(pk=device.pk),
    )


class SipClient:
    """A blocking SIP2 client over a real socket, for tests and nothing else."""

    def __init__(self, port: int, *, encoding: str = "utf-8", terminator: bytes = b"\r") -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.encoding = encoding
        self.terminator = terminator
        self.buffer = p.FrameBuffer()
        self.pending: list[bytes] = []
        self.seq = 0

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def receive_raw(self) -> bytes:
        """One response frame (terminator included); b"" when the server closed."""
        while not self.pending:
            data = self.sock.recv(65536)
            if not data:
                return b""
            self.pending.extend(self.buffer.feed(data))
        return self.pending.pop(0)

    def request(self, message: p.Message, *, checksum: bool = True) -> Any:
        self.seq = (self.seq + 1) % 10
        self.send_raw(
            p.encode(
                message,
                seq=self.seq,
                checksum=checksum,
                encoding=self.encoding,
                terminator=self.terminator,
            )
        )
        frame = self.receive_raw()
        assert frame, "the server closed the connection"
        return p.decode(frame, encoding=self.encoding)

    def login(self, login: str = "kiosk-01", password: str = DEVICE_PASSWORD) -> Any:
        return self.request(p.Login(login_user_id=login, login_password=password))

    def closed_by_server(self) -> bool:
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def sip_server(transactional_db) -> Iterator[SipServerThread]:
    server = SipServerThread(
        host="127.0.0.1",
        port=0,
        idle_timeout=30,
    ).start()
    yield server
    server.stop()


@pytest.fixture
def connect(sip_server) -> Iterator[Any]:
    clients: list[SipClient] = []

    def make(**kwargs: Any) -> SipClient:
        client = SipClient(sip_server.port, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
