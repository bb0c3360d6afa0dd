"""`shufang import-items FILE.csv|FILE.xlsx [--create-records]`: bulk loading of items."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shufang.catalogue.services.item_import import items_import
from shufang.core.audit import Actor
from shufang.core.exceptions import ShufangError
from shufang.core.tabular import run_import_command


class Command(BaseCommand):
    help = "Load items from a CSV or XLSX file (columns: docs/import-formats.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--create-records",
            action="store_true",
            help="create a minimal record from title and author when no record matches",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = Actor.importer(f"import-items {path.name}")
        try:
            result = run_import_command(
                path=path,
                load=lambda on_row: items_import(
                    path=path,
                    actor=actor,
                    create_records=options["create_records"],
                    on_row=on_row,
                ),
                stdout=self.stdout,
                label="import-items",
            )
        except ShufangError as exc:
            raise CommandError(str(exc.message)) from exc
        if result.rejected and not result.loaded:
            raise CommandError("no row could be loaded")
