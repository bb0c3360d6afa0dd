"""`shufang report annual --year Y [--format json|html|docx|xlsx] [--service-point CODE]
[--library CODE] [--output PATH]`: the annual report, computed from the records."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shufang.network.models import Library, ServicePoint
from shufang.statistics.metrics import Scope
from shufang.statistics.render import render_report
from shufang.statistics.report import annual_report


class Command(BaseCommand):
    help = "Generate a report (annual: the year's report with last year's figures)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["annual"])
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["json", "html", "docx", "xlsx"], default="json")
        parser.add_argument("--service-point", default="", help="service point code")
        parser.add_argument("--library", default="", help="library (ISIL) code")
        parser.add_argument(
            "--output", default="", help="file to write (default: stdout for json/html)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scope = Scope()
        if options["service_point"]:
            point = ServicePoint.objects.filter(code=options["service_point"]).first()
            if point is None:
                raise CommandError(f"No service point {options['service_point']!r}.")
            scope = Scope.of(service_point=point)
        elif options["library"]:
            library = Library.objects.filter(code=options["library"]).first()
            if library is None:
                raise CommandError(f"No library {options['library']!r}.")
            scope = Scope.of(library=library)
        report = annual_report(year=options["year"], scope=scope)
        fmt = options["format"]
        if fmt == "json":
            data: bytes = json.dumps(
                report.as_json(), ensure_ascii=False, indent=2, default=str
            ).encode()
        else:
            data = render_report(report, fmt)
        output = options["output"]
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(f"{fmt} written to {output} ({len(data)} bytes)")
        elif fmt in ("json", "html"):
            sys.stdout.write(data.decode() + "\n")
        else:
            raise CommandError("--output is needed for docx and xlsx.")
        if not report.checks_passed:
            failed = ", ".join(c.name for c in report.checks if not c.passed)
            self.stderr.write(f"consistency checks FAILED: {failed}")
