"""Queue calls as they happen, written to the store: joined (with position
on entry and VIP flag), connected to an agent, ended with an outcome.

These records are the screen-pop's "last calls of this number", the repeat
caller flag, the sticky-agent lookup and today's queue statistics.

A record's key is the caller channel's uniqueid; when the same channel
joins another queue (overflow, transfer to a queue) that visit is a record
of its own, keyed "<uniqueid>@<queue>", so each queue counts its calls.

While a caller's channel lives, the log also remembers its last answered
queue visit (`visit_of`), so an agent's transfer of that caller can be
tied to the queue call (agentdesk/server/transfers.py, run `in_order` with
these events).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ..ami.fields import as_int, caller_name
from ..ami.protocol import AmiMessage
from ..runtime import StoreAccess
from ..store import CallEntry, CallRecord, Store
from .board import callback_task_of

log = logging.getLogger("agentdesk.server.queues")

# A caller who left the queue without an agent and without hanging up (max
# wait, queue full, left by a key) gets the outcome "left" ("moved" when a
# team lead moved them to another queue or the callback menu); the grace lets an
# AgentConnect that races the QueueCallerLeave win.
LEFT_GRACE_SECONDS = 2.0
MAX_VISITS = 20  # visits of one caller to one queue that get records of their own
ROUTED_TTL_SECONDS = 300.0
STOP_DRAIN_SECONDS = 5.0

Handler = Callable[["CallLog", AmiMessage], Awaitable[None]]


@dataclass(frozen=True)
class QueueVisit:
    """A caller's answered queue call: its record key and queue."""

    key: str
    queue: str


def new_visit_key(store: Store, uniqueid: str, queue: str) -> str:
    """The record key of a caller's new visit to `queue`: the channel's
    uniqueid for its first queue, "<uniqueid>@<queue>" when it moves on to
    another, "<uniqueid>@<queue>#2"… when it comes back into the same queue
    (a transfer nobody took, an agent's phone lost mid-call)."""
    candidates = [f"{uniqueid}@{queue}"] + [f"{uniqueid}@{queue}#{n}" for n in range(2, MAX_VISITS + 1)]
    if store.calls.get_call(uniqueid) is None:
        return uniqueid
    return next((key for key in candidates if store.calls.get_call(key) is None), candidates[-1])


class CallLog:
    def __init__(self, db: StoreAccess, clock: Callable[[], float], on_stats_change: Callable[[str], None],
                 phone_agent: Callable[[str], str | None] = lambda phone: None,
                 sticky_completed: Callable[[CallRecord], None] = lambda record: None) -> None:
        self._db = db
        self._clock = clock
        self._on_stats_change = on_stats_change
        self._connected: set[str] = set()  # record keys of calls an agent is on
        self._keys: dict[tuple[str, str], str] = {}  # (uniqueid, queue) -> record key, for calls in progress
        self._routed: dict[str, tuple[str, str, float]] = {}  # uniqueid -> (queue, number, at), sticky offers
        self._sticky: dict[str, float] = {}  # uniqueid -> answered at, for sticky calls in progress
        self._visits: dict[str, QueueVisit] = {}  # caller uniqueid -> last answered visit, until it hangs up
        self._agent_calls: dict[tuple[str, str], str] = {}  # (agent, queue) -> caller connected (AgentConnect)
        self._moving: set[tuple[str, str]] = set()  # (uniqueid, queue) a team lead is moving out of the queue
        self._phone_agent = phone_agent  # who is logged in at a phone (None: nobody)
        # A sticky call (rung straight to the caller's last agent, no queue
        # events) ended after its agent answered: it gets the wrap-up a
        # queue call gets from AgentComplete.
        self._sticky_completed = sticky_completed
        self._pending: asyncio.Queue[tuple[Handler, AmiMessage]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._timers: set[asyncio.TimerHandle] = set()

    def routed(self, uniqueid: str, queue: str, number: str) -> None:
        """The dialplan is about to ring a sticky agent for this caller: the
        call is not in the queue (no queue events) unless nobody answers."""
        now = self._clock()
        for stale in [uid for uid, (_, _, at) in self._routed.items() if at < now - ROUTED_TTL_SECONDS]:
            del self._routed[stale]  # offers the dialplan skipped or the caller left while ringing
        if uniqueid:
            self._routed[uniqueid] = (queue, number, now)

    def routed_call(self, uniqueid: str) -> CallEntry | None:
        found = self._routed.get(uniqueid)
        if found is None:
            return None
        queue, number, at = found
        return CallEntry(uniqueid, uniqueid, queue, number, "", at, 1, False)

    def moving(self, uniqueid: str, queue: str, on: bool = True) -> None:
        """A team lead is taking this caller out of `queue` (to another
        queue or the callback menu): their visit ends `moved`, not `left`.
        on=False: the move did not happen."""
        if on:
            self._moving.add((uniqueid, queue))
        else:
            self._moving.discard((uniqueid, queue))

    def visit_of(self, uniqueid: str) -> QueueVisit | None:
        """The last answered queue call of caller channel `uniqueid`, while
        it lives (as of the events handled so far: ask from `in_order`)."""
        return self._visits.get(uniqueid)

    def in_order(self, work: Callable[[AmiMessage], Awaitable[None]], event: AmiMessage) -> None:
        """Run `work(event)` after every event handed in so far is written,
        and before any later one."""
        self._queue_up(lambda _, message: work(message), event)

    def handle(self, event: AmiMessage) -> None:
        """Record an event; events are written one after another, in order."""
        if event.name == "Hangup":
            self._queue_up(CallLog._hung_up, event)
        if event.name == "UserEvent" and event.get("UserEvent") == "AgentDeskStickyAnswered":
            self._sticky[event.get("Call")] = self._clock()  # now, so a quick Hangup is not missed
            self._queue_up(CallLog._sticky_answered, event)
            return
        if event.name == "UserEvent" and event.get("UserEvent") == "AgentDeskSticky":
            self._queue_up(CallLog._sticky_over, event)
            return
        if event.name == "Hangup" and event.get("Uniqueid") in self._sticky:
            self._queue_up(CallLog._sticky_over, event)  # the caller hung up: the dialplan stops with it
            return
        handler = _HANDLERS.get(event.name)
        if handler is not None and event.get("Queue") and not callback_task_of(event.get("Channel")):
            # A callback placeholder is not a caller: the task keeps its own record.
            self._queue_up(handler, self._with_caller(event))

    def _with_caller(self, event: AmiMessage) -> AmiMessage:
        """Asterisk 22 leaves the caller's fields out of an AgentComplete
        whose caller's channel is gone already (a caller hanging up): the
        caller is the one its AgentConnect named."""
        member = (event.get("MemberName"), event.get("Queue"))
        if event.name == "AgentConnect":
            self._agent_calls[member] = event.get("Uniqueid")
        elif event.name == "AgentComplete":
            caller = self._agent_calls.pop(member, "")
            if not event.get("Uniqueid") and caller:
                kept = tuple((k, v) for k, v in event.headers if k.lower() != "uniqueid")
                return AmiMessage((*kept, ("Uniqueid", caller)))
        return event

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
        """Write what is queued (a few seconds at most), then stop."""
        for timer in self._timers:
            timer.cancel()
        try:
            await asyncio.wait_for(self.drain(), STOP_DRAIN_SECONDS)
        except TimeoutError:
            log.error("stopping with %d call events not yet written", self._pending.qsize())
        if self._worker is not None:
            self._worker.cancel()

    async def _join(self, event: AmiMessage) -> None:
        uniqueid, queue, number = event.get("Uniqueid"), event.get("Queue"), event.get("CallerIDNum")
        key = await self._db(lambda s: new_visit_key(s, uniqueid, queue))
        self._keys[(uniqueid, queue)] = key
        vip = await self._db(lambda s: s.calls.is_vip(number))
        entry = CallEntry(
            uniqueid=key,
            linkedid=event.get("Linkedid") or uniqueid,
            queue=queue,
            number=number,
            name=caller_name(event.get("CallerIDName")),
            joined_at=self._clock(),
            position=as_int(event.get("Position"), 1),
            vip=vip,
        )
        await self._db(lambda s: s.calls.add_call(entry))
        self._on_stats_change(entry.queue)

    async def _key(self, uniqueid: str, queue: str) -> str:
        """The record key of this caller's visit to `queue`."""
        known = self._keys.get((uniqueid, queue))
        if known is not None:
            return known
        visit = f"{uniqueid}@{queue}"
        key = visit if await self._db(lambda s: s.calls.get_call(visit)) is not None else uniqueid
        self._keys[(uniqueid, queue)] = key
        return key

    async def lookup(self, uniqueid: str, queue: str = "") -> CallRecord | None:
        """The stored record of a call, preferring its visit to `queue`."""
        live = self._keys.get((uniqueid, queue))
        keys = ([live] if live else []) + ([f"{uniqueid}@{queue}"] if queue else []) + [uniqueid]
        found: list[CallRecord | None] = await self._db(lambda s: [s.calls.get_call(key) for key in keys])
        return next((call for call in found if call is not None), None)

    async def _connect(self, event: AmiMessage) -> None:
        key, agent = await self._key(event.get("Uniqueid"), event.get("Queue")), event.get("MemberName")
        self._connected.add(key)
        self._visits[event.get("Uniqueid")] = QueueVisit(key, event.get("Queue"))
        now, hold = self._clock(), as_int(event.get("HoldTime"))
        await self._db(lambda s: s.calls.connect_call(key, agent, now, hold))
        self._on_stats_change(event.get("Queue"))

    async def _complete(self, event: AmiMessage) -> None:
        key = await self._key(event.get("Uniqueid"), event.get("Queue"))
        self._connected.discard(key)
        outcome = "transferred" if event.get("Reason") == "transfer" else "completed"
        await self._end(event.get("Queue"), key, outcome, as_int(event.get("TalkTime")))
        self._keys.pop((event.get("Uniqueid"), event.get("Queue")), None)

    async def _abandon(self, event: AmiMessage) -> None:
        key = await self._key(event.get("Uniqueid"), event.get("Queue"))
        await self._end(event.get("Queue"), key, "moved" if self._moved(event) else "abandoned", None)

    async def _leave(self, event: AmiMessage) -> None:
        loop = asyncio.get_running_loop()
        timer = loop.call_later(LEFT_GRACE_SECONDS, lambda: self._pending.put_nowait((CallLog._left, event)))
        self._timers.add(timer)
        loop.call_later(LEFT_GRACE_SECONDS + 1, self._timers.discard, timer)

    async def _left(self, event: AmiMessage) -> None:
        key = await self._key(event.get("Uniqueid"), event.get("Queue"))
        if key not in self._connected:
            await self._end(event.get("Queue"), key, "moved" if self._moved(event) else "left", None)
            self._keys.pop((event.get("Uniqueid"), event.get("Queue")), None)

    def _moved(self, event: AmiMessage) -> bool:
        """Whether a team lead took this caller out of the queue (app_queue
        reports a withdrawn caller as abandoned, then as leaving)."""
        visit = (event.get("Uniqueid"), event.get("Queue"))
        moved = visit in self._moving
        self._moving.discard(visit)
        return moved

    async def _sticky_answered(self, event: AmiMessage) -> None:
        uniqueid = event.get("Call")
        entry = self.routed_call(uniqueid)
        self._routed.pop(uniqueid, None)
        agent = self._phone_agent(event.get("Phone"))
        if entry is None or agent is None:
            self._sticky.pop(uniqueid, None)
            log.info("a sticky call answered on phone %s is not one this service routed", event.get("Phone")[:20])
            return
        number = entry.number
        vip = await self._db(lambda s: s.calls.is_vip(number))
        call = CallEntry(uniqueid, event.get("Linkedid") or uniqueid, entry.queue, number,
                         caller_name(event.get("ConnectedLineName")), entry.joined_at, 1, vip)
        now = self._sticky.get(uniqueid, self._clock())
        self._visits[uniqueid] = QueueVisit(uniqueid, call.queue)
        await self._db(lambda s: s.calls.add_call(call))
        await self._db(lambda s: s.calls.connect_call(uniqueid, agent, now, int(now - call.joined_at)))
        self._on_stats_change(call.queue)

    async def _sticky_over(self, event: AmiMessage) -> None:
        """The sticky Dial is over: answered calls are complete; otherwise the
        caller goes on into the queue and is recorded from there."""
        uniqueid = event.get("Call") or event.get("Uniqueid")
        self._routed.pop(uniqueid, None)
        answered = self._sticky.pop(uniqueid, None)
        record = await self._db(lambda s: s.calls.get_call(uniqueid)) if answered is not None else None
        if answered is not None and record is not None:
            await self._end(record.queue, uniqueid, "completed", int(self._clock() - answered))
            self._sticky_completed(record)

    async def _hung_up(self, event: AmiMessage) -> None:
        self._visits.pop(event.get("Uniqueid"), None)

    async def _end(self, queue: str, uniqueid: str, outcome: str, talk: int | None) -> None:
        now = self._clock()
        await self._db(lambda s: s.calls.end_call(uniqueid, outcome, now, talk))
        self._on_stats_change(queue)

    async def close_stale(self, live: set[str]) -> None:
        """After a resync: calls the store thinks are open but whose channel
        Asterisk no longer has (it restarted, or we missed their end) are
        closed; calls still up are left for their own end events."""
        self._connected = {key for key in self._connected if key.split("@", 1)[0] in live}
        self._visits = {uid: visit for uid, visit in self._visits.items() if uid in live}
        open_calls = await self._db(lambda s: s.calls.open_calls())
        for call in open_calls:
            if call.uniqueid.split("@", 1)[0] not in live:
                outcome = "completed" if call.connected_at else "lost"
                await self._end(call.queue, call.uniqueid, outcome, None)
            elif call.connected_at:
                self._connected.add(call.uniqueid)






_HANDLERS: dict[str, Handler] = {
    "QueueCallerJoin": CallLog._join,
    "AgentConnect": CallLog._connect,
    "AgentComplete": CallLog._complete,
    "QueueCallerAbandon": CallLog._abandon,
    "QueueCallerLeave": CallLog._leave,
}
