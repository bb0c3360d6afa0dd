"""Notices to readers about their suggestions: decided (approved or declined, with the
reason) and arrived (the book is in and held for them). They go through circulation's notice
queue and sender with the kind `NoticeKind.SUGGESTION`; the texts are written here, where the
events are known. The key makes each notice once only."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from shufang.acquisitions.models import Suggestion, SuggestionRequest
from shufang.circulation.models import Notice, NoticeKind

KIND = NoticeKind.SUGGESTION


def _texts(event: str, suggestion: Suggestion) -> tuple[str, str]:
    values = {"title": suggestion.title, "reason": suggestion.reason}
    with translation.override(settings.LANGUAGE_CODE):
        if event == "approved":
            return gettext("Your suggestion was accepted"), gettext(
                "The library is buying “%(title)s”, which you suggested. We will tell you when "
                "it arrives."
            ) % values
        if event == "declined":
            return gettext("Your suggestion was not accepted"), gettext(
                "The library will not buy “%(title)s”: %(reason)s"
            ) % values
        if event == "arrived":
            return gettext("Your suggested book has arrived"), gettext(
                "“%(title)s”, which you suggested, has arrived and is held for you. We will tell "
                "you when it is ready to collect."
            ) % values
    raise ValueError(f"unknown suggestion event {event}")


def suggestion_notice_queue(*, request: SuggestionRequest, event: str) -> Notice | None:
    """Queue one notice to the reader of `request`; None when it was queued before."""
    subject, body = _texts(event, request.suggestion)
    notice = Notice(
        reader_id=request.reader_id,
        kind=KIND,
        dedupe_key=f"suggestion:{event}:{request.pk}",
        subject=subject[:200],
        body=body,
        created_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            notice.save(force_insert=True)
    except IntegrityError:
        return None
    return notice
