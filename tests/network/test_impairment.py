"""The wire's impairment model (tests/helpers/impairment.py) on its own:
the figures a benchmark quotes must be what the packets got."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest

from tests.helpers.impairment import GilbertElliott, Impairment, Shaper

PACKETS = 20000


def shaper(impairment: Impairment) -> Shaper:
    return Shaper(impairment, random.Random(7))


def departures(setting: Impairment, spacing: float = 0.02) -> list[float | None]:
    wire = shaper(setting)
    return [wire.departure(n * spacing) for n in range(PACKETS)]


def lost_runs(sent: list[float | None]) -> list[int]:
    runs, run = [], 0
    for departure in sent:
        if departure is None:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    return runs


def test_random_loss_loses_its_share_one_packet_at_a_time() -> None:
    sent = departures(Impairment(loss=0.05))
    assert sum(d is None for d in sent) / PACKETS == pytest.approx(0.05, abs=0.005)
    runs = lost_runs(sent)
    assert sum(runs) / len(runs) < 1.1


def test_bursty_loss_loses_its_share_in_bursts_of_the_length_asked() -> None:
    model = GilbertElliott.for_loss(0.05, burst=4)
    assert model.mean_loss == pytest.approx(0.05)
    sent = departures(Impairment(burst=model))
    assert sum(d is None for d in sent) / PACKETS == pytest.approx(0.05, abs=0.01)
    runs = lost_runs(sent)
    assert sum(runs) / len(runs) == pytest.approx(4, rel=0.2)


def test_a_fixed_delay_keeps_the_order() -> None:
    sent = departures(Impairment(delay_ms=40))
    assert sent[:3] == pytest.approx([0.04, 0.06, 0.08])


def test_jitter_stays_within_its_bounds_and_lets_packets_overtake() -> None:
    sent = [d for d in departures(Impairment(delay_ms=60, jitter_ms=40)) if d is not None]
    delays = [d - n * 0.02 for n, d in enumerate(sent)]
    assert 0.02 <= min(delays) < 0.022 and 0.098 < max(delays) <= 0.1
    assert any(later < earlier for earlier, later in pairwise(sent))


def test_reordered_packets_leave_at_once_ahead_of_delayed_ones() -> None:
    sent = departures(Impairment(delay_ms=50, reorder=0.25))
    at_once = [n for n, d in enumerate(sent) if d == pytest.approx(n * 0.02)]
    assert len(at_once) / PACKETS == pytest.approx(0.25, abs=0.02)


def test_an_outage_loses_everything_until_it_ends_then_nothing() -> None:
    wire = shaper(Impairment())
    wire.outage(now=1.0, seconds=5.0)
    assert [wire.departure(t) for t in (1.0, 3.0, 5.99)] == [None, None, None]
    assert wire.departure(6.0) == 6.0
    assert (wire.counters.seen, wire.counters.lost, wire.counters.outage_lost) == (4, 3, 3)


def test_a_setting_survives_its_trip_to_the_wire_process() -> None:
    setting = Impairment(loss=0.01, burst=GilbertElliott(0.1, 0.5, 0.9, 0.01), delay_ms=20, jitter_ms=5, reorder=0.1)
    assert Impairment.from_json(setting.to_json()) == setting


@pytest.mark.parametrize("bad", [{"loss": 1.5}, {"reorder": -0.1}, {"delay_ms": -1.0}, {"jitter_ms": -5.0}])
def test_impossible_settings_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Impairment.from_json(dict(bad))
