"""How the agent's call in progress sounds, told to the desk service for the
team leads' board (PUT /api/v1/agents/{agent}/live-quality): the first
reading of a call, then whenever its level changes, at most once every
MIN_INTERVAL seconds a call (a level wavering between fair and poor must
not become a stream of requests). The service drops it when the call ends.
A report that does not get through (the service may not have seen the
call answered yet) is logged and sent again with a reading MIN_INTERVAL later.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from agentdesk.contract.quality import MAX_REASON

from ..phone.model import CallSnapshot
from ..phone.protocol import Phone
from ..phone.quality import Factor
from ..phone.qualitytrack import QualityReport
from .api import DeskApi, segment
from .connection import DeskConnection

log = logging.getLogger("agentdesk.desktop.link")

MIN_INTERVAL = 10.0


def live_quality_body(report: QualityReport, sip_call_id: str) -> dict[str, Any]:
    factor = report.estimate.factor
    return {"call_id": sip_call_id, "level": report.level, "mos": round(report.estimate.mos, 2),
            "reason": "" if factor is Factor.NONE else factor.value[:MAX_REASON]}


class LiveQualityReporter(QObject):
    def __init__(self, link: DeskConnection, engine: Phone, monotonic: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._link = link
        self._engine = engine
        self._monotonic = monotonic
        self._sent: dict[int, tuple[str, float]] = {}  # call id -> (level, when) last sent
        engine.callQuality.connect(self.reading)
        engine.callChanged.connect(self._call_changed)

    def reading(self, report: QualityReport) -> None:
        call = self._engine.calls.get(report.call_id)
        if call is None or not call.sip_call_id or call.supervision:
            return  # a lead's own listening leg is not an agent's call on the board
        now = self._monotonic()
        last = self._sent.get(report.call_id)
        if last is not None and (last[0] == report.level or now - last[1] < MIN_INTERVAL):
            return
        self._sent[report.call_id] = (report.level, now)
        body = live_quality_body(report, call.sip_call_id)
        call_id = report.call_id

        def failed(error: Exception) -> None:
            log.info("live call quality not sent: %s", error)
            if call_id in self._sent:
                self._sent[call_id] = ("", now)

        self._link.run_request(lambda api: _send(api, body), lambda _reply: None, failed)

    def _call_changed(self, call: CallSnapshot) -> None:
        if not call.is_live:
            self._sent.pop(call.call_id, None)


def _send(api: DeskApi, body: dict[str, Any]) -> Any:
    return api.request("PUT", f"/api/v1/agents/{segment(api.agent)}/live-quality", body)
