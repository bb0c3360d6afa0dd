"""Every SIP2 2.00 message as a frozen dataclass, and `LAYOUTS`: the wire layout of each,
keyed by its two-digit code.

A layout lists the fixed fields (in order, with their widths), the variable fields the
standard calls required, and the optional ones. Required fields are always written, empty if
None. On reading, a missing required field is an error only when it is *essential* (nothing
sensible can be done without it, e.g. the item id of a checkout); otherwise it reads as None,
because real clients omit such fields (a patron status request without AD).

Fields the layout does not know are kept, in order, in `extra` as (code, value) pairs and
otherwise ignored. `frame` says how the message arrived (sequence number, checksum,
terminator); it takes no part in equality.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import ClassVar, NamedTuple

from .fields import (
    CirculationStatus,
    Coded,
    Date,
    FeeType,
    FixedFlags,
    Flag,
    FlagsKind,
    FlagUnknown,
    HoldMode,
    HoldType,
    Kind,
    Language,
    LanguageKind,
    MediaType,
    Number,
    Ok,
    PatronStatus,
    PaymentType,
    SecurityMarker,
    StatusCode,
    Summary,
    SummaryKind,
    SupportedMessages,
    Text,
)


@dataclasses.dataclass(frozen=True)
class FrameInfo:
    """How a decoded message arrived: answer in the same style."""

    seq: int | None = None
    checksum: bool = False
    terminator: bytes = b"\r"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Message:
    code: ClassVar[str]

    extra: tuple[tuple[str, str], ...] = ()
    frame: FrameInfo | None = dataclasses.field(default=None, compare=False, repr=False)


class Request(Message):
    pass


class Response(Message):
    pass


Lines = tuple[str, ...]

# =========================================================================== requests


@dataclasses.dataclass(frozen=True, kw_only=True)
class Login(Request):
    code = "93"
    uid_algorithm: str = "0"
    pwd_algorithm: str = "0"
    login_user_id: str
    login_password: str
    location_code: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class SCStatus(Request):
    code = "99"
    status_code: StatusCode = StatusCode.OK
    max_print_width: int | None = 80
    protocol_version: str = "2.00"


@dataclasses.dataclass(frozen=True, kw_only=True)
class PatronInformation(Request):
    code = "63"
    language: int = Language.UNKNOWN
    transaction_date: datetime | None
    summary: Summary | None = None
    institution_id: str | None
    patron_id: str
    terminal_password: str | None = None
    patron_password: str | None = None
    start_item: int | None = None
    end_item: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class PatronStatusRequest(Request):
    code = "23"
    language: int = Language.UNKNOWN
    transaction_date: datetime | None
    institution_id: str | None
    patron_id: str
    terminal_password: str | None
    patron_password: str | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Checkout(Request):
    code = "11"
    sc_renewal_policy: bool = False
    no_block: bool = False
    transaction_date: datetime | None
    nb_due_date: datetime | None = None
    institution_id: str | None
    patron_id: str
    item_id: str
    terminal_password: str | None
    item_properties: str | None = None
    patron_password: str | None = None
    fee_acknowledged: bool | None = None
    cancel: bool | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Checkin(Request):
    code = "09"
    no_block: bool = False
    transaction_date: datetime | None
    return_date: datetime | None
    current_location: str | None
    institution_id: str | None
    item_id: str
    terminal_password: str | None
    item_properties: str | None = None
    cancel: bool | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Renew(Request):
    code = "29"
    third_party_allowed: bool = False
    no_block: bool = False
    transaction_date: datetime | None
    nb_due_date: datetime | None = None
    institution_id: str | None
    patron_id: str
    patron_password: str | None = None
    item_id: str | None = None
    title: str | None = None
    terminal_password: str | None = None
    item_properties: str | None = None
    fee_acknowledged: bool | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class RenewAll(Request):
    code = "65"
    transaction_date: datetime | None
    institution_id: str | None
    patron_id: str
    patron_password: str | None = None
    terminal_password: str | None = None
    fee_acknowledged: bool | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ItemInformation(Request):
    code = "17"
    transaction_date: datetime | None
    institution_id: str | None
    item_id: str
    terminal_password: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ItemStatusUpdate(Request):
    code = "19"
    transaction_date: datetime | None
    institution_id: str | None
    item_id: str
    terminal_password: str | None = None
    item_properties: str | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Hold(Request):
    code = "15"
    hold_mode: HoldMode
    transaction_date: datetime | None
    expiration_date: datetime | None = None
    pickup_location: str | None = None
    hold_type: HoldType | None = None
    institution_id: str | None
    patron_id: str
    patron_password: str | None = None
    item_id: str | None = None
    title: str | None = None
    terminal_password: str | None = None
    fee_acknowledged: bool | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class FeePaid(Request):
    code = "37"
    transaction_date: datetime | None
    fee_type: FeeType
    payment_type: PaymentType
    currency: str
    fee_amount: str
    institution_id: str | None
    patron_id: str
    terminal_password: str | None = None
    patron_password: str | None = None
    fee_id: str | None = None
    transaction_id: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class EndPatronSession(Request):
    code = "35"
    transaction_date: datetime | None
    institution_id: str | None
    patron_id: str
    terminal_password: str | None = None
    patron_password: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class PatronEnable(Request):
    code = "25"
    transaction_date: datetime | None
    institution_id: str | None
    patron_id: str
    terminal_password: str | None = None
    patron_password: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class BlockPatron(Request):
    code = "01"
    card_retained: bool = False
    transaction_date: datetime | None
    institution_id: str | None
    blocked_card_message: str | None
    patron_id: str
    terminal_password: str | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class RequestACSResend(Request):
    code = "97"


# =========================================================================== responses


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoginResponse(Response):
    code = "94"
    ok: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class ACSStatus(Response):
    code = "98"
    online_status: bool = True
    checkin_ok: bool = True
    checkout_ok: bool = True
    acs_renewal_policy: bool = True
    status_update_ok: bool = False
    offline_ok: bool = True
    timeout_period: int | None = 30
    retries_allowed: int | None = 3
    date_time_sync: datetime | None
    protocol_version: str = "2.00"
    institution_id: str | None
    library_name: str | None = None
    supported_messages: SupportedMessages
    terminal_location: str | None = None
    screen_message: Lines = ()
    print_line: Lines = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class PatronInformationResponse(Response):
    code = "64"
    patron_status: PatronStatus = PatronStatus()
    language: int = Language.UNKNOWN
    transaction_date: datetime | None
    hold_items_count: int | None = 0
    overdue_items_count: int | None = 0
    charged_items_count: int | None = 0
    fine_items_count: int | None = 0
    recall_items_count: int | None = 0
    unavailable_holds_count: int | None = 0
    institution_id: str | None
    patron_id: str
    personal_name: str | None
    hold_items_limit: int | None = None
    overdue_items_limit: int | None = None
    charged_items_limit: int | None = None
    valid_patron: bool | None = None
    valid_patron_password: bool | None = None
    currency: str | None = None
    fee_amount: str | None = None
    fee_limit: str | None = None
    hold_items: Lines = ()
    overdue_items: Lines = ()
    charged_items: Lines = ()
    fine_items: Lines = ()
    recall_items: Lines = ()
    unavailable_hold_items: Lines = ()
    home_address: str | None = None
    email_address: str | None = None
    home_phone_number: str | None = None
    screen_message: Lines = ()
    print_line: Lines = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class PatronStatusResponse(Response):
    """24: the answer to 23 and to 01 (block patron)."""

    code = "24"
    patron_status: PatronStatus = PatronStatus()
    language: int = Language.UNKNOWN
    transaction_date: datetime | None
    institution_id: str | None
    patron_id: str
    personal_name: str | None
    valid_patron: bool | None = None
    valid_patron_password: bool | None = None
    currency: str | None = None
    fee_amount: str | None = None
    screen_message: Lines = ()
    print_line: Lines = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class CheckoutResponse(Response):
    code = "12"
    ok: bool
    renewal_ok: bool = False
    magnetic_media: bool | None = None
    desensitize: bool | None = None
    transaction_date: datetime | None
    institution_id: str | None
    patron_id: str
    item_id: str
    title: str | None
    due_date: str | None
    fee_type: FeeType | None = None
    security_inhibit: bool | None = None
    currency: str | None = None
    fee_amount: str | None = None
    media_type: MediaType | None = None
    item_properties: str | None = None
    transaction_id: str | None = None
    screen_message: Lines = ()
    print_line: Lines = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class CheckinResponse(Response):
    """10. Sorters read AQ/CL/CT/CV to decide where a returned item goes: the sort bin (CL),
    the destination library when it travels (CT), and why (CV alert type, with `alert`)."""

    code = "10"
    ok: bool
    resensitize: bool = False
    magnetic_media: bool | None = None
    alert: bool = False
    transaction_date: datetime | None
    institution_id: str | None
    item_id: str
    permanent_location: str | None
    title: str | None = None
    sort_bin: str | None = None
    patron_id: str | None = None
    media_type: MediaType | None = None
    item_properties: str | None = None
    destination: str | None = None
    alert_type: str | None = None
    hold_patron_id: str | None = None
    hold_patron_name: str | None = None
    screen_message: Lines = ()
    print_line: Lines = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class RenewResponse(Response):
    code = "30"
    ok: bool
    renewal_ok: bool = False
    magnetic_media: bool | None = None
    desensitize: bool | None = None
    transaction_date: datetime | None
    institution_id: str | None
    patron_id: str
    item_id: str
    title: str | None
    due_date: str | None
    fee_type: FeeType | None = None
    security_inhibit: bool | None = None
    currency: str | None = None
    fee_amount: str | None = None
    media_type: MediaType | None = None
    item_properties: str | None = None
    transaction_id: str | None = None
    screen_message: Lines = ()
    print_line: Lines = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class RenewAllResponse(Response):
    code = "66"
    ok: bool
    renewed_count: int | None = 0
    unrenewed_count: int | None = 0
    transaction_date: datetime | None
    institution_id: str | None
    renewed_items: Lines = ()
    unrenewed_items: Lines = ()
    screen_message: Lines = ()
    print_line: Lines = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class ItemInformationResponse(Response):
    code = "18"
    circulation_status: CirculationStatus
    security_marker: SecurityMarker = SecurityMarker.TATTLE_TAPE
    fee_type: FeeType = FeeType.OTHER
    transaction_date: datetime | None
    hold_queue_length: int | None = None
    due_date: str | None = None
    recall_date: datetime | None = None
    hold_pickup_date: datetime | None = None
    item_id: str
    title: str | None
    owner: str | None = None
    currency: str | None = None
    fee_amount: str | None = None
    media_type: MediaType | None = None
    permanent_location: str | None = None
    current_location: str | None = None
    item_properties: str | None = None
    screen_message: Lines = ()
    print_line: Lines = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class ItemStatusUpdateResponse(Response):
    code = "20"
    item_properties_ok: bool
    transaction_date: datetime | None
    item_id: str
    title: str | None = None
    item_properties: str | None = None
    screen_message: Lines = ()
    print_line: Lines = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class HoldResponse(Response):
    code = "16"
    ok: bool
    available: bool = False
    transaction_date: datetime | None
    expiration_date: datetime | None = None
    queue_position: int | None = None
    pickup_location: str | None = None
    institution_id: str | None
    patron_id: str
    item_id: str | None = None
    title: str | None = None
    screen_message: Lines = ()
    print_line: Lines = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class FeePaidResponse(Response):
    code = "38"
    payment_accepted: bool
    transaction_date: datetime | None
    institution_id: str | None
    patron_id: str
    transaction_id: str | None = None
    screen_message: Lines = ()
    print_line: Lines = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class EndSessionResponse(Response):
    code = "36"
    end_session: bool
    transaction_date: datetime | None
    institution_id: str | None
    patron_id: str
    screen_message: Lines = ()
    print_line: Lines = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class PatronEnableResponse(Response):
    code = "26"
    patron_status: PatronStatus = PatronStatus()
    language: int = Language.UNKNOWN
    transaction_date: datetime | None
    institution_id: str | None
    patron_id: str
    personal_name: str | None
    valid_patron: bool | None = None
    valid_patron_password: bool | None = None
    screen_message: Lines = ()
    print_line: Lines = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class RequestSCResend(Response):
    code = "96"


# =========================================================================== layouts


class FixedField(NamedTuple):
    name: str
    kind: Kind

    @property
    def width(self) -> int:
        assert self.kind.width is not None
        return self.kind.width


class VariableField(NamedTuple):
    code: str
    name: str
    kind: Kind
    repeatable: bool = False
    essential: bool = False


class Layout(NamedTuple):
    fixed: tuple[FixedField, ...]
    required: tuple[VariableField, ...]
    optional: tuple[VariableField, ...]
    message_class: type[Message]

    @property
    def fixed_width(self) -> int:
        return sum(f.width for f in self.fixed)


_TEXT = Text()
_FLAG = Flag(width=None)
_DATE18 = Date()
_DATE_VAR = Date(width=None)
_LIMIT = Number(None, pad=4)
_COUNT = Number(4)


def _fix(name: str, kind: Kind) -> FixedField:
    return FixedField(name, kind)


def _var(code: str, name: str, kind: Kind = _TEXT, *, essential: bool = False) -> VariableField:
    return VariableField(code, name, kind, False, essential)


def _rep(code: str, name: str) -> VariableField:
    return VariableField(code, name, _TEXT, True, False)


TRANSACTION_DATE = _fix("transaction_date", _DATE18)
LANGUAGE = _fix("language", LanguageKind())
PATRON_STATUS = _fix("patron_status", FixedFlags(PatronStatus))
AO = _var("AO", "institution_id")
AA = _var("AA", "patron_id", essential=True)
AB = _var("AB", "item_id", essential=True)
AC = _var("AC", "terminal_password")
AD = _var("AD", "patron_password")
AE = _var("AE", "personal_name")
AJ = _var("AJ", "title")
AH = _var("AH", "due_date")
BO = _var("BO", "fee_acknowledged", _FLAG)
CH = _var("CH", "item_properties")
CK = _var("CK", "media_type", Coded(MediaType, None, digits=3))
BH = _var("BH", "currency")
BV = _var("BV", "fee_amount")
BK = _var("BK", "transaction_id")
BL = _var("BL", "valid_patron", _FLAG)
CQ = _var("CQ", "valid_patron_password", _FLAG)
AF = _rep("AF", "screen_message")
AG = _rep("AG", "print_line")
SCREEN = (AF, AG)
CIRCULATION_OPTIONAL = (
    _var("BT", "fee_type", Coded(FeeType, None, digits=2)),
    _var("CI", "security_inhibit", _FLAG),
    BH,
    BV,
    CK,
    CH,
    BK,
    *SCREEN,
)

LAYOUTS: dict[str, Layout] = {
    "93": Layout(
        (_fix("uid_algorithm", Text(1)), _fix("pwd_algorithm", Text(1))),
        (
            _var("CN", "login_user_id", essential=True),
            _var("CO", "login_password", essential=True),
        ),
        (_var("CP", "location_code"),),
        Login,
    ),
    "99": Layout(
        (
            _fix("status_code", Coded(StatusCode, 1)),
            _fix("max_print_width", Number(3)),
            _fix("protocol_version", Text(4)),
        ),
        (),
        (),
        SCStatus,
    ),
    "63": Layout(
        (LANGUAGE, TRANSACTION_DATE, _fix("summary", SummaryKind())),
        (AO, AA),
        (
            AC,
            AD,
            _var("BP", "start_item", Number(None)),
            _var("BQ", "end_item", Number(None)),
        ),
        PatronInformation,
    ),
    "23": Layout((LANGUAGE, TRANSACTION_DATE), (AO, AA, AC, AD), (), PatronStatusRequest),
    "11": Layout(
        (
            _fix("sc_renewal_policy", Flag()),
            _fix("no_block", Flag()),
            TRANSACTION_DATE,
            _fix("nb_due_date", _DATE18),
        ),
        (AO, AA, AB, AC),
        (CH, AD, BO, _var("BI", "cancel", _FLAG)),
        Checkout,
    ),
    "09": Layout(
        (_fix("no_block", Flag()), TRANSACTION_DATE, _fix("return_date", _DATE18)),
        (_var("AP", "current_location"), AO, AB, AC),
        (CH, _var("BI", "cancel", _FLAG)),
        Checkin,
    ),
    "29": Layout(
        (
            _fix("third_party_allowed", Flag()),
            _fix("no_block", Flag()),
            TRANSACTION_DATE,
            _fix("nb_due_date", _DATE18),
        ),
        (AO, AA),
        (AD, AB._replace(essential=False), AJ, AC, CH, BO),
        Renew,
    ),
    "65": Layout((TRANSACTION_DATE,), (AO, AA), (AD, AC, BO), RenewAll),
    "17": Layout((TRANSACTION_DATE,), (AO, AB), (AC,), ItemInformation),
    "19": Layout((TRANSACTION_DATE,), (AO, AB, CH), (AC,), ItemStatusUpdate),
    "15": Layout(
        (_fix("hold_mode", Coded(HoldMode, 1)), TRANSACTION_DATE),
        (AO, AA),
        (
            _var("BW", "expiration_date", _DATE_VAR),
            _var("BS", "pickup_location"),
            _var("BY", "hold_type", Coded(HoldType, None, digits=1)),
            AD,
            AB._replace(essential=False),
            AJ,
            AC,
            BO,
        ),
        Hold,
    ),
    "37": Layout(
        (
            TRANSACTION_DATE,
            _fix("fee_type", Coded(FeeType, 2)),
            _fix("payment_type", Coded(PaymentType, 2)),
            _fix("currency", Text(3)),
        ),
        (BV._replace(essential=True), AO, AA),
        (AC, AD, _var("CG", "fee_id"), BK),
        FeePaid,
    ),
    "35": Layout((TRANSACTION_DATE,), (AO, AA), (AC, AD), EndPatronSession),
    "25": Layout((TRANSACTION_DATE,), (AO, AA), (AC, AD), PatronEnable),
    "01": Layout(
        (_fix("card_retained", Flag()), TRANSACTION_DATE),
        (AO, _var("AL", "blocked_card_message"), AA, AC),
        (),
        BlockPatron,
    ),
    "97": Layout((), (), (), RequestACSResend),
    # ----------------------------------------------------------------- responses
    "94": Layout((_fix("ok", Ok()),), (), (), LoginResponse),
    "98": Layout(
        (
            _fix("online_status", Flag()),
            _fix("checkin_ok", Flag()),
            _fix("checkout_ok", Flag()),
            _fix("acs_renewal_policy", Flag()),
            _fix("status_update_ok", Flag()),
            _fix("offline_ok", Flag()),
            _fix("timeout_period", Number(3)),
            _fix("retries_allowed", Number(3)),
            _fix("date_time_sync", _DATE18),
            _fix("protocol_version", Text(4)),
        ),
        (AO, _var("BX", "supported_messages", FlagsKind(SupportedMessages), essential=True)),
        (_var("AM", "library_name"), _var("AN", "terminal_location"), *SCREEN),
        ACSStatus,
    ),
    "64": Layout(
        (
            PATRON_STATUS,
            LANGUAGE,
            TRANSACTION_DATE,
            _fix("hold_items_count", _COUNT),
            _fix("overdue_items_count", _COUNT),
            _fix("charged_items_count", _COUNT),
            _fix("fine_items_count", _COUNT),
            _fix("recall_items_count", _COUNT),
            _fix("unavailable_holds_count", _COUNT),
        ),
        (AO, AA, AE),
        (
            _var("BZ", "hold_items_limit", _LIMIT),
            _var("CA", "overdue_items_limit", _LIMIT),
            _var("CB", "charged_items_limit", _LIMIT),
            BL,
            CQ,
            BH,
            BV,
            _var("CC", "fee_limit"),
            _rep("AS", "hold_items"),
            _rep("AT", "overdue_items"),
            _rep("AU", "charged_items"),
            _rep("AV", "fine_items"),
            _rep("BU", "recall_items"),
            _rep("CD", "unavailable_hold_items"),
            _var("BD", "home_address"),
            _var("BE", "email_address"),
            _var("BF", "home_phone_number"),
            *SCREEN,
        ),
        PatronInformationResponse,
    ),
    "24": Layout(
        (PATRON_STATUS, LANGUAGE, TRANSACTION_DATE),
        (AO, AA, AE),
        (BL, CQ, BH, BV, *SCREEN),
        PatronStatusResponse,
    ),
    "12": Layout(
        (
            _fix("ok", Ok()),
            _fix("renewal_ok", Flag()),
            _fix("magnetic_media", FlagUnknown()),
            _fix("desensitize", FlagUnknown()),
            TRANSACTION_DATE,
        ),
        (AO, AA, AB, AJ, AH),
        CIRCULATION_OPTIONAL,
        CheckoutResponse,
    ),
    "10": Layout(
        (
            _fix("ok", Ok()),
            _fix("resensitize", Flag()),
            _fix("magnetic_media", FlagUnknown()),
            _fix("alert", Flag()),
            TRANSACTION_DATE,
        ),
        (AO, AB, _var("AQ", "permanent_location")),
        (
            AJ,
            _var("CL", "sort_bin"),
            AA._replace(essential=False),
            CK,
            CH,
            _var("CT", "destination"),
            _var("CV", "alert_type"),
            _var("CY", "hold_patron_id"),
            _var("DA", "hold_patron_name"),
            *SCREEN,
        ),
        CheckinResponse,
    ),
    "30": Layout(
        (
            _fix("ok", Ok()),
            _fix("renewal_ok", Flag()),
            _fix("magnetic_media", FlagUnknown()),
            _fix("desensitize", FlagUnknown()),
            TRANSACTION_DATE,
        ),
        (AO, AA, AB, AJ, AH),
        CIRCULATION_OPTIONAL,
        RenewResponse,
    ),
    "66": Layout(
        (
            _fix("ok", Ok()),
            _fix("renewed_count", _COUNT),
            _fix("unrenewed_count", _COUNT),
            TRANSACTION_DATE,
        ),
        (AO,),
        (_rep("BM", "renewed_items"), _rep("BN", "unrenewed_items"), *SCREEN),
        RenewAllResponse,
    ),
    "18": Layout(
        (
            _fix("circulation_status", Coded(CirculationStatus, 2)),
            _fix("security_marker", Coded(SecurityMarker, 2)),
            _fix("fee_type", Coded(FeeType, 2)),
            TRANSACTION_DATE,
        ),
        (AB, AJ),
        (
            _var("CF", "hold_queue_length", Number(None)),
            AH,
            _var("CJ", "recall_date", _DATE_VAR),
            _var("CM", "hold_pickup_date", _DATE_VAR),
            _var("BG", "owner"),
            BH,
            BV,
            CK,
            _var("AQ", "permanent_location"),
            _var("AP", "current_location"),
            CH,
            *SCREEN,
        ),
        ItemInformationResponse,
    ),
    "20": Layout(
        (_fix("item_properties_ok", Ok()), TRANSACTION_DATE),
        (AB,),
        (AJ, CH, *SCREEN),
        ItemStatusUpdateResponse,
    ),
    "16": Layout(
        (_fix("ok", Ok()), _fix("available", Flag()), TRANSACTION_DATE),
        (AO, AA),
        (
            _var("BW", "expiration_date", _DATE_VAR),
            _var("BR", "queue_position", Number(None)),
            _var("BS", "pickup_location"),
            AB._replace(essential=False),
            AJ,
            *SCREEN,
        ),
        HoldResponse,
    ),
    "38": Layout(
        (_fix("payment_accepted", Flag()), TRANSACTION_DATE),
        (AO, AA),
        (BK, *SCREEN),
        FeePaidResponse,
    ),
    "36": Layout(
        (_fix("end_session", Flag()), TRANSACTION_DATE),
        (AO, AA),
        SCREEN,
        EndSessionResponse,
    ),
    "26": Layout(
        (PATRON_STATUS, LANGUAGE, TRANSACTION_DATE),
        (AO, AA, AE),
        (BL, CQ, *SCREEN),
        PatronEnableResponse,
    ),
    "96": Layout((), (), (), RequestSCResend),
}

REQUEST_CODES: tuple[str, ...] = (
    *("93", "99", "63", "23", "11", "09", "29", "65"),
    *("17", "19", "15", "37", "35", "25", "01", "97"),
)
RESPONSE_CODES: tuple[str, ...] = (
    *("94", "98", "64", "24", "12", "10", "30", "66"),
    *("18", "20", "16", "38", "36", "26", "96"),
)

RESPONSE_FOR = {
    "93": "94",
    "99": "98",
    "63": "64",
    "23": "24",
    "11": "12",
    "09": "10",
    "29": "30",
    "65": "66",
    "17": "18",
    "19": "20",
    "15": "16",
    "37": "38",
    "35": "36",
    "25": "26",
    "01": "24",
}
"""The response code that answers each request (97 is answered by repeating the last one)."""
