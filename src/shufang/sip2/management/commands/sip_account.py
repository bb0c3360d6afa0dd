"""`shufang sip-account add`: create a SIP2 device account; `shufang sip-account list`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from shufang.core.audit import Actor
from shufang.core.exceptions import ShufangError
from shufang.network.models import ServicePoint
from shufang.sip2.models import DeviceAccount, DeviceLanguage, Encoding
from shufang.sip2.services import device_account_create


class Command(BaseCommand):
    help = "Manage SIP2 device accounts: `add` one, or `list` them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help=_("Create a device account."))
        add.add_argument("--login", required=True)
        add.add_argument("--password", required=True)
        add.add_argument("--institution", required=True, help=_("Institution id (AO)."))
        add.add_argument("--service-point", required=True, help=_("Service point code."))
        add.add_argument("--label", default="")
        add.add_argument("--encoding", choices=Encoding.values, default=Encoding.UTF8)
        add.add_argument("--language", choices=DeviceLanguage.values, default="zh-hans")
        add.add_argument("--no-checksum", action="store_true", help=_("Checksums optional."))
        add.add_argument("--no-pin", action="store_true", help=_("Readers' PINs are not required."))
        add.add_argument(
            "--operations",
            nargs="+",
            default=None,
            help=_("Allowed request codes or names (checkout, checkin, renew, ...)."),
        )
        sub.add_parser("list", help=_("List device accounts."))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for account in DeviceAccount.objects.select_related("service_point").order_by("login"):
                self.stdout.write(
                    f"{account.login:<20} {account.service_point.code:<24} "
                    f"{account.encoding:<8} {','.join(account.operations)}"
                    f"{'' if account.active else ' (inactive)'}"
                )
            return
        point = ServicePoint.objects.filter(code=options["service_point"]).first()
        if point is None:
            raise CommandError(
                _("No service point with code %(c)s.") % {"c": options["service_point"]}
            )
        try:
            account = device_account_create(
                login=options["login"],
                password=options["password"],
                institution_id=options["institution"],
                service_point=point,
                actor=Actor.system("sip-account"),
                operations=options["operations"],
                encoding=options["encoding"],
                checksum_required=not options["no_checksum"],
                patron_pin_required=not options["no_pin"],
                language=options["language"],
                label=options["label"],
            )
        except ShufangError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Device account %(login)s created at %(point)s.")
                % {"login": account.login, "point": point.code}
            )
        )
