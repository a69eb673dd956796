"""An offered callback (a ringing call with X-AgentDesk-Callback): the
preview with the task, Call now (Enter) and Skip… (Esc, with a reason), the
auto-dial countdown; the outcome picker after a callback call, which does
not go away unsaved and retries by itself; scheduling a callback during or
after a call (Ctrl+B). A fake desk answers when each test says so."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget

from agentdesk.contract.callbacks import CallbackRequest, CallbackTaskDetail
from agentdesk.contract.queues import AgentState, DayStats, DeskSnapshot, QueueSummary
from agentdesk.contract.states import AgentActivity
from agentdesk.desktop.phone.model import CallSnapshot, CallState, Direction
from agentdesk.desktop.ui.callbacks.controller import CallbackDesk
from agentdesk.desktop.ui.callbacks.dialogs import ScheduleDialog
from agentdesk.desktop.ui.callbacks.outcome_picker import OutcomePicker
from agentdesk.desktop.ui.phone.incoming import IncomingCallWindow
from agentdesk.desktop.ui.queues.screen_pop import ScreenPopCard
from tests.helpers.fakes import (
    NOW,
    FakeDesk,
    FakeEngine,
    later,
    task,
)
from tests.helpers.outcomehost import ShelfHost

TASK = task(topic="Invoice question", notes="Wants a refund", attempts=1, last_outcome="busy")
OFFER = CallSnapshot(5, Direction.INCOMING, CallState.RINGING_IN, "09121110001", "Reza Hosseini", queue="support",
                     queue_call="1800000000.9", callback_task=TASK.task_id, started_at=NOW)


@dataclass
class Rig:
    window: QMainWindow
    callbacks: CallbackDesk
    desk: FakeDesk
    phone: FakeEngine
    status: list[str]

    def ring(self, call: CallSnapshot = OFFER) -> None:
        self.phone.put(call)
        self.callbacks.call_ringing(call)
        self.callbacks.call_changed(call)

    def change(self, call: CallSnapshot, **changes: Any) -> CallSnapshot:
        new = call.with_changes(**changes)
        self.phone.put(new)
        self.callbacks.call_changed(new)
        return new

    def activate(self, qtbot: Any) -> None:
        self.window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is self.window)


@pytest.fixture
def rig(qtbot: Any) -> Iterator[Rig]:
    window = QMainWindow()
    qtbot.addWidget(window)
    desk, phone, status = FakeDesk(), FakeEngine(), list[str]()
    body = QWidget()
    host = ShelfHost(body)
    callbacks = CallbackDesk(desk, phone, window, lambda: "pbx.example", lambda: NOW, status.append, host)
    column = QVBoxLayout(body)
    column.addWidget(callbacks.preview)
    column.addWidget(callbacks.panel)
    column.addWidget(host)
    window.setCentralWidget(body)
    window.show()
    queues = (QueueSummary("support", "Support", "rrmemory", (), (), DayStats(0, 0, 0, None, 20)),
              QueueSummary("sales", "Sales", "rrmemory", (), (), DayStats(0, 0, 0, None, 20)))
    me = AgentState("1001", "Nina", "agent", "1001", {"support": True, "sales": True}, AgentActivity.READY, "", NOW)
    callbacks.snapshot(DeskSnapshot(NOW, me, queues, ()))
    callbacks.show_tasks([TASK])
    yield Rig(window, callbacks, desk, phone, status)
    for dialog in list(callbacks.outcomes.values()):
        dialog.done_saving()


def test_an_offer_shows_the_task_and_enter_calls_now(rig: Rig, qtbot: Any) -> None:
    preview = rig.callbacks.preview
    rig.ring()
    assert preview.isVisible() and preview.heading.text() == "Callback for the support queue"
    assert (preview.topic.text(), preview.notes.text()) == ("Invoice question", "Wants a refund")
    assert preview.attempts.text() == "Attempt 2 of 3 · last time: Busy"
    assert preview.origin.text().startswith("In queue · requested ")
    assert not preview.timer_label.isVisible()
    details = rig.desk.last("details")
    assert details.args == (TASK.task_id,)
    details.succeed(CallbackTaskDetail(later(TASK, topic="Invoice question (updated)", attempts=2)))
    assert preview.topic.text() == "Invoice question (updated)" and preview.attempts.text().startswith("Attempt 3")
    rig.activate(qtbot)
    qtbot.keyClick(rig.window, Qt.Key.Key_Return)
    assert rig.phone.answered == [OFFER.call_id]
    rig.change(OFFER, state=CallState.ACTIVE, connected_at=NOW + 2)
    assert preview.isVisible() and not preview.call_button.isVisible()  # the task stays up for the call
    qtbot.keyClick(rig.window, Qt.Key.Key_Return)  # Enter belongs to the window again
    assert rig.phone.answered == [OFFER.call_id]


def test_the_countdown_answers_by_itself(rig: Rig, qtbot: Any) -> None:
    preview = rig.callbacks.preview
    rig.ring(OFFER.with_changes(autodial_seconds=3))
    assert preview.timer_label.text() == "Calling in 3 s" and preview.countdown.isActive()
    preview.tick()
    preview.tick()
    assert preview.timer_label.text() == "Calling in 1 s" and rig.phone.answered == []
    preview.tick()
    assert rig.phone.answered == [OFFER.call_id] and not preview.countdown.isActive()
    rig.phone.calls.clear()
    preview.clear()
    rig.ring(OFFER.with_changes(call_id=6, autodial_seconds=1))
    qtbot.waitUntil(lambda: rig.phone.answered == [OFFER.call_id, 6], timeout=3000)  # the real timer


def test_skip_asks_why_and_the_service_hangs_up_the_offer(rig: Rig, qtbot: Any) -> None:
    preview = rig.callbacks.preview
    rig.ring(OFFER.with_changes(autodial_seconds=5))
    rig.activate(qtbot)
    qtbot.keyClick(rig.window, Qt.Key.Key_Escape)
    dialog = rig.callbacks.skip_dialog
    assert dialog is not None and dialog.isVisible() and not preview.countdown.isActive()
    qtbot.keyClick(dialog, Qt.Key.Key_2)
    dialog.detail.setText("speaks only Russian")
    dialog.box.accepted.emit()
    skip = rig.desk.last("skip")
    assert skip.args == (TASK.task_id, "Needs another language or skill: speaks only Russian")
    skip.fail("cannot reach the desk service at http://pbx:8480")
    assert dialog.isVisible() and dialog.problem.text() == "cannot reach the desk service at http://pbx:8480"
    dialog.box.accepted.emit()
    with qtbot.waitSignal(dialog.finished):
        rig.desk.last("skip").succeed()
    assert rig.phone.answered == []
    rig.change(OFFER, state=CallState.ENDED, status_code=487)  # the service hung the offer up
    assert not preview.isVisible() and rig.callbacks.outcomes == {}


def test_cancelling_the_skip_lets_the_countdown_go_on(rig: Rig, qtbot: Any) -> None:
    preview = rig.callbacks.preview
    rig.ring(OFFER.with_changes(autodial_seconds=5))
    dialog = rig.callbacks.open_skip(OFFER.call_id)
    preview.pause_countdown()
    dialog.reject()
    assert preview.countdown.isActive()
    rig.change(OFFER, state=CallState.ENDED)  # the customer's turn passed to someone else meanwhile
    assert not preview.isVisible() and not preview.countdown.isActive()


def outcome_after_a_call(rig: Rig) -> OutcomePicker:
    rig.ring()
    call = rig.change(OFFER, state=CallState.ACTIVE, connected_at=NOW + 2)
    rig.change(call, state=CallState.ENDED)
    return rig.callbacks.outcomes[TASK.task_id]


def test_the_outcome_is_kept_until_saved_and_retried(rig: Rig, qtbot: Any) -> None:
    unsaved: list[str] = []  # what the main window is told quitting would lose
    rig.callbacks.unsaved_changed.connect(unsaved.append)
    dialog = outcome_after_a_call(rig)
    assert dialog.isVisible() and not rig.callbacks.preview.isVisible()
    assert dialog.window() is rig.window  # in the window, not a window of its own
    assert not dialog.save.isEnabled()
    assert rig.callbacks.unsaved_work() == "1 callback outcome(s) are not saved yet."
    rig.activate(qtbot)
    qtbot.keyClick(dialog, Qt.Key.Key_2)
    assert dialog.outcome() == "no_answer" and dialog.again.isEnabled()
    dialog.note.setText("rang 10 times")
    dialog.again.setChecked(True)
    due = dialog.when.dateTime().toSecsSinceEpoch()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    first = rig.desk.last("outcome")
    assert first.args == (TASK.task_id, "no_answer", "rang 10 times")
    first.fail("the desk service did not answer within 5 s")
    assert dialog.retry.isActive() and dialog.retry.interval() == 2000 and dialog.retry_now.isVisible()
    assert dialog.status.text() == "Not saved yet: the desk service did not answer within 5 s. Trying again in 2 s."
    dialog.retry.timeout.emit()  # the pause is over
    rig.desk.last("outcome").succeed(later(TASK, attempts=2, last_outcome="no_answer"))
    reschedule = rig.desk.last("reschedule")
    assert reschedule.args == (TASK.task_id, float(due), "rang 10 times")
    reschedule.fail("the desk service answered 502", 502)
    assert dialog.retry.interval() == 5000  # the next pause is longer
    qtbot.mouseClick(dialog.retry_now, Qt.MouseButton.LeftButton)
    assert rig.desk.names().count("outcome") == 2  # the saved outcome is not sent again
    with qtbot.waitSignal(dialog.finished):
        rig.desk.last("reschedule").succeed(later(TASK, 2, due_at=float(due)))
    assert rig.callbacks.outcomes == {} and rig.callbacks.unsaved_work() == ""
    assert unsaved == ["1 callback outcome(s) are not saved yet.", ""]


def test_asking_for_the_task_list_asks_for_its_dock(rig: Rig, qtbot: Any) -> None:
    with qtbot.waitSignal(rig.callbacks.list_wanted, timeout=1000):
        rig.callbacks.focus_list()  # Ctrl+L


def test_a_refused_outcome_can_be_given_up(rig: Rig, qtbot: Any) -> None:
    dialog = outcome_after_a_call(rig)
    dialog.choose("reached")
    assert not dialog.again.isEnabled()  # reached closes the task: nothing to reschedule
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    rig.desk.last("outcome").fail("This callback was cancelled by a team lead", 409)
    assert not dialog.retry.isActive() and dialog.give_up.isVisible()
    assert dialog.status.text() == "Not saved: This callback was cancelled by a team lead"
    with qtbot.waitSignal(dialog.finished):
        qtbot.mouseClick(dialog.give_up, Qt.MouseButton.LeftButton)
    assert rig.callbacks.outcomes == {}


def test_a_dialled_task_gets_an_outcome_or_is_released(rig: Rig) -> None:
    rig.callbacks.call_task(TASK.task_id)
    rig.desk.last("claim").succeed(later(TASK, state="claimed", agent="1001"))
    assert rig.phone.dialled == [f"sip:cb{TASK.task_id}@pbx.example"]
    dialled = CallSnapshot(7, Direction.OUTGOING, CallState.DIALING, f"cb{TASK.task_id}",
                           callback_task=TASK.task_id, started_at=NOW)
    rig.ring(dialled)
    call = rig.change(dialled, state=CallState.RINGING_OUT)
    rig.change(call, state=CallState.ENDED, status_code=408)  # the customer did not pick up
    assert TASK.task_id in rig.callbacks.outcomes
    customer = rig.callbacks.outcomes[TASK.task_id].findChild(QLabel, "CallerName")
    assert customer is not None and customer.text().startswith("\u2068Reza")
    rig.callbacks.outcomes[TASK.task_id].done_saving()
    refused = dialled.with_changes(call_id=8)
    rig.ring(refused)
    rig.change(refused, state=CallState.ENDED, status_code=404, reason="Not Found")
    assert rig.desk.last("release").args == (TASK.task_id,)
    assert rig.status[-1] == "The callback could not be dialled (Not Found); the task is released."


def test_schedule_a_callback_during_and_after_a_call(rig: Rig, qtbot: Any) -> None:
    call = CallSnapshot(9, Direction.INCOMING, CallState.ACTIVE, "+982155550102", "Reza", queue="sales",
                        queue_call="1800000000.7", connected_at=NOW)
    rig.ring(call)
    rig.activate(qtbot)
    qtbot.keyClick(rig.window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    dialog = rig.window.findChild(ScheduleDialog)
    assert dialog is not None and dialog.isVisible()
    assert (dialog.number.text(), dialog.name.text(), dialog.queue.currentData()) == ("+982155550102", "Reza", "sales")
    assert [dialog.queue.itemText(i) for i in range(dialog.queue.count())] == ["Support", "Sales"]
    assert dialog.same_agent.isChecked()
    dialog.topic.setText("Send the contract")
    dialog.soon.setChecked(True)
    dialog.box.accepted.emit()
    scheduled = rig.desk.last("schedule")
    assert scheduled.args == (CallbackRequest("sales", "+982155550102", "Reza", "Send the contract", "", None, True,
                                              "1800000000.7"),)
    scheduled.fail("That is not a number we can call back", 400)
    assert dialog.problem.text() == "That is not a number we can call back"
    dialog.box.accepted.emit()
    with qtbot.waitSignal(dialog.finished):
        rig.desk.last("schedule").succeed(task("0000000000aa", name="Reza", number="02155550102", due_at=NOW + 60))
    assert rig.status[-1].startswith("Callback scheduled: \u2068Reza\u2069")
    rig.change(call, state=CallState.ENDED)
    after = rig.callbacks.open_schedule()
    assert (after.number.text(), after.queue.currentData(), after.same_agent.isChecked()) == (
        "+982155550102", "sales", True)
    after.reject()


def test_the_call_itself_says_it_is_a_callback(qtbot: Any) -> None:
    card = ScreenPopCard(open_urls=False, clock=lambda: NOW)
    qtbot.addWidget(card)
    card.show_ringing("09121110001", "Reza Hosseini", "support", callback=True)
    assert card.heading.text() == "Callback to this customer"
    incoming = IncomingCallWindow()
    qtbot.addWidget(incoming)
    incoming.show_call(OFFER)
    assert incoming.heading.text() == "Callback: answer to call the customer"
    incoming.show_call(OFFER.with_changes(callback_task=""))
    assert incoming.heading.text() == "Incoming call"
    incoming.close()


def test_caller_text_is_plain_and_every_string_is_translated(rig: Rig) -> None:
    class Bracketing(QTranslator):
        def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
            return f"⟦{source}⟧"

        def isEmpty(self) -> bool:
            return False

    translator = Bracketing()
    QCoreApplication.installTranslator(translator)
    try:
        rig.callbacks.show_tasks([later(TASK, topic="<b>bold</b>", notes="<img src=x>")])
        rig.ring(OFFER.with_changes(autodial_seconds=9))
        preview = rig.callbacks.preview
        assert preview.topic.text() == "<b>bold</b>" and preview.notes.text() == "<img src=x>"
        labels = [w for w in preview.findChildren(QLabel) if w.isVisibleTo(preview) and w.text()]
        assert all(w.textFormat() is Qt.TextFormat.PlainText for w in preview.findChildren(QLabel))
        data = {"<b>bold</b>", "<img src=x>"}
        assert [w.text() for w in labels if "⟦" not in w.text() and w.text() not in data] == []
        dialog = OutcomePicker(TASK.task_id, "Reza")
        texts = [b.text() for b in dialog.outcomes.buttons()]
        assert all("⟦" in text for text in texts), texts
        dialog.done_saving()
    finally:
        QCoreApplication.removeTranslator(translator)


def test_an_outcome_nobody_needs_any_more_goes_away_but_not_while_sending(rig: Rig) -> None:
    dialog = outcome_after_a_call(rig)
    dialog.choose("busy")
    dialog.save.click()
    rig.callbacks.task_changed(later(TASK, state="cancelled"))  # while the outcome is on its way: it stays
    assert dialog.isVisible()
    rig.desk.last("outcome").fail("the desk service did not answer within 5 s")
    rig.callbacks.task_changed(later(TASK, 2, state="claimed", agent="1002"))  # someone else has it now
    assert rig.callbacks.outcomes == {} and "needs no outcome from you" in rig.status[-1]


def test_a_dialled_task_stays_in_view_during_the_call(rig: Rig) -> None:
    preview = rig.callbacks.preview
    dialled = CallSnapshot(7, Direction.OUTGOING, CallState.DIALING, f"cb{TASK.task_id}",
                           callback_task=TASK.task_id, started_at=NOW)
    rig.ring(dialled)
    assert preview.isVisible() and preview.topic.text() == "Invoice question"
    assert not preview.call_button.isVisible() and not preview.offering
    call = rig.change(dialled, state=CallState.ACTIVE, connected_at=NOW + 5)
    rig.change(call, state=CallState.ENDED)
    assert not preview.isVisible() and TASK.task_id in rig.callbacks.outcomes


def test_an_answer_for_a_closed_dialog_is_dropped(rig: Rig, qtbot: Any) -> None:
    dialog = rig.callbacks.open_reschedule(TASK.task_id)
    assert dialog is not None
    dialog.box.accepted.emit()
    dialog.reject()  # the agent gave up waiting; the dialog deletes itself
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))
    rig.desk.last("reschedule").fail("too late", 400)  # nothing left to show it in: no error


def test_an_attempt_the_service_recorded_asks_for_no_outcome(rig: Rig) -> None:
    """The customer did not answer: the service records the attempt itself,
    so the agent is told so instead of being asked for an outcome it would refuse."""
    rig.ring()
    call = rig.change(OFFER, state=CallState.ACTIVE, connected_at=NOW + 2)
    rig.callbacks.task_changed(later(TASK, state="claimed", agent="1001"))
    rig.callbacks.task_changed(later(TASK, 2, attempts=2, last_outcome="no_answer"))  # while the call is up
    rig.change(call, state=CallState.ENDED)
    assert rig.callbacks.outcomes == {}
    assert rig.status[-1] == ("\u2068Reza Hosseini\u2069 · \u206609121110001\u2069 did not answer (No answer); "
                              "the attempt is recorded.")


def test_a_picker_open_when_the_service_records_the_attempt_closes(rig: Rig) -> None:
    dialog = outcome_after_a_call(rig)
    rig.callbacks.task_changed(later(TASK, state="claimed", agent="1001"))
    assert dialog.isVisible()  # still the agent's to record
    rig.callbacks.task_changed(later(TASK, 2, attempts=2, last_outcome="busy"))
    assert rig.callbacks.outcomes == {} and "did not answer (Busy)" in rig.status[-1]


def test_once_the_outcome_is_saved_its_new_time_is_still_kept(rig: Rig) -> None:
    dialog = outcome_after_a_call(rig)
    dialog.choose("no_answer")
    dialog.again.setChecked(True)
    dialog.save.click()
    rig.desk.last("outcome").succeed(later(TASK, attempts=2, last_outcome="no_answer"))
    rig.desk.last("reschedule").fail("the desk service answered 502", 502)
    rig.callbacks.task_changed(later(TASK, 2, attempts=2, last_outcome="no_answer"))  # the news of my own outcome
    assert TASK.task_id in rig.callbacks.outcomes and dialog.retry.isActive()
