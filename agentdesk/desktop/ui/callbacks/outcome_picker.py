"""After a callback call: what came of it (reached, no answer, busy,
voicemail, wrong number, declined), a note, and optionally when to try again.

The picker is part of the wrap-up panel of that call (ui/wrapup hosts it),
never a window of its own over the next call. It has no way to be closed
while the outcome is unsaved (the task stays the agent's until it is); it
is done when the service acknowledged (`done_saving`). A failure the
service may get over (no answer, 5xx) is retried by itself with growing
pauses, and "Retry now" is there too; a refusal (the task was closed
meanwhile, ...) shows the service's sentence and offers to close without saving.

Keys: 1-6 choose the outcome (outside the note field), Enter saves.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ..common.text import plain_label
from .dialogs import MAX_NOTE, when_edit
from .text import outcome_texts

RETRY_SECONDS = (2, 5, 10, 30, 60)
RESCHEDULABLE = ("no_answer", "busy", "voicemail")


class OutcomePicker(QFrame):
    """Signals: `chosen(task_id, outcome, note, due_at)` (due_at 0: the queue's
    retry policy decides), `discarded(task_id)` when the agent gives up on
    an outcome the service refused, `finished()` once it is done (saved or
    given up)."""

    chosen = Signal(str, str, str, float)
    discarded = Signal(str)
    finished = Signal()

    def __init__(self, task_id: str, customer: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.task_id = task_id
        self._finished = False
        self._retries = 0
        self.sending = False  # a request is on its way: the picker must stay until it is answered
        self.setObjectName("OutcomePicker")
        self.outcomes = QButtonGroup(self)
        self.note = QLineEdit(self)
        self.note.setMaxLength(MAX_NOTE)
        self.note.setPlaceholderText(self.tr("Note (optional)"))
        self.again = QCheckBox(self.tr("Call again at"), self)
        self.when = when_edit(self)
        self.when.setEnabled(False)
        self.again.toggled.connect(self.when.setEnabled)
        self.status = plain_label("", "Placeholder")
        self.status.setWordWrap(True)
        self.status.hide()
        self.retry = QTimer(self)
        self.retry.setSingleShot(True)
        self.retry.timeout.connect(self._submit)
        self._build(customer)

    def _build(self, customer: str) -> None:
        grid = QGridLayout()
        for index, (outcome, text) in enumerate(outcome_texts().items()):
            button = QRadioButton(f"&{index + 1}  {text}", self)
            button.setProperty("outcome", outcome)
            self.outcomes.addButton(button, index)
            grid.addWidget(button, index % 3, index // 3)
        self.outcomes.idToggled.connect(lambda _id, _on: self._outcome_changed())
        self.box = QDialogButtonBox(self)
        self.save = self.box.addButton(self.tr("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save.setDefault(True)
        self.save.setEnabled(False)
        self.save.clicked.connect(self._submit)
        self.retry_now = QPushButton(self.tr("Retry now"), self)
        self.retry_now.clicked.connect(self._submit)
        self.retry_now.hide()
        self.box.addButton(self.retry_now, QDialogButtonBox.ButtonRole.ActionRole)
        self.give_up = self.box.addButton(self.tr("Close without saving"), QDialogButtonBox.ButtonRole.DestructiveRole)
        self.give_up.clicked.connect(self._discard)
        self.give_up.hide()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(plain_label(self.tr("How did the callback go?"), "SectionTitle"))
        self.customer = plain_label(customer, "CallerName")
        column.addWidget(self.customer)
        column.addLayout(grid)
        column.addWidget(self.note)
        column.addWidget(self.again)
        column.addWidget(self.when)
        column.addWidget(self.status)
        column.addWidget(self.box)
        self._outcome_changed()

    # -- the agent -------------------------------------------------------------------------
    def outcome(self) -> str:
        checked = self.outcomes.checkedButton()
        return str(checked.property("outcome")) if checked is not None else ""

    def choose(self, outcome: str) -> None:
        for button in self.outcomes.buttons():
            if button.property("outcome") == outcome:
                button.setChecked(True)

    def _outcome_changed(self) -> None:
        outcome = self.outcome()
        self.save.setEnabled(bool(outcome) and not self.retry.isActive())
        can_reschedule = outcome in RESCHEDULABLE
        self.again.setEnabled(can_reschedule)
        if not can_reschedule:
            self.again.setChecked(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        index = event.key() - Qt.Key.Key_1.value
        if 0 <= index < len(self.outcomes.buttons()) and event.modifiers() in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            self.outcomes.buttons()[index].setChecked(True)
            self.outcomes.buttons()[index].setFocus()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.save.isEnabled():
            self._submit()
            return
        super().keyPressEvent(event)

    def _submit(self) -> None:
        outcome = self.outcome()
        if not outcome:
            return
        self.retry.stop()
        self._set_sending(True)
        due_at = float(self.when.dateTime().toSecsSinceEpoch()) if self.again.isChecked() else 0.0
        self.chosen.emit(self.task_id, outcome, self.note.text().strip(), due_at)

    def _set_sending(self, sending: bool) -> None:
        self.sending = sending
        for widget in (*self.outcomes.buttons(), self.note, self.again, self.save):
            widget.setEnabled(not sending)
        self.when.setEnabled(not sending and self.again.isChecked())
        if sending:
            self._show_status(self.tr("Saving…"), "Placeholder")
            self.retry_now.hide()
            self.give_up.hide()
        else:
            self._outcome_changed()

    # -- what the service said -------------------------------------------------------------
    @property
    def is_finished(self) -> bool:
        return self._finished

    def done_saving(self) -> None:
        if self._finished:
            return
        self._finished = True
        self.sending = False
        self.retry.stop()
        self.finished.emit()

    def show_failure(self, message: str, retryable: bool) -> None:
        """Not saved. Retryable: try again by itself soon; else the agent decides."""
        self._set_sending(False)
        if retryable:
            delay = RETRY_SECONDS[min(self._retries, len(RETRY_SECONDS) - 1)]
            self._retries += 1
            self._show_status(self.tr("Not saved yet: %1. Trying again in %2 s.").replace("%1", message)
                              .replace("%2", str(delay)), "Problem")
            self.retry.start(delay * 1000)
            self.retry_now.show()
        else:
            self._show_status(self.tr("Not saved: %1").replace("%1", message), "Problem")
            self.give_up.show()

    def _show_status(self, text: str, name: str) -> None:
        self.status.setObjectName(name)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _discard(self) -> None:
        if self._finished:
            return
        self._finished = True
        self.retry.stop()
        self.discarded.emit(self.task_id)
        self.finished.emit()
