"""A pane of the main window: a column that scrolls up and down but never
sideways. It is at least as wide as its content needs, so the window
cannot be made so narrow that a control is cut off at the side."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QScrollArea, QStyle, QVBoxLayout, QWidget


class Pane(QScrollArea):
    """`column` is the pane's layout; add the pane's widgets to it. It is
    never narrower than `least_width`, nor than its content needs."""

    def __init__(self, name: str, least_width: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.least_width = least_width
        self.setObjectName(name)
        body = QWidget(self)
        self.column = QVBoxLayout(body)
        self.column.setContentsMargins(0, 0, 0, 4)
        self.column.setSpacing(4)
        self.setWidget(body)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # what the content needs changed: the window's minimum follows
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:
        body = self.widget()
        needed = body.minimumSizeHint().width() if body is not None else 0
        scroll_bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        width = max(needed + scroll_bar + 2 * self.frameWidth(), self.least_width)
        return QSize(width, super().minimumSizeHint().height())
