"""How good a call sounds, estimated from what the network does to it.

ITU-T G.107's E-model, in the simplified form call-quality monitors use
(no echo, noise or loudness terms: a softphone cannot measure them):

    R      = 93.2 − Id − Ie,eff
    Id     = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3)     d: one-way delay in ms, H: 0 below 177.3, else 1
    Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl + Bpl)          Ppl: packets lost in %, taken as random loss
    MOS    = 1 + 0.035·R + 7·10⁻⁶·R·(R − 60)·(100 − R)  (G.107 Annex B), kept within 1..4.5

The one-way delay d is how long a sound takes from one mouth to the other
ear, as far as the phone can tell: half the measured round trip, the time
the receiving jitter buffer holds each packet, and the one packet's worth
of audio (20 ms) the sender gathers before sending it.

Each direction of a call is estimated on its own (what the agent hears,
and what the other party hears as their side reports it); the worse one
is the call's. Pure Python: the phone's SIP thread and the tests use it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from agentdesk.contract.quality import FAIR, GOOD, POOR

R_BEST = 93.2  # the narrowband E-model's R with nothing impaired
PACKET_MS = 20.0  # the phone's frame (pjstack.FRAME_MS): audio gathered before a packet leaves
DELAY_KNEE_MS = 177.3
# Thresholds on MOS, from G.109's user-satisfaction bands of R: R 80 or more
# ("satisfied", MOS 4.03) is good; R 70 to 80 ("some users dissatisfied",
# MOS 3.60) fair; below R 70 ("many users dissatisfied") poor. A call centre
# wants the agent to know as soon as callers start to be dissatisfied.
GOOD_MOS = 4.0
FAIR_MOS = 3.6
# An impairment smaller than this (on R's scale) is not worth naming: it
# moves MOS by less than about 0.15.
MATERIAL_R = 5.0


@dataclass(frozen=True)
class Codec:
    """A codec's equipment impairment Ie and packet-loss robustness Bpl."""

    ie: float
    bpl: float


# G.113 Appendix I gives G.711 Ie 0 and, with packet loss concealment, Bpl
# 25.1: concealment that good would keep 3 % loss "good". What the agent
# really hears is kinder to nobody: tests/bench/bench_impaired_audio.py
# measures PESQ through an impaired wire, and pjmedia's G.711 loses 0.6 of
# a MOS point at 1 % random loss, 1.1 at 3 % and 1.4 at 5 %. Bpl 8 fits
# those falls best (least squares), so the estimate says what PESQ says:
# good up to about 1 %, fair to 2 %, poor from 2.5 %. G.113 rates G.722
# only on the wideband E-model's scale; on this narrowband scale it gets
# the same values (it falls at least as fast under loss in the same bench).
G711 = Codec(ie=0.0, bpl=8.0)
CODECS = {"PCMU": G711, "PCMA": G711, "G722": G711}
UNKNOWN_CODEC = G711  # the network's part of the estimate still holds; the codec's own is unknown


class Factor(enum.Enum):
    """What impairs a call most."""

    NONE = "none"  # nothing worth naming
    LOSS = "loss"
    DELAY = "delay"
    JITTER = "jitter"


@dataclass(frozen=True)
class PathFigures:
    """What one direction of a call suffers, over a recent interval."""

    loss_pct: float
    jitter_ms: float
    rtt_ms: float | None = None  # None: not measured yet
    jitter_buffer_ms: float | None = None  # None: not known (the far end's)

    @property
    def buffer_ms(self) -> float:
        """The jitter buffer's hold; unknown, an adaptive buffer's usual
        hold: twice the jitter, plus a frame."""
        if self.jitter_buffer_ms is not None:
            return self.jitter_buffer_ms
        return 2 * self.jitter_ms + PACKET_MS

    @property
    def network_ms(self) -> float:
        return self.rtt_ms / 2 if self.rtt_ms is not None else 0.0

    @property
    def one_way_ms(self) -> float:
        return self.network_ms + self.buffer_ms + PACKET_MS


@dataclass(frozen=True)
class Estimate:
    """The E-model's answer for one direction; `outbound` is the other
    party's side (what they hear of the agent)."""

    r: float
    mos: float
    level: str
    factor: Factor
    figures: PathFigures
    outbound: bool = False

    @property
    def reason(self) -> str:
        """What a person reads: "packet loss 6 %", "" when nothing stands out."""
        return reason_text(self.factor, self.figures, self.outbound)


def codec_of(name: str) -> Codec:
    return CODECS.get(name.upper().replace(".", ""), UNKNOWN_CODEC)


def delay_impairment(one_way_ms: float) -> float:
    over = one_way_ms - DELAY_KNEE_MS
    return 0.024 * one_way_ms + (0.11 * over if over > 0 else 0.0)


def loss_impairment(codec: Codec, loss_pct: float) -> float:
    """Ie,eff: the codec's impairment under random packet loss."""
    loss = min(max(loss_pct, 0.0), 100.0)
    return codec.ie + (95 - codec.ie) * loss / (loss + codec.bpl)


def mos_of(r: float) -> float:
    if r <= 0:
        return 1.0
    if r >= 100:
        return 4.5
    return min(4.5, max(1.0, 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r)))


def level_of(mos: float) -> str:
    if mos >= GOOD_MOS:
        return GOOD
    return FAIR if mos >= FAIR_MOS else POOR


def estimate(figures: PathFigures, codec_name: str, outbound: bool = False) -> Estimate:
    codec = codec_of(codec_name)
    one_way = figures.one_way_ms
    delay = delay_impairment(one_way)
    loss = loss_impairment(codec, figures.loss_pct)
    r = R_BEST - delay - loss
    mos = mos_of(r)
    # The delay impairment is shared between the network and the jitter
    # buffer by their parts of the delay (the sender's frame is nobody's fault).
    shares = {
        Factor.LOSS: loss - codec.ie,
        Factor.DELAY: delay * figures.network_ms / one_way,
        Factor.JITTER: delay * figures.buffer_ms / one_way,
    }
    factor = max(shares, key=lambda name: shares[name])
    if shares[factor] < MATERIAL_R:
        factor = Factor.NONE
    return Estimate(r, mos, level_of(mos), factor, figures, outbound)


def worse(first: Estimate, second: Estimate | None) -> Estimate:
    """The direction that sounds worse (the first on a tie)."""
    return second if second is not None and second.mos < first.mos else first


def figure(value: float) -> str:
    """6, 0.8, 12: one decimal below ten, none from ten up."""
    if value >= 10:
        return f"{value:.0f}"
    return f"{value:.1f}".removesuffix(".0")


def reason_text(factor: Factor, figures: PathFigures, outbound: bool = False) -> str:
    """In English, for logs and the desk service (the window says it in
    the agent's language: ui/phone/quality_label.py)."""
    towards = " towards the other party" if outbound else ""
    if factor is Factor.LOSS:
        return f"packet loss {figure(figures.loss_pct)} %{towards}"
    if factor is Factor.DELAY:
        return f"high delay ({figure(figures.rtt_ms or 0.0)} ms round trip)"
    if factor is Factor.JITTER:
        return f"jitter {figure(figures.jitter_ms)} ms{towards}"
    return ""
