"""The outcome pickers of finished callback calls, and saving what the
agent picked: the outcome first, then (when asked) the new time; a retry
repeats only the step not saved yet. Each picker is shown by the `host`
(the wrap-up panel of that call), never as a window of its own.

Invariant: one picker per task, open until the service acknowledged it, the
agent gave up on a refused one, or the task was closed or taken by someone
else while nothing was on its way (then there is nothing left to record).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from agentdesk.contract.callbacks import CallbackTaskView

from ...link.api import DeskError
from ...link.callback_client import CallbackCommands, retryable
from ..common.text import clean_text
from .dialogs import while_open
from .outcome_picker import OutcomePicker
from .text import number_text

log = logging.getLogger("agentdesk.desktop.ui.callbacks")


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
        """A task closed or taken by someone else needs no outcome from me any more."""
        dialog = self.dialogs.get(task.task_id)
        gone = not task.is_open or (task.state == "claimed" and task.agent not in ("", me))
        if dialog is None or dialog.sending or not gone:
            return
        log.info("callback %s is %s (%s): its outcome picker closes", task.task_id, task.state, task.agent)
        dialog.done_saving()
        self._status(self.tr("The callback to %1 needs no outcome from you any more.").replace(
            "%1", clean_text(task.name) or number_text(task)))

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
