"""What the tests' network wire (tests/helpers/netwire.py) does to packets,
without any network: the knobs of Linux's `tc netem` (which this kernel
lacks), decided per packet.

`Impairment` is one direction's setting; `Shaper` applies it packet by
packet and says when each packet leaves (or that it is lost). Semantics
follow netem so that figures compare with what people measure with it:
jitter is uniform within ±jitter_ms around delay_ms and lets packets
overtake each other (netem sorts its queue by departure time); reorder
sends a packet at once, ahead of those still delayed; bursty loss is the
Gilbert–Elliott model (netem's `loss gemodel p r 1-h 1-k`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class GilbertElliott:
    """Two-state loss: in the good state a packet is lost with `loss_good`,
    in the bad state with `loss_bad`; after each packet the state changes
    from good to bad with probability `p`, from bad to good with `r`."""

    p: float
    r: float
    loss_bad: float = 1.0
    loss_good: float = 0.0

    @classmethod
    def for_loss(cls, rate: float, burst: float) -> GilbertElliott:
        """Losing `rate` of the packets on average, in bursts of `burst`
        packets on average (every packet of a burst lost)."""
        if not 0 < rate < 1 or burst < 1:
            raise ValueError("rate must be within (0, 1) and burst at least 1 packet")
        r = 1 / burst
        return cls(p=rate * r / (1 - rate), r=r)

    @property
    def mean_loss(self) -> float:
        """The long-run share of packets lost."""
        bad = self.p / (self.p + self.r) if self.p + self.r else 0.0
        return bad * self.loss_bad + (1 - bad) * self.loss_good


@dataclass(frozen=True)
class Impairment:
    """One direction of the wire. Zero everywhere is a perfect wire."""

    loss: float = 0.0  # random, independent loss (0-1)
    burst: GilbertElliott | None = None  # bursty loss, on top of `loss`
    delay_ms: float = 0.0
    jitter_ms: float = 0.0  # uniform within ±jitter_ms around delay_ms
    reorder: float = 0.0  # share of packets sent at once, overtaking delayed ones

    def __post_init__(self) -> None:
        for name in ("loss", "reorder"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be within 0-1")
        if self.delay_ms < 0 or self.jitter_ms < 0:
            raise ValueError("delay and jitter cannot be negative")

    def to_json(self) -> dict[str, object]:
        burst = self.burst
        return {"loss": self.loss, "delay_ms": self.delay_ms, "jitter_ms": self.jitter_ms, "reorder": self.reorder,
                "burst": None if burst is None else [burst.p, burst.r, burst.loss_bad, burst.loss_good]}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Impairment:
        burst = data.get("burst")
        return cls(loss=_number(data, "loss"), delay_ms=_number(data, "delay_ms"),
                   jitter_ms=_number(data, "jitter_ms"), reorder=_number(data, "reorder"),
                   burst=GilbertElliott(*(float(x) for x in burst)) if isinstance(burst, list) else None)


def _number(data: dict[str, object], key: str) -> float:
    value = data.get(key, 0.0)
    if not isinstance(value, int | float):
        raise ValueError(f"{key} must be a number")
    return float(value)


@dataclass
class Counters:
    """What one direction did so far."""

    seen: int = 0
    lost: int = 0  # by loss, burst loss or outage
    outage_lost: int = 0


@dataclass
class Shaper:
    """Applies an Impairment to a stream of packets, one decision each."""

    impairment: Impairment = field(default_factory=Impairment)
    rng: random.Random = field(default_factory=random.Random)
    down_until: float = 0.0  # an outage: every packet before this time is lost
    counters: Counters = field(default_factory=Counters)
    _bad: bool = False  # the Gilbert–Elliott state

    def set(self, impairment: Impairment, seed: int | None = None) -> None:
        """From now on; a seed makes the next packets' fate repeatable."""
        self.impairment = impairment
        self._bad = False
        if seed is not None:
            self.rng.seed(seed)

    def outage(self, now: float, seconds: float) -> None:
        self.down_until = now + seconds

    def departure(self, now: float) -> float | None:
        """When a packet that arrives at `now` leaves the wire; None: lost."""
        self.counters.seen += 1
        if now < self.down_until:
            self.counters.lost += 1
            self.counters.outage_lost += 1
            return None
        if self._lost():
            self.counters.lost += 1
            return None
        setting = self.impairment
        if setting.reorder and self.rng.random() < setting.reorder:
            return now
        delay = setting.delay_ms
        if setting.jitter_ms:
            delay += self.rng.uniform(-setting.jitter_ms, setting.jitter_ms)
        return now + max(0.0, delay) / 1000

    def _lost(self) -> bool:
        setting, rng = self.impairment, self.rng
        lost = bool(setting.loss) and rng.random() < setting.loss
        burst = setting.burst
        if burst is not None:
            lost = rng.random() < (burst.loss_bad if self._bad else burst.loss_good) or lost
            self._bad = rng.random() >= burst.r if self._bad else rng.random() < burst.p
        return lost
