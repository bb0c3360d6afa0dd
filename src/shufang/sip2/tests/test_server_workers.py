"""The server's database threads: one on SQLite (a single writer, whose connection lives as
long as the server), a small pool elsewhere; concurrent kiosks all served, none refused."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.db.backends.signals import connection_created

from shufang.catalogue.models import ItemStatus
from shufang.circulation.models import Loan, LoanStatus
from shufang.core.audit import Actor
from shufang.readers.services import reader_set_pin
from shufang.sip2 import protocol as p
from shufang.sip2.server import DEFAULT_WORKERS, SipServer, SipServerThread, workers_for

from .conftest import PIN, SipClient

pytestmark = pytest.mark.django_db(transaction=True)

WHEN = dt.datetime(2024, 3, 5, 10, 0)


@pytest.fixture
def opened() -> Iterator[list[str]]:
    """The names of the threads that open a database connection while the test runs."""
    names: list[str] = []

    def record(sender: Any, connection: Any, **kwargs: Any) -> None:
        names.append(threading.current_thread().name)

    connection_created.connect(record)
    yield names
    connection_created.disconnect(record)


def _checkout(card: Any, barcode: str) -> p.Checkout:
    return p.Checkout(
        transaction_date=WHEN,
        nb_due_date=None,
        institution_id="LJ",
        patron_id=card.number,
        item_id=barcode,
        terminal_password="",
        patron_password=PIN,
    )


def _checkin(barcode: str) -> p.Checkin:
    return p.Checkin(
        transaction_date=WHEN,
        return_date=None,
        current_location="",
        institution_id="LJ",
        item_id=barcode,
        terminal_password="",
    )


def test_sqlite_gets_one_database_thread_whatever_is_asked():
    assert workers_for("sqlite") == 1
    assert workers_for("sqlite", 8) == 1
    assert workers_for("postgresql") == DEFAULT_WORKERS
    assert workers_for("postgresql", 3) == 3
    assert workers_for("postgresql", 0) == 1


def test_the_server_sizes_its_pool_by_the_database_vendor():
    server = SipServer(port=0, workers=6)

    expected = 1 if connection.vendor == "sqlite" else 6
    assert server.workers_size == expected


def test_six_kiosks_lending_at_once_are_all_served_with_the_right_loans(
    device, make_reader, make_item, rules, opened
):
    # given six readers with PINs and three items each, and a server sized by the vendor
    readers = [make_reader(f"读者{i}") for i in range(6)]
    for reader in readers:
        reader_set_pin(reader=reader, pin=PIN, actor=Actor.system("test"))
    cards = [reader.cards.get() for reader in readers]
    items = [[make_item().barcode for _ in range(3)] for _ in readers]
    server = SipServerThread(host="127.0.0.1", port=0, idle_timeout=30).start()
    answers: dict[int, list[Any]] = {}
    barrier = threading.Barrier(len(readers))

    def kiosk(i: int) -> None:
        client = SipClient(server.port)
        try:
            client.login()
            barrier.wait()
            answers[i] = [client.request(_checkout(cards[i], code)) for code in items[i]]
        finally:
            client.close()

    # when the six kiosks check out at the same moment
    try:
        threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(len(readers))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.stop()

    # then every checkout succeeded (none "database is locked") and made the right loan
    close_old_connections()
    refused = [a.screen_message for found in answers.values() for a in found if not a.ok]
    assert refused == []
    assert sum(len(found) for found in answers.values()) == 18
    for i, reader in enumerate(readers):
        lent = Loan.objects.filter(reader=reader, status=LoanStatus.ACTIVE)
        assert sorted(lent.values_list("item__barcode", flat=True)) == sorted(items[i])
    assert Loan.objects.count() == 18
    # and on SQLite all of it went through one database thread, one connection
    server_threads = [name for name in opened if name.startswith("sip2-db-")]
    if connection.vendor == "sqlite":
        assert server_threads == ["sip2-db-0"]
    else:
        assert 1 <= len(server_threads) <= server.server.workers_size


def test_the_database_thread_keeps_its_connection_between_requests(
    device, card, make_item, rules, opened
):
    # given a server with one database thread
    barcodes = [make_item().barcode for _ in range(3)]
    server = SipServerThread(host="127.0.0.1", port=0, idle_timeout=30, workers=1).start()
    client = SipClient(server.port)

    # when a kiosk lends and takes back three items (seven requests)
    try:
        client.login()
        lent = [client.request(_checkout(card, code)).ok for code in barcodes]
        returned = [client.request(_checkin(code)).ok for code in barcodes]
    finally:
        client.close()
        server.stop()

    # then one connection served them all
    assert lent == returned == [True, True, True]
    assert [name for name in opened if name.startswith("sip2-db-")] == ["sip2-db-0"]
    close_old_connections()
    assert Loan.objects.filter(status=LoanStatus.RETURNED).count() == 3


def test_a_refused_checkout_leaves_the_thread_and_its_connection_serving(
    device, card, other_card, item, opened
):
    # given a server with one database thread, and an item on loan
    server = SipServerThread(host="127.0.0.1", port=0, idle_timeout=30, workers=1).start()
    client = SipClient(server.port)
    try:
        client.login()
        first = client.request(_checkout(card, item.barcode))

        # when another reader tries to borrow it (refused inside the service's transaction)
        again = client.request(_checkout(other_card, item.barcode))
        # then the thread still serves: the return goes through
        back = client.request(_checkin(item.barcode))
    finally:
        client.close()
        server.stop()

    assert (first.ok, again.ok, back.ok) == (True, False, True)
    assert [name for name in opened if name.startswith("sip2-db-")] == ["sip2-db-0"]
    close_old_connections()
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_TRANSIT  # returned at the kiosk: going home
    assert Loan.objects.filter(status=LoanStatus.RETURNED).count() == 1
