"""The public events page: sign-up by a logged-in reader, and the iCalendar feed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from shufang.core.audit import Actor
from shufang.operations.tests.fixtures import Lijiang
from shufang.programmes.models import Event, Registration
from shufang.programmes.services import event_create, series_create
from shufang.web.events.ical import fold

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")


def lecture(lj: Lijiang) -> Event:
    series = series_create(library=lj.library, code="tianyu", name="天雨流芳文化讲坛",
                           kind="lecture", number_format="第{n}讲", first_number=37, actor=ACTOR)  # fmt: skip
    start = timezone.make_aware(dt.datetime(2030, 11, 28, 14, 30))
    return event_create(library=lj.library, series=series, title="带一本书去旅游, 与读者交流",
                        kind="lecture", starts_at=start, ends_at=start + dt.timedelta(hours=2),
                        service_point=lj.main, room="报告厅", capacity=1, registration_open=True,
                        description="北京大学信息管理系王子舟教授主讲", actor=ACTOR)  # fmt: skip


def reader_client(card: str) -> Client:
    client = Client()
    response = client.post("/account/login/", {"card_number": card, "pin": "2468"})
    assert response.status_code == 302
    return client


def test_a_logged_in_reader_signs_up_and_the_next_one_waits(lj: Lijiang) -> None:
    event = lecture(lj)
    lj.reader("和丽梅", "LJ0000001")
    lj.reader("杨建国", "LJ0000002")

    first = reader_client("LJ0000001").post(f"/events/{event.pk}/", {"action": "register"})
    second = reader_client("LJ0000002").post(f"/events/{event.pk}/", {"action": "register"})

    assert first.status_code == second.status_code == 302
    assert list(Registration.objects.values_list("reader__name", "status", "channel")) == [
        ("和丽梅", "confirmed", "opac"),
        ("杨建国", "waiting", "opac"),
    ]


def test_an_anonymous_visitor_is_sent_to_log_in_and_nothing_is_registered(lj: Lijiang) -> None:
    event = lecture(lj)

    page = Client().get(f"/events/{event.pk}/")
    response = Client().post(f"/events/{event.pk}/", {"action": "register"})

    assert page.status_code == 200
    assert response["Location"] == "/account/login/"
    assert Registration.objects.count() == 0


def test_the_calendar_feed_is_rfc_5545(lj: Lijiang) -> None:
    event = lecture(lj)

    response = Client().get("/events/calendar.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    unfolded = body.replace("\r\n ", "")
    assert f"UID:event-{event.pk}@testserver\r\n" in unfolded
    assert "DTSTART:20301128T063000Z\r\n" in unfolded  # 14:30 in Lijiang
    assert "DTEND:20301128T083000Z\r\n" in unfolded
    assert "SUMMARY:天雨流芳文化讲坛 第37讲 带一本书去旅游\\, 与读者交流\r\n" in unfolded
    assert "LOCATION:总馆\\, 报告厅\r\n" in unfolded


def test_folding_never_splits_a_chinese_character() -> None:
    line = "SUMMARY:" + "书" * 40

    folded = fold(line)

    pieces = folded.split("\r\n ")
    assert "".join(pieces) == line
    assert [len(p.encode()) for p in pieces] == [74, 54]
