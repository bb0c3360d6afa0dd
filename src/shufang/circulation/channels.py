"""Notice channels: how a queued notice reaches a reader.

A channel is any object with a `name`, `can_reach(reader) -> bool` and `send(notice, reader)
-> None` that raises on failure (the exception text is recorded on the notice). The adapters in
use are named in `settings.NOTICE_CHANNELS` (dotted paths, overridable with
SHUFANG_NOTICE_EMAIL_ADAPTER, SHUFANG_NOTICE_SMS_ADAPTER, SHUFANG_NOTICE_WECHAT_ADAPTER).

Shipped: email through Django's mail, and SMS and WeChat template-message adapters that only
log, for a real provider to replace (see docs/notices.md for the interface and an example)."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from shufang.circulation.models import Notice
    from shufang.readers.models import Reader

log = logging.getLogger("shufang.notices")

# The order in which a reader's consented channels are tried: the first one that can reach
# the reader is used for a notice.
PREFERENCE = ("wechat", "sms", "email")


class ChannelError(Exception):
    """A channel could not deliver a notice (the message is recorded on the notice)."""


@runtime_checkable
class NoticeChannel(Protocol):
    name: str

    def can_reach(self, reader: Reader) -> bool:
        """Whether the reader has the contact data this channel needs."""
        ...

    def send(self, notice: Notice, reader: Reader) -> None:
        """Deliver the notice or raise (any exception marks the notice failed)."""
        ...


class EmailChannel:
    name = "email"

    def can_reach(self, reader: Reader) -> bool:
        return bool(reader.email)

    def send(self, notice: Notice, reader: Reader) -> None:
        if not reader.email:
            raise ChannelError("reader has no email address")
        send_mail(
            subject=notice.subject,
            message=notice.body,
            from_email=settings.NOTICE_FROM_EMAIL,
            recipient_list=[reader.email],
            fail_silently=False,
        )


def _masked_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


class LoggingSmsChannel:
    """Logs the SMS it would send. A provider adapter (Aliyun, Tencent Cloud SMS...) keeps this
    shape: send `notice.body` to `reader.phone`, raise on a provider error."""

    name = "sms"

    def can_reach(self, reader: Reader) -> bool:
        return bool(reader.phone)

    def send(self, notice: Notice, reader: Reader) -> None:
        if not reader.phone:
            raise ChannelError("reader has no phone number")
        log.info("SMS to %s: %s", _masked_phone(reader.phone), notice.body)


class LoggingWeChatChannel:
    """Logs the WeChat template message it would send: template NOTICE_WECHAT_TEMPLATE_ID with
    the fields `first` (subject), `keyword1` (kind), `remark` (body). A provider adapter needs
    the reader's openid, which the reader model does not hold yet."""

    name = "wechat"

    def can_reach(self, reader: Reader) -> bool:
        return True

    def template_data(self, notice: Notice) -> dict[str, dict[str, str]]:
        return {
            "first": {"value": notice.subject},
            "keyword1": {"value": str(notice.get_kind_display())},
            "remark": {"value": notice.body},
        }

    def send(self, notice: Notice, reader: Reader) -> None:
        log.info(
            "WeChat template %s to reader %s: %s",
            settings.NOTICE_WECHAT_TEMPLATE_ID or "(no template id)",
            reader.pk,
            self.template_data(notice),
        )


@lru_cache(maxsize=16)
def _load(path: str) -> NoticeChannel:
    channel = import_string(path)()
    if not isinstance(channel, NoticeChannel):
        raise TypeError(f"{path} is not a notice channel")
    return channel


def channel_for(name: str) -> NoticeChannel:
    """The configured adapter for channel `name` ("email", "sms", "wechat")."""
    return _load(settings.NOTICE_CHANNELS[name])
