"""`shufang demo`: migrate, build the Lijiang demo (kept if built, unless --reset), print how
to get in, then serve it like `shufang serve` unless --build-only."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shufang.core.demo_accounts import DEMO_PASSWORD, DEMO_READER_PIN
from shufang.core.exceptions import ShufangError
from shufang.core.management.commands.serve import (
    add_server_arguments,
    migrate_if_needed,
    run_server,
)
from shufang.demo.services import SCALES, DemoSummary, demo_build

STAGES = {
    "reset": gettext_lazy("Emptying the database"),
    "network": gettext_lazy("Libraries and service points"),
    "staff": gettext_lazy("Staff accounts"),
    "catalogue": gettext_lazy("Catalogue records"),
    "items": gettext_lazy("Items"),
    "readers": gettext_lazy("Readers"),
}


class _RichProgress:
    """One progress bar per stage, with rate and time left (on a terminal)."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            Task,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class RateColumn(ProgressColumn):
            def render(self, task: Task) -> Text:
                return Text(f"{task.speed:,.0f}/s" if task.speed else "")

        self.bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> _RichProgress:
        self.bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bars.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bars.add_task(str(STAGES.get(stage, stage)), total=total)
        self.bars.update(self.tasks[stage], completed=done, total=total)


class _LineProgress:
    """Quiet lines when the output is not a terminal: each stage at every quarter."""

    def __init__(self, write: Any) -> None:
        self.write = write
        self.shown: dict[str, int] = {}

    def __enter__(self) -> _LineProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def __call__(self, stage: str, done: int, total: int) -> None:
        quarter = 4 * done // total if total else 4
        if self.shown.get(stage, -1) >= quarter:
            return
        self.shown[stage] = quarter
        self.write(f"{STAGES.get(stage, stage)}: {done}/{total}")


class Command(BaseCommand):
    help = (
        "Build the Lijiang demo library network (kept if already built, unless --reset) and "
        "serve it like `serve` unless --build-only."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help=_("Empty the database and build again.")
        )
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="small",
            help=_("small: 20,000 records; full: the 284,000-item collection."),
        )
        parser.add_argument("--build-only", action="store_true", help=_("Build, do not serve."))
        parser.add_argument("--seed", type=int, default=530700, help=_("Random seed."))
        add_server_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        migrate_if_needed(self.stdout)
        progress: Any = _RichProgress() if sys.stdout.isatty() else _LineProgress(self.stdout.write)
        try:
            with progress:
                summary = demo_build(
                    scale=options["scale"],
                    reset=options["reset"],
                    seed=options["seed"],
                    progress=progress,
                )
        except ShufangError as exc:
            raise CommandError(str(exc.message)) from exc
        self._print(
            summary, host=options["host"], port=options["port"], sip_port=options["sip_port"]
        )
        if not options["build_only"]:
            run_server(
                host=options["host"],
                port=options["port"],
                sip_port=options["sip_port"],
                no_sip=options["no_sip"],
                jobs_interval=options["jobs_interval"],
                threads=options["threads"],
                stdout=self.stdout,
            )

    def _print(self, summary: DemoSummary, *, host: str, port: int, sip_port: int) -> None:
        w = self.stdout.write
        base = f"http://{host}:{port}"
        w("")
        w(_("Public catalogue (OPAC): %(u)s/") % {"u": base})
        w(_("Staff interface:        %(u)s/staff/") % {"u": base})
        w(_("Administration:         %(u)s/admin/") % {"u": base})
        w(_("API documentation:      %(u)s/api/v1/docs") % {"u": base})
        w("")
        w(_("Staff logins (password: %(p)s):") % {"p": DEMO_PASSWORD})
        for username, role, scope in summary.staff:
            w(f"  {username:<20} {role:<16} {scope}")
        w(_("Reader cards (PIN: %(p)s):") % {"p": DEMO_READER_PIN})
        for kind, name, number, status in summary.readers:
            w(f"  {number:<12} {kind:<10} {name}  ({status})")
        if summary.kiosk is not None:
            login, password, point = summary.kiosk
            w(
                _("Kiosk SIP2 account: login %(l)s, password %(p)s (%(sp)s), port %(port)d")
                % {"l": login, "p": password, "sp": point, "port": sip_port}
            )
        w("")
        c = summary.counts
        if summary.built:
            w(
                self.style.SUCCESS(
                    _(
                        "Demo built (%(scale)s) in %(s).1f s: %(lib)d libraries, %(sp)d service points, "
                        "%(rec)d records, %(items)d items, %(readers)d readers, %(staff)d staff."
                    )
                    % {
                        "scale": summary.scale,
                        "s": summary.seconds,
                        "lib": c.get("libraries", 0),
                        "sp": c.get("service_points", 0),
                        "rec": c.get("records", 0),
                        "items": c.get("items", 0),
                        "readers": c.get("readers", 0),
                        "staff": c.get("staff", 0),
                    }
                )
            )
        else:
            w(
                self.style.SUCCESS(
                    _(
                        "Demo already built (%(scale)s): %(rec)d records, %(items)d items, "
                        "%(readers)d readers; use --reset to build it again."
                    )
                    % {
                        "scale": summary.scale,
                        "rec": c.get("records", 0),
                        "items": c.get("items", 0),
                        "readers": c.get("readers", 0),
                    }
                )
            )
