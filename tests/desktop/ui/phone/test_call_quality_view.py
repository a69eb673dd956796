"""Call quality on screen without a PBX: the call card's label (level and
reason, its colour, what a screen reader gets, steady size) as the phone
reports it, and the quality of past calls in the history list, kept across
a restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor

from agentdesk.desktop.history import CallHistory, HistoryEntry, Outcome, entry_for
from agentdesk.desktop.phone.model import CallSnapshot, CallState, Direction
from agentdesk.desktop.phone.qualitytrack import CallQualityTracker, QualityReport, QualitySummary, StreamSample
from agentdesk.desktop.ui.common.style import STYLE_SHEET
from agentdesk.desktop.ui.phone.history_view import HistoryList
from agentdesk.desktop.ui.phone.main_window import MainWindow
from tests.helpers.fakes import FakeEngine

CALL = CallSnapshot(7, Direction.INCOMING, CallState.ACTIVE, "1002", "Dmitri Volkov", has_audio=True,
                    started_at=time.time(), connected_at=time.time())


def report(loss_pct: float = 0.0, rtt_ms: float = 1.0, readings: int = 5) -> QualityReport:
    """What the phone reports after `readings` readings at this loss."""
    tracker = CallQualityTracker(CALL.call_id)
    found = None
    for step in range(1, readings + 1):
        lost = round(step * 100 * loss_pct / 100)
        found = tracker.add(StreamSample("PCMU", step * 100 - lost, lost, 0, 3.0, 40.0, rtt_ms, step * 100, 0, 0,
                                         0.0, "udp", "no"))
    assert found is not None
    return found


@pytest.fixture
def window(qtbot: Any, qapp: Any) -> Iterator[MainWindow]:
    qapp.setStyleSheet(STYLE_SHEET)
    main = MainWindow(FakeEngine())
    main.show()
    yield main
    engine(main).calls.clear()  # no "you have a call: quit anyway?" when the window closes
    main.incoming.close()
    main.close()
    main.deleteLater()
    qapp.setStyleSheet("")


def engine(window: MainWindow) -> FakeEngine:
    assert isinstance(window.engine, FakeEngine)
    return window.engine


def test_the_card_shows_nothing_until_the_phone_has_measured(window: MainWindow) -> None:
    window.show_call(engine(window).put(CALL))
    card = window.calls.cards[CALL.call_id]
    assert card.quality.isHidden()
    engine(window).callQuality.emit(report())
    assert not card.quality.isHidden()
    assert card.quality.text() == "Good"


def test_a_poor_call_says_why_in_red(window: MainWindow) -> None:
    window.show_call(engine(window).put(CALL))
    card = window.calls.cards[CALL.call_id]
    engine(window).callQuality.emit(report(loss_pct=8))
    label = card.quality
    assert label.text() == "Poor: packet loss 8 %"
    assert label.property("level") == "poor"
    assert label.palette().color(label.foregroundRole()) == QColor("#c5221f")
    assert label.accessibleName() == "Call quality"
    details = label.accessibleDescription()
    assert "Poor: packet loss 8 % (estimated MOS 2.3 of 4.5)" in details
    assert "Packet loss: 8 % to you, unknown to the other party" in details
    assert "Codec: PCMU · transport: UDP · encrypted audio: no" in details
    assert "packet loss 8 %" in label.toolTip()


def test_a_long_round_trip_is_fair_and_named(window: MainWindow) -> None:
    window.show_call(engine(window).put(CALL))
    engine(window).callQuality.emit(report(rtt_ms=420.0))
    label = window.calls.cards[CALL.call_id].quality
    assert label.text() == "Fair: high delay (420 ms round trip)"
    assert label.palette().color(label.foregroundRole()) == QColor("#b06000")


def test_the_label_never_narrows_while_the_call_lasts(window: MainWindow, qtbot: Any) -> None:
    window.show_call(engine(window).put(CALL))
    label = window.calls.cards[CALL.call_id].quality
    engine(window).callQuality.emit(report(loss_pct=12))
    wide = label.width()
    for loss in (0, 12, 0, 6, 0):
        engine(window).callQuality.emit(report(loss_pct=loss))
        qtbot.wait(1)
        assert label.minimumWidth() >= wide and label.width() >= wide
    assert label.text() == "Good"


def test_a_report_of_another_call_changes_nothing(window: MainWindow) -> None:
    window.show_call(engine(window).put(CALL))
    other = report(loss_pct=8)
    engine(window).callQuality.emit(QualityReport(99, other.estimate, 8.0, None, 3.0, 1.0, "PCMU", "udp", "no"))
    assert window.calls.cards[CALL.call_id].quality.isHidden()


def summary(level: str, mos: float) -> QualitySummary:
    return QualitySummary(CALL.call_id, 40, mos - 0.2, mos, level, "", 0.5, None, 3.0, 6.0, 1.0, "PCMU", "udp", "no",
                          "leg@pbx")


def test_past_calls_show_their_quality_also_after_a_restart(qtbot: Any, tmp_path: Path) -> None:
    ended = CALL.with_changes(state=CallState.ENDED)
    history = CallHistory(tmp_path / "history.sqlite3")
    history.add(entry_for(ended, quality=summary("fair", 3.84)))
    missed = HistoryEntry(Direction.INCOMING, "1003", "", "", 1.0, 0.0, 20.0, Outcome.MISSED, "")
    history.add(missed)

    listed = HistoryList()
    qtbot.addWidget(listed)
    listed.set_entries(CallHistory(tmp_path / "history.sqlite3").recent())  # as at the next start
    rows = [listed.item(row).text() for row in range(listed.count())]
    assert "quality: Fair, MOS 3.8" in rows[0]
    assert "quality" not in rows[1]  # never connected: nothing was measured
