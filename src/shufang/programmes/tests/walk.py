"""Entries of the permission walk (web/tests/test_permission_walk.py) for the programmes,
outreach and operations pages and API: records to point at, and who may go where. Branch
managers of library A own these records; the desk lacks the permissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from shufang.core.audit import Actor
from shufang.operations.services.ledger import ledger_entry_create
from shufang.programmes.services import event_create


def _records(net: Any) -> dict[str, Any]:
    if not hasattr(net, "_programmes_walk"):
        actor = Actor.system("walk")
        start = timezone.now() + dt.timedelta(days=7)
        event = event_create(
            library=net.library_a,
            title="带一本书去旅游",
            kind="lecture",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            registration_open=True,
            capacity=50,
            actor=actor,
        )
        media = ledger_entry_create(
            ledger="media_report",
            library=net.library_a,
            values={
                "outlet": "文旅丽江",
                "level": "city",
                "published_on": dt.date(2020, 11, 29),
                "title": "讲座",
            },
            actor=actor,
        )
        award = ledger_entry_create(
            ledger="award",
            library=net.library_a,
            values={
                "kind": "prize",
                "awarded_on": dt.date(2020, 5, 1),
                "recipient_name": "单一心",
                "awarding_body": "丽江市图书馆",
            },
            actor=actor,
        )
        guidance = ledger_entry_create(
            ledger="county_guidance",
            library=net.library_a,
            values={
                "county_library": net.library_b,
                "kind": "visit",
                "held_on": dt.date(2020, 6, 1),
                "topic": "总分馆建设",
            },
            actor=actor,
        )
        net._programmes_walk = {
            "event": event,
            "media": media,
            "award": award,
            "guidance": guidance,
        }
    return net._programmes_walk  # type: ignore[no-any-return]


def pages(net: Any) -> dict[str, tuple[dict[str, Any], str, str | None, str]]:
    r = _records(net)
    m, d = "manager_a", "desk_a"
    event = {"pk": r["event"].pk}
    return {
        "web:programmes-events": ({}, m, None, d),
        "web:programmes-events-export": ({}, m, None, d),
        "web:programmes-event-new": ({}, m, None, d),
        "web:programmes-event": (event, m, "desk_b", d),
        "web:programmes-event-edit": (event, m, "desk_b", d),
        "web:programmes-series": ({}, m, None, d),
        "web:programmes-home": ({}, m, None, d),
        "web:programmes-ledger": ({"ledger": "award"}, m, None, d),
        "web:programmes-ledger-new": ({"ledger": "award"}, m, None, d),
        "web:programmes-ledger-edit": ({"ledger": "award", "pk": r["award"].pk}, m, "desk_b", d),
        "web:programmes-ledger-export": ({"ledger": "award"}, m, None, d),
        "web:outreach-home": ({}, m, None, d),
        "web:outreach-points": ({}, m, None, d),
        "web:outreach-ledger": ({"ledger": "county_guidance"}, m, None, d),
        "web:outreach-ledger-new": ({"ledger": "county_guidance"}, m, None, d),
        "web:outreach-ledger-edit": (
            {"ledger": "county_guidance", "pk": r["guidance"].pk},
            m,
            "desk_b",
            d,
        ),
        "web:outreach-ledger-export": ({"ledger": "county_guidance"}, m, None, d),
        "web:operations-home": ({}, m, None, d),
        "web:operations-wechat-import": ({}, m, None, d),
        "web:operations-ledger": ({"ledger": "media_report"}, m, None, d),
        "web:operations-ledger-new": ({"ledger": "media_report"}, m, None, d),
        "web:operations-ledger-edit": (
            {"ledger": "media_report", "pk": r["media"].pk},
            m,
            "desk_b",
            d,
        ),
        "web:operations-ledger-export": ({"ledger": "media_report"}, m, None, d),
    }


def api(net: Any) -> dict[tuple[str, str], tuple[dict, dict | None, str, str | None]]:
    r = _records(net)
    v1 = "/api/v1"
    start = timezone.now() + dt.timedelta(days=14)
    event = {"event_id": r["event"].pk}
    registration = _registration(net)
    return {
        ("post", f"{v1}/events"): (
            {},
            {
                "library_id": net.library_a.pk,
                "title": "丽图公开课",
                "kind": "class",
                "starts_at": start.isoformat(),
                "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            },
            "manager_a",
            "desk_b",
        ),
        ("patch", f"{v1}/events/{{event_id}}"): (
            event,
            {"speaker": "王子舟"},
            "manager_a",
            "desk_b",
        ),
        ("post", f"{v1}/events/{{event_id}}/registrations"): (
            event,
            {"reader_id": net.reader_b.pk},
            "manager_a",
            "desk_b",
        ),
        ("post", f"{v1}/registrations/{{registration_id}}/cancel"): (
            {"registration_id": registration.pk},
            None,
            "manager_a",
            "desk_b",
        ),
    }


def _registration(net: Any) -> Any:
    from shufang.programmes.services import registration_create

    r = _records(net)
    if "registration" not in r:
        r["registration"] = registration_create(
            event=r["event"], reader=net.reader_a, channel="desk", actor=Actor.system("walk")
        )
    return r["registration"]
