"""A caller's callback request from the queue's IVR, as the dialplan sends
it (pbxroutes.py) or as it was kept in AstDB while the service was away
(pending.py)."""

from __future__ import annotations

import math

from agentdesk.contract.ids import is_uniqueid
from agentdesk.contract.states import ORIGIN_INQUEUE, ORIGIN_SCHEDULED

from ..queues.board import QueueBoard
from ..queues.calllog import CallLog
from ..queues.handling import HandleTimes
from ..store.records import CallbackTask
from .policy import expected_wait_seconds, schedule_time
from .requests import NewRequest
from .tasks import CallbackTasks

SCHEDULED_WINDOW_SECONDS = 3600  # a time asked for in the IVR: called within the hour after it
DEFAULT_HANDLE_SECONDS = 180
# A request kept in AstDB while the service was away: the caller was already
# thanked, so it is not refused for the per-number limit.
IMPORTED = "ivr-kept"


class IvrIntake:
    """Callback requests from the queue's press-1 menu."""

    def __init__(self, tasks: CallbackTasks, board: QueueBoard, calls: CallLog, handle_times: HandleTimes) -> None:
        self._tasks = tasks
        self._board = board
        self._calls = calls
        self._handle_times = handle_times

    async def request(self, queue: str, number: str, call: str, priority: int, position: int, at: str,
                      pressed_at: float | None = None) -> tuple[str, str, int]:
        """A caller's request from the queue's IVR (or its copy kept in AstDB
        while the service was away): (kind, task, minutes to wait or the epoch
        of the time asked for). The caller's place in line is their original
        queue arrival (the call record of `call`)."""
        tasks = self._tasks
        if queue not in self._board.queues or not is_uniqueid(call):
            return "invalid", "", 0
        now = pressed_at or tasks.now()
        due_at = schedule_time(at, now, tasks.settings) if at else now
        if due_at is None:
            return "badtime", "", 0
        record = await self._calls.lookup(call, queue)
        joined = record.joined_at if record is not None else now
        scheduled = bool(at)
        new = NewRequest(
            queue=queue, number=number, origin=ORIGIN_SCHEDULED if scheduled else ORIGIN_INQUEUE,
            created_by="ivr" if pressed_at is None else IMPORTED, due_at=due_at,
            arrival_at=due_at if scheduled else joined, priority=priority,
            name=record.name if record is not None else "",
            window_end=due_at + SCHEDULED_WINDOW_SECONDS if scheduled else None, request_key=call,
        )
        if pressed_at is None:
            tasks.caller_on_line.add(call)  # not called back while still in this call (the thank-you)
        result = await tasks.request(new)
        if result.task is None or result.kind not in ("ok", "merged"):
            tasks.caller_on_line.discard(call)
            return result.kind, "", 0
        when = int(result.task.due_at) if scheduled else self._minutes(result.task, position)
        return result.kind, result.task.task_id, when

    def _minutes(self, task: CallbackTask, position: int) -> int:
        queue = self._board.queues.get(task.queue)
        members = queue.members.values() if queue is not None else []
        free = sum(1 for m in members if m.activity == "ready")
        handle = self._handle_times.average(task.queue) or DEFAULT_HANDLE_SECONDS
        seconds = expected_wait_seconds(position, free, len(list(members)), handle)
        return max(1, math.ceil(seconds / 60))
