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
from datetime import date, datetime
from typing import Any, TypeVar

from agentdesk.contract import events
from agentdesk.contract.queues import (
    DeskSnapshot,
    dump_snapshot,
)
from agentdesk.server.directory import Person

from .ami.client import AmiClient, AmiError
from .ami.fields import event_time
from .ami.protocol import AmiMessage
from .attempts import FailedAttempts
from .auth import Sessions
from .callbacks.dispatch import CallbackDispatcher
from .callbacks.hooks import CallbackHooks
from .callbacks.ivr import IvrIntake
from .callbacks.pending import PendingRequests
from .callbacks.placements import Placements
from .callbacks.talks import CallbackTalks
from .callbacks.tasks import CallbackTasks
from .calls_view import CallQueries
from .challenges import SignInChallenges
from .config import DeskConfig
from .days import day_bounds
from .hub import EventHub
from .live import LiveViews
from .monitor.audit import AuditLog
from .monitor.changes import FloorChanges
from .monitor.control import FloorControl
from .monitor.counters import AgentDayCounters
from .monitor.feed import FloorFeed
from .monitor.floor import FloorSources, FloorViews
from .monitor.livecalls import BoardMarks, LiveCalls
from .monitor.pending import PendingPauses
from .monitor.quality_now import QualityNow
from .monitor.report import LeadActions
from .monitor.supervision import Supervisions
from .people import People
from .provisioning.authority import AuthorityFile
from .provisioning.enrollments import Enrollments
from .provisioning.settings import AdminSettings
from .queues.agents import AgentDirector
from .queues.board import QueueBoard, callback_task_of
from .queues.calllog import CallLog
from .queues.figures import QueueFigures
from .queues.handling import HandleTimes
from .queues.missed import NotResponding
from .queues.pauses import AgentPauses, PauseBook
from .runtime import Background, StoreRunner
from .seats import Seats
from .store import (
    Store,
    TransferRecord,
)
from .transfers import TransferKpi, TransferLog, transfer_kpi
from .wrapups.records import WrapUpRecords
from .wrapups.sessions import LOGGED_OUT, WrapUpSessions
from .wrapups.surveys import SurveyLog

log = logging.getLogger("agentdesk.server")

T = TypeVar("T")
RESYNC_ATTEMPTS = 20
RESYNC_PAUSE_SECONDS = 0.5
SYNC_RETRY_SECONDS = 5.0
DIRECTORY_POLL_SECONDS = 2.0


class DeskService:
    """Builds the service's parts, each given what it needs, and routes AMI
    events to them; the HTTP routes reach the parts through it."""

    def __init__(self, config: DeskConfig, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.clock = clock
        self.store = store
        self.db = StoreRunner(store)
        self._background = Background()
        spawn = self._background.spawn
        self.people = People(config.directory, config.secrets)
        self.board = QueueBoard(clock)
        self.hub = EventHub()
        self.seats = Seats(self.board, self.people)
        self.sessions = Sessions(self.people, SignInChallenges(clock), self.db, clock, config.token_seconds)
        self.ami = AmiClient(
            config.ami.host, config.ami.port, config.ami.username, config.ami.secret,
            on_event=self._on_event, on_connected=self._on_connected, on_disconnected=self._on_disconnected,
        )
        pause_book: PauseBook = {}
        self.changes = FloorChanges()
        self.day_counters = AgentDayCounters(self.db, clock, self.people, self.changes)
        self.views = LiveViews(self.board, self.people, self.hub, config, clock, pause_book, self.changes,
                               self.day_counters)
        self.figures = QueueFigures(self.db, clock, self.board, self.views, spawn)
        self.director = AgentDirector(self.ami, self.board, self.db, clock)
        self.pauses = AgentPauses(self.director, self.db, clock, pause_book, self.views.publish_agent)
        self.not_responding = NotResponding(self.pauses, self.db, clock, spawn, config.pause_after_missed,
                                            self._person_name, self.hub)
        self.audit = AuditLog(self.db, clock)
        self.lead_actions = LeadActions(self.audit, self.hub, self.changes, lambda a: self._person_name(a) or "")
        self.pending_pauses = PendingPauses(self.db, clock, self.pauses, self.lead_actions)
        self.wrapups = WrapUpSessions(self.db, clock, spawn, self.pauses, self.views, config.wrapup_policy,
                                      after_release=self.pending_pauses)
        self.calls = CallLog(self.db, clock, self.figures.changed, self.board.agent_on_phone,
                             self.wrapups.sticky_call_ended)
        self.transfers = TransferLog(self.db, self.calls, self.seats.agent_of_phone, clock)
        self.synced = asyncio.Event()
        self.handle_times = HandleTimes()
        placements = Placements(self.ami, spawn)
        self.callbacks = CallbackTasks(config.callbacks, self.db, clock, self.people, self.seats, self.board,
                                       self.hub, placements, self.figures.changed)
        self.callback_dispatch = CallbackDispatcher(self.callbacks, placements, self.board, self.ami, self.db, clock,
                                                    spawn, self.synced, self.handle_times,
                                                    config.queue_wrapup_seconds, self.wrapups)
        self.callback_talks = CallbackTalks(self.seats)
        self.ivr = IvrIntake(self.callbacks, self.board, self.calls, self.handle_times)
        self.pending_callbacks = PendingRequests(self.ami, self.synced, self.ivr)
        self.callback_hooks = CallbackHooks(self.callbacks, self.db, spawn, self.pending_callbacks)
        self.wrapup_records = WrapUpRecords(self.wrapups, self.callbacks, self.calls, self.db, clock)
        self.surveys = SurveyLog(self.db, clock, self.people, self.seats, self.hub, self.ami, self.synced)
        self.enrollments = Enrollments(self.db, clock, self.people, FailedAttempts(clock))
        self.admin_settings = AdminSettings(self.db, self.hub, config.provisioning)
        self.call_queries = CallQueries(self.calls, self.callback_hooks, self.board, self.db, config, self.people,
                                        clock)
        self.authority = AuthorityFile(config.tls.authority if config.tls is not None else None)
        self.control = FloorControl(self.ami, self.board, self.director, self.calls, self.wrapups,
                                    self.pending_pauses, self.lead_actions, spawn)
        self.monitor_hub = EventHub()  # the team leads' monitor streams
        self.supervisions = Supervisions(self.ami, self.people, self.board.phone_of, self.hub, self.monitor_hub,
                                         self.changes, self.audit, spawn, clock,
                                         listen_notice=config.monitor.listen_notice)
        self.live_calls = LiveCalls(self.seats, BoardMarks(self.board), self.changes)
        self.quality_now = QualityNow(self.live_calls, self.changes)
        self.floor = FloorViews(FloorSources(self.board, self.people, self.live_calls, pause_book, self.wrapups,
                                             self.day_counters, self.views, self.handle_times, self.quality_now,
                                             self.ami, self.supervisions, self.pending_pauses),
                                config.monitor, config.pause_reasons, self.db, clock, self.changes)
        self.floor_feed = FloorFeed(self.monitor_hub, self.changes, self.floor, self.ami, clock)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in the background; its failure is logged, never lost."""
        self._background.spawn(work)

    async def start(self) -> None:
        await self.pauses.load()
        await self.wrapups.load()
        await self.pending_pauses.load()
        await self.day_counters.load()
        await self.sessions.purge()
        await self.enrollments.purge()
        await self.ami.start()
        self.spawn(self.figures.new_days())
        self.spawn(self.follow_directory())
        self.spawn(self.callback_dispatch.run())
        self.spawn(self.pending_callbacks.run())
        self.spawn(self.surveys.run_imports())
        self.spawn(self.day_counters.new_days())
        self.spawn(self.floor_feed.run())

    async def stop(self) -> None:
        self.hub.close_all()
        self.floor_feed.hub.close_all()
        await self.ami.stop()
        self.transfers.stop()
        await self.calls.stop()
        self._background.cancel_all()
        self.db.close()

    async def follow_directory(self) -> None:
        """A change to the directory reaches the desktops by itself: everyone's
        state (which names the queues they may join) is sent again."""
        seen = self.people.generation
        while True:
            await asyncio.sleep(DIRECTORY_POLL_SECONDS)
            if self.people.generation != seen:
                seen = self.people.generation
                log.info("the directory changed; sending everyone's state again")
                for person in self.people.all():
                    self.views.publish_agent(person.agent)

    # -- AMI ---------------------------------------------------------------
    def _on_event(self, event: AmiMessage) -> None:
        change = self.board.apply(event)
        self.live_calls.apply(event)
        self.day_counters.handle(event)
        self.calls.handle(event)
        self.transfers.handle(event)
        self.not_responding.handle(event)
        if event.name == "QueueCallerJoin":
            self.spawn(self._flag_vip(event.get("Uniqueid"), event.get("CallerIDNum")))
        self.callback_hooks.milestones(event)
        ended = self.callback_talks.hangup(event) if event.name == "Hangup" else None
        if ended is not None:  # a callback call is over: after-call work, held from this event on
            self.wrapups.expect(ended.talk.agent)
            self.spawn(self.wrapups.callback_ended(ended.talk.task_id, ended.talk.agent, ended.uniqueid,
                                                   ended.talk.linkedid))
        self.handle_times.handle(event)
        self.callback_dispatch.handle(event)
        self.supervisions.handle(event)
        self.control.handle(event)
        if event.name in ("AgentConnect", "AgentComplete") and self.people.get(event.get("MemberName")) \
                and not callback_task_of(event.get("Channel")):
            self._wrap_up(event)
        happened = event_time(event, self.clock())
        for queue in change.queues:
            self.views.publish_queue(queue, happened)
        for agent in change.agents:
            self.views.publish_agent(agent)

    def _wrap_up(self, event: AmiMessage) -> None:
        if event.name == "AgentConnect":
            self.wrapups.agent_connect(event)
        else:
            self.calls.in_order(self._start_wrap_up, event)  # after the call's end is written

    async def _start_wrap_up(self, event: AmiMessage) -> None:
        self.spawn(self.wrapups.agent_complete(event))  # not holding up the call log

    async def _flag_vip(self, uniqueid: str, number: str) -> None:
        if await self.db(lambda s: s.calls.is_vip(number)):
            self.board.mark_vip(uniqueid)
            found = self.board.caller(uniqueid)
            if found is not None:
                self.views.publish_queue(found[0].name)

    async def _on_connected(self) -> None:
        log.info("connected to Asterisk; resynchronising queues and agents")
        if not await self._resync():
            # Never reconcile against a picture Asterisk did not confirm.
            self.board.queues.clear()
            self.spawn(self._retry_sync())
            return
        await self.director.reconcile()
        await self._resync()
        self.wrapups.arm_all()  # overdue wrap-ups end now, their unpause reaching Asterisk
        live = await self._live_channels()
        if live is not None:
            await self.calls.close_stale(live | {uid for q in self.board.queues.values() for uid in q.callers})
        vips = await self.db(lambda s: s.calls.vip_numbers())
        for queue in self.board.queues.values():
            for caller in queue.callers.values():
                caller.vip = caller.number in vips
            await self.figures.refresh(queue.name)
        await self.callback_dispatch.adopt()  # before the dispatcher may run again
        self.synced.set()
        self.spawn(self.callback_hooks.import_pending())
        self.hub.publish(events.PBX, {"connected": True})
        self.changes.everything()
        for person in self.people.all():
            self.views.publish_agent(person.agent)

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
        self.live_calls.load(events, self.clock())
        return {e.get("Uniqueid") for e in events} | {e.get("Linkedid") for e in events}

    def _on_disconnected(self, reason: str) -> None:
        log.warning("lost Asterisk: %s", reason)
        self.synced.clear()
        self.hub.publish(events.PBX, {"connected": False})
        self.supervisions.pbx_lost()
        self.changes.everything()

    # -- transfers -----------------------------------------------------------------
    def agent_of_phone(self, phone: str) -> str | None:
        return self.seats.agent_of_phone(phone)

    async def transfers_of(self, day: date, agent: str | None = None) -> list[TransferRecord]:
        """The transfers made on `day` (local time), by one agent or all."""
        start, end = day_bounds(day)
        return await self.db(lambda s: s.calls.transfers(start, end, agent))

    async def transfer_rates(self, day: date) -> TransferKpi:
        """The transfer rate by agent and by queue on `day` (local time)."""
        start, end = day_bounds(day)
        answered = await self.db(lambda s: s.calls.answered_counts(start, end))
        return transfer_kpi(await self.db(lambda s: s.calls.transfers(start, end)), answered)

    def today(self) -> date:
        return datetime.fromtimestamp(self.clock()).date()

    # -- views -------------------------------------------------------------------
    def names(self) -> dict[str, str]:
        return self.people.names()

    def _person_name(self, agent: str) -> str | None:
        person = self.people.get(agent)
        return person.name if person is not None else None

    async def missed_offers(self, day: date, agent: str | None = None) -> dict[str, int]:
        """agent -> offers they did not answer on `day` (local time); one agent's or all."""
        start, end = day_bounds(day)
        return await self.db(lambda s: s.missed.missed_offer_counts(start, end, agent))

    def agent_json(self, person: Person) -> dict[str, Any]:
        return self.views.agent_json(person)

    def snapshot(self, person: Person) -> dict[str, Any]:
        return dump_snapshot(DeskSnapshot(
            server_time=self.clock(),
            me=self.views.agent_state(person),
            queues=tuple(self.views.queue_summary(name) for name in sorted(self.board.queues)),
            pause_reasons=tuple(self.config.pause_reasons),
            pbx_connected=self.ami.connected,
            wrapup=self.wrapups.view_of(person.agent),
            number_region=self.config.callbacks.region,
        ))

    # -- agents' commands ----------------------------------------------------------
    async def set_pause(self, agent: str, paused: bool, reason: str) -> None:
        """An agent's (or team lead's) wish; being made ready ends a wrap-up."""
        await self.apply_pause(agent, paused, reason)
        if not paused:
            self.not_responding.agent_ready(agent)
            await self.wrapups.agent_unpaused(agent)

    async def apply_pause(self, agent: str, paused: bool, reason: str) -> None:
        await self.pauses.apply(agent, paused, reason)

    async def set_queue_login(self, agent: str, queue: str, logged_in: bool, phone: str) -> None:
        if logged_in:
            await self.director.login(agent, queue, phone)
        else:
            await self.director.logout(agent, queue)
            if not await self.db(lambda s: s.agents.memberships(agent)):
                await self.wrapups.agent_gone(agent, LOGGED_OUT)
