"""REST API v1 (django-ninja). Endpoints only translate, call one service, and render.

Every endpoint needs `Authorization: Bearer <token>` (see core.tokens); the OpenAPI document
is at /api/v1/openapi.json and the interactive docs at /api/v1/docs."""

from ninja import NinjaAPI

from shufang.api import (
    acquisitions,
    catalogue,
    circulation,
    errors,
    network,
    programmes,
    readers,
    serials,
    statistics,
)
from shufang.api.auth import BearerToken

api = NinjaAPI(
    title="Shufang API",
    version="1",
    urls_namespace="api-v1",
    auth=BearerToken(),
    description="书房 Shufang library services platform: network, catalogue, readers and circulation.",
)
errors.install(api)
circulation.install(api)
api.add_router("/", network.router)
api.add_router("/", catalogue.router)
api.add_router("/", readers.router)
api.add_router("/", circulation.router)
api.add_router("/", programmes.router)
api.add_router("/", acquisitions.router)
api.add_router("/", serials.router)
api.add_router("/", statistics.router)
