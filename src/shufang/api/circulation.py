"""Circulation over REST: checkout (with its preview and overrides), checkin with routing,
renewals, holds, the desk's lists, transits, closures, service modes, deposits and the
quarantine policy. Endpoints translate, call one service, and render.

A refusal by a rule (`circulation.errors.Block`) leaves as 409 with its stable `code`, the
translated `message` and `overridable`; the caller may repeat a checkout or renewal with the
codes in `override` when its user holds `circulation.override` there."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Router, Schema, Status

from shufang.api.auth import api_actor
from shufang.api.schemas import Input
from shufang.catalogue.models import Item, Record
from shufang.circulation import errors
from shufang.circulation.models import (
    CirculationChannel,
    Deposit,
    Fine,
    FineStatus,
    Hold,
    HoldStatus,
    Loan,
)
from shufang.circulation.selectors import (
    hold_shelf_list,
    pick_list,
    quarantine_list,
    reader_loans_current,
    transit_list,
)
from shufang.core.exceptions import ValidationFailed
from shufang.core.permissions import require
from shufang.network.models import Library, ServicePoint
from shufang.readers.identity import mask_name
from shufang.readers.models import Reader
from shufang.readers.selectors import card_by_number

router = Router(tags=["circulation"])
DESK = CirculationChannel.DESK


def install(api: NinjaAPI) -> None:
    """Blocks leave as 409 with `overridable` (registered before the generic ShufangError
    handler is consulted: ninja picks the handler of the most specific class)."""

    @api.exception_handler(errors.Block)
    def blocked(request: HttpRequest, exc: errors.Block) -> HttpResponse:
        body = exc.as_dict()
        body["overridable"] = exc.overridable
        return api.create_response(request, body, status=409)


# --------------------------------------------------------------------------- schemas


class LoanOut(Schema):
    id: int
    barcode: str
    title: str
    reader_id: int
    service_point_id: int
    channel: str
    status: str
    checked_out_at: dt.datetime
    due_at: dt.datetime
    renewals: int
    overrides: list[str]
    rule_id: int | None

    @staticmethod
    def resolve_barcode(obj: Loan) -> str:
        return obj.item.barcode

    @staticmethod
    def resolve_title(obj: Loan) -> str:
        return obj.item.record.title


class BlockOut(Schema):
    code: str
    message: str
    overridable: bool


class PreviewOut(Schema):
    rule_id: int | None
    explanation: str
    rule_scope: list[str]
    due_date: dt.date
    due_at: dt.datetime
    blocks: list[BlockOut]


class RoutingOut(Schema):
    action: str
    message: str
    hold_id: int | None
    destination_id: int | None
    sort_bin: str


class FineOut(Schema):
    id: int
    amount: Decimal
    status: str


class CheckinOut(Schema):
    loan_id: int | None
    routing: RoutingOut
    fine: FineOut | None


class RefusalOut(Schema):
    loan_id: int
    barcode: str
    code: str
    message: str
    overridable: bool


class RenewAllOut(Schema):
    renewed: list[LoanOut]
    refused: list[RefusalOut]


class HoldOut(Schema):
    id: int
    reader_id: int
    record_id: int
    title: str
    item_id: int | None
    pickup_service_point_id: int
    status: str
    placed_at: dt.datetime
    shelf_expires_on: dt.date | None
    trapped_barcode: str | None
    reader_name_masked: str

    @staticmethod
    def resolve_title(obj: Hold) -> str:
        return obj.record.title

    @staticmethod
    def resolve_trapped_barcode(obj: Hold) -> str | None:
        return obj.trapped_item.barcode if obj.trapped_item is not None else None

    @staticmethod
    def resolve_reader_name_masked(obj: Hold) -> str:
        return mask_name(obj.reader.name)


class PickLineOut(Schema):
    hold_id: int
    barcode: str
    call_number: str
    title: str
    pickup_service_point_id: int


class TransitOut(Schema):
    id: int
    barcode: str
    from_service_point_id: int
    to_service_point_id: int
    reason: str
    hold_id: int | None
    sent_at: dt.datetime
    received_at: dt.datetime | None

    @staticmethod
    def resolve_barcode(obj: Any) -> str:
        return str(obj.item.barcode)


class QuarantineOut(Schema):
    barcode: str
    started_at: dt.datetime
    ends_at: dt.datetime

    @staticmethod
    def resolve_barcode(obj: Any) -> str:
        return str(obj.item.barcode)


class ClosureOut(Schema):
    id: int
    library_id: int | None
    service_point_id: int | None
    start_date: dt.date
    end_date: dt.date
    reason: str
    loans_moved: int
    holds_moved: int


class ModeOut(Schema):
    id: int
    service_point_id: int
    mode: str
    start_date: dt.date
    end_date: dt.date | None
    reason: str


class ModeOnOut(Schema):
    service_point_id: int
    day: dt.date
    mode: str


class DepositOut(Schema):
    id: int
    name: str
    borrower_id: int
    lent_from_id: int
    destination_id: int | None
    lent_on: dt.date
    due_on: dt.date
    status: str


class BarcodeRefusalOut(Schema):
    barcode: str
    code: str
    message: str


class DepositLendOut(Schema):
    lent: list[str]
    refused: list[BarcodeRefusalOut]


class DepositReturnOut(Schema):
    returned: list[str]
    missing: list[str]
    not_in_deposit: list[str]
    unknown: list[str]
    refused: list[BarcodeRefusalOut]
    complete: bool


class PolicyOut(Schema):
    service_point_id: int
    hours: int


# --------------------------------------------------------------------------- inputs


class CheckoutIn(Input):
    barcode: str
    service_point_id: int
    reader_id: int | None = None
    card_number: str | None = None
    override: list[str] = []


class PreviewIn(Input):
    barcode: str
    service_point_id: int
    reader_id: int | None = None
    card_number: str | None = None


class CheckinIn(Input):
    barcode: str
    service_point_id: int


class RenewIn(Input):
    override: list[str] = []


class FinePayIn(Input):
    amount: Decimal
    payment_type: str = "cash"


class FineWaiveIn(Input):
    reason: str


class FinePaidOut(Schema):
    paid: FineOut
    remainder: FineOut | None


class HoldIn(Input):
    reader_id: int
    record_id: int
    pickup_service_point_id: int
    item_id: int | None = None
    not_needed_after: dt.date | None = None


class HoldCancelIn(Input):
    reason: str = ""


class HoldPickupIn(Input):
    pickup_service_point_id: int


class TransitIn(Input):
    barcode: str
    to_service_point_id: int
    reason: str


class ClosureIn(Input):
    start_date: dt.date
    end_date: dt.date
    reason: str
    library_id: int | None = None
    service_point_id: int | None = None


class ModeIn(Input):
    service_point_id: int
    mode: str
    start_date: dt.date
    end_date: dt.date | None = None
    reason: str = ""


class DepositIn(Input):
    name: str
    borrower_id: int
    lent_from_id: int
    lent_on: dt.date
    due_on: dt.date
    destination_id: int | None = None


class BarcodesIn(Input):
    barcodes: list[str]
    service_point_id: int | None = None


class PolicyIn(Input):
    hours: int


# --------------------------------------------------------------------------- helpers


def _loans() -> Any:
    return Loan.objects.select_related("item__record")


def _holds() -> Any:
    return Hold.objects.select_related("record", "reader", "trapped_item")


def _item(barcode: str) -> Item:
    return get_object_or_404(Item.objects.select_related("record", "collection"), barcode=barcode)


def _point(pk: int) -> ServicePoint:
    return get_object_or_404(ServicePoint.objects.select_related("library"), pk=pk)


def _desk_point(request: HttpRequest, pk: int) -> ServicePoint:
    """A service point where the caller may work the desk (for lists that no service checks)."""
    point = _point(pk)
    require(request.user, "circulation.lend", library=point.library_id, service_point=point)
    return point


def _reader(reader_id: int | None, card_number: str | None) -> Reader:
    if reader_id is not None:
        return get_object_or_404(Reader.objects.select_related("category"), pk=reader_id)
    if card_number:
        card = card_by_number(number=card_number)
        if card is not None:
            return card.reader
        raise ValidationFailed(field="card_number")
    raise ValidationFailed(field="reader_id")


def _reader_in_scope(request: HttpRequest, reader_id: int) -> Reader:
    """Reading a reader's loans or holds is reading personal data: only where the caller may
    see that reader (the reader's home library)."""
    reader = get_object_or_404(Reader.objects.select_related("home_service_point"), pk=reader_id)
    require(request.user, "readers.view", library=reader.home_service_point.library_id)
    return reader


def _checkin_out(result: Any) -> dict[str, Any]:
    routing = result.routing
    fine = result.fine
    return {
        "loan_id": result.loan.pk if result.loan is not None else None,
        "routing": {
            "action": routing.action,
            "message": str(routing.message),
            "hold_id": routing.hold.pk if routing.hold is not None else None,
            "destination_id": routing.destination.pk if routing.destination else None,
            "sort_bin": routing.sort_bin,
        },
        "fine": ({"id": fine.pk, "amount": fine.amount, "status": fine.status} if fine else None),
    }


# --------------------------------------------------------------------------- loans


@router.post("/circulation/checkout/preview", response=PreviewOut)
def checkout_preview(request: HttpRequest, payload: PreviewIn) -> Any:
    """What a checkout would do (rule, why, due date, every block) without lending."""
    from shufang.circulation.services.checkout import loan_checkout_preview

    point = _desk_point(request, payload.service_point_id)
    reader = _reader(payload.reader_id, payload.card_number)
    preview = loan_checkout_preview(item=_item(payload.barcode), reader=reader, service_point=point)
    return {
        "rule_id": preview.rule.pk,
        "explanation": preview.explanation,
        "rule_scope": preview.rule_scope,
        "due_date": preview.due_date,
        "due_at": preview.due_at,
        "blocks": [
            {"code": b.code, "message": str(b.message), "overridable": b.overridable}
            for b in preview.blocks
        ],
    }


@router.post("/circulation/checkout", response={201: LoanOut})
def checkout(request: HttpRequest, payload: CheckoutIn) -> Any:
    from shufang.circulation.services.checkout import loan_checkout

    loan = loan_checkout(
        item=_item(payload.barcode),
        reader=_reader(payload.reader_id, payload.card_number),
        service_point=_point(payload.service_point_id),
        actor=api_actor(request),
        channel=DESK,
        override=payload.override,
    )
    return Status(201, _loans().get(pk=loan.pk))


@router.post("/circulation/checkin", response=CheckinOut)
def checkin(request: HttpRequest, payload: CheckinIn) -> Any:
    """Returns an item; the answer says where it goes (shelf, quarantine, hold, transit)."""
    from shufang.circulation.services.checkin import loan_checkin

    result = loan_checkin(
        item=_item(payload.barcode),
        service_point=_point(payload.service_point_id),
        actor=api_actor(request),
        channel=DESK,
    )
    return _checkin_out(result)


@router.post("/circulation/loans/{loan_id}/renew", response=LoanOut)
def renew(request: HttpRequest, loan_id: int, payload: RenewIn) -> Any:
    from shufang.circulation.services.renew import loan_renew

    loan = get_object_or_404(_loans().select_related("service_point"), pk=loan_id)
    # loan_renew checks no permission of its own: renew where the loan was made
    require(request.user, "circulation.lend", library=loan.service_point.library_id)
    renewed = loan_renew(
        loan=loan, actor=api_actor(request), channel=DESK, override=payload.override
    )
    return _loans().get(pk=renewed.pk)


def _fine(fine_id: int) -> Fine:
    return get_object_or_404(Fine.objects.select_related("reader"), pk=fine_id)


@router.post("/circulation/fines/{fine_id}/pay", response=FinePaidOut)
def fine_pay(request: HttpRequest, fine_id: int, payload: FinePayIn) -> Any:
    """Pays all or part of one fine; a part payment leaves the rest as a new outstanding fine
    (`remainder`). An amount above the fine is refused (400)."""
    from shufang.circulation.services.payments import fine_pay as pay

    fine = _fine(fine_id)
    before = set(
        Fine.objects.filter(reader_id=fine.reader_id, status=FineStatus.OUTSTANDING).values_list(
            "pk", flat=True
        )
    )
    paid = pay(
        fine=fine,
        amount=payload.amount,
        actor=api_actor(request),
        channel=DESK,
        payment_type=payload.payment_type,
    )
    remainder = (
        Fine.objects.filter(reader_id=fine.reader_id, status=FineStatus.OUTSTANDING)
        .exclude(pk__in=before)
        .first()
    )
    return {"paid": paid, "remainder": remainder}


@router.post("/circulation/fines/{fine_id}/waive", response=FineOut)
def fine_waive(request: HttpRequest, fine_id: int, payload: FineWaiveIn) -> Any:
    from shufang.circulation.services.payments import fine_waive as waive

    return waive(fine=_fine(fine_id), actor=api_actor(request), reason=payload.reason)


@router.post("/circulation/readers/{reader_id}/renew-all", response=RenewAllOut)
def renew_all(request: HttpRequest, reader_id: int) -> Any:
    from shufang.circulation.services.renew import loans_renew_all

    reader = _reader_in_scope(request, reader_id)
    require(request.user, "circulation.lend", library=reader.home_service_point.library_id)
    result = loans_renew_all(reader=reader, actor=api_actor(request), channel=DESK)
    renewed = list(_loans().filter(pk__in=[loan.pk for loan in result.renewed]).order_by("pk"))
    barcodes = dict(
        Item.objects.filter(pk__in=[loan.item_id for loan, _b in result.refused]).values_list(
            "pk", "barcode"
        )
    )
    refused = [
        {
            "loan_id": loan.pk,
            "barcode": barcodes[loan.item_id],
            "code": block.code,
            "message": str(block.message),
            "overridable": block.overridable,
        }
        for loan, block in result.refused
    ]
    return {"renewed": renewed, "refused": refused}


@router.get("/circulation/readers/{reader_id}/loans", response=list[LoanOut])
def reader_loans(request: HttpRequest, reader_id: int) -> Any:
    """The reader's current loans, soonest due first."""
    return list(reader_loans_current(reader=_reader_in_scope(request, reader_id)))


@router.get("/circulation/readers/{reader_id}/holds", response=list[HoldOut])
def reader_holds(request: HttpRequest, reader_id: int) -> Any:
    reader = _reader_in_scope(request, reader_id)
    open_statuses = (HoldStatus.WAITING, HoldStatus.IN_TRANSIT, HoldStatus.READY)
    return list(_holds().filter(reader=reader, status__in=open_statuses).order_by("placed_at"))


# --------------------------------------------------------------------------- holds


@router.post("/circulation/holds", response={201: HoldOut})
def hold_place(request: HttpRequest, payload: HoldIn) -> Any:
    from shufang.circulation.services.holds import hold_place as place

    reader = get_object_or_404(Reader, pk=payload.reader_id)
    record = get_object_or_404(Record, pk=payload.record_id, deleted_at__isnull=True)
    item = get_object_or_404(Item, pk=payload.item_id) if payload.item_id else None
    hold = place(
        reader=reader,
        record=record,
        pickup_service_point=_point(payload.pickup_service_point_id),
        actor=api_actor(request),
        channel=DESK,
        item=item,
        not_needed_after=payload.not_needed_after,
    )
    return Status(201, _holds().get(pk=hold.pk))


@router.post("/circulation/holds/{hold_id}/cancel", response=HoldOut)
def hold_cancel(request: HttpRequest, hold_id: int, payload: HoldCancelIn) -> Any:
    from shufang.circulation.services.holds import hold_cancel as cancel

    hold = get_object_or_404(Hold, pk=hold_id)
    cancel(hold=hold, actor=api_actor(request), reason=payload.reason)
    return _holds().get(pk=hold.pk)


@router.post("/circulation/holds/{hold_id}/pickup", response=HoldOut)
def hold_change_pickup(request: HttpRequest, hold_id: int, payload: HoldPickupIn) -> Any:
    from shufang.circulation.services.holds import hold_change_pickup as change

    hold = get_object_or_404(Hold, pk=hold_id)
    # the caller must also be able to work where the hold was to be collected
    require(
        request.user,
        "circulation.lend",
        library=hold.pickup_service_point.library_id,
        service_point=hold.pickup_service_point,
    )
    change(
        hold=hold,
        pickup_service_point=_point(payload.pickup_service_point_id),
        actor=api_actor(request),
    )
    return _holds().get(pk=hold.pk)


# --------------------------------------------------------------------------- lists


@router.get("/circulation/service-points/{service_point_id}/hold-shelf", response=list[HoldOut])
def hold_shelf(request: HttpRequest, service_point_id: int, expiring: bool = False) -> Any:
    """Ready holds on the shelf; `expiring` keeps those to collect by today or earlier."""
    from django.utils import timezone

    rows = hold_shelf_list(service_point=_desk_point(request, service_point_id))
    if expiring:
        rows = rows.filter(shelf_expires_on__lte=timezone.localdate())
    return list(rows)


@router.get("/circulation/service-points/{service_point_id}/pick-list", response=list[PickLineOut])
def pick_list_get(request: HttpRequest, service_point_id: int) -> Any:
    lines = pick_list(service_point=_desk_point(request, service_point_id))
    return [
        {
            "hold_id": line.hold.pk,
            "barcode": line.item.barcode,
            "call_number": line.item.call_number,
            "title": line.hold.record.title,
            "pickup_service_point_id": line.hold.pickup_service_point_id,
        }
        for line in lines
    ]


@router.get("/circulation/service-points/{service_point_id}/transits", response=list[TransitOut])
def transits_get(request: HttpRequest, service_point_id: int, direction: str = "incoming") -> Any:
    if direction not in ("incoming", "outgoing", "all"):
        raise ValidationFailed(field="direction")
    point = _desk_point(request, service_point_id)
    return list(transit_list(service_point=point, direction=direction))


@router.get(
    "/circulation/service-points/{service_point_id}/quarantine", response=list[QuarantineOut]
)
def quarantine_get(request: HttpRequest, service_point_id: int) -> Any:
    return list(quarantine_list(service_point=_desk_point(request, service_point_id)))


@router.put("/circulation/service-points/{service_point_id}/quarantine-policy", response=PolicyOut)
def quarantine_policy(request: HttpRequest, service_point_id: int, payload: PolicyIn) -> Any:
    from shufang.circulation.services.quarantine import quarantine_policy_set

    point = _point(service_point_id)
    policy = quarantine_policy_set(
        service_point=point, hours=payload.hours, actor=api_actor(request)
    )
    return {"service_point_id": point.pk, "hours": policy.hours}


# --------------------------------------------------------------------------- transits


@router.post("/circulation/transits", response={201: TransitOut})
def transit_send(request: HttpRequest, payload: TransitIn) -> Any:
    from shufang.circulation.services.transits import transit_send as send

    transit = send(
        item=_item(payload.barcode),
        to_service_point=_point(payload.to_service_point_id),
        reason=payload.reason,
        actor=api_actor(request),
    )
    return Status(201, transit)


@router.post("/circulation/transits/receive", response=CheckinOut)
def transit_receive(request: HttpRequest, payload: CheckinIn) -> Any:
    from shufang.circulation.services.transits import transit_receive as receive

    result = receive(
        item=_item(payload.barcode),
        service_point=_point(payload.service_point_id),
        actor=api_actor(request),
    )
    return _checkin_out(result)


# --------------------------------------------------------------------------- closures, modes


@router.post("/circulation/closures", response={201: ClosureOut})
def closure_declare(request: HttpRequest, payload: ClosureIn) -> Any:
    from shufang.circulation.services.closures import closure_declare as declare

    library = get_object_or_404(Library, pk=payload.library_id) if payload.library_id else None
    point = _point(payload.service_point_id) if payload.service_point_id else None
    closure = declare(
        start_date=payload.start_date,
        end_date=payload.end_date,
        reason=payload.reason,
        actor=api_actor(request),
        library=library,
        service_point=point,
    )
    return Status(201, closure)


@router.post("/circulation/service-modes", response={201: ModeOut})
def service_mode_set(request: HttpRequest, payload: ModeIn) -> Any:
    from shufang.circulation.services.modes import service_mode_set as set_mode

    period = set_mode(
        service_point=_point(payload.service_point_id),
        mode=payload.mode,
        start_date=payload.start_date,
        end_date=payload.end_date,
        reason=payload.reason,
        actor=api_actor(request),
    )
    return Status(201, period)


@router.get("/circulation/service-points/{service_point_id}/mode", response=ModeOnOut)
def service_mode_get(
    request: HttpRequest, service_point_id: int, day: dt.date | None = None
) -> Any:
    from django.utils import timezone

    from shufang.circulation.services.modes import service_mode_on

    point = _point(service_point_id)
    day = day or timezone.localdate()
    return {
        "service_point_id": point.pk,
        "day": day,
        "mode": service_mode_on(service_point=point, day=day),
    }


# --------------------------------------------------------------------------- deposits


@router.post("/circulation/deposits", response={201: DepositOut})
def deposit_create(request: HttpRequest, payload: DepositIn) -> Any:
    from shufang.circulation.services.deposits import deposit_create as create

    deposit = create(
        name=payload.name,
        borrower=get_object_or_404(
            Reader.objects.select_related("category"), pk=payload.borrower_id
        ),
        lent_from=_point(payload.lent_from_id),
        lent_on=payload.lent_on,
        due_on=payload.due_on,
        actor=api_actor(request),
        destination=_point(payload.destination_id) if payload.destination_id else None,
    )
    return Status(201, deposit)


def _deposit(deposit_id: int) -> Deposit:
    return get_object_or_404(
        Deposit.objects.select_related("borrower", "lent_from", "destination"), pk=deposit_id
    )


@router.post("/circulation/deposits/{deposit_id}/lend", response=DepositLendOut)
def deposit_lend(request: HttpRequest, deposit_id: int, payload: BarcodesIn) -> Any:
    from shufang.circulation.services.deposits import deposit_lend as lend

    deposit = _deposit(deposit_id)
    result = lend(deposit=deposit, barcodes=payload.barcodes, actor=api_actor(request))
    barcodes = dict(
        Item.objects.filter(pk__in=[loan.item_id for loan in result.lent]).values_list(
            "pk", "barcode"
        )
    )
    return {
        "lent": [barcodes[loan.item_id] for loan in result.lent],
        "refused": [vars(r) for r in result.refused],
    }


@router.post("/circulation/deposits/{deposit_id}/return", response=DepositReturnOut)
def deposit_return(request: HttpRequest, deposit_id: int, payload: BarcodesIn) -> Any:
    from shufang.circulation.services.deposits import deposit_return as give_back

    deposit = _deposit(deposit_id)
    point = _point(payload.service_point_id) if payload.service_point_id else None
    result = give_back(
        deposit=deposit, barcodes=payload.barcodes, actor=api_actor(request), service_point=point
    )
    returned_ids = [r.loan.item_id for r in result.returned if r.loan is not None]
    barcodes = dict(Item.objects.filter(pk__in=returned_ids).values_list("pk", "barcode"))
    return {
        "returned": [barcodes[i] for i in returned_ids],
        "missing": [item.barcode for item in result.missing],
        "not_in_deposit": result.not_in_deposit,
        "unknown": result.unknown,
        "refused": [vars(r) for r in result.refused],
        "complete": result.complete,
    }


__all__ = ["install", "router"]
