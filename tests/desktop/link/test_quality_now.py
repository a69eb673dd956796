"""The agent's desktop tells the desk service how the call in progress
sounds for the team leads' board: the first reading, then level changes
no more than once every ten seconds; never for a lead's supervision leg."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from agentdesk.desktop.link.api import DeskApi, DeskError
from agentdesk.desktop.link.connection import DeskConnection
from agentdesk.desktop.link.quality_now import MIN_INTERVAL, LiveQualityReporter
from agentdesk.desktop.phone.model import CallSnapshot, CallState, Direction
from agentdesk.desktop.phone.qualitytrack import CallQualityTracker, QualityReport, StreamSample
from tests.helpers.fakes import FakeEngine

CALL = CallSnapshot(7, Direction.INCOMING, CallState.ACTIVE, "1002", sip_call_id="a84b4c76e66710@pc33",
                    started_at=time.time(), connected_at=time.time())


def report(loss_pct: float) -> QualityReport:
    tracker = CallQualityTracker(CALL.call_id)
    found = None
    for step in range(1, 6):
        lost = round(step * loss_pct)
        found = tracker.add(StreamSample("PCMU", step * 100 - lost, lost, 0, 3.0, 40.0, 1.0, step * 100, 0, 0,
                                         0.0, "udp", "no"))
    assert found is not None
    return found


class RecordingLink(DeskConnection):
    """Runs each request at once against a stand-in API that records it (or refuses with `refuse`)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str, Any]] = []
        self.refuse = ""

    def run_request(self, work: Callable[[DeskApi], Any], on_done: Callable[[Any], None],
                    on_error: Callable[[Exception], None]) -> None:
        link = self

        class Api:
            agent = "1001"

            def request(self, method: str, path: str, body: Any = None) -> Any:
                if link.refuse:
                    raise DeskError(link.refuse, 409)
                link.sent.append((method, path, body))
                return {"saved": True}

        try:
            on_done(work(Api()))  # type: ignore[arg-type]
        except DeskError as error:
            on_error(error)


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_first_reading_then_changes_at_most_every_ten_seconds(qtbot: Any) -> None:
    engine, link, clock = FakeEngine(), RecordingLink(), Clock()
    reporter = LiveQualityReporter(link, engine, clock)  # noqa: F841 - kept alive while the test runs
    engine.show(CALL)
    good, poor = report(0.0), report(20.0)
    engine.callQuality.emit(good)
    assert link.sent == [("PUT", "/api/v1/agents/1001/live-quality",
                          {"call_id": CALL.sip_call_id, "level": "good", "mos": round(good.estimate.mos, 2),
                           "reason": ""})]
    clock.now += 2
    engine.callQuality.emit(good)  # same level: nothing to say
    engine.callQuality.emit(poor)  # changed, but too soon
    assert len(link.sent) == 1
    clock.now += MIN_INTERVAL
    engine.callQuality.emit(poor)
    assert [body["level"] for _m, _p, body in link.sent] == ["good", "poor"]
    assert link.sent[1][2]["reason"] == "loss"


def test_a_refused_report_is_sent_again_later_and_a_supervision_leg_never(qtbot: Any) -> None:
    engine, link, clock = FakeEngine(), RecordingLink(), Clock()
    reporter = LiveQualityReporter(link, engine, clock)  # noqa: F841 - kept alive while the test runs
    engine.show(CALL)
    link.refuse = "you are not on a call"
    engine.callQuality.emit(report(0.0))
    link.refuse = ""
    clock.now += 2
    engine.callQuality.emit(report(0.0))
    assert link.sent == []
    clock.now += MIN_INTERVAL
    engine.callQuality.emit(report(0.0))
    assert len(link.sent) == 1
    engine.show(CALL.with_changes(call_id=8, supervision="4f2a9c1e"))
    engine.callQuality.emit(QualityReport(8, report(0.0).estimate, 0.0, None, 3.0, 1.0, "PCMU", "udp", "no"))
    assert len(link.sent) == 1
