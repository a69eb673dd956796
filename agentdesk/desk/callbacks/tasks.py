"""Callback tasks' lifecycle in the desk service: requests (the queue's
press-1 IVR, the web form, agents, abandoned calls), one agent at a time
(claims), dial results, outcomes by the queue's retry policy, skips and
reschedules. Every change is stored with an event (for reports) before it
is acknowledged, and pushed to desktops as a `callback` event.

Invariants: a task is held (`agent` set, state claimed) by at most one
agent — the claim is one atomic UPDATE in the store; a number has at most
one open task per queue (new requests merge into it); a request carrying
a key (the caller's channel uniqueid, a web submission) is stored once
however often it is repeated.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..agents import CommandError
from ..store.records import (
    CB_CANCELLED,
    CB_CLAIMED,
    CB_FAILED,
    CB_OFFERED,
    CB_WAITING,
    OPEN_CALLBACK_STATES,
    ORIGIN_INQUEUE,
    ORIGIN_MISSED,
    ORIGIN_SCHEDULED,
    ORIGIN_WEB,
    CallbackEvent,
    CallbackTask,
)
from .numbers import normalise
from .policy import after_outcome, give_up_at
from .settings import CallbackSettings, QueueCallbackPolicy
from .views import task_view
from .web import WebCallbackRequest

if TYPE_CHECKING:
    from ..service import DeskService

log = logging.getLogger("desk.callbacks")

# What Asterisk's DIALSTATUS says about an attempt nobody answered.
DIAL_OUTCOMES = {"BUSY": "busy", "NOANSWER": "no_answer", "CHANUNAVAIL": "no_answer",
                 "CONGESTION": "no_answer", "CANCEL": "no_answer"}
LIMITED_REQUESTERS = {"ivr", "web"}  # customers asking; agents and missed calls are not rate-limited
SERVED_CANCELS = {ORIGIN_INQUEUE, ORIGIN_MISSED}  # "call me as soon as you can" tasks a served call answers
NOTE_LIMIT = 2000
WEB_WINDOW_SECONDS = 3600  # a time picked on the web form: called within the hour after it


@dataclass(frozen=True)
class NewRequest:
    """A callback someone asked for (number as given: it is checked here)."""

    queue: str
    number: str
    origin: str
    created_by: str
    due_at: float
    arrival_at: float
    priority: int = 0
    window_end: float | None = None
    name: str = ""
    topic: str = ""
    notes: str = ""
    preferred_agent: str = ""
    request_key: str = ""


@dataclass(frozen=True)
class RequestResult:
    """ok (new task), merged (into the open task of that number), refused
    (blocked number), limited (too many requests), invalid (not a number)."""

    kind: str
    task: CallbackTask | None = None


class CallbackTasks:
    def __init__(self, service: DeskService, settings: CallbackSettings) -> None:
        self.service = service
        self.settings = settings
        # A test set-up starts with callbacks off: only its callback tests see offers.
        self.switched_on = not service.config.test_clock
        self.on_withdraw: list[Callable[[str], None]] = []  # the dispatcher's: take a placeholder out

    def policy(self, queue: str) -> QueueCallbackPolicy:
        policy = self.settings.policy(queue)
        return policy if self.switched_on else replace(policy, enabled=False)

    def switch(self, on: bool) -> None:
        """Tests only: no offers and no tasks from abandoned calls while off."""
        self.switched_on = on
        log.warning("callbacks switched %s (test set-up)", "on" if on else "off")

    def now(self) -> float:
        return self.service.clock()

    # -- requests ------------------------------------------------------------
    async def check_number(self, number: str) -> tuple[str, str]:
        """("ok", dialable digits) | ("invalid", "") | ("refused", "")."""
        digits = normalise(number, self.settings.region, self.settings.allow_international)
        if digits is None:
            return "invalid", ""
        now = self.now()
        if await self.service.db(lambda s: s.is_callback_blocked(digits, now)):
            return "refused", ""
        return "ok", digits

    async def request(self, new: NewRequest) -> RequestResult:
        kind, digits = await self.check_number(new.number)
        if kind != "ok":
            await self._record_refusal(new, kind)
            return RequestResult(kind)
        new = replace(new, number=digits)
        if new.request_key:
            key = new.request_key
            known = await self.service.db(lambda s: s.callback_by_key(key))
            if known is not None:
                return RequestResult("ok", known)
        existing = await self.service.db(lambda s: s.open_callback_for(digits, new.queue))
        if new.created_by in LIMITED_REQUESTERS and await self._over_limit(digits):
            await self._record_refusal(new, "limited")
            return RequestResult("limited", existing)
        if existing is not None:
            return RequestResult("merged", await self._merge(existing, new))
        return await self._create(new)

    async def from_web(self, form: WebCallbackRequest) -> str:
        """The web form's request (checked by callbacks/web.py): ok, merged, refused or limited."""
        now = self.now()
        due = form.due_at if form.due_at is not None else now
        scheduled = form.due_at is not None and form.due_at > now + 60
        result = await self.request(NewRequest(
            queue=form.queue, number=form.number, origin=ORIGIN_WEB, created_by="web", due_at=due,
            arrival_at=due, window_end=due + WEB_WINDOW_SECONDS if scheduled else None, name=form.name,
            topic=form.topic))
        return "refused" if result.kind == "invalid" else result.kind

    async def _over_limit(self, number: str) -> bool:
        since = self.now() - self.settings.per_number_seconds
        count = await self.service.db(lambda s: s.count_callback_requests(number, since))
        return count >= self.settings.per_number_limit

    async def _record_refusal(self, new: NewRequest, why: str) -> None:
        event = CallbackEvent("", self.now(), "refused", new.created_by, f"{why} {new.number[:40]} {new.origin}")
        log.info("callback request of %s refused: %s", new.origin, why)
        await self.service.db(lambda s: s.add_callback_event(event))

    async def _create(self, new: NewRequest) -> RequestResult:
        now = self.now()
        policy = self.policy(new.queue)
        task = CallbackTask(
            task_id=secrets.token_hex(6), queue=new.queue, number=new.number, name=new.name[:80],
            topic=new.topic[:200], notes=new.notes[:NOTE_LIMIT], origin=new.origin, state=CB_WAITING,
            priority=new.priority, arrival_at=new.arrival_at, due_at=new.due_at, window_end=new.window_end,
            attempts=0, max_attempts=policy.max_attempts, last_outcome="", agent="",
            preferred_agent=new.preferred_agent, request_key=new.request_key, created_at=now, updated_at=now,
            closed_at=None, first_attempt_at=None, reached_at=None, created_by=new.created_by,
        )
        event = CallbackEvent(task.task_id, now, "requested", new.created_by, f"{new.origin} {new.number}")
        if not await self.service.db(lambda s: s.add_callback(task, event)):
            key = new.request_key
            known = await self.service.db(lambda s: s.callback_by_key(key))
            return RequestResult("ok", known)
        log.info("callback task %s: %s request for queue %s", task.task_id, new.origin, new.queue)
        self.publish(task)
        return RequestResult("ok", task)

    async def _merge(self, task: CallbackTask, new: NewRequest) -> CallbackTask:
        """A second request for an open task: one task, the earlier place in
        line, both topics; a time asked for now replaces the old one."""
        merged = replace(
            task,
            arrival_at=min(task.arrival_at, new.arrival_at),
            priority=max(task.priority, new.priority),
            topic=_joined(task.topic, new.topic, 200),
            notes=_joined(task.notes, new.notes, NOTE_LIMIT),
            name=task.name or new.name,
            preferred_agent=new.preferred_agent or task.preferred_agent,
            due_at=new.due_at if new.origin == ORIGIN_SCHEDULED else min(task.due_at, new.due_at),
            window_end=new.window_end if new.origin == ORIGIN_SCHEDULED else task.window_end,
            updated_at=self.now(),
        )
        event = CallbackEvent(task.task_id, self.now(), "merged", new.created_by, f"{new.origin} {new.number}")
        await self.service.db(lambda s: s.update_callback(merged, event))
        self.publish(merged)
        return merged

    # -- one agent at a time ----------------------------------------------------
    async def get(self, task_id: str) -> CallbackTask:
        task = await self.service.db(lambda s: s.get_callback(task_id))
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
        won = await self.service.db(lambda s: s.claim_callback(task_id, agent, now, (CB_WAITING, CB_OFFERED)))
        if won is None:
            holder = await self.get(task_id)
            name = self.service.names().get(holder.agent, holder.agent)
            raise CommandError(409, f"{name} ({holder.agent}) is already calling this customer"
                               if holder.agent else "this callback is being offered to another agent")
        if task.state == CB_OFFERED:
            self._withdraw(task_id)
        self.publish(won)
        return won

    async def release(self, task_id: str, agent: str, kind: str = "released", due_at: float | None = None,
                      detail: str = "") -> CallbackTask:
        """Back into the line: due at `due_at` (now), same place in line."""
        task = await self.get(task_id)
        if task.state not in OPEN_CALLBACK_STATES or (task.state == CB_CLAIMED and task.agent != agent):
            raise CommandError(409, "this callback is not yours to put back")
        was_offered = task.state == CB_OFFERED
        back = replace(task, state=CB_WAITING, agent="", due_at=due_at if due_at is not None else task.due_at,
                       updated_at=self.now())
        await self.service.db(lambda s: s.update_callback(back, CallbackEvent(task_id, self.now(), kind, agent,
                                                                              detail[:200])))
        if was_offered:
            self._withdraw(task_id)
        self.publish(back)
        return back

    async def skip(self, task_id: str, agent: str, reason: str) -> CallbackTask:
        """The agent it was offered to passes; others get it after the queue's skip delay."""
        task = await self.get(task_id)
        delay = self.policy(task.queue).skip_delay_seconds
        return await self.release(task_id, agent, "skipped", self.now() + delay, reason)

    async def reschedule(self, task_id: str, agent: str, due_at: float, note: str) -> CallbackTask:
        task = await self.get(task_id)
        if task.state == CB_CLAIMED and task.agent != agent:
            raise CommandError(409, "another agent is working on this callback")
        if task.state not in OPEN_CALLBACK_STATES:
            raise CommandError(409, "this callback is already closed")
        if due_at < self.now() - 60 or due_at > self.now() + self.settings.days_ahead * 86400 + 86400:
            raise CommandError(400, f"a callback can be rescheduled up to {self.settings.days_ahead} days ahead")
        moved = replace(task, state=CB_WAITING, agent="", due_at=due_at, window_end=None,
                        notes=_joined(task.notes, note, NOTE_LIMIT), updated_at=self.now())
        event = CallbackEvent(task_id, self.now(), "rescheduled", agent, f"{due_at:.0f}")
        await self.service.db(lambda s: s.update_callback(moved, event))
        if task.state == CB_OFFERED:
            self._withdraw(task_id)
        self.publish(moved)
        return moved

    async def cancel(self, task_id: str, by: str, reason: str, kind: str = "cancelled") -> CallbackTask:
        task = await self.get(task_id)
        if task.state not in OPEN_CALLBACK_STATES:
            return task
        now = self.now()
        closed = replace(task, state=CB_CANCELLED, agent="", closed_at=now, updated_at=now)
        await self.service.db(lambda s: s.update_callback(closed, CallbackEvent(task_id, now, kind, by,
                                                                                reason[:200])))
        if task.state == CB_OFFERED:
            self._withdraw(task_id)
        self.publish(closed)
        return closed

    # -- the dialplan's dial step ----------------------------------------------
    async def dial(self, task_id: str, phone: str) -> tuple[str, str, str]:
        """("ok", number, caller id) when the agent on `phone` may call the
        customer now (it holds the task, or answered its placeholder), else
        ("taken"|"closed", "", "")."""
        agent = self.service.agent_of_phone(phone)
        task = await self.service.db(lambda s: s.get_callback(task_id))
        if agent is None or task is None:
            return "taken", "", ""
        if task.state not in OPEN_CALLBACK_STATES:
            return "closed", "", ""
        if not (task.state == CB_CLAIMED and task.agent == agent):
            now = self.now()
            won = await self.service.db(lambda s: s.claim_callback(task_id, agent, now, (CB_OFFERED, CB_WAITING)))
            if won is None:
                return "taken", "", ""
            task = won
            self.publish(task)
        return "ok", task.number, self.policy(task.queue).caller_id

    async def dialled(self, task_id: str, phone: str, status: str) -> None:
        """The dial step is over: an unanswered attempt is recorded at once
        by the retry policy; an answered one waits for the agent's outcome."""
        task = await self.service.db(lambda s: s.get_callback(task_id))
        agent = self.service.agent_of_phone(phone) or phone
        if task is None:
            return
        now = self.now()
        event = CallbackEvent(task_id, now, "dialled", agent, status[:20])
        outcome = DIAL_OUTCOMES.get(status)
        if outcome is None or task.state != CB_CLAIMED:
            first = task.first_attempt_at if task.first_attempt_at is not None else now
            marked = replace(task, first_attempt_at=first, updated_at=now)
            await self.service.db(lambda s: s.update_callback(marked, event))
            self.publish(marked)
            return
        await self.service.db(lambda s: s.add_callback_event(event))
        await self.record_outcome(task, agent, outcome, "")

    async def outcome(self, task_id: str, agent: str, outcome: str, note: str,
                      retry_at: float | None = None) -> CallbackTask:
        """The agent's outcome of their attempt; `retry_at` replaces the
        policy's next attempt time when the task stays open."""
        task = await self.get(task_id)
        if task.state != CB_CLAIMED or task.agent != agent:
            recorded = f" ({task.last_outcome.replace('_', ' ')})" if task.last_outcome else ""
            raise CommandError(409, f"the outcome of this attempt is already recorded{recorded}")
        return await self.record_outcome(task, agent, outcome, note, retry_at)

    async def record_outcome(self, task: CallbackTask, agent: str, outcome: str, note: str,
                             retry_at: float | None = None) -> CallbackTask:
        now = self.now()
        after = after_outcome(task, outcome, now, self.policy(task.queue))
        if retry_at is not None and after.state == CB_WAITING:
            after = replace(after, due_at=retry_at, arrival_at=retry_at)
        after = replace(after, notes=_joined(after.notes, note, NOTE_LIMIT), updated_at=now)
        event = CallbackEvent(task.task_id, now, "outcome", agent, outcome)
        await self.service.db(lambda s: s.update_callback(after, event))
        log.info("callback task %s: %s by %s -> %s", task.task_id, outcome, agent, after.state)
        self.publish(after)
        return after

    # -- calls that answer a task ------------------------------------------------------
    async def served_inbound(self, number: str, queue: str) -> None:
        """The customer called in and an agent has them: their "call me as
        soon as you can" task of that queue is answered by that."""
        task = await self.service.db(lambda s: s.open_callback_for(number, queue))
        if task is not None and task.origin in SERVED_CANCELS and task.state in (CB_WAITING, CB_OFFERED):
            await self.cancel(task.task_id, "", "the customer called in and was served", "served_inbound")

    async def missed(self, queue: str, uniqueid: str, number: str, name: str, waited: int) -> None:
        policy = self.policy(queue)
        if not policy.enabled or policy.missed_min_wait_seconds <= 0 or waited < policy.missed_min_wait_seconds:
            return
        now = self.now()
        await self.request(NewRequest(queue=queue, number=number, origin=ORIGIN_MISSED, created_by="missed",
                                      due_at=now, arrival_at=now - waited, name=name,
                                      request_key=f"missed:{uniqueid}"))

    async def expire_claims(self, older_than: float) -> None:
        """Claims left behind (a desktop that vanished mid-task): an answered
        attempt counts as reached, anything else goes back into the line."""
        for task in await self.service.db(lambda s: s.open_callbacks(None)):
            if task.state != CB_CLAIMED or task.updated_at > older_than:
                continue
            if task.first_attempt_at is not None and task.first_attempt_at >= task.updated_at - 1:
                await self.record_outcome(task, task.agent, "reached", "(assumed: no outcome was given)")
            else:
                await self.release(task.task_id, task.agent, "released", detail="claim expired")

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

    async def _store(self, task: CallbackTask, event: CallbackEvent | None) -> None:
        await self.service.db(lambda s: s.update_callback(task, event))

    # -- pushing -------------------------------------------------------------
    def publish(self, task: CallbackTask) -> None:
        policy = self.policy(task.queue)
        view = task_view(task, self.service.names(), self.settings.region, policy.autodial_seconds)
        self.service.hub.publish("callback", view)

    def view(self, task: CallbackTask, names: dict[str, str] | None = None) -> dict[str, object]:
        policy = self.policy(task.queue)
        return task_view(task, names if names is not None else self.service.names(), self.settings.region,
                         policy.autodial_seconds)

    def _withdraw(self, task_id: str) -> None:
        for hook in self.on_withdraw:
            hook(task_id)


def _joined(old: str, new: str, limit: int) -> str:
    new = new.strip()
    if not new or new in old:
        return old
    return (f"{old}\n{new}" if old else new)[:limit]
