"""The desk service: the one place that holds AMI, knows the queues, and
tells desktops what is going on.

It owns the queue board (from AMI), the call log, the agents' transfers
and wishes (in the store), and the event hub (server-sent events to
desktops). Store calls run on one worker thread, in order; everything else
runs on the asyncio loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from agentdesk.contract import events
from agentdesk.contract.queues import (
    AgentState,
    DeskSnapshot,
    QueueSummary,
    dump_agent_state,
    dump_queue,
    dump_snapshot,
)
from agentdesk.contract.states import TEAMLEAD
from agentdesk.server.directory import Person

from .ami.client import AmiClient, AmiError
from .ami.fields import event_time
from .ami.protocol import AmiMessage
from .auth import Sessions
from .callbacks.dispatch import CallbackDispatcher
from .callbacks.hooks import CallbackHooks, is_identifying
from .callbacks.pending import PendingRequests
from .callbacks.tasks import CallbackTasks
from .config import DeskConfig
from .hub import EventHub
from .people import People
from .queues.agents import AgentDirector
from .queues.board import QueueBoard, callback_task_of
from .queues.calllog import CallLog
from .store import (
    CallEntry,
    CallRecord,
    DayStats,
    PauseState,
    Store,
    TransferRecord,
)
from .transfers import TransferKpi, TransferLog, transfer_kpi
from .views import (
    agent_state,
    call_view,
    combined_activity,
    queue_summary,
)
from .wrapups.records import WrapUpRecords
from .wrapups.sessions import LOGGED_OUT, WrapUpSessions

log = logging.getLogger("agentdesk.server")

T = TypeVar("T")
STATS_DELAY_SECONDS = 0.2
RESYNC_ATTEMPTS = 20
RESYNC_PAUSE_SECONDS = 0.5
SYNC_RETRY_SECONDS = 5.0


class DeskService:
    def __init__(self, config: DeskConfig, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.clock = clock
        self.store = store
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="store")
        self.people = People(config.directory, config.secrets)
        self.board = QueueBoard(clock)
        self.hub = EventHub()
        self.sessions = Sessions(self.people, self.db, clock, config.token_seconds)
        self.ami = AmiClient(
            config.ami.host, config.ami.port, config.ami.username, config.ami.secret,
            on_event=self._on_event, on_connected=self._on_connected, on_disconnected=self._on_disconnected,
        )
        self.calls = CallLog(self.db, clock, self._stats_changed)
        self.calls.phone_agent = self.board.agent_on_phone
        self.transfers = TransferLog(self.db, self.calls, self.agent_of_phone, clock)
        self.director = AgentDirector(self.ami, self.board, self.db, clock)
        self.pauses: dict[str, PauseState] = {}
        self._stats: dict[str, DayStats] = {}
        self._stats_due: set[str] = set()
        self._activity: dict[str, tuple[str, str, float]] = {}
        self.synced = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self.callbacks = CallbackTasks(self, config.callbacks)
        self.callback_dispatch = CallbackDispatcher(self, self.callbacks)
        self.pending_callbacks = PendingRequests(self)
        self.callback_hooks = CallbackHooks(self)
        self.wrapups = WrapUpSessions(self, config.wrapup_policy, True)
        self.wrapup_records = WrapUpRecords(self)
        self.calls.sticky_completed = self.wrapups.sticky_call_ended

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self._spawn(work)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in the background; its failure is logged, never lost."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background work failed", exc_info=task.exception())

    async def db(self, work: Callable[[Store], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, self.store)

    async def start(self) -> None:
        self.pauses = await self.db(lambda s: s.pause_states())
        await self.wrapups.load()
        await self.sessions.purge()
        await self.ami.start()
        self._spawn(self._new_day_refresh())
        self._spawn(self.callback_dispatch.run())
        self._spawn(self.pending_callbacks.run())

    async def stop(self) -> None:
        self.hub.close_all()
        await self.ami.stop()
        self.transfers.stop()
        await self.calls.stop()
        for task in list(self._tasks):
            task.cancel()
        self._executor.shutdown(wait=True)

    async def _new_day_refresh(self) -> None:
        """At midnight "today" starts again, even if no call comes."""
        while True:
            now = self.clock()
            await asyncio.sleep(max(1.0, _midnight(now) + 86400 + 1 - now))
            for queue in list(self.board.queues):
                await self._refresh_stats(queue)

    # -- AMI ---------------------------------------------------------------
    def _on_event(self, event: AmiMessage) -> None:
        change = self.board.apply(event)
        self.calls.handle(event)
        self.transfers.handle(event)
        if event.name == "QueueCallerJoin":
            self._spawn(self._flag_vip(event.get("Uniqueid"), event.get("CallerIDNum")))
        self.callback_hooks.milestones(event)
        self.callback_dispatch.handle(event)
        if event.name in ("AgentConnect", "AgentComplete") and self.people.get(event.get("MemberName")) \
                and not callback_task_of(event.get("Channel")):
            self._wrap_up(event)
        happened = event_time(event, self.clock())
        for queue in change.queues:
            self.publish_queue(queue, happened)
        for agent in change.agents:
            self.publish_agent(agent)

    def _wrap_up(self, event: AmiMessage) -> None:
        if event.name == "AgentConnect":
            self.wrapups.agent_connect(event)
        else:
            self.calls.in_order(self._start_wrap_up, event)  # after the call's end is written

    async def _start_wrap_up(self, event: AmiMessage) -> None:
        self._spawn(self.wrapups.agent_complete(event))  # not holding up the call log

    def average_handle_seconds(self, queue: str) -> float | None:
        """A running average of the queue's talk times (None before the first call)."""
        return self.callback_hooks.average_handle_seconds(queue)

    async def _flag_vip(self, uniqueid: str, number: str) -> None:
        if await self.db(lambda s: s.is_vip(number)):
            self.board.mark_vip(uniqueid)
            found = self.board.caller(uniqueid)
            if found is not None:
                self.publish_queue(found[0].name)

    async def _on_connected(self) -> None:
        log.info("connected to Asterisk; resynchronising queues and agents")
        if not await self._resync():
            # Never reconcile against a picture Asterisk did not confirm.
            self.board.queues.clear()
            self._spawn(self._retry_sync())
            return
        await self.director.reconcile()
        await self._resync()
        self.wrapups.arm_all()  # overdue wrap-ups end now, their unpause reaching Asterisk
        live = await self._live_channels()
        if live is not None:
            await self.calls.close_stale(live | {uid for q in self.board.queues.values() for uid in q.callers})
        vips = await self.db(lambda s: s.vip_numbers())
        for queue in self.board.queues.values():
            for caller in queue.callers.values():
                caller.vip = caller.number in vips
            await self._refresh_stats(queue.name)
        await self.callback_dispatch.adopt()  # before the dispatcher may run again
        self.synced.set()
        self._spawn(self.callback_hooks.import_pending())
        self.hub.publish(events.PBX, {"connected": True})
        for person in self.people.all():
            self.publish_agent(person.agent)

    async def _retry_sync(self) -> None:
        await asyncio.sleep(SYNC_RETRY_SECONDS)
        if self.ami.connected and not self.synced.is_set():
            await self._on_connected()

    async def _resync(self) -> bool:
        # Just after a cold start AMI can answer before app_queue is loaded
        # (our AMI user does not get FullyBooted): retry until queues appear.
        for attempt in range(RESYNC_ATTEMPTS):
            try:
                events = await self.ami.action_list("QueueStatus")
            except AmiError as error:
                log.info("QueueStatus failed (%s); attempt %d", error, attempt + 1)
                events = []
            if any(event.name == "QueueParams" for event in events):
                self.board.load_status(events)
                return True
            await asyncio.sleep(RESYNC_PAUSE_SECONDS)
        log.error("Asterisk reports no queues; is app_queue loaded and queues.conf valid? Retrying.")
        return False

    async def _live_channels(self) -> set[str] | None:
        """Uniqueids of every channel Asterisk has now (None if unknown)."""
        try:
            events = await self.ami.action_list("CoreShowChannels")
        except AmiError as error:
            log.warning("CoreShowChannels failed: %s", error)
            return None
        return {e.get("Uniqueid") for e in events} | {e.get("Linkedid") for e in events}

    def _on_disconnected(self, reason: str) -> None:
        log.warning("lost Asterisk: %s", reason)
        self.synced.clear()
        self.hub.publish(events.PBX, {"connected": False})

    # -- statistics ------------------------------------------------------------
    def _stats_changed(self, queue: str) -> None:
        if queue in self._stats_due:
            return
        self._stats_due.add(queue)
        asyncio.get_running_loop().call_later(STATS_DELAY_SECONDS, lambda: self._spawn(self._refresh_stats(queue)))

    async def _refresh_stats(self, queue: str) -> None:
        self._stats_due.discard(queue)
        state = self.board.queues.get(queue)
        level = state.service_level_seconds if state else 30
        start, now = _midnight(self.clock()), self.clock()
        try:
            self._stats[queue] = await self.db(lambda s: s.day_stats(queue, start, now + 1, level))
        except Exception:
            log.exception("computing today's statistics of %s failed", queue)
            return
        self.publish_queue(queue)

    # -- transfers -----------------------------------------------------------------
    def agent_of_phone(self, phone: str) -> str | None:
        """The agent working on `phone`: the one logged in there (hot-desking),
        else the phone's own person in the directory (None: nobody's phone).
        A queue member not named by an agent ID (added outside the desk
        service) does not count."""
        for agent in (self.board.agent_on_phone(phone), phone):
            if agent is not None and self.people.get(agent) is not None:
                return agent
        return None

    async def transfers_of(self, day: date, agent: str | None = None) -> list[TransferRecord]:
        """The transfers made on `day` (local time), by one agent or all."""
        start, end = day_bounds(day)
        return await self.db(lambda s: s.transfers(start, end, agent))

    async def transfer_rates(self, day: date) -> TransferKpi:
        """The transfer rate by agent and by queue on `day` (local time)."""
        start, end = day_bounds(day)
        answered = await self.db(lambda s: s.answered_counts(start, end))
        return transfer_kpi(await self.db(lambda s: s.transfers(start, end)), answered)

    def today(self) -> date:
        return datetime.fromtimestamp(self.clock()).date()

    # -- views -------------------------------------------------------------------
    def names(self) -> dict[str, str]:
        return {p.agent: p.name for p in self.people.all()}

    def queue_json(self, name: str) -> dict[str, Any]:
        return dump_queue(self.queue_summary(name))

    def queue_summary(self, name: str) -> QueueSummary:
        title = self.queue_title(name)
        extension = self.config.queue_extensions.get(name, "")
        return queue_summary(self.board.queues[name], title, extension, self._stats.get(name), self.names())

    def agent_json(self, person: Person) -> dict[str, Any]:
        return dump_agent_state(self.agent_state(person))

    def agent_state(self, person: Person) -> AgentState:
        # Asterisk's members are the truth; the stored pause gives the time
        # the pause began (it survives restarts of this service).
        members = self.board.memberships_of(person.agent)
        paused_members = [m for m in members.values() if m.paused]
        activity = combined_activity([m.activity for m in members.values()], bool(paused_members))
        reason = paused_members[0].reason if paused_members else ""
        since = self._since(person.agent, activity, reason, self.pauses.get(person.agent))
        phone = self.board.phone_of(person.agent) or person.agent
        queues = {name: name in members for name in sorted(self.board.queues)}
        return agent_state(person, phone, queues, activity, reason, since)

    def _since(self, agent: str, activity: str, reason: str, pause: PauseState | None) -> float:
        if activity == "paused" and pause is not None and pause.paused and pause.reason == reason:
            return pause.since
        last = self._activity.get(agent)
        if last is not None and last[:2] == (activity, reason):
            return last[2]
        self._activity[agent] = (activity, reason, self.clock())
        return self._activity[agent][2]

    def snapshot(self, person: Person) -> dict[str, Any]:
        return dump_snapshot(DeskSnapshot(
            server_time=self.clock(),
            me=self.agent_state(person),
            queues=tuple(self.queue_summary(name) for name in sorted(self.board.queues)),
            pause_reasons=tuple(self.config.pause_reasons),
            pbx_connected=self.ami.connected,
            wrapup=self.wrapups.view_of(person.agent),
        ))

    def publish_queue(self, name: str, happened: float | None = None) -> None:
        """Push a queue's summary; `updated_at` is when Asterisk saw the change
        (lets desktops and the fan-out benchmark see delivery latency)."""
        if name in self.board.queues:
            data = self.queue_json(name)
            data["updated_at"] = happened if happened is not None else self.clock()
            self.hub.publish(events.QUEUE, data)

    def publish_wrapup(self, view: dict[str, Any], agent: str) -> None:
        """A wrap-up's view to its agent's desktops and to the team leads'."""
        for person in self.people.all():
            if person.agent == agent or person.role == TEAMLEAD:
                self.hub.publish(events.WRAPUP, view, agent=person.agent)

    def queue_title(self, queue: str) -> str:
        return self.config.queue_titles.get(queue, queue.capitalize())

    def publish_agent(self, agent: str) -> None:
        person = self.people.get(agent)
        if person is not None:
            self.hub.publish(events.AGENT, self.agent_json(person), agent=agent)

    async def call_json(self, uniqueid: str, queue: str = "") -> dict[str, Any] | None:
        call = await self.calls.lookup(uniqueid, queue) or await self.callback_hooks.placeholder_call(uniqueid)
        if call is None:
            # A sticky offer (not in the queue) or a join the store has not written yet.
            entry = self.calls.routed_call(uniqueid) or self._board_entry(uniqueid)
            if entry is None:
                return None
            call = CallRecord(**asdict(entry), agent="", connected_at=None, ended_at=None, hold_seconds=None,
                              talk_seconds=None, outcome="waiting")
        history: list[CallRecord] = []
        if is_identifying(call.number):  # withheld numbers share no history
            number, before = call.number, call.joined_at
            history = await self.db(lambda s: s.calls_of_number(number, 5, before))
        repeat = any(past.joined_at >= call.joined_at - self.config.repeat_seconds for past in history)
        work = await self.db(lambda s: s.after_call_work(history)) if history else {}
        return call_view(call, history, repeat, self.names(), work)

    def _board_entry(self, uniqueid: str) -> CallEntry | None:
        found = self.board.caller(uniqueid)
        if found is None:
            return None
        queue, caller = found
        return CallEntry(uniqueid, caller.linkedid, queue.name, caller.number, caller.name, caller.joined_at,
                         caller.position, caller.vip)

    def may_see_call(self, person: Person, call: dict[str, Any]) -> bool:
        """Team leads see every call; agents those of their queues or their own."""
        if person.role == TEAMLEAD or call.get("agent") == person.agent:
            return True
        return str(call.get("queue", "")) in self.board.memberships_of(person.agent)

    # -- agents' commands ----------------------------------------------------------
    async def set_pause(self, agent: str, paused: bool, reason: str) -> None:
        """An agent's (or team lead's) wish; being made ready ends a wrap-up."""
        await self.apply_pause(agent, paused, reason)
        if not paused:
            await self.wrapups.agent_unpaused(agent)

    async def apply_pause(self, agent: str, paused: bool, reason: str) -> None:
        await self.director.pause(agent, paused, reason)
        self.pauses[agent] = PauseState(agent, paused, reason if paused else "", self.clock())
        self.publish_agent(agent)

    async def set_queue_login(self, agent: str, queue: str, logged_in: bool, phone: str) -> None:
        if logged_in:
            await self.director.login(agent, queue, phone)
        else:
            await self.director.logout(agent, queue)
            if not await self.db(lambda s: s.memberships(agent)):
                await self.wrapups.agent_gone(agent, LOGGED_OUT)

    # -- the dialplan's questions -------------------------------------------------
    async def route(self, queue: str, number: str, uniqueid: str = "") -> tuple[int, str]:
        """(priority, phone of a free sticky agent or "") for a caller about to queue."""
        vip = await self.db(lambda s: s.is_vip(number))
        since = self.clock() - self.config.sticky_seconds
        agent = await self.db(lambda s: s.last_agent(number, since)) if number else None
        phone = ""
        queue_state = self.board.queues.get(queue)
        member = queue_state is not None and agent in queue_state.members
        if agent and member and is_identifying(number) and self.board.is_free(agent):
            phone = self.board.phone_of(agent) or ""
        if phone:
            self.calls.routed(uniqueid, queue, number)
        return (10 if vip else 0), phone


def day_bounds(day: date) -> tuple[float, float]:
    """[local midnight of `day`, local midnight of the next day) in epoch
    seconds (a day with a clock change is 23 or 25 hours long)."""
    start = datetime.combine(day, datetime.min.time())
    return start.timestamp(), (start + timedelta(days=1)).timestamp()


def _midnight(now: float) -> float:
    local = datetime.fromtimestamp(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
