"""A call's quality as the agent's desktop measured it, on the wire: the
desktop sends it once the call has ended, the desk service stores it with
the call and gives it back to the agent and to team leads.

The record (the body of PUT /api/v1/agents/{agent}/call-quality/{call_id};
`call_id` is the SIP Call-ID of the agent's leg):

  {"queue_call": "<caller's uniqueid>" | "",    the desk service's queue call, if it was one
   "started_at": epoch, "ended_at": epoch,      when the call was answered and when it ended
   "level": "good" | "fair" | "poor", "reason": "packet loss 6 %" | "",
   "mos_min": 1..4.5, "mos_avg": 1..4.5,        the estimate's worst and average over the call
   "loss_pct": 0..100,                          packets lost on the way to the agent
   "remote_loss_pct": 0..100 | null,            ... to the other party, as its reports said (null: none)
   "jitter_avg_ms", "jitter_max_ms",            interarrival jitter of what the agent received
   "rtt_avg_ms": number | null,                 round trip (null: never measured)
   "codec": "PCMU", "transport": "udp" | "tcp" | "tls", "srtp": "yes" | "no" | "unknown",
   "samples": n}                                how many measurements the figures rest on

What the service sends back adds "agent", "call_id" and "received_at".
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Any

from .ids import is_uniqueid
from .queues import ModelError

GOOD = "good"
FAIR = "fair"
POOR = "poor"
LEVELS = (GOOD, FAIR, POOR)
SRTP_ANSWERS = ("yes", "no", "unknown")
TRANSPORTS = ("udp", "tcp", "tls", "unknown")
MOS_RANGE = (1.0, 4.5)
MAX_REASON = 120
MAX_CODEC = 40
# A SIP Call-ID is a word of printable characters (RFC 3261's "word"), in
# practice a UUID, maybe "@host"; anything else is not one.
SIP_CALL_ID = re.compile(r"[A-Za-z0-9\-.!%*_+`'~()<>:\\\"/\[\]?{}@]{1,200}")


def is_sip_call_id(text: str) -> bool:
    return SIP_CALL_ID.fullmatch(text) is not None


@dataclass(frozen=True)
class CallQuality:
    """One call's quality summary (see the module's docstring for each field)."""

    queue_call: str
    started_at: float
    ended_at: float
    level: str
    reason: str
    mos_min: float
    mos_avg: float
    loss_pct: float
    remote_loss_pct: float | None
    jitter_avg_ms: float
    jitter_max_ms: float
    rtt_avg_ms: float | None
    codec: str
    transport: str
    srtp: str
    samples: int


def dump_call_quality(quality: CallQuality) -> dict[str, Any]:
    return asdict(quality)


def parse_call_quality(data: dict[str, Any]) -> CallQuality:
    """The record, or ModelError with a sentence naming the first bad field."""
    queue_call = _text(data, "queue_call", 64)
    if queue_call and not is_uniqueid(queue_call):
        raise ModelError("'queue_call' must be the queue call's ID or empty")
    started_at, ended_at = _number(data, "started_at", 0, 4e9), _number(data, "ended_at", 0, 4e9)
    if ended_at < started_at:
        raise ModelError("'ended_at' must not be before 'started_at'")
    mos_min, mos_avg = _number(data, "mos_min", *MOS_RANGE), _number(data, "mos_avg", *MOS_RANGE)
    if mos_min > mos_avg:
        raise ModelError("'mos_min' must not be above 'mos_avg'")
    jitter_avg, jitter_max = _number(data, "jitter_avg_ms", 0, 60_000), _number(data, "jitter_max_ms", 0, 60_000)
    if jitter_avg > jitter_max:
        raise ModelError("'jitter_avg_ms' must not be above 'jitter_max_ms'")
    samples = data.get("samples")
    if not isinstance(samples, int) or isinstance(samples, bool) or not 1 <= samples <= 10_000_000:
        raise ModelError("'samples' must be a whole number of at least 1")
    return CallQuality(
        queue_call, started_at, ended_at, _choice(data, "level", LEVELS), _text(data, "reason", MAX_REASON),
        mos_min, mos_avg, _number(data, "loss_pct", 0, 100), _optional_number(data, "remote_loss_pct", 0, 100),
        jitter_avg, jitter_max, _optional_number(data, "rtt_avg_ms", 0, 60_000),
        _text(data, "codec", MAX_CODEC, required=True), _choice(data, "transport", TRANSPORTS),
        _choice(data, "srtp", SRTP_ANSWERS), samples,
    )


def _text(data: dict[str, Any], name: str, limit: int, required: bool = False) -> str:
    value = data.get(name, "")
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        need = "a non-empty text" if required else "a text"
        raise ModelError(f"'{name}' must be {need} of at most {limit} characters")
    return value


def _choice(data: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = data.get(name)
    if value not in allowed:
        raise ModelError(f"'{name}' must be one of {', '.join(allowed)}")
    return str(value)


def _number(data: dict[str, Any], name: str, low: float, high: float) -> float:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not low <= value <= high:
        raise ModelError(f"'{name}' must be a number from {low:g} to {high:g}")
    return float(value)


def _optional_number(data: dict[str, Any], name: str, low: float, high: float) -> float | None:
    return None if data.get(name) is None else _number(data, name, low, high)
