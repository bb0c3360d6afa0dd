"""Bearer-token authentication for the REST API (tokens from core.tokens)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from shufang.core.audit import Actor
from shufang.core.models import Channel
from shufang.core.tokens import api_token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is None:
            return None
        # Only the token decides who calls: a browser session cookie is never used here.
        request.user = user
        return user


def api_actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user, channel=Channel.API)
