"""Callback tasks over the desk link: the list, its live changes, and the
agent's commands on a task (claim, release, skip, outcome, reschedule,
schedule a new one). Every request runs on the link's workers; answers come
back on the GUI thread through the callbacks each command is given.

Errors reach those callbacks as DeskError: `status` 0 means the service did
not answer (worth retrying), anything else is the service's refusal and its
message is the sentence for the agent (409: someone else has the task).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QObject, Signal

from agentdesk.contract.callbacks import (
    CallbackRequest,
    CallbackTaskDetail,
    CallbackTaskView,
    parse_task_detail,
    parse_task_list,
    parse_task_view,
)
from agentdesk.contract.queues import DeskSnapshot, ModelError

from .api import DeskApi, DeskError
from .connection import DeskConnection

# Spelled out at each call (context, text) so that pyside6-lupdate finds every text.
translate = QCoreApplication.translate

log = logging.getLogger("agentdesk.desktop.link")

TaskDone = Callable[[CallbackTaskView], None]
Done = Callable[[], None]
Failed = Callable[[DeskError], None]


class CallbackCommands(Protocol):
    """What the callback UI asks of the desk service (a fake in tests)."""

    def refresh(self) -> None: ...
    def claim(self, task_id: str, done: TaskDone, failed: Failed) -> None: ...
    def release(self, task_id: str, done: Done, failed: Failed) -> None: ...
    def skip(self, task_id: str, reason: str, done: Done, failed: Failed) -> None: ...
    def record_outcome(self, task_id: str, outcome: str, note: str, done: TaskDone, failed: Failed) -> None: ...
    def reschedule(self, task_id: str, due_at: float, note: str, done: TaskDone, failed: Failed) -> None: ...
    def schedule(self, request: CallbackRequest, done: TaskDone, failed: Failed) -> None: ...
    def details(self, task_id: str, done: Callable[[CallbackTaskDetail], None], failed: Failed) -> None: ...


def retryable(error: DeskError) -> bool:
    """No answer, or the service failed on its side: the same request may work later."""
    return error.status == 0 or error.status >= 500


def as_desk_error(error: Exception) -> DeskError:
    if isinstance(error, DeskError):
        return error
    if isinstance(error, ModelError):
        log.warning("unreadable callback answer from the desk service: %s", error)
        return DeskError(translate("CallbackClient", "The desk service sent unreadable callback data"), 502)
    log.warning("a callback request failed: %s", error)
    return DeskError(str(error))



class CallbackClient(QObject):
    """The desk's callback tasks for this desktop.

    Signals: `tasks_replaced(list[CallbackTaskView], server_time)` with the
    whole open list after each (re)connection; `task_changed(CallbackTaskView)`
    for every upsert (server-sent or a command's answer; closed tasks too);
    `list_failed(str)` when the list could not be fetched.

    Invariant: an upsert that arrives while the list is being fetched is
    applied again after the list, so an older list never undoes it.
    """

    tasks_replaced = Signal(object, float)
    task_changed = Signal(object)
    list_failed = Signal(str)

    def __init__(self, link: DeskConnection, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.link = link
        self._fetching = 0  # the generation of the list request in flight (0: none)
        self._generation = 0
        self._held_back: list[CallbackTaskView] = []
        link.callback_changed.connect(self._upsert)
        link.snapshot_received.connect(self._connected)

    def _connected(self, _snapshot: DeskSnapshot) -> None:
        self.refresh()

    def refresh(self) -> None:
        self._generation += 1
        generation = self._fetching = self._generation
        self.link.run_request(lambda api: parse_task_list(api.callbacks("open"), _skipped),
                              lambda result: self._list_arrived(generation, result),
                              lambda error: self._list_failed(generation, error))

    def _list_arrived(self, generation: int, result: tuple[list[CallbackTaskView], float]) -> None:
        if generation != self._fetching:
            return  # a newer request is on its way
        self._fetching = 0
        held, self._held_back = self._held_back, []
        self.tasks_replaced.emit(result[0], result[1])
        for task in held:
            self.task_changed.emit(task)

    def _list_failed(self, generation: int, error: Exception) -> None:
        if generation != self._fetching:
            return
        self._fetching = 0
        held, self._held_back = self._held_back, []
        self.list_failed.emit(str(as_desk_error(error)))
        for task in held:
            self.task_changed.emit(task)

    def _upsert(self, task: CallbackTaskView) -> None:
        if self._fetching:
            self._held_back.append(task)
        self.task_changed.emit(task)

    # -- commands -----------------------------------------------------------------
    def claim(self, task_id: str, done: TaskDone, failed: Failed) -> None:
        self._task_command(task_id, "claim", None, done, failed)

    def release(self, task_id: str, done: Done, failed: Failed) -> None:
        self._command(task_id, "release", None, done, failed)

    def skip(self, task_id: str, reason: str, done: Done, failed: Failed) -> None:
        self._command(task_id, "skip", {"reason": reason}, done, failed)

    def record_outcome(self, task_id: str, outcome: str, note: str, done: TaskDone, failed: Failed) -> None:
        self._task_command(task_id, "outcome", {"outcome": outcome, "note": note}, done, failed)

    def reschedule(self, task_id: str, due_at: float, note: str, done: TaskDone, failed: Failed) -> None:
        self._task_command(task_id, "reschedule", {"due_at": due_at, "note": note}, done, failed)

    def schedule(self, request: CallbackRequest, done: TaskDone, failed: Failed) -> None:
        self._run(lambda api: parse_task_view(api.create_callback(request.body())), self._then_upsert(done), failed)

    def details(self, task_id: str, done: Callable[[CallbackTaskDetail], None], failed: Failed) -> None:
        self._run(lambda api: parse_task_detail(api.callback(task_id)), done, failed)

    def _task_command(self, task_id: str, command: str, body: dict[str, Any] | None, done: TaskDone,
                      failed: Failed) -> None:
        self._run(lambda api: parse_task_view(api.callback_command(task_id, command, body)),
                  self._then_upsert(done), failed)

    def _command(self, task_id: str, command: str, body: dict[str, Any] | None, done: Done,
                 failed: Failed) -> None:
        self._run(lambda api: api.callback_command(task_id, command, body), lambda _reply: done(), failed)

    def _then_upsert(self, done: TaskDone) -> TaskDone:
        def apply(task: CallbackTaskView) -> None:
            self.task_changed.emit(task)  # the list need not wait for the server-sent copy
            done(task)

        return apply

    def _run(self, work: Callable[[DeskApi], Any], done: Callable[[Any], None], failed: Failed) -> None:
        self.link.run_request(work, done, lambda error: failed(as_desk_error(error)))


def _skipped(reason: str) -> None:
    log.warning("left a malformed callback task out of the list: %s", reason)
