"""Serials over the API: subscriptions of a year (list, create, update), the issues of a
subscription (predicted and checked in), prediction, check-in (记到), late issues and claims
for missing issues (催缺)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from shufang.acquisitions.models import BudgetLine, Vendor
from shufang.api.auth import api_actor
from shufang.api.schemas import Input
from shufang.catalogue.models import Collection
from shufang.core.exceptions import ValidationFailed
from shufang.core.permissions import require, visible_library_ids
from shufang.network.models import ServicePoint
from shufang.serials.models import Issue, Subscription, SubscriptionStatus
from shufang.serials.selectors import issues_late
from shufang.serials.services import (
    issue_check_in,
    issue_claim,
    subscription_create,
    subscription_predict_issues,
    subscription_update,
)

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
    vendor_id: int
    budget_line_id: int
    skip_months: list[int]
    first_issue_on: dt.date | None
    keep_years: int | None
    bind: bool
    issues_per_volume: int
    claim_after_days: int


class SubscriptionIn(Input):
    year: int
    title: str
    kind: str
    frequency: str
    vendor_id: int
    budget_line_id: int
    unit_price: Decimal
    service_point_id: int
    copies: int = 1
    issn: str = ""
    cn_number: str = ""
    status: str = SubscriptionStatus.ORDERED
    skip_months: list[int] = []
    skip_dates: list[dt.date] = []
    first_issue_on: dt.date | None = None
    keep_years: int | None = None
    bind: bool = False
    issues_per_volume: int = 12
    collection_id: int | None = None
    claim_after_days: int = 14
    allow_overspend: bool = False


class SubscriptionPatch(Input):
    title: str | None = None
    frequency: str | None = None
    copies: int | None = None
    unit_price: Decimal | None = None
    skip_months: list[int] | None = None
    first_issue_on: dt.date | None = None
    keep_years: int | None = None
    bind: bool | None = None
    issues_per_volume: int | None = None
    claim_after_days: int | None = None
    allow_overspend: bool = False


class IssueOut(Schema):
    id: int
    subscription_id: int
    sequence: int
    label: str
    expected_on: dt.date | None = None
    status: str
    received_on: Any = None
    copies_received: int = 0


class CheckInIn(Input):
    copies: int | None = None
    barcodes: list[str] = []


class IssueClaimIn(Input):
    note: str = ""
    claimed_on: dt.date | None = None


def _pk(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    row = model._default_manager.filter(pk=pk).first()
    if row is None:
        raise ValidationFailed(_("No such %(field)s.") % {"field": field}, field=field)
    return row


def _subscription(request: HttpRequest, pk: int, perm: str) -> Subscription:
    require(request.user, perm)
    sub = get_object_or_404(Subscription.objects.select_related("service_point"), pk=pk)
    require(request.user, perm, library=sub.service_point.library_id)
    return sub


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


@router.post("/serials/subscriptions", response={201: SubscriptionOut})
def create_subscription(request: HttpRequest, payload: SubscriptionIn) -> Any:
    require(request.user, "serials.change")
    data = payload.dict()
    sub = subscription_create(
        vendor=_pk(Vendor, data.pop("vendor_id"), "vendor_id"),
        budget_line=_pk(BudgetLine, data.pop("budget_line_id"), "budget_line_id"),
        service_point=_pk(ServicePoint, data.pop("service_point_id"), "service_point_id"),
        collection=_pk(Collection, data.pop("collection_id"), "collection_id"),
        actor=api_actor(request),
        **data,
    )
    return Status(201, sub)


@router.patch("/serials/subscriptions/{subscription_id}", response=SubscriptionOut)
def update_subscription(
    request: HttpRequest, subscription_id: int, payload: SubscriptionPatch
) -> Any:
    sub = _subscription(request, subscription_id, "serials.change")
    changes = payload.dict(exclude_unset=True)
    allow = changes.pop("allow_overspend", False)
    return subscription_update(
        subscription=sub, actor=api_actor(request), allow_overspend=allow, **changes
    )


@router.get("/serials/subscriptions/{subscription_id}/issues", response=list[IssueOut])
def list_issues(request: HttpRequest, subscription_id: int) -> Any:
    """The subscription's issues: predicted (expected), checked in, claimed, bound."""
    sub = _subscription(request, subscription_id, "serials.view")
    return list(sub.issues.order_by("sequence"))


@router.post("/serials/subscriptions/{subscription_id}/predict", response={201: list[IssueOut]})
def predict(request: HttpRequest, subscription_id: int) -> Any:
    sub = _subscription(request, subscription_id, "serials.change")
    return Status(201, subscription_predict_issues(subscription=sub, actor=api_actor(request)))


@router.get("/serials/issues/late", response=list[IssueOut])
def late_issues(request: HttpRequest, at: dt.date | None = None) -> Any:
    """Expected issues not checked in `claim_after_days` after their date: to claim."""
    require(request.user, "serials.view")
    ids = visible_library_ids(request.user, "serials.view")
    rows = issues_late(at=at or timezone.localdate())
    return [i for i in rows if ids is None or i.subscription.service_point.library_id in ids]


@router.post("/serials/issues/{issue_id}/check-in", response=IssueOut)
def check_in(request: HttpRequest, issue_id: int, payload: CheckInIn) -> Any:
    require(request.user, "serials.change")
    issue = get_object_or_404(Issue, pk=issue_id)
    return issue_check_in(
        issue=issue, actor=api_actor(request), copies=payload.copies, barcodes=payload.barcodes
    )


@router.post("/serials/issues/{issue_id}/claim", response=IssueOut)
def claim(request: HttpRequest, issue_id: int, payload: IssueClaimIn) -> Any:
    """Claim a missing issue from the vendor (催缺)."""
    require(request.user, "serials.change")
    issue = get_object_or_404(Issue, pk=issue_id)
    return issue_claim(
        issue=issue, actor=api_actor(request), on=payload.claimed_on, note=payload.note
    )
