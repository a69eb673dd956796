"""The board on screen: a table of the filtered agents with uniform rows,
a once-a-second clock that refreshes only the rows on screen, and the team
lead's actions on an agent in its context menu (also the Menu key or
Enter), each also a key on the selected row (KEYS, shown in the menu).

Signal `action(str, AgentRow)`: one of ACTIONS for that agent.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from agentdesk.contract.leads import BARGE, LISTEN, WHISPER
from agentdesk.contract.monitor import FLOOR_PAUSED, AgentRow

from .board_model import AGENT, AHT, ANSWERED, CALL, MISSED, QUALITY, ROW_ROLE, STATE, TIME, AgentBoardModel
from .board_proxy import BoardFilter

PAUSE, READY, PAUSE_AFTER_CALL, QUEUES = "pause", "ready", "pause_after_call", "queues"
ACTIONS = (LISTEN, WHISPER, BARGE, PAUSE, READY, PAUSE_AFTER_CALL, QUEUES)
KEYS = {LISTEN: "Ctrl+1", WHISPER: "Ctrl+2", BARGE: "Ctrl+3", PAUSE: "Ctrl+P", READY: "Ctrl+R"}
COLUMN_WIDTHS = {AGENT: 190, STATE: 240, TIME: 70, CALL: 330, ANSWERED: 80, AHT: 70, MISSED: 70, QUALITY: 70}


class AgentBoard(QTableView):
    action = Signal(str, object)

    def __init__(self, model: AgentBoardModel, proxy: BoardFilter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AgentBoard")
        self.board = model
        proxy.setSourceModel(model)
        self.setModel(proxy)
        self.proxy = proxy
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSortingEnabled(True)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in COLUMN_WIDTHS.items():
            self.setColumnWidth(column, width)
        self.sortByColumn(AGENT, Qt.SortOrder.AscendingOrder)
        self.setContextMenuPolicy(self.contextMenuPolicy().CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu_at)
        for keys in ("Menu", "Return", "Enter"):
            QShortcut(QKeySequence(keys), self, lambda: self._menu_at(self._current_point()))
        for kind, keys in KEYS.items():
            QShortcut(QKeySequence(keys), self, lambda k=kind: self._act_on_current(k))
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self.tick)
        self.clock.start()

    def visible_source_rows(self) -> list[int]:
        """The model's rows shown in the viewport now."""
        first = self.rowAt(0)
        if first < 0:
            return []
        last = self.rowAt(self.viewport().height() - 1)
        last = self.proxy.rowCount() - 1 if last < 0 else last
        return [self.proxy.mapToSource(self.proxy.index(row, 0)).row() for row in range(first, last + 1)]

    def tick(self) -> None:
        if self.isVisible():
            self.board.tick_rows(self.visible_source_rows())

    def agent_at(self, index: QModelIndex) -> AgentRow | None:
        row = index.siblingAtColumn(0).data(ROW_ROLE) if index.isValid() else None
        return row if isinstance(row, AgentRow) else None

    def _current_point(self) -> QPoint:
        return self.visualRect(self.currentIndex()).center()

    def _act_on_current(self, kind: str) -> None:
        """A key on the selected row does what its menu entry does, when that entry is enabled."""
        agent = self.agent_at(self.currentIndex())
        if agent is None:
            return
        for item in self.menu_for(agent).actions():
            if item.data() == kind and item.isEnabled():
                self.action.emit(kind, agent)
                return

    def _menu_at(self, point: QPoint) -> None:
        agent = self.agent_at(self.indexAt(point))
        if agent is None:
            return
        self.menu_for(agent).popup(self.viewport().mapToGlobal(point))

    def menu_for(self, agent: AgentRow) -> QMenu:
        menu = QMenu(self)
        on_call = agent.call is not None
        for kind, text in ((LISTEN, self.tr("Listen")), (WHISPER, self.tr("Whisper")), (BARGE, self.tr("Barge"))):
            item = menu.addAction(text)
            item.setData(kind)
            item.setShortcut(QKeySequence(KEYS[kind]))
            item.setEnabled(on_call)
            item.triggered.connect(lambda _checked=False, k=kind: self.action.emit(k, agent))
        menu.addSeparator()
        entries = ((PAUSE, self.tr("Pause…"), agent.state != FLOOR_PAUSED),
                   (READY, self.tr("Make ready"), agent.state == FLOOR_PAUSED),
                   (PAUSE_AFTER_CALL, self.tr("Pause after this call…"), on_call),
                   (QUEUES, self.tr("Queues and penalty…"), True))
        for kind, text, enabled in entries:
            item = menu.addAction(text)
            item.setData(kind)
            if kind in KEYS:
                item.setShortcut(QKeySequence(KEYS[kind]))
            item.setEnabled(enabled)
            item.triggered.connect(lambda _checked=False, k=kind: self.action.emit(k, agent))
        return menu
