"""Number entry and dial pad. Enter dials; the pad types into the entry or,
during a call, sends keypad tones (the main window decides)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QPushButton, QToolButton, QVBoxLayout, QWidget

from ..common.icons import icon
from ..common.text import plain_label

KEYS = (
    ("1", ""), ("2", "ABC"), ("3", "DEF"),
    ("4", "GHI"), ("5", "JKL"), ("6", "MNO"),
    ("7", "PQRS"), ("8", "TUV"), ("9", "WXYZ"),
    ("*", ""), ("0", "+"), ("#", ""),
)


class DialPad(QWidget):
    keyPressed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 4)
        grid.setSpacing(6)
        self.buttons: dict[str, QPushButton] = {}
        for index, (key, letters) in enumerate(KEYS):
            button = QPushButton(f"{key}\n{letters}" if letters else key, self)
            button.setObjectName("PadKey")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the entry keeps the keyboard
            button.clicked.connect(lambda _=False, k=key: self.keyPressed.emit(k))
            self.buttons[key] = button
            grid.addWidget(button, index // 3, index % 3)


class Dialer(QWidget):
    """Emits dialRequested(text) when the agent presses Enter or Call."""

    dialRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = QLineEdit(self)
        self.entry.setObjectName("NumberEntry")
        self.entry.setPlaceholderText(self.tr("Number or extension"))
        self.entry.setClearButtonEnabled(True)
        self.entry.returnPressed.connect(self._dial)
        self.call_button = QPushButton(icon("phone", "#ffffff"), self.tr("Call"), self)
        self.call_button.setObjectName("DialButton")
        self.call_button.setToolTip(self.tr("Call the number (Enter)"))
        self.call_button.clicked.connect(self._dial)
        self.pad_button = QToolButton(self)
        self.pad_button.setIcon(icon("dialpad"))
        self.pad_button.setCheckable(True)
        self.pad_button.setToolTip(self.tr("Dial pad (Ctrl+D)"))
        self.pad = DialPad(self)
        self.pad.setVisible(False)
        self.pad_button.toggled.connect(self.pad.setVisible)
        self.problem = plain_label("", "Problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.entry.textEdited.connect(lambda _text: self.problem.hide())
        row = QHBoxLayout()
        row.addWidget(self.entry, 1)
        row.addWidget(self.pad_button)
        row.addWidget(self.call_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 10, 12, 4)
        column.addLayout(row)
        column.addWidget(self.problem)
        column.addWidget(self.pad)

    def _dial(self) -> None:
        self.dialRequested.emit(self.entry.text())

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def type_key(self, key: str) -> None:
        self.entry.insert(key)
        self.entry.setFocus()
