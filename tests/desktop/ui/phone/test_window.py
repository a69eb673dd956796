"""The main window without a PBX: translatable text, right-to-left layout,
keyboard entry, the settings dialog."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QObject, QPoint, Qt, QTranslator, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from agentdesk.desktop.phone.model import (
    AccountSnapshot,
    CallSnapshot,
    CallState,
    Direction,
    RegState,
)
from agentdesk.desktop.settings import Settings
from agentdesk.desktop.ui.common.settings_dialog import SettingsDialog
from agentdesk.desktop.ui.phone.main_window import MainWindow
from tests.helpers.fakes import FakeEngine

CALLER = CallSnapshot(7, Direction.INCOMING, CallState.RINGING_IN, "+982155550101", "Dmitri Volkov",
                      queue="support", started_at=time.time())


class Bracketing(QTranslator):
    """Translates every string to ⟦string⟧, to see which ones went through Qt."""

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        return f"⟦{source}⟧"

    def isEmpty(self) -> bool:
        return False


@pytest.fixture
def window(qtbot: Any) -> Iterator[MainWindow]:
    main = MainWindow(FakeEngine())
    qtbot.addWidget(main)
    main.show()
    yield main
    main.incoming.close()


def fake(window: MainWindow) -> FakeEngine:
    assert isinstance(window.engine, FakeEngine)
    return window.engine


def visible_texts(root: QWidget) -> list[str]:
    texts = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QLabel | QAbstractButton) and widget.text().strip():
            texts.append(widget.text())
    return texts


def test_every_string_on_screen_goes_through_qt_translation(qtbot: Any) -> None:
    translator = Bracketing()
    QCoreApplication.installTranslator(translator)
    try:
        main = MainWindow(FakeEngine())
        qtbot.addWidget(main)
        main.show()
        main.show_account(AccountSnapshot(RegState.REGISTERED, "1001", "pbx:5060"))
        main.show_call(CALLER)
        main.show_call(CALLER.with_changes(call_id=8, state=CallState.ACTIVE, connected_at=time.time()))
        data = {"Dmitri Volkov", "↙ \u2066+982155550101\u2069", "support", "00:00", "1001 · pbx:5060", "1001",
                *"123456789*0#"}
        untranslated = [t for t in visible_texts(main) if not t.startswith("⟦") and t not in data
                        and t.split("\n")[0] not in data]
        assert untranslated == []
        main.incoming.close()
    finally:
        QCoreApplication.removeTranslator(translator)


def test_the_window_mirrors_right_to_left(qtbot: Any) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    positions = {}
    for direction in (Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft):
        app.setLayoutDirection(direction)
        main = MainWindow(FakeEngine())
        qtbot.addWidget(main)
        main.show()
        main.show_call(CALLER)
        qtbot.waitExposed(main)
        qtbot.wait(50)  # let the new call card be laid out
        entry = main.dialer.entry.mapTo(main, QPoint(0, 0)).x()
        button = main.dialer.call_button.mapTo(main, QPoint(0, 0)).x()
        card = main.calls.cards[CALLER.call_id]
        title = card.title.mapTo(main, QPoint(0, 0)).x()
        timer = card.timer.mapTo(main, QPoint(0, 0)).x()
        positions[direction] = (button > entry, timer > title, main.incoming.isRightToLeft())
        main.incoming.close()
    app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    assert positions[Qt.LayoutDirection.LeftToRight] == (True, True, False)
    assert positions[Qt.LayoutDirection.RightToLeft] == (False, False, True)


def test_typing_a_bad_number_explains_without_calling(window: MainWindow, qtbot: Any) -> None:
    qtbot.keyClicks(window.dialer.entry, "call mom")
    qtbot.keyClick(window.dialer.entry, Qt.Key.Key_Return)
    assert window.dialer.problem.isVisible()
    assert "not a phone number" in window.dialer.problem.text()
    assert window.dialer.entry.text() == "call mom"  # nothing the agent typed is lost


def test_the_incoming_call_window_appears_while_the_main_window_is_minimised(window: MainWindow) -> None:
    window.showMinimized()
    window.show_incoming(CALLER)
    assert window.incoming.isVisible()
    assert window.incoming.title.text() == "Dmitri Volkov"
    assert window.incoming.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)


def test_settings_dialog_checks_values_before_saving(qtbot: Any, user_folders: Any) -> None:
    dialog = SettingsDialog(Settings(), [("Headset", True, True)], "", lambda: 0.25)
    qtbot.addWidget(dialog)
    dialog.show()
    server = dialog.editors["server"]
    server.setText("no spaces allowed")  # type: ignore[attr-defined]
    dialog._save()
    assert dialog.problem.isVisible() and "host:port" in dialog.problem.text()
    server.setText("pbx.example.com:5060")  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog._save()
    values, password = saved.args
    assert values["server"] == "pbx.example.com:5060" and password == ""
    qtbot.waitUntil(lambda: dialog.level.value() == 25)  # the microphone level meter


def test_settings_dialog_checks_the_crm_address_template(qtbot: Any, user_folders: Any) -> None:
    dialog = SettingsDialog(Settings(), None, "", lambda: 0.0)
    qtbot.addWidget(dialog)
    dialog.show()
    lookup = dialog.editors["crm_lookup_url"]
    lookup.setText("http://crm.example.com/find?phone={number.__class__}")  # type: ignore[attr-defined]
    dialog._save()
    assert dialog.problem.isVisible() and "{number}" in dialog.problem.text()
    lookup.setText("https://crm.example.com/find?phone={number}")  # type: ignore[attr-defined]
    dialog.editors["desk_url"].setText("https://desk.example.com:8480")  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog._save()
    assert saved.args[0]["crm_lookup_url"] == "https://crm.example.com/find?phone={number}"
    assert saved.args[0]["desk_url"] == "https://desk.example.com:8480"


def test_audio_problem_is_shown_and_device_choices_disabled(qtbot: Any, user_folders: Any) -> None:
    problem = "Audio is unavailable: no speaker or headset was found. Calls still connect."
    dialog = SettingsDialog(Settings(), None, problem, lambda: 0.0)
    qtbot.addWidget(dialog)
    assert not dialog.editors["microphone"].isEnabled()
    assert problem in [label.text() for label in dialog.findChildren(QLabel)]


def test_qt_bindings_keep_their_references() -> None:
    """PySide6 6.12.0 lost a reference to True/False on each emission until the
    interpreter aborted at exit (pyproject.toml excludes it)."""

    class Emitter(QObject):
        value = Signal(object)

    emitter = Emitter()
    emitter.value.connect(lambda value: None)
    before = sys.getrefcount(True)
    for _ in range(100):
        emitter.value.emit(True)
    assert abs(sys.getrefcount(True) - before) <= 2  # the bug showed as -100


def test_clicking_call_controls_does_not_leak_references(window: MainWindow, qtbot: Any) -> None:
    active = CALLER.with_changes(state=CallState.ACTIVE, connected_at=time.time())
    window.show_call(active)
    card = window.calls.cards[active.call_id]
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(200):
        card.hold_button.click()
        card.mute_button.click()
    assert (sys.getrefcount(True), sys.getrefcount(False)) >= before


def test_a_queue_caller_goes_to_the_survey_by_key_or_button_and_others_do_not(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = fake(window)
    transfers: list[tuple[int, str]] = []
    monkeypatch.setattr(engine, "transfer", lambda call_id, target: transfers.append((call_id, target)))
    active = CALLER.with_changes(state=CallState.ACTIVE, connected_at=time.time())
    try:
        survey_to_queue_or_not(window, active, transfers)
    finally:
        engine.calls.clear()  # closing a window with calls up would ask "end the calls?"


def survey_to_queue_or_not(window: MainWindow, active: CallSnapshot, transfers: list[tuple[int, str]]) -> None:
    fake(window).put(active)
    window.show_call(active)
    survey_key = next(s for s in window.findChildren(QShortcut) if s.key() == QKeySequence("Ctrl+F10"))
    survey_key.activated.emit()  # as Ctrl+F10 does (key presses need the active window)
    assert transfers == [(7, "*55")]
    window.calls.cards[7].survey_button.click()
    assert transfers == [(7, "*55")] * 2
    direct = active.with_changes(queue="")  # a colleague's call: there is no queue to survey for
    fake(window).put(direct)
    window.show_call(direct)
    assert not window.calls.cards[7].survey_button.isVisibleTo(window)
    survey_key.activated.emit()
    assert len(transfers) == 2


def test_the_window_follows_the_phone_and_sends_it_the_agents_commands(window: MainWindow, qtbot: Any) -> None:
    engine = fake(window)
    engine.registrationChanged.emit(AccountSnapshot(RegState.REGISTERED, "1001", "pbx:5060"))
    assert window.header.state.text() == "Phone online"
    engine.show(CALLER)  # rings in: the incoming window pops up
    assert window.incoming.isVisible() and window.incoming.title.text() == "Dmitri Volkov"
    window.show_call(CALLER)  # what the composition root feeds it
    window.incoming.answer_button.click()
    window.calls.cards[CALLER.call_id].decline_button.click()
    assert engine.commands == [("answer", 7), ("reject", 7)]
    engine.problem.emit("The PBX refused the call")
    assert window.statusBar().currentMessage() == "The PBX refused the call"
    engine.calls.clear()
