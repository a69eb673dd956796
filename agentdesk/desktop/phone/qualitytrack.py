"""One call's quality over time, from the readings of its audio stream the
SIP stack takes every few seconds (qualitywatch.py).

A reading holds counters since the stream started; the tracker turns two
readings into what happened in between, estimates each direction over the
last WINDOW readings (so a burst of loss shows within seconds and is
forgotten as quickly) and keeps the whole call's figures for its summary.
Pure Python, no pjsua2: the tests feed it readings of their own.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from agentdesk.contract.quality import GOOD

from .quality import Estimate, PathFigures, estimate, level_of, worse

WINDOW = 5  # readings (about 10 s) the recent loss is counted over


@dataclass(frozen=True)
class StreamSample:
    """One reading of a call's audio stream; counts since the stream started."""

    codec: str  # "PCMU", "PCMA", "G722"
    received: int  # RTP packets that arrived
    lost: int  # packets that never arrived (gaps in the sequence numbers)
    discarded: int  # packets that came too late (or too early) for the jitter buffer
    jitter_ms: float  # interarrival jitter of what arrives
    jitter_buffer_ms: float | None  # how long the jitter buffer holds audio, on average
    rtt_ms: float | None  # round trip from RTCP; None until measured
    sent: int  # RTP packets sent
    remote_reports: int  # RTCP reports the other side sent about what it receives from us
    remote_lost: int  # what those reports count as lost of it
    remote_jitter_ms: float  # the jitter they see
    transport: str  # SIP transport of the call: udp, tcp, tls or unknown
    srtp: str  # whether the audio is encrypted: yes, no or unknown
    sip_call_id: str = ""  # the call leg's SIP Call-ID


@dataclass(frozen=True)
class QualityReport:
    """How a live call sounds now (the worse of its two directions)."""

    call_id: int
    estimate: Estimate
    loss_pct: float  # lost on the way to the agent, over the last readings
    remote_loss_pct: float | None  # lost on the way to the other party (None: no report from them yet)
    jitter_ms: float
    rtt_ms: float | None
    codec: str
    transport: str
    srtp: str

    @property
    def level(self) -> str:
        return self.estimate.level

    @property
    def reason(self) -> str:
        return self.estimate.reason

    @property
    def mos(self) -> float:
        return self.estimate.mos


@dataclass(frozen=True)
class QualitySummary:
    """A whole call's quality, once it has ended."""

    call_id: int
    samples: int
    mos_min: float
    mos_avg: float
    level: str  # the average's
    reason: str  # what was wrong at the worst moment ('' if that moment was good)
    loss_pct: float
    remote_loss_pct: float | None
    jitter_avg_ms: float
    jitter_max_ms: float
    rtt_avg_ms: float | None
    codec: str
    transport: str
    srtp: str
    sip_call_id: str


@dataclass
class _Totals:
    """The whole call's figures."""

    expected: int = 0
    impaired: int = 0
    remote_sent: int = 0
    remote_lost: int = 0
    samples: int = 0
    mos_sum: float = 0.0
    jitter_sum: float = 0.0
    jitter_max: float = 0.0
    rtt_sum: float = 0.0
    rtt_count: int = 0
    worst: Estimate | None = None


ZERO = StreamSample("", 0, 0, 0, 0.0, None, None, 0, 0, 0, 0.0, "unknown", "unknown")


class CallQualityTracker:
    def __init__(self, call_id: int) -> None:
        self.call_id = call_id
        self._last = ZERO  # a new stream's counters start from nothing
        self._mark = ZERO  # the reading at which the other side's last report was first seen
        self._recent: deque[tuple[int, int]] = deque(maxlen=WINDOW)  # (expected, impaired)
        self._remote: deque[tuple[int, int]] = deque(maxlen=WINDOW)  # (sent, lost) between their reports
        self._totals = _Totals()
        self._latest: StreamSample | None = None

    def add(self, sample: StreamSample) -> QualityReport | None:
        """The report for this reading; None while nothing arrives (the call
        is on hold, or the stream has just started)."""
        previous, self._last = self._last, sample
        if sample.received < previous.received or sample.sent < previous.sent:
            previous = ZERO  # the stream was made anew (a re-INVITE): its counters restarted
            self._mark = ZERO
        self._count_remote(sample)
        received = sample.received - previous.received
        if received <= 0:
            return None
        lost = max(0, sample.lost - previous.lost)
        discarded = max(0, sample.discarded - previous.discarded)
        self._recent.append((received + lost, lost + discarded))
        self._totals.expected += received + lost
        self._totals.impaired += lost + discarded
        return self._report(sample)

    def _count_remote(self, sample: StreamSample) -> None:
        if sample.remote_reports < self._mark.remote_reports:
            self._mark = ZERO
        if sample.remote_reports == self._mark.remote_reports:
            return
        sent = sample.sent - self._mark.sent
        lost = max(0, sample.remote_lost - self._mark.remote_lost)
        self._mark = sample
        if sent > 0:
            self._remote.append((sent, lost))
            self._totals.remote_sent += sent
            self._totals.remote_lost += lost

    def _report(self, sample: StreamSample) -> QualityReport:
        loss = _percent(self._recent)
        remote_loss = _percent(self._remote) if self._remote else None
        heard = estimate(PathFigures(loss, sample.jitter_ms, sample.rtt_ms, sample.jitter_buffer_ms), sample.codec)
        told = None
        if remote_loss is not None:
            figures = PathFigures(remote_loss, sample.remote_jitter_ms, sample.rtt_ms)
            told = estimate(figures, sample.codec, outbound=True)
        now = worse(heard, told)
        self._remember(sample, now)
        return QualityReport(self.call_id, now, loss, remote_loss, sample.jitter_ms, sample.rtt_ms, sample.codec,
                             sample.transport, sample.srtp)

    def _remember(self, sample: StreamSample, now: Estimate) -> None:
        totals = self._totals
        totals.samples += 1
        totals.mos_sum += now.mos
        totals.jitter_sum += sample.jitter_ms
        totals.jitter_max = max(totals.jitter_max, sample.jitter_ms)
        if sample.rtt_ms is not None:
            totals.rtt_sum += sample.rtt_ms
            totals.rtt_count += 1
        if totals.worst is None or now.mos < totals.worst.mos:
            totals.worst = now
        self._latest = sample

    def summary(self) -> QualitySummary | None:
        """The whole call; None if it never carried audio to estimate."""
        totals, latest = self._totals, self._latest
        if totals.worst is None or latest is None:
            return None
        average = totals.mos_sum / totals.samples
        worst = totals.worst
        return QualitySummary(
            self.call_id, totals.samples, worst.mos, max(average, worst.mos), level_of(average),
            worst.reason if worst.level != GOOD else "",
            _ratio(totals.impaired, totals.expected),
            _ratio(totals.remote_lost, totals.remote_sent) if totals.remote_sent else None,
            totals.jitter_sum / totals.samples, totals.jitter_max,
            totals.rtt_sum / totals.rtt_count if totals.rtt_count else None,
            latest.codec, latest.transport, latest.srtp, latest.sip_call_id,
        )


def srtp_answer(policy: str | None, secure_profile: bool) -> str:
    """Whether a call's audio is encrypted: yes, no or unknown. `policy` is
    how the call's SRTP was set up (disabled, optional, mandatory; None: the
    stack was not told), `secure_profile` whether the media line agreed on
    is RTP/SAVP (or DTLS-SRTP). Optional SRTP on a plain RTP/AVP line may or
    may not carry keys: unknown, not a guess."""
    if secure_profile or policy == "mandatory":
        return "yes"
    return "no" if policy == "disabled" else "unknown"


def transport_of_contact(contact: str) -> str:
    """The SIP transport of a call from its local Contact: a transport
    parameter, else sips: (TLS), else a sip: URI's default, UDP."""
    text = contact.lower()
    found = re.search(r";\s*transport=([a-z0-9]+)", text)
    if found:
        return found.group(1) if found.group(1) in ("udp", "tcp", "tls") else "unknown"
    if "sips:" in text:
        return "tls"
    return "udp" if "sip:" in text else "unknown"


def _percent(counts: deque[tuple[int, int]]) -> float:
    return _ratio(sum(bad for _, bad in counts), sum(total for total, _ in counts))


def _ratio(part: int, whole: int) -> float:
    return min(100.0, 100.0 * part / whole) if whole > 0 else 0.0
