"""The kiosk simulator's pacing arithmetic: open-loop schedules, latency from the intended
send time, and the nearest-rank percentile the bench prints."""

from __future__ import annotations

import pytest

from shufang.sip2.pacing import Pacer, latency, percentile, phases


def test_a_paced_kiosk_sends_on_its_schedule_until_the_end():
    pacer = Pacer(start=100.0, end=101.0, rate=4.0, phase=0.1)

    sends = []
    while (planned := pacer.next_send(now=100.0)) is not None:
        sends.append(planned)

    assert [due for due, _wait in sends] == [100.1, 100.35, 100.6, 100.85]
    assert [round(wait, 6) for _due, wait in sends] == [0.1, 0.35, 0.6, 0.85]
    assert pacer.sent == 4


def test_a_late_answer_charges_the_next_request_from_its_intended_time():
    # given a kiosk at 10/s whose first answer took 0.25 s (due at 0.1, late by 0.15)
    pacer = Pacer(start=0.0, end=1.0, rate=10.0)
    first_due, first_wait = pacer.next_send(now=0.0)  # type: ignore[misc]
    first_received = 0.25

    # when it plans the next request at once
    second_due, second_wait = pacer.next_send(now=first_received)  # type: ignore[misc]
    second_received = first_received + 0.01  # answered in 10 ms once sent

    # then it goes out without waiting and its latency runs from 0.1, not from 0.25
    assert (first_due, first_wait) == (0.0, 0.0)
    assert (second_due, second_wait) == (0.1, 0.0)
    assert latency(intended=first_due, received=first_received) == 0.25
    assert latency(intended=second_due, received=second_received) == pytest.approx(0.16)


def test_a_closed_loop_kiosk_sends_at_once_and_stops_at_the_end():
    pacer = Pacer(start=0.0, end=5.0, rate=0.0)

    assert pacer.next_send(now=1.5) == (1.5, 0.0)
    assert pacer.next_send(now=4.999) == (4.999, 0.0)
    assert pacer.next_send(now=5.0) is None
    assert pacer.sent == 2


def test_phases_spread_the_kiosks_over_one_interval():
    assert phases(4, 2.0) == [0.0, 0.125, 0.25, 0.375]
    assert phases(3, 0.0) == [0.0, 0.0, 0.0]


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(100, 0, -1)]  # 1..100, unsorted

    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) == 0.0
