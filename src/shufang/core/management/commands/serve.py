"""`shufang serve`: migrate if needed, then serve the web application with waitress.

Static files are served by whitenoise (in the middleware). Scheduled work (`run-jobs`) runs
in a background thread every `--jobs-interval` seconds; the job leases in the database make
that safe when several servers run. The SIP2 server (`shufang.sip2.server`) runs on its own
event loop in a background thread on --sip-port unless --no-sip."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser, OutputWrapper
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_SIP_PORT = 6001
DEFAULT_JOBS_INTERVAL = 300


def migrate_if_needed(stdout: OutputWrapper | None = None) -> bool:
    """Applies pending migrations; True when there were any."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return False
    if stdout is not None:
        stdout.write(_("Applying %(n)d database migrations…") % {"n": len(plan)})
    call_command("migrate", interactive=False, verbosity=0)
    return True


def run_jobs_periodically(interval: float, stop: threading.Event) -> threading.Thread:
    """The hook for scheduled work: `core.jobs.jobs_run_due` every `interval` seconds in a
    daemon thread, first run after one interval."""

    def loop() -> None:
        from django.db import close_old_connections

        from shufang.core.jobs import jobs_run_due

        while not stop.wait(interval):
            try:
                close_old_connections()
                jobs_run_due()
            except Exception:  # a failed round must not stop the loop
                log.exception("scheduled jobs failed")
            finally:
                close_old_connections()

    thread = threading.Thread(target=loop, name="shufang-jobs", daemon=True)
    thread.start()
    return thread


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def run_server(
    *,
    host: str,
    port: int,
    sip_port: int,
    no_sip: bool,
    jobs_interval: float,
    threads: int,
    stdout: OutputWrapper,
) -> None:
    """Serves until interrupted. Used by `serve` and `demo`."""
    import waitress  # type: ignore[import-untyped]
    from django.conf import settings

    # whitenoise warns at start-up when STATIC_ROOT is missing (assets come from the finders).
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    from shufang.config.wsgi import application

    sip = None
    if no_sip:
        stdout.write(_("SIP2 server disabled (--no-sip)."))
    else:
        from shufang.sip2.server import SipServerThread

        sip = SipServerThread(host=host, port=sip_port).start()
        stdout.write(_("SIP2 server on %(host)s:%(port)d.") % {"host": host, "port": sip.port})
    if threading.current_thread() is threading.main_thread():
        # SIGTERM unwinds like Ctrl+C, so the SIP2 server below shuts down gracefully.
        signal.signal(signal.SIGTERM, _exit_on_signal)
    stop = threading.Event()
    if jobs_interval > 0:
        run_jobs_periodically(jobs_interval, stop)
    stdout.write(
        _(
            "Serving Shufang on http://%(host)s:%(port)d/ (waitress, %(threads)d threads); "
            "press Ctrl+C to stop."
        )
        % {"host": host, "port": port, "threads": threads}
    )
    stdout.flush()
    try:
        waitress.serve(
            application, host=host, port=port, threads=threads, ident="shufang", _quiet=True
        )
    finally:
        stop.set()
        if sip is not None:
            sip.stop()  # graceful: requests in flight finish their transaction


def add_server_arguments(parser: CommandParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help=_("Address to listen on."))
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=_("HTTP port."))
    parser.add_argument("--sip-port", type=int, default=DEFAULT_SIP_PORT, help=_("SIP2 port."))
    parser.add_argument("--no-sip", action="store_true", help=_("Do not start the SIP2 server."))
    parser.add_argument("--threads", type=int, default=8, help=_("Worker threads."))
    parser.add_argument(
        "--jobs-interval",
        type=float,
        default=DEFAULT_JOBS_INTERVAL,
        help=_("Seconds between runs of the scheduled jobs; 0 disables them."),
    )


class Command(BaseCommand):
    help = "Serve the web application (waitress), migrating the database first if needed."
    requires_system_checks: list[str] = []  # checked below, after migrating

    def add_arguments(self, parser: CommandParser) -> None:
        add_server_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        migrate_if_needed(self.stdout)
        self.check()
        run_server(
            host=options["host"],
            port=options["port"],
            sip_port=options["sip_port"],
            no_sip=options["no_sip"],
            jobs_interval=options["jobs_interval"],
            threads=options["threads"],
            stdout=self.stdout,
        )
