"""Writes to readers, cards and consents. Each service runs in one transaction and writes one
audit event per change. The national ID number is validated, then stored only encrypted,
hashed and masked (see `readers.identity`); it never appears in clear in the database or in an
audit event.

Permissions: when the actor is a staff user, writes need `readers.change` (readers are shared
by the whole network: 通借通还), showing personal data needs `readers.view_personal`. System
and import actors (no user) are trusted callers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.core.audit import Actor, audit_bulk, audit_record, diff
from shufang.core.exceptions import Conflict, InvalidTransition, ValidationFailed
from shufang.core.models import AuditEvent
from shufang.core.permissions import require
from shufang.network.models import ServicePoint
from shufang.readers import identity
from shufang.readers.models import (
    Card,
    CardStatus,
    CategoryKind,
    Consent,
    ConsentKind,
    Reader,
    ReaderCategory,
)

GUARDIAN_REQUIRED_UNDER = 14
CARD_NUMBER_WIDTH = 9
CARD_NUMBER_ATTEMPTS = 20
DEFAULT_CARD_VALIDITY_YEARS = 3

# The card state machine: status -> statuses it may move to through card_set_status.
# Renewal (expired -> valid) and replacement (-> lost/cancelled) have their own services.
CARD_TRANSITIONS: dict[str, frozenset[str]] = {
    CardStatus.VALID: frozenset(
        {CardStatus.EXPIRED, CardStatus.LOST, CardStatus.SUSPENDED, CardStatus.CANCELLED}
    ),
    CardStatus.SUSPENDED: frozenset({CardStatus.VALID, CardStatus.LOST, CardStatus.CANCELLED}),
    CardStatus.EXPIRED: frozenset({CardStatus.LOST, CardStatus.CANCELLED}),
    CardStatus.LOST: frozenset({CardStatus.VALID, CardStatus.CANCELLED}),  # found again
    CardStatus.CANCELLED: frozenset(),
}


class PinHasher(PBKDF2PasswordHasher):
    """PBKDF2 with fewer rounds than Django's password default (1,000,000, about 0.3 s here):
    a kiosk checks the PIN on most SIP2 requests and a migration hashes one per reader, and a
    4-6 digit PIN gains little from more rounds. Same algorithm name and format, so
    `check_password` verifies it with the rounds stored in the hash."""

    iterations = 60_000


PIN_HASHER = PinHasher()

READER_FIELDS = frozenset(
    {
        "name",
        "category",
        "birth_date",
        "phone",
        "email",
        "address",
        "home_service_point",
        "guardian",
        "guardian_name",
        "guardian_phone",
        "notes",
        "id_number",
    }
)


def _require(actor: Actor, perm: str) -> None:
    if actor.user is not None:
        require(actor.user, perm)


def _today() -> dt.date:
    return timezone.localdate()


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _check_pin(pin: str) -> None:
    if not re.fullmatch(r"[0-9A-Za-z]{4,16}", pin):
        raise ValidationFailed(_("A PIN is 4 to 16 letters or digits."), field="pin")


def _check_email(email: str) -> None:
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationFailed(
                _("“%(e)s” is not an email address.") % {"e": email}, field="email"
            ) from None


def _id_fields(id_number: str) -> tuple[dict[str, str], dt.date | None]:
    """The three stored forms of an ID number (all empty when none) and its birth date."""
    if not id_number.strip():
        return {"id_number_encrypted": "", "id_number_hash": "", "id_number_masked": ""}, None
    number = identity.validate_id_number(id_number)
    return (
        {
            "id_number_encrypted": identity.encrypt_id_number(number),
            "id_number_hash": identity.id_number_lookup_hash(number),
            "id_number_masked": identity.mask_id_number(number),
        },
        identity.birth_date_from_id_number(number),
    )


def _check_id_unique(id_hash: str, masked: str, exclude_pk: int | None = None) -> None:
    if not id_hash:
        return
    others = Reader.objects.filter(id_number_hash=id_hash)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise Conflict(
            _("A reader with ID number %(m)s is already registered.") % {"m": masked},
            field="id_number",
        )


def _check_guardian(reader: Reader, on: dt.date) -> None:
    if reader.birth_date is None:
        return
    if identity.age_on(reader.birth_date, on) >= GUARDIAN_REQUIRED_UNDER:
        return
    if reader.guardian_id is not None or (reader.guardian_name and reader.guardian_phone):
        return
    raise ValidationFailed(
        _(
            "Readers under %(age)d need a guardian: a registered reader, or a guardian's name "
            "and phone."
        )
        % {"age": GUARDIAN_REQUIRED_UNDER},
        field="guardian",
    )


def _save_reader(reader: Reader, masked: str) -> None:
    try:
        with transaction.atomic():
            reader.save()
    except IntegrityError as exc:  # a concurrent registration with the same ID number
        raise Conflict(
            _("A reader with ID number %(m)s is already registered.") % {"m": masked},
            field="id_number",
        ) from exc


def _next_card_number() -> str:
    prefix = getattr(settings, "CARD_NUMBER_PREFIX", "R")
    last = (
        Card.objects.filter(number__regex=rf"^{re.escape(prefix)}[0-9]{{{CARD_NUMBER_WIDTH}}}$")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{sequence:0{CARD_NUMBER_WIDTH}d}"


def _create_card(
    *,
    reader: Reader,
    number: str | None,
    expires_on: dt.date | None,
    issued_at: dt.datetime | None,
    service_point: ServicePoint,
    replaces: Card | None = None,
) -> Card:
    """Inserts a card; a generated number is retried on a unique clash (the number is taken
    by a concurrent issue), so no lock on a counter row is needed."""
    issued_at = issued_at or timezone.now()
    issued_day = (
        timezone.localtime(issued_at).date() if timezone.is_aware(issued_at) else issued_at.date()
    )
    if expires_on is None:
        years = getattr(settings, "CARD_VALIDITY_YEARS", DEFAULT_CARD_VALIDITY_YEARS)
        expires_on = _add_years(issued_day, years)
    if expires_on < issued_day:
        raise ValidationFailed(
            _("The card would expire (%(e)s) before it is issued (%(i)s).")
            % {"e": expires_on.isoformat(), "i": issued_day.isoformat()},
            field="card_expires_on",
        )
    if number is not None:
        number = number.strip()
        if not number or len(number) > 32 or any(c.isspace() for c in number):
            raise ValidationFailed(
                _("A card number is 1 to 32 characters without spaces."), field="card_number"
            )
    attempts = 1 if number is not None else CARD_NUMBER_ATTEMPTS
    for _attempt in range(attempts):
        candidate = number if number is not None else _next_card_number()
        card = Card(
            reader=reader,
            number=candidate,
            issued_at=issued_at,
            issued_at_service_point=service_point,
            expires_on=expires_on,
            status=CardStatus.VALID,
            status_changed_at=issued_at,
            replaces=replaces,
        )
        try:
            with transaction.atomic():
                card.save()
            return card
        except IntegrityError as exc:
            if not Card.objects.filter(number=candidate).exists():
                raise
            if number is not None:
                raise Conflict(
                    _("Card number %(n)s is already in use.") % {"n": candidate},
                    field="card_number",
                ) from exc
    raise Conflict(_("No free card number could be found; try again."), field="card_number")


@transaction.atomic
def reader_register(
    *,
    name: str,
    category: ReaderCategory,
    home_service_point: ServicePoint,
    actor: Actor,
    birth_date: dt.date | None = None,
    id_number: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    guardian: Reader | None = None,
    guardian_name: str = "",
    guardian_phone: str = "",
    pin: str = "",
    card_number: str | None = None,
    card_expires_on: dt.date | None = None,
    issued_at: dt.datetime | None = None,
) -> Reader:
    """Registers a reader and issues the first card, together or not at all.

    The birth date is taken from the ID number when there is one (and must agree with a given
    one); a reader under 14 needs a guardian; one ID number, one reader (Conflict)."""
    _require(actor, "readers.change")
    name = name.strip()
    if not name:
        raise ValidationFailed(_("The reader's name is required."), field="name")
    id_fields, id_birth = _id_fields(id_number)
    if id_birth is not None:
        if birth_date is not None and birth_date != id_birth:
            raise ValidationFailed(
                _("The birth date %(b)s does not match the ID number (%(i)s).")
                % {"b": birth_date.isoformat(), "i": id_birth.isoformat()},
                field="birth_date",
            )
        birth_date = id_birth
    _check_id_unique(id_fields["id_number_hash"], id_fields["id_number_masked"])
    _check_email(email)
    if pin:
        _check_pin(pin)
    reader = Reader(
        name=name,
        category=category,
        birth_date=birth_date,
        phone=phone.strip(),
        email=email.strip(),
        address=address.strip(),
        home_service_point=home_service_point,
        guardian=guardian,
        guardian_name=guardian_name.strip(),
        guardian_phone=guardian_phone.strip(),
        pin_hash=make_password(pin, hasher=PIN_HASHER) if pin else "",
        **id_fields,
    )
    on = (
        timezone.localtime(issued_at).date()
        if issued_at and timezone.is_aware(issued_at)
        else _today()
    )
    if category.kind == CategoryKind.PERSON:
        _check_guardian(reader, on)
    _save_reader(reader, id_fields["id_number_masked"])
    card = _create_card(
        reader=reader,
        number=card_number,
        expires_on=card_expires_on,
        issued_at=issued_at,
        service_point=home_service_point,
    )
    audit_record(
        actor=actor,
        action="reader.registered",
        obj=reader,
        changes={
            "category": category.code,
            "home_service_point": home_service_point.code,
            "id_number": id_fields["id_number_masked"],
            "has_guardian": bool(guardian or guardian_name),
        },
    )
    audit_record(
        actor=actor,
        action="card.issued",
        obj=card,
        changes={"reader": reader, "number": card.number, "expires_on": card.expires_on},
    )
    return reader


@transaction.atomic
def reader_update(*, reader: Reader, actor: Actor, **changes: Any) -> Reader:
    """Changes the given fields (among READER_FIELDS). `id_number=""` removes the number.
    Locks the reader row. The guardian rule is checked on the result."""
    _require(actor, "readers.change")
    unknown = set(changes) - READER_FIELDS
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    reader = Reader.objects.select_for_update().get(pk=reader.pk)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if "id_number" in changes:
        id_fields, id_birth = _id_fields(changes.pop("id_number"))
        _check_id_unique(id_fields["id_number_hash"], id_fields["id_number_masked"], reader.pk)
        before["id_number"] = reader.id_number_masked
        after["id_number"] = id_fields["id_number_masked"]
        if reader.id_number_hash != id_fields["id_number_hash"]:
            for key, value in id_fields.items():
                setattr(reader, key, value)
        if id_birth is not None:
            if changes.get("birth_date") not in (None, id_birth):
                raise ValidationFailed(
                    _("The birth date does not match the ID number."), field="birth_date"
                )
            changes["birth_date"] = id_birth
    if "email" in changes:
        _check_email(changes["email"])
    if changes.get("guardian") is not None and changes["guardian"].pk == reader.pk:
        raise ValidationFailed(_("A reader cannot be their own guardian."), field="guardian")
    for key, value in changes.items():
        before[key] = getattr(reader, key)
        after[key] = value
        setattr(reader, key, value.strip() if isinstance(value, str) else value)
    if not reader.name:
        raise ValidationFailed(_("The reader's name is required."), field="name")
    if reader.category.kind == CategoryKind.PERSON:
        _check_guardian(reader, _today())
    delta = diff(before, after)
    if delta:
        _save_reader(reader, reader.id_number_masked)
        audit_record(actor=actor, action="reader.updated", obj=reader, changes=delta)
    return reader


@transaction.atomic
def reader_set_pin(*, reader: Reader, pin: str, actor: Actor) -> None:
    _require(actor, "readers.change")
    _check_pin(pin)
    Reader.objects.filter(pk=reader.pk).update(pin_hash=make_password(pin, hasher=PIN_HASHER))
    reader.refresh_from_db(fields=["pin_hash"])
    audit_record(actor=actor, action="reader.pin_set", obj=reader)


def reader_check_pin(*, reader: Reader, pin: str) -> bool:
    """True when `pin` is the reader's PIN; False when it is not or none is set."""
    if not reader.pin_hash or not pin:
        return False
    if reader.pin_hash.startswith(f"{PIN_HASHER.algorithm}$"):
        # Verified by the PIN hasher itself, whatever PASSWORD_HASHERS lists (a deployment or
        # a test may configure other hashers for staff passwords).
        return PIN_HASHER.verify(pin, reader.pin_hash)
    return check_password(pin, reader.pin_hash)


def reader_find_by_id_number(*, id_number: str) -> Reader | None:
    """The reader with this ID number, found through the look-up hash."""
    if not id_number.strip():
        return None
    return Reader.objects.filter(id_number_hash=identity.id_number_lookup_hash(id_number)).first()


@transaction.atomic
def card_issue(
    *,
    reader: Reader,
    actor: Actor,
    number: str | None = None,
    expires_on: dt.date | None = None,
    issued_at: dt.datetime | None = None,
    service_point: ServicePoint | None = None,
) -> Card:
    """A new card for a reader who has no usable card (a replacement uses card_replace).
    Locks the reader row so that two desks cannot both issue one."""
    _require(actor, "readers.change")
    Reader.objects.select_for_update().filter(pk=reader.pk).first()
    if reader.cards.filter(status__in=[CardStatus.VALID, CardStatus.SUSPENDED]).exists():
        raise Conflict(_("This reader already has a card; replace it instead."), field="reader")
    card = _create_card(
        reader=reader,
        number=number,
        expires_on=expires_on,
        issued_at=issued_at,
        service_point=service_point or reader.home_service_point,
    )
    audit_record(
        actor=actor,
        action="card.issued",
        obj=card,
        changes={"reader": reader, "number": card.number, "expires_on": card.expires_on},
    )
    return card


@transaction.atomic
def card_replace(
    *,
    card: Card,
    actor: Actor,
    reason: str,
    new_number: str | None = None,
    old_status: str = CardStatus.LOST,
    service_point: ServicePoint | None = None,
) -> Card:
    """Replaces `card` (lost, damaged...): the old card becomes `old_status` (lost or
    cancelled), the new one has `replaces` set and the same expiry. Loans, holds and history
    stay on the reader; statistics do not count a replacement as a new card. Locks the old
    card."""
    _require(actor, "readers.change")
    if old_status not in (CardStatus.LOST, CardStatus.CANCELLED):
        raise ValidationFailed(_("A replaced card becomes lost or cancelled."), field="old_status")
    old = Card.objects.select_for_update().select_related("reader").get(pk=card.pk)
    if (
        old.status in (CardStatus.CANCELLED, CardStatus.SUSPENDED)
        or Card.objects.filter(replaces=old).exists()
    ):
        raise InvalidTransition(
            _("Card %(n)s (%(s)s) cannot be replaced.")
            % {"n": old.number, "s": old.get_status_display()},
            status=old.status,
        )
    now = timezone.now()
    if old.status != old_status:
        before = old.status
        old.status = old_status
        old.status_changed_at = now
        old.save(update_fields=["status", "status_changed_at", "updated_at"])
        audit_record(
            actor=actor,
            action="card.status_changed",
            obj=old,
            changes={"status": [before, old_status], "reason": reason},
        )
    new = _create_card(
        reader=old.reader,
        number=new_number,
        expires_on=max(old.expires_on, _today()),
        issued_at=now,
        service_point=service_point or old.issued_at_service_point,
        replaces=old,
    )
    audit_record(
        actor=actor,
        action="card.replaced",
        obj=new,
        changes={
            "reader": old.reader,
            "replaces": old.number,
            "number": new.number,
            "reason": reason,
        },
    )
    card.refresh_from_db()
    return new


@transaction.atomic
def card_set_status(*, card: Card, status: str, actor: Actor, reason: str) -> Card:
    """Moves a card along CARD_TRANSITIONS. Locks the card."""
    _require(actor, "readers.change")
    locked = Card.objects.select_for_update().get(pk=card.pk)
    if status not in CARD_TRANSITIONS.get(locked.status, frozenset()):
        raise InvalidTransition(
            _("A card cannot go from %(a)s to %(b)s.")
            % {
                "a": locked.get_status_display(),
                "b": CardStatus(status).label if status in CardStatus.values else status,
            },
            status=locked.status,
            requested=status,
        )
    if status == CardStatus.VALID and locked.expires_on < _today():
        raise InvalidTransition(_("The card has expired; renew it instead."), status=locked.status)
    before = locked.status
    locked.status = status
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="card.status_changed",
        obj=locked,
        changes={"status": [before, status], "reason": reason},
    )
    card.refresh_from_db()
    return locked


EXPIRY_BATCH = 1000


def cards_expire_due(*, actor: Actor, today: dt.date | None = None) -> int:
    """Valid cards whose expiry date has passed (before `today`) become expired, one audit
    event `card.status_changed` per card, as `card_set_status` writes it. Idempotent: only
    cards still valid are selected. Works in batches of EXPIRY_BATCH, each in its own
    transaction, locking the batch's card rows (rows locked by a desk are skipped and taken at
    the next run). Returns how many cards expired."""
    _require(actor, "readers.change")
    assert CardStatus.EXPIRED in CARD_TRANSITIONS[CardStatus.VALID]
    today = today or _today()
    expired = 0
    while True:
        with transaction.atomic():
            due = list(
                Card.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=CardStatus.VALID, expires_on__lt=today)
                .order_by("pk")
                .values_list(
                    "pk", "number", "expires_on", "reader__home_service_point__library_id"
                )[:EXPIRY_BATCH]
            )
            if not due:
                return expired
            now = timezone.now()
            changed = Card.objects.filter(
                pk__in=[pk for pk, *_rest in due], status=CardStatus.VALID
            ).update(status=CardStatus.EXPIRED, status_changed_at=now, updated_at=now)
            assert changed == len(due)  # the rows are locked: nobody changed them meanwhile
            audit_bulk(
                [
                    AuditEvent(
                        at=now,
                        actor=actor.user if getattr(actor.user, "pk", None) else None,
                        actor_label=actor.name[:150],
                        channel=actor.channel,
                        action="card.status_changed",
                        object_type=Card._meta.label_lower,
                        object_id=str(pk),
                        object_repr=number,
                        library_id=library_id,
                        changes={
                            "status": [CardStatus.VALID.value, CardStatus.EXPIRED.value],
                            "reason": f"expired on {expires_on.isoformat()}",
                        },
                    )
                    for pk, number, expires_on, library_id in due
                ]
            )
            expired += len(due)


@transaction.atomic
def card_renew(*, card: Card, expires_on: dt.date, actor: Actor) -> Card:
    """Sets a new expiry date (today or later); an expired card becomes valid again. Lost,
    suspended and cancelled cards cannot be renewed. Locks the card."""
    _require(actor, "readers.change")
    locked = Card.objects.select_for_update().get(pk=card.pk)
    if locked.status not in (CardStatus.VALID, CardStatus.EXPIRED):
        raise InvalidTransition(
            _("A %(s)s card cannot be renewed.") % {"s": locked.get_status_display()},
            status=locked.status,
        )
    if expires_on < _today():
        raise ValidationFailed(_("The new expiry date is in the past."), field="expires_on")
    changes: dict[str, Any] = {"expires_on": [locked.expires_on, expires_on]}
    locked.expires_on = expires_on
    if locked.status == CardStatus.EXPIRED:
        changes["status"] = [locked.status, CardStatus.VALID]
        locked.status = CardStatus.VALID
        locked.status_changed_at = timezone.now()
    locked.save(update_fields=["expires_on", "status", "status_changed_at", "updated_at"])
    audit_record(actor=actor, action="card.renewed", obj=locked, changes=changes)
    card.refresh_from_db()
    return locked


@transaction.atomic
def consent_set(*, reader: Reader, kind: str, granted: bool, actor: Actor) -> Consent:
    """Records a consent given or withdrawn (a row per change; the latest is in force).
    `Reader.keep_loan_history` mirrors the KEEP_LOAN_HISTORY consent."""
    _require(actor, "readers.change")
    if kind not in ConsentKind.values:
        raise ValidationFailed(_("Unknown consent: %(k)s") % {"k": kind}, field="kind")
    consent = Consent.objects.create(reader=reader, kind=kind, granted=granted, at=timezone.now())
    if kind == ConsentKind.KEEP_LOAN_HISTORY:
        Reader.objects.filter(pk=reader.pk).update(keep_loan_history=granted)
        reader.keep_loan_history = granted
    audit_record(
        actor=actor,
        action="reader.consent_set",
        obj=reader,
        changes={"kind": kind, "granted": granted},
    )
    return consent


CATEGORY_FIELDS = frozenset({"name", "name_en", "kind", "juvenile"})
CATEGORY_CODE_MAX = 32
CATEGORY_NAME_MAX = 100


def _category_code(code: str) -> str:
    code = code.strip()
    if not code or len(code) > CATEGORY_CODE_MAX or any(c.isspace() for c in code):
        raise ValidationFailed(
            _("A category code is 1 to %(n)d characters without spaces.")
            % {"n": CATEGORY_CODE_MAX},
            field="code",
        )
    return code


def _category_name(name: str, field: str, required: bool) -> str:
    name = name.strip()
    if required and not name:
        raise ValidationFailed(_("The category's name is required."), field=field)
    if len(name) > CATEGORY_NAME_MAX:
        raise ValidationFailed(
            _("A name is at most %(n)d characters.") % {"n": CATEGORY_NAME_MAX}, field=field
        )
    return name


def _category_kind(kind: str) -> str:
    if kind not in CategoryKind.values:
        raise ValidationFailed(_("Unknown category kind: %(k)s") % {"k": kind}, field="kind")
    return kind


@transaction.atomic
def reader_category_create(
    *,
    code: str,
    name: str,
    actor: Actor,
    name_en: str = "",
    kind: str = CategoryKind.PERSON,
    juvenile: bool = False,
) -> ReaderCategory:
    """Creates a reader category (shared by the whole network). The code is its identity:
    unique (Conflict, enforced by the database) and never changed afterwards."""
    _require(actor, "readers.change")
    code = _category_code(code)
    category = ReaderCategory(
        code=code,
        name=_category_name(name, "name", required=True),
        name_en=_category_name(name_en, "name_en", required=False),
        kind=_category_kind(kind),
        juvenile=juvenile,
    )
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError as exc:
        raise Conflict(
            _("The category code %(code)s is already in use.") % {"code": code}, field="code"
        ) from exc
    audit_record(
        actor=actor,
        action="reader_category.created",
        obj=category,
        changes={"code": code, "name": category.name, "kind": kind, "juvenile": juvenile},
    )
    return category


@transaction.atomic
def reader_category_update(
    *, category: ReaderCategory, actor: Actor, **changes: Any
) -> ReaderCategory:
    """Changes the given fields (among CATEGORY_FIELDS; the code cannot change). Locks the
    category row. Writes no audit event when nothing changes."""
    _require(actor, "readers.change")
    unknown = set(changes) - CATEGORY_FIELDS
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "name" in changes:
        changes["name"] = _category_name(changes["name"], "name", required=True)
    if "name_en" in changes:
        changes["name_en"] = _category_name(changes["name_en"], "name_en", required=False)
    if "kind" in changes:
        changes["kind"] = _category_kind(changes["kind"])
    locked = ReaderCategory.objects.select_for_update().get(pk=category.pk)
    before = {key: getattr(locked, key) for key in changes}
    delta = diff(before, changes)
    if delta:
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.save()
        audit_record(actor=actor, action="reader_category.updated", obj=locked, changes=delta)
    category.refresh_from_db()
    return locked


def reader_personal_data_viewed(*, reader: Reader, actor: Actor, purpose: str) -> None:
    """Staff pages call this when they show a reader's personal data (unmasked ID number,
    address, phone...). Writes the audit event `reader.personal_data_viewed`."""
    _require(actor, "readers.view_personal")
    audit_record(
        actor=actor,
        action="reader.personal_data_viewed",
        obj=reader,
        object_repr=identity.mask_name(reader.name),
        changes={"purpose": purpose},
    )
