"""The board: an update repaints only the cells that changed, times tick
on the rows on screen, colours follow the thresholds, the filters narrow
the agents as a team lead expects."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QSignalSpy

from agentdesk.contract.monitor import FLOOR_PAUSED, FLOOR_READY, FloorUpdate
from agentdesk.desktop.ui.monitor.board_model import (
    AGENT,
    ANSWERED,
    CALL,
    QUALITY,
    STATE,
    TIME,
    AgentBoardModel,
)
from agentdesk.desktop.ui.monitor.board_proxy import BoardFilter
from agentdesk.desktop.ui.monitor.board_view import AgentBoard
from agentdesk.desktop.ui.monitor.controller import MonitorDesk
from agentdesk.desktop.ui.monitor.words import LEVEL_BACKGROUNDS
from tests.helpers.fakes import NOW
from tests.helpers.floor import changed, floor, quiet_monitor_link


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def model(clock: Clock) -> AgentBoardModel:
    board = AgentBoardModel(clock)
    board.set_floor(floor(NOW))
    return board


def changes(spy: QSignalSpy) -> list[tuple[int, int, int]]:
    """(row, first column, last column) of each dataChanged."""
    return [(spy.at(i)[0].row(), spy.at(i)[0].column(), spy.at(i)[1].column()) for i in range(spy.count())]


def text(model: AgentBoardModel, agent: str, column: int) -> str:
    row = model.row_of(agent)
    assert row is not None
    return str(model.index(row, column).data())


def test_a_pause_repaints_only_the_state_and_time_cells_of_that_agent(model: AgentBoardModel) -> None:
    spy = QSignalSpy(model.dataChanged)
    sara = model.agent_at(model.row_of("1002") or 0)
    model.apply(FloorUpdate(NOW, NOW, agents=(changed(sara, state=FLOOR_PAUSED, since=NOW, paused_reason="Lunch"),)))
    assert changes(spy) == [(1, STATE, TIME)]
    assert text(model, "1002", STATE) == "Paused: Lunch"


def test_an_unchanged_row_repaints_nothing_and_separate_changes_separate_cells(model: AgentBoardModel) -> None:
    spy = QSignalSpy(model.dataChanged)
    nina = model.agent_at(0)
    model.apply(FloorUpdate(NOW, NOW, agents=(nina,)))
    assert spy.count() == 0
    model.apply(FloorUpdate(NOW, NOW, agents=(changed(nina, answered_today=15, quality="poor"),)))
    assert changes(spy) == [(0, ANSWERED, ANSWERED), (0, QUALITY, QUALITY)]
    assert text(model, "1001", ANSWERED) == "15"


def test_agents_join_and_leave_the_board_without_a_reset(model: AgentBoardModel) -> None:
    resets = QSignalSpy(model.modelReset)
    newcomer = changed(model.agent_at(0), agent="1099", name="Yasmin Bahrami", call=None, state=FLOOR_READY)
    model.apply(FloorUpdate(NOW, NOW, agents=(newcomer,), removed_agents=("1003",)))
    assert resets.count() == 0
    assert model.row_of("1003") is None
    assert model.row_of("1099") == model.rowCount() - 1
    assert text(model, "1004", AGENT).endswith("(\u20661004\u2069)")  # rows after the removed one still found


def test_time_columns_tick_only_for_the_rows_asked(model: AgentBoardModel, clock: Clock) -> None:
    spy = QSignalSpy(model.dataChanged)
    before = text(model, "1002", TIME)
    clock.now += 5
    model.tick_rows([1, 3])
    assert changes(spy) == [(1, STATE, CALL), (3, STATE, CALL)]
    assert (before, text(model, "1002", TIME)) == ("00:48", "00:53")


def test_state_cells_colour_by_the_thresholds(model: AgentBoardModel, clock: Clock) -> None:
    def shade(agent: str) -> Any:
        return model.index(model.row_of(agent) or 0, TIME).data(Qt.ItemDataRole.BackgroundRole)

    assert shade("1002") is None  # ready: never coloured
    assert shade("1004") == LEVEL_BACKGROUNDS["amber"]  # ringing 21 s: amber from 15 s
    assert shade("1007") == LEVEL_BACKGROUNDS["red"]  # on a call 16 min: red from 15 min
    assert shade("1003") is None  # lunch has its own limit: 20 min of 60 is fine
    assert shade("1005") == LEVEL_BACKGROUNDS["red"]  # wrap-up 70 s past its deadline
    clock.now += 1000
    assert shade("1003") is None and shade("1009") is None  # training is never coloured (0, 0)
    assert text(model, "1010", STATE) == "Wrap-up, 16:00 over · then Meeting"


def test_the_call_column_reads_who_and_how_long_with_marks(model: AgentBoardModel) -> None:
    assert text(model, "1001", CALL) == "↙ \u2068support\u2069 · \u2068Reza Hosseini\u2069 · 03:12 · VIP"
    assert "on hold" in text(model, "1006", CALL)
    assert text(model, "1011", CALL).startswith("↗ ")  # an outgoing call, not a queue's


def test_filters_narrow_by_queue_state_and_text(model: AgentBoardModel, qtbot: Any) -> None:
    proxy = BoardFilter()
    proxy.setSourceModel(model)

    def shown() -> list[str]:
        return [proxy.index(r, 0).data(Qt.ItemDataRole.UserRole).agent for r in range(proxy.rowCount())]

    proxy.set_queue("billing")
    assert sorted(shown()) == ["1004", "1005", "1007", "1008", "1009", "1011", "1012"]
    proxy.set_states([FLOOR_PAUSED])
    assert shown() == ["1009"]
    proxy.set_queue("")
    proxy.set_text("ZAH")
    assert shown() == ["1014"]
    proxy.set_text("100")
    assert sorted(shown()) == ["1003", "1009"]
    proxy.set_states([])
    proxy.set_text("")
    assert proxy.rowCount() == model.rowCount()


def test_the_open_queue_filter_keeps_its_place_while_figures_change(qtbot: Any) -> None:
    link = quiet_monitor_link()
    desk = MonitorDesk(link, lambda _text: None, wall_clock=lambda: NOW)
    link.floor.emit(floor(NOW))
    window = desk.window
    qtbot.addWidget(window)
    window.show()
    choices = window.queue_filter
    choices.showPopup()
    choices.view().setCurrentIndex(choices.model().index(2, 0))  # the lead points at "Sales and new contracts"
    support = desk.queues.queues[0]
    link.floor_update.emit(FloorUpdate(NOW, NOW, queues=(replace(support, answered=support.answered + 1),)))
    assert choices.view().currentIndex().row() == 2 and choices.view().isVisible()
    renamed = replace(support, title="Support desk")
    link.floor_update.emit(FloorUpdate(NOW, NOW, queues=(renamed,)))
    assert choices.itemText(1) == "Support desk"
    choices.hidePopup()
    desk.close()


def test_grouping_keeps_each_queues_agents_together(model: AgentBoardModel, qtbot: Any) -> None:
    view = AgentBoard(model, BoardFilter())
    qtbot.addWidget(view)
    view.sortByColumn(AGENT, Qt.SortOrder.AscendingOrder)
    view.proxy.set_grouped(True)
    homes = []
    for r in range(view.proxy.rowCount()):
        row = view.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole)
        homes.append(sorted(q for q, on in row.queues.items() if on)[:1] or sorted(row.queues)[:1])
    assert homes == sorted(homes)
    assert view.proxy.index(0, 0).data(Qt.ItemDataRole.UserRole).agent == "1009"  # billing's Arash first


def test_the_clock_refreshes_only_the_rows_on_screen(model: AgentBoardModel, qtbot: Any) -> None:
    view = AgentBoard(model, BoardFilter())
    qtbot.addWidget(view)
    view.resize(900, view.verticalHeader().defaultSectionSize() * 4 + view.horizontalHeader().height() + 4)
    view.show()
    qtbot.waitExposed(view)
    spy = QSignalSpy(model.dataChanged)
    view.tick()
    rows = sorted({row for row, _first, _last in changes(spy)})
    assert 1 <= len(rows) <= 5 < model.rowCount()


def test_the_menu_offers_supervision_only_on_a_call(model: AgentBoardModel, qtbot: Any) -> None:
    view = AgentBoard(model, BoardFilter())
    qtbot.addWidget(view)
    on_call, ready = model.agent_at(0), model.agent_at(1)
    enabled = {a.text(): a.isEnabled() for a in view.menu_for(ready).actions() if a.text()}
    assert not enabled["Listen"] and not enabled["Barge"] and enabled["Pause…"] and not enabled["Make ready"]
    actions = {a.text(): a for a in view.menu_for(on_call).actions() if a.text()}
    with qtbot.waitSignal(view.action) as chosen:
        actions["Whisper"].trigger()
    assert chosen.args == ["whisper", on_call]


def test_keys_act_on_the_selected_agent_as_their_menu_entries_would(model: AgentBoardModel, qtbot: Any) -> None:
    view = AgentBoard(model, BoardFilter())
    qtbot.addWidget(view)
    with qtbot.waitActive(view):  # window shortcuts need the window active
        view.show()
        view.activateWindow()
    on_call, ready = model.agent_at(0), model.agent_at(1)
    chosen: list[tuple[str, str]] = []
    view.action.connect(lambda kind, agent: chosen.append((kind, agent.agent)))

    def select(agent: str) -> None:
        for row in range(view.proxy.rowCount()):
            if view.agent_at(view.proxy.index(row, 0)).agent == agent:  # type: ignore[union-attr]
                view.setCurrentIndex(view.proxy.index(row, 0))

    select(on_call.agent)
    qtbot.keyClick(view, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    select(ready.agent)
    qtbot.keyClick(view, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # barge: not on a call, nothing
    qtbot.keyClick(view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert chosen == [("listen", on_call.agent), ("pause", ready.agent)]
    shown = {a.text(): a.shortcut().toString() for a in view.menu_for(on_call).actions() if a.text()}
    assert shown["Listen"] == "Ctrl+1" and shown["Make ready"] == "Ctrl+R"
