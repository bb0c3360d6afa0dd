import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from shufang.core import jobs
from shufang.core.models import JobLease


@pytest.fixture
def counting_job():
    calls: list[int] = []
    name = "test.counting"
    jobs.REGISTRY[name] = jobs.Job(
        name=name, every=dt.timedelta(hours=1), func=lambda: calls.append(1)
    )
    yield name, calls
    jobs.REGISTRY.pop(name, None)


@pytest.mark.django_db
def test_due_job_runs_once_and_is_not_due_again_within_its_interval(counting_job):
    name, calls = counting_job
    now = timezone.now()

    first = jobs.jobs_run_due(now=now, only=[name])
    second = jobs.jobs_run_due(now=now + dt.timedelta(minutes=5), only=[name])
    third = jobs.jobs_run_due(now=now + dt.timedelta(hours=2), only=[name])

    assert (first[name], second[name], third[name]) == ("ran", "skipped", "ran")
    assert len(calls) == 2
    assert JobLease.objects.get(name=name).leased_until is None


@pytest.mark.django_db
def test_a_held_lease_is_not_taken_by_a_second_server():
    now = timezone.now()
    args = {"name": "test.lease", "lease": dt.timedelta(minutes=10), "every": dt.timedelta(0)}

    assert jobs.job_lease_take(now=now, **args) is True
    assert jobs.job_lease_take(now=now + dt.timedelta(minutes=1), **args) is False
    assert jobs.job_lease_take(now=now + dt.timedelta(minutes=11), **args) is True


@pytest.mark.django_db(transaction=True)
def test_concurrent_servers_take_a_lease_exactly_once():
    now = timezone.now()
    winners: list[bool] = []
    barrier = threading.Barrier(4)

    def server() -> None:
        barrier.wait()
        try:
            winners.append(
                jobs.job_lease_take(
                    name="test.race", lease=dt.timedelta(minutes=10), every=dt.timedelta(0), now=now
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=server) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(winners) == [False, False, False, True]


@pytest.mark.django_db(transaction=True)
def test_the_checkpoint_job_runs_on_any_database():
    results = jobs.jobs_run_due(only=["core.sqlite_checkpoint"])

    assert results == {"core.sqlite_checkpoint": "ran"}
