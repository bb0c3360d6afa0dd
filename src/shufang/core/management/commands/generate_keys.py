from __future__ import annotations

import secrets
from typing import Any

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print new secrets for a production .env (secret key, ID-number keys)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"SHUFANG_SECRET_KEY={secrets.token_urlsafe(50)}")
        self.stdout.write(f"SHUFANG_ID_ENCRYPTION_KEYS={Fernet.generate_key().decode()}")
        self.stdout.write(f"SHUFANG_ID_HASH_KEY={secrets.token_urlsafe(32)}")
