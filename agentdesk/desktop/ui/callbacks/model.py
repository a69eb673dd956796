"""The callback task list as a Qt table model (its filter: filter.py).

Built for 10,000 open tasks: sorting is a Python sort of the source list
(not a proxy comparing cells through Qt one pair at a time), a server-sent
change moves, inserts or removes exactly one row (never a reset), and the
filter reads a search text prepared once per task. Cells are plain text
(item views never render rich text; tooltips are escaped).
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from agentdesk.contract.callbacks import CallbackTaskView

from ..common.style import BAD, WARN
from ..common.text import clean_text, plain_tooltip
from .text import (
    attempts_text,
    customer_text,
    due_text,
    holder_text,
    origin_text,
    priority_text,
    state_text,
    topic_text,
)

Clock = Callable[[], float]
Index = QModelIndex | QPersistentModelIndex
TASK_ROLE = Qt.ItemDataRole.UserRole + 1
NUMBER_SEPARATORS = str.maketrans("", "", " -.()/+")


class Column(enum.IntEnum):
    DUE = 0
    QUEUE = 1
    PRIORITY = 2
    CUSTOMER = 3
    ORIGIN = 4
    ATTEMPTS = 5
    TOPIC = 6
    HOLDER = 7


def column_titles() -> list[str]:
    translate = QCoreApplication.translate  # spelled out at each text so that pyside6-lupdate finds them
    return [translate("CallbackTableModel", "Due"), translate("CallbackTableModel", "Queue"),
            translate("CallbackTableModel", "Priority"), translate("CallbackTableModel", "Customer"),
            translate("CallbackTableModel", "Origin"), translate("CallbackTableModel", "Attempts"),
            translate("CallbackTableModel", "Topic / notes"), translate("CallbackTableModel", "Held by")]


COLUMNS = len(Column)
DISPLAY, FOREGROUND, FONT = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole
HANDLED_ROLES = frozenset((DISPLAY, FOREGROUND, FONT, Qt.ItemDataRole.ToolTipRole, TASK_ROLE))
TEXTS: dict[int, Callable[[CallbackTaskView], str]] = {  # the columns that do not depend on the clock or on me
    Column.QUEUE: lambda t: clean_text(t.queue),
    Column.PRIORITY: priority_text,
    Column.CUSTOMER: customer_text,
    Column.ORIGIN: lambda t: origin_text(t.origin),
    Column.ATTEMPTS: attempts_text,
    Column.TOPIC: topic_text,
}

SortKey = Callable[[CallbackTaskView], Any]
SORT_KEYS: dict[Column, SortKey] = {
    Column.DUE: lambda t: (t.due_at, -t.vip, -t.priority, t.task_id),
    Column.QUEUE: lambda t: (t.queue, t.due_at, t.task_id),
    Column.PRIORITY: lambda t: (-t.vip, -t.priority, t.due_at, t.task_id),  # ascending = VIP first
    Column.CUSTOMER: lambda t: ((t.name or t.number).casefold(), t.number, t.task_id),
    Column.ORIGIN: lambda t: (t.origin, t.due_at, t.task_id),
    Column.ATTEMPTS: lambda t: (t.attempts, t.due_at, t.task_id),
    Column.TOPIC: lambda t: (t.topic.casefold(), t.notes.casefold(), t.task_id),
    Column.HOLDER: lambda t: ((t.agent_name or t.agent).casefold(), t.due_at, t.task_id),
}


class _Descending:
    """A sort key compared the other way round (for bisecting a descending list)."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __lt__(self, other: _Descending) -> bool:
        return bool(other.key < self.key)


def search_text(task: CallbackTaskView) -> str:
    """Everything the text filter looks in, folded once per task (the
    number's digits cover every way of writing it)."""
    digits = task.number if task.number.isdigit() else task.number.translate(NUMBER_SEPARATORS)
    return f"{digits}\n{task.display_number}\n{task.name}\n{task.topic}\n{task.notes}".casefold()


class CallbackTableModel(QAbstractTableModel):
    """Open callback tasks, one per row, kept sorted by (column, order).

    `set_tasks` replaces everything (after a (re)connection); `upsert` applies
    one change: a closed task leaves, a new one is inserted in sort order,
    a changed one is updated in place or moved. An upsert older than the
    row it would replace (by updated_at) is ignored."""

    def __init__(self, clock: Clock, parent: Any = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self.me = ""  # this agent's id: their tasks read "You"
        self._tasks: list[CallbackTaskView] = []
        self.version = 0  # changes with every change of the rows (the filter's cache key)
        self._search: dict[str, str] = {}  # filled on the first text filter, then kept up to date
        self._rows: dict[str, int] | None = {}
        self._column = Column.PRIORITY
        self._order = Qt.SortOrder.AscendingOrder
        self._titles = column_titles()
        self._bold = QFont()
        self._bold.setBold(True)

    # -- reading ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._tasks)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._titles[section]
        return None

    def task(self, row: int) -> CallbackTaskView:
        return self._tasks[row]

    def tasks(self) -> Sequence[CallbackTaskView]:
        return self._tasks

    def search_text(self, row: int) -> str:
        task = self._tasks[row]
        found = self._search.get(task.task_id)
        if found is None:
            found = self._search[task.task_id] = search_text(task)
        return found

    def search_texts(self) -> list[str]:
        """Every row's search text, in row order (folded in one pass the first time)."""
        if len(self._search) != len(self._tasks):
            self._search = {task.task_id: self._search.get(task.task_id) or search_text(task)
                            for task in self._tasks}
        search = self._search
        return [search[task.task_id] for task in self._tasks]

    def find(self, task_id: str) -> CallbackTaskView | None:
        row = self.row_of(task_id)
        return None if row is None else self._tasks[row]

    def row_of(self, task_id: str) -> int | None:
        if self._rows is None:
            self._rows = {task.task_id: row for row, task in enumerate(self._tasks)}
        return self._rows.get(task_id)

    def queues(self) -> set[str]:
        return {task.queue for task in self._tasks}

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every visible cell at each paint: the common answers come first.
        if role not in HANDLED_ROLES or not index.isValid():
            return None
        task = self._tasks[index.row()]
        column = index.column()
        if role == DISPLAY:
            return self._text(task, column)
        if role == TASK_ROLE:
            return task
        if role == FOREGROUND:
            return self._colour(task, column)
        if role == FONT:
            return self._bold if task.vip and column in (Column.PRIORITY, Column.CUSTOMER) else None
        return self._tooltip(task, Column(column))

    def _text(self, task: CallbackTaskView, column: int) -> str:
        if column == Column.DUE:
            return due_text(task, self._clock())
        if column == Column.HOLDER:
            return holder_text(task, self.me)
        return TEXTS[column](task)

    def _tooltip(self, task: CallbackTaskView, column: Column) -> str:
        if column is Column.TOPIC:
            return plain_tooltip("\n".join(part for part in (task.topic, task.notes) if part))
        if column is Column.DUE:
            return plain_tooltip(state_text(task, self._clock()))
        return plain_tooltip(self._text(task, column))

    def _colour(self, task: CallbackTaskView, column: int) -> QBrush | None:
        if column == Column.DUE and task.is_overdue(self._clock()):
            return QBrush(QColor(BAD))
        if column == Column.PRIORITY and task.vip:
            return QBrush(QColor(WARN))
        return None

    # -- changing -----------------------------------------------------------------------------
    def set_tasks(self, tasks: Iterable[CallbackTaskView]) -> None:
        self.beginResetModel()
        self._tasks = [task for task in tasks if task.is_open]
        self._search = {}
        self._sort_list()
        self.version += 1
        self.endResetModel()

    def upsert(self, task: CallbackTaskView) -> None:
        row = self.row_of(task.task_id)
        if row is not None and task.updated_at < self._tasks[row].updated_at:
            return  # an older copy overtaken by a newer one
        if row is not None and not task.is_open:
            self._remove(row)
        elif row is not None:
            self._replace(row, task)
        elif task.is_open:
            self._insert(task)

    def _insert(self, task: CallbackTaskView) -> None:
        row = self._position(task, self._tasks)
        self.beginInsertRows(QModelIndex(), row, row)
        self._tasks.insert(row, task)
        self._rows = None
        self.version += 1
        self.endInsertRows()

    def _remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        task = self._tasks.pop(row)
        self._search.pop(task.task_id, None)
        self._rows = None
        self.version += 1
        self.endRemoveRows()

    def _replace(self, row: int, task: CallbackTaskView) -> None:
        others = self._tasks[:row] + self._tasks[row + 1:]  # a copy: cheap next to a reset, and correct
        target = self._position(task, others)
        self._search.pop(task.task_id, None)
        if target != row:
            # Out and in again rather than beginMoveRows: a filter proxy handles a move like a
            # layout change (every row filtered again, ~25 ms for 10,000), an insert row by row.
            self._remove(row)
            self._insert(task)
            return
        self._tasks[row] = task
        self.version += 1
        self.dataChanged.emit(self.index(row, 0), self.index(row, COLUMNS - 1))

    def _position(self, task: CallbackTaskView, tasks: list[CallbackTaskView]) -> int:
        key = SORT_KEYS[self._column]
        if self._order is Qt.SortOrder.AscendingOrder:
            return bisect.bisect_right(tasks, key(task), key=key)
        return bisect.bisect_right(tasks, _Descending(key(task)), key=lambda t: _Descending(key(t)))

    def set_me(self, agent: str) -> None:
        if agent != self.me and self._tasks:
            self.me = agent
            self.dataChanged.emit(self.index(0, Column.HOLDER), self.index(len(self._tasks) - 1, Column.HOLDER))
        self.me = agent

    # -- sorting ------------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column < 0 or column >= COLUMNS or (column, order) == (self._column, self._order):
            return  # the list is kept in this order already (upserts insert in place)
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        ids = [self._tasks[index.row()].task_id for index in before]
        self._column, self._order = Column(column), order
        self._sort_list()
        rows = self.row_of
        after = [self.index(rows(task_id) or 0, index.column()) for task_id, index in zip(ids, before, strict=True)]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    @property
    def sort_column(self) -> Column:
        return self._column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._order

    def _sort_list(self) -> None:
        self._tasks.sort(key=SORT_KEYS[self._column], reverse=self._order is Qt.SortOrder.DescendingOrder)
        self._rows = None
        self.version += 1
