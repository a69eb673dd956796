"""Queue calls on SQL: their records and today's figures, agents'
transfers, and the VIP list."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from agentdesk.contract.states import CALL_ABANDONED, CALL_ANSWERED, CALL_WAITING, TRANSFER_ACCEPTED, TRANSFER_BLIND

from .call_rows import CALL_COLUMNS, call_record
from .database import Database
from .records import AgentDayFigures, CallEntry, CallRecord, DayStats, TransferRecord

log = logging.getLogger("agentdesk.server.store")

TRANSFER_COLUMNS = "transfer_id, made_at, kind, agent, phone, call_key, uniqueid, queue, target, result"


class Calls:
    """Queue call records (one per caller visit), agents' transfers and the VIP list."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- queue calls

    def add_call(self, entry: CallEntry) -> None:
        """Record a caller joining a queue as "waiting". Idempotent on
        uniqueid: a replayed join neither duplicates nor overwrites."""
        added = self._db.write(
            f"INSERT INTO queue_calls ({CALL_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', NULL, NULL, NULL, NULL, ?)"
            " ON CONFLICT (uniqueid) DO NOTHING",
            (
                entry.uniqueid,
                entry.linkedid,
                entry.queue,
                entry.number,
                entry.name,
                entry.joined_at,
                entry.position,
                int(entry.vip),
                CALL_WAITING,
            ),
        )
        if not added:
            log.debug("queue call %s already recorded: join ignored", entry.uniqueid)

    def connect_call(self, uniqueid: str, agent: str, at: float, hold_seconds: int) -> None:
        """An agent answered: the outcome becomes "answered". Only the first
        connection of a call that has not ended counts; unknown uniqueids
        are ignored."""
        changed = self._db.write(
            "UPDATE queue_calls SET agent = ?, connected_at = ?, hold_seconds = ?, outcome = ?"
            " WHERE uniqueid = ? AND connected_at IS NULL AND ended_at IS NULL",
            (agent, at, hold_seconds, CALL_ANSWERED, uniqueid),
        )
        if not changed:
            log.debug("queue call %s unknown, connected or ended: connection to %s ignored", uniqueid, agent)

    def end_call(self, uniqueid: str, outcome: str, at: float, talk_seconds: int | None) -> None:
        """The call left the queue system with `outcome`. No-op when it has
        already ended (the first outcome stays) or is unknown."""
        changed = self._db.write(
            "UPDATE queue_calls SET outcome = ?, ended_at = ?, talk_seconds = ?"
            " WHERE uniqueid = ? AND ended_at IS NULL",
            (outcome, at, talk_seconds, uniqueid),
        )
        if not changed:
            log.debug("queue call %s unknown or ended: end (%s) ignored", uniqueid, outcome)

    def get_call(self, uniqueid: str) -> CallRecord | None:
        """The call with this uniqueid, or None."""
        rows = self._db.rows(f"SELECT {CALL_COLUMNS} FROM queue_calls WHERE uniqueid = ?", (uniqueid,))
        return call_record(rows[0]) if rows else None

    def calls_of_number(self, number: str, limit: int = 5, before: float | None = None) -> list[CallRecord]:
        """Up to `limit` calls from `number`, newest (by joined_at) first;
        with `before`, only calls that joined strictly before it."""
        if limit <= 0:
            return []
        select = f"SELECT {CALL_COLUMNS} FROM queue_calls WHERE number = ?"
        order = " ORDER BY joined_at DESC, uniqueid DESC LIMIT ?"
        if before is None:
            rows = self._db.rows(select + order, (number, limit))
        else:
            rows = self._db.rows(select + " AND joined_at < ?" + order, (number, before, limit))
        return [call_record(row) for row in rows]

    def open_calls(self) -> list[CallRecord]:
        """Calls not ended yet, oldest first (after a restart the service
        ends those Asterisk no longer has)."""
        rows = self._db.rows(
            f"SELECT {CALL_COLUMNS} FROM queue_calls WHERE ended_at IS NULL ORDER BY joined_at, uniqueid")
        return [call_record(row) for row in rows]

    def last_agent(self, number: str, since: float) -> str | None:
        """The agent of the newest call of `number` that joined at or after
        `since` and was connected to an agent; None when there is none."""
        rows = self._db.rows(
            "SELECT agent FROM queue_calls WHERE number = ? AND joined_at >= ? AND connected_at IS NOT NULL"
            " ORDER BY joined_at DESC, uniqueid DESC LIMIT 1",
            (number, since),
        )
        return str(rows[0][0]) if rows else None

    def day_stats(self, queue: str, start: float, end: float, service_level_seconds: int) -> DayStats:
        """Counts over the calls of `queue` that joined in [start, end):

        - offered: those calls except the ones still waiting (answered or
          ended, whatever the outcome);
        - answered: those connected to an agent (connected_at set);
        - abandoned: those whose outcome is "abandoned";
        - answered_within_sl: answered with hold_seconds <= service_level_seconds;
        - answered_hold_seconds: the answered calls' hold_seconds, summed.
        """
        rows = self._db.rows(
            "SELECT COUNT(*),"
            " COALESCE(SUM(CASE WHEN connected_at IS NOT NULL THEN 1 ELSE 0 END), 0),"
            " COALESCE(SUM(CASE WHEN outcome = ? THEN 1 ELSE 0 END), 0),"
            " COALESCE(SUM(CASE WHEN connected_at IS NOT NULL AND hold_seconds <= ? THEN 1 ELSE 0 END), 0),"
            " COALESCE(SUM(CASE WHEN connected_at IS NOT NULL THEN hold_seconds ELSE 0 END), 0)"
            " FROM queue_calls WHERE queue = ? AND joined_at >= ? AND joined_at < ? AND outcome <> ?",
            (CALL_ABANDONED, service_level_seconds, queue, start, end, CALL_WAITING),
        )
        offered, answered, abandoned, within, held = (int(value) for value in rows[0])
        return DayStats(offered, answered, abandoned, within, answered_hold_seconds=held)

    def agent_day_figures(self, start: float, end: float) -> dict[str, AgentDayFigures]:
        """agent -> their queue calls answered in [start, end) (connected_at),
        those of them that ended with their talk time, and the seconds of
        their wrap-ups of queue calls (not callbacks) that began in the period
        and have ended. Agents without any are left out."""
        calls = self._db.rows(
            "SELECT agent, COUNT(*), COALESCE(SUM(CASE WHEN talk_seconds IS NOT NULL THEN 1 ELSE 0 END), 0),"
            " COALESCE(SUM(talk_seconds), 0) FROM queue_calls"
            " WHERE connected_at >= ? AND connected_at < ? GROUP BY agent",
            (start, end),
        )
        wrapups = self._db.rows(
            "SELECT agent, COALESCE(SUM(ended_at - started_at), 0) FROM wrapups"
            " WHERE started_at >= ? AND started_at < ? AND ended_at IS NOT NULL AND callback_task = ''"
            " GROUP BY agent",
            (start, end),
        )
        figures = {str(agent): AgentDayFigures(int(answered), int(completed), int(talk))
                   for agent, answered, completed, talk in calls}
        for agent, seconds in wrapups:
            figures[str(agent)] = replace(figures.get(str(agent), AgentDayFigures()), wrapup_seconds=float(seconds))
        return figures

    def answered_counts(self, start: float, end: float) -> dict[tuple[str, str], int]:
        """Calls that joined in [start, end) and were connected to an agent
        (day_stats' "answered"), counted by (queue, agent)."""
        rows = self._db.rows(
            "SELECT queue, agent, COUNT(*) FROM queue_calls"
            " WHERE joined_at >= ? AND joined_at < ? AND connected_at IS NOT NULL GROUP BY queue, agent",
            (start, end),
        )
        return {(str(queue), str(agent)): int(count) for queue, agent, count in rows}

    # -- agents' transfers

    def add_transfer(self, transfer: TransferRecord) -> None:
        """Record a transfer. Idempotent on transfer_id: a replayed event
        neither duplicates nor overwrites."""
        added = self._db.write(
            f"INSERT INTO transfers ({TRANSFER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (transfer_id) DO NOTHING",
            (transfer.transfer_id, transfer.at, transfer.kind, transfer.agent, transfer.phone, transfer.call,
             transfer.uniqueid, transfer.queue, transfer.target, transfer.result),
        )
        if not added:
            log.debug("transfer %s already recorded: ignored", transfer.transfer_id)

    def return_transfer(self, uniqueid: str, target: str, result: str) -> bool:
        # One statement, so no other writer can slip in between finding the
        # transfer and changing it.
        """The newest accepted blind transfer of customer channel `uniqueid`
        to `target` came back: its result becomes `result`. False when there
        is no such transfer (nothing changes)."""
        return bool(self._db.write(
            "UPDATE transfers SET result = ? WHERE transfer_id = (SELECT transfer_id FROM transfers"
            " WHERE uniqueid = ? AND target = ? AND kind = ? AND result = ?"
            " ORDER BY made_at DESC, transfer_id DESC LIMIT 1)",
            (result, uniqueid, target, TRANSFER_BLIND, TRANSFER_ACCEPTED),
        ))

    def transfers(self, start: float, end: float, agent: str | None = None) -> list[TransferRecord]:
        """Transfers made in [start, end) (by one agent), oldest first."""
        select = f"SELECT {TRANSFER_COLUMNS} FROM transfers WHERE made_at >= ? AND made_at < ?"
        order = " ORDER BY made_at, transfer_id"
        if agent is None:
            rows = self._db.rows(select + order, (start, end))
        else:
            rows = self._db.rows(select + " AND agent = ?" + order, (start, end, agent))
        return [transfer_record(row) for row in rows]

    # -- VIP list

    def set_vip(self, number: str, note: str) -> None:
        """Add `number` to the VIP list, or replace its note."""
        self._db.write(
            "INSERT INTO vip_numbers (number, note) VALUES (?, ?)"
            " ON CONFLICT (number) DO UPDATE SET note = excluded.note",
            (number, note),
        )

    def remove_vip(self, number: str) -> None:
        """Take `number` off the VIP list (no-op when absent)."""
        self._db.write("DELETE FROM vip_numbers WHERE number = ?", (number,))

    def vip_numbers(self) -> dict[str, str]:
        """The VIP list: number -> note."""
        return {str(n): str(note) for n, note in self._db.rows("SELECT number, note FROM vip_numbers ORDER BY number")}

    def is_vip(self, number: str) -> bool:
        """Whether `number` is on the VIP list (exact match)."""
        return bool(self._db.rows("SELECT 1 FROM vip_numbers WHERE number = ?", (number,)))


def transfer_record(row: Sequence[Any]) -> TransferRecord:
    """A transfers row (TRANSFER_COLUMNS order) as a TransferRecord."""
    transfer_id, made_at, kind, agent, phone, call_key, uniqueid, queue, target, result = row
    return TransferRecord(str(transfer_id), float(made_at), str(kind), str(agent), str(phone), str(call_key),
                          str(uniqueid), str(queue), str(target), str(result))

