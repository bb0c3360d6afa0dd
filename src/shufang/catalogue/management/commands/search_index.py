"""`shufang search-index --rebuild`: thin wrapper around `search_index_rebuild`, with a
progress bar on a terminal."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from shufang.catalogue.search.indexing import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the catalogue search index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="index every record again")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["rebuild"]:
            raise CommandError(_("Nothing to do: use --rebuild."))
        started = time.perf_counter()
        if sys.stdout.isatty():
            from rich.progress import Progress

            with Progress() as bar:
                task = bar.add_task(_("Indexing records"), total=None)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                count = search_index_rebuild(progress=progress)
        else:
            last = [0.0]

            def progress(done: int, total: int) -> None:
                now = time.perf_counter()
                if now - last[0] > 5 or done == total:
                    last[0] = now
                    self.stdout.write(f"{done}/{total}")

            count = search_index_rebuild(progress=progress)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            _("%(count)d records indexed in %(seconds).1f s.")
            % {"count": count, "seconds": elapsed}
        )
