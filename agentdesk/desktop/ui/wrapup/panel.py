"""The wrap-up panel: the after-call work of one queue call.

Shows who the call was with and from which queue, a countdown to the end
of the wrap-up time (the service's deadline, corrected for the difference
between its clock and ours), a warning colour near the end and "overtime"
once the limit passed while a disposition is still owed. The agent picks a
disposition (Ctrl+1..Ctrl+9 in order), types notes (plain text), ticks
"Resolved on first contact" and "Needs follow-up" (a date and time, Jalali
in Persian, and a topic), then "Done" (Ctrl+Return: save and end the
wrap-up) or "Save" (Ctrl+S: save, keep the wrap-up time running).

After a callback call the record is the callback's outcome: the panel holds
the outcome picker of that call (`show_wrapup(..., outcome)`, or
`show_outcome` while the service reports no wrap-up for it) in place of the
dispositions, notes and follow-up; its keys are the picker's (1-6, Enter).

The panel never talks to the network or the disk: it reports edits and
the agent's requests; the controller (controller.py) keeps and sends them.
Caller-supplied text (name, number) is plain text.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from agentdesk.contract.states import MAX_NOTES, MAX_TOPIC
from agentdesk.contract.wrapups import WrapUpView

from ...link.wrapups import WrapUpDraft
from ..callbacks.dialogs import when_edit
from ..callbacks.outcome_picker import OutcomePicker
from ..common.flow import FlowLayout
from ..common.numbers import display_number
from ..common.style import (
    ACCENT,
    BAD,
    GOOD,
    MUTED,
    WARN,
)
from ..common.text import clean_text, format_duration, isolate, plain_label

Clock = Callable[[], float]
MAX_HOTKEYS = 9
FOLLOW_UP_HOUR = 10

PANEL_STYLE = f"""
#WrapUpPanel {{ background: #ffffff; border: 2px solid {ACCENT}; border-radius: 12px; }}
#WrapUpCountdown {{ font-size: 13pt; font-family: monospace; font-weight: 600; color: {GOOD}; }}
#WrapUpCountdown[stage="warning"] {{ color: {WARN}; }}
#WrapUpCountdown[stage="overtime"] {{ color: {BAD}; }}
#WrapUpCountdown[stage="over"] {{ color: {MUTED}; font-size: 10pt; }}
#Disposition {{ border: 1px solid #dadce0; border-radius: 8px; background: #ffffff; padding: 4px 10px; }}
#Disposition:checked {{ background: #e8f0fe; border: 2px solid {ACCENT}; font-weight: 600; }}
#WrapUpStatus {{ color: {MUTED}; }}
#WrapUpStatus[kind="error"] {{ color: {BAD}; }}
#WrapUpStatus[kind="sent"] {{ color: {GOOD}; }}
"""


def default_follow_up(now: float) -> float:
    """Tomorrow at 10:00 local time."""
    day = QDateTime.fromSecsSinceEpoch(int(now)).date().addDays(1)
    return float(QDateTime(day, QTime(FOLLOW_UP_HOUR, 0)).toSecsSinceEpoch())


def restyle(widget: QWidget, name: str, value: str) -> None:
    if widget.property(name) != value:
        widget.setProperty(name, value)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


class WrapUpPanel(QFrame):
    """One wrap-up at a time: `show_wrapup(view, draft)`, then `update_view`
    as the service reports changes, `clear()` when it is over.

    Signals: `edited()` on every change the agent makes; `done_requested()`
    (Done / Ctrl+Return) and `save_requested()` (Save / Ctrl+S).
    Invariant: its hotkeys are enabled only while it shows a wrap-up."""

    edited = Signal()
    done_requested = Signal()
    save_requested = Signal()

    def __init__(self, clock: Clock = time.time, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WrapUpPanel")
        self.setStyleSheet(PANEL_STYLE)
        self._clock = clock
        self._offset = 0.0  # the service's clock minus ours
        self._loading = False
        self.view: WrapUpView | None = None
        self.uniqueid = ""
        self.codes: list[str] = []
        self.timer = QTimer(self)
        self.timer.setInterval(500)
        self.timer.timeout.connect(self.tick)
        self._build()
        self._keys = self._shortcuts()
        self.clear()

    # -- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.heading = plain_label(self.tr("After-call work"), "PopHeading")
        self.caller = plain_label("", "CallerName")
        self.caller.setWordWrap(True)
        self.detail = plain_label("", "CallerDetail")
        self.countdown = plain_label("", "WrapUpCountdown")
        self.codes_box = FlowLayout()  # as many codes to a row as fit, however long
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.group.buttonToggled.connect(self._code_toggled)
        self.notes = QPlainTextEdit(self)
        self.notes.setPlaceholderText(self.tr("Notes"))
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.notes.fontMetrics().height() * 4 + 12)
        self.notes.textChanged.connect(self._changed)
        self.resolved = QCheckBox(self.tr("&Resolved on first contact"), self)
        self.resolved.toggled.connect(self._changed)
        column = QVBoxLayout(self)
        column.setContentsMargins(14, 10, 14, 12)
        column.setSpacing(6)
        column.addLayout(self._top())
        column.addWidget(self.detail)
        self.outcome_box = QVBoxLayout()
        self.outcome: OutcomePicker | None = None  # a callback call's outcome picker, while it shows one
        column.addLayout(self.outcome_box)
        column.addLayout(self.codes_box)
        column.addWidget(self.notes)
        column.addWidget(self.resolved)
        column.addLayout(self._follow_up())
        self.problem = plain_label("", "Problem")
        self.problem.setWordWrap(True)
        column.addWidget(self.problem)
        column.addLayout(self._actions())

    def _top(self) -> QVBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self.caller, 1)
        row.addWidget(self.countdown, 0, Qt.AlignmentFlag.AlignTop)
        rows = QVBoxLayout()
        rows.setSpacing(2)
        rows.addWidget(self.heading)
        rows.addLayout(row)
        return rows

    def _follow_up(self) -> FlowLayout:
        self.follow_up = QCheckBox(self.tr("Needs &follow-up"), self)
        self.follow_up.toggled.connect(self._follow_up_toggled)
        self.follow_up_when = when_edit(self, default_follow_up(self._clock()))
        self.follow_up_when.dateTimeChanged.connect(self._changed)
        self.topic = QLineEdit(self)
        self.topic.setPlaceholderText(self.tr("Topic of the follow-up"))
        self.topic.setMaxLength(MAX_TOPIC)
        self.topic.textChanged.connect(self._changed)
        row = FlowLayout()  # the topic goes under the date when the pane is narrow
        row.addWidget(self.follow_up)
        row.addWidget(self.follow_up_when)
        row.addWidget(self.topic)
        return row

    def _actions(self) -> QHBoxLayout:
        self.status = plain_label("", "WrapUpStatus")
        self.status.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("CallControl")
        self.save_button.setToolTip(self.tr("Save the record; the wrap-up time keeps running (Ctrl+S)"))
        self.save_button.clicked.connect(self.save_requested)
        self.done_button = QPushButton(self.tr("Done"), self)
        self.done_button.setObjectName("AnswerButton")
        self.done_button.setToolTip(self.tr("Save the record and end the wrap-up (Ctrl+Return)"))
        self.done_button.clicked.connect(self.done_requested)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.save_button)
        row.addWidget(self.done_button)
        return row

    def _shortcuts(self) -> list[QShortcut]:
        keys: list[tuple[str, Callable[[], Any]]] = [
            (f"Ctrl+{index + 1}", self._chooser(index)) for index in range(MAX_HOTKEYS)]
        keys += [("Ctrl+Return", self.done_requested.emit), ("Ctrl+Enter", self.done_requested.emit),
                 ("Ctrl+S", self.save_requested.emit)]
        shortcuts = []
        for sequence, action in keys:
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(action)
            shortcuts.append(shortcut)
        return shortcuts

    def _chooser(self, index: int) -> Callable[[], None]:
        return lambda: self.choose_index(index)

    # -- what the controller shows ---------------------------------------------------------------
    def show_wrapup(self, view: WrapUpView, draft: WrapUpDraft, outcome: OutcomePicker | None = None) -> None:
        """A wrap-up to work on, filled in with what the agent entered so far
        (with a callback call's outcome picker: that is its record)."""
        self._loading = True
        try:
            self.uniqueid = view.uniqueid
            self._set_codes(view.dispositions, draft.disposition)
            self.notes.setPlainText(draft.notes)
            self.resolved.setChecked(draft.first_contact_resolved)
            self.follow_up.setChecked(draft.follow_up_at is not None)
            at = draft.follow_up_at if draft.follow_up_at is not None else default_follow_up(self._clock())
            self.follow_up_when.setDateTime(QDateTime.fromSecsSinceEpoch(int(at)))
            self.topic.setText(draft.follow_up_topic)
            self._follow_up_toggled(self.follow_up.isChecked())
        finally:
            self._loading = False
        self.show_problem(draft.problem)
        self.show_status("", "")
        self.update_view(view)
        self._hold_outcome(outcome)
        self.timer.start()
        self.show()

    def show_outcome(self, outcome: OutcomePicker, customer: str) -> None:
        """A callback call's outcome picker with no wrap-up time (the service
        reports none: wrap-up is off for the queue, or not there yet)."""
        self.timer.stop()
        self.view = None
        self.uniqueid = ""
        self.caller.setText(customer or self.tr("Unknown caller"))
        self.detail.setText("")
        self.countdown.setText("")
        self.show_problem("")
        self.show_status("", "")
        self._hold_outcome(outcome)
        self.show()

    def _hold_outcome(self, outcome: OutcomePicker | None) -> None:
        """Shows the picker (a callback call) or the record's own fields."""
        if self.outcome is not None and self.outcome is not outcome:
            self.outcome_box.removeWidget(self.outcome)
            self.outcome.hide()
            self.outcome.setParent(None)
        self.outcome = outcome
        record = outcome is None
        for widget in (*self.group.buttons(), self.notes, self.resolved, self.follow_up, self.follow_up_when,
                       self.topic, self.save_button, self.done_button):
            widget.setVisible(record)
        for key in self._keys:
            key.setEnabled(record)  # Ctrl+digits would choose hidden dispositions
        if outcome is not None:
            self.outcome_box.addWidget(outcome)
            outcome.show()
            buttons = outcome.outcomes.buttons()
            (outcome.outcomes.checkedButton() or buttons[0]).setFocus()  # 1-6 work at once

    def update_view(self, view: WrapUpView) -> None:
        self.view = view
        if view.now:
            self._offset = view.now - self._clock()
        number = isolate(display_number(view.number)) if view.number else ""
        self.caller.setText(clean_text(view.name) or number or self.tr("Unknown caller"))
        parts = [number] if view.name and number else []
        if view.queue_title:
            parts.append(self.tr("%1 queue").replace("%1", isolate(view.queue_title)))
        self.detail.setText(" · ".join(parts))
        if view.dispositions and list(view.dispositions) != self.codes:
            self._loading = True
            self._set_codes(view.dispositions, self.disposition)
            self._loading = False
        self.tick()

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def show_status(self, text: str, kind: str) -> None:
        """kind: 'sending', 'sent' or 'error'."""
        restyle(self.status, "kind", kind)
        self.status.setText(text)

    def clear(self) -> None:
        self.timer.stop()
        self._hold_outcome(None)
        for key in self._keys:
            key.setEnabled(False)
        self.view = None
        self.uniqueid = ""
        self.hide()

    # -- the agent's entries -----------------------------------------------------------------------
    @property
    def disposition(self) -> str:
        button = self.group.checkedButton()
        return self.codes[self.group.id(button)] if button is not None else ""

    def choose_index(self, index: int) -> None:
        if self.isVisible() and 0 <= index < len(self.codes):
            self.group.button(index).setChecked(True)

    def entered(self) -> dict[str, Any]:
        """What the panel holds, as WrapUpDraft fields."""
        follow = self.follow_up.isChecked()
        return {"disposition": self.disposition, "notes": self.notes.toPlainText()[:MAX_NOTES],
                "first_contact_resolved": self.resolved.isChecked(),
                "follow_up_at": float(self.follow_up_when.dateTime().toSecsSinceEpoch()) if follow else None,
                "follow_up_topic": self.topic.text() if follow else ""}

    def _set_codes(self, codes: tuple[str, ...], chosen: str) -> None:
        for button in self.group.buttons():
            self.group.removeButton(button)
            button.deleteLater()
        self.codes = list(codes)
        if chosen and chosen not in self.codes:
            self.codes.append(chosen)  # a restored record keeps its code even if the list changed
        for index, code in enumerate(self.codes):
            button = QPushButton(isolate(code), self)
            button.setObjectName("Disposition")
            button.setCheckable(True)
            if index < MAX_HOTKEYS:
                button.setToolTip(self.tr("Ctrl+%1").replace("%1", str(index + 1)))
            self.group.addButton(button, index)
            self.codes_box.addWidget(button)
            button.setChecked(code == chosen)

    def _code_toggled(self, _button: QAbstractButton, checked: bool) -> None:
        if checked:
            self._changed()

    def _follow_up_toggled(self, on: bool) -> None:
        self.follow_up_when.setEnabled(on)
        self.topic.setEnabled(on)
        self._changed()

    def _changed(self) -> None:
        if not self._loading and self.view is not None:
            self.show_problem("")
            self.edited.emit()

    # -- the countdown ---------------------------------------------------------------------------
    def seconds_left(self) -> float:
        view = self.view
        if view is None or not view.deadline_at:
            return 0.0
        return view.deadline_at - (self._clock() + self._offset)

    def stage(self) -> str:
        """'running', 'warning', 'overtime' or 'over' (the wrap-up ended, or no limit)."""
        view = self.view
        if view is None or not view.active:
            return "over"
        if not view.deadline_at:
            return "running"
        now = self._clock() + self._offset
        if now >= view.deadline_at:
            owed = view.disposition_required and not view.saved
            return "overtime" if view.overtime or owed else "warning"
        return "warning" if view.warning_at and now >= view.warning_at else "running"

    def tick(self) -> None:
        stage = self.stage()
        left = self.seconds_left()
        if stage == "over":
            text = self.tr("Wrap-up time is over; the record is still wanted") if self.view else ""
        elif stage == "overtime":
            text = self.tr("Overtime %1").replace("%1", format_duration(-left))
        elif self.view is not None and not self.view.deadline_at:
            text = ""
        else:
            text = format_duration(max(0.0, left))
        restyle(self.countdown, "stage", stage)
        self.countdown.setText(text)

