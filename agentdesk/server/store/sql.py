"""The store on SQL: one implementation for SQLite and PostgreSQL.

Every statement binds its parameters (numbers and names come from callers
and from the PBX); every write is a single autocommitted statement, so it
is durable before the method returns. A lock serialises calls, so a store
used from more than the one intended thread still keeps its engine sane.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from agentdesk.contract.states import CALL_ABANDONED, CALL_ANSWERED, CALL_WAITING, TRANSFER_ACCEPTED, TRANSFER_BLIND

from .base import Store
from .call_rows import CALL_COLUMNS, call_record
from .callback_sql import CallbackSql
from .engines import Engine, Result, open_engine
from .records import CallEntry, CallRecord, DayStats, Membership, PauseState, StoreError, TokenRecord, TransferRecord
from .schema import migrate
from .survey_sql import SurveySql
from .wrapup_sql import WrapUpSql

log = logging.getLogger("agentdesk.server.store")

TRANSFER_COLUMNS = "transfer_id, made_at, kind, agent, phone, call_key, uniqueid, queue, target, result"


def open_store(url: str) -> Store:
    """Open (and migrate) the store at `url`:

    - "sqlite:///absolute/path.sqlite3" or "sqlite:///:memory:";
    - "postgresql://user:password@host:port/database" (or postgres://), with
      anything libpq takes in the query string, e.g. ?host=/run/postgresql
      for a Unix socket folder.

    Raises StoreError (without the password) when the URL is not usable or
    the database cannot be reached or migrated."""
    engine = open_engine(url)
    try:
        migrate(engine)
    except BaseException:
        engine.close()
        raise
    return SqlStore(engine)


class SqlStore(CallbackSql, WrapUpSql, SurveySql, Store):
    """The Store on an Engine; see Store for the meaning of each method."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<SqlStore {self._engine.description}>"

    def _run(self, sql: str, params: Sequence[object] = ()) -> tuple[list[tuple[Any, ...]], int]:
        with self._lock:
            rows, count = self._engine.run(sql, params)
            return rows, count

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self._run(sql, params)[0]

    def _write(self, sql: str, params: Sequence[object]) -> int:
        return self._run(sql, params)[1]

    @contextmanager
    def _transaction(self) -> Iterator[Callable[[str, Sequence[object]], Result]]:
        """Statements run through the yielded function commit together, or
        not at all on an exception; other calls wait until then."""
        with self._lock, self._engine.transaction():
            yield self._engine.run

    def close(self) -> None:
        with self._lock:
            self._engine.close()

    # -- agents' desired queue state

    def add_membership(self, agent: str, queue: str, phone: str, at: float) -> None:
        self._write(
            "INSERT INTO memberships (agent, queue, phone, since) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (agent, queue) DO UPDATE SET phone = excluded.phone, since = excluded.since",
            (agent, queue, phone, at),
        )

    def remove_membership(self, agent: str, queue: str) -> None:
        self._write("DELETE FROM memberships WHERE agent = ? AND queue = ?", (agent, queue))

    def memberships(self, agent: str | None = None) -> list[Membership]:
        select = "SELECT agent, queue, phone, since FROM memberships"
        order = " ORDER BY agent, queue"
        if agent is None:
            rows = self._rows(select + order)
        else:
            rows = self._rows(select + " WHERE agent = ?" + order, (agent,))
        return [Membership(str(a), str(q), str(p), float(s)) for a, q, p, s in rows]

    def set_pause(self, agent: str, paused: bool, reason: str, at: float) -> None:
        self._write(
            "INSERT INTO pause_states (agent, paused, reason, since) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (agent) DO UPDATE SET paused = excluded.paused, reason = excluded.reason,"
            " since = excluded.since",
            (agent, int(paused), reason, at),
        )

    def pause_states(self) -> dict[str, PauseState]:
        rows = self._rows("SELECT agent, paused, reason, since FROM pause_states ORDER BY agent")
        return {str(a): PauseState(str(a), bool(p), str(r), float(s)) for a, p, r, s in rows}

    # -- queue calls

    def add_call(self, entry: CallEntry) -> None:
        added = self._write(
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
        changed = self._write(
            "UPDATE queue_calls SET agent = ?, connected_at = ?, hold_seconds = ?, outcome = ?"
            " WHERE uniqueid = ? AND connected_at IS NULL AND ended_at IS NULL",
            (agent, at, hold_seconds, CALL_ANSWERED, uniqueid),
        )
        if not changed:
            log.debug("queue call %s unknown, connected or ended: connection to %s ignored", uniqueid, agent)

    def end_call(self, uniqueid: str, outcome: str, at: float, talk_seconds: int | None) -> None:
        changed = self._write(
            "UPDATE queue_calls SET outcome = ?, ended_at = ?, talk_seconds = ?"
            " WHERE uniqueid = ? AND ended_at IS NULL",
            (outcome, at, talk_seconds, uniqueid),
        )
        if not changed:
            log.debug("queue call %s unknown or ended: end (%s) ignored", uniqueid, outcome)

    def get_call(self, uniqueid: str) -> CallRecord | None:
        rows = self._rows(f"SELECT {CALL_COLUMNS} FROM queue_calls WHERE uniqueid = ?", (uniqueid,))
        return call_record(rows[0]) if rows else None

    def calls_of_number(self, number: str, limit: int = 5, before: float | None = None) -> list[CallRecord]:
        if limit <= 0:
            return []
        select = f"SELECT {CALL_COLUMNS} FROM queue_calls WHERE number = ?"
        order = " ORDER BY joined_at DESC, uniqueid DESC LIMIT ?"
        if before is None:
            rows = self._rows(select + order, (number, limit))
        else:
            rows = self._rows(select + " AND joined_at < ?" + order, (number, before, limit))
        return [call_record(row) for row in rows]

    def open_calls(self) -> list[CallRecord]:
        rows = self._rows(f"SELECT {CALL_COLUMNS} FROM queue_calls WHERE ended_at IS NULL ORDER BY joined_at, uniqueid")
        return [call_record(row) for row in rows]

    def last_agent(self, number: str, since: float) -> str | None:
        rows = self._rows(
            "SELECT agent FROM queue_calls WHERE number = ? AND joined_at >= ? AND connected_at IS NOT NULL"
            " ORDER BY joined_at DESC, uniqueid DESC LIMIT 1",
            (number, since),
        )
        return str(rows[0][0]) if rows else None

    def day_stats(self, queue: str, start: float, end: float, service_level_seconds: int) -> DayStats:
        rows = self._rows(
            "SELECT COUNT(*),"
            " COALESCE(SUM(CASE WHEN connected_at IS NOT NULL THEN 1 ELSE 0 END), 0),"
            " COALESCE(SUM(CASE WHEN outcome = ? THEN 1 ELSE 0 END), 0),"
            " COALESCE(SUM(CASE WHEN connected_at IS NOT NULL AND hold_seconds <= ? THEN 1 ELSE 0 END), 0)"
            " FROM queue_calls WHERE queue = ? AND joined_at >= ? AND joined_at < ? AND outcome <> ?",
            (CALL_ABANDONED, service_level_seconds, queue, start, end, CALL_WAITING),
        )
        offered, answered, abandoned, within = (int(value) for value in rows[0])
        return DayStats(offered, answered, abandoned, within)

    def answered_counts(self, start: float, end: float) -> dict[tuple[str, str], int]:
        rows = self._rows(
            "SELECT queue, agent, COUNT(*) FROM queue_calls"
            " WHERE joined_at >= ? AND joined_at < ? AND connected_at IS NOT NULL GROUP BY queue, agent",
            (start, end),
        )
        return {(str(queue), str(agent)): int(count) for queue, agent, count in rows}

    # -- agents' transfers

    def add_transfer(self, transfer: TransferRecord) -> None:
        added = self._write(
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
        return bool(self._write(
            "UPDATE transfers SET result = ? WHERE transfer_id = (SELECT transfer_id FROM transfers"
            " WHERE uniqueid = ? AND target = ? AND kind = ? AND result = ?"
            " ORDER BY made_at DESC, transfer_id DESC LIMIT 1)",
            (result, uniqueid, target, TRANSFER_BLIND, TRANSFER_ACCEPTED),
        ))

    def transfers(self, start: float, end: float, agent: str | None = None) -> list[TransferRecord]:
        select = f"SELECT {TRANSFER_COLUMNS} FROM transfers WHERE made_at >= ? AND made_at < ?"
        order = " ORDER BY made_at, transfer_id"
        if agent is None:
            rows = self._rows(select + order, (start, end))
        else:
            rows = self._rows(select + " AND agent = ?" + order, (start, end, agent))
        return [transfer_record(row) for row in rows]

    # -- VIP list

    def set_vip(self, number: str, note: str) -> None:
        self._write(
            "INSERT INTO vip_numbers (number, note) VALUES (?, ?)"
            " ON CONFLICT (number) DO UPDATE SET note = excluded.note",
            (number, note),
        )

    def remove_vip(self, number: str) -> None:
        self._write("DELETE FROM vip_numbers WHERE number = ?", (number,))

    def vip_numbers(self) -> dict[str, str]:
        return {str(n): str(note) for n, note in self._rows("SELECT number, note FROM vip_numbers ORDER BY number")}

    def is_vip(self, number: str) -> bool:
        return bool(self._rows("SELECT 1 FROM vip_numbers WHERE number = ?", (number,)))

    # -- login tokens

    def save_token(self, token: TokenRecord) -> None:
        self._write(
            "INSERT INTO login_tokens (token_hash, agent, role, expires_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (token_hash) DO UPDATE SET agent = excluded.agent, role = excluded.role,"
            " expires_at = excluded.expires_at",
            (token.token_hash, token.agent, token.role, token.expires_at),
        )

    def get_token(self, token_hash: str) -> TokenRecord | None:
        rows = self._rows(
            "SELECT token_hash, agent, role, expires_at FROM login_tokens WHERE token_hash = ?", (token_hash,)
        )
        return TokenRecord(str(rows[0][0]), str(rows[0][1]), str(rows[0][2]), float(rows[0][3])) if rows else None

    def delete_token(self, token_hash: str) -> None:
        self._write("DELETE FROM login_tokens WHERE token_hash = ?", (token_hash,))

    def purge_tokens(self, now: float) -> int:
        return self._write("DELETE FROM login_tokens WHERE expires_at <= ?", (now,))


def transfer_record(row: Sequence[Any]) -> TransferRecord:
    """A transfers row (TRANSFER_COLUMNS order) as a TransferRecord."""
    transfer_id, made_at, kind, agent, phone, call_key, uniqueid, queue, target, result = row
    return TransferRecord(str(transfer_id), float(made_at), str(kind), str(agent), str(phone), str(call_key),
                          str(uniqueid), str(queue), str(target), str(result))


__all__ = ["SqlStore", "StoreError", "open_store"]
