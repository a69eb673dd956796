#!/usr/bin/env python3
"""The callback task list with 10,000 open tasks (the target:
opens and filters within 100 ms).

Offscreen, in this process: each repeat builds the dock's list afresh,
fills it with BENCH_TASKS (default 10,000) tasks and shows it, painted
(`open`); then times text filters (a name, a number as typed with spaces,
a topic word, one letter), the state filters (due, overdue, scheduled, all),
a queue filter, a sort by another column and single server-sent changes.
Each figure includes repainting the visible rows (a 1280x800 window, the
dock 760 px wide: about 30 rows of 8 columns). Printed: p50 / p95 / max
in milliseconds over BENCH_REPEATS (default 20) repeats. Asserts nothing.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QWidget

from agentdesk.contract.callbacks import CallbackTaskView
from agentdesk.desktop.ui.callbacks.filter import TaskState
from agentdesk.desktop.ui.callbacks.model import Column
from agentdesk.desktop.ui.callbacks.task_list import CallbackListPanel
from agentdesk.desktop.ui.common.style import STYLE_SHEET
from tests.bench.common import percentile, record
from tests.helpers.fakes import NOW, many_tasks

TASKS = int(os.environ.get("BENCH_TASKS", "10000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "20"))
TEXT_FILTERS = {"text: name": "reza", "text: number typed": "0912 000 12", "text: topic": "refund",
                "text: one letter": "a"}
WINDOW_SIZE = (1280, 800)  # a laptop screen
DOCK_WIDTH = 760  # the list beside the calls column
STATE_FILTERS = {f"state: {state.value}": state for state in
                 (TaskState.DUE, TaskState.OVERDUE, TaskState.SCHEDULED, TaskState.ALL)}
TARGET_MS = 100.0  # opens and filters within 100 ms


class PaintCounter(QObject):
    """Counts the list's paints, so each figure includes exactly one."""

    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def painted(app: QApplication, panel: CallbackListPanel, counter: PaintCounter) -> None:
    """Let the queued work run (the view paints then); paint now if it did not."""
    before = counter.paints
    app.processEvents()
    if counter.paints == before:
        panel.table.viewport().repaint()


class Repeat:
    """One round: a fresh dock opened with every task, then filtered, sorted and changed."""

    def __init__(self, app: QApplication, window: QMainWindow, figures: dict[str, list[float]]) -> None:
        self.app, self.window, self.figures = app, window, figures
        self.dock = QDockWidget("Callbacks", window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.panel = CallbackListPanel(clock=lambda: NOW)
        self.counter = PaintCounter()
        self.panel.table.viewport().installEventFilter(self.counter)

    def timed(self, name: str, action: Callable[[], object]) -> None:
        began = time.perf_counter()
        action()
        painted(self.app, self.panel, self.counter)
        self.figures.setdefault(name, []).append((time.perf_counter() - began) * 1000)

    def open(self, tasks: list[CallbackTaskView]) -> None:
        def fill_and_show() -> None:
            self.panel.show_tasks(tasks)
            self.dock.setWidget(self.panel)
            self.window.resizeDocks([self.dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
            self.dock.show()

        self.timed("open (fill + show + paint)", fill_and_show)

    def filters(self) -> None:
        panel = self.panel
        for name, text in TEXT_FILTERS.items():
            self.timed(name, lambda: panel.filter.setText(text))  # noqa: B023 - called at once
            panel.filter.setText("")
        for name, state in STATE_FILTERS.items():
            self.timed(name, lambda: panel.proxy.set_state(state))  # noqa: B023
        self.timed("queue: sales", lambda: panel.proxy.set_queue("sales"))
        panel.proxy.set_queue("")

    def changes(self, tasks: list[CallbackTaskView], repeat: int) -> None:
        panel = self.panel
        column = Column.CUSTOMER if repeat % 2 == 0 else Column.DUE
        self.timed("sort by another column", lambda: panel.table.sortByColumn(column, Qt.SortOrder.AscendingOrder))
        changed = replace(tasks[repeat * 31], due_at=NOW + 50_000 + repeat, updated_at=NOW + repeat)
        self.timed("one change (moves a row)", lambda: panel.upsert(changed))
        self.timed("one new task", lambda: panel.upsert(replace(changed, task_id=f"f{repeat:011x}")))

    def close(self) -> None:
        self.dock.close()
        self.window.removeDockWidget(self.dock)
        self.dock.deleteLater()
        self.app.processEvents()


def run() -> dict[str, list[float]]:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setStyleSheet(STYLE_SHEET)
    window = QMainWindow()
    window.resize(WINDOW_SIZE[0], WINDOW_SIZE[1])
    window.setCentralWidget(QWidget())
    window.show()
    tasks = many_tasks(TASKS)
    figures: dict[str, list[float]] = {}
    for repeat in range(REPEATS):
        round_ = Repeat(app, window, figures)
        round_.open(tasks)
        round_.filters()
        round_.changes(tasks, repeat)
        round_.close()
    return figures


def main() -> int:
    figures = run()
    print(f"callback list, {TASKS} open tasks, {REPEATS} repeats (ms)")
    print(f"{'':30} {'p50':>8} {'p95':>8} {'max':>8}")
    for name, values in figures.items():
        print(f"{name:30} {percentile(values, 0.5):8.1f} {percentile(values, 0.95):8.1f} {max(values):8.1f}")
    record_targets(figures)
    return 0


def record_targets(figures: dict[str, list[float]]) -> None:
    """Opening, and the slowest filter of each kind (text, state, queue), against the target."""
    for prefix, what in (("open", ""), ("text:", ", slowest text filter"), ("state:", ", slowest state filter"),
                         ("queue:", "")):
        p95, name = max(((percentile(values, 0.95), name) for name, values in figures.items()
                         if name.startswith(prefix)), default=(float("nan"), prefix.rstrip(":")))  # nan: not met
        record("callback_list", f"{name} p95{what}", p95, "ms", f"within {TARGET_MS:.0f} ms", p95 <= TARGET_MS)


if __name__ == "__main__":
    sys.exit(main())
