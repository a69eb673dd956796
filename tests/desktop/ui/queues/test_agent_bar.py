"""The agent bar: the signals its buttons, menu and shortcuts emit, time in
state, pending commands and errors, right-to-left."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt, QTranslator
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from agentdesk.contract.queues import AgentState
from agentdesk.contract.states import MISSED_CALL_REASON, AgentActivity
from agentdesk.desktop.ui.queues.agent_bar import AgentBar
from tests.helpers.screen import on_screen, rendered

NOW = 1_800_000_000.0
QUEUES = [("support", "Support"), ("sales", "Sales"), ("billing", "Billing & Accounts")]


def state(activity: AgentActivity = AgentActivity.READY, reason: str = "", since: float = NOW - 95,
          **queues: bool) -> AgentState:
    logged_in = {"support": True, "sales": False, "billing": False, **queues}
    return AgentState("1001", "Demo Agent", "agent", "1001", logged_in, activity, reason, since)


@pytest.fixture
def bar(qtbot: Any) -> Iterator[AgentBar]:
    widget = AgentBar(clock=lambda: NOW)
    qtbot.addWidget(widget)
    widget.set_queues(QUEUES)
    widget.set_pause_reasons(["Lunch", "Training", "R&D"])
    widget.show_state(state(), clock_offset=0.0)
    with qtbot.waitActive(widget):  # window shortcuts need the window active
        widget.show()
    yield widget
    widget.pause_menu.close()


def test_clicking_a_queue_asks_to_log_in_or_out(bar: AgentBar, qtbot: Any) -> None:
    assert [(b.text(), b.isChecked()) for b in bar.toggles.values()] == [
        ("✓ Support", True), ("Sales", False), ("Billing && Accounts", False)]
    with qtbot.waitSignal(bar.queue_login_requested) as request:
        qtbot.mouseClick(bar.toggles["sales"], Qt.MouseButton.LeftButton)
    assert request.args == ["sales", True]
    with qtbot.waitSignal(bar.queue_login_requested) as request:
        qtbot.mouseClick(bar.toggles["support"], Qt.MouseButton.LeftButton)
    assert request.args == ["support", False]


def test_ctrl_digit_toggles_the_nth_queue(bar: AgentBar, qtbot: Any) -> None:
    with qtbot.waitSignal(bar.queue_login_requested) as request:
        qtbot.keyClick(bar, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert request.args == ["billing", True]
    with qtbot.assertNotEmitted(bar.queue_login_requested):
        qtbot.keyClick(bar, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)  # no seventh queue


# A popup menu asks for the keyboard; the offscreen platform has none to give.
@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")
def test_pause_menu_by_mouse_and_by_keyboard(bar: AgentBar, qtbot: Any) -> None:
    qtbot.mouseClick(bar.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(bar.pause_menu.isVisible)
    assert [a.text() for a in bar.pause_menu.actions()] == ["&1  Lunch", "&2  Training", "&3  R&&D"]
    with qtbot.waitSignal(bar.pause_requested) as request:
        bar.pause_menu.actions()[1].trigger()
    assert request.args == ["Training"]
    bar.pause_menu.close()
    qtbot.keyClick(bar, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(bar.pause_menu.isVisible)
    with qtbot.waitSignal(bar.pause_requested) as request:
        qtbot.keyClick(bar.pause_menu, Qt.Key.Key_3)
    assert request.args == ["R&D"]
    assert not bar.pause_menu.isVisible()


def test_pause_without_reasons_pauses_at_once(bar: AgentBar, qtbot: Any) -> None:
    bar.set_pause_reasons([])
    with qtbot.waitSignal(bar.pause_requested) as request:
        qtbot.keyClick(bar, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert request.args == [""] and not bar.pause_menu.isVisible()


def test_ready_only_while_paused(bar: AgentBar, qtbot: Any) -> None:
    assert not bar.ready_button.isEnabled()
    with qtbot.assertNotEmitted(bar.unpause_requested):
        qtbot.keyClick(bar, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    bar.show_state(state(AgentActivity.PAUSED, "Lunch"), clock_offset=0.0)
    assert bar.activity.text() == "Paused: Lunch" and bar.ready_button.isEnabled()
    with qtbot.waitSignal(bar.unpause_requested):
        qtbot.keyClick(bar, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(bar.unpause_requested):
        qtbot.mouseClick(bar.ready_button, Qt.MouseButton.LeftButton)


def test_activity_texts(bar: AgentBar) -> None:
    texts = {}
    for activity in AgentActivity:
        bar.show_state(state(activity), clock_offset=0.0)
        texts[activity] = (bar.activity.text(), bar.activity.property("activity"))
    assert texts == {
        AgentActivity.LOGGED_OUT: ("Logged out", "logged_out"), AgentActivity.READY: ("Ready", "ready"),
        AgentActivity.RINGING: ("Ringing", "ringing"), AgentActivity.ON_CALL: ("On call", "on_call"),
        AgentActivity.PAUSED: ("Paused", "paused"), AgentActivity.UNAVAILABLE: ("Phone unavailable", "unavailable"),
    }
    bar.show_state(state(AgentActivity.LOGGED_OUT, support=False), clock_offset=0.0)
    assert not bar.pause_button.isEnabled()


def test_time_in_state_ticks_on_the_service_clock(qtbot: Any) -> None:
    widget = AgentBar()  # the real clock and timer
    qtbot.addWidget(widget)
    offset = -7200.0  # the service's clock is two hours behind this desktop's
    widget.show_state(state(since=time.time() + offset - 95), clock_offset=offset)
    first = widget.timer.text()
    assert first in ("01:35", "01:36")
    qtbot.waitUntil(lambda: widget.timer.text() != first, timeout=2500)
    assert widget.timer.text() in ("01:36", "01:37")


def test_without_a_state_the_clock_does_not_tick(qtbot: Any) -> None:
    widget = AgentBar()
    qtbot.addWidget(widget)
    assert not widget._timer.isActive() and widget.timer.text() == ""  # not connected: nothing to time
    widget.show_state(state(since=time.time() - 5), clock_offset=0.0)
    assert widget._timer.isActive()


def test_pending_command_disables_controls_then_shows_the_truth(bar: AgentBar, qtbot: Any) -> None:
    qtbot.mouseClick(bar.toggles["sales"], Qt.MouseButton.LeftButton)
    bar.set_pending(True)
    controls = [*bar.toggles.values(), bar.pause_button, bar.ready_button]
    assert not any(control.isEnabled() for control in controls)
    assert bar.pending.isVisibleTo(bar)
    with qtbot.assertNotEmitted(bar.pause_requested):
        qtbot.keyClick(bar, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    bar.show_error("The desk service refused: queue sales is closed")
    bar.set_pending(False)
    assert not bar.toggles["sales"].isChecked()  # the service did not log us in
    assert bar.problem.isVisibleTo(bar) and "closed" in bar.problem.text()
    assert bar.toggles["sales"].isEnabled() and not bar.pending.isVisibleTo(bar)
    bar.set_pending(True)
    assert not bar.problem.isVisibleTo(bar)  # a new attempt clears the old error


def test_queues_only_the_service_knows_get_a_toggle(bar: AgentBar) -> None:
    bar.show_state(state(vip=True), clock_offset=0.0)
    assert bar.toggles["vip"].isChecked() and bar.toggles["vip"].text() == "✓ vip"


def only(*joinable: str, **queues: bool) -> AgentState:
    """The state of an agent the directory lets join only `joinable`."""
    logged_in = {"support": False, "sales": False, "billing": False, **queues}
    return dataclasses.replace(state(), queues=logged_in, joinable=joinable)


def test_an_agent_gets_toggles_only_for_the_queues_they_may_join(bar: AgentBar, qtbot: Any) -> None:
    bar.show_state(only("support"), clock_offset=0.0)
    assert list(bar.toggles) == ["support"]
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the toggles taken away
    shown = " ".join(on_screen(bar))
    assert "Support" in shown and "Sales" not in shown and "Billing" not in shown
    with qtbot.assertNotEmitted(bar.queue_login_requested):
        qtbot.keyClick(bar, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # sales was the second
    with qtbot.waitSignal(bar.queue_login_requested) as request:
        qtbot.keyClick(bar, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert request.args == ["support", True]


def test_the_shortcuts_count_the_queues_offered(bar: AgentBar, qtbot: Any) -> None:
    bar.show_state(only("support", "billing"), clock_offset=0.0)
    assert [rendered(b.toolTip()) for b in bar.toggles.values()] == [
        "Not in Support: click to log in (Ctrl+1)", "Not in Billing & Accounts: click to log in (Ctrl+2)"]
    with qtbot.waitSignal(bar.queue_login_requested) as request:
        qtbot.keyClick(bar, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert request.args == ["billing", True]


def test_a_queue_the_agent_is_in_but_may_not_join_can_still_be_left(bar: AgentBar, qtbot: Any) -> None:
    bar.show_state(only("support", sales=True), clock_offset=0.0)
    assert list(bar.toggles) == ["support", "sales"] and bar.toggles["sales"].isChecked()
    assert "cannot join it again" in bar.toggles["sales"].toolTip()
    with qtbot.waitSignal(bar.queue_login_requested) as request:
        qtbot.mouseClick(bar.toggles["sales"], Qt.MouseButton.LeftButton)
    assert request.args == ["sales", False]
    bar.show_state(only("support"), clock_offset=0.0)  # the service: out of sales
    assert list(bar.toggles) == ["support"]


def test_an_agent_who_may_join_no_queue_is_told_why(bar: AgentBar) -> None:
    bar.show_state(only(), clock_offset=0.0)
    assert bar.toggles == {} and bar.no_queues.isVisibleTo(bar)
    assert bar.no_queues.text() == "The directory lists no queue for you to join; a team lead can change that."


def test_a_service_that_does_not_say_gets_every_queue_offered(bar: AgentBar) -> None:
    bar.show_state(only("support"), clock_offset=0.0)
    bar.show_state(state(), clock_offset=0.0)  # joinable None: an older service
    assert list(bar.toggles) == ["support", "sales", "billing"]


def test_the_bar_mirrors_right_to_left(qtbot: Any) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    order = {}
    try:
        for direction in (Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft):
            app.setLayoutDirection(direction)
            widget = AgentBar(clock=lambda: NOW)
            qtbot.addWidget(widget)
            widget.set_queues(QUEUES)
            widget.show_state(state(), clock_offset=0.0)
            widget.resize(400, 100)
            widget.show()
            qtbot.waitExposed(widget)
            x = {name: w.mapTo(widget, QPoint(0, 0)).x() for name, w in
                 (("activity", widget.activity), ("pause", widget.pause_button),
                  ("first", widget.toggles["support"]), ("second", widget.toggles["sales"]))}
            order[direction] = (x["activity"] < x["pause"], x["first"] < x["second"])
    finally:
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    assert order[Qt.LayoutDirection.LeftToRight] == (True, True)
    assert order[Qt.LayoutDirection.RightToLeft] == (False, False)


def test_texts_from_the_service_are_plain(bar: AgentBar) -> None:
    bar.show_state(state(AgentActivity.PAUSED, "<i>coffee</i>"), clock_offset=0.0)
    assert bar.activity.text() == "Paused: <i>coffee</i>"
    assert all(label.textFormat() is Qt.TextFormat.PlainText for label in bar.findChildren(QLabel))


class Bracketing(QTranslator):
    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        return f"⟦{source}⟧"

    def isEmpty(self) -> bool:
        return False


def test_every_string_goes_through_qt_translation(qtbot: Any) -> None:
    translator = Bracketing()
    QCoreApplication.installTranslator(translator)
    try:
        widget = AgentBar(clock=lambda: NOW)
        qtbot.addWidget(widget)
        widget.set_queues(QUEUES)
        widget.show_state(state(AgentActivity.PAUSED, "Lunch"), clock_offset=0.0)
        widget.set_pending(True)
        texts = [w.text() for w in widget.findChildren(QWidget)
                 if isinstance(w, QLabel | QAbstractButton) and w.isVisibleTo(widget) and w.text().strip()]
        data = {"01:35", "✓ Support", "Sales", "Billing && Accounts"}
        assert [t for t in texts if "⟦" not in t and t not in data] == []
        assert all("⟦" in button.toolTip() for button in widget.toggles.values())
    finally:
        QCoreApplication.removeTranslator(translator)


def test_a_pause_for_a_missed_call_says_so_and_ready_ends_it(bar: AgentBar, qtbot: Any) -> None:
    assert not bar.notice.isVisible()

    bar.show_state(state(AgentActivity.PAUSED, MISSED_CALL_REASON), clock_offset=0.0)

    assert bar.activity.text() == "Paused: missed call"
    assert bar.notice.isVisible()
    assert bar.notice.text() == "Paused: you missed a call — press Ready when you are back"
    with qtbot.waitSignal(bar.unpause_requested):
        qtbot.mouseClick(bar.ready_button, Qt.MouseButton.LeftButton)
    bar.show_state(state(AgentActivity.PAUSED, "Lunch"), clock_offset=0.0)
    assert not bar.notice.isVisible()  # a pause the agent chose needs no explaining
    bar.show_state(state(), clock_offset=0.0)
    assert not bar.notice.isVisible()
