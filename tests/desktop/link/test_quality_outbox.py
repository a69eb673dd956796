"""Each call's quality on its way to the desk service: on disk before it is
sent, retried while the service does not answer, sent after a restart, and
let go once acknowledged (or refused: it would be refused again). And what
is sent for an ended call: its summary with the call's own IDs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentdesk.contract.quality import CallQuality
from agentdesk.desktop.callquality import CallQualityLog
from agentdesk.desktop.link.api import DeskError
from agentdesk.desktop.link.quality_outbox import QualityFiles, QualityOutbox, QualityRecord
from agentdesk.desktop.phone.model import CallSnapshot, CallState, Direction
from agentdesk.desktop.phone.qualitytrack import QualitySummary
from agentdesk.desktop.tasks import TaskRunner
from tests.helpers.fakes import FakeQualityDesk

AGENT = "1001"
LEG = "7c1e0a52-3f7e-4f4e-9d7a-2c1f0e9d8b11@127.0.0.1"
QUALITY = CallQuality("1800000000.42", 1_800_000_000.0, 1_800_000_095.5, "good", "", 4.31, 4.38, 0.0, None, 2.1,
                      3.0, 1.2, "PCMU", "udp", "no", 47)


@pytest.fixture
def files(tmp_path: Path) -> QualityFiles:
    return QualityFiles(tmp_path / "quality")


@pytest.fixture
def desk() -> FakeQualityDesk:
    return FakeQualityDesk()


@pytest.fixture
def disk() -> Iterator[TaskRunner]:
    runner = TaskRunner(workers=1)
    yield runner
    runner.shutdown()


def outbox_for(files: QualityFiles, desk: FakeQualityDesk, disk: TaskRunner) -> QualityOutbox:
    return QualityOutbox(files, desk.send, disk, retry_delays=(0.05, 0.1))


def test_a_record_waits_on_disk_while_the_service_is_down(qtbot: Any, files: QualityFiles, desk: FakeQualityDesk,
                                                          disk: TaskRunner) -> None:
    record = QualityRecord(AGENT, LEG, QUALITY)
    desk.script = [DeskError("cannot reach the desk service"), DeskError("the desk service failed", 502)]
    outbox = outbox_for(files, desk, disk)
    with qtbot.waitSignal(outbox.sent, timeout=3000) as sent:
        outbox.submit(record)
        qtbot.waitUntil(lambda: len(desk.sent) == 1, timeout=2000)
        assert files.stored(AGENT) == [record]  # written before it went out; kept while unanswered
    assert sent.args == [LEG]
    assert desk.sent == [record] * 3  # twice no answer, then taken
    qtbot.waitUntil(lambda: files.stored(AGENT) == [], timeout=2000)
    assert outbox.pending == 0
    outbox.stop()


def test_what_was_not_sent_before_quitting_goes_after_the_next_sign_in(qtbot: Any, files: QualityFiles,
                                                                       desk: FakeQualityDesk, disk: TaskRunner) -> None:
    record = QualityRecord(AGENT, LEG, QUALITY)
    files.keep(record)  # the last run stored it and quit before the service answered
    files.keep(QualityRecord("1002", "other-leg", QUALITY))  # another agent's, on a shared desk
    outbox = outbox_for(files, desk, disk)
    with qtbot.waitSignal(outbox.sent, timeout=3000):
        outbox.signed_in(AGENT)
    assert desk.sent == [record]
    qtbot.waitUntil(lambda: files.stored(AGENT) == [], timeout=2000)
    assert [r.call_id for r in files.stored("1002")] == ["other-leg"]
    outbox.stop()


def test_a_refused_record_is_let_go(qtbot: Any, files: QualityFiles, desk: FakeQualityDesk, disk: TaskRunner) -> None:
    desk.script = [DeskError("that queue call was not yours", 403)]
    outbox = outbox_for(files, desk, disk)
    outbox.submit(QualityRecord(AGENT, LEG, QUALITY))
    qtbot.waitUntil(lambda: len(desk.sent) == 1 and files.stored(AGENT) == [], timeout=2000)
    qtbot.wait(200)  # past both retry delays: not sent again
    assert len(desk.sent) == 1 and outbox.pending == 0
    outbox.stop()


def test_an_unreadable_record_is_left_alone_and_said(files: QualityFiles, caplog: pytest.LogCaptureFixture,
                                                     error_log: Any) -> None:
    error_log.allowed = True
    files.keep(QualityRecord(AGENT, LEG, QUALITY))
    (files.folder / AGENT / "broken.json").write_text("{", encoding="utf-8")
    assert [r.call_id for r in files.stored(AGENT)] == [LEG]
    assert "broken.json is unreadable" in caplog.text


def summary(call_id: int = 4, **changes: Any) -> QualitySummary:
    values: dict[str, Any] = {
        "call_id": call_id, "samples": 30, "mos_min": 3.512, "mos_avg": 4.1234, "level": "good",
        "reason": "packet loss 8 %", "loss_pct": 1.2345, "remote_loss_pct": None, "jitter_avg_ms": 2.04,
        "jitter_max_ms": 7.5, "rtt_avg_ms": 1.26, "codec": "G722", "transport": "tcp", "srtp": "no",
        "sip_call_id": LEG}
    return QualitySummary(**{**values, **changes})


def test_an_ended_calls_summary_goes_out_with_the_calls_ids(qtbot: Any, files: QualityFiles, desk: FakeQualityDesk,
                                                             disk: TaskRunner) -> None:
    outbox = outbox_for(files, desk, disk)
    log = CallQualityLog(outbox, lambda: AGENT, clock=lambda: 1_800_000_200.0)
    call = CallSnapshot(4, Direction.INCOMING, CallState.ENDED, "09121110001", queue="support",
                        queue_call="1800000000.42", started_at=1_800_000_090.0, connected_at=1_800_000_100.0)
    log.summary_arrived(summary())
    assert log.call_ended(call) == summary()
    qtbot.waitUntil(lambda: len(desk.sent) == 1, timeout=2000)
    (record,) = desk.sent
    assert (record.agent, record.call_id) == (AGENT, LEG)
    assert record.quality == CallQuality("1800000000.42", 1_800_000_100.0, 1_800_000_200.0, "good",
                                         "packet loss 8 %", 3.51, 4.12, 1.23, None, 2.0, 7.5, 1.3, "G722", "tcp",
                                         "no", 30)
    assert log.call_ended(call) is None  # once only
    outbox.stop()


def test_a_call_never_measured_sends_nothing(files: QualityFiles, desk: FakeQualityDesk, disk: TaskRunner) -> None:
    outbox = outbox_for(files, desk, disk)
    log = CallQualityLog(outbox, lambda: AGENT)
    log.summary_arrived(summary(call_id=9))
    assert log.call_ended(CallSnapshot(4, Direction.OUTGOING, CallState.ENDED, "1002")) is None
    assert desk.sent == []
    outbox.stop()
