"""Serials over the API: subscriptions of a year and issue check-in (记到)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from shufang.api.auth import api_actor
from shufang.api.schemas import Input
from shufang.core.permissions import require, visible_library_ids
from shufang.serials.models import Issue, Subscription
from shufang.serials.services import issue_check_in

router = Router(tags=["serials"])


class SubscriptionOut(Schema):
    id: int
    year: int
    title: str
    issn: str
    cn_number: str
    kind: str
    frequency: str
    copies: int
    unit_price: Decimal
    status: str
    service_point_id: int


class IssueOut(Schema):
    id: int
    subscription_id: int
    sequence: int
    label: str
    status: str
    received_on: Any = None


class CheckInIn(Input):
    copies: int | None = None
    barcodes: list[str] = []


@router.get("/serials/subscriptions", response=list[SubscriptionOut])
def list_subscriptions(request: HttpRequest, year: int, kind: str = "") -> Any:
    require(request.user, "serials.view")
    subs = Subscription.objects.filter(year=year)
    if kind:
        subs = subs.filter(kind=kind)
    ids = visible_library_ids(request.user, "serials.view")
    if ids is not None:
        subs = subs.filter(service_point__library_id__in=ids)
    return list(subs.order_by("kind", "title", "pk"))


@router.post("/serials/issues/{issue_id}/check-in", response=IssueOut)
def check_in(request: HttpRequest, issue_id: int, payload: CheckInIn) -> Any:
    require(request.user, "serials.change")
    issue = get_object_or_404(Issue, pk=issue_id)
    return issue_check_in(
        issue=issue, actor=api_actor(request), copies=payload.copies, barcodes=payload.barcodes
    )
