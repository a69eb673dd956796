"""The monitor's parts wired to the team lead's link: the floor into the
board, queue and live-call models; the lead's actions (context menu,
supervision bar, waiting callers, audit) into commands; failures to
`show_problem`.

Signal `session_requested(str, float)`: the service accepted a supervision
request with that session id (the lead's phone rings with it next), sent
at that `monotonic()` time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QWidget

from agentdesk.contract.leads import MODES, SESSION_ENDED, SESSION_FAILED, Supervision
from agentdesk.contract.monitor import AgentRow, FloorSnapshot, FloorUpdate, LiveCallRow, Tick

from ...link.monitor_link import MonitorLink
from .audit_view import AuditView
from .board_model import AgentBoardModel
from .board_proxy import BoardFilter
from .board_view import PAUSE, PAUSE_AFTER_CALL, QUEUES, READY, AgentBoard
from .dialogs import MoveCallerDialog, PauseDialog, QueuesDialog
from .lists_dialog import NumberListDialog
from .live_calls import LiveCallsModel, LiveCallsPanel, WaitingCallersModel
from .monitor_window import MonitorWindow
from .stale import Staleness
from .wallboard import QueueWallboardModel, WallboardWindow


class MonitorDesk(QObject):
    session_requested = Signal(str, float)

    def __init__(self, link: MonitorLink, show_problem: Callable[[str], None],
                 wall_clock: Callable[[], float] = time.time, monotonic: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._monotonic = monotonic
        self.link = link
        self._show_problem = show_problem
        self._wall_clock = wall_clock
        self.clock_offset = 0.0  # the service's time minus ours
        self.staleness = Staleness(wall_clock, self)
        self.agents = AgentBoardModel(self.now, self)
        self.queues = QueueWallboardModel(self.now, self)
        self.calls = LiveCallsModel(self.now, self)
        self.waiting = WaitingCallersModel(self.now, self)
        self.board = AgentBoard(self.agents, BoardFilter(self))
        self.live = LiveCallsPanel(self.calls, self.waiting)
        self.audit = AuditView()
        self.window = MonitorWindow(self.board, self.queues, self.live, self.audit, self.staleness)
        self.wallboard: WallboardWindow | None = None
        self.session: Supervision | None = None
        self.pause_reasons: tuple[str, ...] = ()
        self._calls: dict[str, LiveCallRow] = {}
        self._clock = QTimer(self)  # the queue and live-call times, once a second
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick_clocks)
        self._clock.start()
        self._wire()

    def now(self) -> float:
        return self._wall_clock() + self.clock_offset

    def _wire(self) -> None:
        link = self.link
        link.floor.connect(self.floor)
        link.floor_update.connect(self.update)
        link.tick.connect(self.tick)
        link.link_changed.connect(self.staleness.link_changed)
        link.supervision.connect(self.supervision)
        link.command_failed.connect(self.problem)
        self.board.action.connect(self.act)
        self.window.supervision_bar.mode_requested.connect(self._switch)
        self.window.supervision_bar.leave_requested.connect(self._leave)
        self.window.wallboard_requested.connect(self.show_wallboard)
        self.window.vips_requested.connect(self.edit_vips)
        self.window.blocked_requested.connect(self.edit_blocked)
        self.live.move_requested.connect(self._move)
        self.live.callback_requested.connect(link.send_to_callback)
        self.audit.query_requested.connect(lambda day, agent: link.audit(day, agent, self.audit.show_entries))

    # -- the floor ------------------------------------------------------------------------
    def floor(self, floor: FloorSnapshot) -> None:
        self.clock_offset = floor.server_time - self._wall_clock()
        self.pause_reasons = floor.pause_reasons
        self.agents.set_floor(floor)
        self.queues.set_floor(floor)
        self._calls = {call.call: call for call in floor.calls}
        self.calls.replace(list(self._calls.values()))
        self.waiting.set_queues(list(floor.queues))
        self.window.set_queues(list(floor.queues))
        self.staleness.floor(floor)

    def update(self, update: FloorUpdate) -> None:
        self.agents.apply(update)
        self.queues.apply(update)
        if update.calls or update.removed_calls:
            for key in update.removed_calls:
                self._calls.pop(key, None)
            self._calls.update({call.call: call for call in update.calls})
            self.calls.replace(list(self._calls.values()))
        if update.queues or update.removed_queues:
            self.waiting.set_queues(self.queues.queues)
            self.window.set_queues(self.queues.queues)

    def tick(self, tick: Tick) -> None:
        self.clock_offset = tick.server_time - self._wall_clock()
        self.staleness.tick(tick)

    def _tick_clocks(self) -> None:
        if (self.wallboard is not None and self.wallboard.isVisible()) or self.window.isVisible():
            self.queues.tick()
            self.live.tick()

    def problem(self, text: str) -> None:
        self.window.show_problem(text)
        self._show_problem(text)

    # -- supervision ----------------------------------------------------------------------
    def supervision(self, session: Supervision) -> None:
        over = session.state in (SESSION_ENDED, SESSION_FAILED)
        if over and self.session is not None and session.session != self.session.session:
            return  # an earlier session's end: the bar shows the newer one
        self.session = None if over else session
        self.window.supervision_bar.show_session(session)

    def supervise(self, agent: str, mode: str) -> None:
        sent = self._monotonic()

        def accepted(session: Supervision) -> None:
            self.session_requested.emit(session.session, sent)
            self.supervision(session)

        self.link.supervise(agent, mode, accepted)

    def _switch(self, mode: str) -> None:
        if self.session is not None:
            self.link.switch_mode(self.session.session, mode)

    def _leave(self) -> None:
        if self.session is not None:
            self.link.leave(self.session.session)

    # -- acting on agents and callers -----------------------------------------------------
    def act(self, kind: str, agent: object) -> None:
        if not isinstance(agent, AgentRow):
            return
        if kind in MODES:
            self.supervise(agent.agent, kind)
        elif kind in (PAUSE, PAUSE_AFTER_CALL):
            self._pause(agent, after_call=kind == PAUSE_AFTER_CALL)
        elif kind == READY:
            self.link.make_ready(agent.agent)
        elif kind == QUEUES:
            self._queues(agent)

    def _pause(self, agent: AgentRow, after_call: bool) -> None:
        dialog = PauseDialog(agent, self.pause_reasons, after_call, self._parent_widget())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        note = dialog.note.text().strip()
        if dialog.cancel_pending.isChecked():
            self.link.cancel_pause_after_call(agent.agent)
        elif after_call:
            self.link.pause_after_call(agent.agent, dialog.chosen_reason(), note)
        else:
            self.link.pause(agent.agent, dialog.chosen_reason(), note)

    def _queues(self, agent: AgentRow) -> None:
        dialog = QueuesDialog(agent, self._titles(), self._parent_widget())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        note = dialog.note.text().strip()
        for queue, logged_in in dialog.login_changes().items():
            self.link.set_queue(agent.agent, agent.phone, queue, logged_in, note)
        for queue, penalty in dialog.penalty_changes().items():
            self.link.set_penalty(agent.agent, queue, penalty, note)

    def _move(self, uniqueid: str) -> None:
        caller = self.live.selected_caller()
        if caller is None:
            return
        here = self.live.selected_queue()
        choices = [(q.name, q.title) for q in self.queues.queues if q.name != here]
        dialog = MoveCallerDialog(caller.name or caller.number, choices, self._parent_widget())
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen_queue():
            self.link.move_caller(uniqueid, dialog.chosen_queue())

    def edit_vips(self) -> None:
        dialog = NumberListDialog(False, self._parent_widget())
        link = self.link

        def reload(_result: object = None) -> None:
            link.vips(dialog.show_entries)

        dialog.add_requested.connect(lambda number, note: link.add_vip(number, note, reload))
        dialog.remove_requested.connect(lambda number: link.remove_vip(number, reload))
        self._open_list(dialog, reload)

    def edit_blocked(self) -> None:
        dialog = NumberListDialog(True, self._parent_widget())
        link = self.link

        def reload(_result: object = None) -> None:
            link.blocked(dialog.show_entries)

        dialog.add_requested.connect(lambda number, reason: link.add_blocked(number, reason, reload))
        dialog.remove_requested.connect(lambda number: link.remove_blocked(number, reload))
        self._open_list(dialog, reload)

    @staticmethod
    def _open_list(dialog: NumberListDialog, reload: Callable[[], None]) -> None:
        dialog.finished.connect(dialog.deleteLater)
        reload()
        dialog.open()

    def _titles(self) -> dict[str, str]:
        return {queue.name: queue.title for queue in self.queues.queues}

    def _parent_widget(self) -> QWidget:
        return self.window

    def close(self) -> None:
        """Stop the clocks and close and release the windows (they have no parent: top-level windows)."""
        self._clock.stop()
        for window in (self.wallboard, self.window):
            if window is not None:
                window.close()
                window.deleteLater()
        self.wallboard = None

    # -- the wallboard --------------------------------------------------------------------
    def show_wallboard(self) -> None:
        if self.wallboard is None:
            self.wallboard = WallboardWindow(self.queues, self.staleness)
        # With a second screen (the wall's), not over the lead's own monitor window.
        others = [screen for screen in QGuiApplication.screens() if screen is not self.window.screen()]
        self.wallboard.show_on(others[0] if others else None)
        self.wallboard.raise_()

