"""A hand-written iCalendar (RFC 5545) writer for the events feed: VCALENDAR with one VEVENT
per event, text escaped (backslash, semicolon, comma, newline), lines folded at 75 octets
(never inside a UTF-8 sequence), CRLF line ends, times in UTC."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from shufang.programmes.models import Event, EventStatus


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Splits a content line into pieces of at most 75 octets joined by CRLF + space."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with a space
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(events: Iterable[Event], *, host: str, name: str, now: dt.datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Shufang//Events//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for event in events:
        location = ", ".join(part for part in (str(event.service_point or ""), event.room) if part)
        status = "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED"
        if event.status == EventStatus.POSTPONED or event.suspended:
            status = "TENTATIVE"
        lines += [
            "BEGIN:VEVENT",
            f"UID:event-{event.pk}@{host}",
            f"DTSTAMP:{_utc(now)}",
            f"DTSTART:{_utc(event.starts_at)}",
            f"DTEND:{_utc(event.ends_at)}",
            f"SUMMARY:{escape(event.numbered_title)}",
            f"STATUS:{status}",
        ]
        if location:
            lines.append(f"LOCATION:{escape(location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
