"""Each ended call's quality, where it goes: the phone reports a call's
summary just before the call's end (engine.callQualitySummary); it is kept
until the end arrives, then handed to the call's history entry and put in
the outbox for the desk service (link/quality_outbox.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from agentdesk.contract.quality import CallQuality, is_sip_call_id

from .link.quality_outbox import QualityOutbox, QualityRecord
from .phone.model import CallSnapshot
from .phone.qualitytrack import QualitySummary

log = logging.getLogger("agentdesk.desktop")

KEEP_UNCLAIMED = 20  # summaries whose call never reported its end (none should) are not kept forever


def call_quality(summary: QualitySummary, call: CallSnapshot, ended_at: float) -> CallQuality:
    """The record the desk service stores, for a call that has ended."""
    started_at = call.connected_at or call.started_at or ended_at
    return CallQuality(
        queue_call=call.queue_call, started_at=started_at, ended_at=max(ended_at, started_at),
        level=summary.level, reason=summary.reason, mos_min=round(summary.mos_min, 2),
        mos_avg=round(summary.mos_avg, 2), loss_pct=round(summary.loss_pct, 2),
        remote_loss_pct=None if summary.remote_loss_pct is None else round(summary.remote_loss_pct, 2),
        jitter_avg_ms=round(summary.jitter_avg_ms, 1), jitter_max_ms=round(summary.jitter_max_ms, 1),
        rtt_avg_ms=None if summary.rtt_avg_ms is None else round(summary.rtt_avg_ms, 1),
        codec=summary.codec[:40] or "unknown", transport=summary.transport, srtp=summary.srtp,
        samples=summary.samples,
    )


class CallQualityLog:
    """`summary_arrived(summary)` (from the engine), then `call_ended(call)`
    when that call's end arrives: returns the summary for the history and
    sends the record as `agent()` (the account's user)."""

    def __init__(self, outbox: QualityOutbox, agent: Callable[[], str],
                 clock: Callable[[], float] = time.time) -> None:
        self._outbox = outbox
        self._agent = agent
        self._clock = clock
        self._summaries: dict[int, QualitySummary] = {}

    def summary_arrived(self, summary: QualitySummary) -> None:
        self._summaries[summary.call_id] = summary
        while len(self._summaries) > KEEP_UNCLAIMED:
            del self._summaries[next(iter(self._summaries))]

    def call_ended(self, call: CallSnapshot) -> QualitySummary | None:
        summary = self._summaries.pop(call.call_id, None)
        if summary is None:
            return None
        agent, call_id = self._agent(), summary.sip_call_id or call.sip_call_id
        if not agent or not is_sip_call_id(call_id):
            log.warning("the quality of call %d is not sent: no agent or no SIP Call-ID", call.call_id)
            return summary
        self._outbox.submit(QualityRecord(agent, call_id, call_quality(summary, call, self._clock())))
        return summary
