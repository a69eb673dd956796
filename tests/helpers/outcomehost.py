"""An outcome host for tests of the callback side alone: the pickers sit in
a column of the test's window (the app's host is the wrap-up panel)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from agentdesk.desktop.ui.callbacks.outcome_picker import OutcomePicker


class ShelfHost(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = QVBoxLayout(self)
        self.closed: list[str] = []

    def host_outcome(self, task_id: str, picker: OutcomePicker) -> None:
        if picker.parent() is not self:
            self.column.addWidget(picker)
        picker.show()

    def outcome_closed(self, task_id: str) -> None:
        self.closed.append(task_id)
