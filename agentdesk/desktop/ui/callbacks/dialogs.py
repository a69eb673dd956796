"""Small dialogs around callback tasks: skip an offered task (with a
reason), reschedule a task, and schedule a new callback for a customer.

None of them talks to the network: each emits what the agent chose and the
controller sends it, then either closes the dialog (`done_saving`) or shows
the service's sentence in it (`show_problem`), keeping what was typed.
Date and time pickers are ui/common/when.py's: the user's locale and calendar.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from agentdesk.contract.callbacks import CallbackRequest

from ..common.text import clean_text, plain_label
from ..common.when import moment_edit

MAX_TOPIC = 200
MAX_NAME = 80
MAX_NOTE = 1000
ROUND_MINUTES = 15


def when_edit(parent: QWidget, at: float | None = None) -> QDateTimeEdit:
    """A local date-and-time picker from now on; `at` or the next quarter
    hour after an hour from now."""
    edit = moment_edit(parent)
    edit.setMinimumDateTime(QDateTime.currentDateTime().addSecs(-60))
    if at is None:
        quarter = ROUND_MINUTES * 60
        at = (int(time.time() + 3600) // quarter + 1) * quarter
    edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(at)))
    return edit


def while_open(dialog: QWidget, action: Callable[..., object]) -> Callable[..., None]:
    """`action`, skipped once the dialog is gone: an answer from the desk
    service may arrive after the agent closed the dialog it was for."""

    def run(*args: Any) -> None:
        if shiboken6.isValid(dialog):
            action(*args)

    return run


def buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setDefault(True)
    box.rejected.connect(dialog.reject)
    return box


class _SendingDialog(QDialog):
    """A dialog whose OK sends something: busy while it is on its way,
    closed by `done_saving`, or left open with `show_problem`."""

    def __init__(self, parent: QWidget | None, title: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.problem = plain_label("", "Problem")
        self.problem.setWordWrap(True)
        self.problem.hide()

    def _box(self, ok_text: str) -> QDialogButtonBox:
        self.box = buttons(self, ok_text)
        self.box.accepted.connect(self._submit)
        return self.box

    def _submit(self) -> None:
        raise NotImplementedError

    def set_busy(self, busy: bool) -> None:
        """While sending: OK waits for the answer (no double submission)."""
        self.box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not busy)
        if busy:
            self.problem.hide()

    def show_problem(self, text: str) -> None:
        """Why it was not saved; OK works again."""
        self.box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def done_saving(self) -> None:
        self.accept()


class SkipDialog(_SendingDialog):
    """Why the agent skips an offered callback: 1-4 pick a reason, free text adds to it.
    Signal: `chosen(str)` with the reason."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, self.tr("Skip this callback"))
        self.reasons = QButtonGroup(self)
        column = QVBoxLayout(self)
        column.addWidget(plain_label(self.tr("Why skip it? It goes back to the list for another agent."),
                                     "CallerDetail"))
        for index, reason in enumerate(self.reason_texts()):
            button = QRadioButton(f"&{index + 1}  {reason}", self)
            button.setProperty("reason", reason)
            self.reasons.addButton(button, index)
            column.addWidget(button)
        self.reasons.buttons()[0].setChecked(True)
        self.detail = QLineEdit(self)
        self.detail.setPlaceholderText(self.tr("More detail (optional)"))
        self.detail.setMaxLength(MAX_NOTE)
        column.addWidget(self.detail)
        column.addWidget(self.problem)
        column.addWidget(self._box(self.tr("Skip")))

    def reason_texts(self) -> list[str]:
        return [self.tr("Not ready for this customer now"), self.tr("Needs another language or skill"),
                self.tr("Going on a break"), self.tr("Other")]

    def keyPressEvent(self, event: QKeyEvent) -> None:
        index = event.key() - Qt.Key.Key_1.value
        if 0 <= index < len(self.reasons.buttons()):
            self.reasons.buttons()[index].setChecked(True)
            return
        super().keyPressEvent(event)

    def reason(self) -> str:
        checked = self.reasons.checkedButton()
        reason = str(checked.property("reason")) if checked is not None else ""
        detail = self.detail.text().strip()
        return f"{reason}: {detail}" if detail else reason

    def _submit(self) -> None:
        self.set_busy(True)
        self.chosen.emit(self.reason())


class RescheduleDialog(_SendingDialog):
    """A new time for a task. Signal: `chosen(float due_at, str note)`."""

    chosen = Signal(float, str)

    def __init__(self, customer: str, at: float | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent, self.tr("Reschedule a callback"))
        self.when = when_edit(self, at)
        self.note = QLineEdit(self)
        self.note.setMaxLength(MAX_NOTE)
        self.note.setPlaceholderText(self.tr("Why (optional)"))
        form = QFormLayout()
        form.addRow(self.tr("Customer"), plain_label(customer, "CallerName"))
        form.addRow(self.tr("Call at"), self.when)
        form.addRow(self.tr("Note"), self.note)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.problem)
        column.addWidget(self._box(self.tr("Reschedule")))

    def _submit(self) -> None:
        self.set_busy(True)
        self.chosen.emit(float(self.when.dateTime().toSecsSinceEpoch()), self.note.text().strip())


class ScheduleDialog(_SendingDialog):
    """Schedule a callback for a customer, during or after a call.
    Signal: `chosen(CallbackRequest)`."""

    chosen = Signal(object)

    def __init__(self, queues: Sequence[tuple[str, str]], number: str = "", name: str = "", queue: str = "",
                 call: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent, self.tr("Schedule a callback"))
        self._call = call
        self.number = QLineEdit(number, self)
        self.number.setPlaceholderText(self.tr("The customer's phone number"))
        self.name = QLineEdit(name, self)
        self.name.setMaxLength(MAX_NAME)
        self.queue = QComboBox(self)
        for value, title in queues:
            self.queue.addItem(clean_text(title), value)
        if queue and self.queue.findData(queue) < 0:
            self.queue.addItem(clean_text(queue), queue)
        self.queue.setCurrentIndex(max(0, self.queue.findData(queue)))
        self.soon = QRadioButton(self.tr("As soon as possible"), self)
        self.later = QRadioButton(self.tr("At"), self)
        self.later.setChecked(True)
        self.when = when_edit(self)
        self.later.toggled.connect(self.when.setEnabled)
        self.topic = QLineEdit(self)
        self.topic.setMaxLength(MAX_TOPIC)
        self.notes = QPlainTextEdit(self)
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.fontMetrics().height() * 4)
        self.same_agent = QCheckBox(self.tr("Call back with me if I am available"), self)
        self.same_agent.setChecked(True)
        self._layout()

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("Number"), self.number)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Queue"), self.queue)
        form.addRow(self.tr("When"), self.soon)
        form.addRow("", self.later)
        form.addRow("", self.when)
        form.addRow(self.tr("Topic"), self.topic)
        form.addRow(self.tr("Notes"), self.notes)
        form.addRow("", self.same_agent)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.problem)
        column.addWidget(self._box(self.tr("Schedule")))

    def request(self) -> CallbackRequest:
        due_at = float(self.when.dateTime().toSecsSinceEpoch()) if self.later.isChecked() else None
        return CallbackRequest(
            queue=str(self.queue.currentData() or ""), number=self.number.text().strip(),
            name=self.name.text().strip(), topic=self.topic.text().strip(),
            notes=self.notes.toPlainText().strip()[:MAX_NOTE], due_at=due_at,
            same_agent=self.same_agent.isChecked(), call=self._call)

    def _submit(self) -> None:
        request = self.request()
        if not request.number:
            self.show_problem(self.tr("Type the number to call back."))
            self.number.setFocus()
            return
        if not request.queue:
            self.show_problem(self.tr("Choose the queue that calls back."))
            return
        self.set_busy(True)
        self.chosen.emit(request)
