"""The wallboard never shows old figures as live: "Stale since hh:mm" with
grey values and no colours when the monitor stream drops, the PBX is lost
or the ticks stop; live again with the next floor."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt

from agentdesk.contract.monitor import FloorUpdate, Tick
from agentdesk.desktop.ui.common.when import time_text
from agentdesk.desktop.ui.monitor.controller import MonitorDesk
from agentdesk.desktop.ui.monitor.stale import TICK_SILENCE
from agentdesk.desktop.ui.monitor.wallboard import ANSWERED, CALLBACKS, LONGEST, SL, WAITING, WallboardWindow
from agentdesk.desktop.ui.monitor.words import LEVEL_BACKGROUNDS, STALE_TEXT
from tests.helpers.fakes import NOW
from tests.helpers.floor import floor, quiet_monitor_link


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(qtbot: Any, clock: Clock) -> Iterator[MonitorDesk]:
    link = quiet_monitor_link()
    desk = MonitorDesk(link, lambda _text: None, wall_clock=clock)
    link.floor.emit(floor(NOW))
    yield desk
    desk.close()


@pytest.fixture
def wallboard(qtbot: Any, desk: MonitorDesk) -> WallboardWindow:
    window = WallboardWindow(desk.queues, desk.staleness)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    return window


def cell(desk: MonitorDesk, row: int, column: int, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> Any:
    return desk.queues.index(row, column).data(role)


def test_a_live_floor_shows_figures_coloured_by_the_thresholds(desk: MonitorDesk,
                                                               wallboard: WallboardWindow) -> None:
    assert not wallboard.banner.isVisible()
    assert (cell(desk, 0, WAITING), cell(desk, 0, LONGEST), cell(desk, 0, SL)) == ("3", "02:41", "86 %")
    assert cell(desk, 0, LONGEST, Qt.ItemDataRole.BackgroundRole) == LEVEL_BACKGROUNDS["red"]  # 161 s ≥ 120
    assert cell(desk, 0, WAITING, Qt.ItemDataRole.BackgroundRole) == LEVEL_BACKGROUNDS["amber"]  # 3 waiting
    assert cell(desk, 2, SL, Qt.ItemDataRole.BackgroundRole) == LEVEL_BACKGROUNDS["red"]  # billing 64 % < 70
    assert cell(desk, 2, CALLBACKS, Qt.ItemDataRole.BackgroundRole) == LEVEL_BACKGROUNDS["amber"]
    assert cell(desk, 0, SL, Qt.ItemDataRole.ForegroundRole) is None


def test_a_column_widens_to_a_figure_that_grew(desk: MonitorDesk, wallboard: WallboardWindow, qtbot: Any) -> None:
    table = wallboard.table
    support = desk.queues.queues[0]
    desk.link.floor_update.emit(FloorUpdate(NOW, NOW, queues=(replace(support, answered=123456789),)))
    wide = table.fontMetrics().horizontalAdvance("123456789")
    qtbot.waitUntil(lambda: table.columnWidth(ANSWERED) > wide, timeout=3000)
    assert cell(desk, 0, ANSWERED) == "123456789"


def test_a_dropped_stream_makes_it_stale_until_the_next_floor(desk: MonitorDesk, wallboard: WallboardWindow,
                                                               clock: Clock) -> None:
    clock.now += 30
    desk.link.tick.emit(Tick(NOW + 30, True))
    clock.now += 3
    desk.link.link_changed.emit("Cannot reach the desk service at https://pbx.example:8480")
    assert wallboard.banner.isVisible()
    assert wallboard.banner.text() == f"Stale since {time_text(NOW + 30)} — reconnecting"
    assert cell(desk, 0, SL, Qt.ItemDataRole.ForegroundRole) == STALE_TEXT
    assert cell(desk, 0, LONGEST, Qt.ItemDataRole.BackgroundRole) is None  # no colour passes as live
    assert not desk.window.banner.isHidden()  # the monitor window says it too
    desk.link.link_changed.emit("")
    desk.link.tick.emit(Tick(NOW + 40, True))
    assert wallboard.banner.isVisible()  # connected again, but updates may have been missed
    desk.link.floor.emit(floor(NOW + 40))
    assert not wallboard.banner.isVisible()
    assert cell(desk, 0, SL, Qt.ItemDataRole.ForegroundRole) is None
    assert desk.window.banner.isHidden()


def test_silent_ticks_make_it_stale_and_the_next_tick_live(desk: MonitorDesk, wallboard: WallboardWindow,
                                                           clock: Clock) -> None:
    clock.now += TICK_SILENCE - 1
    desk.staleness.check()
    assert not wallboard.banner.isVisible()
    clock.now += 2
    desk.staleness.check()
    assert wallboard.banner.text() == f"Stale since {time_text(NOW)} — reconnecting"
    desk.link.tick.emit(Tick(clock.now, True))
    assert not wallboard.banner.isVisible()


def test_a_lost_pbx_makes_it_stale_until_a_floor_says_it_is_back(desk: MonitorDesk,
                                                                 wallboard: WallboardWindow) -> None:
    desk.link.tick.emit(Tick(NOW + 5, False))
    assert wallboard.banner.isVisible()
    desk.link.tick.emit(Tick(NOW + 10, True))
    assert wallboard.banner.isVisible()
    desk.link.floor.emit(floor(NOW + 10, pbx_connected=False))
    assert wallboard.banner.isVisible()
    desk.link.floor.emit(floor(NOW + 12))
    assert not wallboard.banner.isVisible()


def test_escape_closes_the_wallboard(wallboard: WallboardWindow, qtbot: Any) -> None:
    qtbot.keyClick(wallboard, Qt.Key.Key_Escape)
    assert not wallboard.isVisible()
