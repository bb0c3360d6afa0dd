"""`shufang export-marc OUT`: thin wrapper around `marc_export`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from shufang.catalogue.models import Record
from shufang.catalogue.services.exporting import marc_export


class Command(BaseCommand):
    help = "Export bibliographic records as UTF-8 MARC (ISO 2709 or MARCXML)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="output file ('-' for standard output)")
        parser.add_argument("--flavour", choices=["marc21", "cnmarc"], default="marc21")
        parser.add_argument(
            "--format", dest="fmt", choices=["iso2709", "marcxml"], default="iso2709"
        )
        parser.add_argument("--query", default="", help="only records whose title contains this")

    def handle(self, *args: Any, **options: Any) -> None:
        records = Record.objects.filter(deleted_at__isnull=True)
        if options["query"]:
            records = records.filter(title__icontains=options["query"])
        if options["out"] == "-":
            import sys

            count = marc_export(
                out=sys.stdout.buffer,
                flavour=options["flavour"],
                fmt=options["fmt"],
                records=records,
            )
            return
        with open(options["out"], "wb") as out:
            count = marc_export(
                out=out, flavour=options["flavour"], fmt=options["fmt"], records=records
            )
        self.stdout.write(
            _("exported %(count)d records to %(out)s") % {"count": count, "out": options["out"]}
        )
