"""Where the desk service's queue events, screen-pops and AMI reconnects meet
callback tasks: a caller who abandons a queue leaves a task, a caller an
agent answers settles their own, and a callback placeholder ringing an agent
pops its customer. Also keeps each queue's running average handle time,
which the offers' expected wait and the IVR's announcements use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..ami.fields import as_int, caller_name
from ..ami.protocol import AmiMessage
from ..queues.board import callback_task_of
from ..store import CallRecord
from .dispatch import VIP_PRIORITY, task_of_uniqueid

if TYPE_CHECKING:
    from ..service import DeskService

def is_identifying(number: str) -> bool:
    """A number that names one caller (not withheld, "anonymous" or empty)."""
    return sum(ch.isdigit() for ch in number) >= 3


class CallbackHooks:
    """The desk service's callback duties, held by it as `callback_hooks`.

    Invariant: only queue callers count, never a callback placeholder's own
    channel (its AMI events would otherwise create or settle tasks)."""

    def __init__(self, service: DeskService) -> None:
        self.service = service
        self._handle_seconds: dict[str, float] = {}

    def milestones(self, event: AmiMessage) -> None:
        """Abandoned calls become callback tasks; a caller served answers their own."""
        if callback_task_of(event.get("Channel")) or not event.get("Queue"):
            return
        queue, number = event.get("Queue"), event.get("CallerIDNum")
        tasks = self.service.callbacks
        if event.name == "QueueCallerAbandon" and is_identifying(number):
            waited = as_int(event.get("HoldTime"))
            self.service.spawn(tasks.missed(queue, event.get("Uniqueid"), number,
                                            caller_name(event.get("CallerIDName")), waited))
        elif event.name == "AgentConnect" and is_identifying(number):
            self.service.spawn(tasks.served_inbound(number, queue))
        elif event.name == "AgentComplete":
            talk = float(as_int(event.get("TalkTime")))
            before = self._handle_seconds.get(queue)
            self._handle_seconds[queue] = talk if before is None else 0.8 * before + 0.2 * talk

    def average_handle_seconds(self, queue: str) -> float | None:
        """A running average of the queue's talk times (None before the first call)."""
        return self._handle_seconds.get(queue)

    async def placeholder_call(self, uniqueid: str) -> CallRecord | None:
        """A callback placeholder ringing an agent stands for its customer:
        the screen-pop shows them, waiting since the task's place in line."""
        task_id = task_of_uniqueid(uniqueid)
        task = await self.service.db(lambda s: s.get_callback(task_id)) if task_id else None
        if task is None:
            return None
        return CallRecord(uniqueid, uniqueid, task.queue, task.number, task.name, task.arrival_at, 1,
                          task.priority >= VIP_PRIORITY, agent="", connected_at=None, ended_at=None,
                          hold_seconds=None, talk_seconds=None, outcome="waiting")

    async def import_pending(self) -> None:
        """The requests the dialplan kept while the service was away (see pending.py)."""
        await self.service.pending_callbacks.import_all()
