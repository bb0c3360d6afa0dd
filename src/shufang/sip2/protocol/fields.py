"""Value types of SIP2 fields and the small codecs ("kinds") that read and write them.

A kind turns the text of one field into a Python value and back. Fixed kinds have a width;
variable kinds have none. Decoding raises `ValueError` on unreadable text; the message codec
turns that into `BadField` with the field's name.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from enum import Enum, IntEnum, StrEnum
from typing import Any, ClassVar, Generic, Self, TypeVar

T = TypeVar("T")

# --------------------------------------------------------------------------- value types


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Flags:
    """Fixed positions of 'Y' (set) or anything else (not set), one per named flag."""

    set_char: ClassVar[str] = "Y"
    unset_char: ClassVar[str] = " "

    @classmethod
    def from_wire(cls, text: str) -> Self:
        names = [f.name for f in dataclasses.fields(cls)]
        text = text.ljust(len(names))
        return cls(**{name: text[i] in "Yy" for i, name in enumerate(names)})

    def to_wire(self) -> str:
        return "".join(
            self.set_char if getattr(self, f.name) else self.unset_char
            for f in dataclasses.fields(self)
        )

    @classmethod
    def width(cls) -> int:
        return len(dataclasses.fields(cls))


@dataclasses.dataclass(frozen=True, kw_only=True)
class PatronStatus(_Flags):
    """The 14 patron status positions of 24, 26 and 64 (Y = the condition holds)."""

    charge_privileges_denied: bool = False
    renewal_privileges_denied: bool = False
    recall_privileges_denied: bool = False
    hold_privileges_denied: bool = False
    card_reported_lost: bool = False
    too_many_items_charged: bool = False
    too_many_items_overdue: bool = False
    too_many_renewals: bool = False
    too_many_claims_of_items_returned: bool = False
    too_many_items_lost: bool = False
    excessive_outstanding_fines: bool = False
    excessive_outstanding_fees: bool = False
    recall_overdue: bool = False
    too_many_items_billed: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class SupportedMessages(_Flags):
    """The 16 positions of BX in 98: which requests the ACS answers (Y) or not (N)."""

    unset_char: ClassVar[str] = "N"

    patron_status_request: bool = False
    checkout: bool = False
    checkin: bool = False
    block_patron: bool = False
    sc_acs_status: bool = False
    request_sc_acs_resend: bool = False
    login: bool = False
    patron_information: bool = False
    end_patron_session: bool = False
    fee_paid: bool = False
    item_information: bool = False
    item_status_update: bool = False
    patron_enable: bool = False
    hold: bool = False
    renew: bool = False
    renew_all: bool = False

    @classmethod
    def all(cls) -> SupportedMessages:
        return cls(**{f.name: True for f in dataclasses.fields(cls)})


class Summary(IntEnum):
    """Which list a 63 asks for: the position of the single 'Y' in its 10-position summary."""

    HOLD_ITEMS = 0
    OVERDUE_ITEMS = 1
    CHARGED_ITEMS = 2
    FINE_ITEMS = 3
    RECALL_ITEMS = 4
    UNAVAILABLE_HOLDS = 5


class Language(IntEnum):
    """SIP2 language codes (3 digits). Unknown codes are kept as plain ints."""

    UNKNOWN = 0
    ENGLISH = 1
    FRENCH = 2
    GERMAN = 3
    ITALIAN = 4
    DUTCH = 5
    SWEDISH = 6
    FINNISH = 7
    SPANISH = 8
    DANISH = 9
    PORTUGUESE = 10
    CANADIAN_FRENCH = 11
    NORWEGIAN = 12
    HEBREW = 13
    JAPANESE = 14
    RUSSIAN = 15
    ARABIC = 16
    POLISH = 17
    GREEK = 18
    CHINESE = 19
    KOREAN = 20
    NORTH_AMERICAN_SPANISH = 21
    TAMIL = 22
    MALAY = 23
    UNITED_KINGDOM = 24
    ICELANDIC = 25
    BELGIAN = 26
    TAIWANESE = 27


class CirculationStatus(IntEnum):
    OTHER = 1
    ON_ORDER = 2
    AVAILABLE = 3
    CHARGED = 4
    CHARGED_NOT_RECALLABLE = 5
    IN_PROCESS = 6
    RECALLED = 7
    WAITING_ON_HOLD_SHELF = 8
    WAITING_TO_BE_RESHELVED = 9
    IN_TRANSIT = 10
    CLAIMED_RETURNED = 11
    LOST = 12
    MISSING = 13


class FeeType(IntEnum):
    OTHER = 1
    ADMINISTRATIVE = 2
    DAMAGE = 3
    OVERDUE = 4
    PROCESSING = 5
    RENTAL = 6
    REPLACEMENT = 7
    COMPUTER_ACCESS = 8
    HOLD_FEE = 9


class PaymentType(IntEnum):
    CASH = 0
    VISA = 1
    CREDIT_CARD = 2


class SecurityMarker(IntEnum):
    OTHER = 0
    NONE = 1
    TATTLE_TAPE = 2
    WHISPER_TAPE = 3


class MediaType(IntEnum):
    OTHER = 0
    BOOK = 1
    MAGAZINE = 2
    BOUND_JOURNAL = 3
    AUDIO_TAPE = 4
    VIDEO_TAPE = 5
    CD_CDROM = 6
    DISKETTE = 7
    BOOK_WITH_DISKETTE = 8
    BOOK_WITH_CD = 9
    BOOK_WITH_AUDIO_TAPE = 10


class StatusCode(IntEnum):
    """The SC's state in 99."""

    OK = 0
    PRINTER_OUT_OF_PAPER = 1
    ABOUT_TO_SHUT_DOWN = 2


class HoldMode(StrEnum):
    ADD = "+"
    DELETE = "-"
    CHANGE = "*"


class HoldType(IntEnum):
    OTHER = 1
    ANY_COPY_OF_TITLE = 2
    SPECIFIC_COPY = 3
    ANY_COPY_AT_BRANCH = 4


class AlertType(StrEnum):
    """CV in 10 (an extension used by 3M, Koha and Evergreen sorters). Kept as text on the
    message so unknown values pass through; these are the usual ones."""

    UNKNOWN = "00"
    HOLD_LOCAL = "01"
    HOLD_OTHER_LOCATION = "02"
    HOLD_ILL = "03"
    TRANSIT = "04"
    OTHER = "99"


# --------------------------------------------------------------------------- kinds


class Kind(Generic[T]):
    """Reads and writes one field. `width` is None for variable (|-terminated) fields."""

    width: int | None = None

    def decode(self, text: str) -> T:
        raise NotImplementedError

    def encode(self, value: T) -> str:
        raise NotImplementedError


class Text(Kind[str]):
    def __init__(self, width: int | None = None) -> None:
        self.width = width

    def decode(self, text: str) -> str:
        return text

    def encode(self, value: str) -> str:
        if self.width is None:
            return value
        return value[: self.width].ljust(self.width)


class Flag(Kind[bool]):
    """Y/N. Anything but Y (any case) reads as N: harmless, and forgiving of sloppy clients."""

    def __init__(self, width: int | None = 1) -> None:
        self.width = width

    def decode(self, text: str) -> bool:
        return text.strip() in ("Y", "y")

    def encode(self, value: bool) -> str:
        return "Y" if value else "N"


class Ok(Kind[bool]):
    """1/0 ("ok" in responses). Y is read as 1 too."""

    width = 1

    def decode(self, text: str) -> bool:
        return text in ("1", "Y", "y")

    def encode(self, value: bool) -> str:
        return "1" if value else "0"


class FlagUnknown(Kind[bool | None]):
    """Y/N/U, U (or anything else) meaning unknown -> None."""

    width = 1

    def decode(self, text: str) -> bool | None:
        if text in ("Y", "y"):
            return True
        if text in ("N", "n"):
            return False
        return None

    def encode(self, value: bool | None) -> str:
        return "U" if value is None else ("Y" if value else "N")


class Number(Kind[int | None]):
    """Zero-padded decimal. Blank means None; values too large for the width are capped.
    Variable numbers are padded to `pad` digits (e.g. 4 for the BZ/CA/CB limits)."""

    def __init__(self, width: int | None, *, pad: int = 1) -> None:
        self.width = width
        self.pad = pad

    def decode(self, text: str) -> int | None:
        stripped = text.strip()
        if not stripped:
            return None
        if not stripped.isascii() or not stripped.isdigit():
            raise ValueError(f"not a number: {text!r}")
        return int(stripped)

    def encode(self, value: int | None) -> str:
        if self.width is None:
            return "" if value is None else str(max(value, 0)).zfill(self.pad)
        if value is None:
            return " " * self.width
        value = min(max(value, 0), 10**self.width - 1)
        return str(value).zfill(self.width)


class Coded(Kind[Any]):
    """A numeric or character code read into an enum (e.g. circulation status 01-13)."""

    def __init__(self, enum: type[Enum], width: int | None, *, digits: int = 2) -> None:
        self.enum = enum
        self.width = width
        self.digits = width or digits

    def decode(self, text: str) -> Any:
        stripped = text.strip()
        if issubclass(self.enum, IntEnum):
            if not stripped.isascii() or not stripped.isdigit():
                raise ValueError(f"not a code of {self.enum.__name__}: {text!r}")
            return self.enum(int(stripped))
        return self.enum(stripped)

    def encode(self, value: Any) -> str:
        if isinstance(value, IntEnum):
            return str(int(value)).zfill(self.digits)
        return str(value.value)


class LanguageKind(Kind[int]):
    """3-digit language; known codes become `Language`, others stay ints; blank is unknown."""

    width = 3

    def decode(self, text: str) -> int:
        stripped = text.strip()
        if not stripped:
            return Language.UNKNOWN
        if not stripped.isascii() or not stripped.isdigit():
            raise ValueError(f"not a language code: {text!r}")
        number = int(stripped)
        try:
            return Language(number)
        except ValueError:
            return number

    def encode(self, value: int) -> str:
        return str(min(max(int(value), 0), 999)).zfill(3)


class FlagsKind(Kind[Any]):
    def __init__(self, cls: type[_Flags]) -> None:
        self.cls = cls
        self.width_of_flags = cls.width()

    def decode(self, text: str) -> Any:
        return self.cls.from_wire(text)

    def encode(self, value: Any) -> str:
        return value.to_wire()


class FixedFlags(FlagsKind):
    def __init__(self, cls: type[_Flags]) -> None:
        super().__init__(cls)
        self.width = self.width_of_flags


class SummaryKind(Kind[Summary | None]):
    """10 positions with at most one Y; the first Y in positions 0-5 wins, none -> None."""

    width = 10

    def decode(self, text: str) -> Summary | None:
        for i, char in enumerate(text[:6]):
            if char in "Yy":
                return Summary(i)
        return None

    def encode(self, value: Summary | None) -> str:
        positions = [" "] * 10
        if value is not None:
            positions[int(value)] = "Y"
        return "".join(positions)


class Date(Kind[datetime | None]):
    """18-character `YYYYMMDDZZZZHHMMSS`.

    A blank zone means local time and reads as a naive datetime; `Z`, `UTC` or `GMT` read as
    an aware UTC datetime; any other zone name (devices write e.g. `CST`) is read as local,
    because its meaning is ambiguous. 18 blanks (or all zero digits) mean None. Aware values
    are written in UTC with zone `   Z`.
    """

    def __init__(self, width: int | None = 18) -> None:
        self.width = width

    def decode(self, text: str) -> datetime | None:
        if not text.strip() or (text.replace(" ", "").strip("0") == "" and len(text) == 18):
            return None
        if len(text) != 18:
            raise ValueError(f"a date has 18 characters, not {len(text)}: {text!r}")
        digits = text[:8] + text[12:]
        if not digits.isascii() or not digits.isdigit():
            raise ValueError(f"not a date: {text!r}")
        zone = text[8:12].strip().upper()
        moment = datetime.strptime(digits, "%Y%m%d%H%M%S")  # noqa: DTZ007 - zone handled below
        if zone in ("Z", "UTC", "GMT"):
            return moment.replace(tzinfo=UTC)
        return moment

    def encode(self, value: datetime | None) -> str:
        if value is None:
            return " " * 18
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
            zone = "   Z"
        else:
            zone = "    "
        return f"{value.year:04d}{value.month:02d}{value.day:02d}{zone}{value:%H%M%S}"
