"""The callback side of the desktop, wired together: the task list dock,
the preview of an offered task, the outcome picker after a callback call
(shown by `outcome_host`: the wrap-up panel of that call), and scheduling a
callback for the customer on (or just off) the phone.

A callback call is one that carried X-AgentDesk-Callback (an offer the
agent answered) or that the agent dialled as cb<task> after claiming the
task from the list. The PBX dials the customer either way; this side only
claims, answers, dials cb<task> and records what came of it.

Keys (window-wide): Ctrl+L shows and focuses the task list, Ctrl+B
schedules a callback for the current or last call; while an offer rings,
Enter calls now and Esc opens "Skip…". In the list: Enter, R, menu key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from agentdesk.contract.callbacks import CallbackRequest, CallbackTaskDetail, CallbackTaskView
from agentdesk.contract.queues import AgentState, DeskSnapshot

from ...link.api import DeskError
from ...link.callback_client import CallbackCommands
from ...phone.model import (
    CallSnapshot,
    CallState,
    Direction,
    PhoneError,
)
from ...phone.protocol import Phone
from ..common.numbers import display_number
from ..common.text import isolate
from ..common.when import moment_text
from .dialogs import (
    RescheduleDialog,
    ScheduleDialog,
    SkipDialog,
    while_open,
)
from .outcome_picker import OutcomePicker
from .outcomes import OutcomeHost, OutcomeKeeper, recorded_text, waits_for_outcome
from .preview import CallbackPreview
from .task_list import CallbackListPanel
from .text import customer_text

log = logging.getLogger("agentdesk.desktop.ui.callbacks")
Clock = Callable[[], float]


class CallbackDesk(QObject):
    """Owns `panel` (for the dock) and `preview` (for the main column).

    Fed by the composition root: `snapshot`/`agent_changed` (who I am, my
    queues), `show_tasks`/`task_changed` (the list), `call_ringing`/
    `call_changed` (the phone). `status(str)` shows a passing message.
    Invariant: one outcome picker per task, open until the service saved it.

    Signals: `list_wanted()` when the agent asks for the task list (its dock
    should show), `unsaved_changed(str)` what quitting would lose ('' nothing)."""

    list_wanted = Signal()
    unsaved_changed = Signal(str)

    def __init__(self, commands: CallbackCommands, phone: Phone, window: QWidget, server: Callable[[], str],
                 clock: Clock, status: Callable[[str], None], outcome_host: OutcomeHost) -> None:
        super().__init__(window)
        self.commands = commands
        self.phone = phone
        self.window = window
        self._server = server
        self._clock = clock
        self._status = status
        self.panel = CallbackListPanel(clock=clock)
        self.preview = CallbackPreview()
        self.me = ""
        self.queues: list[tuple[str, str]] = []
        self._known: dict[str, CallbackTaskView] = {}  # tasks of this agent's callback calls
        self.keeper = OutcomeKeeper(commands, outcome_host, self._problem, self)
        self.keeper.closed.connect(lambda task_id: self._known.pop(task_id, None))
        self.keeper.unsaved_changed.connect(self.unsaved_changed)
        self._rang: set[int] = set()  # dialled callback calls that reached the customer's side
        self._answered: set[int] = set()
        # Tasks of live callback calls whose attempt the service recorded itself
        # (the customer did not answer): no outcome is asked for when the call ends.
        self._recorded: dict[str, CallbackTaskView] = {}
        self._claiming = ""
        self._last_call: CallSnapshot | None = None
        self.skip_dialog: SkipDialog | None = None
        self._wire()

    def _wire(self) -> None:
        self.panel.call_requested.connect(self.call_task)
        self.panel.reschedule_requested.connect(self.open_reschedule)
        self.panel.release_requested.connect(self.release_task)
        self.preview.call_now.connect(self._answer)
        self.preview.skip_requested.connect(self.open_skip)
        keys: list[tuple[str, Callable[[], object], Qt.ShortcutContext]] = [
            ("Ctrl+L", self.focus_list, Qt.ShortcutContext.ApplicationShortcut),
            ("Ctrl+B", self.open_schedule, Qt.ShortcutContext.ApplicationShortcut),
            ("Return", self.preview.accept_offer, Qt.ShortcutContext.WindowShortcut),
            ("Enter", self.preview.accept_offer, Qt.ShortcutContext.WindowShortcut),
            ("Esc", self.preview.request_skip, Qt.ShortcutContext.WindowShortcut),
        ]
        self._offer_keys: list[QShortcut] = []
        for sequence, action, context in keys:
            shortcut = QShortcut(QKeySequence(sequence), self.window)
            shortcut.setContext(context)
            shortcut.activated.connect(action)
            if context is Qt.ShortcutContext.WindowShortcut:
                shortcut.setEnabled(False)  # Enter and Esc belong to the offer only while it rings
                self._offer_keys.append(shortcut)
        self.preview.offering_changed.connect(self._offer_keys_enabled)

    def _offer_keys_enabled(self, on: bool) -> None:
        for key in self._offer_keys:
            key.setEnabled(on)

    # -- the desk service -------------------------------------------------------------------
    def snapshot(self, snapshot: DeskSnapshot) -> None:
        self.queues = [(queue.name, queue.title) for queue in snapshot.queues]
        self.panel.set_queues(name for name, _title in self.queues)
        self.agent_changed(snapshot.me)

    def agent_changed(self, state: AgentState) -> None:
        self.me = state.agent
        self.panel.set_me(state.agent)

    def show_tasks(self, tasks: list[CallbackTaskView], _server_time: float = 0.0) -> None:
        self.panel.show_tasks(tasks)

    def task_changed(self, task: CallbackTaskView) -> None:
        self.panel.upsert(task)
        if task.task_id in self._known:
            self._known[task.task_id] = task
        if task.task_id == self.preview.task_id:
            self.preview.show_task(task, self._clock())
        self.keeper.task_changed(task, self.me)
        if not waits_for_outcome(task, self.me) and any(c.callback_task == task.task_id
                                                        for c in self.phone.live_calls()):
            self._recorded[task.task_id] = task

    def list_failed(self, message: str) -> None:
        self.panel.show_problem(message)

    def find(self, task_id: str) -> CallbackTaskView | None:
        return self._known.get(task_id) or self.panel.model.find(task_id)

    # -- calling from the list ------------------------------------------------------------------
    def focus_list(self) -> None:
        self.list_wanted.emit()
        self.panel.focus_list()

    def call_task(self, task_id: str) -> None:
        """Claim the task, then dial cb<task>: the PBX calls the customer for me."""
        if self.phone.live_calls():
            self._problem(self.tr("Finish your call before calling a customer back."))
            return
        if self._claiming:
            return
        self._claiming = task_id
        self.panel.show_problem("")
        self.commands.claim(task_id, self._claimed, self._claim_refused)

    def _claimed(self, task: CallbackTaskView) -> None:
        self._claiming = ""
        self._known[task.task_id] = task
        self.panel.upsert(task)
        try:
            self.phone.dial(f"sip:cb{task.task_id}@{self._server()}")
        except PhoneError as error:
            self._problem(str(error))
            self.release_task(task.task_id)

    def _claim_refused(self, error: DeskError) -> None:
        self._claiming = ""
        self._problem(str(error))  # 409: the service's sentence names who has it

    def release_task(self, task_id: str) -> None:
        self.commands.release(task_id, lambda: None, lambda error: self._problem(str(error)))

    def open_reschedule(self, task_id: str) -> RescheduleDialog | None:
        task = self.find(task_id)
        if task is None:
            return None
        future = task.due_at if task.due_at > self._clock() else None
        dialog = RescheduleDialog(customer_text(task), future, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(lambda due_at, note: self.commands.reschedule(
            task_id, due_at, note, while_open(dialog, lambda _task: dialog.done_saving()),
            while_open(dialog, lambda e: dialog.show_problem(str(e)))))
        dialog.open()
        return dialog

    # -- an offered task rings ------------------------------------------------------------------
    def call_ringing(self, call: CallSnapshot) -> None:
        if not call.callback_task or call.direction is not Direction.INCOMING:
            return
        self.preview.offer(call.call_id, call.callback_task, call.queue, call.autodial_seconds)
        known = self.find(call.callback_task)
        if known is not None:
            self.preview.show_task(known, self._clock())
        self.commands.details(call.callback_task, self._details, lambda e: self._details_failed(call, e))

    def _details(self, detail: CallbackTaskDetail) -> None:
        self.task_changed(detail.task)  # fills the preview in too

    def _details_failed(self, call: CallSnapshot, error: DeskError) -> None:
        log.info("no details of callback task %s: %s", call.callback_task, error)
        if call.call_id == self.preview.call_id and self.find(call.callback_task) is None:
            self.preview.show_problem(self.tr("The task's details did not load: %1").replace("%1", str(error)))

    def _answer(self, call_id: int) -> None:
        try:
            self.phone.answer(call_id)
        except PhoneError as error:
            self._problem(str(error))

    def open_skip(self, call_id: int) -> SkipDialog:
        task_id = self.preview.task_id
        dialog = self.skip_dialog = SkipDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(lambda reason: self.commands.skip(
            task_id, reason, while_open(dialog, dialog.done_saving),
            while_open(dialog, lambda e: dialog.show_problem(str(e)))))
        dialog.rejected.connect(self.preview.resume_countdown)
        dialog.finished.connect(lambda _code: self._skip_closed(dialog))
        dialog.open()
        return dialog

    def _skip_closed(self, dialog: SkipDialog) -> None:
        if self.skip_dialog is dialog:
            self.skip_dialog = None

    # -- the phone ------------------------------------------------------------------------------
    def call_changed(self, call: CallSnapshot) -> None:
        self._last_call = call
        if not call.callback_task:
            return
        if call.direction is Direction.OUTGOING and call.is_live and call.call_id != self.preview.call_id:
            self._show_dialled(call)
        if call.state in (CallState.RINGING_OUT, CallState.CONNECTING, CallState.ACTIVE):
            self._rang.add(call.call_id)
        if call.direction is Direction.INCOMING and call.state in (CallState.CONNECTING, CallState.ACTIVE):
            self._answered.add(call.call_id)
            if call.call_id == self.preview.call_id:
                self.preview.answered()
        if call.state is CallState.ENDED:
            self._ended(call)

    def _show_dialled(self, call: CallSnapshot) -> None:
        """The task of a dialled callback stays in view for the call (no buttons: it is under way)."""
        task = self.find(call.callback_task)
        self.preview.offer(call.call_id, call.callback_task, task.queue if task is not None else "", 0)
        if task is not None:
            self.preview.show_task(task, self._clock())
        self.preview.answered()

    def _ended(self, call: CallSnapshot) -> None:
        if call.call_id == self.preview.call_id:
            self.preview.clear()
            if self.skip_dialog is not None:
                self.skip_dialog.done_saving()  # the offer is gone; nothing left to skip
        outgoing = call.direction is Direction.OUTGOING
        # An offer the agent answered, or a dialled task that got as far as ringing the customer.
        attempted = call.was_answered or call.call_id in (self._rang if outgoing else self._answered)
        recorded = self._recorded.pop(call.callback_task, None)
        if attempted and recorded is not None:
            self._status(recorded_text(recorded))
        elif attempted:
            self.open_outcome(call)
        elif outgoing:
            self._problem(self.tr("The callback could not be dialled (%1); the task is released.")
                          .replace("%1", call.reason or str(call.status_code)))
            self.release_task(call.callback_task)
        self._rang.discard(call.call_id)
        self._answered.discard(call.call_id)

    def describe(self, call: CallSnapshot) -> CallSnapshot:
        """A dialled cb<task> call shown (and kept in the history) as the customer."""
        task = self.find(call.callback_task) if call.callback_task else None
        if task is None or call.direction is not Direction.OUTGOING:
            return call
        return call.with_changes(remote_number=task.number, remote_name=task.name)

    # -- after a callback call ------------------------------------------------------------------
    @property
    def outcomes(self) -> dict[str, OutcomePicker]:
        return self.keeper.dialogs

    def open_outcome(self, call: CallSnapshot) -> OutcomePicker:
        task = self.find(call.callback_task)
        shown = self.describe(call)
        customer = (customer_text(task) if task is not None
                    else isolate(shown.remote_name or display_number(shown.remote_number)))
        return self.keeper.open(call.callback_task, customer)

    def outcome_wanted(self, task_id: str) -> OutcomePicker:
        """The wrap-up of a callback call whose picker is not open (the desktop
        started again during it): the picker for the task."""
        task = self.find(task_id)
        return self.keeper.open(task_id, customer_text(task) if task is not None else "")

    def unsaved_work(self) -> str:
        return self.keeper.unsaved_work()

    # -- scheduling a callback ------------------------------------------------------------------
    def open_schedule(self) -> ScheduleDialog:
        """For the call on the phone, or the last one; empty without any."""
        live = [c for c in self.phone.live_calls() if c.state is CallState.ACTIVE and not c.held]
        call = live[0] if live else self._last_call
        number = name = queue = uniqueid = ""
        if call is not None:
            shown = self.describe(call)
            number, name, queue, uniqueid = shown.remote_number, shown.remote_name, call.queue, call.queue_call
            task = self.find(call.callback_task) if call.callback_task else None
            queue = queue or (task.queue if task is not None else "")
        dialog = ScheduleDialog(self.queues, number, name, queue, uniqueid, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(lambda request: self._schedule(dialog, request))
        dialog.open()
        return dialog

    def _schedule(self, dialog: ScheduleDialog, request: CallbackRequest) -> None:
        def done(task: CallbackTaskView) -> None:
            dialog.done_saving()
            self._status(self.tr("Callback scheduled: %1 at %2").replace("%1", customer_text(task))
                         .replace("%2", moment_text(task.due_at, self._clock(), today_word=True)))

        self.commands.schedule(request, while_open(dialog, done),
                               while_open(dialog, lambda error: dialog.show_problem(str(error))))

    def _problem(self, text: str) -> None:
        self.panel.show_problem(text)
        self._status(text)
