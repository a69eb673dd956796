"""How long a queue's calls take: a running average of talk times, which
callback offers and promised call-back times are estimated from."""

from __future__ import annotations

from ..ami.fields import as_int
from ..ami.protocol import AmiMessage
from ..queues.board import callback_task_of


class HandleTimes:
    def __init__(self) -> None:
        self._seconds: dict[str, float] = {}

    def handle(self, event: AmiMessage) -> None:
        """Each queue call's end (AgentComplete) moves its queue's average;
        callback placeholders do not count."""
        if event.name != "AgentComplete" or not event.get("Queue") or callback_task_of(event.get("Channel")):
            return
        queue, talk = event.get("Queue"), float(as_int(event.get("TalkTime")))
        before = self._seconds.get(queue)
        self._seconds[queue] = talk if before is None else 0.8 * before + 0.2 * talk

    def average(self, queue: str) -> float | None:
        """The running average of the queue's talk times (None before the first call)."""
        return self._seconds.get(queue)
