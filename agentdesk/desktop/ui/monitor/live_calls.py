"""Who talks to whom right now, and who is still waiting.

LiveCallsModel: one row per live call (agent, the other party, direction,
queue, since, marks, who supervises it). WaitingCallersModel: the callers
waiting in the queues (queue, position, caller, wait, marks). LiveCallsPanel
shows both; a waiting caller can be moved to another queue (keeping their
wait) or sent to the callback menu: signals `move_requested(uniqueid)` and
`callback_requested(uniqueid)`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from agentdesk.contract.monitor import INBOUND, LiveCallRow, QueueBoardRow
from agentdesk.contract.queues import WaitingCaller

from ..common.text import clean_text, format_duration, isolate
from ..common.when import time_text
from .fitting import ColumnFitter
from .words import call_marks, mode_word, party

Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole


class _Rows(QAbstractTableModel):
    """A table of frozen rows, each with a key; `replace` gets them all and
    tells the views only which rows left, came or changed: a reset would
    lose the lead's selection (a waiting caller about to be moved) at every
    update of a busy floor."""

    headers: tuple[str, ...] = ()

    def __init__(self, clock: Callable[[], float], parent: Any = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self.rows: list[Any] = []

    def key(self, row: Any) -> Hashable:
        raise NotImplementedError

    def replace(self, rows: list[Any]) -> None:
        keys = {self.key(row) for row in rows}
        for index in reversed(range(len(self.rows))):
            if self.key(self.rows[index]) not in keys:
                self.beginRemoveRows(QModelIndex(), index, index)
                del self.rows[index]
                self.endRemoveRows()
        kept = {self.key(row) for row in self.rows}
        if [self.key(row) for row in rows if self.key(row) in kept] != [self.key(row) for row in self.rows]:
            self.beginResetModel()  # the rows that stay changed order
            self.rows = list(rows)
            self.endResetModel()
            return
        # Invariant: self.rows[:index] == rows[:index], and the rest of self.rows stay, in rows' order.
        for index, row in enumerate(rows):
            if self.key(row) not in kept:
                self.beginInsertRows(QModelIndex(), index, index)
                self.rows.insert(index, row)
                self.endInsertRows()
            elif self.rows[index] != row:
                self.rows[index] = row
                self.dataChanged.emit(self.index(index, 0), self.index(index, self.columnCount() - 1))

    def tick(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, self.columnCount() - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("LiveCalls", self.headers[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, index.column())
        if role == ROW_ROLE:
            return row
        return None

    def text(self, row: Any, column: int) -> str:
        raise NotImplementedError


class LiveCallsModel(_Rows):
    headers = (str(QT_TRANSLATE_NOOP("LiveCalls", "Agent")), str(QT_TRANSLATE_NOOP("LiveCalls", "With")),
               str(QT_TRANSLATE_NOOP("LiveCalls", "Queue")), str(QT_TRANSLATE_NOOP("LiveCalls", "Since")),
               str(QT_TRANSLATE_NOOP("LiveCalls", "Duration")), str(QT_TRANSLATE_NOOP("LiveCalls", "Marks")),
               str(QT_TRANSLATE_NOOP("LiveCalls", "Supervised")))

    def key(self, row: LiveCallRow) -> str:
        return row.call

    def text(self, row: LiveCallRow, column: int) -> str:
        translate = QCoreApplication.translate
        if column == 0:
            return isolate(row.agent_name or row.agent)
        if column == 1:
            arrow = "↙" if row.direction == INBOUND else "↗"
            return f"{arrow} {party(row.peer_number, row.peer_name)}"
        if column == 2:
            return isolate(row.queue)
        if column == 3:
            return time_text(row.since)
        if column == 4:
            return format_duration(self._clock() - row.since)
        if column == 5:
            return " · ".join(call_marks(row))
        if not row.supervised_by:
            return ""
        return translate("LiveCalls", "%1 by %2").replace("%1", mode_word(row.supervision_mode)).replace(
            "%2", isolate(row.supervised_by))


class WaitingCallersModel(_Rows):
    """Rows of (queue name, queue title, WaitingCaller), by queue then position."""

    headers = (str(QT_TRANSLATE_NOOP("LiveCalls", "Queue")), str(QT_TRANSLATE_NOOP("LiveCalls", "Position")),
               str(QT_TRANSLATE_NOOP("LiveCalls", "Caller")), str(QT_TRANSLATE_NOOP("LiveCalls", "Waiting")),
               str(QT_TRANSLATE_NOOP("LiveCalls", "Marks")))

    def set_queues(self, queues: list[QueueBoardRow]) -> None:
        self.replace([(q.name, q.title, c) for q in queues for c in sorted(q.callers, key=lambda c: c.position)])

    def key(self, row: tuple[str, str, WaitingCaller]) -> Hashable:
        return row[0], row[2].uniqueid  # a caller moved to another queue is another row there

    def text(self, row: tuple[str, str, WaitingCaller], column: int) -> str:
        translate = QCoreApplication.translate
        _name, title, caller = row
        if column == 0:
            return clean_text(title)
        if column == 1:
            return str(caller.position)
        if column == 2:
            return party(caller.number, caller.name)
        if column == 3:
            return format_duration(self._clock() - caller.joined_at)
        marks = ([translate("LiveCalls", "VIP")] if caller.vip else []) + (
            [translate("LiveCalls", "callback")] if caller.callback_task else [])
        return " · ".join(marks)


def _table(model: QAbstractTableModel, parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.verticalHeader().hide()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    ColumnFitter(view)
    return view


class LiveCallsPanel(QWidget):
    move_requested = Signal(str)
    callback_requested = Signal(str)

    def __init__(self, calls: LiveCallsModel, waiting: WaitingCallersModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.calls, self.waiting = calls, waiting
        self.calls_view = _table(calls, self)
        self.waiting_view = _table(waiting, self)
        self.move_button = QPushButton(self.tr("Move to queue…"), self)
        self.callback_button = QPushButton(self.tr("Send to callback"), self)
        self.callback_button.setToolTip(self.tr("Offer the caller the callback menu; they keep their place"))
        self.move_button.clicked.connect(lambda: self._emit(self.move_requested))
        self.callback_button.clicked.connect(lambda: self._emit(self.callback_requested))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.move_button)
        buttons.addWidget(self.callback_button)
        column = QVBoxLayout(self)
        column.addWidget(self.calls_view, 3)
        column.addWidget(self.waiting_view, 2)
        column.addLayout(buttons)
        self.waiting_view.selectionModel().selectionChanged.connect(self._enable)
        waiting.modelReset.connect(self._enable)
        self._enable()

    def selected_caller(self) -> WaitingCaller | None:
        rows = self.waiting_view.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].data(ROW_ROLE)
        return row[2] if isinstance(row, tuple) else None

    def selected_queue(self) -> str:
        rows = self.waiting_view.selectionModel().selectedRows()
        row = rows[0].data(ROW_ROLE) if rows else None
        return str(row[0]) if isinstance(row, tuple) else ""

    def _emit(self, signal: Any) -> None:
        caller = self.selected_caller()
        if caller is not None:
            signal.emit(caller.uniqueid)

    def _enable(self, *_: Any) -> None:
        chosen = self.selected_caller() is not None
        self.move_button.setEnabled(chosen)
        self.callback_button.setEnabled(chosen)

    def tick(self) -> None:
        if self.isVisible():
            self.calls.tick()
            self.waiting.tick()
