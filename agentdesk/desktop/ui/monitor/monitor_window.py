"""The team lead's monitor: a window of its own beside the phone's, with
tabs Board (agents, filters, the supervision bar), Queues (the wallboard
at desk size), Live calls and Audit. A banner says when what it shows is
stale. F11 (or the button) opens the full-screen wallboard."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from agentdesk.contract.monitor import FLOOR_STATES, QueueBoardRow

from ..common.icons import icon
from ..common.text import clean_text, plain_label
from .audit_view import AuditView
from .board_view import AgentBoard
from .live_calls import LiveCallsPanel
from .stale import Staleness
from .supervision_bar import SupervisionBar
from .wallboard import QueueTable, QueueWallboardModel
from .words import state_word


class MonitorWindow(QMainWindow):
    wallboard_requested = Signal()
    vips_requested = Signal()
    blocked_requested = Signal()

    def __init__(self, board: AgentBoard, queues: QueueWallboardModel, live: LiveCallsPanel, audit: AuditView,
                 staleness: Staleness, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MonitorWindow")
        self.setWindowTitle(self.tr("AgentDesk monitor"))
        self.setWindowIcon(icon("agentdesk", size=64))
        self.board, self.live, self.audit, self.staleness = board, live, audit, staleness
        self.supervision_bar = SupervisionBar(self)
        self.banner = plain_label("", "Problem")
        self.queue_filter = QComboBox(self)
        self.state_filter = QComboBox(self)
        self.state_filter.addItem(self.tr("All states"), "")
        for state in FLOOR_STATES:
            self.state_filter.addItem(state_word(state), state)
        self.text_filter = QLineEdit(self)
        self.text_filter.setPlaceholderText(self.tr("Find an agent"))
        self.text_filter.setClearButtonEnabled(True)
        self.grouped = QCheckBox(self.tr("Group by queue"), self)
        self.wallboard_button = QPushButton(self.tr("Wallboard"), self)
        self.wallboard_button.setToolTip(self.tr("Show the queues full screen (Ctrl+Shift+W)"))
        self.vip_button = QPushButton(self.tr("VIP callers…"), self)
        self.blocked_button = QPushButton(self.tr("Never call back…"), self)
        self.blocked_button.setToolTip(self.tr("Numbers the callback service never calls"))
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._board_tab(), self.tr("Board"))
        self.tabs.addTab(QueueTable(queues, self), self.tr("Queues"))
        self.tabs.addTab(live, self.tr("Live calls"))
        self.tabs.addTab(audit, self.tr("Audit"))
        body = QWidget(self)
        column = QVBoxLayout(body)
        column.addWidget(self.banner)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(body)
        self.statusBar()
        self._wire()
        self.set_queues([])
        self._show_staleness(staleness.stale)
        self.resize(1200, 720)

    def _board_tab(self) -> QWidget:
        tab = QWidget(self)
        filters = QHBoxLayout()
        filters.addWidget(self.queue_filter)
        filters.addWidget(self.state_filter)
        filters.addWidget(self.text_filter, 1)
        filters.addWidget(self.grouped)
        filters.addWidget(self.vip_button)
        filters.addWidget(self.blocked_button)
        filters.addWidget(self.wallboard_button)
        column = QVBoxLayout(tab)
        column.addWidget(self.supervision_bar)
        column.addLayout(filters)
        column.addWidget(self.board, 1)
        return tab

    def _wire(self) -> None:
        proxy = self.board.proxy
        self.queue_filter.currentIndexChanged.connect(lambda _i: proxy.set_queue(self.queue_filter.currentData() or ""))
        self.state_filter.currentIndexChanged.connect(lambda _i: proxy.set_states(
            [self.state_filter.currentData()] if self.state_filter.currentData() else []))
        self.text_filter.textChanged.connect(proxy.set_text)
        self.grouped.toggled.connect(proxy.set_grouped)
        self.wallboard_button.clicked.connect(self.wallboard_requested)
        self.vip_button.clicked.connect(self.vips_requested)
        self.blocked_button.clicked.connect(self.blocked_requested)
        self.staleness.changed.connect(self._show_staleness)
        self.tabs.currentChanged.connect(lambda index: self.audit.refresh() if self.tabs.widget(index) is self.audit
                                         else None)

    def set_queues(self, queues: list[QueueBoardRow]) -> None:
        """The queue filter's choices: every queue of the floor. Most updates change only
        figures: the choices stay as they are, or a lead picking from the open list
        would lose their place ten times a second on a busy floor."""
        choices = [(clean_text(queue.title), queue.name) for queue in queues]
        combo = self.queue_filter
        if combo.count() and choices == [(combo.itemText(i), combo.itemData(i)) for i in range(1, combo.count())]:
            return
        chosen = self.queue_filter.currentData() or ""
        self.queue_filter.blockSignals(True)
        self.queue_filter.clear()
        self.queue_filter.addItem(self.tr("All queues"), "")
        for title, name in choices:
            self.queue_filter.addItem(title, name)
        found = self.queue_filter.findData(chosen)
        self.queue_filter.setCurrentIndex(max(found, 0))
        self.queue_filter.blockSignals(False)
        if found < 0 and chosen:
            self.board.proxy.set_queue("")

    def show_problem(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    def _show_staleness(self, stale: bool) -> None:
        self.banner.setText(self.staleness.text())
        self.banner.setVisible(stale)
