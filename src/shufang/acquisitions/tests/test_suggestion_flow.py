"""The suggestion-to-loan flow: a reader suggests, another reader asks for the same title,
staff approve, the copy arrives, both readers hold it, the first borrows it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shufang.acquisitions.errors import (
    AlreadyHeld,
    AlreadySuggested,
    InvalidIsbn,
    QuotaExceeded,
    RulesRefuse,
)
from shufang.acquisitions.models import Suggestion, SuggestionRequest, SuggestionStatus
from shufang.acquisitions.selectors import budget_line_status, catalogue_check
from shufang.acquisitions.services.orders import order_line_receive
from shufang.acquisitions.services.suggestions import (
    suggestion_approve,
    suggestion_decline,
    suggestion_submit,
)
from shufang.catalogue.models import AcquisitionSource, Item, ItemStatus
from shufang.catalogue.services.items import item_set_status
from shufang.catalogue.states import Trigger
from shufang.circulation.models import Hold, HoldStatus, Notice, NoticeKind
from shufang.circulation.services.checkout import loan_checkout
from shufang.circulation.services.holds import hold_trap
from shufang.core.audit import Actor
from shufang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ISBN = "9787544291170"  # 百年孤独
READER = Actor(user=None, channel="opac", label="reader")


def _suggest(acq, reader, **kw):
    values = {"isbn": ISBN, "title": "百年孤独", "price": "55.00", "clc": "I775.45"}
    values.update(kw)
    return suggestion_submit(
        reader=reader, library=acq.net.library_a, channel="account", actor=READER, **values
    )


def test_a_suggestion_becomes_a_loan_to_the_reader_who_asked(acq) -> None:
    net = acq.net
    # given two readers suggesting one title: merged and counted
    first = _suggest(acq, net.reader_a)
    second = _suggest(acq, net.reader_b)
    assert second.pk == first.pk
    assert second.request_count == 2
    assert catalogue_check(library=net.library_a, isbn=ISBN).suggestion == first

    # when staff approve it on the open order and the copy arrives
    line = suggestion_approve(suggestion=first, order=acq.order, actor=acq.actor)
    assert line.copies == 1
    assert line.budget_line == acq.suggestions_line
    assert budget_line_status(line=acq.suggestions_line).committed == Decimal("55.00")
    assert catalogue_check(library=net.library_a, isbn=ISBN).on_order is True
    receipt = order_line_receive(line=line, copies=1, actor=acq.actor, barcodes=["C1000001"])

    # then the item is in processing, from a reader suggestion, at its price
    item = Item.objects.get(barcode="C1000001")
    assert list(receipt.items.all()) == [item]
    assert (item.status, item.acquisition_source, item.price) == (
        ItemStatus.IN_PROCESSING,
        AcquisitionSource.READER_SUGGESTION,
        Decimal("55.00"),
    )
    first.refresh_from_db()
    assert first.status == SuggestionStatus.RECEIVED
    holds = list(Hold.objects.filter(record=item.record).order_by("placed_at", "pk"))
    assert [h.reader for h in holds] == [net.reader_a, net.reader_b]
    assert sorted(
        Notice.objects.filter(kind="suggestion").values_list("reader_id", "dedupe_key")
    ) == sorted(
        [
            (r.reader_id, f"suggestion:{event}:{r.pk}")
            for r in SuggestionRequest.objects.filter(suggestion=first)
            for event in ("approved", "arrived")
        ]
    )

    # and once processed and set aside, the first reader borrows it
    item_set_status(item=item, to=ItemStatus.AVAILABLE, trigger=Trigger.CATALOGUED, actor=acq.actor)
    desk = Actor.system("desk")
    trapped = hold_trap(item=item, service_point=net.point_a, actor=desk)
    assert trapped is not None and trapped.reader == net.reader_a
    loan = loan_checkout(item=item, reader=net.reader_a, service_point=net.point_a, actor=desk)
    assert loan.item == item
    assert Hold.objects.get(pk=holds[0].pk).status == HoldStatus.FULFILLED


def test_declined_suggestion_tells_the_reader_why(acq) -> None:
    suggestion = _suggest(acq, acq.net.reader_a)

    suggestion_decline(suggestion=suggestion, reason="本馆已有同类图书", actor=acq.actor)

    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reason) == (SuggestionStatus.DECLINED, "本馆已有同类图书")
    notice = Notice.objects.get(kind="suggestion", reader=acq.net.reader_a)
    assert "本馆已有同类图书" in notice.body
    notice.full_clean()  # "suggestion" is one of circulation's notice kinds
    assert notice.kind == NoticeKind.SUGGESTION


def test_invalid_isbn_is_refused_and_nothing_is_written(acq) -> None:
    events = AuditEvent.objects.count()

    with pytest.raises(InvalidIsbn):
        _suggest(acq, acq.net.reader_a, isbn="9787544291171")

    assert Suggestion.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_a_title_already_held_is_refused_with_a_hint_to_place_a_hold(acq) -> None:
    with pytest.raises(AlreadyHeld) as refused:
        _suggest(acq, acq.net.reader_a, isbn="9787020002207", title="红楼梦")

    assert refused.value.code == "already_held"
    assert Suggestion.objects.count() == 0


def test_the_same_reader_cannot_suggest_a_title_twice(acq) -> None:
    _suggest(acq, acq.net.reader_a)

    with pytest.raises(AlreadySuggested):
        _suggest(acq, acq.net.reader_a)

    assert Suggestion.objects.get().request_count == 1
    assert SuggestionRequest.objects.count() == 1


def test_reader_over_the_yearly_quota_is_refused(acq) -> None:
    for n, isbn in enumerate(["9787532725694", "9787020024759", "9787506365437"]):
        _suggest(acq, acq.net.reader_a, isbn=isbn, title=f"书{n}")

    with pytest.raises(QuotaExceeded) as refused:
        _suggest(acq, acq.net.reader_a)

    assert refused.value.details == {"quota": 3, "used": 3}
    assert Suggestion.objects.count() == 3


def test_approval_is_refused_when_a_rule_is_broken_unless_overridden(acq) -> None:
    suggestion = _suggest(acq, acq.net.reader_a, price="188.00", clc="O13")

    with pytest.raises(RulesRefuse) as refused:
        suggestion_approve(suggestion=suggestion, order=acq.order, actor=acq.actor)

    assert refused.value.details == {"rules": ["price_cap", "excluded_class"]}
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.PENDING
    assert acq.order.lines.count() == 0

    line = suggestion_approve(
        suggestion=suggestion, order=acq.order, actor=acq.actor, override_rules=True
    )
    assert line.unit_price == Decimal("188.00")
