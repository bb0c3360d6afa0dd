"""Emergency closures. Calendars (see conftest): the main building is open Tuesday to Sunday
(closed Mondays), the kiosk every day (its loans follow the main building), Yulong Monday to
Friday. March 2024: Tue 5, Wed 6, Thu 7, Fri 8, Sat 9, Sun 10, Mon 11, Tue 12."""

from __future__ import annotations

import datetime as dt

import pytest

from shufang.circulation.models import (
    CirculationChannel,
    Closure,
    Hold,
    HoldStatus,
    Loan,
    LoanStatus,
    Notice,
    NoticeKind,
)
from shufang.circulation.services.closures import closure_declare
from shufang.circulation.services.fines import overdue_days
from shufang.circulation.tests.conftest import TZ, local_date
from shufang.core.audit import Actor
from shufang.core.exceptions import PermissionDenied, ValidationFailed
from shufang.core.models import AuditEvent
from shufang.network.models import CalendarException
from shufang.network.selectors import calendar_for
from shufang.network.services import calendar_exception_add

pytestmark = pytest.mark.django_db

D = dt.date


def due_day(loan: Loan) -> dt.date:
    loan.refresh_from_db()
    return local_date(loan.due_at)


def test_loans_due_inside_the_closure_move_to_the_first_open_day_after_it(
    make_item, make_loan, reader, main, system_actor, rules
):
    # given loans due before, inside and after a closure of the main building Wed-Sat
    before = make_loan(make_item(), reader, D(2024, 3, 5))
    first = make_loan(make_item(), reader, D(2024, 3, 6))
    last = make_loan(make_item(), reader, D(2024, 3, 9))
    after = make_loan(make_item(), reader, D(2024, 3, 10))
    # when
    closure = closure_declare(
        start_date=D(2024, 3, 6),
        end_date=D(2024, 3, 9),
        reason="设备检修",
        service_point=main,
        actor=system_actor,
    )
    # then the two inside are due on Sunday, at the end of the day
    assert [due_day(x) for x in (before, first, last, after)] == [
        D(2024, 3, 5),
        D(2024, 3, 10),
        D(2024, 3, 10),
        D(2024, 3, 10),
    ]
    first.refresh_from_db()
    assert first.due_at.astimezone(TZ).time() == dt.time(23, 59, 59)
    assert (closure.loans_moved, closure.holds_moved) == (2, 0)


def test_due_dates_never_land_on_a_normally_closed_day(
    make_item, make_loan, reader, main, system_actor, rules
):
    # given a closure ending on Sunday: the day after is Monday, when the main building is shut
    loan = make_loan(make_item(), reader, D(2024, 3, 8))
    # when
    closure_declare(
        start_date=D(2024, 3, 7),
        end_date=D(2024, 3, 10),
        reason="疫情防控",
        service_point=main,
        actor=system_actor,
    )
    # then it is due on Tuesday
    assert due_day(loan) == D(2024, 3, 12)


def test_due_dates_skip_a_holiday_after_the_closure(
    make_item, make_loan, reader, main, system_actor, rules
):
    # given a network holiday on Tuesday 12 right after a closure ending on Sunday
    calendar_exception_add(
        kind="holiday",
        start_date=D(2024, 3, 12),
        end_date=D(2024, 3, 12),
        reason="假日",
        actor=system_actor,
    )
    loan = make_loan(make_item(), reader, D(2024, 3, 9))
    # when
    closure_declare(
        start_date=D(2024, 3, 9),
        end_date=D(2024, 3, 10),
        reason="停电",
        service_point=main,
        actor=system_actor,
    )
    # then
    assert due_day(loan) == D(2024, 3, 13)


def test_loans_of_other_service_points_and_closed_loans_stay(
    make_item, make_loan, reader, main, yl_main, system_actor, rules
):
    # given
    at_yulong = make_loan(make_item(home=yl_main), reader, D(2024, 3, 7), service_point=yl_main)
    returned = make_loan(make_item(), reader, D(2024, 3, 7), status=LoanStatus.RETURNED)
    lost = make_loan(make_item(), reader, D(2024, 3, 7), status=LoanStatus.LOST)
    claimed = make_loan(make_item(), reader, D(2024, 3, 7), status=LoanStatus.CLAIMS_RETURNED)
    # when
    closure = closure_declare(
        start_date=D(2024, 3, 6),
        end_date=D(2024, 3, 8),
        reason="检修",
        service_point=main,
        actor=system_actor,
    )
    # then only the open loan of the main building (claimed returned is still open) moved
    assert [due_day(x) for x in (at_yulong, returned, lost, claimed)] == [
        D(2024, 3, 7),
        D(2024, 3, 7),
        D(2024, 3, 7),
        D(2024, 3, 9),
    ]
    assert closure.loans_moved == 1


def test_closing_the_main_building_moves_kiosk_loans_too(
    make_item, make_loan, reader, main, kiosk, system_actor, rules
):
    # given a kiosk loan: kiosk loans are returned at (and due by) the main building
    loan = make_loan(make_item(), reader, D(2024, 3, 7), service_point=kiosk)
    # when
    closure_declare(
        start_date=D(2024, 3, 6),
        end_date=D(2024, 3, 8),
        reason="检修",
        service_point=main,
        actor=system_actor,
    )
    # then
    assert due_day(loan) == D(2024, 3, 9)


def test_closing_only_the_kiosk_moves_nothing(
    make_item, make_loan, reader, main, kiosk, system_actor, rules
):
    # given
    loan = make_loan(make_item(), reader, D(2024, 3, 7), service_point=kiosk)
    # when
    closure = closure_declare(
        start_date=D(2024, 3, 6),
        end_date=D(2024, 3, 8),
        reason="机器故障",
        service_point=kiosk,
        actor=system_actor,
    )
    # then the main building, where the loan is returned, is open: nothing moves
    assert due_day(loan) == D(2024, 3, 7)
    assert closure.loans_moved == 0
    assert Notice.objects.count() == 0


def test_library_closure_moves_its_points_only(
    make_item, make_loan, reader, lj, main, kiosk, yl_main, system_actor, rules
):
    # given
    at_main = make_loan(make_item(), reader, D(2024, 3, 7))
    at_kiosk = make_loan(make_item(), reader, D(2024, 3, 7), service_point=kiosk)
    at_yulong = make_loan(make_item(home=yl_main), reader, D(2024, 3, 7), service_point=yl_main)
    # when
    closure = closure_declare(
        start_date=D(2024, 3, 6),
        end_date=D(2024, 3, 8),
        reason="馆舍维修",
        library=lj,
        actor=system_actor,
    )
    # then
    assert [due_day(x) for x in (at_main, at_kiosk, at_yulong)] == [
        D(2024, 3, 9),
        D(2024, 3, 9),
        D(2024, 3, 7),
    ]
    assert closure.loans_moved == 2
    assert closure.calendar_exception.library_id == lj.pk


def test_network_closure_moves_each_loan_by_its_own_calendar(
    make_item, make_loan, reader, main, yl_main, system_actor, rules
):
    # given
    at_main = make_loan(make_item(), reader, D(2024, 3, 7))
    at_yulong = make_loan(make_item(home=yl_main), reader, D(2024, 3, 7), service_point=yl_main)
    # when the whole network closes Wed-Fri
    closure = closure_declare(
        start_date=D(2024, 3, 6), end_date=D(2024, 3, 8), reason="疫情防控", actor=system_actor
    )
    # then the main building reopens on Saturday, Yulong (closed at weekends) on Monday
    assert [due_day(at_main), due_day(at_yulong)] == [D(2024, 3, 9), D(2024, 3, 11)]
    assert closure.loans_moved == 2
    assert (closure.library_id, closure.service_point_id) == (None, None)


def test_a_point_open_by_special_hours_inside_a_library_closure_keeps_that_day(
    make_item, make_loan, reader, lj, main, system_actor, rules
):
    # given special hours for the main building itself on Friday 8 (more specific than a
    # library closure)
    calendar_exception_add(
        kind="special_hours",
        start_date=D(2024, 3, 8),
        end_date=D(2024, 3, 8),
        reason="还书日",
        service_point=main,
        opens=dt.time(9),
        closes=dt.time(12),
        actor=system_actor,
    )
    on_thursday = make_loan(make_item(), reader, D(2024, 3, 7))
    on_friday = make_loan(make_item(), reader, D(2024, 3, 8))
    # when
    closure_declare(
        start_date=D(2024, 3, 6),
        end_date=D(2024, 3, 9),
        reason="维修",
        library=lj,
        actor=system_actor,
    )
    # then Thursday's loan moves to the open Friday, Friday's stays
    assert [due_day(on_thursday), due_day(on_friday)] == [D(2024, 3, 8), D(2024, 3, 8)]


def make_ready_hold(reader, item, pickup, last_day) -> Hold:
    return Hold.objects.create(
        reader=reader,
        record=item.record,
        pickup_service_point=pickup,
        channel=CirculationChannel.OPAC,
        status=HoldStatus.READY,
        trapped_item=item,
        shelf_expires_on=last_day,
    )


def test_hold_shelf_expiries_inside_the_closure_move(
    make_item, reader, other_reader, main, yl_main, system_actor, rules
):
    # given ready holds at the main building (inside and after) and at Yulong (inside)
    inside = make_ready_hold(reader, make_item(), main, D(2024, 3, 7))
    after = make_ready_hold(other_reader, make_item(), main, D(2024, 3, 12))
    elsewhere = make_ready_hold(other_reader, make_item(home=yl_main), yl_main, D(2024, 3, 7))
    waiting = Hold.objects.create(
        reader=other_reader,
        record=inside.record,
        pickup_service_point=main,
        channel=CirculationChannel.OPAC,
    )
    # when
    closure = closure_declare(
        start_date=D(2024, 3, 6),
        end_date=D(2024, 3, 10),
        reason="检修",
        service_point=main,
        actor=system_actor,
    )
    # then Monday is closed: the hold waits until Tuesday
    for hold in (inside, after, elsewhere, waiting):
        hold.refresh_from_db()
    assert [inside.shelf_expires_on, after.shelf_expires_on, elsewhere.shelf_expires_on] == [
        D(2024, 3, 12),
        D(2024, 3, 12),
        D(2024, 3, 7),
    ]
    assert (waiting.status, waiting.shelf_expires_on) == (HoldStatus.WAITING, None)
    assert closure.holds_moved == 1


def test_each_affected_reader_gets_one_closure_notice(
    make_item, make_loan, reader, other_reader, child_reader, main, system_actor, rules
):
    # given a reader with two loans inside, one with a hold inside, one with nothing inside
    make_loan(make_item(), reader, D(2024, 3, 7))
    make_loan(make_item(), reader, D(2024, 3, 8))
    make_ready_hold(other_reader, make_item(), main, D(2024, 3, 7))
    make_loan(make_item(), child_reader, D(2024, 3, 20))
    # when
    closure = closure_declare(
        start_date=D(2024, 3, 6),
        end_date=D(2024, 3, 8),
        reason="疫情防控",
        service_point=main,
        actor=system_actor,
    )
    # then
    notices = list(
        Notice.objects.order_by("reader_id").values_list("reader_id", "kind", "dedupe_key")
    )
    assert notices == [
        (reader.pk, NoticeKind.CLOSURE, f"closure:{closure.pk}:{reader.pk}"),
        (other_reader.pk, NoticeKind.CLOSURE, f"closure:{closure.pk}:{other_reader.pk}"),
    ]
    body = Notice.objects.get(reader=reader).body
    assert (
        "2024-03-06" in body and "2024-03-08" in body and "疫情防控" in body and main.name in body
    )


def test_closure_writes_two_audit_events_whatever_the_number_of_loans(
    make_item, make_loan, reader, main, system_actor, rules
):
    # given
    for day in (6, 7, 7, 8):
        make_loan(make_item(), reader, D(2024, 3, day))
    # when
    closure = closure_declare(
        start_date=D(2024, 3, 6),
        end_date=D(2024, 3, 8),
        reason="检修",
        service_point=main,
        actor=system_actor,
    )
    # then
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == ["calendar_exception.added", "closure.declared"]
    assert events[1].object_id == str(closure.pk)
    assert events[1].changes["loans_moved"] == 4
    assert events[1].changes["notices_queued"] == 1
    assert events[1].library_id == main.library_id


def test_closure_queries_do_not_grow_with_the_loans(
    make_item, make_loan, make_reader, main, system_actor, rules, django_assert_max_num_queries
):
    # given 40 loans of 20 readers over 4 days
    for n in range(20):
        someone = make_reader(f"读者{n}")
        for day in (6, 7, 8, 9):
            if (n + day) % 2:
                make_loan(make_item(), someone, D(2024, 3, day))
                make_loan(make_item(), someone, D(2024, 3, day))
    assert Loan.objects.count() == 80
    # when / then
    with django_assert_max_num_queries(30):
        closure = closure_declare(
            start_date=D(2024, 3, 6),
            end_date=D(2024, 3, 9),
            reason="检修",
            service_point=main,
            actor=system_actor,
        )
    assert closure.loans_moved == 80
    assert Notice.objects.count() == 20


def test_no_fine_accrues_for_the_closed_days(
    make_item, make_loan, reader, main, system_actor, rules
):
    # given a loan due Tuesday 5, then a closure Wed 6 - Tue 12
    closure_declare(
        start_date=D(2024, 3, 6),
        end_date=D(2024, 3, 12),
        reason="疫情防控",
        service_point=main,
        actor=system_actor,
    )
    calendar = calendar_for(service_point=main)
    # when returned on Thursday 14 / then only Wed 13 and Thu 14 count
    assert overdue_days(due=D(2024, 3, 5), returned=D(2024, 3, 14), calendar=calendar) == 2
    # and a Monday (normally closed) never counts either
    assert overdue_days(due=D(2024, 3, 15), returned=D(2024, 3, 19), calendar=calendar) == 3


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        (D(2024, 3, 6), D(2024, 3, 5), "检修"),  # ends before it starts
        (D(2024, 3, 6), D(2024, 3, 8), "  "),  # no reason
    ],
)
def test_invalid_closure_is_refused_and_changes_nothing(
    make_item, make_loan, reader, main, system_actor, rules, start, end, reason
):
    loan = make_loan(make_item(), reader, D(2024, 3, 7))
    with pytest.raises(ValidationFailed):
        closure_declare(
            start_date=start, end_date=end, reason=reason, service_point=main, actor=system_actor
        )
    assert due_day(loan) == D(2024, 3, 7)
    assert (Closure.objects.count(), CalendarException.objects.count()) == (0, 0)
    assert (Notice.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_circulation_clerk_cannot_declare_a_closure(
    make_item, make_loan, reader, main, clerk_actor, rules
):
    loan = make_loan(make_item(), reader, D(2024, 3, 7))
    with pytest.raises(PermissionDenied):
        closure_declare(
            start_date=D(2024, 3, 6),
            end_date=D(2024, 3, 8),
            reason="检修",
            service_point=main,
            actor=clerk_actor,
        )
    assert due_day(loan) == D(2024, 3, 7)
    assert (Closure.objects.count(), CalendarException.objects.count()) == (0, 0)


def test_branch_manager_closes_their_own_library_but_not_the_network(
    make_item, make_loan, reader, lj, main, manager_actor, rules
):
    closure_declare(
        start_date=D(2024, 3, 6),
        end_date=D(2024, 3, 8),
        reason="检修",
        library=lj,
        actor=manager_actor,
    )
    with pytest.raises(PermissionDenied):
        closure_declare(
            start_date=D(2024, 4, 6),
            end_date=D(2024, 4, 8),
            reason="检修",
            actor=manager_actor,
        )
    assert Closure.objects.count() == 1


def test_system_actor_label_is_recorded(main, rules):
    closure_declare(
        start_date=D(2024, 3, 6),
        end_date=D(2024, 3, 8),
        reason="检修",
        service_point=main,
        actor=Actor.system("emergency"),
    )
    assert AuditEvent.objects.get(action="closure.declared").actor_label == "emergency"
