"""Read-only helpers for the annual report, named by its metric keys (publicity.*, media.*,
venue.*, staff, funding.*), plus the staff reminders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum

from shufang.operations.models import (
    FundedProject,
    GroupVisit,
    MediaLevel,
    MediaReport,
    Reminder,
    StaffEstablishment,
    StaffMember,
    Training,
    VenueUse,
    WebsiteMonth,
    WechatMonth,
    WechatPost,
)

POPULAR_POST_READS = 500


def _lib(rows: QuerySet[Any], library: Any) -> QuerySet[Any]:
    if library is None:
        return rows
    return rows.filter(library_id=getattr(library, "pk", library))


def media_reports_by_level(*, start: dt.date, end: dt.date, library: Any = None) -> dict[str, int]:
    """media.reports: {"city": .., "province": .., "national": .., "total": ..}."""
    rows = _lib(MediaReport.objects.filter(published_on__gte=start, published_on__lte=end), library)
    counts = {level: 0 for level in MediaLevel.values}
    counts.update(
        {r["level"]: r["n"] for r in rows.values("level").annotate(n=Count("id")).order_by()}
    )
    counts["total"] = sum(counts.values())
    return counts


def _followers_at_end(year: int, month: int, library: Any, account: str | None) -> int | None:
    rows = _lib(WechatMonth.objects.filter(month__lte=dt.date(year, month, 1)), library)
    if account:
        rows = rows.filter(account=account)
    return rows.order_by("-month").values_list("followers", flat=True).first()


def wechat_figures(*, year: int, library: Any = None, account: str | None = None) -> dict[str, int]:
    """publicity.wechat: followers at year end, the gain over the end of the previous year
    (= its fourth quarter), posts published, posts over 500 reads and the top reads."""
    end = _followers_at_end(year, 12, library, account) or 0
    before = _followers_at_end(year - 1, 12, library, account) or 0
    posts = _lib(WechatPost.objects.filter(published_on__year=year), library)
    if account:
        posts = posts.filter(account=account)
    agg = posts.aggregate(
        n=Count("id"),
        popular=Count("id", filter=Q(reads__gt=POPULAR_POST_READS)),
        top=Max("reads"),
    )
    return {
        "followers": end,
        "followers_gain": end - before if before else 0,
        "posts": agg["n"],
        "posts_over_500": agg["popular"],
        "top_reads": agg["top"] or 0,
    }


def website_figures(*, start: dt.date, end: dt.date, library: Any = None) -> dict[str, int]:
    """publicity.website: articles, page views and visits of the months in the period."""
    rows = _lib(WebsiteMonth.objects.filter(month__gte=start, month__lte=end), library)
    agg = rows.aggregate(a=Sum("articles"), p=Sum("page_views"), v=Sum("visits"))
    return {"articles": agg["a"] or 0, "page_views": agg["p"] or 0, "visits": agg["v"] or 0}


def group_visits(*, start: dt.date, end: dt.date, library: Any = None) -> dict[str, Any]:
    """venue.group_visits: how many visits and the people of each."""
    rows = _lib(GroupVisit.objects.filter(visited_on__gte=start, visited_on__lte=end), library)
    people = list(rows.order_by("visited_on", "id").values_list("people", flat=True))
    return {"count": len(people), "people": sum(people), "each": people}


def venue_hosted(*, start: dt.date, end: dt.date, library: Any = None) -> int:
    """venue.hosted: uses of the library's rooms by other organisations."""
    return _lib(VenueUse.objects.filter(used_on__gte=start, used_on__lte=end), library).count()


def staff_posts(*, at: dt.date, library: Any = None) -> dict[str, int]:
    """staff: authorised posts in force on `at`, staff holding a post, and vacancies."""
    establishments = _lib(StaffEstablishment.objects.filter(effective_from__lte=at), library)
    if library is None:
        # The latest establishment of each library, summed.
        latest: dict[int, int] = {}
        for lib_id, posts in establishments.order_by("library_id", "-effective_from").values_list(
            "library_id", "authorised_posts"
        ):
            latest.setdefault(lib_id, posts)
        authorised = sum(latest.values())
    else:
        authorised = (
            establishments.order_by("-effective_from")
            .values_list("authorised_posts", flat=True)
            .first()
            or 0
        )
    filled = _lib(
        StaffMember.objects.filter(joined_on__lte=at).filter(
            Q(left_on__isnull=True) | Q(left_on__gt=at)
        ),
        library,
    ).count()
    return {"authorised": authorised, "filled": filled, "vacant": max(authorised - filled, 0)}


def funded_projects(*, year: int, library: Any = None) -> dict[str, Any]:
    """funding.projects: projects granted in `year`, their total amount, and how many were
    completed in that year or later."""
    rows = _lib(FundedProject.objects.filter(year_granted=year), library)
    projects = list(rows.order_by("amount", "name"))
    return {
        "count": len(projects),
        "amount": sum((p.amount for p in projects), Decimal("0")),
        "projects": [(p.name, p.amount, p.status, p.year_completed) for p in projects],
    }


def trainings(
    *,
    start: dt.date,
    end: dt.date,
    library: Any = None,
    topic: str | None = None,
    online: bool | None = None,
) -> dict[str, Any]:
    """Staff trainings begun in the period: courses, participants (person-times) and hours."""
    rows = _lib(Training.objects.filter(starts_on__gte=start, starts_on__lte=end), library)
    if topic is not None:
        rows = rows.filter(topic=topic)
    if online is not None:
        rows = rows.filter(online=online)
    agg = rows.aggregate(n=Count("id"), p=Sum("participants"), h=Sum("hours"))
    return {"count": agg["n"], "participants": agg["p"] or 0, "hours": agg["h"] or Decimal("0")}


def open_reminders(*, library_ids: set[int] | None) -> QuerySet[Reminder]:
    """Unresolved reminders for staff of the given libraries (None: every library)."""
    rows = Reminder.objects.filter(resolved_at__isnull=True).select_related("library")
    if library_ids is not None:
        rows = rows.filter(library_id__in=library_ids)
    return rows.order_by("-created_at")
