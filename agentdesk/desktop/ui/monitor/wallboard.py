"""The queues at a glance: one row per queue with its callers waiting, the
longest and expected wait, today's service level (answered in time over
answered, and over answered + abandoned), answered, abandoned, average
speed of answer, its agents by state and the callbacks due; cells
coloured by the thresholds. The Queues tab shows it at desk size and
WallboardWindow full screen for a wall.

While the figures are stale (stale.py) the wallboard says "Stale since
hh:mm", greys every value and drops the colours: a wall display nobody
touches must never show old figures as live.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QScreen
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QTableView, QVBoxLayout, QWidget

from agentdesk.contract.monitor import (
    T_ABANDONED,
    T_CALLBACKS_DUE,
    T_LONGEST_WAIT,
    T_SERVICE_LEVEL,
    T_WAITING,
    FloorSnapshot,
    FloorUpdate,
    QueueBoardRow,
    QueueThresholds,
)

from ..common.text import clean_text, format_duration, plain_label
from ..common.when import time_text
from .fitting import ColumnFitter
from .stale import Staleness
from .thresholds import OK, queue_level
from .words import LEVEL_BACKGROUNDS, STALE_TEXT

Index = QModelIndex | QPersistentModelIndex
(QUEUE, WAITING, LONGEST, EXPECTED, SL, SL_ABANDONS, ANSWERED, ABANDONED, ASA, READY, ON_CALL, PAUSED, WRAP_UP,
 CALLBACKS) = range(14)
COLUMNS = 14
WALLBOARD_STYLE = """
#Wallboard { background: #ffffff; }
#Wallboard QTableView { font-size: %(value)dpx; font-weight: 600; gridline-color: #dadce0; }
#Wallboard QHeaderView::section { font-size: %(header)dpx; font-weight: 600; color: #3c4043; padding: 4px; }
#StaleBanner { background: #b3261e; color: #ffffff; padding: 8px 16px; font-weight: 600; font-size: %(value)dpx; }
#WallboardTitle, #WallboardClock { font-size: %(header)dpx; font-weight: 600; color: #3c4043; }
"""


def _header(column: int) -> str:
    translate = QCoreApplication.translate
    return (translate("Wallboard", "Queue"), translate("Wallboard", "Waiting"),
            translate("Wallboard", "Longest\nwait"), translate("Wallboard", "Expected\nwait"),
            translate("Wallboard", "Service\nlevel"), translate("Wallboard", "SL with\nabandons"),
            translate("Wallboard", "Answered"), translate("Wallboard", "Abandoned"), translate("Wallboard", "ASA"),
            translate("Wallboard", "Ready"), translate("Wallboard", "On call"), translate("Wallboard", "Paused"),
            translate("Wallboard", "Wrap-up"), translate("Wallboard", "Callbacks\ndue"))[column]


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)} %"


def abandoned_share(row: QueueBoardRow) -> float | None:
    ended = row.answered + row.abandoned
    return row.abandoned / ended if ended else None


class QueueWallboardModel(QAbstractTableModel):
    """Rows of QueueBoardRow in the service's order; `clock` gives the service's time."""

    def __init__(self, clock: Callable[[], float], parent: Any = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._rows: list[QueueBoardRow] = []
        self.thresholds: dict[str, QueueThresholds] = {}
        self.stale = True

    def set_floor(self, floor: FloorSnapshot) -> None:
        self.beginResetModel()
        self._rows = list(floor.queues)
        self.thresholds = dict(floor.thresholds)
        self.endResetModel()

    def apply(self, update: FloorUpdate) -> None:
        if not update.queues and not update.removed_queues:
            return
        gone = set(update.removed_queues)
        changed = {row.name: row for row in update.queues}
        known = {row.name for row in self._rows}
        rows = [changed.get(row.name, row) for row in self._rows if row.name not in gone]
        rows += [row for row in update.queues if row.name not in known]
        if len(rows) != len(self._rows) or gone:
            self.beginResetModel()
            self._rows = rows
            self.endResetModel()
            return
        self._rows = rows
        for index, row in enumerate(rows):
            if row.name in changed:
                self.dataChanged.emit(self.index(index, 0), self.index(index, COLUMNS - 1))

    def set_stale(self, stale: bool) -> None:
        self.stale = stale
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, COLUMNS - 1))

    def tick(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, LONGEST), self.index(len(self._rows) - 1, LONGEST))

    @property
    def queues(self) -> list[QueueBoardRow]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _header(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and self.stale:
            return STALE_TEXT
        if role == Qt.ItemDataRole.BackgroundRole and not self.stale:
            shade = self.level(row, column)
            return LEVEL_BACKGROUNDS[shade] if shade != OK else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column != QUEUE:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def text(self, row: QueueBoardRow, column: int) -> str:
        if column == QUEUE:
            return clean_text(row.title)
        if column == LONGEST:
            since = row.longest_wait_since
            return "–" if since is None else format_duration(self._clock() - since)
        if column in (EXPECTED, ASA):
            value = row.expected_wait if column == EXPECTED else row.average_answer_seconds
            return "–" if value is None else format_duration(value)
        if column in (SL, SL_ABANDONS):
            return _percent(row.service_level if column == SL else row.service_level_abandons)
        counts = {WAITING: len(row.callers), ANSWERED: row.answered, ABANDONED: row.abandoned, READY: row.ready,
                  ON_CALL: row.on_call, PAUSED: row.paused, WRAP_UP: row.wrap_up, CALLBACKS: row.callbacks_due}
        return str(counts[column])

    def level(self, row: QueueBoardRow, column: int) -> str:
        since = row.longest_wait_since
        share = abandoned_share(row)
        figures: dict[int, tuple[str, float | None]] = {
            WAITING: (T_WAITING, len(row.callers)),
            LONGEST: (T_LONGEST_WAIT, None if since is None else self._clock() - since),
            SL: (T_SERVICE_LEVEL, None if row.service_level is None else row.service_level * 100),
            SL_ABANDONS: (T_SERVICE_LEVEL,
                          None if row.service_level_abandons is None else row.service_level_abandons * 100),
            ABANDONED: (T_ABANDONED, None if share is None else share * 100),
            CALLBACKS: (T_CALLBACKS_DUE, row.callbacks_due),
        }
        if column not in figures:
            return OK
        knob, value = figures[column]
        return queue_level(self.thresholds, row.name, knob, value)


class QueueTable(QTableView):
    """The queues as a table, each figure's column as wide as its widest value (fitting.py)."""

    def __init__(self, model: QueueWallboardModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().hide()
        self.setWordWrap(False)
        self.fitter = ColumnFitter(self, stretch=QUEUE)


class WallboardWindow(QWidget):
    """The queues full screen, for a wall: large type, no controls, Esc closes."""

    def __init__(self, model: QueueWallboardModel, staleness: Staleness, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("Wallboard")
        self.setWindowTitle(self.tr("AgentDesk wallboard"))
        self.model = model
        self.staleness = staleness
        self.banner = plain_label("", "StaleBanner")
        self.title = plain_label(self.tr("Queues"), "WallboardTitle")
        self.clock = plain_label("", "WallboardClock")  # the wall's own clock: a frozen one would show at once
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(1000)
        self._clock_timer.timeout.connect(self._show_time)
        self._clock_timer.start()
        self._show_time()
        self.table = QueueTable(model, self)
        self.table.setAlternatingRowColors(True)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 16, 16, 16)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.clock)
        column.addLayout(top)
        column.addWidget(self.banner)
        column.addWidget(self.table, 1)
        staleness.changed.connect(self._show_staleness)
        model.modelReset.connect(self._fit)
        self._show_staleness(staleness.stale)

    def show_on(self, screen: QScreen | None) -> None:
        """Full screen on `screen` (None: the one it is on)."""
        if screen is not None:
            self.setGeometry(screen.geometry())
        self.showFullScreen()
        self._fit()

    def _show_staleness(self, stale: bool) -> None:
        self.banner.setText(self.staleness.text())
        self.banner.setVisible(stale)
        self.model.set_stale(stale)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Type as large as the room allows (readable across a room): each row and every
        column must fit the screen; the app's style sheet sets sizes, so this one does too."""
        rows = max(self.model.rowCount(), 1)
        by_height = self.height() * 0.55 / (rows + 1.5)
        by_width = self.width() / (COLUMNS * 3.6 + 8)  # about 6 characters a figure, 14 for the queue's title
        pixels = int(min(96, max(28, min(by_height, by_width))))
        small = max(20, pixels * 5 // 11)
        self.setStyleSheet(WALLBOARD_STYLE % {"value": pixels, "header": small})
        room = self.height() * 0.8 / (rows + 1)  # few queues: taller rows rather than an empty wall
        self.table.verticalHeader().setDefaultSectionSize(int(max(pixels * 1.6, min(pixels * 3.0, room))))
        self.table.fitter.fit_soon()

    def _show_time(self) -> None:
        self.clock.setText(time_text(time.time()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)
