from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from shufang.core.audit import Actor
from shufang.core.tokens import api_token_create


class ApiClient:
    """A test client that sends a bearer token for `username` and JSON bodies."""

    def __init__(self, username: str) -> None:
        user = get_user_model().objects.get(username=username)
        _token, plaintext = api_token_create(user=user, name="tests", actor=Actor.system())
        self.client = Client(headers={"Authorization": f"Bearer {plaintext}"})
        # messages follow the language cookie; these tests read English ones
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def get(self, url: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(url, params or {})

    def post(self, url: str, body: dict[str, Any]) -> Any:
        return self.client.post(url, body, content_type="application/json")

    def put(self, url: str, body: dict[str, Any]) -> Any:
        return self.client.put(url, body, content_type="application/json")

    def patch(self, url: str, body: dict[str, Any]) -> Any:
        return self.client.patch(url, body, content_type="application/json")
