"""The board as the team lead narrows it: agents of one queue, in some
states, whose name or extension contains a text; sorted by any column,
optionally grouped by queue (the agents of each queue together, by the
queue each is logged in to first, then by the chosen column)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from agentdesk.contract.monitor import AgentRow

from .board_model import ROW_ROLE, SORT_ROLE

Index = QModelIndex | QPersistentModelIndex
FILTER_CHANGE_API = hasattr(QSortFilterProxyModel, "beginFilterChange")  # Qt 6.10 deprecates invalidate*Filter


def home_queue(row: AgentRow) -> str:
    """The queue an agent is grouped under: the first they are logged in to, else the first of theirs."""
    logged_in = sorted(name for name, on in row.queues.items() if on)
    return (logged_in or sorted(row.queues) or [""])[0]


class BoardFilter(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue = ""
        self._states: frozenset[str] = frozenset()
        self._text = ""
        self.grouped = False
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def set_queue(self, queue: str) -> None:
        """Only the agents of `queue` ('' every queue)."""
        self._refilter(lambda: setattr(self, "_queue", queue))

    def set_states(self, states: Iterable[str]) -> None:
        """Only agents in these states (none given: every state)."""
        chosen = frozenset(states)
        self._refilter(lambda: setattr(self, "_states", chosen))

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_text", text.strip().casefold()))

    def _refilter(self, change: Callable[[], None]) -> None:
        if not FILTER_CHANGE_API:  # Qt before 6.10
            change()
            self.invalidateRowsFilter()
            return
        self.beginFilterChange()
        change()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_grouped(self, grouped: bool) -> None:
        self.grouped = grouped
        self.invalidate()
        self.sort(max(self.sortColumn(), 0), self.sortOrder())

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        row = self.sourceModel().index(source_row, 0, source_parent).data(ROW_ROLE)
        if not isinstance(row, AgentRow):
            return False
        if self._queue and self._queue not in row.queues:
            return False
        if self._states and row.state not in self._states:
            return False
        return not self._text or self._text in row.name.casefold() or self._text in row.agent

    def lessThan(self, left: Index, right: Index) -> bool:
        if self.grouped:
            left_queue, right_queue = home_queue(left.data(ROW_ROLE)), home_queue(right.data(ROW_ROLE))
            if left_queue != right_queue:
                # Groups keep their order whichever way the column sorts.
                ascending = self.sortOrder() is Qt.SortOrder.AscendingOrder
                return (left_queue < right_queue) == ascending
        return bool(_key(left.data(SORT_ROLE)) < _key(right.data(SORT_ROLE)))


def _key(value: Any) -> Any:
    return value if value is not None else ""
