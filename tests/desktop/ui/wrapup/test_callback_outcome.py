"""After a callback call the outcome picker is part of the wrap-up panel
of that call (real widgets: the wrap-up controller hosts the callback
side's picker): not a window of its own, keys 1-6 pick the outcomes, the
note typed there is kept in the call's draft on disk, and saving the
outcome closes the panel. With no wrap-up from the service the picker
still shows in the panel."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from agentdesk.contract.ids import callback_wrapup_id
from agentdesk.contract.states import OUTCOMES
from agentdesk.contract.wrapups import WrapUpView
from agentdesk.desktop.phone.model import CallSnapshot, CallState
from agentdesk.desktop.ui.callbacks.controller import CallbackDesk
from tests.desktop.ui.callbacks.test_preview import OFFER
from tests.desktop.ui.wrapup.test_panel import Rig, make_rig, snapshot, wrapup
from tests.helpers.fakes import NOW, FakeDesk, FakeEngine, later, task

TASK = task(topic="Invoice question")
OFFER_CALL = 5
WRAPUP_ID = callback_wrapup_id(TASK.task_id, "1800000000.12")


@dataclass
class Both:
    wrapups: Rig
    callbacks: CallbackDesk
    desk: FakeDesk
    phone: FakeEngine

    def callback_call_ends(self) -> None:
        """An offered callback rings, is answered, and ends."""
        for state in (CallState.RINGING_IN, CallState.ACTIVE, CallState.ENDED):
            call: CallSnapshot = OFFER.with_changes(state=state, connected_at=NOW + 2)
            self.phone.put(call)
            if state is CallState.RINGING_IN:
                self.callbacks.call_ringing(call)
            self.callbacks.call_changed(call)


def notes_on_disk(rig: Rig) -> list[str] | None:
    """The notes of the drafts on disk (None: read while the disk worker
    replaced or dropped one)."""
    try:
        return [draft.notes for draft in rig.files.drafts("1001")]
    except FileNotFoundError:
        return None


@contextmanager
def desktop(qtbot: Any, folder: Path, active: WrapUpView | None = None) -> Iterator[Both]:
    """The wrap-up side and the callback side of one desktop, wired as the app does."""
    rig, disk, outbox = make_rig(qtbot, folder)
    desk, phone = FakeDesk(), FakeEngine()
    callbacks = CallbackDesk(desk, phone, rig.window, lambda: "pbx.example", lambda: NOW, lambda _text: None,
                             rig.desk)
    rig.desk.outcome_wanted.connect(callbacks.outcome_wanted)
    callbacks.show_tasks([TASK])
    rig.desk.snapshot(snapshot(active=active))
    try:
        yield Both(rig, callbacks, desk, phone)
    finally:
        for picker in list(callbacks.outcomes.values()):
            picker.done_saving()
        outbox.stop()
        disk.shutdown()


@pytest.fixture
def both(qtbot: Any, tmp_path: Path) -> Iterator[Both]:
    with desktop(qtbot, tmp_path / "wrapups") as made:
        yield made


def test_the_outcome_picker_is_in_the_wrapup_panel_and_keys_pick_outcomes(qtbot: Any, both: Both) -> None:
    panel = both.wrapups.panel
    both.callback_call_ends()
    picker = both.callbacks.outcomes[TASK.task_id]
    assert panel.isVisible() and panel.isAncestorOf(picker) and picker.isVisible()
    assert picker.window() is both.wrapups.window  # no window of its own over the next call
    # The service's wrap-up of that call: the countdown, and still the picker in place of dispositions.
    both.wrapups.desk.wrapup_changed(wrapup(uniqueid=WRAPUP_ID, name="Reza Hosseini"))
    assert both.wrapups.desk.current == WRAPUP_ID and panel.isAncestorOf(picker) and picker.isVisible()
    assert panel.countdown.text() and not panel.done_button.isVisible() and not panel.notes.isVisible()
    assert not any(button.isVisible() for button in panel.group.buttons())
    both.wrapups.activate(qtbot)
    for index, outcome in enumerate(OUTCOMES):
        focused = QApplication.focusWidget()
        assert focused is not None and picker.isAncestorOf(focused)
        qtbot.keyClick(focused, getattr(Qt.Key, f"Key_{index + 1}"))
        assert picker.outcome() == outcome
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1)
    assert picker.outcome() == "reached"
    picker.note.setText("Paid by card")
    qtbot.waitUntil(lambda: notes_on_disk(both.wrapups) == ["Paid by card"], timeout=5000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    saved = both.desk.last("outcome")
    assert saved.args == (TASK.task_id, "reached", "Paid by card")
    saved.succeed(later(TASK, state="done", last_outcome="reached"))
    assert not panel.isVisible() and both.callbacks.outcomes == {}
    qtbot.waitUntil(lambda: notes_on_disk(both.wrapups) == [], timeout=5000)


def test_a_typed_note_survives_a_restart_of_the_desktop(qtbot: Any, tmp_path: Path) -> None:
    folder = tmp_path / "wrapups"
    view = wrapup(uniqueid=WRAPUP_ID)
    with desktop(qtbot, folder) as before:
        before.callback_call_ends()
        before.wrapups.desk.wrapup_changed(view)
        before.callbacks.outcomes[TASK.task_id].note.setText("Call after 5")
        qtbot.waitUntil(lambda: notes_on_disk(before.wrapups) == ["Call after 5"], timeout=5000)
        before.callbacks.outcomes.clear()  # the desktop stops with the outcome unsaved
    with desktop(qtbot, folder, active=view) as after:  # signed in again during that wrap-up
        qtbot.waitUntil(lambda: TASK.task_id in after.callbacks.outcomes, timeout=5000)
        picker = after.callbacks.outcomes[TASK.task_id]  # asked for by the wrap-up (outcome_wanted)
        assert after.wrapups.panel.isAncestorOf(picker) and picker.isVisible()
        assert picker.note.text() == "Call after 5"


def test_without_a_wrapup_from_the_service_the_picker_still_shows_in_the_panel(both: Both) -> None:
    both.callback_call_ends()
    picker = both.callbacks.outcomes[TASK.task_id]
    panel = both.wrapups.panel
    assert panel.isVisible() and panel.isAncestorOf(picker) and both.wrapups.desk.current_task == TASK.task_id
    assert "Reza" in panel.caller.text() and not panel.countdown.text()
    picker.choose("busy")
    picker.save.click()
    both.desk.last("outcome").succeed(later(TASK, last_outcome="busy"))
    assert not panel.isVisible()
