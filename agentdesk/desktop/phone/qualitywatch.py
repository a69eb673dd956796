"""Live call quality, on the phone engine's thread: while a call is
connected, its audio stream is read every POLL_SECONDS (through the stack,
which alone touches pjsua2) and each reading becomes a report; when the
call ends, its summary goes out.

The readings are scheduled on the core's timers only while a call is
connected: an idle phone is never woken for them.
"""

from __future__ import annotations

import logging
from typing import Protocol

from .qualitytrack import CallQualityTracker, QualityReport, QualitySummary, StreamSample
from .timers import Timers

log = logging.getLogger("agentdesk.desktop.phone")

POLL_SECONDS = 2.0


class StreamStats(Protocol):
    def stream_stats(self, call_id: int) -> StreamSample | None:
        """A reading of the call's audio stream; None when it has none."""


class QualityEvents(Protocol):
    def quality(self, report: QualityReport) -> None: ...
    def quality_summary(self, summary: QualitySummary) -> None: ...


class QualityWatch:
    def __init__(self, stats: StreamStats, timers: Timers, events: QualityEvents) -> None:
        self._stats = stats
        self._timers = timers
        self._events = events
        self._calls: dict[int, CallQualityTracker] = {}
        self._scheduled = False

    @property
    def watching(self) -> bool:
        return bool(self._calls)

    def call_connected(self, call_id: int) -> None:
        self._calls.setdefault(call_id, CallQualityTracker(call_id))
        if not self._scheduled:
            self._scheduled = True
            self._timers.after(POLL_SECONDS, self._poll)

    def call_ended(self, call_id: int) -> None:
        """A last reading if the stream is still there, then the summary."""
        tracker = self._calls.pop(call_id, None)
        if tracker is None:
            return
        self._read(tracker)
        summary = tracker.summary()
        if summary is not None:
            log.info("call %d quality: %s, MOS %.2f (lowest %.2f), loss %.1f %%, %s", call_id, summary.level,
                     summary.mos_avg, summary.mos_min, summary.loss_pct, summary.codec)
            self._events.quality_summary(summary)

    def _poll(self) -> None:
        self._scheduled = False
        for tracker in list(self._calls.values()):
            self._read(tracker)
        if self._calls:
            self._scheduled = True
            self._timers.after(POLL_SECONDS, self._poll)

    def _read(self, tracker: CallQualityTracker) -> None:
        sample = self._stats.stream_stats(tracker.call_id)
        if sample is None:
            return
        report = tracker.add(sample)
        if report is not None:
            self._events.quality(report)
