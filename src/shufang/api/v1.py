"""REST API v1 (django-ninja). Endpoints only translate, call one service, and render."""

from ninja import NinjaAPI

api = NinjaAPI(title="Shufang API", version="1", urls_namespace="api-v1")
