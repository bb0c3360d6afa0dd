"""Notices to readers: due soon, overdue, hold ready, hold expiring, closure announcements.

Queueing builds the text (in the site language, Simplified Chinese by default) and inserts a
`Notice` row whose `dedupe_key` is unique, e.g. `overdue:<loan id>:<due date>`. The database
refuses a second row with the same key, so a notice is never created twice, however many
servers run the scan at once: the loser of that race simply finds the row already there.

Sending claims each pending notice with one conditional UPDATE (pending -> sent) before handing
it to the channel, so two senders never both send it; a channel error turns it into `failed`
with the error recorded. This is at-most-once delivery: a crash between the claim and the
channel call leaves a notice marked sent that was not (rare, and better than sending twice).

The reader's consents choose the channel: the first of WeChat, SMS, email that the reader has
consented to and that can reach them; none means `skipped`.

Deposit loans get no per-item notices: staff follow a deposit as a whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from shufang.circulation.channels import PREFERENCE, channel_for
from shufang.circulation.models import (
    Hold,
    HoldStatus,
    Loan,
    LoanStatus,
    Notice,
    NoticeKind,
    NoticeStatus,
)
from shufang.core.audit import Actor, audit_record
from shufang.readers.models import Consent, ConsentKind, Reader

if TYPE_CHECKING:
    from shufang.circulation.models import Closure

CONSENT_FOR_CHANNEL = {
    "wechat": ConsentKind.NOTICES_WECHAT,
    "sms": ConsentKind.NOTICES_SMS,
    "email": ConsentKind.NOTICES_EMAIL,
}

_CHUNK = 500


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _local_day(when: dt.datetime) -> dt.date:
    return timezone.localtime(when).date()


# --------------------------------------------------------------------------- texts


def _texts(kind: str, values: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of a notice, in the site language."""
    with translation.override(settings.LANGUAGE_CODE):
        if kind == NoticeKind.DUE_SOON:
            return gettext("Loan due soon"), gettext(
                "“%(title)s” (barcode %(barcode)s) is due on %(due)s. Return or renew it at "
                "any library of the network."
            ) % values
        if kind == NoticeKind.OVERDUE:
            return gettext("Loan overdue"), gettext(
                "“%(title)s” (barcode %(barcode)s) was due on %(due)s. Please return it at any "
                "library of the network."
            ) % values
        if kind == NoticeKind.HOLD_READY:
            return gettext("Your hold is ready"), gettext(
                "“%(title)s” is waiting for you at %(place)s until %(until)s."
            ) % values
        if kind == NoticeKind.HOLD_EXPIRING:
            return gettext("Your hold is about to expire"), gettext(
                "“%(title)s” waits for you at %(place)s only until %(until)s."
            ) % values
        if kind == NoticeKind.CLOSURE:
            return gettext("Closure"), gettext(
                "%(place)s is closed from %(start)s to %(end)s (%(reason)s). Loans due in that "
                "time are now due on the first open day after it; no fine accrues for closed "
                "days, and items on the hold shelf wait for you as long."
            ) % values
    raise ValueError(f"unknown notice kind {kind}")


def _loan_values(loan: Loan) -> dict[str, Any]:
    return {
        "title": loan.item.record.title,
        "barcode": loan.item.barcode,
        "due": _local_day(loan.due_at).isoformat(),
    }


def _hold_values(hold: Hold) -> dict[str, Any]:
    item = hold.trapped_item or hold.item
    title = item.record.title if item is not None else hold.record.title
    until = hold.shelf_expires_on.isoformat() if hold.shelf_expires_on else ""
    return {"title": title, "place": hold.pickup_service_point.name, "until": until}


def notice_build(
    *, reader_id: int, kind: str, key: str, values: dict[str, Any], at: dt.datetime
) -> Notice:
    """An unsaved Notice with its text built."""
    subject, body = _texts(kind, values)
    return Notice(
        reader_id=reader_id,
        kind=kind,
        dedupe_key=key,
        subject=subject[:200],
        body=body,
        created_at=at,
    )


# --------------------------------------------------------------------------- queueing


def notice_queue(
    *,
    reader: Reader,
    kind: str,
    key: str,
    values: dict[str, Any],
    at: dt.datetime | None = None,
) -> Notice | None:
    """Queue one notice; None when a notice with this key already exists (queued by someone
    else, possibly at this very moment). Safe inside a caller's transaction (own savepoint)."""
    notice = notice_build(
        reader_id=reader.pk, kind=kind, key=key, values=values, at=at or timezone.now()
    )
    try:
        with transaction.atomic():
            notice.save(force_insert=True)
    except IntegrityError:
        return None
    return notice


def notices_queue_many(notices: Sequence[Notice], *, fresh_keys: bool = False) -> int:
    """Insert the notices whose keys are not there yet; returns how many were new when
    looked at. Concurrent inserts of the same key are ignored by the database.
    `fresh_keys`: the caller knows no key can exist yet (skips the look-up)."""
    if not notices:
        return 0
    if fresh_keys:
        Notice.objects.bulk_create(notices, batch_size=_CHUNK, ignore_conflicts=True)
        return len(notices)
    fresh: list[Notice] = []
    for start in range(0, len(notices), _CHUNK):
        chunk = notices[start : start + _CHUNK]
        existing = set(
            Notice.objects.filter(dedupe_key__in=[n.dedupe_key for n in chunk]).values_list(
                "dedupe_key", flat=True
            )
        )
        fresh.extend(n for n in chunk if n.dedupe_key not in existing)
    Notice.objects.bulk_create(fresh, batch_size=_CHUNK, ignore_conflicts=True)
    return len(fresh)


def _loans_due_between(first: dt.date, last: dt.date) -> Iterable[Loan]:
    return (
        Loan.objects.filter(
            status=LoanStatus.ACTIVE,
            reader__isnull=False,
            deposit__isnull=True,
            due_at__gte=_day_start(first),
            due_at__lt=_day_start(last + dt.timedelta(days=1)),
        )
        .select_related("item__record")
        .order_by("id")
    )


def notices_queue_due_soon(*, at: dt.datetime | None = None) -> int:
    """Queue a due-soon notice for each loan due within NOTICE_DUE_SOON_DAYS days after today
    (a missed run catches up). Key `due_soon:<loan>:<due day>`: a renewed loan is told again."""
    at = at or timezone.now()
    today = _local_day(at)
    last = today + dt.timedelta(days=settings.NOTICE_DUE_SOON_DAYS)
    notices = []
    for loan in _loans_due_between(today + dt.timedelta(days=1), last):
        values = _loan_values(loan)
        key = f"due_soon:{loan.pk}:{values['due']}"
        assert loan.reader_id is not None
        notices.append(
            notice_build(
                reader_id=loan.reader_id, kind=NoticeKind.DUE_SOON, key=key, values=values, at=at
            )
        )
    return notices_queue_many(notices)


def notices_queue_overdue(*, at: dt.datetime | None = None) -> int:
    """Queue an overdue notice for each active loan past its due time: once per loan and due
    date (`overdue:<loan>:<due day>`)."""
    at = at or timezone.now()
    loans = (
        Loan.objects.filter(
            status=LoanStatus.ACTIVE, reader__isnull=False, deposit__isnull=True, due_at__lt=at
        )
        .select_related("item__record")
        .order_by("id")
    )
    notices = []
    for loan in loans:
        values = _loan_values(loan)
        assert loan.reader_id is not None
        notices.append(
            notice_build(
                reader_id=loan.reader_id,
                kind=NoticeKind.OVERDUE,
                key=f"overdue:{loan.pk}:{values['due']}",
                values=values,
                at=at,
            )
        )
    return notices_queue_many(notices)


def _ready_holds() -> Any:
    return Hold.objects.filter(status=HoldStatus.READY).select_related(
        "record", "item__record", "trapped_item__record", "pickup_service_point"
    )


def notices_queue_hold_ready(*, at: dt.datetime | None = None) -> int:
    """Queue a hold-ready notice for each hold on the hold shelf (`hold_ready:<hold>`)."""
    at = at or timezone.now()
    notices = [
        notice_build(
            reader_id=hold.reader_id,
            kind=NoticeKind.HOLD_READY,
            key=f"hold_ready:{hold.pk}",
            values=_hold_values(hold),
            at=at,
        )
        for hold in _ready_holds().order_by("id")
    ]
    return notices_queue_many(notices)


def notices_queue_hold_expiring(*, at: dt.datetime | None = None) -> int:
    """Queue a reminder for each hold whose last day on the shelf is within
    NOTICE_HOLD_EXPIRING_DAYS days from today (`hold_expiring:<hold>:<last day>`)."""
    at = at or timezone.now()
    today = _local_day(at)
    last = today + dt.timedelta(days=settings.NOTICE_HOLD_EXPIRING_DAYS)
    holds = _ready_holds().filter(shelf_expires_on__gte=today, shelf_expires_on__lte=last)
    notices = []
    for hold in holds.order_by("id"):
        values = _hold_values(hold)
        notices.append(
            notice_build(
                reader_id=hold.reader_id,
                kind=NoticeKind.HOLD_EXPIRING,
                key=f"hold_expiring:{hold.pk}:{values['until']}",
                values=values,
                at=at,
            )
        )
    return notices_queue_many(notices)


def closure_notices_queue(
    *, closure: Closure, reader_ids: Iterable[int], place: str, at: dt.datetime | None = None
) -> int:
    """Queue the announcement of `closure` to each reader (`closure:<closure>:<reader>`)."""
    at = at or timezone.now()
    values = {
        "place": place,
        "start": closure.start_date.isoformat(),
        "end": closure.end_date.isoformat(),
        "reason": closure.reason,
    }
    subject, body = _texts(NoticeKind.CLOSURE, values)
    notices = [
        Notice(
            reader_id=reader_id,
            kind=NoticeKind.CLOSURE,
            dedupe_key=f"closure:{closure.pk}:{reader_id}",
            subject=subject[:200],
            body=body,
            created_at=at,
        )
        for reader_id in sorted(set(reader_ids))
    ]
    # The closure was created in this transaction: none of its keys can exist yet.
    return notices_queue_many(notices, fresh_keys=True)


def notices_queue_all(*, at: dt.datetime | None = None) -> dict[str, int]:
    """Every scan, for the scheduled job."""
    at = at or timezone.now()
    return {
        "due_soon": notices_queue_due_soon(at=at),
        "overdue": notices_queue_overdue(at=at),
        "hold_ready": notices_queue_hold_ready(at=at),
        "hold_expiring": notices_queue_hold_expiring(at=at),
    }


# --------------------------------------------------------------------------- sending


def _consents(reader_ids: Iterable[int]) -> dict[tuple[int, str], bool]:
    """The consent in force per (reader, kind) for the notice channels: the latest row."""
    in_force: dict[tuple[int, str], bool] = {}
    rows = (
        Consent.objects.filter(reader_id__in=set(reader_ids), kind__in=CONSENT_FOR_CHANNEL.values())
        .order_by("reader_id", "kind", "-at", "-id")
        .values_list("reader_id", "kind", "granted")
    )
    for reader_id, kind, granted in rows:
        in_force.setdefault((reader_id, kind), granted)
    return in_force


def channel_choose(reader: Reader, consents: dict[tuple[int, str], bool]) -> str | None:
    """The first channel in PREFERENCE the reader consented to that can reach them."""
    for name in PREFERENCE:
        if consents.get((reader.pk, CONSENT_FOR_CHANNEL[name])) and channel_for(name).can_reach(
            reader
        ):
            return name
    return None


def notices_send_pending(*, at: dt.datetime | None = None, limit: int = 500) -> int:
    """Send up to `limit` pending notices, oldest first; returns how many were sent. Each
    notice is claimed by a conditional UPDATE (no row locks held while a channel talks to its
    provider); one audit event summarises the run."""
    at = at or timezone.now()
    pending = list(
        Notice.objects.filter(status=NoticeStatus.PENDING)
        .select_related("reader")
        .order_by("id")[:limit]
    )
    if not pending:
        return 0
    consents = _consents(n.reader_id for n in pending)
    counts = {NoticeStatus.SENT: 0, NoticeStatus.FAILED: 0, NoticeStatus.SKIPPED: 0}
    for notice in pending:
        name = channel_choose(notice.reader, consents)
        claim = Notice.objects.filter(pk=notice.pk, status=NoticeStatus.PENDING)
        if name is None:
            if claim.update(status=NoticeStatus.SKIPPED):
                counts[NoticeStatus.SKIPPED] += 1
            continue
        if not claim.update(status=NoticeStatus.SENT, channel=name, sent_at=at):
            continue  # another sender has it
        notice.status, notice.channel, notice.sent_at = NoticeStatus.SENT, name, at
        try:
            channel_for(name).send(notice, notice.reader)
        except Exception as exc:  # any provider failure is recorded, the run goes on
            Notice.objects.filter(pk=notice.pk).update(
                status=NoticeStatus.FAILED, sent_at=None, error=str(exc)[:500] or repr(exc)
            )
            counts[NoticeStatus.FAILED] += 1
        else:
            counts[NoticeStatus.SENT] += 1
    if any(counts.values()):
        audit_record(
            actor=Actor.system("notices"),
            action="notices.sent",
            object_type="circulation.notice",
            changes={str(k): v for k, v in counts.items()},
        )
    return counts[NoticeStatus.SENT]
