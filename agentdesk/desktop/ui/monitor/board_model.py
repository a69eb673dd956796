"""The agents on the floor as a table: one row per agent, in a stable order
(as the service first listed them, newcomers at the end).

`set_floor(snapshot)` replaces everything; `apply(update)` takes whole
changed rows and compares each cell's inputs with the row before, so only
the cells that really changed emit dataChanged (with 500 agents a
repaint of the board per event would cost more than the event).
Times are not part of a cell's inputs: `tick_rows(rows)` refreshes the
time columns of the rows on screen once a second (clock.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt

from agentdesk.contract.monitor import (
    FLOOR_PAUSED,
    FLOOR_WRAP_UP,
    AgentRow,
    FloorSnapshot,
    FloorUpdate,
    QueueThresholds,
)

from ..common.text import clean_text, format_duration, isolate, plain_tooltip
from ..phone.quality_label import level_word
from .thresholds import OK, agent_level
from .words import LEVEL_BACKGROUNDS, call_line, state_word

Clock = Callable[[], float]  # the service's time now
Index = QModelIndex | QPersistentModelIndex

AGENT, STATE, TIME, CALL, ANSWERED, AHT, MISSED, QUALITY, QUEUES = range(9)
COLUMNS = 9
CLOCK_COLUMNS = (STATE, CALL)  # first and last of the columns that change with time alone
ROW_ROLE = Qt.ItemDataRole.UserRole  # the AgentRow
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def _header(column: int) -> str:
    translate = QCoreApplication.translate
    return (translate("MonitorBoard", "Agent"), translate("MonitorBoard", "State"),
            translate("MonitorBoard", "Time"), translate("MonitorBoard", "Call"),
            translate("MonitorBoard", "Answered"), translate("MonitorBoard", "AHT"),
            translate("MonitorBoard", "Missed"), translate("MonitorBoard", "Quality"),
            translate("MonitorBoard", "Queues"))[column]


def cell_inputs(row: AgentRow, column: int) -> tuple[Any, ...]:
    """What a cell shows, apart from the clock: equal inputs, equal cell."""
    inputs: dict[int, tuple[Any, ...]] = {
        AGENT: (row.name, row.agent, row.phone),
        STATE: (row.state, row.paused_reason, row.wrapup_deadline, row.pause_after_call),
        TIME: (row.state, row.since),
        CALL: (row.call,),
        ANSWERED: (row.answered_today,),
        AHT: (row.handle_seconds_today,),
        MISSED: (row.missed_today,),
        QUALITY: (row.quality,),
        QUEUES: (tuple(sorted(row.queues.items())), tuple(sorted(row.penalties.items()))),
    }
    return inputs[column]


def _runs(columns: Sequence[int]) -> list[tuple[int, int]]:
    """[1, 2, 3, 6] -> [(1, 3), (6, 6)]."""
    runs: list[tuple[int, int]] = []
    for column in columns:
        if runs and runs[-1][1] == column - 1:
            runs[-1] = (runs[-1][0], column)
        else:
            runs.append((column, column))
    return runs


def state_text(row: AgentRow, now: float) -> str:
    translate = QCoreApplication.translate
    text = state_word(row.state)
    if row.state == FLOOR_PAUSED and row.paused_reason:
        text = translate("MonitorBoard", "Paused: %1").replace("%1", clean_text(row.paused_reason))
    elif row.state == FLOOR_WRAP_UP and row.wrapup_deadline is not None:
        left = row.wrapup_deadline - now
        text = (translate("MonitorBoard", "Wrap-up, %1 left").replace("%1", format_duration(left)) if left > 0
                else translate("MonitorBoard", "Wrap-up, %1 over").replace("%1", format_duration(-left)))
    if row.pause_after_call:
        text += " · " + translate("MonitorBoard", "then %1").replace("%1", clean_text(row.pause_after_call))
    return text


def queues_text(row: AgentRow) -> str:
    return ", ".join(isolate(name) + (f" ({row.penalties[name]})" if row.penalties.get(name) else "")
                     for name, logged_in in sorted(row.queues.items()) if logged_in)


class AgentBoardModel(QAbstractTableModel):
    """Rows of AgentRow; see the module docstring."""

    def __init__(self, clock: Clock, parent: Any = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._rows: list[AgentRow] = []
        self._where: dict[str, int] = {}  # agent -> row
        self.thresholds: dict[str, QueueThresholds] = {}

    # -- the floor ------------------------------------------------------------------
    def set_floor(self, floor: FloorSnapshot) -> None:
        self.beginResetModel()
        self._rows = list(floor.agents)
        self._where = {row.agent: index for index, row in enumerate(self._rows)}
        self.thresholds = dict(floor.thresholds)
        self.endResetModel()

    def apply(self, update: FloorUpdate) -> None:
        for agent in update.removed_agents:
            self._remove(agent)
        for row in update.agents:
            index = self._where.get(row.agent)
            if index is None:
                self._append(row)
            else:
                self._replace(index, row)

    def _append(self, row: AgentRow) -> None:
        count = len(self._rows)
        self.beginInsertRows(QModelIndex(), count, count)
        self._rows.append(row)
        self._where[row.agent] = count
        self.endInsertRows()

    def _remove(self, agent: str) -> None:
        index = self._where.get(agent)
        if index is None:
            return
        self.beginRemoveRows(QModelIndex(), index, index)
        del self._rows[index]
        self._where = {row.agent: position for position, row in enumerate(self._rows)}
        self.endRemoveRows()

    def _replace(self, index: int, row: AgentRow) -> None:
        old, self._rows[index] = self._rows[index], row
        changed = [column for column in range(COLUMNS) if cell_inputs(old, column) != cell_inputs(row, column)]
        for first, last in _runs(changed):
            self.dataChanged.emit(self.index(index, first), self.index(index, last))

    def tick_rows(self, rows: Iterable[int]) -> None:
        """The clock moved: refresh the time columns of these rows."""
        roles = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole]
        for row in rows:
            if 0 <= row < len(self._rows):
                self.dataChanged.emit(self.index(row, CLOCK_COLUMNS[0]), self.index(row, CLOCK_COLUMNS[1]), roles)

    def agent_at(self, row: int) -> AgentRow:
        return self._rows[row]

    def row_of(self, agent: str) -> int | None:
        return self._where.get(agent)

    @property
    def agents(self) -> list[AgentRow]:
        return list(self._rows)

    # -- the model --------------------------------------------------------------------
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
            return self._text(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.BackgroundRole and column in (STATE, TIME):
            shade = agent_level(row, self._clock(), self.thresholds)
            return LEVEL_BACKGROUNDS[shade] if shade != OK else None
        if role == Qt.ItemDataRole.ToolTipRole and column in (AGENT, CALL):
            return plain_tooltip(self._text(row, column))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (TIME, ANSWERED, AHT, MISSED):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _text(self, row: AgentRow, column: int) -> str:
        now = self._clock()
        if column == AGENT:
            return f"{isolate(row.name or row.agent)} ({isolate(row.agent)})"
        if column == STATE:
            return state_text(row, now)
        if column == TIME:
            return format_duration(now - row.since)
        if column == CALL:
            return call_line(row.call, now) if row.call is not None else ""
        if column == ANSWERED:
            return str(row.answered_today)
        if column == AHT:
            return "" if row.handle_seconds_today is None else format_duration(row.handle_seconds_today)
        if column == MISSED:
            return str(row.missed_today) if row.missed_today else ""
        if column == QUALITY:
            return level_word(row.quality) if row.quality else ""
        return queues_text(row)

    def _sort_key(self, row: AgentRow, column: int) -> Any:
        if column == TIME:
            return row.since  # the longest in their state first when ascending
        if column == CALL:
            return row.call.since if row.call is not None else float("inf")
        if column == AHT:
            return -1.0 if row.handle_seconds_today is None else row.handle_seconds_today
        if column in (ANSWERED, MISSED):
            return row.answered_today if column == ANSWERED else row.missed_today
        if column == AGENT:
            return (row.name or row.agent).casefold()
        return self._text(row, column).casefold()
