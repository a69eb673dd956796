"""The call-quality estimate (phone/quality.py): the E-model against points
worked out by hand from G.107 and G.113's figures, the levels a person
reads and the reason they are given."""

from __future__ import annotations

import pytest

from agentdesk.contract.quality import FAIR, GOOD, POOR
from agentdesk.desktop.phone.quality import G711 as G711_VALUES
from agentdesk.desktop.phone.quality import (
    Factor,
    PathFigures,
    delay_impairment,
    estimate,
    level_of,
    loss_impairment,
    mos_of,
    reason_text,
)

LAN = PathFigures(loss_pct=0.0, jitter_ms=2.0, rtt_ms=2.0, jitter_buffer_ms=40.0)


def with_(figures: PathFigures = LAN, **changes: float | None) -> PathFigures:
    values = {"loss_pct": figures.loss_pct, "jitter_ms": figures.jitter_ms, "rtt_ms": figures.rtt_ms,
              "jitter_buffer_ms": figures.jitter_buffer_ms, **changes}
    return PathFigures(**values)  # type: ignore[arg-type]


def test_mos_from_r_follows_g107_annex_b() -> None:
    assert mos_of(93.2) == pytest.approx(4.41, abs=0.005)
    assert mos_of(80) == pytest.approx(4.02, abs=0.005)  # the edge of "users satisfied"
    assert mos_of(70) == pytest.approx(3.60, abs=0.005)  # ... of "some users dissatisfied"
    assert mos_of(50) == pytest.approx(2.58, abs=0.005)
    assert mos_of(-5) == 1.0 and mos_of(0) == 1.0
    assert mos_of(120) == 4.5
    assert all(1.0 <= mos_of(r / 10) <= 4.5 for r in range(0, 1001))


def test_delay_costs_little_until_the_knee_at_177_ms() -> None:
    assert delay_impairment(100) == pytest.approx(2.4)
    assert delay_impairment(177.3) == pytest.approx(4.255, abs=0.001)
    assert delay_impairment(300) == pytest.approx(0.024 * 300 + 0.11 * (300 - 177.3))


def test_loss_impairment_uses_the_bpl_measured_for_pjmedias_concealment() -> None:
    assert loss_impairment(G711_VALUES, 0) == 0
    assert loss_impairment(G711_VALUES, 8) == pytest.approx(95 * 8 / (8 + 8.0))
    assert loss_impairment(G711_VALUES, 100) < 95


@pytest.mark.parametrize("codec", ["PCMU", "PCMA", "G722"])
def test_a_clean_call_is_good_at_about_4_4(codec: str) -> None:
    result = estimate(LAN, codec)
    assert result.mos == pytest.approx(4.4, abs=0.05)
    assert result.level == GOOD
    assert result.factor is Factor.NONE and result.reason == ""


def test_eight_percent_random_loss_on_g711_is_poor() -> None:
    result = estimate(with_(loss_pct=8.0), "PCMU")
    assert result.level == POOR
    assert result.mos < 3.6
    assert result.factor is Factor.LOSS
    assert result.reason == "packet loss 8 %"


def test_more_loss_only_makes_it_worse() -> None:
    scores = [estimate(with_(loss_pct=loss), "PCMA").mos for loss in (0, 1, 2, 4, 6, 8, 12, 20, 40)]
    assert scores == sorted(scores, reverse=True)
    assert scores[-1] < 2.0


def test_the_levels_sit_on_g109s_satisfaction_bands() -> None:
    assert level_of(4.0) == GOOD and level_of(3.99) == FAIR
    assert level_of(3.6) == FAIR and level_of(3.59) == POOR
    # Half a percent of loss is still good; from about one and a half,
    # callers hear it (what PESQ measured through pjmedia's concealment).
    assert estimate(with_(loss_pct=0.5), "PCMU").level == GOOD
    fair = estimate(with_(loss_pct=1.5), "PCMU")
    assert fair.level == FAIR and fair.reason == "packet loss 1.5 %"
    assert estimate(with_(loss_pct=3.0), "PCMU").level == POOR


def test_a_long_round_trip_is_named_as_delay() -> None:
    result = estimate(with_(rtt_ms=420.0), "PCMU")
    assert result.level == FAIR
    assert result.factor is Factor.DELAY
    assert result.reason == "high delay (420 ms round trip)"
    assert estimate(with_(rtt_ms=900.0), "PCMU").level == POOR


def test_a_deep_jitter_buffer_is_named_as_jitter() -> None:
    result = estimate(with_(jitter_ms=80.0, jitter_buffer_ms=300.0), "PCMU")
    assert result.factor is Factor.JITTER
    assert result.reason == "jitter 80 ms"
    assert result.level in (FAIR, POOR)


def test_an_unknown_jitter_buffer_is_taken_as_twice_the_jitter() -> None:
    far_end = PathFigures(loss_pct=0.0, jitter_ms=30.0, rtt_ms=2.0)
    assert far_end.buffer_ms == 80.0
    assert far_end.one_way_ms == pytest.approx(1 + 80 + 20)


def test_the_worst_factor_is_the_one_named() -> None:
    result = estimate(with_(loss_pct=7.0, rtt_ms=300.0), "PCMU")
    assert result.factor is Factor.LOSS  # loss costs about 21 on R's scale, the delay about 4
    assert result.level == POOR


def test_the_other_partys_side_says_so() -> None:
    assert reason_text(Factor.LOSS, with_(loss_pct=5.5), outbound=True) == "packet loss 5.5 % towards the other party"
    assert reason_text(Factor.JITTER, with_(jitter_ms=42.0), outbound=True) == "jitter 42 ms towards the other party"


def test_an_unmeasured_round_trip_adds_no_network_delay() -> None:
    unmeasured = estimate(with_(rtt_ms=None), "PCMU")
    assert unmeasured.figures.network_ms == 0
    assert unmeasured.mos >= estimate(LAN, "PCMU").mos
