"""Where the desk service's queue events, screen-pops and AMI reconnects meet
callback tasks: a caller who abandons a queue leaves a task, a caller an
agent answers settles their own, and a callback placeholder ringing an agent
pops its customer.
"""

from __future__ import annotations

from ..ami.fields import as_int, caller_name
from ..ami.protocol import AmiMessage
from ..queues.board import callback_task_of
from ..runtime import Spawn, StoreAccess
from ..store import CallRecord
from .dispatch import VIP_PRIORITY, task_of_uniqueid
from .pending import PendingRequests
from .tasks import CallbackTasks


def is_identifying(number: str) -> bool:
    """A number that names one caller (not withheld, "anonymous" or empty)."""
    return sum(ch.isdigit() for ch in number) >= 3


class CallbackHooks:
    """The desk service's callback duties, held by it as `callback_hooks`.

    Invariant: only queue callers count, never a callback placeholder's own
    channel (its AMI events would otherwise create or settle tasks)."""

    def __init__(self, tasks: CallbackTasks, db: StoreAccess, spawn: Spawn, pending: PendingRequests) -> None:
        self._tasks = tasks
        self._db = db
        self._spawn = spawn
        self._pending = pending

    def milestones(self, event: AmiMessage) -> None:
        """Abandoned calls become callback tasks; a caller served answers their own."""
        if callback_task_of(event.get("Channel")) or not event.get("Queue"):
            return
        queue, number = event.get("Queue"), event.get("CallerIDNum")
        tasks = self._tasks
        if event.name == "QueueCallerAbandon" and is_identifying(number):
            waited = as_int(event.get("HoldTime"))
            self._spawn(tasks.missed(queue, event.get("Uniqueid"), number,
                                     caller_name(event.get("CallerIDName")), waited))
        elif event.name == "AgentConnect" and is_identifying(number):
            self._spawn(tasks.served_inbound(number, queue))

    async def placeholder_call(self, uniqueid: str) -> CallRecord | None:
        """A callback placeholder ringing an agent stands for its customer:
        the screen-pop shows them, waiting since the task's place in line."""
        task_id = task_of_uniqueid(uniqueid)
        task = await self._db(lambda s: s.callbacks.get_callback(task_id)) if task_id else None
        if task is None:
            return None
        return CallRecord(uniqueid, uniqueid, task.queue, task.number, task.name, task.arrival_at, 1,
                          task.priority >= VIP_PRIORITY, agent="", connected_at=None, ended_at=None,
                          hold_seconds=None, talk_seconds=None, outcome="waiting")

    async def import_pending(self) -> None:
        """The requests the dialplan kept while the service was away (see pending.py)."""
        await self._pending.import_all()
