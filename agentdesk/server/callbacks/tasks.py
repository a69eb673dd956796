"""Callback tasks' lifecycle in the desk service after the request
(requests.py): one agent at a time (claims), dial results, outcomes by the
queue's retry policy, skips and reschedules. Every change is stored with an event (for reports) before it
is acknowledged, and pushed to desktops as a `callback` event.

Invariants: a task is held (`agent` set, state claimed) by at most one
agent — the claim is one atomic UPDATE in the store; a number has at most
one open task per queue (new requests merge into it); a request carrying
a key (the caller's channel uniqueid, a web submission) is stored once
however often it is repeated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from agentdesk.contract.states import (
    CB_CANCELLED,
    CB_CLAIMED,
    CB_FAILED,
    CB_OFFERED,
    CB_WAITING,
    OPEN_CALLBACK_STATES,
    ORIGIN_INQUEUE,
    ORIGIN_MISSED,
)

from ..queues.agents import CommandError
from ..store.records import CallbackEvent, CallbackTask
from .numbers import normalise
from .policy import after_outcome, give_up_at
from .requests import NOTE_LIMIT, CallbackRequests, _joined

log = logging.getLogger("agentdesk.server.callbacks")

# What Asterisk's DIALSTATUS says about an attempt nobody answered.
DIAL_OUTCOMES = {"BUSY": "busy", "NOANSWER": "no_answer", "CHANUNAVAIL": "no_answer",
                 "CONGESTION": "no_answer", "CANCEL": "no_answer"}
SERVED_CANCELS = {ORIGIN_INQUEUE, ORIGIN_MISSED}  # "call me as soon as you can" tasks a served call answers


class CallbackTasks(CallbackRequests):
    """Claims, dial results, outcomes, skips, reschedules, cancels."""

    # -- one agent at a time ----------------------------------------------------
    async def get(self, task_id: str) -> CallbackTask:
        task = await self._db(lambda s: s.callbacks.get_callback(task_id))
        if task is None:
            raise CommandError(404, "there is no such callback task")
        return task

    async def claim(self, task_id: str, agent: str) -> CallbackTask:
        """`agent` takes the task; 409 with who has it when someone else does."""
        task = await self.get(task_id)
        if task.state == CB_CLAIMED and task.agent == agent:
            return task
        if task.state not in OPEN_CALLBACK_STATES:
            raise CommandError(409, f"this callback is already closed ({task.last_outcome or task.state})")
        now = self.now()
        won = await self._db(lambda s: s.callbacks.claim_callback(task_id, agent, now, (CB_WAITING, CB_OFFERED)))
        if won is None:
            holder = await self.get(task_id)
            name = self._people.names().get(holder.agent, holder.agent)
            raise CommandError(409, f"{name} ({holder.agent}) is already calling this customer"
                               if holder.agent else "this callback is being offered to another agent")
        if task.state == CB_OFFERED:
            self._withdraw(task_id)
        self.publish(won)
        return won

    async def release(self, task_id: str, agent: str) -> CallbackTask:
        """The agent holding the task puts it back into the line, unworked."""
        return await self._back(task_id, agent, "released", None, "", lambda t: _holds(t, agent))

    async def skip(self, task_id: str, agent: str, reason: str) -> CallbackTask:
        """The agent it is offered to (or who holds it) passes; others get it
        after the queue's skip delay, at the same place in line."""
        task = await self.get(task_id)
        delay = self.policy(task.queue).skip_delay_seconds
        ringing = self._placements.ringing_agent(task_id)

        def allowed(t: CallbackTask) -> bool:
            return _holds(t, agent) or (t.state == CB_OFFERED and ringing == agent)

        return await self._back(task_id, agent, "skipped", self.now() + delay, reason, allowed)

    async def _back(self, task_id: str, agent: str, kind: str, due_at: float | None, detail: str,
                    allowed: Callable[[CallbackTask], bool]) -> CallbackTask:
        def change(t: CallbackTask) -> CallbackTask:
            return replace(t, state=CB_WAITING, agent="", due_at=due_at if due_at is not None else t.due_at)

        _, back = await self.change(task_id, allowed, change, kind, agent, detail)
        if back is None:
            raise CommandError(409, "this callback is not offered to you or held by you")
        self._withdraw(task_id)
        self.publish(back)
        return back

    async def reschedule(self, task_id: str, agent: str, due_at: float, note: str) -> CallbackTask:
        now = self.now()
        if due_at < now - 60 or due_at > now + self.settings.days_ahead * 86400 + 86400:
            raise CommandError(400, f"a callback can be rescheduled up to {self.settings.days_ahead} days ahead")

        def allowed(t: CallbackTask) -> bool:
            return t.is_open and not (t.state == CB_CLAIMED and t.agent != agent)

        def change(t: CallbackTask) -> CallbackTask:  # at its new time it enters the line like a new request
            return replace(t, state=CB_WAITING, agent="", due_at=due_at, arrival_at=max(due_at, now),
                           window_end=None, notes=_joined(t.notes, note, NOTE_LIMIT))

        before, moved = await self.change(task_id, allowed, change, "rescheduled", agent, f"{due_at:.0f}")
        if moved is None:
            raise CommandError(409 if before is not None else 404,
                               "this callback is closed or another agent is working on it")
        self._withdraw(task_id)
        self.publish(moved)
        return moved

    async def cancel(self, task_id: str, by: str, reason: str, kind: str = "cancelled",
                     only_if: Callable[[CallbackTask], bool] | None = None) -> CallbackTask | None:
        def allowed(t: CallbackTask) -> bool:
            return t.is_open and (only_if is None or only_if(t))

        def change(t: CallbackTask) -> CallbackTask:
            return replace(t, state=CB_CANCELLED, agent="", closed_at=self.now())

        before, closed = await self.change(task_id, allowed, change, kind, by, reason)
        if closed is None:
            return before
        self._withdraw(task_id)
        self.publish(closed)
        return closed

    # -- the dialplan's dial step ----------------------------------------------
    async def dial(self, task_id: str, phone: str, from_list: bool = False) -> tuple[str, str, str]:
        """("ok", number, caller id) when the agent on `phone` may call the
        customer now (it holds the task, or answered its placeholder), else
        ("taken"|"closed", "", ""). Like the REST API, an agent reaches only
        the tasks they may see."""
        agent = self._seats.agent_of_phone(phone)
        task = await self._db(lambda s: s.callbacks.get_callback(task_id))
        if agent is None or task is None:
            return "taken", "", ""
        person = self._people.get(agent)
        if person is None or not self.audience(task)(agent, person.role):
            log.warning("refused %s calling callback %s of queue %s: not theirs to see", agent, task_id, task.queue)
            return "closed", "", ""
        if task.state not in OPEN_CALLBACK_STATES:
            return "closed", "", ""
        number, now = task.number, self.now()
        if await self._db(lambda s: s.callbacks.is_callback_blocked(number, now)):
            await self.cancel(task_id, agent, "the number is on the do-not-call list", "refused")
            return "closed", "", ""
        if not (task.state == CB_CLAIMED and task.agent == agent):
            now = self.now()
            won = await self._db(lambda s: s.callbacks.claim_callback(task_id, agent, now, (CB_OFFERED, CB_WAITING)))
            if won is None:
                return "taken", "", ""
            task = won
            self.publish(task)
        if from_list:
            self._withdraw(task_id)  # dialled from the list: its placeholder must not ring anyone else
        caller_id = "".join(ch for ch in self.policy(task.queue).caller_id if ch.isdigit())
        return "ok", task.number, caller_id

    async def dialled(self, task_id: str, phone: str, status: str) -> None:
        """How the dial step went: an unanswered attempt is recorded at once
        by the retry policy; an answered one waits for the agent's outcome."""
        agent = self._seats.agent_of_phone(phone) or phone
        outcome = DIAL_OUTCOMES.get(status)
        if outcome is not None:
            await self._db(lambda s: s.callbacks.add_callback_event(CallbackEvent(task_id, self.now(), "dialled",
                                                                               agent, status[:20])))
            await self._record(task_id, agent, outcome, "", None)
            return
        if status == "ANSWER":
            self.answered.add(task_id)

        def mark(t: CallbackTask) -> CallbackTask:
            return replace(t, first_attempt_at=t.first_attempt_at or self.now())

        _, marked = await self.change(task_id, lambda t: _holds(t, agent), mark, "dialled", agent, status)
        if marked is not None:
            self.publish(marked)

    async def outcome(self, task_id: str, agent: str, outcome: str, note: str,
                      retry_at: float | None = None) -> CallbackTask:
        """The agent's outcome of their attempt; `retry_at` (within the
        bookable days) replaces the policy's next attempt time when the task
        stays open."""
        now = self.now()
        if retry_at is not None and not now <= retry_at <= now + self.settings.days_ahead * 86400 + 86400:
            raise CommandError(400, f"the next attempt must be within {self.settings.days_ahead} days")
        before, after = await self._record(task_id, agent, outcome, note, retry_at)
        if after is None:
            if before is None:
                raise CommandError(404, "there is no such callback task")
            recorded = f" ({before.last_outcome.replace('_', ' ')})" if before.last_outcome else ""
            raise CommandError(409, f"the outcome of this attempt is already recorded{recorded}")
        return after

    async def _record(self, task_id: str, agent: str, outcome: str, note: str,
                      retry_at: float | None) -> tuple[CallbackTask | None, CallbackTask | None]:
        """One attempt's outcome, only while `agent` still holds the task."""
        now = self.now()

        def change(t: CallbackTask) -> CallbackTask:
            after = after_outcome(t, outcome, now, self.policy(t.queue))
            if retry_at is not None and after.state == CB_WAITING:
                after = replace(after, due_at=retry_at, arrival_at=retry_at)
            return replace(after, notes=_joined(after.notes, note, NOTE_LIMIT))

        before, after = await self.change(task_id, lambda t: _holds(t, agent), change, "outcome", agent, outcome)
        if after is not None:
            self.answered.discard(task_id)
            log.info("callback task %s: %s by %s -> %s", task_id, outcome, agent, after.state)
            self.publish(after)
        return before, after

    # -- calls that answer a task ------------------------------------------------------
    async def served_inbound(self, number: str, queue: str) -> None:
        """The customer called in and an agent has them: their "call me as
        soon as you can" task of that queue is answered by that."""
        digits = normalise(number, self.settings.region, self.settings.allow_international)
        task = await self._db(lambda s: s.callbacks.open_callback_for(digits, queue)) if digits else None
        if task is not None and task.origin in SERVED_CANCELS:
            await self.cancel(task.task_id, "", "the customer called in and was served", "served_inbound",
                              only_if=lambda t: t.state in (CB_WAITING, CB_OFFERED))

    async def expire_claims(self, older_than: float) -> None:
        """Claims left behind (a desktop that vanished mid-task): an attempt
        the customer answered counts as reached, anything else goes back into
        the line. An agent still on a call keeps their claim."""
        for task in await self._db(lambda s: s.callbacks.open_callbacks(None)):
            on_call = any(m.activity == "on_call" for m in self._board.memberships_of(task.agent).values())
            if task.state != CB_CLAIMED or task.updated_at > older_than or on_call:
                continue
            if task.task_id in self.answered:
                await self._record(task.task_id, task.agent, "reached", "(assumed: no outcome was given)", None)
            else:
                await self._back(task.task_id, task.agent, "released", None, "claim expired",
                                 _holder_is(task.agent))

    async def expire_given_up(self, tasks: list[CallbackTask]) -> list[CallbackTask]:
        """Close due tasks past their queue's give-up time; the rest back."""
        now, alive = self.now(), []
        for task in tasks:
            if now >= give_up_at(task, self.policy(task.queue)):
                closed = replace(task, state=CB_FAILED, agent="", closed_at=now, updated_at=now,
                                 last_outcome=task.last_outcome or "expired")
                await self._store(closed, CallbackEvent(task.task_id, now, "expired", "", ""))
                self.publish(closed)
            else:
                alive.append(task)
        return alive


def _holds(task: CallbackTask, agent: str) -> bool:
    return task.state == CB_CLAIMED and task.agent == agent


def _holder_is(agent: str) -> Callable[[CallbackTask], bool]:
    return lambda task: _holds(task, agent)


