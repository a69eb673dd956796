"""Wrap-up records: what the agent's desktop sends about a call (a
disposition, notes, "resolved on first contact", a follow-up), checked and
stored once per call and agent.

The desktop retries until acknowledged, so the same record may arrive
twice (or after a restart of this service): the store keeps the first
(one conditional write), and the follow-up callback task carries the key
"wrapup:<uniqueid>:<agent>", so a retry — even one after a crash between
storing the record and creating the task — never makes a second task.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from agentdesk.contract.states import (
    MAX_DISPOSITION,
    MAX_NOTES,
    MAX_TOPIC,
    ORIGIN_SCHEDULED,
    WRAPUP_ACTIVE,
    WRAPUP_ENDED,
)

from ..callbacks.requests import NewRequest
from ..callbacks.tasks import CallbackTasks
from ..queues.agents import CommandError
from ..queues.calllog import CallLog
from ..runtime import Clock, StoreAccess
from ..store.after_call_records import WrapUp, WrapUpRecord
from ..store.wrapup_sql import RECORD_ONLY
from .sessions import WrapUpSessions

log = logging.getLogger("agentdesk.server.wrapups")

MAX_RECORD_ID = 100


@dataclass(frozen=True)
class RecordRequest:
    """A checked PUT /api/v1/wrapups/{uniqueid} body."""

    disposition: str
    notes: str
    first_contact_resolved: bool
    follow_up_at: float | None
    follow_up_topic: str
    finish: bool
    record_id: str


def parse_record(data: dict[str, Any]) -> RecordRequest:
    """The body, or CommandError(400) naming the first bad field."""
    disposition = data.get("disposition")
    if not isinstance(disposition, str) or not disposition.strip() or len(disposition) > MAX_DISPOSITION:
        raise CommandError(400, f"'disposition' must be a code of at most {MAX_DISPOSITION} characters")
    notes = _text(data, "notes", MAX_NOTES)
    resolved = _flag(data, "first_contact_resolved")
    finish = _flag(data, "finish")
    record_id = _text(data, "record_id", MAX_RECORD_ID)
    at, topic = _follow_up(data.get("follow_up"))
    return RecordRequest(disposition.strip(), notes, resolved, at, topic, finish, record_id)


def _text(data: dict[str, Any], name: str, limit: int) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise CommandError(400, f"{name!r} must be a text of at most {limit} characters")
    return value


def _flag(data: dict[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise CommandError(400, f"{name!r} must be true or false")
    return value


def _follow_up(value: Any) -> tuple[float | None, str]:
    if value is None:
        return None, ""
    if not isinstance(value, dict):
        raise CommandError(400, "'follow_up' must be null or {\"at\": epoch seconds, \"topic\": text}")
    at = value.get("at")
    if not isinstance(at, (int, float)) or isinstance(at, bool) or not 0 < at < 1e11:
        raise CommandError(400, "'follow_up.at' must be a time in epoch seconds")
    topic = value.get("topic", "")
    if not isinstance(topic, str) or len(topic) > MAX_TOPIC:
        raise CommandError(400, f"'follow_up.topic' must be a text of at most {MAX_TOPIC} characters")
    return float(at), topic.strip()


class WrapUpRecords:
    """Stores records and their follow-ups; tells the sessions."""

    def __init__(self, sessions: WrapUpSessions, callbacks: CallbackTasks, calls: CallLog, db: StoreAccess,
                 clock: Clock) -> None:
        self._sessions = sessions
        self._callbacks = callbacks
        self._calls = calls
        self._db = db
        self._clock = clock

    async def save(self, agent: str, uniqueid: str, request: RecordRequest) -> dict[str, Any]:
        """PUT /api/v1/wrapups/{uniqueid}'s answer (see api.py)."""
        now = self._clock()
        known = await self._db(lambda s: s.wrapups.get_wrapup(uniqueid, agent))
        unseen = known or await self._unseen(agent, uniqueid, now)
        self._check(unseen.queue, request, now)
        record = WrapUpRecord(request.disposition, request.notes, request.first_contact_resolved,
                              request.follow_up_at, now)
        first, stored = await self._db(lambda s: s.wrapups.save_wrapup_record(uniqueid, agent, record, unseen))
        log.info("%s: wrap-up record of %s %s (record %s)", agent, uniqueid, "saved" if first else "already saved",
                 request.record_id[:MAX_RECORD_ID] or "-")
        task_id, problem = await self._follow_up(stored, request)
        if stored.state == WRAPUP_ACTIVE:
            stored = await self._sessions.record_saved(stored, request.finish)
        reply: dict[str, Any] = {
            "saved": True, "first": first, "callback_task": task_id,
            "wrapup": None if stored.end_reason == RECORD_ONLY else self._sessions.view(stored),
        }
        if problem:
            reply["follow_up_error"] = problem
        return reply

    async def _unseen(self, agent: str, uniqueid: str, now: float) -> WrapUp:
        """The row of a call whose wrap-up this service never saw (it was
        down when the call ended): from the stored queue call."""
        call = await self._calls.lookup(uniqueid)
        if call is None:
            raise CommandError(404, "the desk service knows no queue call with that ID")
        if call.agent != agent:
            raise CommandError(403, "this call was answered by another agent")
        return WrapUp(uniqueid, agent, call.linkedid, call.queue, call.number, now, now, WRAPUP_ENDED, now,
                      RECORD_ONLY)

    def _check(self, queue: str, request: RecordRequest, now: float) -> None:
        codes = self._sessions.policy(queue).dispositions
        if request.disposition not in codes:
            raise CommandError(400, f"'disposition' must be one of this queue's codes: {', '.join(codes)}")
        days = self._callbacks.settings.days_ahead
        if request.follow_up_at is not None and request.follow_up_at > now + days * 86400 + 86400:
            raise CommandError(400, f"a follow-up can be scheduled up to {days} days ahead")

    async def _follow_up(self, stored: WrapUp, request: RecordRequest) -> tuple[str, str]:
        """(the record's follow-up task or "", why it has none though asked)."""
        if stored.follow_up_at is None or stored.callback_task:
            return stored.callback_task, ""
        due = max(stored.follow_up_at, self._clock())
        result = await self._callbacks.request(NewRequest(
            queue=stored.queue, number=stored.number, origin=ORIGIN_SCHEDULED, created_by=stored.agent,
            due_at=due, arrival_at=due, topic=request.follow_up_topic, preferred_agent=stored.agent,
            request_key=f"wrapup:{stored.uniqueid}:{stored.agent}",
        ))
        if result.task is None:
            log.info("no follow-up task for %s's call %s: %s", stored.agent, stored.uniqueid, result.kind)
            return "", {"invalid": "the caller's number cannot be called back",
                        "refused": "the caller's number is on the do-not-call list"}.get(
                result.kind, "the follow-up could not be stored; save again")
        task_id = result.task.task_id
        noted = await self._db(lambda s: s.wrapups.set_wrapup_callback(stored.uniqueid, stored.agent, task_id))
        return noted, ""
