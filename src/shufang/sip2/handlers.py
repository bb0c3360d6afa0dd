"""One handler per SIP2 request: translate the message, call one circulation service, render
its result as the response. Synchronous (the ORM is); the server runs them in worker threads.

Rules kept here:
- nothing but 93 (login), 99 (SC status) and 97 (resend) is answered with data before a
  successful login: any other request gets its response type with ok=0 (or the equivalent)
  and a screen message, and touches no reader or item;
- a request the device account is not allowed to send is refused the same way;
- reader data (names, counts, lists) and reader transactions need the reader's PIN when the
  account says so; a PIN once verified is remembered for the connection until 35 (end
  patron session), as a salted digest, so a kiosk's later requests cost no PBKDF2 round;
- every transaction goes through the circulation services with channel self_service and an
  Actor of channel "kiosk" labelled with the device, so the rules, blocks and audit are the
  desk's; a refusal's screen message (AF) is the Block's own message in the account's language.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import os
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shufang.catalogue.models import Item, ItemStatus, Record
from shufang.catalogue.services.items import item_update
from shufang.circulation import errors
from shufang.circulation.models import (
    OPEN_LOAN_STATUSES,
    CirculationChannel,
    Fine,
    FineStatus,
    Hold,
    HoldStatus,
    Loan,
    LoanStatus,
)
from shufang.circulation.rules import RuleContext
from shufang.circulation.selectors import calendar_point_for, rule_for
from shufang.circulation.services.blocks import card_blocks
from shufang.circulation.services.checkin import loan_checkin
from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.services.holds import hold_cancel, hold_change_pickup, hold_place
from shufang.circulation.services.payments import (
    payment_amount,
    reader_fines_owed,
    reader_fines_pay,
)
from shufang.circulation.services.renew import loan_renew, loans_renew_all
from shufang.circulation.services.routing import ROUTE
from shufang.core.audit import Actor
from shufang.core.exceptions import ShufangError
from shufang.core.models import Channel
from shufang.network.models import ServicePoint
from shufang.readers.models import Card
from shufang.readers.services import card_set_status, reader_check_pin
from shufang.sip2 import protocol as p
from shufang.sip2.models import DeviceAccount
from shufang.sip2.selectors import card_number, card_with_reader, item_by_barcode, reader_counts
from shufang.sip2.services import device_login, device_seen

log = logging.getLogger("shufang.sip2")

CURRENCY = "CNY"
LIST_DEFAULT = 50  # summary list entries when the device gives no BP/BQ range
SEEN_EVERY = 60.0  # seconds between `device_seen` calls for one connection
SELF_SERVICE = CirculationChannel.SELF_SERVICE

SIP_LANGUAGE = {"zh-hans": p.Language.CHINESE, "en": p.Language.ENGLISH}


@dataclasses.dataclass
class Session:
    """The state of one connection: the device once logged in, the readers whose PIN was
    verified, and the last response (for 97)."""

    peer: str = ""
    account: DeviceAccount | None = None
    last_response: bytes | None = None
    seen_at: float | None = None  # time.monotonic() when `device_seen` last ran for it
    _salt: bytes = dataclasses.field(default_factory=lambda: os.urandom(16))
    _verified: dict[str, bytes] = dataclasses.field(default_factory=dict)

    @property
    def encoding(self) -> str:
        return self.account.encoding if self.account is not None else "utf-8"

    @property
    def language(self) -> str:
        return self.account.language if self.account is not None else "zh-hans"

    @property
    def actor(self) -> Actor:
        assert self.account is not None
        return Actor(user=None, channel=Channel.KIOSK, label=self.account.device_label)

    def _digest(self, patron_id: str, pin: str) -> bytes:
        return hashlib.sha256(self._salt + patron_id.encode() + b"\0" + pin.encode()).digest()

    def pin_remembered(self, patron_id: str, pin: str) -> bool:
        return self._verified.get(patron_id) == self._digest(patron_id, pin)

    def remember_pin(self, patron_id: str, pin: str) -> None:
        if len(self._verified) > 1000:  # a kiosk never serves that many readers at once
            self._verified.clear()
        self._verified[patron_id] = self._digest(patron_id, pin)

    def forget_pin(self, patron_id: str) -> None:
        self._verified.pop(patron_id, None)


def _now() -> dt.datetime:
    """The transaction date of responses: local time, written with a blank zone."""
    return timezone.localtime().replace(tzinfo=None, microsecond=0)


def _sip_date(when: dt.datetime | None) -> str | None:
    if when is None:
        return None
    return p.fields.Date().encode(timezone.localtime(when).replace(tzinfo=None))


def _aware(when: dt.datetime | None) -> dt.datetime | None:
    if when is None:
        return None
    if timezone.is_naive(when):
        return timezone.make_aware(when)
    return when


def _offline_moment(when: dt.datetime | None) -> dt.datetime | None:
    """When an offline device says a transaction happened: never in the future."""
    aware = _aware(when)
    return None if aware is None else min(aware, timezone.now())


def _text(message: Any) -> str:
    return str(message)


# ------------------------------------------------------------------------- refusals


NOT_LOGGED_IN = gettext_lazy("This device is not logged in.")
NOT_ALLOWED = gettext_lazy("This device may not do this; please ask at the desk.")
UNKNOWN_CARD = gettext_lazy("This card number is not known; please ask at the desk.")
BAD_PIN = gettext_lazy("The PIN is wrong; please try again.")
UNKNOWN_ITEM = gettext_lazy("This barcode is not known; please ask at the desk.")
NOT_SUPPORTED = gettext_lazy("This is not available at a self-service machine.")
PROPERTIES_TOO_LONG = gettext_lazy("The item properties are too long (255 characters at most).")
UNREADABLE = gettext_lazy("The request could not be read; please try again.")
FAILED = gettext_lazy("Something went wrong; please ask at the desk.")
CURRENCY_REFUSED = gettext_lazy("Only payments in yuan (CNY) are accepted.")
TITLE_UNKNOWN = gettext_lazy("No title is called “%(title)s”; please scan the item.")
TITLE_AMBIGUOUS = gettext_lazy(
    "Several titles are called “%(title)s”; please scan the item or ask at the desk."
)


def refusal(request_code: str, screen: str, *, request: Any = None) -> p.Response:
    """The response type answering `request_code`, saying no, with `screen` as AF. Fields of
    the request are echoed where the response has them."""
    now = _now()
    inst = getattr(request, "institution_id", None) or ""
    patron = getattr(request, "patron_id", None) or ""
    item = getattr(request, "item_id", None) or ""
    af = (screen,)
    match request_code:
        case "93":
            return p.LoginResponse(ok=False)
        case "63":
            return p.PatronInformationResponse(
                patron_status=_DENIED,
                transaction_date=now,
                institution_id=inst,
                patron_id=patron,
                personal_name="",
                valid_patron=False,
                valid_patron_password=False,
                screen_message=af,
            )
        case "23" | "01":
            return p.PatronStatusResponse(
                patron_status=_DENIED,
                transaction_date=now,
                institution_id=inst,
                patron_id=patron,
                personal_name="",
                valid_patron=False,
                valid_patron_password=False,
                screen_message=af,
            )
        case "25":
            return p.PatronEnableResponse(
                patron_status=_DENIED,
                transaction_date=now,
                institution_id=inst,
                patron_id=patron,
                personal_name="",
                valid_patron=False,
                screen_message=af,
            )
        case "11":
            return p.CheckoutResponse(
                ok=False,
                transaction_date=now,
                institution_id=inst,
                patron_id=patron,
                item_id=item,
                title="",
                due_date="",
                screen_message=af,
            )
        case "29":
            return p.RenewResponse(
                ok=False,
                transaction_date=now,
                institution_id=inst,
                patron_id=patron,
                item_id=item,
                title="",
                due_date="",
                screen_message=af,
            )
        case "09":
            return p.CheckinResponse(
                ok=False,
                transaction_date=now,
                institution_id=inst,
                item_id=item,
                permanent_location="",
                screen_message=af,
            )
        case "65":
            return p.RenewAllResponse(
                ok=False, transaction_date=now, institution_id=inst, screen_message=af
            )
        case "17":
            return p.ItemInformationResponse(
                circulation_status=p.CirculationStatus.OTHER,
                transaction_date=now,
                item_id=item,
                title="",
                screen_message=af,
            )
        case "19":
            return p.ItemStatusUpdateResponse(
                item_properties_ok=False, transaction_date=now, item_id=item, screen_message=af
            )
        case "15":
            return p.HoldResponse(
                ok=False,
                transaction_date=now,
                institution_id=inst,
                patron_id=patron,
                item_id=item or None,
                screen_message=af,
            )
        case "37":
            return p.FeePaidResponse(
                payment_accepted=False,
                transaction_date=now,
                institution_id=inst,
                patron_id=patron,
                screen_message=af,
            )
        case "35":
            return p.EndSessionResponse(
                end_session=False,
                transaction_date=now,
                institution_id=inst,
                patron_id=patron,
                screen_message=af,
            )
        case _:
            raise ValueError(f"no response for {request_code}")


_DENIED = p.PatronStatus(
    charge_privileges_denied=True,
    renewal_privileges_denied=True,
    recall_privileges_denied=True,
    hold_privileges_denied=True,
)


# ------------------------------------------------------------------------- dispatch


def handle(session: Session, message: p.Message) -> p.Response:
    """The response to one decoded request (97 is the server's business: it resends)."""
    code = message.code
    with translation.override(session.language):
        if code == "93":
            return handle_login(session, message)  # type: ignore[arg-type]
        if code == "99":
            return handle_sc_status(session, message)  # type: ignore[arg-type]
        if session.account is None:
            return refusal(code, _text(NOT_LOGGED_IN), request=message)
        if not session.account.allows(code):
            return refusal(code, _text(NOT_ALLOWED), request=message)
        handler = HANDLERS[code]
        try:
            return handler(session, message)
        except errors.Block as block:
            return refusal(code, _text(block.message), request=message)
        except ShufangError as exc:
            return refusal(code, _text(exc.message), request=message)


def unreadable(session: Session, request_code: str | None) -> p.Response | None:
    """The answer to a frame whose code is known but whose fields are not readable."""
    if request_code is None or request_code not in p.RESPONSE_FOR:
        return None
    with translation.override(session.language):
        if session.account is None and request_code not in ("93", "99"):
            return refusal(request_code, _text(NOT_LOGGED_IN))
        if request_code == "99":
            return None
        return refusal(request_code, _text(UNREADABLE))


# ------------------------------------------------------------------------- 93, 99


def handle_login(session: Session, msg: p.Login) -> p.Response:
    account = device_login(login=msg.login_user_id, password=msg.login_password, peer=session.peer)
    if account is None:
        return p.LoginResponse(ok=False)
    session.account = account
    return p.LoginResponse(ok=True)


def _supported(account: DeviceAccount | None) -> p.SupportedMessages:
    def ok(code: str) -> bool:
        return account is not None and account.allows(code)

    return p.SupportedMessages(
        patron_status_request=ok("23"),
        checkout=ok("11"),
        checkin=ok("09"),
        block_patron=ok("01"),
        sc_acs_status=True,
        request_sc_acs_resend=True,
        login=True,
        patron_information=ok("63"),
        end_patron_session=account is not None,
        fee_paid=ok("37"),
        item_information=ok("17"),
        item_status_update=ok("19"),
        patron_enable=ok("25"),
        hold=ok("15"),
        renew=ok("29"),
        renew_all=ok("65"),
    )


def handle_sc_status(session: Session, msg: p.SCStatus) -> p.Response:
    account = session.account
    if account is None:
        return p.ACSStatus(
            online_status=True,
            checkin_ok=False,
            checkout_ok=False,
            acs_renewal_policy=False,
            status_update_ok=False,
            offline_ok=False,
            date_time_sync=_now(),
            institution_id="",
            supported_messages=_supported(None),
        )
    now = time.monotonic()
    if session.seen_at is None or now - session.seen_at >= SEEN_EVERY:
        # device_seen writes at most once a minute anyway; skipping the statement spares
        # SQLite's single writer one write lock per keep-alive of every idle kiosk
        device_seen(account=account)
        session.seen_at = now
    point = account.service_point
    return p.ACSStatus(
        online_status=True,
        checkin_ok=account.allows("09"),
        checkout_ok=account.allows("11"),
        acs_renewal_policy=account.allows("29"),
        status_update_ok=account.allows("19"),
        offline_ok=True,
        timeout_period=30,
        retries_allowed=3,
        date_time_sync=_now(),
        institution_id=account.institution_id,
        library_name=point.name if account.language == "zh-hans" else point.name_en or point.name,
        supported_messages=_supported(account),
        terminal_location=point.code,
    )


# ------------------------------------------------------------------------- readers


@dataclasses.dataclass
class Patron:
    card: Card | None
    pin_ok: bool  # the PIN was given and is right (or the account does not ask for one)
    pin_given: bool

    @property
    def reader(self) -> Any:
        return self.card.reader if self.card is not None else None


def _patron(session: Session, patron_id: str, pin: str | None) -> Patron:
    card = card_with_reader(number=patron_id)
    pin = pin or ""
    assert session.account is not None
    if card is None:
        return Patron(card=None, pin_ok=False, pin_given=bool(pin))
    if not session.account.patron_pin_required and not pin:
        return Patron(card=card, pin_ok=True, pin_given=False)
    if session.pin_remembered(card.number, pin):
        return Patron(card=card, pin_ok=True, pin_given=True)
    ok = reader_check_pin(reader=card.reader, pin=pin) if pin else False
    if ok:
        session.remember_pin(card.number, pin)
    return Patron(card=card, pin_ok=ok, pin_given=bool(pin))


def _require_patron(session: Session, patron_id: str, pin: str | None) -> Patron:
    found = _patron(session, patron_id, pin)
    if found.card is None:
        raise ShufangError(UNKNOWN_CARD)
    if not found.pin_ok:
        raise ShufangError(BAD_PIN)
    return found


def _reader_rule(reader: Any, point: ServicePoint) -> Any:
    return rule_for(
        RuleContext(
            library_id=point.library_id,
            service_point_id=point.pk,
            reader_category_id=reader.category_id,
            collection_id=None,
            material_type="",
        )
    )


@dataclasses.dataclass
class _Standing:
    status: p.PatronStatus
    charged: int
    overdue: int
    holds_ready: int
    holds_waiting: int
    fines_count: int
    fines_total: Any
    rule: Any
    blocks: list[errors.Block]


def _standing(card: Card, point: ServicePoint) -> _Standing:
    """The 14 status bits and the counts of a reader, in two queries (counts, rule)."""
    reader = card.reader
    counts = reader_counts(reader_id=reader.pk, at=timezone.now())
    rule = _reader_rule(reader, point)
    blocks = card_blocks(card=card, today=timezone.localdate())
    charged, overdue = counts.charged, counts.overdue
    total = counts.fines_total
    denied = bool(blocks)
    status = p.PatronStatus(
        charge_privileges_denied=denied,
        renewal_privileges_denied=denied,
        recall_privileges_denied=denied,
        hold_privileges_denied=denied or not rule.holds_allowed,
        card_reported_lost=any(isinstance(b, errors.CardLost) for b in blocks),
        too_many_items_charged=charged >= rule.max_loans,
        too_many_items_overdue=(
            rule.max_overdue_items is not None and overdue > rule.max_overdue_items
        ),
        excessive_outstanding_fines=rule.max_fines is not None and total > rule.max_fines,
    )
    return _Standing(
        status=status,
        charged=charged,
        overdue=overdue,
        holds_ready=counts.holds_ready,
        holds_waiting=counts.holds_waiting,
        fines_count=counts.fines_count,
        fines_total=total,
        rule=rule,
        blocks=blocks,
    )


def _window(msg: p.PatronInformation) -> slice:
    start = max((msg.start_item or 1) - 1, 0)
    end = msg.end_item if msg.end_item else start + LIST_DEFAULT
    return slice(start, max(end, start))


def _summary_list(reader: Any, which: p.Summary | None, window: slice) -> dict[str, Any]:
    """The one list a 63 asked for: item barcodes (titles for holds with no copy yet)."""
    if which is None:
        return {}  # the usual case: no query built
    now = timezone.now()
    open_loans = Loan.objects.filter(reader=reader, status__in=OPEN_LOAN_STATUSES).order_by(
        "due_at", "pk"
    )
    if which == p.Summary.CHARGED_ITEMS:
        rows = open_loans.values_list("item__barcode", flat=True)[window]
        return {"charged_items": tuple(rows)}
    if which == p.Summary.OVERDUE_ITEMS:
        rows = open_loans.filter(status=LoanStatus.ACTIVE, due_at__lt=now).values_list(
            "item__barcode", flat=True
        )[window]
        return {"overdue_items": tuple(rows)}
    holds = Hold.objects.filter(reader=reader).order_by("placed_at", "pk")
    if which == p.Summary.HOLD_ITEMS:
        ready = holds.filter(status=HoldStatus.READY).values_list(
            "trapped_item__barcode", flat=True
        )
        return {"hold_items": tuple(ready[window])}
    if which == p.Summary.UNAVAILABLE_HOLDS:
        waiting = holds.filter(status__in=(HoldStatus.WAITING, HoldStatus.IN_TRANSIT))
        pairs = waiting.values_list("item__barcode", "record__title")[window]
        return {"unavailable_hold_items": tuple(code or title for code, title in pairs)}
    if which == p.Summary.FINE_ITEMS:
        fines = (
            Fine.objects.filter(reader=reader, status=FineStatus.OUTSTANDING)
            .order_by("created_at", "pk")
            .values_list("amount", "loan__item__barcode")[window]
        )
        return {
            "fine_items": tuple(
                f"{CURRENCY} {amount} {barcode or ''}".strip() for amount, barcode in fines
            )
        }
    return {}


def _language(session: Session) -> int:
    return SIP_LANGUAGE.get(session.language, p.Language.UNKNOWN)


def _block_screen(standing: _Standing) -> tuple[str, ...]:
    return tuple(_text(b.message) for b in standing.blocks[:1])


def _pin_refused(response: Any, session: Session, msg: Any, inst: str, found: Any) -> p.Response:
    """The answer to 63 or 23 when the patron's PIN is missing or wrong: no patron data."""
    return response(
        patron_status=_DENIED,
        language=_language(session),
        transaction_date=_now(),
        institution_id=inst,
        patron_id=msg.patron_id,
        personal_name="",
        valid_patron=True,
        valid_patron_password=False,
        screen_message=(_text(BAD_PIN),) if found.pin_given else (),
    )


def handle_patron_information(session: Session, msg: p.PatronInformation) -> p.Response:
    assert session.account is not None
    found = _patron(session, msg.patron_id, msg.patron_password)
    if found.card is None:
        return refusal("63", _text(UNKNOWN_CARD), request=msg)
    inst = msg.institution_id or session.account.institution_id
    if not found.pin_ok:
        return _pin_refused(p.PatronInformationResponse, session, msg, inst, found)
    standing = _standing(found.card, session.account.service_point)
    lists = _summary_list(found.reader, msg.summary, _window(msg))
    return p.PatronInformationResponse(
        patron_status=standing.status,
        language=_language(session),
        transaction_date=_now(),
        hold_items_count=standing.holds_ready,
        overdue_items_count=standing.overdue,
        charged_items_count=standing.charged,
        fine_items_count=standing.fines_count,
        recall_items_count=0,
        unavailable_holds_count=standing.holds_waiting,
        institution_id=inst,
        patron_id=msg.patron_id,
        personal_name=found.reader.name,
        hold_items_limit=standing.rule.max_holds,
        overdue_items_limit=standing.rule.max_overdue_items,
        charged_items_limit=standing.rule.max_loans,
        valid_patron=True,
        valid_patron_password=found.pin_given and found.pin_ok,
        currency=CURRENCY,
        fee_amount=f"{standing.fines_total:.2f}",
        screen_message=_block_screen(standing),
        **lists,
    )


def handle_patron_status(session: Session, msg: p.PatronStatusRequest) -> p.Response:
    assert session.account is not None
    found = _patron(session, msg.patron_id, msg.patron_password)
    if found.card is None:
        return refusal("23", _text(UNKNOWN_CARD), request=msg)
    inst = msg.institution_id or session.account.institution_id
    if not found.pin_ok:
        return _pin_refused(p.PatronStatusResponse, session, msg, inst, found)
    standing = _standing(found.card, session.account.service_point)
    return p.PatronStatusResponse(
        patron_status=standing.status,
        language=_language(session),
        transaction_date=_now(),
        institution_id=inst,
        patron_id=msg.patron_id,
        personal_name=found.reader.name,
        valid_patron=True,
        valid_patron_password=found.pin_given and found.pin_ok,
        currency=CURRENCY,
        fee_amount=f"{standing.fines_total:.2f}",
        screen_message=_block_screen(standing),
    )


def handle_end_session(session: Session, msg: p.EndPatronSession) -> p.Response:
    assert session.account is not None
    card = card_with_reader(number=msg.patron_id)
    session.forget_pin(card.number if card is not None else msg.patron_id)
    return p.EndSessionResponse(
        end_session=True,
        transaction_date=_now(),
        institution_id=msg.institution_id or session.account.institution_id,
        patron_id=msg.patron_id,
    )


def handle_patron_enable(session: Session, msg: p.PatronEnable) -> p.Response:
    """Cards are re-enabled at the desk; the device is told the reader's standing."""
    assert session.account is not None
    found = _require_patron(session, msg.patron_id, msg.patron_password)
    assert found.card is not None
    standing = _standing(found.card, session.account.service_point)
    return p.PatronEnableResponse(
        patron_status=standing.status,
        language=_language(session),
        transaction_date=_now(),
        institution_id=msg.institution_id or session.account.institution_id,
        patron_id=msg.patron_id,
        personal_name=found.reader.name,
        valid_patron=True,
        valid_patron_password=found.pin_given and found.pin_ok,
        screen_message=(_text(NOT_SUPPORTED),) if standing.blocks else (),
    )


def handle_block_patron(session: Session, msg: p.BlockPatron) -> p.Response:
    """The device kept a card (e.g. reported lost): the card is suspended, with the device's
    message as the reason."""
    assert session.account is not None
    card = card_with_reader(number=msg.patron_id)
    if card is None:
        return refusal("01", _text(UNKNOWN_CARD), request=msg)
    reason = msg.blocked_card_message or _("Blocked by self-service device")
    card = card_set_status(
        card=card,
        status="suspended",
        actor=session.actor,
        reason=f"{reason} ({session.actor.label})",
    )
    card = card_with_reader(number=card.number)
    assert card is not None
    standing = _standing(card, session.account.service_point)
    return p.PatronStatusResponse(
        patron_status=standing.status,
        language=_language(session),
        transaction_date=_now(),
        institution_id=msg.institution_id or session.account.institution_id,
        patron_id=msg.patron_id,
        personal_name="",
        valid_patron=True,
        screen_message=_block_screen(standing),
    )


# ------------------------------------------------------------------------- items


def _item(barcode: str | None) -> Item | None:
    return item_by_barcode(barcode=barcode)


def _open_loan(item: Item) -> Loan | None:
    return (
        Loan.objects.select_related("card", "reader")
        .filter(item=item, status__in=OPEN_LOAN_STATUSES)
        .first()
    )


def _title(item: Item) -> str:
    return item.record.title


def handle_checkout(session: Session, msg: p.Checkout) -> p.Response:
    """Lends the item; an item already lent to this reader is renewed when the device's
    renewal policy allows it. `no_block` (an offline device replaying a loan that happened)
    is accepted and flagged on the loan."""
    account = session.account
    assert account is not None
    if msg.no_block:
        # The loan happened while the device was offline; the reader's PIN was checked then.
        card = card_with_reader(number=msg.patron_id)
        if card is None:
            raise ShufangError(UNKNOWN_CARD)
    else:
        card = _require_patron(session, msg.patron_id, msg.patron_password).card
    assert card is not None
    item = _item(msg.item_id)
    if item is None:
        raise ShufangError(UNKNOWN_ITEM)
    current = _open_loan(item) if item.status == ItemStatus.ON_LOAN else None
    if current is not None and current.reader_id == card.reader_id and not msg.no_block:
        if not msg.sc_renewal_policy:
            raise errors.ItemAlreadyOnLoan(barcode=item.barcode)
        loan = loan_renew(loan=current, actor=session.actor, channel=SELF_SERVICE)
        return _circulation_response(p.CheckoutResponse, msg, item, loan, renewal=True)
    loan = loan_checkout(
        item=item,
        reader=card.reader,
        service_point=account.service_point,
        actor=session.actor,
        channel=SELF_SERVICE,
        at=_offline_moment(msg.transaction_date) if msg.no_block else None,
        no_block=msg.no_block,
        card=card,
        device=account.device_label,
    )
    return _circulation_response(p.CheckoutResponse, msg, item, loan, renewal=False)


def _circulation_response(
    cls: type[p.CheckoutResponse] | type[p.RenewResponse],
    msg: Any,
    item: Item,
    loan: Loan,
    *,
    renewal: bool,
) -> p.Response:
    due = timezone.localtime(loan.due_at)
    return cls(
        ok=True,
        renewal_ok=renewal,
        magnetic_media=False,
        desensitize=True,
        transaction_date=_now(),
        institution_id=msg.institution_id or "",
        patron_id=msg.patron_id,
        item_id=item.barcode,
        title=_title(item),
        due_date=_sip_date(loan.due_at),
        media_type=p.MediaType.BOOK,
        screen_message=(_("Due back on %(date)s.") % {"date": f"{due:%Y-%m-%d}"},),
    )


def handle_renew(session: Session, msg: p.Renew) -> p.Response:
    found = _require_patron(session, msg.patron_id, msg.patron_password)
    item = _item(msg.item_id)
    if item is None:
        raise ShufangError(UNKNOWN_ITEM)
    loan = _open_loan(item)
    if loan is None or loan.reader_id != found.card.reader_id:  # type: ignore[union-attr]
        raise ShufangError(_("This item is not on loan to you."))
    loan = loan_renew(loan=loan, actor=session.actor, channel=SELF_SERVICE)
    return _circulation_response(p.RenewResponse, msg, item, loan, renewal=True)


def handle_renew_all(session: Session, msg: p.RenewAll) -> p.Response:
    found = _require_patron(session, msg.patron_id, msg.patron_password)
    result = loans_renew_all(reader=found.reader, actor=session.actor, channel=SELF_SERVICE)
    renewed = tuple(loan.item.barcode for loan in result.renewed)
    refused = tuple(loan.item.barcode for loan, _block in result.refused)
    screen = [_("%(n)d renewed, %(m)d not renewed.") % {"n": len(renewed), "m": len(refused)}]
    screen += [f"{loan.item.barcode}: {block.message}" for loan, block in result.refused[:5]]
    return p.RenewAllResponse(
        ok=True,
        renewed_count=len(renewed),
        unrenewed_count=len(refused),
        transaction_date=_now(),
        institution_id=msg.institution_id or "",
        renewed_items=renewed,
        unrenewed_items=refused,
        screen_message=tuple(screen),
    )


# Sorter alert types (CV) by routing.
_ALERT = {ROUTE.QUARANTINE: p.AlertType.OTHER, ROUTE.TRANSIT: p.AlertType.TRANSIT}


def handle_checkin(session: Session, msg: p.Checkin) -> p.Response:
    """Returns the item where the device stands and tells the sorter where it goes: CL the
    sort bin, CT the destination service point when it travels, CV the reason (01 hold here,
    02 hold elsewhere, 04 going home, 99 quarantine) with the alert flag."""
    account = session.account
    assert account is not None
    item = _item(msg.item_id)
    if item is None:
        raise ShufangError(UNKNOWN_ITEM)
    at = _offline_moment(msg.return_date) if msg.no_block else None
    result = loan_checkin(
        item=item,
        service_point=account.service_point,
        actor=session.actor,
        channel=SELF_SERVICE,
        at=at,
    )
    routing = result.routing
    if routing.action == ROUTE.HOLD:
        alert_type: str | None = (
            p.AlertType.HOLD_OTHER_LOCATION if routing.destination else p.AlertType.HOLD_LOCAL
        )
    else:
        alert_type = _ALERT.get(routing.action)
    hold = routing.hold
    hold_card: str | None = None
    if hold is not None:
        hold_card = (
            Card.objects.filter(reader_id=hold.reader_id, replaced_by__isnull=True)
            .order_by("-issued_at")
            .values_list("number", flat=True)
            .first()
        )
    loan = result.loan
    screen = [str(routing.message)] if routing.message else []
    if loan is None:
        screen.insert(0, _("This item was not on loan."))
    return p.CheckinResponse(
        ok=True,
        resensitize=routing.action == ROUTE.SHELF,
        magnetic_media=False,
        alert=alert_type is not None,
        transaction_date=_now(),
        institution_id=msg.institution_id or account.institution_id,
        item_id=item.barcode,
        permanent_location=item.home_service_point.code,
        title=_title(item),
        sort_bin=routing.sort_bin or routing.action,
        patron_id=card_number(card_id=loan.card_id) if loan is not None else None,
        media_type=p.MediaType.BOOK,
        destination=routing.destination.code if routing.destination is not None else None,
        alert_type=str(alert_type) if alert_type is not None else None,
        hold_patron_id=hold_card,
        screen_message=tuple(screen),
    )


_CIRCULATION_STATUS = {
    ItemStatus.IN_PROCESSING: p.CirculationStatus.IN_PROCESS,
    ItemStatus.AVAILABLE: p.CirculationStatus.AVAILABLE,
    ItemStatus.ON_LOAN: p.CirculationStatus.CHARGED,
    ItemStatus.IN_TRANSIT: p.CirculationStatus.IN_TRANSIT,
    ItemStatus.ON_HOLD_SHELF: p.CirculationStatus.WAITING_ON_HOLD_SHELF,
    ItemStatus.IN_QUARANTINE: p.CirculationStatus.WAITING_TO_BE_RESHELVED,
    ItemStatus.MISSING: p.CirculationStatus.MISSING,
    ItemStatus.LOST: p.CirculationStatus.LOST,
    ItemStatus.WITHDRAWN: p.CirculationStatus.OTHER,
}


def circulation_status(item: Item, loan: Loan | None) -> p.CirculationStatus:
    """SIP2's circulation status of an item (a loan claimed returned is 11)."""
    if loan is not None and loan.status == LoanStatus.CLAIMS_RETURNED:
        return p.CirculationStatus.CLAIMED_RETURNED
    return _CIRCULATION_STATUS.get(ItemStatus(item.status), p.CirculationStatus.OTHER)


def handle_item_information(session: Session, msg: p.ItemInformation) -> p.Response:
    item = _item(msg.item_id)
    if item is None:
        return refusal("17", _text(UNKNOWN_ITEM), request=msg)
    loan = _open_loan(item) if item.status == ItemStatus.ON_LOAN else None
    queue = Hold.objects.filter(
        record_id=item.record_id,
        status__in=(HoldStatus.WAITING, HoldStatus.IN_TRANSIT, HoldStatus.READY),
    ).count()
    current = (
        ServicePoint.objects.filter(pk=item.current_service_point_id)
        .values_list("code", flat=True)
        .first()
    )
    return p.ItemInformationResponse(
        circulation_status=circulation_status(item, loan),
        security_marker=p.SecurityMarker.TATTLE_TAPE,
        fee_type=p.FeeType.OTHER,
        transaction_date=_now(),
        hold_queue_length=queue,
        due_date=_sip_date(loan.due_at) if loan is not None else None,
        item_id=item.barcode,
        title=_title(item),
        owner=item.owning_library.code,
        media_type=p.MediaType.BOOK,
        permanent_location=item.home_service_point.code,
        current_location=current,
        item_properties=item.properties or None,
        screen_message=(str(item.get_status_display()),),
    )


def handle_item_status_update(session: Session, msg: p.ItemStatusUpdate) -> p.Response:
    """Keeps the item properties (CH) a machine sends for a copy, through the same item
    service as the staff pages (audited, the device recorded); answered 20 with the
    properties now kept. An unknown item is refused and nothing changes."""
    item = _item(msg.item_id)
    if item is None:
        return refusal("19", _text(UNKNOWN_ITEM), request=msg)
    properties = (msg.item_properties or "").strip()
    if len(properties) > Item._meta.get_field("properties").max_length:  # type: ignore[operator]
        return refusal("19", _text(PROPERTIES_TOO_LONG), request=msg)
    item = item_update(item=item, actor=session.actor, properties=properties)
    return p.ItemStatusUpdateResponse(
        item_properties_ok=True,
        transaction_date=_now(),
        item_id=item.barcode,
        title=_title(item),
        item_properties=item.properties or None,
    )


# ------------------------------------------------------------------------- holds, fees


def _record_by_title(title: str) -> Record:
    """The one record whose title is exactly `title` (a hold asked for by AJ, no item);
    refused when none or several are."""
    title = title.strip()
    found = list(
        Record.objects.filter(title=title, deleted_at__isnull=True)
        .defer("marc", "marc_original")
        .order_by("pk")[:2]
    )
    if not found:
        raise ShufangError(_text(TITLE_UNKNOWN) % {"title": title})
    if len(found) > 1:
        raise ShufangError(_text(TITLE_AMBIGUOUS) % {"title": title})
    return found[0]


def handle_hold(session: Session, msg: p.Hold) -> p.Response:
    """+ places a hold on the title of the item scanned (or on that copy with hold type 3),
    - cancels the reader's hold on it, * changes its pickup point (BS, a service point
    code). Without BS the pickup point is the building the device belongs to. Without an
    item (AB), the title (AJ) names the record when exactly one record has that title."""
    account = session.account
    assert account is not None
    found = _require_patron(session, msg.patron_id, msg.patron_password)
    item = _item(msg.item_id)
    if item is not None:
        record = item.record
    elif (msg.item_id or "").strip() or not (msg.title or "").strip():
        raise ShufangError(UNKNOWN_ITEM)
    elif msg.hold_type == p.HoldType.SPECIFIC_COPY:
        raise ShufangError(_("A hold on one copy needs the item's barcode."))
    else:
        record = _record_by_title(msg.title or "")
    pickup = calendar_point_for(account.service_point)
    if msg.pickup_location:
        chosen = ServicePoint.objects.filter(code=msg.pickup_location.strip()).first()
        if chosen is None:
            raise ShufangError(_("Unknown pickup location."))
        pickup = chosen
    reader = found.reader
    open_hold = Hold.objects.filter(
        reader=reader,
        record_id=record.pk,
        status__in=(HoldStatus.WAITING, HoldStatus.IN_TRANSIT, HoldStatus.READY),
    ).first()
    if msg.hold_mode == p.HoldMode.ADD:
        hold = hold_place(
            reader=reader,
            record=record,
            pickup_service_point=pickup,
            actor=session.actor,
            channel=SELF_SERVICE,
            item=item if msg.hold_type == p.HoldType.SPECIFIC_COPY else None,
            not_needed_after=msg.expiration_date.date() if msg.expiration_date else None,
        )
        screen = _("Hold placed; collect at %(point)s.") % {"point": pickup.name}
    else:
        if open_hold is None:
            raise ShufangError(_("You have no hold on this title."))
        if msg.hold_mode == p.HoldMode.DELETE:
            hold = hold_cancel(hold=open_hold, actor=session.actor, reason=session.actor.label)
            screen = _("Hold cancelled.")
        else:
            hold = hold_change_pickup(
                hold=open_hold, pickup_service_point=pickup, actor=session.actor
            )
            screen = _("Hold changed; collect at %(point)s.") % {"point": pickup.name}
    position = None
    if hold.status in (HoldStatus.WAITING, HoldStatus.IN_TRANSIT, HoldStatus.READY):
        position = (
            Hold.objects.filter(
                record_id=hold.record_id,
                status__in=(HoldStatus.WAITING, HoldStatus.IN_TRANSIT, HoldStatus.READY),
            )
            .filter(Q(placed_at__lt=hold.placed_at) | Q(placed_at=hold.placed_at, pk__lt=hold.pk))
            .count()
            + 1
        )
    return p.HoldResponse(
        ok=True,
        available=hold.status == HoldStatus.READY,
        transaction_date=_now(),
        queue_position=position,
        pickup_location=pickup.code,
        institution_id=msg.institution_id or account.institution_id,
        patron_id=msg.patron_id,
        item_id=item.barcode if item is not None else None,
        title=record.title,
        screen_message=(screen,),
    )


PAYMENT_TYPES = {p.PaymentType.CASH: "cash", p.PaymentType.VISA: "card"}


def handle_fee_paid(session: Session, msg: p.FeePaid) -> p.Response:
    """The device took the reader's money: it goes to the reader's outstanding fines, oldest
    first (`reader_fines_pay`; the last fine reached may be paid in part). Refused, nothing
    changed, for another currency, an amount that is not money or is more than is owed."""
    assert session.account is not None
    found = _require_patron(session, msg.patron_id, msg.patron_password)
    if (msg.currency or "").strip().upper() not in ("", CURRENCY):
        raise ShufangError(CURRENCY_REFUSED)
    paid = reader_fines_pay(
        reader=found.reader,
        amount=payment_amount(msg.fee_amount),
        actor=session.actor,
        channel=SELF_SERVICE,
        at=_offline_moment(msg.transaction_date),
        payment_type=PAYMENT_TYPES.get(msg.payment_type, "card"),
    )
    total = sum((f.amount for f in paid), start=Decimal(0))
    owed = reader_fines_owed(reader=found.reader)
    screen = _("Paid %(paid)s yuan; %(owed)s yuan still owed.") % {
        "paid": f"{total:.2f}",
        "owed": f"{owed:.2f}",
    }
    return p.FeePaidResponse(
        payment_accepted=True,
        transaction_date=_now(),
        institution_id=msg.institution_id or session.account.institution_id,
        patron_id=msg.patron_id,
        transaction_id=msg.transaction_id,
        screen_message=(screen,),
    )


HANDLERS: dict[str, Callable[[Session, Any], p.Response]] = {
    "63": handle_patron_information,
    "23": handle_patron_status,
    "11": handle_checkout,
    "09": handle_checkin,
    "29": handle_renew,
    "65": handle_renew_all,
    "17": handle_item_information,
    "19": handle_item_status_update,
    "15": handle_hold,
    "37": handle_fee_paid,
    "35": handle_end_session,
    "25": handle_patron_enable,
    "01": handle_block_patron,
}
