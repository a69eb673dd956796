"""The outcome pickers of finished callback calls, and saving what the
agent picked: the outcome first, then (when asked) the new time; a retry
repeats only the step not saved yet. Each picker is shown by the `host`
(the wrap-up panel of that call), never as a window of its own.

Invariant: one picker per task, open until the service acknowledged it, the
agent gave up on a refused one, or, while nothing was on its way, the task
was closed, taken by someone else or its attempt recorded by the service
itself (a customer who did not answer): then there is nothing left to record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QObject, Signal

from agentdesk.contract.callbacks import CallbackTaskView
from agentdesk.contract.states import (
    CB_CLAIMED,
    CB_FAILED,
    CB_OFFERED,
    CB_WAITING,
    RETRY_OUTCOMES,
)

from ...link.api import DeskError
from ...link.callback_client import CallbackCommands, retryable
from .dialogs import while_open
from .outcome_picker import OutcomePicker
from .text import customer_text, outcome_texts

log = logging.getLogger("agentdesk.desktop.ui.callbacks")


def waits_for_outcome(task: CallbackTaskView, me: str) -> bool:
    """The task's current attempt may still be `me`'s to record: offered or
    held, and by nobody else."""
    return task.state in (CB_OFFERED, CB_CLAIMED) and task.agent in ("", me)


def recorded_text(task: CallbackTaskView) -> str:
    """What the agent is told when the service recorded the attempt itself."""
    customer = customer_text(task)
    translate = QCoreApplication.translate
    if task.state in (CB_WAITING, CB_FAILED) and task.last_outcome in RETRY_OUTCOMES:
        outcome = outcome_texts()[task.last_outcome]
        return translate("CallbackOutcomes", "%1 did not answer (%2); the attempt is recorded.").replace(
            "%1", customer).replace("%2", outcome)
    return translate("CallbackOutcomes", "The callback to %1 needs no outcome from you any more.").replace(
        "%1", customer)


class OutcomeHost(Protocol):
    """Where outcome pickers are shown: the after-call work of their call."""

    def host_outcome(self, task_id: str, picker: OutcomePicker) -> None: ...

    def outcome_closed(self, task_id: str) -> None: ...


class OutcomeKeeper(QObject):
    """Signals: `closed(task_id)` when a task's picker went away,
    `unsaved_changed(str)` with `unsaved_work()` whenever it changes."""

    closed = Signal(str)
    unsaved_changed = Signal(str)

    def __init__(self, commands: CallbackCommands, host: OutcomeHost, status: Callable[[str], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.commands = commands
        self._host = host
        self._status = status
        self.dialogs: dict[str, OutcomePicker] = {}

    def open(self, task_id: str, customer: str) -> OutcomePicker:
        dialog = self.dialogs.get(task_id)
        if dialog is None:
            dialog = self.dialogs[task_id] = OutcomePicker(task_id, customer)
            dialog.chosen.connect(lambda tid, outcome, note, due_at: self._save(dialog, tid, outcome, note, due_at))
            dialog.discarded.connect(lambda tid: log.warning("the outcome of callback %s was not saved", tid))
            dialog.finished.connect(lambda: self._closed(task_id, dialog))
            self.unsaved_changed.emit(self.unsaved_work())
        self._host.host_outcome(task_id, dialog)
        return dialog

    def task_changed(self, task: CallbackTaskView, me: str) -> None:
        """A task closed, taken by someone else or whose attempt the service
        recorded needs no outcome from me any more (once my own outcome is
        saved, only its new time may still be on the picker)."""
        dialog = self.dialogs.get(task.task_id)
        if dialog is None or dialog.sending:
            return
        mine_saved = dialog.property("saved_outcome") is not None
        if task.is_open and (waits_for_outcome(task, me) or mine_saved):
            return
        log.info("callback %s is %s (%s): its outcome picker closes", task.task_id, task.state, task.agent)
        dialog.done_saving()
        self._status(recorded_text(task))

    def unsaved_work(self) -> str:
        """What quitting now would lose ('' nothing)."""
        if not self.dialogs:
            return ""
        return self.tr("%1 callback outcome(s) are not saved yet.").replace("%1", str(len(self.dialogs)))

    def _closed(self, task_id: str, dialog: OutcomePicker) -> None:
        if self.dialogs.get(task_id) is dialog:
            del self.dialogs[task_id]
            self._host.outcome_closed(task_id)
            self.closed.emit(task_id)
            self.unsaved_changed.emit(self.unsaved_work())
        dialog.deleteLater()

    def _save(self, dialog: OutcomePicker, task_id: str, outcome: str, note: str, due_at: float) -> None:
        if dialog.property("saved_outcome") == outcome:
            self._save_time(dialog, task_id, note, due_at)
            return

        def saved(_task: CallbackTaskView) -> None:
            dialog.setProperty("saved_outcome", outcome)
            self._save_time(dialog, task_id, note, due_at)

        self.commands.record_outcome(task_id, outcome, note, while_open(dialog, saved),
                                     while_open(dialog, lambda e: dialog.show_failure(str(e), retryable(e))))

    def _save_time(self, dialog: OutcomePicker, task_id: str, note: str, due_at: float) -> None:
        if not due_at:
            dialog.done_saving()
            return

        def refused(error: DeskError) -> None:
            if retryable(error):
                dialog.show_failure(str(error), True)
                return
            dialog.done_saving()  # the outcome is saved; only the new time was refused
            self._status(self.tr("Outcome saved, but not rescheduled: %1").replace("%1", str(error)))

        self.commands.reschedule(task_id, due_at, note, while_open(dialog, lambda _task: dialog.done_saving()),
                                 while_open(dialog, refused))
