"""Read-only helpers for readers and cards."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from shufang.readers.models import Card, CardStatus, Consent, Reader

# A card in one of these statuses stopped being valid when its status changed.
_ENDED = (CardStatus.CANCELLED, CardStatus.LOST, CardStatus.EXPIRED)


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def card_by_number(*, number: str) -> Card | None:
    """The card with this number (any status), with its reader."""
    return (
        Card.objects.select_related("reader", "reader__category")
        .filter(number=number.strip())
        .first()
    )


def reader_by_card_number(*, number: str) -> Reader | None:
    """The reader holding a card with this number (any status: check the card for lending)."""
    card = card_by_number(number=number)
    return card.reader if card is not None else None


def card_current(*, reader: Reader) -> Card | None:
    """The reader's card at the end of its replacement chain, newest first; None without
    cards."""
    return (
        Card.objects.filter(reader=reader, replaced_by__isnull=True)
        .order_by("-issued_at", "-pk")
        .first()
    )


def cards_valid_at(*, at: dt.date) -> QuerySet[Card]:
    """Cards valid on day `at`: issued by the end of that day, not expired before it, and not
    cancelled, lost or marked expired by then. For the "valid cardholder" statistic count
    distinct readers: `cards_valid_at(at=d).values("reader").distinct().count()`."""
    end_of_day = _start_of_day(at + dt.timedelta(days=1))
    return Card.objects.filter(issued_at__lt=end_of_day, expires_on__gte=at).exclude(
        Q(status__in=_ENDED) & Q(status_changed_at__lt=end_of_day)
    )


def cards_new_between(*, start: dt.date, end: dt.date) -> QuerySet[Card]:
    """Cards issued from `start` to `end` (inclusive), replacements left out: the "new card"
    (新增读者证) statistic."""
    return Card.objects.filter(
        issued_at__gte=_start_of_day(start),
        issued_at__lt=_start_of_day(end + dt.timedelta(days=1)),
        replaces__isnull=True,
    )


def consent_in_force(*, reader: Reader, kind: str) -> bool:
    """The latest consent of that kind; no consent recorded means not granted."""
    granted = (
        Consent.objects.filter(reader=reader, kind=kind)
        .order_by("-at", "-id")
        .values_list("granted", flat=True)
        .first()
    )
    return bool(granted)
