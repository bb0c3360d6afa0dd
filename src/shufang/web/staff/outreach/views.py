"""Outreach pages beyond the generic ledgers: the outreach points with what they hold."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shufang.circulation.models import Deposit, DepositStatus
from shufang.core.permissions import visible_library_ids
from shufang.network.models import ServicePoint
from shufang.outreach.models import DEVICE_KINDS, OUTREACH_KINDS
from shufang.web.access import staff_required


@staff_required("outreach.view")
def point_list(request: HttpRequest) -> HttpResponse:
    """Reading points, mobile rooms and devices: host, opening date, contact, the deposit
    collections they hold and the count of visits or checks."""
    points = ServicePoint.objects.filter(kind__in=(*OUTREACH_KINDS, *DEVICE_KINDS))
    ids = visible_library_ids(request.user, "outreach.view")
    if ids is not None:
        points = points.filter(library_id__in=ids)
    kind = request.GET.get("kind", "")
    if kind:
        points = points.filter(kind=kind)
    points = (
        points.select_related("library", "device")
        .annotate(
            visits=Count("outreach_visits", distinct=True),
            checks=Count("device_checks", distinct=True),
        )
        .prefetch_related(
            Prefetch(
                "deposits_received",
                queryset=Deposit.objects.filter(status=DepositStatus.OPEN).annotate(
                    items=Count("loans", filter=Q(loans__returned_at__isnull=True))
                ),
                to_attr="open_deposits",
            )
        )
        .order_by("kind", "code")
    )
    return render(request, "web/staff/outreach/points.html", {"points": points, "kind": kind})
