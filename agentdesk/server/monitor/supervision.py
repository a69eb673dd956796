"""Team leads on an agent's live call: listen, whisper and barge.

A session rings the lead's own phone (agent_call.originate_fields) and,
once answered, spies on the agent's exact call leg with ChanSpy. Its state
follows AMI: ringing until ChanSpyStart names its spyer (`<session>a`),
then live until ChanSpyStop or a Hangup of either half of the Local
channel; an OriginateResponse of Failure (the lead declined or did not
answer) or RING_SECONDS without ChanSpyStart make it failed. Asterisk
tells of no mode change: the mode is what the desk service set once
PlayDTMF on the spyer answered Success.

Every change goes to the lead (events.SUPERVISION), to the agent when the
lead can be heard (whisper, barge) or the queue's listen notice says so,
to the floor (FloorChanges), and to the audit log. Invariants: at most one
session per agent and one per lead; ended and failed sessions are
forgotten once told.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any, Protocol

from agentdesk.contract import events
from agentdesk.contract.leads import (
    AUDIT_SUPERVISE_END,
    AUDIT_SUPERVISE_FAILED,
    AUDIT_SUPERVISE_MODE,
    AUDIT_SUPERVISE_START,
    LISTEN,
    MODES,
    SESSION_ENDED,
    SESSION_FAILED,
    SESSION_LIVE,
    SESSION_RINGING,
    AuditEntry,
    Supervision,
    dump_supervision,
)
from agentdesk.contract.states import AGENT, TEAMLEAD

from ..ami.client import AmiError
from ..ami.protocol import AmiMessage
from ..directory import Person
from ..queues.agents import CommandError
from .agent_call import DIGITS, AgentCall, Ami, agent_call, originate_fields, ringer_id, spyer_id
from .changes import FloorChanges

log = logging.getLogger("agentdesk.server.monitor")

RING_SECONDS = 20.0  # past the Originate's own 15 s: a session nobody answered ends here at the latest
LABELS = {LISTEN: "Listen", "whisper": "Whisper", "barge": "Barge"}


class AuditLog(Protocol):
    async def record(self, lead: str, action: str, *, agent: str = "", queue: str = "", call: str = "",
                     session: str = "", detail: dict[str, Any] | None = None, result: str = "ok") -> AuditEntry: ...


class Directory(Protocol):
    def get(self, agent: str) -> Person | None: ...


class Publisher(Protocol):
    def publish(self, name: str, data: Any, agent: str | None = None) -> None: ...


@dataclass
class _Session:
    view: Supervision
    queue: str
    spyer: str = ""  # the ;1 channel's name, from ChanSpyStart
    agent_told: bool = False  # the agent's desktop was told of this session
    timer: asyncio.TimerHandle | None = None


class Supervisions:
    """The live supervision sessions and the commands that change them.

    `phone_of(agent)` is the phone an agent is logged in from (None: not
    logged in; their own extension then); `listen_notice(queue)` says whether
    an agent is told that a lead listens on a call of `queue` ('' not a queue
    call)."""

    def __init__(self, ami: Ami, people: Directory, phone_of: Callable[[str], str | None], hub: Publisher,
                 lead_hub: Publisher, changes: FloorChanges, audit: AuditLog,
                 spawn: Callable[[Coroutine[Any, Any, None]], None], clock: Callable[[], float],
                 listen_notice: Callable[[str], bool] = lambda queue: True) -> None:
        self._ami = ami
        self._people = people
        self._phone_of = phone_of
        self._hub = hub  # the agents' desk streams
        self._lead_hub = lead_hub  # the leads' monitor streams
        self._changes = changes
        self._audit = audit
        self._spawn = spawn
        self._clock = clock
        self._listen_notice = listen_notice
        self._sessions: dict[str, _Session] = {}
        self._starting: set[str] = set()  # leads and agents of sessions being set up
        self._last_write: asyncio.Future[bool] | None = None  # the audit entry asked for last

    # -- reading -----------------------------------------------------------------
    def sessions(self) -> list[Supervision]:
        """Every ringing or live session."""
        return [s.view for s in self._sessions.values()]

    def session_of_agent(self, agent: str) -> Supervision | None:
        return next((s.view for s in self._sessions.values() if s.view.agent == agent), None)

    def sessions_of_lead(self, lead: str) -> list[Supervision]:
        return [s.view for s in self._sessions.values() if s.view.lead == lead]

    # -- commands ----------------------------------------------------------------
    async def start(self, lead: str, agent: str, mode: str) -> Supervision:
        """Ring `lead`'s phone into `agent`'s current call in `mode`; the
        session is ringing when this returns."""
        _check_mode(mode)
        lead_person, agent_person = self._lead(lead), self._agent(agent, lead)
        self._check_free(lead, agent_person)
        self._starting |= {lead, agent}
        try:
            return await self._start(lead_person, agent_person, mode)
        finally:
            self._starting -= {lead, agent}

    async def switch(self, lead: str, session_id: str, mode: str) -> Supervision:
        """Change a live session's mode without ringing again."""
        _check_mode(mode)
        session = self._own(lead, session_id)
        if session.view.state != SESSION_LIVE:
            raise CommandError(409, "the supervision call is not answered yet; change the mode once it is")
        if mode == session.view.mode:
            return session.view
        previous = session.view.mode
        try:
            await self._ami.action("PlayDTMF", Channel=session.spyer, Digit=DIGITS[mode], Receive="true")
        except AmiError as error:
            log.warning("supervision %s: mode %s not set: %s", session_id, mode, error)
            raise CommandError(503, f"the PBX did not change the mode: {error}") from None
        if session_id not in self._sessions:  # it ended meanwhile
            raise CommandError(409, "the supervision call has ended")
        self._set(session, replace(session.view, mode=mode))
        self._record(session, AUDIT_SUPERVISE_MODE, {"from": previous, "to": mode})
        return session.view

    async def leave(self, lead: str, session_id: str) -> Supervision:
        """End the lead's session; the agent and the caller keep talking."""
        session = self._own(lead, session_id)
        try:
            await self._ami.action("Hangup", Channel=session.spyer or spyer_id(session_id))
        except AmiError as error:  # gone already: its Hangup event ends it, or did
            log.info("supervision %s: hangup answered %s", session_id, error)
        if session_id in self._sessions:
            self._end(session, SESSION_ENDED, "the lead left")
        return session.view

    # -- AMI events --------------------------------------------------------------
    def handle(self, event: AmiMessage) -> None:
        if not self._sessions:
            return
        if event.name == "ChanSpyStart":
            self._spy_started(event)
        elif event.name == "ChanSpyStop":
            self._over(event.get("SpyerUniqueid"), "the spying stopped")
        elif event.name == "Hangup":
            self._over(event.get("Uniqueid"), "the lead's call ended")
        elif event.name == "OriginateResponse" and event.get("Response") != "Success":
            self._over(event.get("Uniqueid"), "the lead did not answer")

    def pbx_lost(self) -> None:
        """The link to Asterisk dropped: its events for these sessions may
        never come, so they end here (a lead starts again once it is back)."""
        for session in list(self._sessions.values()):
            self._end(session, SESSION_ENDED if session.view.state == SESSION_LIVE else SESSION_FAILED,
                      "the desk service lost the PBX")

    def _spy_started(self, event: AmiMessage) -> None:
        session = self._by_leg(event.get("SpyerUniqueid"))
        if session is None:
            return
        session.spyer = event.get("SpyerChannel")
        if session.view.state == SESSION_RINGING:
            self._cancel_timer(session)
            self._set(session, replace(session.view, state=SESSION_LIVE, started_at=self._clock()))
            log.info("supervision %s: %s %ss %s", session.view.session, session.view.lead, session.view.mode,
                     session.view.agent)

    def _over(self, uniqueid: str, why: str) -> None:
        session = self._by_leg(uniqueid)
        if session is not None:
            self._end(session, SESSION_ENDED if session.view.state == SESSION_LIVE else SESSION_FAILED, why)

    # -- the steps ---------------------------------------------------------------
    async def _start(self, lead: Person, agent: Person, mode: str) -> Supervision:
        phone = self._phone_of(agent.agent) or agent.extension
        try:
            call = await agent_call(self._ami, phone)
        except AmiError as error:
            raise CommandError(503, f"the PBX cannot say what {agent.name} is doing: {error}") from None
        if call is None:
            raise CommandError(404, f"{agent.name} is not on a call")
        session_id = secrets.token_hex(8)
        view = Supervision(session=session_id, lead=lead.agent, lead_name=lead.name, agent=agent.agent,
                           agent_name=agent.name, call=call.uniqueid, mode=mode, state=SESSION_RINGING,
                           started_at=self._clock())
        session = _Session(view, call.queue)
        if not await self._record(session, AUDIT_SUPERVISE_START, {"mode": mode, "channel": call.channel}):
            raise CommandError(503, "the audit log cannot be written, so nothing was done; see the service's log")
        self._sessions[session_id] = session
        self._tell(session)
        session.timer = asyncio.get_running_loop().call_later(RING_SECONDS, self._ring_over, session_id)
        await self._originate(session, call, self._phone_of(lead.agent) or lead.extension, phone)
        return session.view

    async def _originate(self, session: _Session, call: AgentCall, lead_phone: str, agent_phone: str) -> None:
        view = session.view
        label = f"{LABELS[view.mode]}: {view.agent_name}"
        try:
            await self._ami.action("Originate", **originate_fields(view.session, lead_phone, call, view.mode, label,
                                                                   agent_phone))
        except AmiError as error:
            self._end(session, SESSION_FAILED, str(error))
            raise CommandError(503, f"the PBX did not ring your phone: {error}") from None

    def _ring_over(self, session_id: str) -> None:
        session = self._sessions.get(session_id)
        if session is not None and session.view.state == SESSION_RINGING:
            session.timer = None
            self._spawn(self._hang_up(spyer_id(session_id)))
            self._end(session, SESSION_FAILED, f"not answered within {RING_SECONDS:g} s")

    async def _hang_up(self, channel: str) -> None:
        try:
            await self._ami.action("Hangup", Channel=channel)
        except AmiError as error:
            log.info("hanging up %s: %s", channel, error)

    def _end(self, session: _Session, state: str, why: str) -> None:
        self._cancel_timer(session)
        self._sessions.pop(session.view.session, None)
        now = self._clock()
        ended = replace(session.view, state=state, ended_at=now)
        self._set(session, ended)
        log.info("supervision %s %s: %s", ended.session, state, why)
        if state == SESSION_ENDED:
            detail = {"mode": ended.mode, "seconds": round(now - ended.started_at, 1), "why": why}
            self._record(session, AUDIT_SUPERVISE_END, detail)
        else:
            self._record(session, AUDIT_SUPERVISE_FAILED, {"mode": ended.mode}, why)

    def _set(self, session: _Session, view: Supervision) -> None:
        session.view = view
        self._tell(session)

    def _tell(self, session: _Session) -> None:
        view = session.view
        data = dump_supervision(view)
        self._lead_hub.publish(events.SUPERVISION, data, agent=view.lead)
        if self._agent_may_know(session):
            session.agent_told = True
            self._hub.publish(events.SUPERVISION, data, agent=view.agent)
        elif session.agent_told:
            # Back to an unannounced listen: for the agent, the lead is gone.
            session.agent_told = False
            gone = replace(view, state=SESSION_ENDED, ended_at=view.ended_at or self._clock())
            self._hub.publish(events.SUPERVISION, dump_supervision(gone), agent=view.agent)
        self._changes.touch_agent(view.agent)
        self._changes.touch_call(view.call)

    def _agent_may_know(self, session: _Session) -> bool:
        if session.view.state in (SESSION_ENDED, SESSION_FAILED):
            return session.agent_told
        return session.view.mode != LISTEN or self._listen_notice(session.queue)

    def _record(self, session: _Session, action: str, detail: dict[str, Any],
                result: str = "ok") -> asyncio.Future[bool]:
        """Write an audit entry after the ones asked for before it; the
        future says whether it was written."""
        previous, written = self._last_write, asyncio.get_running_loop().create_future()
        self._last_write = written
        self._spawn(self._write(previous, written, session.view, session.queue, action, detail, result))
        return written

    async def _write(self, previous: asyncio.Future[bool] | None, written: asyncio.Future[bool], view: Supervision,
                     queue: str, action: str, detail: dict[str, Any], result: str) -> None:
        if previous is not None:
            await previous
        try:
            await self._audit.record(view.lead, action, agent=view.agent, queue=queue, call=view.call,
                                     session=view.session, detail=detail, result=result)
        except Exception:
            log.exception("supervision %s: the audit entry %s was not written", view.session, action)
            written.set_result(False)
        else:
            written.set_result(True)

    # -- checks ------------------------------------------------------------------
    def _lead(self, lead: str) -> Person:
        person = self._people.get(lead)
        if person is None or person.role != TEAMLEAD:
            raise CommandError(403, "only team leads can listen to agents' calls")
        return person

    def _agent(self, agent: str, lead: str) -> Person:
        if agent == lead:
            raise CommandError(400, "you cannot supervise your own call")
        person = self._people.get(agent)
        if person is None or person.role != AGENT:
            raise CommandError(404, f"there is no agent {agent[:40]!r}")
        return person

    def _check_free(self, lead: str, agent: Person) -> None:
        if lead in self._starting or self.sessions_of_lead(lead):
            raise CommandError(409, "you are already on a supervision call; leave it first")
        current = self.session_of_agent(agent.agent)
        if current is not None:
            raise CommandError(409, f"{agent.name} is already supervised by {current.lead_name}")
        if agent.agent in self._starting:
            raise CommandError(409, f"{agent.name} is already being supervised")

    def _own(self, lead: str, session_id: str) -> _Session:
        session = self._sessions.get(session_id)
        if session is None or session.view.lead != lead:
            raise CommandError(404, "there is no such supervision of yours (it may have ended)")
        return session

    def _by_leg(self, uniqueid: str) -> _Session | None:
        if len(uniqueid) < 2:
            return None
        session = self._sessions.get(uniqueid[:-1])
        if session is None or uniqueid not in (spyer_id(session.view.session), ringer_id(session.view.session)):
            return None
        return session

    @staticmethod
    def _cancel_timer(session: _Session) -> None:
        if session.timer is not None:
            session.timer.cancel()
            session.timer = None


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise CommandError(400, f"the mode must be one of {', '.join(MODES)}, not {str(mode)[:20]!r}")
