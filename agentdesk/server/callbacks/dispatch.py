"""Puts due callback tasks into their queue's line, and offers waiting
callers a callback.

The line: Asterisk's own queue orders callers and picks the agent
(strategy, skills, ring-in-use, wrap-up). A due task joins it as a
placeholder — a Local channel (`Local/<task>@callback-line`) that enters
the queue at the place its arrival time gives it among the live callers —
once it is within the first `slots` places of the merged line; further
back it waits here, so a long list of tasks never fills the queue. The
agent whose phone rings sees the task (headers) and answering is "call
now": the dialplan then dials the customer ([callback-connect]).

Offers: a live caller far enough back (position, or expected wait) hears
"press 1 to be called back" whispered over the hold music (ChanSpy on
their channel), at most every `offer_every_seconds`; the caller never
leaves the queue for it.

Runs on the service's loop: a tick every TICK_SECONDS, and one soon after
any queue change.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace

from agentdesk.contract.states import CB_OFFERED, CB_WAITING

from ..ami.client import AmiClient, AmiError
from ..ami.protocol import AmiMessage
from ..queues.board import Caller, QueueBoard, QueueState, callback_task_of
from ..queues.handling import HandleTimes
from ..runtime import Clock, Spawn, StoreAccess
from ..store import Store
from ..store.records import CallbackTask
from .fast import FREE_AGENT_EVENTS, AfterCallWork, FastDelivery
from .line import placeholders_wanted
from .numbers import normalise
from .placements import Placement, Placements
from .policy import expected_wait_seconds, should_offer
from .tasks import CallbackTasks

log = logging.getLogger("agentdesk.server.callbacks")

TICK_SECONDS = 1.0
KICK_DELAY_SECONDS = 0.02
SLOTS = 3  # due tasks that hold a real place in an Asterisk queue at once
DUE_BATCH = 50  # per queue: the first SLOTS that may be placed are among them
PLACEHOLDER_TIMEOUT_MS = 86_400_000
DEFAULT_HANDLE_SECONDS = 180
CLAIM_EXPIRY_SECONDS = 1800
CLAIM_CHECK_SECONDS = 60
VIP_PRIORITY = 10


class CallbackDispatcher:
    def __init__(self, tasks: CallbackTasks, placements: Placements, board: QueueBoard, ami: AmiClient,
                 db: StoreAccess, clock: Clock, spawn: Spawn, synced: asyncio.Event, handle_times: HandleTimes,
                 queue_wrapup_seconds: dict[str, int], after_call: AfterCallWork) -> None:
        self.tasks = tasks
        self._placements = placements
        self._board = board
        self._ami = ami
        self._db = db
        self._clock = clock
        self._spawn = spawn
        self._synced = synced
        self._handle_times = handle_times
        self._offered_at: dict[str, float] = {}
        self._serial = 0
        self._kick: asyncio.TimerHandle | None = None
        self._running = False
        self._again = False
        self._next_claim_check = 0.0
        self.fast = FastDelivery(board, ami, spawn, queue_wrapup_seconds, self._rings, after_call)

    # -- driving -----------------------------------------------------------------
    async def run(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            await self.tick_safely()

    def kick(self) -> None:
        """Something in a queue changed: look again very soon (coalesced)."""
        if self._kick is None:
            loop = asyncio.get_running_loop()
            self._kick = loop.call_later(KICK_DELAY_SECONDS, self._kicked)

    def _kicked(self) -> None:
        self._kick = None
        self._spawn(self.tick_safely())

    async def tick_safely(self) -> None:
        if not self._synced.is_set():
            return
        if self._running:
            self._again = True  # a change during this tick: look once more right after it
            return
        self._running = True
        try:
            self._again = True
            while self._again:
                self._again = False
                await self.tick()
        except Exception:
            log.exception("callback dispatch failed; trying again on the next tick")
        finally:
            self._running = False

    async def tick(self) -> None:
        now = self._clock()
        waiting = self._numbers_waiting()
        for name in list(self._board.queues):
            due = await self._db(_due_in(name, now))
            due = [t for t in await self.tasks.expire_given_up(due)
                   if t.task_id not in self._placements.placed and t.request_key not in self.tasks.caller_on_line
                   and self._may_place(t, now)]
            queue = self._board.queues.get(name)
            if queue is not None:
                await self._fill(queue, due, waiting)
                await self._offer(queue, now)
        if now >= self._next_claim_check:
            self._next_claim_check = now + CLAIM_CHECK_SECONDS
            await self.tasks.expire_claims(now - CLAIM_EXPIRY_SECONDS)

    # -- the line --------------------------------------------------------------------
    def _may_place(self, task: CallbackTask, now: float) -> bool:
        """Same-agent preference: a task for agent X waits for X while X is
        logged in but busy, up to same_agent_wait_minutes past its due time."""
        agent = task.preferred_agent
        board = self._board
        if not agent or not board.memberships_of(agent) or self.fast.is_free(agent):
            return True
        return now >= task.due_at + self.tasks.settings.same_agent_wait_seconds

    async def _fill(self, queue: QueueState, due: list[CallbackTask], in_line: set[str]) -> None:
        """Placeholders for the due tasks near the front. A customer who
        waits in any queue themselves (`in_line`) is not called back
        meanwhile, whichever queue the task is for: their phone is busy with
        that call, and ringing an agent for a customer who cannot answer
        loses the agent's time. The task waits (and ends if they are served,
        see CallbackTasks.served_inbound)."""
        for placement in [p for p in self._placements.placed.values() if p.queue == queue.name and p.number in in_line]:
            await self._yield_to_caller(placement)
        due = [t for t in due if t.number not in in_line]
        if not due or not queue.members:
            return
        live = [(_priority(c), c.joined_at) for c in queue.callers.values() if not c.callback_task]
        holding = [(p.task_id, p.rank) for p in self._placements.placed.values()
                   if p.queue == queue.name and not p.answered]
        for task, position in placeholders_wanted(live, due, holding, SLOTS):
            await self._place(task, position)

    def _numbers_waiting(self) -> set[str]:
        """The customers' numbers waiting in any queue now (callback placeholders aside)."""
        region, international = self.tasks.settings.region, self.tasks.settings.allow_international
        numbers = (normalise(c.number, region, international) for queue in self._board.queues.values()
                   for c in queue.callers.values() if not c.callback_task and sum(ch.isdigit() for ch in c.number) >= 3)
        return {n for n in numbers if n}

    async def _yield_to_caller(self, placement: Placement) -> None:
        self._placements.withdraw(placement.task_id)
        await self._back_in_line(placement.task_id, "the customer is in the queue themselves", force=True)

    async def _place(self, task: CallbackTask, position: int) -> None:
        now = self._clock()
        _, offered = await self.tasks.change(
            task.task_id, lambda t: t.state == CB_WAITING and t.due_at <= now,
            lambda t: replace(t, state=CB_OFFERED, agent=""), "offered", "", f"position {position}")
        if offered is None:
            return  # taken, skipped, rescheduled or merged meanwhile: the next tick sees it as it is now
        self._serial += 1
        ids = f"cb{task.task_id}-{self._serial}"
        self._placements.placed[task.task_id] = Placement(task.task_id, task.queue, f"{ids}a", now,
                                              (task.priority, task.arrival_at), task.number)
        phone = self._preferred_phone(task)
        if phone:
            self._placements.ringing[task.task_id] = task.preferred_agent
        policy = self.tasks.policy(task.queue)
        variables = [f"CALLBACK_TASK={task.task_id}", f"CALLBACK_QUEUE={task.queue}",
                     f"CALLBACK_PRIO={task.priority}", f"CALLBACK_POSITION={position}",
                     f"CALLBACK_PHONE={phone}", f"CALLBACK_AUTODIAL={policy.autodial_seconds}"]
        try:
            reply = await self._ami.action(
                "Originate", Channel=f"Local/{task.task_id}@callback-line/n", Context="callback-connect",
                Exten=task.task_id, Priority="1", Async="true", Timeout=str(PLACEHOLDER_TIMEOUT_MS),
                CallerID=_caller_id(task), ChannelId=f"{ids}a", OtherChannelId=f"{ids}b", Variable=variables)
            if reply.get("Response") != "Success":
                raise AmiError(reply.get("Message") or "refused")
        except AmiError as error:
            log.warning("could not put callback %s into queue %s: %s", task.task_id, task.queue, error)
            await self._back_in_line(task.task_id, "placeholder failed")
            return
        log.info("callback %s joins queue %s at position %d", task.task_id, task.queue, position)
        if task.task_id in self._placements.placed:
            self.tasks.publish(offered)

    def _preferred_phone(self, task: CallbackTask) -> str:
        agent = task.preferred_agent
        if agent and self.fast.is_free(agent):
            return self._board.phone_of(agent) or ""
        return ""

    async def _back_in_line(self, task_id: str, why: str, force: bool = False) -> None:
        """The placeholder is gone without an agent taking the task."""
        if self._placements.placed.pop(task_id, None) is None and not force:
            return
        self._placements.ringing.pop(task_id, None)
        _, back = await self.tasks.change(task_id, lambda t: t.state == CB_OFFERED,
                                          lambda t: replace(t, state=CB_WAITING, agent=""), "returned", "", why)
        if back is not None:
            self.tasks.publish(back)
            self.kick()

    # -- AMI ----------------------------------------------------------------------
    def handle(self, event: AmiMessage) -> None:
        """Placeholder life (hangup, ringing an agent) and queue changes."""
        if event.name == "Hangup":
            uniqueid = event.get("Uniqueid")
            if uniqueid in self.tasks.caller_on_line:
                self.tasks.caller_on_line.discard(uniqueid)
                self.kick()
            task_id = task_of_uniqueid(uniqueid) or callback_task_of(event.get("Channel"))
            first_half = uniqueid.endswith("a") or event.get("Channel").endswith(";1")
            if task_id and task_id in self._placements.placed and first_half:
                self._spawn(self._back_in_line(task_id, event.get("Cause-txt") or "hung up"))
        elif event.name == "OriginateResponse" and event.get("Response") == "Failure":
            task_id = task_of_uniqueid(event.get("Uniqueid"))
            if task_id:
                self._spawn(self._back_in_line(task_id, "originate failed"))
        elif callback_task_of(event.get("Channel")):
            self._placeholder_event(event)
        if callback_task_of(event.get("Channel")) or event.name in FREE_AGENT_EVENTS:
            self.fast.handle(event)
        if event.name.startswith("Queue") or event.name in ("AgentComplete", "AgentConnect"):
            self.kick()

    def _placeholder_event(self, event: AmiMessage) -> None:
        """Which agent a placeholder rings (kept here, not in the task: the
        claim belongs to whoever answers), and when an agent took it."""
        task_id = callback_task_of(event.get("Channel"))
        if event.name == "AgentCalled":
            self._placements.ringing[task_id] = event.get("MemberName")
            self._spawn(self._show_ringing(task_id))
        elif event.name in ("AgentRingNoAnswer", "QueueCallerJoin"):
            # (not QueueCallerLeave: a placeholder leaves the queue to ring a free agent directly)
            self._placements.ringing.pop(task_id, None)
        elif event.name == "AgentConnect" and task_id in self._placements.placed:
            self._placements.placed[task_id].answered = True
            self._placements.ringing.pop(task_id, None)

    async def _show_ringing(self, task_id: str) -> None:
        task = await self._db(lambda s: s.callbacks.get_callback(task_id))
        agent = self._placements.ringing.get(task_id, "")
        if task is not None and task.state == CB_OFFERED and agent:
            self.tasks.publish(replace(task, agent=agent))  # shown, not stored

    def _rings(self, task_id: str, agent: str) -> None:
        """A placeholder rings `agent`'s phone directly (not through the queue)."""
        self._placements.ringing[task_id] = agent
        self._spawn(self._show_ringing(task_id))

    async def adopt(self) -> None:
        """After a (re)connect: placeholders still in Asterisk are ours again;
        offered tasks without one go back into the line."""
        present = {c.callback_task: (q.name, c.joined_at) for q in self._board.queues.values()
                   for c in q.callers.values() if c.callback_task}
        self._placements.placed = {task_id: p for task_id, p in self._placements.placed.items() if task_id in present}
        for task_id, (queue, joined) in present.items():
            self._placements.placed.setdefault(task_id, Placement(task_id, queue, "", self._clock(), (0, joined)))
        for task in await self._db(lambda s: s.callbacks.open_callbacks(None)):
            if task.state == CB_OFFERED and task.task_id not in present:
                await self._back_in_line(task.task_id, "not in the queue after a restart", force=True)

    # -- offers to waiting callers ------------------------------------------------------
    async def _offer(self, queue: QueueState, now: float) -> None:
        policy = self.tasks.policy(queue.name)
        if not policy.enabled:
            return
        free = sum(1 for m in queue.members.values() if m.activity == "ready")
        handle = self._handle_times.average(queue.name) or DEFAULT_HANDLE_SECONDS
        for caller in queue.ordered_callers():
            if caller.callback_task or sum(ch.isdigit() for ch in caller.number) < 3:
                continue
            wait = expected_wait_seconds(caller.position, free, len(queue.members), handle)
            if should_offer(caller.position, wait, self._offered_at.get(caller.uniqueid), now, policy):
                self._offered_at[caller.uniqueid] = now
                await self._whisper(caller, wait, policy.language)
        live = {uid for q in self._board.queues.values() for uid in q.callers}
        self._offered_at = {uid: at for uid, at in self._offered_at.items() if uid in live}

    async def _whisper(self, caller: Caller, wait: int, language: str) -> None:
        minutes = max(1, round(wait / 60))
        try:
            await self._ami.action(
                "Originate", Channel="Local/offer@callback-whisper/n", Context="callback-offer-prompt",
                Exten="s", Priority="1", Async="true", Timeout="10000",
                Variable=[f"__OFFER_TARGET={caller.channel}", f"OFFER_MINUTES={minutes}",
                          f"OFFER_LANG={language}"])
        except AmiError as error:
            log.info("could not offer a callback to %s: %s", caller.uniqueid, error)


def _due_in(queue: str, now: float) -> Callable[[Store], list[CallbackTask]]:
    return lambda store: store.callbacks.callbacks_due(now, DUE_BATCH, queue)


def _priority(caller: Caller) -> int:
    return VIP_PRIORITY if caller.vip else 0


def _caller_id(task: CallbackTask) -> str:
    name = "".join(ch for ch in task.name if ch not in '"<>\\\r\n')[:40]
    return f'"{name}" <{task.number}>' if name else f"<{task.number}>"


def task_of_uniqueid(uniqueid: str) -> str:
    """The task of our placeholder channel ids: cb<task>-<n>a / b."""
    if not uniqueid.startswith("cb") or "-" not in uniqueid:
        return ""
    return uniqueid[2:].split("-", 1)[0]
