"""`shufang sip2-server`: the SIP2 server alone (`shufang serve` also starts it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from shufang.sip2.server import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_PORT,
    DEFAULT_WORKERS,
    SipServer,
    serve,
    tls_context,
)


class Command(BaseCommand):
    help = "Serve SIP2 2.00 for self-service devices until SIGTERM or Ctrl+C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help=_("Address to listen on."))
        parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=_("SIP2 port."))
        parser.add_argument(
            "--idle-timeout",
            type=float,
            default=DEFAULT_IDLE_TIMEOUT,
            help=_("Seconds before an idle connection is closed."),
        )
        parser.add_argument("--tls-cert", default="", help=_("TLS certificate (PEM)."))
        parser.add_argument("--tls-key", default="", help=_("TLS private key (PEM)."))
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=_("Database worker threads (PostgreSQL; default %(n)d). SQLite uses one.")
            % {"n": DEFAULT_WORKERS},
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cert, key = options["tls_cert"], options["tls_key"]
        if bool(cert) != bool(key):
            raise CommandError(_("--tls-cert and --tls-key go together."))
        context = tls_context(cert, key) if cert else None

        def ready(server: SipServer) -> None:
            self.stdout.write(
                _("SIP2 server on %(host)s:%(port)d%(tls)s; press Ctrl+C to stop.")
                % {"host": server.host, "port": server.port, "tls": " (TLS)" if context else ""}
            )
            self.stdout.flush()

        serve(
            host=options["host"],
            port=options["port"],
            idle_timeout=options["idle_timeout"],
            ssl_context=context,
            workers=options["workers"],
            on_ready=ready,
        )
