"""Scheduled work, coordinated through the database so that any number of application servers
can run `shufang run-jobs` (or `serve`'s periodic runner) at once without doing a job twice.

A job is a function registered with `@job(name, every=...)`. Before running it, a server takes
the job's lease with one conditional UPDATE (`leased_until` in the past -> now + lease time);
the UPDATE succeeds for exactly one server, so no notice is sent twice and no hold expires twice.
Each job must also be idempotent in itself (it selects the work that is still due).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from shufang.core.models import JobLease

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    func: Callable[[], object]
    lease: dt.timedelta = dt.timedelta(minutes=10)


REGISTRY: dict[str, Job] = {}


def job(name: str, *, every: dt.timedelta, lease: dt.timedelta | None = None) -> Callable:
    def register(func: Callable[[], object]) -> Callable[[], object]:
        REGISTRY[name] = Job(
            name=name, every=every, func=func, lease=lease or dt.timedelta(minutes=10)
        )
        return func

    return register


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def job_lease_take(
    *, name: str, lease: dt.timedelta, every: dt.timedelta, now: dt.datetime
) -> bool:
    """Take the lease on `name` if it is due and nobody holds it. Returns True for exactly one
    caller among concurrent ones."""
    try:
        with transaction.atomic():
            JobLease.objects.get_or_create(name=name)
    except IntegrityError:
        pass  # another server created the row at the same moment
    due = Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - every)
    free = Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    taken = JobLease.objects.filter(Q(name=name) & due & free).update(
        holder=_holder(), leased_until=now + lease
    )
    return taken == 1


def job_lease_release(*, name: str, now: dt.datetime) -> None:
    JobLease.objects.filter(name=name, holder=_holder()).update(leased_until=None, last_run_at=now)


def jobs_run_due(
    *, now: dt.datetime | None = None, only: list[str] | None = None
) -> dict[str, str]:
    """Run every registered job that is due and whose lease this process gets.
    Returns {job name: "ran" | "skipped" | "failed: ..."}."""
    _load_job_modules()
    results: dict[str, str] = {}
    for name, spec in sorted(REGISTRY.items()):
        if only and name not in only:
            continue
        start = now or timezone.now()
        if not job_lease_take(name=name, lease=spec.lease, every=spec.every, now=start):
            results[name] = "skipped"
            continue
        try:
            spec.func()
            results[name] = "ran"
        except Exception as exc:  # one failing job must not stop the others
            log.exception("job %s failed", name)
            results[name] = f"failed: {exc}"
        finally:
            job_lease_release(name=name, now=start)
    return results


def _load_job_modules() -> None:
    """Import `<app>.jobs` of every installed app so their @job decorators register."""
    from importlib import import_module

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("shufang.") and config.name != "shufang.core":
            try:
                import_module(f"{config.name}.jobs")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.jobs":
                    raise


@job("core.clear_expired_sessions", every=dt.timedelta(hours=6))
def clear_expired_sessions() -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(expire_date__lt=timezone.now()).delete()


@job("core.sqlite_checkpoint", every=dt.timedelta(minutes=5))
def sqlite_checkpoint() -> None:
    """Move the SQLite write-ahead log into the database between requests (PASSIVE: never
    waits for readers or writers), so requests rarely pay for a checkpoint themselves."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
