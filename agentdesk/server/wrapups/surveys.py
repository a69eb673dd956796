"""The post-call survey log: what callers answered after the agent hung up
(pbx/asterisk/extensions_survey.conf), stored once per caller channel and
pushed to the agent who served the call and to the team leads (SSE event
`survey`).

The dialplan posts each result (POST /pbx/v1/surveys, survey_routes.py).
When the desk service does not answer, the dialplan keeps it in AstDB,
`survey-pending/<caller uniqueid>` = the PENDING_FIELDS joined by "|";
`SurveyLog.import_pending` reads them (AMI DBGetTree) as soon as the
service is in sync with Asterisk again and every IMPORT_SECONDS, stores
them (the uniqueid is the key: a result posted and also kept is stored
once) and has the dialplan remove them ([survey-pending-done]): the
service's AMI user may read AstDB but not write it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from typing import Any

from agentdesk.contract import events
from agentdesk.contract import wrapups as wire
from agentdesk.contract.ids import is_extension, is_queue_name, is_uniqueid
from agentdesk.contract.states import TEAMLEAD
from agentdesk.contract.wrapups import dump_survey

from ..ami.astdb import forget_pending, pending_entries
from ..ami.client import AmiClient
from ..hub import EventHub
from ..people import People
from ..runtime import Clock, StoreAccess
from ..seats import Seats
from ..store import StoreError
from ..store.after_call_records import (
    SURVEY_ANSWERED,
    SURVEY_NO_ANSWER,
    SURVEY_PARTIAL,
    SurveyResult,
)

log = logging.getLogger("agentdesk.server.wrapups")

FAMILY = "survey-pending"
PENDING_FIELDS = ("linkedid", "queue", "agent", "phone", "number", "language", "score", "resolved", "asked",
                  "started", "finished")
IMPORT_SECONDS = 30.0
WATCH_SECONDS = 1.0  # how often the import loop looks whether the service (re)synchronised
LANGUAGES = ("en", "fa", "ru")
SCORES = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
RESOLVED_KEYS = {"1": True, "2": False}


class SurveyInputError(ValueError):
    """A result the dialplan sent that cannot be stored as it stands."""


def survey_status(score: int | None, resolved: bool | None, asked: bool) -> str:
    """no_answer before a rating; partial when the second question was asked
    and not answered; answered when every question asked was answered."""
    if score is None:
        return SURVEY_NO_ANSWER
    if asked and resolved is None:
        return SURVEY_PARTIAL
    return SURVEY_ANSWERED


def parse_result(fields: Mapping[str, str], uniqueid: str, agent: str, now: float) -> SurveyResult:
    """A SurveyResult from the dialplan's fields (PENDING_FIELDS; `agent` is
    already resolved). Keys other than 1-5 (and 1/2 for resolved) count as
    not answered; times missing or unreadable are `now`."""
    if not is_uniqueid(uniqueid):
        raise SurveyInputError(f"{uniqueid[:70]!r} is not a call ID")
    queue = fields.get("queue", "")
    if queue and not is_queue_name(queue):
        raise SurveyInputError(f"{queue[:50]!r} is not a queue name")
    linkedid = fields.get("linkedid", "")
    score = SCORES.get(fields.get("score", "").strip())
    asked = fields.get("asked", "") == "yes"
    resolved = RESOLVED_KEYS.get(fields.get("resolved", "").strip()) if score is not None and asked else None
    language = fields.get("language", "")
    finished = _epoch(fields.get("finished", ""), now)
    return SurveyResult(
        uniqueid=uniqueid,
        linkedid=linkedid if is_uniqueid(linkedid) else uniqueid,
        queue=queue,
        agent=agent,
        number=re.sub(r"[^+0-9]", "", fields.get("number", ""))[:30],
        language=language if language in LANGUAGES else "en",
        score=score,
        resolved=resolved,
        status=survey_status(score, resolved, asked),
        started_at=min(_epoch(fields.get("started", ""), finished), finished),
        finished_at=finished,
    )


def pending_fields(value: str) -> dict[str, str] | None:
    """The fields of an AstDB survey-pending value (None: unreadable)."""
    parts = value.split("|")
    return dict(zip(PENDING_FIELDS, parts, strict=True)) if len(parts) == len(PENDING_FIELDS) else None


def survey_view(result: SurveyResult) -> dict[str, Any]:
    """The `survey` event's payload."""
    return dump_survey(wire.SurveyResult(result.uniqueid, result.linkedid, result.queue, result.agent,
                                         result.number, result.score, result.resolved, result.status,
                                         result.finished_at))


def _epoch(text: str, default: float) -> float:
    return float(text) if text.isdigit() and 1_000_000_000 <= int(text) < 10_000_000_000 else default


class SurveyLog:
    """Stores survey results and tells the desktops. Invariant: a result is
    stored and pushed once per caller channel, however often it arrives."""

    def __init__(self, db: StoreAccess, clock: Clock, people: People, seats: Seats, hub: EventHub, ami: AmiClient,
                 synced: asyncio.Event) -> None:
        self._db = db
        self._clock = clock
        self._people = people
        self._seats = seats
        self._hub = hub
        self._ami = ami
        self._synced = synced
        self._lock = asyncio.Lock()

    async def receive(self, fields: Mapping[str, str], uniqueid: str) -> bool:
        """A result from the dialplan (posted or kept in AstDB); True if new."""
        agent = await self.agent_of(fields.get("agent", ""), fields.get("phone", ""), uniqueid)
        result = parse_result(fields, uniqueid, agent, self._clock())
        added = await self._db(lambda s: s.surveys.add_survey(result))
        if added:
            log.info("survey of %s (%s, agent %s): %s, score %s", uniqueid, result.queue or "no queue",
                     agent or "unknown", result.status, result.score)
            self.publish(result)
        return added

    async def agent_of(self, member: str, phone: str, uniqueid: str) -> str:
        """Who served the caller: the queue member's name the dialplan kept
        (an agent ID), else the agent on the phone that answered (or that
        transferred the caller to the survey), else the agent the call log
        has for the call; "" when nobody is known."""
        people = self._people
        if member and is_extension(member) and people.get(member) is not None:
            return member
        if phone.isdigit():
            agent = self._seats.agent_of_phone(phone)
            if agent is not None:
                return agent
        call = await self._db(lambda s: s.calls.get_call(uniqueid)) if is_uniqueid(uniqueid) else None
        return call.agent if call is not None else ""

    def publish(self, result: SurveyResult) -> None:
        view = survey_view(result)
        leads = {p.agent for p in self._people.all() if p.role == TEAMLEAD}
        for agent in sorted(leads | ({result.agent} if result.agent else set())):
            self._hub.publish(events.SURVEY, view, agent=agent)

    # -- results the dialplan kept in AstDB -------------------------------------
    async def run_imports(self) -> None:
        """Import pending results whenever the service has just (re)synchronised
        with Asterisk, and every IMPORT_SECONDS while it stays in sync."""
        synced_before, waited = False, 0.0
        while True:
            synced = self._synced.is_set()
            if synced and (not synced_before or waited >= IMPORT_SECONDS):
                await self.import_pending()
                waited = 0.0
            synced_before = synced
            await asyncio.sleep(WATCH_SECONDS)
            waited += WATCH_SECONDS

    async def import_pending(self) -> int:
        """Store every result kept in AstDB; how many were new."""
        async with self._lock:
            entries = await pending_entries(self._ami, FAMILY)
            added = 0
            for uniqueid, value in entries or []:
                added += await self._import(uniqueid, value)
            return added

    async def _import(self, uniqueid: str, value: str) -> int:
        fields = pending_fields(value)
        if fields is None:
            log.warning("pending survey result %s is unreadable; left in AstDB", uniqueid[:64])
            return 0
        try:
            added = await self.receive(fields, uniqueid)
        except (SurveyInputError, StoreError) as error:
            log.warning("pending survey result %s cannot be stored (%s); left in AstDB", uniqueid[:64], error)
            return 0
        log.info("pending survey result %s imported from AstDB%s", uniqueid[:64], "" if added else " (already stored)")
        await self._forget(uniqueid)
        return int(added)

    async def _forget(self, uniqueid: str) -> None:
        await forget_pending(self._ami, "survey-pending-done", uniqueid)
