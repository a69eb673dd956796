"""Labels that show a running time ('03:10', '1:02:03'), with a new text
every second.

A label whose size may change asks the window to lay itself out again on
every new text; with a clock in the agent bar that was the whole idle cost
of the window's second (measured: 0.66 ms a tick against 0.09 ms with the
label's size fixed). `ClockLabel` keeps one size, room for the widest such
time in its font, so a tick repaints the label alone.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QWidget

WIDEST = "88:88:88"  # format_duration's longest text, in its widest digits


class ClockLabel(QLabel):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setObjectName(name)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()  # the style sheet's font arrives when the label is first shown

    def _fit(self) -> None:
        shown = self.text()  # a label's size hint is its text's, whatever size it is held to
        self.setText(WIDEST)
        size = self.sizeHint()
        self.setText(shown)
        self.setFixedSize(size)
