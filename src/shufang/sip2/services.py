"""Device accounts: create them, and log them in with throttling.

Passwords are hashed with PBKDF2 at fewer rounds than staff passwords (a device logs in once
per connection, and a kiosk fleet reconnecting after a network outage must not queue for
seconds); device passwords are long generated strings, not words people choose.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import Conflict, ValidationFailed
from shufang.core.permissions import require
from shufang.network.models import ServicePoint
from shufang.sip2.models import (
    DEFAULT_OPERATIONS,
    OPERATIONS,
    DeviceAccount,
    DeviceLanguage,
    Encoding,
    LoginFailure,
)

log = logging.getLogger("shufang.sip2")

MAX_FAILURES = 5
"""Failed logins allowed per login name, or per address, within `FAILURE_WINDOW`."""
FAILURE_WINDOW = dt.timedelta(minutes=15)


class DevicePasswordHasher(PBKDF2PasswordHasher):
    iterations = 100_000


DEVICE_HASHER = DevicePasswordHasher()


def operations_normalise(operations: Iterable[str]) -> list[str]:
    """Request codes from codes ("11") or names ("checkout"); refuses unknown ones."""
    codes: list[str] = []
    valid = set(OPERATIONS.values())
    for op in operations:
        op = op.strip()
        code = OPERATIONS.get(op, op)
        if code not in valid:
            raise ValidationFailed(
                _("Unknown SIP2 operation %(op)s.") % {"op": op}, field="operations"
            )
        if code not in codes:
            codes.append(code)
    return sorted(codes)


def device_account_create(
    *,
    login: str,
    password: str,
    institution_id: str,
    service_point: ServicePoint,
    actor: Actor,
    operations: Iterable[str] | None = None,
    encoding: str = Encoding.UTF8,
    checksum_required: bool = True,
    patron_pin_required: bool = True,
    language: str = DeviceLanguage.ZH_HANS,
    label: str = "",
) -> DeviceAccount:
    """A new device account. Refuses a duplicate login (Conflict), a short password, an
    unknown encoding, language or operation (ValidationFailed)."""
    if actor.user is not None:
        require(actor.user, "network.change")
    login = login.strip()
    if not login or "|" in login:
        raise ValidationFailed(_("A login is required."), field="login")
    if len(password) < 8 or "|" in password:
        raise ValidationFailed(
            _("A device password has at least 8 characters and no '|'."), field="password"
        )
    if encoding not in Encoding.values:
        raise ValidationFailed(_("Unknown encoding %(e)s.") % {"e": encoding}, field="encoding")
    if language not in DeviceLanguage.values:
        raise ValidationFailed(_("Unknown language %(l)s.") % {"l": language}, field="language")
    codes = operations_normalise(DEFAULT_OPERATIONS if operations is None else operations)
    with transaction.atomic():
        if DeviceAccount.objects.filter(login=login).exists():
            raise Conflict(_("A device with this login exists."), field="login")
        account = DeviceAccount.objects.create(
            login=login,
            password_hash=DEVICE_HASHER.encode(password, DEVICE_HASHER.salt()),
            label=label or login,
            institution_id=institution_id,
            service_point=service_point,
            operations=codes,
            encoding=encoding,
            checksum_required=checksum_required,
            patron_pin_required=patron_pin_required,
            language=language,
        )
        audit_record(
            actor=actor,
            action="sip2.device_created",
            obj=account,
            library=service_point.library_id,
            changes={
                "login": login,
                "institution_id": institution_id,
                "service_point": service_point.code,
                "operations": codes,
                "encoding": encoding,
                "checksum_required": checksum_required,
                "patron_pin_required": patron_pin_required,
                "language": language,
            },
        )
    return account


def device_login_throttled(*, login: str, peer: str, at: dt.datetime | None = None) -> bool:
    """Whether too many logins failed lately for this login name or from this address."""
    since = (at or timezone.now()) - FAILURE_WINDOW
    recent = LoginFailure.objects.filter(at__gte=since)
    by_login = recent.filter(login=login[:64]).count()
    by_peer = recent.filter(peer=peer[:64]).count() if peer else 0
    return by_login >= MAX_FAILURES or by_peer >= MAX_FAILURES


def device_login(
    *, login: str, password: str, peer: str = "", at: dt.datetime | None = None
) -> DeviceAccount | None:
    """The active account with this login and password, or None.

    Throttled: after `MAX_FAILURES` failures within `FAILURE_WINDOW` for the login or from the
    address, every attempt is refused (even with the right password) and logged. Each refusal
    writes one LoginFailure row and one audit event; a success records `last_seen_at` and
    one audit event."""
    at = at or timezone.now()
    login = login.strip()
    actor = Actor(channel="kiosk", label=f"sip2:{login}"[:150])
    if device_login_throttled(login=login, peer=peer, at=at):
        reason = "throttled"
        account = None
    else:
        account = DeviceAccount.objects.select_related("service_point").filter(login=login).first()
        if account is None:
            reason = "unknown_login"
        elif not DEVICE_HASHER.verify(password, account.password_hash):
            reason = "bad_password"
            account = None
        elif not account.active:
            reason = "inactive"
            account = None
        else:
            reason = ""
    with transaction.atomic():
        if account is None:
            LoginFailure.objects.create(login=login[:64], peer=peer[:64], at=at, reason=reason)
            audit_record(
                actor=actor,
                action="sip2.login_failed",
                object_type="sip2.deviceaccount",
                object_repr=login[:200],
                changes={"login": login, "peer": peer, "reason": reason},
            )
            log.warning("SIP2 login refused for %r from %s: %s", login, peer, reason)
            return None
        DeviceAccount.objects.filter(pk=account.pk).update(last_seen_at=at)
        account.last_seen_at = at
        audit_record(
            actor=actor,
            action="sip2.login",
            obj=account,
            library=account.service_point.library_id,
            changes={"peer": peer},
        )
    return account


def device_seen(*, account: DeviceAccount, at: dt.datetime | None = None) -> None:
    """Bookkeeping, not a change of state (no audit event): records that the device is alive,
    at most once a minute per device."""
    at = at or timezone.now()
    DeviceAccount.objects.filter(pk=account.pk).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=at - dt.timedelta(minutes=1))
    ).update(last_seen_at=at)
