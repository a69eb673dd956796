"""Wrap-up sessions: the after-call work time of an agent after a queue call
or a callback call.

When a queue call ends for an agent (AMI AgentComplete), or a callback
call the customer answered (the agent's channel hangs up: callbacks/talks.py;
the task's queue's policy applies), and the queue's
policy has a limit, the agent is paused in all their queues with the
reason "wrap-up" (no next call is offered) until the limit runs out, the
agent finishes early, or (with a required disposition) the record arrives.
A callback call's record is its outcome (POST /api/v1/callbacks/{id}/outcome):
saving it ends the wrap-up; an outcome saved after the limit is still taken.
Then the agent is ready again (policy then="ready") — but only while the
pause is still the wrap-up's: an agent who chose "Lunch" meanwhile stays
on lunch — or stays paused (then="paused") until they unpause.

Invariants: an agent has at most one active wrap-up (a new call's replaces
the old one, in one store transaction); a wrap-up ends once (a conditional
store update decides between the deadline and the agent); the store holds
every active wrap-up, so a restarted service re-arms their deadlines and
ends the overdue ones by the same rules (`load`, then `arm_all`). All
transitions run one at a time (one lock). From the end of the call until
the wrap-up is over the agent is `held`: nothing offers them a callback,
even in the moment before Asterisk has their pause.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

from agentdesk.contract.ids import callback_wrapup_id, task_of_wrapup
from agentdesk.contract.states import THEN_READY, WRAPUP_ACTIVE, WRAPUP_REASON

from ..ami.protocol import AmiMessage
from ..queues.agents import CommandError
from ..runtime import Clock, Spawn, StoreAccess
from ..store import CallRecord, PauseState
from ..store.after_call_records import WrapUp
from .ended import EndedCall, ended_call, ended_call_of
from .settings import WrapUpPolicy
from .views import is_overtime, wrapup_view

log = logging.getLogger("agentdesk.server.wrapups")

RELEASE_RETRY_SECONDS = 5.0
RELEASE_ATTEMPTS = 12

# end reasons
FINISHED = "finished"  # the agent finished early
LIMIT = "limit"  # the limit ran out
SAVED = "saved"  # the required disposition arrived after the limit
REPLACED = "replaced"  # the agent's next queue call ended
LOGGED_OUT = "logged_out"  # the agent left their last queue
SIGNED_OUT = "signed_out"  # the agent signed out of the desk service
UNPAUSED = "unpaused"  # the agent (or a team lead) made them ready

POLICY_OVERRIDES = ("limit_seconds", "warning_seconds", "then", "disposition_required")


class Timer(Protocol):
    def cancel(self) -> None: ...


Later = Callable[[float, Callable[[], None]], Timer]


class PauseControl(Protocol):
    """Pausing an agent in all their queues (and what their pause is now)."""

    def pause_of(self, agent: str) -> PauseState | None: ...

    async def apply(self, agent: str, paused: bool, reason: str) -> None: ...


class AfterRelease(Protocol):
    """What the agent does once their wrap-up is over, when a team lead
    asked for it (a pause after this call): True if it was done instead
    of the policy's ready or paused."""

    async def pause_instead(self, agent: str) -> bool: ...


class NothingAfter:
    async def pause_instead(self, agent: str) -> bool:
        return False


NOTHING_AFTER = NothingAfter()


class WrapUpOutlet(Protocol):
    """Where wrap-up views go, and the queue titles they show."""

    def publish_wrapup(self, view: dict[str, Any], agent: str) -> None: ...

    def queue_title(self, queue: str) -> str: ...


def call_later(seconds: float, work: Callable[[], None]) -> Timer:
    return asyncio.get_running_loop().call_later(seconds, work)


class WrapUpSessions:
    def __init__(self, db: StoreAccess, clock: Clock, spawn: Spawn, pauses: PauseControl, outlet: WrapUpOutlet,
                 policies: Callable[[str], WrapUpPolicy], later: Later = call_later,
                 after_release: AfterRelease = NOTHING_AFTER) -> None:
        self._db = db
        self._clock = clock
        self._spawn = spawn
        self._pauses = pauses
        self._outlet = outlet
        self._policies = policies
        self.switched_on = True  # switch() turns wrap-up off (the tests' own build of the service)
        self.overrides: dict[str, Any] = {}  # policy fields set for every queue by switch()
        self._later = later
        self._after_release = after_release
        self._lock = asyncio.Lock()
        self.active: dict[str, WrapUp] = {}  # agent -> their active wrap-up
        self._names: dict[str, str] = {}  # caller channel uniqueid -> caller name, while active
        self._timers: dict[str, Timer] = {}  # agent -> the deadline of their active wrap-up
        self._on_call: dict[str, EndedCall] = {}  # agent -> their queue call in progress (AgentConnect)
        self._starting: set[str] = set()  # agents whose call ended, their wrap-up not stored yet

    # -- policy ---------------------------------------------------------------
    def policy(self, queue: str) -> WrapUpPolicy:
        return replace(self._policies(queue), **self.overrides)

    def switch(self, on: bool, overrides: dict[str, Any]) -> None:
        """Wrap-up on or off, and policy fields for every queue (reached only
        from the tests' own build of the service, tests/helpers/testdesk.py)."""
        self.switched_on = on
        self.overrides = {k: v for k, v in overrides.items() if k in POLICY_OVERRIDES}
        log.warning("wrap-up switched %s (test set-up) %s", "on" if on else "off", self.overrides or "")

    # -- views ----------------------------------------------------------------
    def view(self, wrapup: WrapUp) -> dict[str, Any]:
        return wrapup_view(wrapup, self.policy(wrapup.queue), self._outlet.queue_title(wrapup.queue),
                           self._names.get(wrapup.uniqueid, ""), self._clock())

    def view_of(self, agent: str) -> dict[str, Any] | None:
        """The agent's active wrap-up (snapshot), or None."""
        wrapup = self.active.get(agent)
        return self.view(wrapup) if wrapup is not None else None

    def _publish(self, wrapup: WrapUp) -> None:
        self._outlet.publish_wrapup(self.view(wrapup), wrapup.agent)

    def held(self, agent: str) -> bool:
        """In after-call work (or about to be): not to be offered a call."""
        return agent in self.active or agent in self._starting

    # -- start ----------------------------------------------------------------
    def expect(self, agent: str) -> None:
        """The agent's call just ended: held until `call_ended` has decided."""
        if self.switched_on:
            self._starting.add(agent)

    def agent_connect(self, event: AmiMessage) -> None:
        """AMI AgentConnect: remembered for an AgentComplete without the caller."""
        self._on_call[event.get("MemberName")] = ended_call_of(event)

    async def agent_complete(self, event: AmiMessage) -> None:
        """AMI AgentComplete: the agent's queue call ended."""
        call = ended_call_of(event)
        connected = self._on_call.pop(call.agent, None)
        if not call.uniqueid and connected is not None and connected.queue == call.queue:
            # Asterisk 22 leaves out the caller's fields when the caller's
            # channel is gone before the event is built (a caller hanging up).
            call = connected
        if not call.uniqueid:
            log.warning("a call of %s in %s ended without its caller's ID: no wrap-up", call.agent, call.queue)
            return
        await self.call_ended(call)

    def sticky_call_ended(self, record: CallRecord) -> None:
        """A sticky call (rung straight to the caller's last agent: no
        AgentComplete) that its agent answered is over."""

        async def start() -> None:
            await self.call_ended(ended_call(record))

        self._spawn(start())

    async def callback_ended(self, task_id: str, agent: str, channel: str, linkedid: str) -> None:
        """The agent's callback call of `task_id` is over (their channel's
        uniqueid `channel`): the task's queue's wrap-up."""
        task = await self._db(lambda s: s.callbacks.get_callback(task_id))
        queue, number, name = (task.queue, task.number, task.name) if task is not None else ("", "", "")
        await self.call_ended(EndedCall(callback_wrapup_id(task_id, channel), linkedid, queue, agent, number, name))

    async def call_ended(self, call: EndedCall) -> WrapUp | None:
        """Start the agent's wrap-up of `call` (None: no wrap-up for it)."""
        try:
            return await self._start(call)
        finally:
            self._starting.discard(call.agent)

    async def _start(self, call: EndedCall) -> WrapUp | None:
        policy = self.policy(call.queue)
        if not self.switched_on or policy.limit_seconds <= 0:
            return None
        now = self._clock()
        wrapup = WrapUp(call.uniqueid, call.agent, call.linkedid, call.queue, call.number, now,
                        now + policy.limit_seconds, WRAPUP_ACTIVE)
        async with self._lock:
            started, replaced = await self._db(lambda s: s.wrapups.start_wrapup(wrapup))
            if started is None:
                return None
            wrapup = started
            for old in replaced:
                self._forget(old)
                self._publish(old)
                self._names.pop(old.uniqueid, None)
            self.active[call.agent], self._names[call.uniqueid] = wrapup, call.name
            await self._pause(call.agent)
            self._arm(wrapup)
        log.info("%s wraps up call %s of %s (%d s)", call.agent, call.uniqueid, call.queue, policy.limit_seconds)
        self._publish(wrapup)
        return wrapup

    async def _pause(self, agent: str) -> None:
        """Pause for the wrap-up, unless the agent chose a pause of their own."""
        pause = self._pauses.pause_of(agent)
        if pause is not None and pause.paused and pause.reason != WRAPUP_REASON:
            log.info("%s stays paused for %s during the wrap-up", agent, pause.reason)
            return
        try:
            await self._pauses.apply(agent, True, WRAPUP_REASON)
        except CommandError as error:
            log.warning("pausing %s for the wrap-up failed: %s", agent, error)

    # -- deadlines ------------------------------------------------------------
    def _arm(self, wrapup: WrapUp) -> None:
        self._cancel(wrapup.agent)
        wait = max(0.0, wrapup.deadline_at - self._clock())
        agent, uniqueid = wrapup.agent, wrapup.uniqueid
        self._timers[agent] = self._later(wait, lambda: self._spawn(self.deadline(agent, uniqueid)))

    def _cancel(self, agent: str) -> None:
        timer = self._timers.pop(agent, None)
        if timer is not None:
            timer.cancel()

    async def deadline(self, agent: str, uniqueid: str) -> None:
        """The limit of this wrap-up ran out (its timer)."""
        async with self._lock:
            wrapup = self.active.get(agent)
            if wrapup is None or wrapup.uniqueid != uniqueid:
                return
            self._timers.pop(agent, None)
            if self._clock() < wrapup.deadline_at:
                self._arm(wrapup)  # early (a clock moved back): wait on
            elif is_overtime(wrapup, self.policy(wrapup.queue), self._clock()):
                log.info("%s is past the wrap-up limit without the required disposition", agent)
                self._publish(wrapup)
            else:
                await self._end(wrapup, LIMIT)

    # -- ends -------------------------------------------------------------------
    async def finish(self, agent: str, uniqueid: str) -> WrapUp | None:
        """The agent finishes early: the wrap-up as it is now (None: unknown).
        409 while a required disposition is missing."""
        async with self._lock:
            wrapup = self.active.get(agent)
            if wrapup is None or wrapup.uniqueid != uniqueid:
                return await self._db(lambda s: s.wrapups.get_wrapup(uniqueid, agent))
            refusal = self.unpause_refusal(agent)  # the record (or a callback's outcome) is required
            if refusal:
                raise CommandError(409, refusal)
            return await self._end(wrapup, FINISHED) or wrapup

    async def record_saved(self, stored: WrapUp, finish: bool) -> WrapUp:
        """The record of `stored` arrived: it ends the wrap-up when asked
        to (finish) or when it was waiting for it past the limit."""
        async with self._lock:
            wrapup = self.active.get(stored.agent)
            if wrapup is None or wrapup.uniqueid != stored.uniqueid:  # it ended meanwhile
                return await self._db(lambda s: s.wrapups.get_wrapup(stored.uniqueid, stored.agent)) or stored
            wrapup = self.active[stored.agent] = replace(stored, state=wrapup.state)
            if finish or self._clock() >= wrapup.deadline_at:
                return await self._end(wrapup, FINISHED if finish else SAVED) or wrapup
        self._publish(wrapup)
        return wrapup

    async def outcome_saved(self, agent: str, task_id: str) -> None:
        """The agent saved the outcome of callback `task_id`: it is the record
        of their wrap-up of that call, which ends (if still active)."""
        async with self._lock:
            wrapup = self.active.get(agent)
            if wrapup is not None and task_of_wrapup(wrapup.uniqueid) == task_id:
                await self._end(wrapup, FINISHED if self._clock() < wrapup.deadline_at else SAVED)

    async def agent_gone(self, agent: str, reason: str) -> None:
        """The agent left their last queue (LOGGED_OUT) or signed out."""
        async with self._lock:
            wrapup = self.active.get(agent)
            if wrapup is not None:
                await self._end(wrapup, reason)

    async def agent_unpaused(self, agent: str) -> None:
        """The agent (or a team lead) made them ready: the wrap-up is over."""
        async with self._lock:
            wrapup = self.active.get(agent)
            if wrapup is not None:
                await self._end(wrapup, UNPAUSED)

    def unpause_refusal(self, agent: str) -> str:
        """Why the agent may not make themselves ready now ("" if they may)."""
        wrapup = self.active.get(agent)
        if wrapup is None:
            return ""
        policy = self.policy(wrapup.queue)
        if policy.disposition_required and wrapup.saved_at is None:
            if task_of_wrapup(wrapup.uniqueid):
                return "Save the callback's outcome first"
            return f"Choose a disposition first: {', '.join(policy.dispositions)}"
        return ""

    async def _end(self, wrapup: WrapUp, reason: str) -> WrapUp | None:
        """End an active wrap-up (under the lock) and apply the policy."""
        now = self._clock()
        ended = await self._db(lambda s: s.wrapups.end_wrapup(wrapup.uniqueid, wrapup.agent, now, reason))
        self._forget(wrapup)
        if ended is None:
            self._names.pop(wrapup.uniqueid, None)
            return None
        log.info("%s's wrap-up of %s ended (%s)", wrapup.agent, wrapup.uniqueid, reason)
        over = reason in (FINISHED, LIMIT, SAVED)
        ready = over and self.policy(wrapup.queue).then == THEN_READY
        if over and await self._after_release.pause_instead(wrapup.agent):
            pass
        elif ready or reason == LOGGED_OUT:
            await self._release(wrapup.agent, RELEASE_ATTEMPTS)
        self._publish(ended)
        self._names.pop(wrapup.uniqueid, None)
        return ended

    def _forget(self, wrapup: WrapUp) -> None:
        """No longer active: neither counted nor timed."""
        if self.active.get(wrapup.agent, wrapup).uniqueid == wrapup.uniqueid:
            self.active.pop(wrapup.agent, None)
            self._cancel(wrapup.agent)

    async def _release(self, agent: str, attempts: int) -> None:
        """Unpause the agent if the pause is still the wrap-up's (retried
        while the PBX does not answer)."""
        pause = self._pauses.pause_of(agent)
        if pause is None or not pause.paused or pause.reason != WRAPUP_REASON or agent in self.active:
            return
        try:
            await self._pauses.apply(agent, False, "")
        except CommandError as error:
            log.warning("making %s ready after the wrap-up failed: %s (%d tries left)", agent, error, attempts - 1)
            if attempts > 1:
                self._later(RELEASE_RETRY_SECONDS, lambda: self._spawn(self._release(agent, attempts - 1)))

    # -- restarts ---------------------------------------------------------------
    async def load(self) -> None:
        """Read the active wrap-ups from the store (service start)."""
        found = await self._db(lambda s: s.wrapups.active_wrapups())
        calls = await self._db(lambda s: {w.uniqueid: s.calls.get_call(w.uniqueid) for w in found})
        tasks = await self._db(lambda s: {w.uniqueid: s.callbacks.get_callback(task_of_wrapup(w.uniqueid))
                                          for w in found if task_of_wrapup(w.uniqueid)})
        for wrapup in found:
            self.active.setdefault(wrapup.agent, wrapup)
            known = calls.get(wrapup.uniqueid) or tasks.get(wrapup.uniqueid)  # a callback call's: its task
            self._names[wrapup.uniqueid] = known.name if known is not None else ""
        if found:
            log.info("%d wrap-ups were active when the service stopped", len(found))

    def arm_all(self) -> None:
        """Arm the deadlines not armed yet (after connecting to Asterisk, so
        an overdue wrap-up's unpause reaches it)."""
        for wrapup in list(self.active.values()):
            if wrapup.agent not in self._timers:
                self._arm(wrapup)
