import threading
import time

import pytest
from django.db import connection, transaction

from shufang.core.models import JobLease


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_wait_for_each_other_instead_of_failing():
    # Given two writers that each hold a write transaction open for a moment
    errors: list[Exception] = []
    barrier = threading.Barrier(2)

    def writer(name: str) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                # read first, then write: the pattern that deadlocks SQLite's deferred
                # transactions ("database is locked") unless BEGIN IMMEDIATE is used
                JobLease.objects.filter(name=name).exists()
                time.sleep(0.2)
                JobLease.objects.create(name=name)
                JobLease.objects.filter(name=name).update(holder=name)
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(2)]
    # When both run at the same time
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # Then neither failed and both rows are written
    assert errors == []
    assert sorted(JobLease.objects.values_list("holder", flat=True)) == ["w0", "w1"]


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        busy_timeout = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_autocheckpoint")
        autocheckpoint = cursor.fetchone()[0]
    assert journal_mode == "wal"
    assert busy_timeout >= 30000
    assert autocheckpoint == 10000
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
