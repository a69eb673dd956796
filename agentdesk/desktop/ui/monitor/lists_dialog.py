"""The number lists a team lead keeps: the VIP callers (marked on the
screen-pop and the board, first in line) and the numbers never to be
called back (the callback do-not-call list). One dialog for both. Signals
`add_requested(number, note)` and `remove_requested(number)`; `show_entries`
fills the table with what the service says now."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..common.numbers import display_number
from ..common.text import clean_text

MAX_NOTE = 200


class NumberListDialog(QDialog):
    add_requested = Signal(str, str)
    remove_requested = Signal(str)

    def __init__(self, blocked: bool, parent: QWidget | None = None) -> None:
        """The do-not-call list when `blocked`, else the VIP list."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Never call back") if blocked else self.tr("VIP callers"))
        note_label = self.tr("Reason") if blocked else self.tr("Note")
        self.table = QTableWidget(0, 2, self)
        self.table.setHorizontalHeaderLabels([self.tr("Number"), note_label])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.number = QLineEdit(self)
        self.number.setPlaceholderText(self.tr("Number"))
        self.note = QLineEdit(self)
        self.note.setMaxLength(MAX_NOTE)
        self.note.setPlaceholderText(note_label)
        self.add_button = QPushButton(self.tr("Add"), self)
        self.add_button.clicked.connect(self._add)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.remove_button.clicked.connect(self._remove)
        entry = QHBoxLayout()
        entry.addWidget(self.number)
        entry.addWidget(self.note, 1)
        entry.addWidget(self.add_button)
        entry.addWidget(self.remove_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(self.table, 1)
        column.addLayout(entry)
        column.addWidget(close)
        self.resize(560, 420)

    def show_entries(self, entries: list[tuple[str, str]]) -> None:
        """(number, note) pairs, as the desk service lists them."""
        self.table.setRowCount(len(entries))
        for row, (number, note) in enumerate(entries):
            item = QTableWidgetItem(display_number(number))
            item.setData(Qt.ItemDataRole.UserRole, number)  # as stored, not as shown
            self.table.setItem(row, 0, item)
            self.table.setItem(row, 1, QTableWidgetItem(clean_text(note)))

    def _add(self) -> None:
        number = self.number.text().strip()
        if number:
            self.add_requested.emit(number, self.note.text().strip())
            self.number.clear()
            self.note.clear()

    def _remove(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        item = self.table.item(rows[0].row(), 0) if rows else None
        if item is not None:
            self.remove_requested.emit(str(item.data(Qt.ItemDataRole.UserRole)))
