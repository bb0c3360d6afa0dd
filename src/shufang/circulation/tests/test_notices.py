"""Notices: what is queued when, at most once, and how it is sent."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from shufang.circulation.channels import (
    EmailChannel,
    LoggingSmsChannel,
    LoggingWeChatChannel,
    NoticeChannel,
)
from shufang.circulation.models import (
    CirculationChannel,
    Hold,
    HoldStatus,
    LoanStatus,
    Notice,
    NoticeKind,
    NoticeStatus,
)
from shufang.circulation.notices import (
    notice_queue,
    notices_queue_all,
    notices_queue_due_soon,
    notices_queue_hold_expiring,
    notices_queue_hold_ready,
    notices_queue_overdue,
    notices_send_pending,
)
from shufang.circulation.tests.conftest import local
from shufang.core.audit import Actor
from shufang.core.jobs import jobs_run_due
from shufang.readers.models import ConsentKind
from shufang.readers.services import consent_set

D = dt.date
NOW = local(2024, 3, 5, 8, 0)  # Tuesday morning
SYSTEM = Actor.system("test")


class RecordingChannel:
    """A channel that remembers what it sent (shared by every thread)."""

    name = "sms"
    sent: list[int] = []
    lock = threading.Lock()

    def can_reach(self, reader) -> bool:
        return True

    def send(self, notice, reader) -> None:
        with self.lock:
            self.sent.append(notice.pk)


class BrokenChannel:
    name = "sms"

    def can_reach(self, reader) -> bool:
        return True

    def send(self, notice, reader) -> None:
        raise ConnectionError("SMS gateway timed out")


RECORDING = "shufang.circulation.tests.test_notices.RecordingChannel"
BROKEN = "shufang.circulation.tests.test_notices.BrokenChannel"


@pytest.fixture
def recording(settings):
    RecordingChannel.sent = []
    settings.NOTICE_CHANNELS = {**settings.NOTICE_CHANNELS, "sms": RECORDING}
    return RecordingChannel


def keys() -> list[str]:
    return list(Notice.objects.order_by("dedupe_key").values_list("dedupe_key", flat=True))


# --------------------------------------------------------------------------- queueing


@pytest.mark.django_db
def test_loans_due_within_the_notice_days_get_one_due_soon_notice(
    make_item, make_loan, reader, rules
):
    # given loans due in 0, 3 and 4 days (NOTICE_DUE_SOON_DAYS = 3)
    make_loan(make_item(), reader, D(2024, 3, 5))
    soon = make_loan(make_item(), reader, D(2024, 3, 8))
    make_loan(make_item(), reader, D(2024, 3, 9))
    # when run twice
    assert notices_queue_due_soon(at=NOW) == 1
    assert notices_queue_due_soon(at=NOW + dt.timedelta(hours=1)) == 0
    # then
    assert keys() == [f"due_soon:{soon.pk}:2024-03-08"]
    notice = Notice.objects.get()
    assert (notice.reader_id, notice.kind, notice.status) == (
        reader.pk,
        NoticeKind.DUE_SOON,
        NoticeStatus.PENDING,
    )
    assert soon.item.barcode in notice.body and "2024-03-08" in notice.body
    assert "活着" in notice.body


@pytest.mark.django_db
def test_a_renewed_loan_is_told_again_about_its_new_due_date(make_item, make_loan, reader, rules):
    loan = make_loan(make_item(), reader, D(2024, 3, 7))
    notices_queue_due_soon(at=NOW)
    loan.due_at = local(2024, 4, 6, 23, 59, 59)
    loan.save()
    notices_queue_due_soon(at=local(2024, 4, 4, 8))
    assert keys() == [f"due_soon:{loan.pk}:2024-03-07", f"due_soon:{loan.pk}:2024-04-06"]


@pytest.mark.django_db
def test_overdue_loans_get_one_overdue_notice(make_item, make_loan, reader, group_reader, rules):
    # given an overdue loan, a returned one, one due today, and an overdue deposit loan
    late = make_loan(make_item(), reader, D(2024, 3, 1))
    make_loan(make_item(), reader, D(2024, 3, 1), status=LoanStatus.RETURNED)
    make_loan(make_item(), reader, D(2024, 3, 5))
    from shufang.circulation.models import Deposit

    deposit = Deposit.objects.create(
        name="营地",
        borrower=group_reader,
        lent_from=late.service_point,
        lent_on=D(2024, 1, 1),
        due_on=D(2024, 3, 1),
    )
    make_loan(make_item(), group_reader, D(2024, 3, 1), deposit=deposit)
    # when
    notices_queue_overdue(at=NOW)
    notices_queue_overdue(at=NOW + dt.timedelta(hours=12))
    # then
    assert keys() == [f"overdue:{late.pk}:2024-03-01"]
    assert Notice.objects.get().kind == NoticeKind.OVERDUE


def ready_hold(reader, item, main, last_day) -> Hold:
    return Hold.objects.create(
        reader=reader,
        record=item.record,
        pickup_service_point=main,
        channel=CirculationChannel.OPAC,
        status=HoldStatus.READY,
        trapped_item=item,
        shelf_expires_on=last_day,
    )


@pytest.mark.django_db
def test_ready_holds_get_a_ready_notice_and_a_reminder_before_expiry(
    make_item, reader, other_reader, main, rules
):
    # given a hold ready until tomorrow and one until next week
    near = ready_hold(reader, make_item(), main, D(2024, 3, 6))
    far = ready_hold(other_reader, make_item(), main, D(2024, 3, 12))
    # when
    notices_queue_hold_ready(at=NOW)
    notices_queue_hold_expiring(at=NOW)
    notices_queue_hold_ready(at=NOW)
    # then
    assert keys() == sorted(
        [f"hold_expiring:{near.pk}:2024-03-06", f"hold_ready:{near.pk}", f"hold_ready:{far.pk}"]
    )
    body = Notice.objects.get(dedupe_key=f"hold_ready:{near.pk}").body
    assert main.name in body and "2024-03-06" in body


@pytest.mark.django_db
def test_queueing_a_key_twice_gives_none_the_second_time(reader):
    values = {"title": "活着", "barcode": "C1", "due": "2024-03-08"}
    first = notice_queue(reader=reader, kind=NoticeKind.DUE_SOON, key="k1", values=values)
    second = notice_queue(reader=reader, kind=NoticeKind.DUE_SOON, key="k1", values=values)
    assert first is not None and second is None
    assert Notice.objects.count() == 1


# --------------------------------------------------------------------------- sending


def queue(reader, key="k") -> Notice:
    notice = notice_queue(
        reader=reader,
        kind=NoticeKind.OVERDUE,
        key=key,
        values={"title": "活着", "barcode": "C1", "due": "2024-03-01"},
    )
    assert notice is not None
    return notice


@pytest.mark.django_db
def test_consents_choose_the_channel(reader, other_reader, child_reader, caplog):
    # given: email only / SMS and WeChat / nothing
    consent_set(reader=reader, kind=ConsentKind.NOTICES_EMAIL, granted=True, actor=SYSTEM)
    consent_set(reader=other_reader, kind=ConsentKind.NOTICES_SMS, granted=True, actor=SYSTEM)
    consent_set(reader=other_reader, kind=ConsentKind.NOTICES_WECHAT, granted=True, actor=SYSTEM)
    consent_set(reader=other_reader, kind=ConsentKind.NOTICES_WECHAT, granted=False, actor=SYSTEM)
    by_email, by_sms, nowhere = (
        queue(reader, "a"),
        queue(other_reader, "b"),
        queue(child_reader, "c"),
    )
    # when
    caplog.set_level("INFO", logger="shufang.notices")
    sent = notices_send_pending(at=NOW)
    # then
    assert sent == 2
    for n in (by_email, by_sms, nowhere):
        n.refresh_from_db()
    assert (by_email.status, by_email.channel, by_email.sent_at) == (
        NoticeStatus.SENT,
        "email",
        NOW,
    )
    assert (by_sms.status, by_sms.channel) == (NoticeStatus.SENT, "sms")
    assert (nowhere.status, nowhere.channel, nowhere.sent_at) == (NoticeStatus.SKIPPED, "", None)
    assert [(m.to, m.subject) for m in mail.outbox] == [(["yuhan@example.cn"], by_email.subject)]
    assert any("138****0002" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_a_consented_channel_that_cannot_reach_the_reader_is_passed_over(reader, other_reader):
    # other_reader has no email address
    consent_set(reader=other_reader, kind=ConsentKind.NOTICES_EMAIL, granted=True, actor=SYSTEM)
    notice = queue(other_reader)
    notices_send_pending(at=NOW)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SKIPPED
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_channel_failure_is_recorded(reader, settings):
    settings.NOTICE_CHANNELS = {**settings.NOTICE_CHANNELS, "sms": BROKEN}
    consent_set(reader=reader, kind=ConsentKind.NOTICES_SMS, granted=True, actor=SYSTEM)
    notice = queue(reader)
    assert notices_send_pending(at=NOW) == 0
    notice.refresh_from_db()
    assert (notice.status, notice.sent_at, notice.error) == (
        NoticeStatus.FAILED,
        None,
        "SMS gateway timed out",
    )


def test_shipped_adapters_are_notice_channels():
    for adapter in (EmailChannel(), LoggingSmsChannel(), LoggingWeChatChannel()):
        assert isinstance(adapter, NoticeChannel)


# --------------------------------------------------------------------------- concurrency


def run_in_threads(target, n: int) -> list[object]:
    barrier = threading.Barrier(n)
    errors: list[object] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            target()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_several_servers_scanning_and_sending_at_once_send_each_notice_once(
    make_item, make_loan, make_reader, recording
):
    # given twelve readers with an overdue loan and an SMS consent each
    loans = []
    for n in range(12):
        someone = make_reader(f"读者{n}", phone=f"1390000{n:04d}")
        consent_set(reader=someone, kind=ConsentKind.NOTICES_SMS, granted=True, actor=SYSTEM)
        loans.append(make_loan(make_item(), someone, D(2024, 3, 1)))

    def server() -> None:
        notices_queue_all(at=NOW)
        notices_send_pending(at=NOW)
        notices_send_pending(at=NOW)

    # when four servers run the scan and the sending at the same moment
    errors = run_in_threads(server, 4)
    # then
    assert errors == []
    assert Notice.objects.count() == 12
    assert sorted(recording.sent) == sorted(Notice.objects.values_list("pk", flat=True))
    assert set(Notice.objects.values_list("status", flat=True)) == {NoticeStatus.SENT}


@pytest.mark.django_db(transaction=True)
def test_concurrent_job_runs_send_each_notice_once(make_item, make_loan, make_reader, recording):
    # given
    for n in range(6):
        someone = make_reader(f"读者{n}", phone=f"1391111{n:04d}")
        consent_set(reader=someone, kind=ConsentKind.NOTICES_SMS, granted=True, actor=SYSTEM)
        make_loan(make_item(), someone, D(2020, 1, 1))
    jobs = ["circulation.notices_queue", "circulation.notices_send"]

    # when three servers run the jobs at once, then again later
    errors = run_in_threads(lambda: jobs_run_due(only=jobs), 3)
    later = timezone.now() + dt.timedelta(hours=1)
    results = jobs_run_due(only=["circulation.notices_send"], now=later)
    # then
    assert errors == []
    assert results == {"circulation.notices_send": "ran"}
    assert len(recording.sent) == 6 == len(set(recording.sent))
    assert Notice.objects.filter(status=NoticeStatus.SENT).count() == 6
