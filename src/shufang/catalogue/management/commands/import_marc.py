"""`shufang import-marc FILE...`: thin wrapper around `marc_import`.

Exit status: 0 when at least one record was loaded, updated or skipped (rejects are reported,
not fatal); 1 when the files held records and every one was rejected."""

from __future__ import annotations

import csv
import os
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from shufang.catalogue.models import Collection
from shufang.catalogue.services.importing import ImportReport, marc_import
from shufang.core.audit import Actor
from shufang.network.models import ServicePoint


class Command(BaseCommand):
    help = "Import MARC records (ISO 2709 or MARCXML; MARC 21 or CNMARC) into the catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+")
        parser.add_argument("--flavour", choices=["auto", "marc21", "cnmarc"], default="auto")
        parser.add_argument(
            "--encoding", choices=["auto", "utf-8", "marc-8", "gb18030"], default="auto"
        )
        parser.add_argument("--match", choices=["isbn", "control-number", "none"], default="isbn")
        parser.add_argument("--on-match", choices=["update", "skip"], default="update")
        parser.add_argument(
            "--items",
            action="store_true",
            help="also create items from local holdings fields (905/852/952)",
        )
        parser.add_argument("--service-point", help="service point code for created items")
        parser.add_argument("--collection", help="collection code for created items")
        parser.add_argument("--rejects", help="write rejects to this CSV file")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[str] = options["files"]
        for name in files:
            if not os.path.isfile(name):
                raise CommandError(_("No such file: %(name)s") % {"name": name})
        service_point = collection = None
        if options["items"]:
            if not options["service_point"] or not options["collection"]:
                raise CommandError(_("--items needs --service-point and --collection."))
            try:
                service_point = ServicePoint.objects.get(code=options["service_point"])
                collection = Collection.objects.get(code=options["collection"])
            except (ServicePoint.DoesNotExist, Collection.DoesNotExist) as error:
                raise CommandError(str(error)) from None
        total_bytes = sum(os.path.getsize(name) for name in files)
        interactive = hasattr(self.stdout, "isatty") and self.stdout.isatty()
        report = self._run(files, options, service_point, collection, total_bytes, interactive)
        self._summary(report, options.get("rejects"))
        if report.rejected and not (report.loaded or report.updated or report.skipped):
            sys.exit(1)

    def _run(
        self,
        files: list[str],
        options: dict[str, Any],
        service_point: Any,
        collection: Any,
        total_bytes: int,
        interactive: bool,
    ) -> ImportReport:
        kwargs: dict[str, Any] = dict(
            sources=files,
            flavour=options["flavour"],
            encoding=options["encoding"],
            match=options["match"],
            on_match=options["on_match"],
            create_items=options["items"],
            service_point=service_point,
            collection=collection,
            actor=Actor.importer("import-marc"),
            batch_size=options["batch_size"],
        )
        if interactive:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[seen]} records"),
                TimeRemainingColumn(),
                MofNCompleteColumn(),
            ) as bar:
                task = bar.add_task(_("Importing"), total=total_bytes, seen=0)
                done_before: dict[str, int] = {}

                def show(report: ImportReport) -> None:
                    done_before.setdefault(report.source, sum(done_before.values()))
                    bar.update(
                        task, completed=done_before[report.source] + report.offset, seen=report.seen
                    )

                return marc_import(progress=show, **kwargs)
        last = [time.monotonic()]

        def quiet(report: ImportReport) -> None:
            if time.monotonic() - last[0] >= 10:
                last[0] = time.monotonic()
                self.stdout.write(f"{report.source}: {report.seen} records read")

        return marc_import(progress=quiet, **kwargs)

    def _summary(self, report: ImportReport, rejects_path: str | None) -> None:
        if rejects_path:
            with open(rejects_path, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["source", "position", "offset", "barcode", "reason"])
                for r in report.rejects:
                    writer.writerow([r.source, r.position, r.offset, r.barcode, r.reason])
        else:
            for r in report.rejects:
                what = f" item {r.barcode}" if r.barcode else ""
                self.stdout.write(f"{r.source} #{r.position} (byte {r.offset}){what}: {r.reason}")
        if report.rejects_truncated:
            self.stdout.write(
                _("(only the first %(n)d rejects are listed)") % {"n": len(report.rejects)}
            )
        line = _(
            "loaded %(loaded)d / updated %(updated)d / skipped %(skipped)d / rejected %(rejected)d"
        ) % {
            "loaded": report.loaded,
            "updated": report.updated,
            "skipped": report.skipped,
            "rejected": report.rejected,
        }
        if report.items_created or report.items_rejected:
            line += _("; items created %(c)d / rejected %(r)d") % {
                "c": report.items_created,
                "r": report.items_rejected,
            }
        if report.indexed:
            line += _("; %(n)d indexed for search") % {"n": report.indexed}
        self.stdout.write(line)
