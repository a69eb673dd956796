"""The agent's callback task list (a side dock): filter by text, state and
queue, sort by any column, act on a task from the keyboard.

Keys: Ctrl+F (or typing into the filter) filters; Down or Enter in the
filter goes to the list; in the list Enter calls the customer now, R
reschedules, the menu key (or a right click) opens the task's menu, Esc
goes back to the filter. Rows are painted by the view from the model: no
widget per row, so 10,000 tasks cost what the visible rows cost.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from agentdesk.contract.callbacks import CallbackTaskView

from ..common.text import clean_text, plain_label
from .filter import CallbackFilter, TaskState
from .model import CallbackTableModel, Clock, Column

TIME_REFRESH_MS = 30_000
COLUMN_WIDTHS = {Column.DUE: 150, Column.QUEUE: 80, Column.PRIORITY: 70, Column.CUSTOMER: 200,
                 Column.ORIGIN: 80, Column.ATTEMPTS: 70, Column.TOPIC: 220, Column.HOLDER: 100}


class CallbackTable(QTableView):
    """The list itself. Signals carry the task under the cursor (current row):
    `call_requested(str)` (Enter, double click), `reschedule_requested(str)`
    (R), `menu_requested(str, QPoint)` (right click, menu key), and
    `leave_requested()` (Esc: back to the filter)."""

    call_requested = Signal(str)
    reschedule_requested = Signal(str)
    menu_requested = Signal(str, QPoint)
    leave_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CallbackTable")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setTabKeyNavigation(False)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: no per-row measuring
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        self.doubleClicked.connect(lambda index: self._emit_for(self.call_requested, index))

    def current_task_id(self, index: QModelIndex | None = None) -> str:
        index = self.currentIndex() if index is None else index
        if not index.isValid():
            return ""
        task = self.model().index(index.row(), 0).data(Qt.ItemDataRole.UserRole + 1)
        return task.task_id if isinstance(task, CallbackTaskView) else ""

    def _emit_for(self, signal: SignalInstance, index: QModelIndex | None = None) -> None:
        task_id = self.current_task_id(index)
        if task_id:
            signal.emit(task_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, modifiers = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and modifiers == Qt.KeyboardModifier.NoModifier:
            self._emit_for(self.call_requested)
        elif key == Qt.Key.Key_R and modifiers == Qt.KeyboardModifier.NoModifier:
            self._emit_for(self.reschedule_requested)
        elif key == Qt.Key.Key_Escape:
            self.leave_requested.emit()
        else:
            super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            index = self.currentIndex()
            point = self.visualRect(index).center()
        else:
            index = self.indexAt(event.pos())
            point = event.pos()
            if index.isValid():
                self.setCurrentIndex(index)
        task_id = self.current_task_id(index)
        if task_id:
            self.menu_requested.emit(task_id, self.viewport().mapToGlobal(point))


class CallbackListPanel(QWidget):
    """The dock's content. Fed with `show_tasks` (the whole list after a
    (re)connection), `upsert` (one change) and `set_me` (this agent's id);
    `show_problem` shows why the list may be stale.

    Signals: `call_requested(task_id)`, `reschedule_requested(task_id)`,
    `release_requested(task_id)` (a task this agent holds but will not call),
    `count_changed(int)` with the number of open tasks."""

    call_requested = Signal(str)
    reschedule_requested = Signal(str)
    release_requested = Signal(str)
    count_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None, clock: Clock = time.time) -> None:
        super().__init__(parent)
        self.model = CallbackTableModel(clock, self)
        self.proxy = CallbackFilter(self.model, clock)
        self.table = CallbackTable(self)
        self.table.setModel(self.proxy)
        # The indicator first: enabling sorting sorts by it (else by column 0, descending).
        self.table.horizontalHeader().setSortIndicator(self.model.sort_column, self.model.sort_order)
        self.table.setSortingEnabled(True)
        for column, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        self._counted = 0
        self._build()
        self._wire()
        self._timer = QTimer(self)
        self._timer.setInterval(TIME_REFRESH_MS)
        self._timer.timeout.connect(self.refresh_times)
        self._timer.start()
        self._count()

    def _build(self) -> None:
        self.filter = QLineEdit(self)
        self.filter.setObjectName("CallbackFilter")
        self.filter.setPlaceholderText(self.tr("Filter: number, name, topic, notes (Ctrl+F)"))
        self.filter.setClearButtonEnabled(True)
        self.state = QComboBox(self)
        for state, text in ((TaskState.ALL, self.tr("All open")), (TaskState.DUE, self.tr("Due now")),
                            (TaskState.OVERDUE, self.tr("Overdue")), (TaskState.SCHEDULED, self.tr("Scheduled"))):
            self.state.addItem(text, state.value)
        self.queue = QComboBox(self)
        self.queue.addItem(self.tr("All queues"), "")
        self.count = plain_label("", "Placeholder")
        self.problem = plain_label("", "Problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        filters = QHBoxLayout()
        filters.addWidget(self.filter, 1)
        filters.addWidget(self.state)
        filters.addWidget(self.queue)
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 8, 8, 8)
        column.setSpacing(6)
        column.addLayout(filters)
        column.addWidget(self.problem)
        column.addWidget(self.table, 1)
        column.addWidget(self.count)

    def _wire(self) -> None:
        self.filter.textChanged.connect(self.proxy.set_text)
        self.filter.returnPressed.connect(self.focus_list)
        self.filter.installEventFilter(self)
        self.state.currentIndexChanged.connect(
            lambda _i: self.proxy.set_state(TaskState(self.state.currentData())))
        self.queue.currentIndexChanged.connect(lambda _i: self.proxy.set_queue(str(self.queue.currentData())))
        self.table.call_requested.connect(self.call_requested)
        self.table.reschedule_requested.connect(self.reschedule_requested)
        self.table.menu_requested.connect(self.open_menu)
        self.table.leave_requested.connect(self.filter.setFocus)
        # Filtering removes rows range by range: count once, after the burst.
        self._recount = QTimer(self)
        self._recount.setSingleShot(True)
        self._recount.setInterval(0)
        self._recount.timeout.connect(self._count)
        for model in (self.proxy, self.model):
            for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset, model.layoutChanged):
                signal.connect(self._recount.start)
        find = QShortcut(QKeySequence("Ctrl+F"), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self._focus_filter)

    def eventFilter(self, watched: object, event: object) -> bool:
        if watched is self.filter and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Down:
                self.focus_list()
                return True
            if event.key() == Qt.Key.Key_Escape and self.filter.text():
                self.filter.clear()
                return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

    # -- fed by the controller -----------------------------------------------------------------
    def show_tasks(self, tasks: Iterable[CallbackTaskView]) -> None:
        self.model.set_tasks(tasks)
        self._add_queues(self.model.queues())
        self.show_problem("")

    def upsert(self, task: CallbackTaskView) -> None:
        self.model.upsert(task)
        if task.is_open:
            self._add_queues((task.queue,))

    def set_me(self, agent: str) -> None:
        self.model.set_me(agent)

    def set_queues(self, names: Iterable[str]) -> None:
        """The agent's queues: offered in the queue filter even with no task yet."""
        self._add_queues(names)

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _add_queues(self, names: Iterable[str]) -> None:
        known = {str(self.queue.itemData(i)) for i in range(self.queue.count())}
        for name in sorted(set(names) - known):
            if name:
                self.queue.addItem(clean_text(name), name)

    # -- the agent ---------------------------------------------------------------------------
    def focus_list(self) -> None:
        self.table.setFocus()
        if not self.table.currentIndex().isValid() and self.proxy.rowCount() > 0:
            self.table.setCurrentIndex(self.proxy.index(0, 0))

    def _focus_filter(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()

    def selected_task(self) -> CallbackTaskView | None:
        task_id = self.table.current_task_id()
        return self.model.find(task_id) if task_id else None

    def open_menu(self, task_id: str, where: QPoint) -> QMenu | None:
        task = self.model.find(task_id)
        if task is None:
            return None
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        call = menu.addAction(self.tr("Call now") + "\tEnter")
        call.triggered.connect(lambda: self.call_requested.emit(task_id))
        later = menu.addAction(self.tr("Reschedule…") + "\tR")
        later.triggered.connect(lambda: self.reschedule_requested.emit(task_id))
        if task.state == "claimed" and task.agent == self.model.me:
            release = menu.addAction(self.tr("Release (I will not call now)"))
            release.triggered.connect(lambda: self.release_requested.emit(task_id))
        menu.addSeparator()
        copy = menu.addAction(self.tr("Copy number"))
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(task.number))
        menu.popup(where)
        return menu

    def refresh_times(self) -> None:
        """The due column reads relative to now, like a clock: repainting the
        visible rows is enough (a dataChanged over 10,000 rows would make the
        proxy filter them all again); the due/overdue filter does look again."""
        if self.proxy.time_dependent:
            self.proxy.refilter()
        self.table.viewport().update()

    def _count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        text = self.tr("%1 tasks").replace("%1", str(total)) if shown == total else \
            self.tr("%1 of %2 tasks").replace("%1", str(shown)).replace("%2", str(total))
        self.count.setText(text)
        if total != self._counted:
            self._counted = total
            self.count_changed.emit(total)
