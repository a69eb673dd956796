"""Choosing where a call goes: agents (with what they are doing now),
queues (waiting callers, free agents) and voicemail boxes, searchable by
keyboard. Anything typed that matches nothing is taken as a number.

Keys: type to filter, Up/Down to choose, Enter transfers at once (blind),
Ctrl+Enter calls the target first (consult; the caller waits on hold),
Esc cancels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..common.text import clean_text, isolate, plain_label


@dataclass(frozen=True)
class TransferTarget:
    number: str  # what the PBX is given: "1003", "7001", "*1003"
    title: str  # "Maryam Ahmadi", "Support (queue)", "Voicemail: Maryam Ahmadi"
    detail: str  # "free", "on a call", "3 waiting · 1 free"
    available: bool  # likely to answer now


class TransferPicker(QDialog):
    """Emits chosen(number, consult) once; see the module docstring."""

    chosen = Signal(str, bool)

    def __init__(self, caller: str, targets: Sequence[TransferTarget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Transfer %1").replace("%1", clean_text(caller)))
        self.setMinimumWidth(380)
        self._targets = list(targets)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Name, extension, queue or number"))
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)
        self.list = QListWidget(self)
        self.list.setWordWrap(True)  # a long name or detail wraps instead of scrolling sideways
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemActivated.connect(lambda _item: self._choose(consult=False))
        self.hint = plain_label(self.tr("Enter: transfer now · Ctrl+Enter: talk to them first"), "Placeholder")
        self.transfer_button = QPushButton(self.tr("Transfer now"), self)
        self.transfer_button.clicked.connect(lambda: self._choose(consult=False))
        self.consult_button = QPushButton(self.tr("Talk first"), self)
        self.consult_button.clicked.connect(lambda: self._choose(consult=True))
        self.hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.consult_button)
        buttons.addWidget(self.transfer_button)
        column = QVBoxLayout(self)
        column.addWidget(self.search)
        column.addWidget(self.list)
        column.addWidget(self.hint)
        column.addLayout(buttons)
        self._filter("")

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()
        self.list.clear()
        for target in self._targets:
            if needle in target.title.casefold() or needle in target.number:
                label = f"{isolate(target.title)}  ·  {isolate(target.number)}  ·  {clean_text(target.detail)}"
                item = QListWidgetItem(label)  # list items are never rich text
                item.setData(Qt.ItemDataRole.UserRole, target.number)
                if not target.available:
                    item.setForeground(Qt.GlobalColor.gray)
                self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def selected_number(self) -> str:
        item = self.list.currentItem()
        if item is not None:
            return str(item.data(Qt.ItemDataRole.UserRole))
        typed = self.search.text().strip()
        return typed if typed and all(ch.isdigit() or ch in "+*#" for ch in typed) else ""

    def _choose(self, consult: bool) -> None:
        number = self.selected_number()
        if not number:
            self.search.setFocus()
            return
        self.chosen.emit(number, consult)
        self.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._choose(consult=bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier))
            return
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.list.keyPressEvent(event)
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: object, event: object) -> bool:
        # Arrow keys and Enter typed in the search box steer the list.
        steering = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Up, Qt.Key.Key_Down)
        if (watched is self.search and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress
                and event.key() in steering):
            self.keyPressEvent(event)
            return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]
