"""Callback requests: from the queue's press-1 IVR, the web form, agents
and abandoned calls, checked (a real number, not blocked, not too many)
and stored once — a request carrying a key (the caller's channel uniqueid)
however often it is repeated, and a number has at most one open task per
queue (new requests merge into it). Also the base every task operation
builds on: atomic changes on the store thread, pushing to desktops.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace

from agentdesk.contract import events
from agentdesk.contract.states import CB_WAITING, CLOSED_CALLBACK_STATES, ORIGIN_MISSED, ORIGIN_SCHEDULED, ORIGIN_WEB

from ..hub import EventHub
from ..people import People
from ..queues.board import QueueBoard
from ..runtime import Clock, StoreAccess
from ..seats import Seats
from ..store import Store
from ..store.records import CallbackEvent, CallbackTask
from .numbers import normalise
from .placements import Placements
from .settings import CallbackSettings, QueueCallbackPolicy
from .views import may_see_task, task_view
from .web import WebCallbackRequest

log = logging.getLogger("agentdesk.server.callbacks")

LIMITED_REQUESTERS = {"ivr", "web"}  # customers asking; agents and missed calls are not rate-limited
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


class CallbackRequests:
    """Requests, and the base of CallbackTasks."""

    def __init__(self, settings: CallbackSettings, db: StoreAccess, clock: Clock, people: People, seats: Seats,
                 board: QueueBoard, hub: EventHub, placements: Placements,
                 figures_changed: Callable[[str], None]) -> None:
        self.settings = settings
        self._db = db
        self._clock = clock
        self._people = people
        self._seats = seats
        self._board = board
        self._hub = hub
        self._placements = placements
        self._figures_changed = figures_changed  # a queue's figures today count its closed tasks
        self.switched_on = True  # switch() turns callbacks off (the tests' own build of the service)
        self._request_lock = asyncio.Lock()
        self.answered: set[str] = set()  # claimed tasks whose customer answered the current attempt
        self.caller_on_line: set[str] = set()  # request keys (uniqueids) of callers still in the IVR

    def policy(self, queue: str) -> QueueCallbackPolicy:
        policy = self.settings.policy(queue)
        return policy if self.switched_on else replace(policy, enabled=False)

    def switch(self, on: bool) -> None:
        """No offers and no tasks from abandoned calls while off (only the
        tests' own build of the service can switch, tests/helpers/testdesk.py)."""
        self.switched_on = on
        log.warning("callbacks switched %s (test set-up)", "on" if on else "off")

    def now(self) -> float:
        return self._clock()

    # -- requests ------------------------------------------------------------
    async def check_number(self, number: str) -> tuple[str, str]:
        """("ok", dialable digits) | ("invalid", "") | ("refused", "")."""
        digits = normalise(number, self.settings.region, self.settings.allow_international)
        if digits is None:
            return "invalid", ""
        now = self.now()
        if await self._db(lambda s: s.callbacks.is_callback_blocked(digits, now)):
            return "refused", ""
        return "ok", digits

    async def request(self, new: NewRequest) -> RequestResult:
        """One request at a time: two arriving together (a double-clicked
        form, a missed call and a web request) make one task."""
        async with self._request_lock:
            return await self._request(new)

    async def _request(self, new: NewRequest) -> RequestResult:
        kind, digits = await self.check_number(new.number)
        if kind != "ok":
            await self._record_refusal(new, kind)
            return RequestResult(kind)
        new = replace(new, number=digits)
        if new.request_key:
            key = new.request_key
            known = await self._db(lambda s: s.callbacks.callback_by_key(key))
            if known is not None:
                return RequestResult("ok", known)
        existing = await self._db(lambda s: s.callbacks.open_callback_for(digits, new.queue))
        if new.created_by in LIMITED_REQUESTERS and await self._over_limit(digits):
            await self._record_refusal(new, "limited")
            return RequestResult("limited", existing)
        merged = await self._merge(existing, new) if existing is not None else None
        if merged is not None:
            return RequestResult("merged", merged)
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
        count = await self._db(lambda s: s.callbacks.count_callback_requests(number, since))
        return count >= self.settings.per_number_limit

    async def _record_refusal(self, new: NewRequest, why: str) -> None:
        event = CallbackEvent("", self.now(), "refused", new.created_by, f"{why} {new.number[:40]} {new.origin}")
        log.info("callback request of %s refused: %s", new.origin, why)
        await self._db(lambda s: s.callbacks.add_callback_event(event))

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
        if not await self._db(lambda s: s.callbacks.add_callback(task, event)):
            key = new.request_key
            known = await self._db(lambda s: s.callbacks.callback_by_key(key))
            return RequestResult("ok", known)
        log.info("callback task %s: %s request for queue %s", task.task_id, new.origin, new.queue)
        self.publish(task)
        return RequestResult("ok", task)

    async def _merge(self, task: CallbackTask, new: NewRequest) -> CallbackTask | None:
        """A second request for an open task: one task, the earlier place in
        line, both topics; a time asked for now replaces the old one (and
        its place: it enters the line at that time). None: it closed meanwhile."""
        def change(t: CallbackTask) -> CallbackTask:
            later = new.origin == ORIGIN_SCHEDULED and new.due_at > t.due_at
            return replace(
                t,
                arrival_at=new.arrival_at if later else min(t.arrival_at, new.arrival_at),
                priority=max(t.priority, new.priority),
                topic=_joined(t.topic, new.topic, 200),
                notes=_joined(t.notes, new.notes, NOTE_LIMIT),
                name=t.name or new.name,
                preferred_agent=new.preferred_agent or t.preferred_agent,
                due_at=new.due_at if new.origin == ORIGIN_SCHEDULED else min(t.due_at, new.due_at),
                window_end=new.window_end if new.origin == ORIGIN_SCHEDULED else t.window_end,
            )

        _, merged = await self.change(task.task_id, lambda t: t.is_open, change, "merged", new.created_by,
                                       f"{new.origin} {new.number}")
        if merged is not None:
            self.publish(merged)
        return merged

    async def missed(self, queue: str, uniqueid: str, number: str, name: str, waited: int) -> None:
        policy = self.policy(queue)
        if not policy.enabled or policy.missed_min_wait_seconds <= 0 or waited < policy.missed_min_wait_seconds:
            return
        now = self.now()
        await self.request(NewRequest(queue=queue, number=number, origin=ORIGIN_MISSED, created_by="missed",
                                      due_at=now, arrival_at=now - waited, name=name,
                                      request_key=f"missed:{uniqueid}"))

    async def _store(self, task: CallbackTask, event: CallbackEvent | None) -> None:
        await self._db(lambda s: s.callbacks.update_callback(task, event))

    async def change(self, task_id: str, allowed: Callable[[CallbackTask], bool],
                      change: Callable[[CallbackTask], CallbackTask], kind: str, by: str,
                      detail: str = "") -> tuple[CallbackTask | None, CallbackTask | None]:
        """Read, check and write a task in one step on the store thread (which
        runs store work one at a time), so nothing that happened between a
        read and a write is overwritten: (the task as found, the task after,
        or None when `allowed` said no)."""
        now = self.now()

        def work(store: Store) -> tuple[CallbackTask | None, CallbackTask | None]:
            current = store.callbacks.get_callback(task_id)
            if current is None or not allowed(current):
                return current, None
            after = replace(change(current), updated_at=now)
            event = CallbackEvent(task_id, now, kind, by, detail[:200]) if kind else None
            store.callbacks.update_callback(after, event)
            return current, after

        return await self._db(work)

    # -- pushing -------------------------------------------------------------
    def publish(self, task: CallbackTask) -> None:
        """To the desktops whose person may read the task (the REST API's rule)."""
        policy = self.policy(task.queue)
        view = task_view(task, self._people.names(), self.settings.region, policy.autodial_seconds)
        self._hub.publish(events.CALLBACK, view, audience=self.audience(task))
        if task.state in CLOSED_CALLBACK_STATES or task.attempts == 1:
            self._figures_changed(task.queue)

    def audience(self, task: CallbackTask) -> Callable[[str, str], bool]:
        board = self._board
        return lambda agent, role: may_see_task(task, agent, role, board.memberships_of(agent))

    def view(self, task: CallbackTask, names: dict[str, str] | None = None) -> dict[str, object]:
        policy = self.policy(task.queue)
        return task_view(task, names if names is not None else self._people.names(), self.settings.region,
                         policy.autodial_seconds)

    def _withdraw(self, task_id: str) -> None:
        self._placements.withdraw(task_id)



def _joined(old: str, new: str, limit: int) -> str:
    new = new.strip()
    if not new or new in old:
        return old
    return (f"{old}\n{new}" if old else new)[:limit]
