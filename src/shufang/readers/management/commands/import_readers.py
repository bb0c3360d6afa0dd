"""`shufang import-readers FILE.csv|FILE.xlsx`: bulk loading of readers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shufang.core.audit import Actor
from shufang.core.exceptions import ShufangError
from shufang.core.tabular import run_import_command
from shufang.readers.services_import import readers_import


class Command(BaseCommand):
    help = "Load readers from a CSV or XLSX file (columns: docs/import-formats.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = Actor.importer(f"import-readers {path.name}")
        try:
            result = run_import_command(
                path=path,
                load=lambda on_row: readers_import(path=path, actor=actor, on_row=on_row),
                stdout=self.stdout,
                label="import-readers",
            )
        except ShufangError as exc:
            raise CommandError(str(exc.message)) from exc
        if result.rejected and not result.loaded:
            raise CommandError("no row could be loaded")
