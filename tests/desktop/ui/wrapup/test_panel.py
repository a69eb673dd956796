"""The wrap-up panel and its controller: Ctrl+1..9 pick dispositions in
order, the countdown (corrected for the service's clock), the warning and
overtime, Done (Ctrl+Return) sends the record and closes the panel, a
draft on disk is offered again after a restart, a refused record comes
back with the reason, and the caller's name is shown as plain text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCalendar, QLocale, Qt
from PySide6.QtWidgets import QApplication, QMainWindow

from agentdesk.contract.queues import AgentState, DeskSnapshot
from agentdesk.contract.states import AgentActivity
from agentdesk.contract.wrapups import WrapUpView, dump_wrapup_view
from agentdesk.desktop.link.api import DeskError
from agentdesk.desktop.link.wrapup_outbox import WrapUpOutbox
from agentdesk.desktop.link.wrapups import WrapUpDraft, WrapUpFiles
from agentdesk.desktop.tasks import TaskRunner
from agentdesk.desktop.ui.common.numbers import use_region
from agentdesk.desktop.ui.wrapup.controller import WrapUpDesk
from tests.helpers.fakes import FakeWrapUpDesk

NOW = 1_800_000_000.0
SKEW = 100.0  # the service's clock is ahead of ours
CALL = "1800000000.7"
CODES = ("Sale", "Information", "Complaint")
CTRL = Qt.KeyboardModifier.ControlModifier


def wrapup(**fields: Any) -> WrapUpView:
    values: dict[str, Any] = {
        "agent": "1001", "uniqueid": CALL, "queue": "support", "queue_title": "Support", "number": "09121110001",
        "name": "Reza Hosseini", "started_at": NOW + SKEW, "deadline_at": NOW + SKEW + 30,
        "warning_at": NOW + SKEW + 20, "limit_seconds": 30, "dispositions": CODES, "now": NOW + SKEW}
    return WrapUpView(**{**values, **fields})


def snapshot(agent: str = "1001", active: WrapUpView | None = None) -> DeskSnapshot:
    me = AgentState(agent, "Nina", "agent", agent, {"support": True}, AgentActivity.PAUSED, "wrap-up", NOW)
    return DeskSnapshot(NOW + SKEW, me, (), (), wrapup=dump_wrapup_view(active) if active else None)


@dataclass
class Rig:
    window: QMainWindow
    desk: WrapUpDesk
    fake: FakeWrapUpDesk
    files: WrapUpFiles
    clock: list[float]

    @property
    def panel(self) -> Any:
        return self.desk.panel

    def activate(self, qtbot: Any) -> None:
        self.window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is self.window)


def make_rig(qtbot: Any, folder: Path) -> tuple[Rig, TaskRunner, WrapUpOutbox]:
    window = QMainWindow()
    qtbot.addWidget(window)
    clock = [NOW]
    fake = FakeWrapUpDesk()
    files = WrapUpFiles(folder)
    disk = TaskRunner(workers=1)
    outbox = WrapUpOutbox(files, fake.send, disk, retry_delays=(0.02,))
    status: list[str] = []
    desk = WrapUpDesk(outbox, disk, lambda: clock[0], status.append, window)
    window.setCentralWidget(desk.panel)
    window.show()
    qtbot.waitExposed(window)
    return Rig(window, desk, fake, files, clock), disk, outbox


@pytest.fixture
def rig(qtbot: Any, tmp_path: Path) -> Iterator[Rig]:
    made, disk, outbox = make_rig(qtbot, tmp_path / "wrapups")
    made.desk.snapshot(snapshot())
    yield made
    outbox.stop()
    disk.shutdown()


def test_the_panel_opens_with_the_call_and_ctrl_digits_pick_dispositions(qtbot: Any, rig: Rig) -> None:
    rig.desk.wrapup_changed(wrapup())
    assert rig.panel.isVisible() and rig.panel.codes == list(CODES)
    rig.activate(qtbot)
    rig.panel.notes.setFocus()
    qtbot.keyClick(rig.panel.notes, Qt.Key.Key_3, CTRL)
    assert rig.panel.disposition == "Complaint"
    qtbot.keyClick(rig.panel.notes, Qt.Key.Key_1, CTRL)
    assert rig.panel.disposition == "Sale"
    qtbot.keyClick(rig.panel.notes, Qt.Key.Key_9, CTRL)  # no ninth code: nothing changes
    assert rig.panel.disposition == "Sale"
    assert rig.panel.notes.toPlainText() == ""  # the keys did not type into the notes
    qtbot.waitUntil(lambda: [d.disposition for d in rig.files.drafts("1001")] == ["Sale"], timeout=5000)


def test_another_agents_wrapup_does_not_open_the_panel(rig: Rig) -> None:
    rig.desk.wrapup_changed(wrapup(agent="1002"))  # a team lead sees everyone's
    assert not rig.panel.isVisible()


def test_the_countdown_follows_the_services_clock_warns_and_shows_overtime(rig: Rig) -> None:
    rig.desk.wrapup_changed(wrapup(disposition_required=True))
    panel = rig.panel
    assert panel.countdown.text() == "00:30" and panel.stage() == "running"
    rig.clock[0] = NOW + 21
    panel.tick()
    assert panel.stage() == "warning" and panel.countdown.property("stage") == "warning"
    assert panel.countdown.text() == "00:09"
    rig.clock[0] = NOW + 35
    panel.tick()
    assert panel.stage() == "overtime" and panel.countdown.text() == "Overtime 00:05"
    rig.desk.wrapup_changed(wrapup(disposition_required=True, saved=True, now=NOW + SKEW + 35))
    assert panel.stage() == "warning" and panel.countdown.text() == "00:00"  # nothing owed: no overtime


def test_done_sends_the_record_and_closes_the_panel(qtbot: Any, rig: Rig) -> None:
    rig.desk.wrapup_changed(wrapup())
    rig.activate(qtbot)
    qtbot.keyClick(rig.panel.notes, Qt.Key.Key_2, CTRL)
    qtbot.keyClicks(rig.panel.notes, "Asked about the <b>invoice</b>")
    rig.panel.resolved.setChecked(True)
    rig.panel.follow_up.setChecked(True)
    rig.panel.topic.setText("Send the invoice")
    qtbot.keyClick(rig.panel.notes, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: len(rig.fake.bodies) == 1, timeout=5000)
    body = rig.fake.bodies[0]
    assert body["disposition"] == "Information" and body["notes"] == "Asked about the <b>invoice</b>"
    assert body["finish"] is True and body["first_contact_resolved"] is True
    assert body["follow_up"]["topic"] == "Send the invoice" and body["follow_up"]["at"] > NOW
    assert not rig.panel.isVisible()
    qtbot.waitUntil(lambda: not rig.files.outbox("1001") and not rig.files.drafts("1001"), timeout=5000)


def test_done_without_a_disposition_asks_for_one(qtbot: Any, rig: Rig) -> None:
    rig.desk.wrapup_changed(wrapup())
    rig.panel.done_button.click()
    assert rig.panel.problem.isVisible() and "disposition" in rig.panel.problem.text()
    assert rig.panel.isVisible()
    qtbot.wait(50)
    assert rig.fake.bodies == []


def test_save_keeps_the_wrapup_running_and_shows_it_arrived(qtbot: Any, rig: Rig) -> None:
    rig.desk.wrapup_changed(wrapup())
    rig.panel.choose_index(0)
    rig.panel.save_button.click()
    qtbot.waitUntil(lambda: rig.panel.status.text() == "Saved at the desk service", timeout=5000)
    assert rig.fake.bodies[0]["finish"] is False
    assert rig.panel.isVisible() and rig.panel.status.property("kind") == "sent"
    assert [d.disposition for d in rig.files.drafts("1001")] == ["Sale"]  # still being edited


def test_an_ended_wrapup_closes_unless_something_was_entered(qtbot: Any, rig: Rig) -> None:
    rig.desk.wrapup_changed(wrapup())
    rig.desk.wrapup_changed(wrapup(state="ended", end_reason="timeout"))
    assert not rig.panel.isVisible()
    rig.desk.wrapup_changed(wrapup(uniqueid="1800000000.8"))
    qtbot.keyClicks(rig.panel.notes, "half a sentence")
    rig.desk.wrapup_changed(wrapup(uniqueid="1800000000.8", state="ended", end_reason="timeout"))
    assert rig.panel.isVisible() and rig.panel.stage() == "over"
    assert "still wanted" in rig.panel.countdown.text()


def test_a_draft_left_by_a_crash_is_offered_again(qtbot: Any, tmp_path: Path) -> None:
    folder = tmp_path / "wrapups"
    typed = WrapUpDraft.for_view(wrapup()).changed(disposition="Complaint", notes="Typed before the crash")
    WrapUpFiles(folder).save_draft(typed)
    rig, disk, outbox = make_rig(qtbot, folder)
    try:
        rig.desk.snapshot(snapshot())  # the service no longer runs that wrap-up
        qtbot.waitUntil(lambda: rig.panel.isVisible(), timeout=5000)
        assert rig.panel.notes.toPlainText() == "Typed before the crash"
        assert rig.panel.disposition == "Complaint" and rig.panel.stage() == "over"
        rig.panel.done_button.click()
        qtbot.waitUntil(lambda: len(rig.fake.bodies) == 1, timeout=5000)
        assert rig.fake.bodies[0]["notes"] == "Typed before the crash"
    finally:
        outbox.stop()
        disk.shutdown()


def test_a_refused_record_comes_back_with_the_reason(qtbot: Any, rig: Rig) -> None:
    rig.fake.script = [DeskError("Notes are too long", 400)]
    rig.desk.wrapup_changed(wrapup())
    rig.panel.choose_index(1)
    rig.panel.done_button.click()
    qtbot.waitUntil(lambda: rig.panel.isVisible() and rig.panel.problem.text() == "Notes are too long",
                    timeout=5000)
    assert rig.panel.disposition == "Information"


def test_the_caller_is_shown_as_plain_text(rig: Rig) -> None:
    rig.desk.wrapup_changed(wrapup(name="<b>Boss</b><img src=x>"))
    assert rig.panel.caller.text() == "<b>Boss</b><img src=x>"
    assert rig.panel.caller.textFormat() is Qt.TextFormat.PlainText
    assert "Support" in rig.panel.detail.text() and "0912" in rig.panel.detail.text()


def test_the_number_and_the_follow_up_read_in_the_agents_language(qtbot: Any, tmp_path: Path) -> None:
    """In Persian with the service's region Iran: the caller's number grouped as
    Iranians write it (Latin digits: it is what agents dial), the follow-up in
    the Persian calendar with Persian digits."""
    before = QLocale()
    QLocale.setDefault(QLocale("fa"))
    use_region("IR")
    made, disk, outbox = make_rig(qtbot, tmp_path / "wrapups")
    try:
        made.desk.snapshot(snapshot())
        made.desk.wrapup_changed(wrapup(name=""))
        assert made.panel.caller.text() == "\u20660912 111 0001\u2069"
        made.panel.follow_up.setChecked(True)
        chosen = made.panel.follow_up_when.dateTime()
        parts = QCalendar(QCalendar.System.Jalali).partsFromDate(chosen.date())
        hour, minute = chosen.time().hour(), chosen.time().minute()
        persian = f"{parts.year}/{parts.month}/{parts.day} {hour}:{minute:02d}".translate(
            str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
        assert made.panel.follow_up_when.text() == persian
    finally:
        outbox.stop()
        disk.shutdown()
        use_region("")
        QLocale.setDefault(before)
