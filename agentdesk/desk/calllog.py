"""Queue calls as they happen, written to the store: joined (with position
on entry and VIP flag), connected to an agent, ended with an outcome.

These records are the screen-pop's "last calls of this number", the repeat
caller flag, the sticky-agent lookup and today's queue statistics.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from .ami.protocol import AmiMessage
from .store import CallEntry, Store

log = logging.getLogger("desk.calls")

# A caller who left the queue without an agent and without hanging up (max
# wait, queue full, left by a key) gets this outcome; the grace lets an
# AgentConnect that races the QueueCallerLeave win.
LEFT_GRACE_SECONDS = 2.0

DbCall = Callable[[Callable[[Store], Any]], Awaitable[Any]]
Handler = Callable[["CallLog", AmiMessage], Awaitable[None]]


class CallLog:
    def __init__(self, db: DbCall, clock: Callable[[], float], on_stats_change: Callable[[str], None]) -> None:
        self._db = db
        self._clock = clock
        self._on_stats_change = on_stats_change
        self._connected: set[str] = set()
        self._routed: dict[str, tuple[str, str, float]] = {}  # uniqueid -> (queue, number, at), sticky offers
        self._sticky: dict[str, float] = {}  # uniqueid -> answered at, for sticky calls in progress
        self.phone_agent: Callable[[str], str | None] = lambda phone: None
        self._pending: asyncio.Queue[tuple[Handler, AmiMessage]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._timers: set[asyncio.TimerHandle] = set()

    def routed(self, uniqueid: str, queue: str, number: str) -> None:
        """The dialplan is about to ring a sticky agent for this caller: the
        call is not in the queue (no queue events) unless nobody answers."""
        if uniqueid:
            self._routed[uniqueid] = (queue, number, self._clock())

    def routed_call(self, uniqueid: str) -> CallEntry | None:
        found = self._routed.get(uniqueid)
        if found is None:
            return None
        queue, number, at = found
        return CallEntry(uniqueid, uniqueid, queue, number, "", at, 1, False)

    def handle(self, event: AmiMessage) -> None:
        """Record an event; events are written one after another, in order."""
        if event.name == "UserEvent" and event.get("UserEvent") == "AgentDeskStickyAnswered":
            self._queue_up(CallLog._sticky_answered, event)
            return
        if event.name == "UserEvent" and event.get("UserEvent") == "AgentDeskSticky":
            self._queue_up(CallLog._sticky_over, event)
            return
        if event.name == "Hangup" and event.get("Uniqueid") in self._sticky:
            self._queue_up(CallLog._sticky_over, event)  # the caller hung up: the dialplan stops with it
            return
        handler = _HANDLERS.get(event.name)
        if handler is not None and event.get("Queue"):
            self._queue_up(handler, event)

    def _queue_up(self, handler: Handler, event: AmiMessage) -> None:
        self._pending.put_nowait((handler, event))
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._work())

    async def _work(self) -> None:
        while True:
            handler, event = await self._pending.get()
            try:
                await handler(self, event)
            except Exception:
                log.exception("recording a queue call event (%s) failed", event.name)
            finally:
                self._pending.task_done()

    async def drain(self) -> None:
        """Wait until every event handed in so far is written."""
        await self._pending.join()

    async def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        if self._worker is not None:
            self._worker.cancel()

    async def _join(self, event: AmiMessage) -> None:
        number = event.get("CallerIDNum")
        vip = await self._db(lambda s: s.is_vip(number))
        entry = CallEntry(
            uniqueid=event.get("Uniqueid"),
            linkedid=event.get("Linkedid") or event.get("Uniqueid"),
            queue=event.get("Queue"),
            number=number,
            name=_name(event.get("CallerIDName")),
            joined_at=self._clock(),
            position=_int(event.get("Position"), 1),
            vip=vip,
        )
        await self._db(lambda s: s.add_call(entry))
        self._on_stats_change(entry.queue)

    async def _connect(self, event: AmiMessage) -> None:
        uniqueid, agent = event.get("Uniqueid"), event.get("MemberName")
        self._connected.add(uniqueid)
        now, hold = self._clock(), _int(event.get("HoldTime"))
        await self._db(lambda s: s.connect_call(uniqueid, agent, now, hold))
        self._on_stats_change(event.get("Queue"))

    async def _complete(self, event: AmiMessage) -> None:
        uniqueid = event.get("Uniqueid")
        self._connected.discard(uniqueid)
        outcome = "transferred" if event.get("Reason") == "transfer" else "completed"
        await self._end(event.get("Queue"), uniqueid, outcome, _int(event.get("TalkTime")))

    async def _abandon(self, event: AmiMessage) -> None:
        await self._end(event.get("Queue"), event.get("Uniqueid"), "abandoned", None)

    async def _leave(self, event: AmiMessage) -> None:
        loop = asyncio.get_running_loop()
        timer = loop.call_later(LEFT_GRACE_SECONDS, lambda: self._pending.put_nowait((CallLog._left, event)))
        self._timers.add(timer)
        loop.call_later(LEFT_GRACE_SECONDS + 1, self._timers.discard, timer)

    async def _left(self, event: AmiMessage) -> None:
        if event.get("Uniqueid") not in self._connected:
            await self._end(event.get("Queue"), event.get("Uniqueid"), "left", None)

    async def _sticky_answered(self, event: AmiMessage) -> None:
        uniqueid = event.get("Call")
        entry = self.routed_call(uniqueid)
        self._routed.pop(uniqueid, None)
        agent = self.phone_agent(event.get("Phone"))
        if entry is None or agent is None:
            log.info("a sticky call answered on phone %s is not one this service routed", event.get("Phone")[:20])
            return
        number = entry.number
        vip = await self._db(lambda s: s.is_vip(number))
        call = CallEntry(uniqueid, event.get("Linkedid") or uniqueid, entry.queue, number,
                         _name(event.get("ConnectedLineName")), entry.joined_at, 1, vip)
        now = self._clock()
        self._sticky[uniqueid] = now
        await self._db(lambda s: s.add_call(call))
        await self._db(lambda s: s.connect_call(uniqueid, agent, now, int(now - call.joined_at)))
        self._on_stats_change(call.queue)

    async def _sticky_over(self, event: AmiMessage) -> None:
        """The sticky Dial is over: answered calls are complete; otherwise the
        caller goes on into the queue and is recorded from there."""
        uniqueid = event.get("Call") or event.get("Uniqueid")
        self._routed.pop(uniqueid, None)
        answered = self._sticky.pop(uniqueid, None)
        record = await self._db(lambda s: s.get_call(uniqueid)) if answered is not None else None
        if answered is not None and record is not None:
            await self._end(record.queue, uniqueid, "completed", int(self._clock() - answered))

    async def _end(self, queue: str, uniqueid: str, outcome: str, talk: int | None) -> None:
        now = self._clock()
        await self._db(lambda s: s.end_call(uniqueid, outcome, now, talk))
        self._on_stats_change(queue)

    async def close_stale(self, live: set[str]) -> None:
        """After a resync: calls the store thinks are open but Asterisk no
        longer has (it restarted, or we missed their end) are closed."""
        open_calls = await self._db(lambda s: s.open_calls())
        for call in open_calls:
            if call.uniqueid not in live and call.uniqueid not in self._connected:
                outcome = "completed" if call.connected_at else "lost"
                await self._end(call.queue, call.uniqueid, outcome, None)


def _int(text: str, default: int = 0) -> int:
    try:
        return int(text)
    except ValueError:
        return default


def _name(text: str) -> str:
    return "" if text in ("<unknown>", "unknown") else text


_HANDLERS: dict[str, Handler] = {
    "QueueCallerJoin": CallLog._join,
    "AgentConnect": CallLog._connect,
    "AgentComplete": CallLog._complete,
    "QueueCallerAbandon": CallLog._abandon,
    "QueueCallerLeave": CallLog._leave,
}
