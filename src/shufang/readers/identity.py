"""National ID numbers (身份证号) and other personal data, as pure functions.

An ID number is validated (GB 11643-1999: 18 characters, birth date in positions 7-14, ISO
7064 MOD 11-2 check character, upper-case X), then stored three ways and never in clear:
encrypted with Fernet (MultiFernet: the first key encrypts, every key decrypts, for rotation),
hashed with a keyed HMAC-SHA256 for exact look-up, and masked for screens."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.core.exceptions import ValidationFailed

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def id_check_character(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def validate_id_number(value: str) -> str:
    """The ID number normalised (spaces removed, upper-case X), or ValidationFailed."""
    number = "".join(str(value).split()).upper()
    if len(number) != 18:
        raise ValidationFailed(
            _("An ID number has 18 characters; this one has %(n)d.") % {"n": len(number)},
            field="id_number",
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationFailed(
            _("An ID number is 17 digits followed by a digit or X."), field="id_number"
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationFailed(
            _("The birth date in the ID number (%(d)s) is not a real date.") % {"d": number[6:14]},
            field="id_number",
        ) from None
    if birth.year < 1880 or birth > timezone.localdate():
        raise ValidationFailed(
            _("The birth date in the ID number (%(d)s) is not plausible.") % {"d": number[6:14]},
            field="id_number",
        )
    expected = id_check_character(number[:17])
    if number[17] != expected:
        raise ValidationFailed(
            _(
                "The ID number's check character is wrong (expected %(c)s): check for a typing error."
            )
            % {"c": expected},
            field="id_number",
        )
    return number


def birth_date_from_id_number(value: str) -> dt.date:
    number = validate_id_number(value)
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"shufang:{purpose}:{settings.SECRET_KEY}".encode()).digest()


@lru_cache(maxsize=8)
def _fernet(keys: str, secret_key: str) -> MultiFernet:
    if keys.strip():
        fernets = [Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()]
    else:
        # Demo and tests only: `check --deploy` should insist on real keys.
        fernets = [Fernet(base64.urlsafe_b64encode(_derived("id-encryption")))]
    return MultiFernet(fernets)


def _cipher() -> MultiFernet:
    return _fernet(settings.ID_ENCRYPTION_KEYS, settings.SECRET_KEY)


def encrypt_id_number(value: str) -> str:
    """Encrypts a validated ID number; the token is ASCII text."""
    return _cipher().encrypt(value.encode()).decode("ascii")


def decrypt_id_number(token: str) -> str:
    try:
        return _cipher().decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise ValidationFailed(
            _("The stored ID number cannot be decrypted with the configured keys.")
        ) from None


def reencrypt_id_number(token: str) -> str:
    """The token re-encrypted with the newest key (for key rotation)."""
    return _cipher().rotate(token.encode("ascii")).decode("ascii")


def id_number_lookup_hash(value: str) -> str:
    """Keyed HMAC-SHA256 (hex) of the normalised number: equal numbers, equal hashes."""
    key = settings.ID_HASH_KEY.encode() if settings.ID_HASH_KEY else _derived("id-hash")
    number = "".join(str(value).split()).upper()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """First four and last four characters visible: 5301**********1234."""
    number = "".join(str(value).split()).upper()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_name(name: str) -> str:
    """张博涵 -> 张*涵, 王锋 -> 王*, 欧阳娜娜 -> 欧**娜; a one-character name is kept."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


AGE_BANDS = ("0-6", "7-13", "14-17", "18-59", "60+", "unknown")


def age_on(birth_date: dt.date, on: dt.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def age_band(birth_date: dt.date | None, on: dt.date) -> str:
    """The statistics age band of someone born on `birth_date`, on day `on`."""
    if birth_date is None or birth_date > on:
        return "unknown"
    age = age_on(birth_date, on)
    if age <= 6:
        return "0-6"
    if age <= 13:
        return "7-13"
    if age <= 17:
        return "14-17"
    if age <= 59:
        return "18-59"
    return "60+"
