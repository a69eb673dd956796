"""Wrap-ups on SQL: the repository that keeps wrap-up
sessions and records.

Starting (with replacing), ending and saving are each one transaction of
conditional statements, so a replayed save, two enders racing (the
deadline and the agent's "finish") or a crash in between never leave two
active wrap-ups for an agent, a second record or a record overwritten.
The `surveys` table is written by survey_sql.py; it is only read here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import fields, replace
from typing import Any

from agentdesk.contract.states import WRAPUP_ACTIVE, WRAPUP_ENDED

from .after_call_records import AfterCallWork, AgentCall, WrapUp, WrapUpRecord
from .call_rows import CALL_COLUMNS, call_record
from .database import Database
from .records import CallRecord

log = logging.getLogger("agentdesk.server.store")

WRAPUP_FIELDS = tuple(field.name for field in fields(WrapUp))
WRAPUP_COLUMNS = ", ".join(WRAPUP_FIELDS)
WRAPUP_SELECT = f"SELECT {WRAPUP_COLUMNS} FROM wrapups"
INSERT_WRAPUP = f"INSERT INTO wrapups ({WRAPUP_COLUMNS}) VALUES ({', '.join('?' * len(WRAPUP_FIELDS))})"
RECORD_COLUMNS = ("disposition", "notes", "first_contact_resolved", "follow_up_at", "saved_at")
SESSION_UPDATES = ", ".join(f"{name} = excluded.{name}" for name in WRAPUP_FIELDS[2:10])
RECORD_ONLY = "record_only"  # end_reason of a row made by a record whose session the service never saw
REPLACED = "replaced"
CHUNK = 500  # uniqueids per IN (...) list

class WrapUps:
    """Wrap-up sessions and records (after_call_records.WrapUp)."""

    def __init__(self, db: Database) -> None:
        self._db = db


    def start_wrapup(self, wrapup: WrapUp) -> tuple[WrapUp | None, list[WrapUp]]:
        """Start an active wrap-up, in one transaction with ending the agent's
        other active ones (end_reason "replaced", ended at its start):
        (the started wrap-up as stored, the replaced ones as ended). Not
        started (None, nothing changed) when the call and agent have a
        session already; a record that came first (saved during the call)
        is kept and the session joins it."""
        with self._db.transaction() as run:
            added = run(
                f"{INSERT_WRAPUP} ON CONFLICT (uniqueid, agent) DO UPDATE SET {SESSION_UPDATES}"
                " WHERE wrapups.end_reason = ?",
                (*wrapup_values(wrapup), RECORD_ONLY),
            ).rowcount
            if not added:
                log.debug("wrap-up of %s by %s exists already: not started again", wrapup.uniqueid, wrapup.agent)
                return None, []
            started = first_wrapup(run(f"{WRAPUP_SELECT} WHERE uniqueid = ? AND agent = ?",
                                       (wrapup.uniqueid, wrapup.agent)).rows)
            others = " WHERE agent = ? AND state = ? AND uniqueid <> ?"
            params = (wrapup.agent, WRAPUP_ACTIVE, wrapup.uniqueid)
            found = all_wrapups(run(f"{WRAPUP_SELECT}{others}", params).rows)
            run(f"UPDATE wrapups SET state = ?, ended_at = ?, end_reason = ?{others}",
                (WRAPUP_ENDED, wrapup.started_at, REPLACED, *params))
        replaced = [replace(w, state=WRAPUP_ENDED, ended_at=wrapup.started_at, end_reason=REPLACED) for w in found]
        return started, replaced

    def end_wrapup(self, uniqueid: str, agent: str, at: float, reason: str) -> WrapUp | None:
        """End the wrap-up if it is still active: the ended wrap-up, or None
        (unknown, or ended already: by someone else first)."""
        with self._db.transaction() as run:
            ended = run(
                "UPDATE wrapups SET state = ?, ended_at = ?, end_reason = ? WHERE uniqueid = ? AND agent = ?"
                " AND state = ?",
                (WRAPUP_ENDED, at, reason, uniqueid, agent, WRAPUP_ACTIVE),
            ).rowcount
            if not ended:
                return None
            return first_wrapup(run(f"{WRAPUP_SELECT} WHERE uniqueid = ? AND agent = ?", (uniqueid, agent)).rows)

    def save_wrapup_record(self, uniqueid: str, agent: str, record: WrapUpRecord,
                           unseen: WrapUp) -> tuple[bool, WrapUp]:
        """Store the record of the agent's wrap-up of a call, once: (first,
        the row as stored). A second save changes nothing (first=False). A
        call without a wrap-up row gets one: `unseen` (an ended session)
        with the record."""
        row = WrapUp(**{**{name: getattr(unseen, name) for name in WRAPUP_FIELDS},
                        **{name: getattr(record, name) for name in RECORD_COLUMNS},
                        "uniqueid": uniqueid, "agent": agent})
        updates = ", ".join(f"{name} = excluded.{name}" for name in RECORD_COLUMNS)
        with self._db.transaction() as run:
            first = run(
                f"{INSERT_WRAPUP} ON CONFLICT (uniqueid, agent) DO UPDATE SET {updates}"
                " WHERE wrapups.saved_at IS NULL",
                wrapup_values(row),
            ).rowcount
            stored = first_wrapup(run(f"{WRAPUP_SELECT} WHERE uniqueid = ? AND agent = ?", (uniqueid, agent)).rows)
        assert stored is not None  # written or found in the same transaction
        return bool(first), stored

    def set_wrapup_callback(self, uniqueid: str, agent: str, task_id: str) -> str:
        """Note the follow-up callback task of a saved record, unless one is
        noted already; the task noted in the end."""
        with self._db.transaction() as run:
            run("UPDATE wrapups SET callback_task = ? WHERE uniqueid = ? AND agent = ? AND callback_task = ''",
                (task_id, uniqueid, agent))
            rows = run("SELECT callback_task FROM wrapups WHERE uniqueid = ? AND agent = ?", (uniqueid, agent)).rows
        return str(rows[0][0]) if rows else ""

    def get_wrapup(self, uniqueid: str, agent: str) -> WrapUp | None:
        """The wrap-up of this call by this agent, or None."""
        return first_wrapup(self._db.rows(f"{WRAPUP_SELECT} WHERE uniqueid = ? AND agent = ?", (uniqueid, agent)))

    def active_wrapups(self) -> list[WrapUp]:
        """Every active wrap-up, by deadline."""
        return all_wrapups(self._db.rows(f"{WRAPUP_SELECT} WHERE state = ? ORDER BY deadline_at, agent",
                                      (WRAPUP_ACTIVE,)))

    def after_call_work(self, calls: list[CallRecord]) -> dict[str, AfterCallWork]:
        """The after-call work of these queue calls, by record key (a call
        without any is left out). A call's wrap-up is its agent's, its
        survey the caller channel's (the key before any "@queue")."""
        channels = sorted({channel_of(call.uniqueid) for call in calls})
        wrapups = {(w.uniqueid, w.agent): w for w in self._wrapups_of(channels)}
        surveys = self._surveys_of(channels)
        found: dict[str, AfterCallWork] = {}
        for call in calls:
            channel = channel_of(call.uniqueid)
            wrapup = wrapups.get((channel, call.agent))
            survey = surveys.get(channel)
            if survey is not None and survey[0] not in ("", call.agent):
                survey = None  # the caller rated another agent's visit of the same channel
            if wrapup is not None or survey is not None:
                found[call.uniqueid] = after_call(wrapup, survey)
        return found

    def agent_calls(self, agent: str, start: float, end: float) -> list[AgentCall]:
        """The queue calls `agent` answered that joined in [start, end),
        oldest first, with their after-call work."""
        calls = [call_record(row) for row in self._db.rows(
            f"SELECT {CALL_COLUMNS} FROM queue_calls WHERE agent = ? AND joined_at >= ? AND joined_at < ?"
            " AND connected_at IS NOT NULL ORDER BY joined_at, uniqueid",
            (agent, start, end),
        )]
        work = self.after_call_work(calls)
        return [AgentCall(call, work.get(call.uniqueid, AfterCallWork())) for call in calls]

    def _wrapups_of(self, channels: list[str]) -> list[WrapUp]:
        found: list[WrapUp] = []
        for part in chunks(channels):
            found += all_wrapups(self._db.rows(f"{WRAPUP_SELECT} WHERE uniqueid IN ({', '.join('?' * len(part))})",
                                            part))
        return found

    def _surveys_of(self, channels: list[str]) -> dict[str, tuple[str, int | None, bool | None, str]]:
        """(agent, score, resolved, status) of the surveys of these caller channels."""
        found: dict[str, tuple[str, int | None, bool | None, str]] = {}
        for part in chunks(channels):
            rows = self._db.rows("SELECT uniqueid, agent, score, resolved, status FROM surveys"
                              f" WHERE uniqueid IN ({', '.join('?' * len(part))})", part)
            for uniqueid, agent, score, resolved, status in rows:
                found[str(uniqueid)] = (str(agent), None if score is None else int(score),
                                        None if resolved is None else bool(resolved), str(status))
        return found


def channel_of(key: str) -> str:
    """The caller channel's uniqueid of a queue call record key ("<uniqueid>@<queue>...")."""
    return key.split("@", 1)[0]


def chunks(values: list[str]) -> list[list[str]]:
    return [values[i:i + CHUNK] for i in range(0, len(values), CHUNK)]


def after_call(wrapup: WrapUp | None, survey: tuple[str, int | None, bool | None, str] | None) -> AfterCallWork:
    score, resolved, status = survey[1:] if survey is not None else (None, None, "")
    if wrapup is None:
        return AfterCallWork(survey_score=score, survey_resolved=resolved, survey_status=status)
    seconds = None
    if wrapup.ended_at is not None and wrapup.end_reason != RECORD_ONLY:
        seconds = max(0, round(wrapup.ended_at - wrapup.started_at))
    return AfterCallWork(wrapup.disposition, wrapup.notes, wrapup.first_contact_resolved, seconds,
                         wrapup.callback_task, score, resolved, status)



def wrapup_values(wrapup: WrapUp) -> tuple[object, ...]:
    return tuple(int(value) if isinstance(value, bool) else value
                 for value in (getattr(wrapup, name) for name in WRAPUP_FIELDS))


def optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


READ_AS: dict[str, Callable[[Any], Any]] = {"str": str, "float": float, "float | None": optional_float,
                                            "bool": bool}
WRAPUP_READERS = tuple(READ_AS[str(field.type)] for field in fields(WrapUp))


def wrapup_row(row: Sequence[Any]) -> WrapUp:
    """A wrapups row (WRAPUP_COLUMNS order) as a WrapUp."""
    return WrapUp(*(read(value) for read, value in zip(WRAPUP_READERS, row, strict=True)))


def first_wrapup(rows: list[tuple[Any, ...]]) -> WrapUp | None:
    return wrapup_row(rows[0]) if rows else None


def all_wrapups(rows: list[tuple[Any, ...]]) -> list[WrapUp]:
    return [wrapup_row(row) for row in rows]
