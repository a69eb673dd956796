"""Columns as wide as their contents, for the monitor's tables of a busy floor.

Not Qt's ResizeToContents: a header in that mode measures every cell of its
table on every dataChanged, inserted or removed row, even of one cell, and
a busy floor changes queues and calls ten times a second (with 50 queues,
thousands of data() calls per update; with a few hundred live calls, tens
of thousands: most of the desktop's CPU). ColumnFitter fits the columns at
once after a reset and on showing (`fit_soon`, also after a change of type)
and at most once every FIT_MS while rows change (a monitor's tables change
every second while shown: their times tick), to the rows on screen: a few
hundred live calls measured whole would hold the GUI thread for tens of
milliseconds.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QHeaderView, QTableView

FIT_MS = 1000


class ColumnFitter(QObject):
    """Fits `view`'s columns, but `stretch` (the column that takes the room left; None: the last)."""

    def __init__(self, view: QTableView, stretch: int | None = None) -> None:
        super().__init__(view)
        self._view = view
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        if stretch is None:
            header.setStretchLastSection(True)
        else:
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self._stretch = stretch
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.fit)
        model = view.model()
        model.modelReset.connect(self.fit_soon)
        for changed in (model.dataChanged, model.rowsInserted, model.rowsRemoved):
            changed.connect(self._fit_later)
        view.installEventFilter(self)

    def fit_soon(self) -> None:
        """Fit when the event loop is next free."""
        self._timer.start(0)

    def _fit_later(self, *_changed: Any) -> None:
        if not self._timer.isActive():
            self._timer.start(FIT_MS)

    def fit(self) -> None:
        """Each column as wide as its header and its widest cell on screen
        (Qt's resizeColumnToContents measures every row, whatever it is told)."""
        view = self._view
        if not view.isVisible():
            return  # fitted when shown
        model, header = view.model(), view.horizontalHeader()
        first = max(view.rowAt(0), 0)
        last = view.rowAt(view.viewport().height() - 1)
        last = model.rowCount() - 1 if last < 0 else last
        grid = 1 if view.showGrid() else 0
        count = model.columnCount()
        stretch = count - 1 if self._stretch is None else self._stretch
        for column in range(count):
            if column == stretch:
                continue
            content = max((view.sizeHintForIndex(model.index(row, column)).width() + grid
                           for row in range(first, last + 1)), default=0)
            header.resizeSection(column, max(content, header.sectionSizeHint(column)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            self.fit_soon()
        return False
