#!/usr/bin/env python3
"""A team lead's monitor on a busy floor: the real monitor window (Board
tab) fed by the real monitor link, which reads a synthetic desk service's
monitor stream (monitor_floor_feed.py, in a process of its own): AGENTS
agents in QUEUES queues, then RATE call events a second (a caller
arrives, an agent answers, a call ends, a wrap-up ends), each sent as the
desk service's feed sends it: the changed agent, queue (with its waiting
callers) and call rows, coalesced at most every 100 ms. Three phases of
LOAD_SECONDS: the monitor window on its Board tab, on its Live calls tab,
then on the Board tab with the full-screen wallboard shown as well.
Offscreen, as bench_busy_ui.py.

Printed per phase: GUI frame time (each repaint of a window: painting its
dirty widgets and flushing them, timed around Qt's UpdateRequest) p50/p95/
max; event-loop lag (a 5 ms timer's lateness: anything that holds the GUI
thread, applying updates included) p95/max; event-to-pixel p50/p95 (an
update's `happened`, the latest event behind it, to the end of the frame
that painted its changed row: agent rows on screen on the board, queue
rows on the wallboard); the desktop's CPU (% of one core, the stream
reader's thread included) and RSS; and the load average. Targets: no
frame or lag over 50 ms, event-to-pixel p95 < 250 ms, CPU < 25 %.

BENCH_AGENTS, BENCH_QUEUES, BENCH_EVENTS_PER_SECOND and BENCH_LOAD_SECONDS
change the load; BENCH_PROFILE=1 profiles the GUI thread (cProfile) and
prints what costs most. The hooks cost a little themselves: every Qt event
passes through a Python notify(), and the State column of the board and
the Waiting column of the wallboard paint through a Python delegate.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QStyledItemDelegate, QStyleOptionViewItem

from agentdesk.contract.monitor import FloorUpdate
from agentdesk.desktop.link.api import DeskApi
from agentdesk.desktop.link.connection import DeskConnection
from agentdesk.desktop.link.eventstream import EventStream, Parse, Relay, start_reader
from agentdesk.desktop.link.monitor_link import MonitorLink
from agentdesk.desktop.ui.monitor.board_model import ROW_ROLE, STATE
from agentdesk.desktop.ui.monitor.controller import MonitorDesk
from agentdesk.desktop.ui.monitor.wallboard import WAITING
from tests.bench.common import REPO, cpu_seconds, percentile, record, rss_mb

AGENTS = int(os.environ.get("BENCH_AGENTS", "500"))
QUEUES = int(os.environ.get("BENCH_QUEUES", "50"))
RATE = float(os.environ.get("BENCH_EVENTS_PER_SECOND", "20"))
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
PROFILE = os.environ.get("BENCH_PROFILE", "") == "1"
SETTLE_SECONDS = 3.0  # after the floor, before the events: its first paint and layout are not measured
SWITCH_SECONDS = 1.0  # after a tab switch or showing the wallboard: their first layout is not a frame under load
PROBE_MS = 5
TARGET_FRAME_MS = 50.0
TARGET_PIXEL_MS = 250.0
TARGET_CPU_PERCENT = 25.0
BOARD, WALLBOARD = "board", "wallboard"
Index = QModelIndex | QPersistentModelIndex


class Pixels:
    """When each update's changed rows reach the screen: a row is expected
    from its update, seen when a delegate paints that very row object, and
    stamped at the end of the frame that painted it."""

    def __init__(self) -> None:
        self.pending: dict[tuple[str, str], tuple[float, object]] = {}  # (view, key) -> (happened, row)
        self.seen: list[tuple[str, str]] = []
        self.latencies: dict[str, list[float]] = {BOARD: [], WALLBOARD: []}

    def expect(self, view: str, key: str, happened: float, row: object) -> None:
        earlier = self.pending.get((view, key))
        # A newer row before the older was painted: the older change shows with it, counted from its own time.
        self.pending[(view, key)] = (earlier[0] if earlier else happened, row)

    def painted(self, view: str, key: str, row: object) -> None:
        waiting = self.pending.get((view, key))
        if waiting is not None and waiting[1] is row:
            self.seen.append((view, key))

    def frame_done(self, now: float) -> None:
        for view, key in self.seen:
            waiting = self.pending.pop((view, key), None)
            if waiting is not None:
                self.latencies[view].append(now - waiting[0])
        self.seen.clear()

    def restart(self) -> None:
        self.pending.clear()
        self.seen.clear()
        self.latencies = {BOARD: [], WALLBOARD: []}


class TimedApplication(QApplication):
    """Times every repaint of a window (Qt paints a window's dirty widgets and
    flushes them while delivering it an UpdateRequest)."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self.pixels = Pixels()
        self.frames: list[float] = []

    def notify(self, receiver: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.UpdateRequest:
            return super().notify(receiver, event)
        began = time.perf_counter()
        done = super().notify(receiver, event)
        self.frames.append(time.perf_counter() - began)
        self.pixels.frame_done(time.time())
        return done


class Stamp(QStyledItemDelegate):
    """Paints a cell as the default delegate does and tells `pixels` which row it painted."""

    def __init__(self, view: str, row_at: Callable[[Index], Any], key: Callable[[Any], str], pixels: Pixels,
                 parent: QObject) -> None:
        super().__init__(parent)
        self.view, self.row_at, self.key, self.pixels = view, row_at, key, pixels

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        super().paint(painter, option, index)
        row = self.row_at(index)
        if row is not None:
            self.pixels.painted(self.view, self.key(row), row)


class Probe:
    """A 5 ms timer: the gaps between its beats show whatever held the GUI thread."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self.last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._beat)
        self.timer.start()

    def _beat(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now

    def restart(self) -> None:
        self.gaps.clear()
        self.last = time.perf_counter()


class SyntheticDesk(DeskConnection):
    """The agent link as far as the monitor link uses it: its streams are read signed in to `base_url`."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.api = DeskApi(base_url, "1901", lambda: "bench")

    def open_stream(self, path: str, parse: Parse, relay: Relay, generation: int,
                    thread_name: str) -> EventStream | None:
        return start_reader(self.api, path, parse, relay, generation, thread_name)


class Updates:
    """What the link delivered, and which rows to expect on screen."""

    def __init__(self, desk: MonitorDesk, pixels: Pixels) -> None:
        self.desk, self.pixels = desk, pixels
        self.count = 0
        self.rows = [0, 0, 0]  # agents, queues, calls
        self.wallboard = False

    def arrived(self, update: FloorUpdate) -> None:
        self.count += 1
        self.rows = [self.rows[0] + len(update.agents), self.rows[1] + len(update.queues),
                     self.rows[2] + len(update.calls) + len(update.removed_calls)]
        for row in update.agents:
            self.pixels.expect(BOARD, row.agent, update.happened, row)
        if self.wallboard:
            for queue in update.queues:
                self.pixels.expect(WALLBOARD, queue.name, update.happened, queue)

    def restart(self) -> None:
        self.count = 0
        self.rows = [0, 0, 0]


def run_for(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_for_floor(link: MonitorLink, timeout: float = 30.0) -> None:
    loop = QEventLoop()
    arrived: list[object] = []

    def floor(snapshot: object) -> None:
        arrived.append(snapshot)
        loop.quit()

    link.floor.connect(floor)
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    loop.exec()
    if not arrived:
        raise TimeoutError(f"no floor from the synthetic desk service within {timeout:.0f} s")


def phase(app: TimedApplication, probe: Probe, updates: Updates, profiler: cProfile.Profile | None) -> dict[str, Any]:
    for part in (app.pixels, probe, updates):
        part.restart()
    app.frames.clear()
    pid = os.getpid()
    cpu, began = cpu_seconds(pid), time.monotonic()
    if profiler is not None:
        profiler.enable()
    run_for(LOAD_SECONDS)
    if profiler is not None:
        profiler.disable()
    elapsed = time.monotonic() - began
    lags = [max(0.0, gap - PROBE_MS / 1000) for gap in probe.gaps]
    count = max(updates.count, 1)
    return {
        "updates/s": updates.count / elapsed,
        "rows per update (agents/queues/calls)": "/".join(f"{n / count:.1f}" for n in updates.rows),
        "frames/s": len(app.frames) / elapsed,
        "frame p50 (ms)": percentile(app.frames, 0.5) * 1000,
        "frame p95 (ms)": percentile(app.frames, 0.95) * 1000,
        "frame max (ms)": max(app.frames, default=0.0) * 1000,
        "event-loop lag p95 (ms)": percentile(lags, 0.95) * 1000,
        "event-loop lag max (ms)": max(lags, default=0.0) * 1000,
        **{f"event-to-pixel {view} {name} (ms)": percentile(values, share) * 1000
           for view, values in app.pixels.latencies.items() for name, share in (("p50", 0.5), ("p95", 0.95))},
        **{f"event-to-pixel {view} rows": len(values) for view, values in app.pixels.latencies.items()},
        "CPU (% of one core)": (cpu_seconds(pid) - cpu) / elapsed * 100,
        "RSS (MB)": rss_mb(pid),
    }


def start_feed() -> subprocess.Popen[str]:
    feed_seconds = 3 * LOAD_SECONDS + 5  # every phase, and a margin for the wallboard's first paint
    return subprocess.Popen(
        [sys.executable, "-m", "tests.bench.monitor_floor_feed", str(AGENTS), str(QUEUES), str(RATE),
         str(SETTLE_SECONDS), str(feed_seconds)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO)


def show_wallboard(desk: MonitorDesk, pixels: Pixels) -> None:
    desk.show_wallboard()
    wallboard = desk.wallboard
    assert wallboard is not None
    queues = desk.queues

    def queue_at(index: Index) -> Any:
        rows = queues.queues
        return rows[index.row()] if 0 <= index.row() < len(rows) else None

    wallboard.table.setItemDelegateForColumn(WAITING, Stamp(WALLBOARD, queue_at, lambda row: str(row.name), pixels,
                                                            wallboard.table))


def print_figures(runs: dict[str, dict[str, Any]], screen: str) -> None:
    print(f"\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"Monitor board: {AGENTS} agents in {QUEUES} queues, {RATE:g} call events/s, {LOAD_SECONDS:g} s a phase "
          f"({os.environ['QT_QPA_PLATFORM']}, screen {screen})")
    print(f"{'':40}" + "".join(f"{name:>20}" for name in runs))
    for key in next(iter(runs.values())):
        cells = [run[key] for run in runs.values()]
        print(f"{key:40}" + "".join(f"{c:>20}" if isinstance(c, str) else f"{c:>20.1f}" for c in cells))
    for name, run in runs.items():
        worst = max(run["frame max (ms)"], run["event-loop lag max (ms)"])
        record("monitor_board", f"longest frame or stall, {name}", worst, "ms", f"< {TARGET_FRAME_MS:.0f} ms",
               worst < TARGET_FRAME_MS)
        for view in (BOARD, WALLBOARD):
            if run[f"event-to-pixel {view} rows"]:
                p95 = run[f"event-to-pixel {view} p95 (ms)"]
                record("monitor_board", f"event-to-pixel p95, {view}, {name}", p95, "ms",
                       f"< {TARGET_PIXEL_MS:.0f} ms", p95 < TARGET_PIXEL_MS)
        cpu = run["CPU (% of one core)"]
        record("monitor_board", f"desktop CPU, {name}", cpu, "% of one core", f"< {TARGET_CPU_PERCENT:.0f} %",
               cpu < TARGET_CPU_PERCENT)


def print_profile(profiler: cProfile.Profile) -> None:
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(25)
        print(f"\nGUI thread, every phase, by {order}:\n" + text.getvalue().split("\n\n", 2)[-1])


def main() -> int:
    feed = start_feed()
    assert feed.stdout is not None and feed.stdin is not None
    port = int(feed.stdout.readline())
    app = TimedApplication([])
    link = MonitorLink(SyntheticDesk(f"http://127.0.0.1:{port}"))
    desk = MonitorDesk(link, lambda text: print(f"problem: {text}", file=sys.stderr))
    board = desk.board
    board.setItemDelegateForColumn(STATE, Stamp(BOARD, lambda index: index.data(ROW_ROLE),
                                                lambda row: str(row.agent), app.pixels, board))
    updates = Updates(desk, app.pixels)
    link.floor_update.connect(updates.arrived)
    profiler = cProfile.Profile() if PROFILE else None
    try:
        desk.window.show()
        link.start()
        wait_for_floor(link)
        run_for(SETTLE_SECONDS)
        probe = Probe()
        runs = {"board": phase(app, probe, updates, profiler)}
        desk.window.tabs.setCurrentWidget(desk.live)
        run_for(SWITCH_SECONDS)
        runs["live calls tab"] = phase(app, probe, updates, profiler)
        desk.window.tabs.setCurrentIndex(0)
        show_wallboard(desk, app.pixels)
        updates.wallboard = True
        run_for(SWITCH_SECONDS)
        runs["board + wallboard"] = phase(app, probe, updates, profiler)
        size = app.primaryScreen().size()
        screen = f"{size.width()}x{size.height()}, board shows {len(board.visible_source_rows())} rows"
    finally:
        link.stop()
        desk.close()
        feed.stdin.close()
        feed.wait(timeout=10)
    print_figures(runs, screen)
    if profiler is not None:
        print_profile(profiler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
