"""The desk service: the one place that holds AMI, knows the queues, and
tells desktops what is going on.

It owns the queue board (from AMI), the call log and the agents' wishes
(in the store), and the event hub (server-sent events to desktops). Store
calls run on one worker thread, in order; everything else runs on the
asyncio loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import datetime
from typing import Any, TypeVar

from .agents import AgentDirector
from .ami.client import AmiClient, AmiError
from .ami.protocol import AmiMessage
from .auth import Sessions
from .board import QueueBoard
from .calllog import CallLog
from .config import DeskConfig
from .hub import EventHub
from .people import People, Person
from .store import CallRecord, DayStats, PauseState, Store
from .views import agent_view, call_view, combined_activity, queue_view

log = logging.getLogger("desk.service")

T = TypeVar("T")
STATS_DELAY_SECONDS = 0.2
RESYNC_ATTEMPTS = 20
RESYNC_PAUSE_SECONDS = 0.5


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
        self.calls.phone_agent = self.agent_of_phone
        self.director = AgentDirector(self.ami, self.board, self.db, clock)
        self.pauses: dict[str, PauseState] = {}
        self._stats: dict[str, DayStats] = {}
        self._stats_due: set[str] = set()
        self._activity: dict[str, tuple[str, str, float]] = {}
        self.synced = asyncio.Event()

    async def db(self, work: Callable[[Store], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, self.store)

    async def start(self) -> None:
        self.pauses = await self.db(lambda s: s.pause_states())
        await self.sessions.purge()
        await self.ami.start()

    async def stop(self) -> None:
        self.hub.close_all()
        await self.ami.stop()
        await self.calls.stop()
        self._executor.shutdown(wait=True)

    # -- AMI ---------------------------------------------------------------
    def _on_event(self, event: AmiMessage) -> None:
        change = self.board.apply(event)
        self.calls.handle(event)
        if event.name == "QueueCallerJoin":
            asyncio.get_running_loop().create_task(self._flag_vip(event.get("Uniqueid"), event.get("CallerIDNum")))
        happened = _timestamp(event, self.clock())
        for queue in change.queues:
            self.publish_queue(queue, happened)
        for agent in change.agents:
            self.publish_agent(agent)

    async def _flag_vip(self, uniqueid: str, number: str) -> None:
        if await self.db(lambda s: s.is_vip(number)):
            self.board.mark_vip(uniqueid)
            found = self.board.caller(uniqueid)
            if found is not None:
                self.publish_queue(found[0].name)

    async def _on_connected(self) -> None:
        log.info("connected to Asterisk; resynchronising queues and agents")
        await self._resync()
        await self.director.reconcile()
        await self._resync()
        live = {uid for queue in self.board.queues.values() for uid in queue.callers}
        await self.calls.close_stale(live)
        vips = await self.db(lambda s: s.vip_numbers())
        for queue in self.board.queues.values():
            for caller in queue.callers.values():
                caller.vip = caller.number in vips
            await self._refresh_stats(queue.name)
        self.synced.set()
        self.hub.publish("pbx", {"connected": True})
        for person in self.people.all():
            self.publish_agent(person.agent)

    async def _resync(self) -> None:
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
                return
            await asyncio.sleep(RESYNC_PAUSE_SECONDS)
        log.error("Asterisk reports no queues; is app_queue loaded and queues.conf valid?")

    def _on_disconnected(self, reason: str) -> None:
        log.warning("lost Asterisk: %s", reason)
        self.synced.clear()
        self.hub.publish("pbx", {"connected": False})

    # -- statistics ------------------------------------------------------------
    def _stats_changed(self, queue: str) -> None:
        if queue in self._stats_due:
            return
        self._stats_due.add(queue)
        asyncio.get_running_loop().call_later(
            STATS_DELAY_SECONDS, lambda: asyncio.ensure_future(self._refresh_stats(queue))
        )

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

    # -- views -------------------------------------------------------------------
    def names(self) -> dict[str, str]:
        return {p.agent: p.name for p in self.people.all()}

    def queue_json(self, name: str) -> dict[str, Any]:
        title = self.config.queue_titles.get(name, name.capitalize())
        return queue_view(self.board.queues[name], title, self._stats.get(name), self.names())

    def agent_json(self, person: Person) -> dict[str, Any]:
        # Asterisk's members are the truth; the stored pause gives the time
        # the pause began (it survives restarts of this service).
        members = self.board.memberships_of(person.agent)
        paused_members = [m for m in members.values() if m.paused]
        activity = combined_activity([m.activity for m in members.values()], bool(paused_members))
        reason = paused_members[0].reason if paused_members else ""
        since = self._since(person.agent, activity, reason, self.pauses.get(person.agent))
        phone = self.board.phone_of(person.agent) or person.agent
        queues = {name: name in members for name in sorted(self.board.queues)}
        return agent_view(person, phone, queues, activity, reason, since)

    def _since(self, agent: str, activity: str, reason: str, pause: PauseState | None) -> float:
        if activity == "paused" and pause is not None and pause.paused and pause.reason == reason:
            return pause.since
        last = self._activity.get(agent)
        if last is not None and last[:2] == (activity, reason):
            return last[2]
        self._activity[agent] = (activity, reason, self.clock())
        return self._activity[agent][2]

    def snapshot(self, person: Person) -> dict[str, Any]:
        return {
            "server_time": self.clock(),
            "pbx_connected": self.ami.connected,
            "me": self.agent_json(person),
            "queues": [self.queue_json(name) for name in sorted(self.board.queues)],
            "pause_reasons": list(self.config.pause_reasons),
        }

    def publish_queue(self, name: str, happened: float | None = None) -> None:
        """Push a queue's summary; `updated_at` is when Asterisk saw the change
        (lets desktops and the fan-out benchmark see delivery latency)."""
        if name in self.board.queues:
            data = self.queue_json(name)
            data["updated_at"] = happened if happened is not None else self.clock()
            self.hub.publish("queue", data)

    def publish_agent(self, agent: str) -> None:
        person = self.people.get(agent)
        if person is not None:
            self.hub.publish("agent", self.agent_json(person), agent=agent)

    def agent_of_phone(self, phone: str) -> str | None:
        for queue in self.board.queues.values():
            for member in queue.members.values():
                if member.interface == f"PJSIP/{phone}":
                    return member.agent
        return None

    async def call_json(self, uniqueid: str) -> dict[str, Any] | None:
        call = await self.db(lambda s: s.get_call(uniqueid))
        if call is None:
            entry = self.calls.routed_call(uniqueid)  # a sticky offer: not in the queue (yet)
            if entry is None:
                return None
            call = CallRecord(**asdict(entry), agent="", connected_at=None, ended_at=None, hold_seconds=None,
                              talk_seconds=None, outcome="waiting")
        history = await self.db(lambda s: s.calls_of_number(call.number, 5, call.joined_at))
        repeat = any(past.joined_at >= call.joined_at - self.config.repeat_seconds for past in history)
        return call_view(call, history, repeat, self.names())

    # -- agents' commands ----------------------------------------------------------
    async def set_pause(self, agent: str, paused: bool, reason: str) -> None:
        await self.director.pause(agent, paused, reason)
        self.pauses[agent] = PauseState(agent, paused, reason if paused else "", self.clock())
        self.publish_agent(agent)

    async def set_queue_login(self, agent: str, queue: str, logged_in: bool, phone: str) -> None:
        if logged_in:
            await self.director.login(agent, queue, phone)
        else:
            await self.director.logout(agent, queue)

    # -- the dialplan's questions -------------------------------------------------
    async def route(self, queue: str, number: str, uniqueid: str = "") -> tuple[int, str]:
        """(priority, phone of a free sticky agent or "") for a caller about to queue."""
        vip = await self.db(lambda s: s.is_vip(number))
        since = self.clock() - self.config.sticky_seconds
        agent = await self.db(lambda s: s.last_agent(number, since)) if number else None
        phone = ""
        if agent and self.board.is_free(agent) and agent in self.board.queues.get(queue, _EMPTY).members:
            phone = self.board.phone_of(agent) or ""
        if phone:
            self.calls.routed(uniqueid, queue, number)
        return (10 if vip else 0), phone


class _Empty:
    members: dict[str, object] = {}  # noqa: RUF012


_EMPTY: Any = _Empty()


def _timestamp(event: AmiMessage, default: float) -> float:
    try:
        return float(event.get("Timestamp"))
    except ValueError:
        return default


def _midnight(now: float) -> float:
    local = datetime.fromtimestamp(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
