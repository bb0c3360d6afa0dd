"""`shufang api-token create --user U --name N`: prints a new API token once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shufang.core.audit import Actor
from shufang.core.models import Channel
from shufang.core.tokens import api_token_create


class Command(BaseCommand):
    help = "Manage REST API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it (shown only once).")
        create.add_argument("--user", required=True, help="username of the token's owner")
        create.add_argument("--name", required=True, help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(username=options["user"])
        except user_model.DoesNotExist as exc:
            raise CommandError(f"No user {options['user']!r}.") from exc
        token, plaintext = api_token_create(
            user=user,
            name=options["name"],
            actor=Actor(user=None, channel=Channel.SYSTEM, label="api-token command"),
        )
        self.stdout.write(plaintext)
        self.stderr.write(f"Token {token.prefix}… for {user.username}; it is not shown again.")
