"""Callback tasks on SQL: the repository that keeps tasks,
their events and the callback blacklist.

A task and the event that explains its change are written in one
transaction, so a report never sees one without the other. Claiming is one
conditional UPDATE: the database, not the service, decides which of two
agents (or two service processes) gets a task.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any

from agentdesk.contract.states import (
    CB_CLAIMED,
    CB_DONE,
    CB_FAILED,
    CB_WAITING,
    CLOSED_CALLBACK_STATES,
    EVENT_CLAIMED,
    EVENT_MERGED,
    EVENT_REQUESTED,
    OPEN_CALLBACK_STATES,
)

from .database import Database
from .records import CallbackEvent, CallbackStats, CallbackTask

log = logging.getLogger("agentdesk.server.store")

# The table's columns are the record's fields, in the record's order.
TASK_FIELDS = tuple(field.name for field in fields(CallbackTask))
TASK_COLUMNS = ", ".join(TASK_FIELDS)
TASK_SELECT = f"SELECT {TASK_COLUMNS} FROM callback_tasks"
OPEN = f"closed_at IS NULL AND state IN ({', '.join('?' * len(OPEN_CALLBACK_STATES))})"
# When the customer began waiting for the call: the request (in-queue,
# missed), or the booked time when that is later (scheduled, web).
WAIT_START = "(CASE WHEN arrival_at > created_at THEN arrival_at ELSE created_at END)"
EVENT_SELECT = "SELECT task_id, happened_at, kind, agent, detail FROM callback_events"
INSERT_EVENT = (
    "INSERT INTO callback_events (task_id, seq, happened_at, kind, agent, detail)"
    " SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ? FROM callback_events WHERE task_id = ?"
)

class Callbacks:
    """Callback tasks, their events and the callback blacklist."""

    def __init__(self, db: Database) -> None:
        self._db = db


    def add_callback(self, task: CallbackTask, event: CallbackEvent) -> bool:
        """Store a new task with its first event (both or neither). False,
        storing nothing, when task.request_key is not "" and a task already
        has it: a replayed request (see callback_by_key for that task)."""
        check_task(task)
        with self._db.transaction() as run:
            added = run(
                f"INSERT INTO callback_tasks ({TASK_COLUMNS}) VALUES ({', '.join('?' * len(TASK_FIELDS))})"
                " ON CONFLICT (request_key) WHERE request_key <> '' DO NOTHING",
                task_values(task),
            ).rowcount
            if added:
                run(INSERT_EVENT, event_values(event))
        if not added:
            log.debug("callback request %s already has a task: task %s not added", task.request_key, task.task_id)
        return bool(added)

    def add_callback_event(self, event: CallbackEvent) -> None:
        """Record an event that changes no task, e.g. "dialled", or
        "refused" for a request that never became a task (task_id "")."""
        self._db.write(INSERT_EVENT, event_values(event))

    def get_callback(self, task_id: str) -> CallbackTask | None:
        """The task with this id, or None."""
        return first_task(self._db.rows(f"{TASK_SELECT} WHERE task_id = ?", (task_id,)))

    def callback_by_key(self, request_key: str) -> CallbackTask | None:
        """The task made by the request with this key, or None (always None
        for "")."""
        if not request_key:
            return None
        return first_task(self._db.rows(f"{TASK_SELECT} WHERE request_key = ?", (request_key,)))

    def open_callback_for(self, number: str, queue: str) -> CallbackTask | None:
        """The oldest (created_at) open task for `number` in `queue`: a new
        request from that number is merged into it. None when there is none."""
        return first_task(self._db.rows(
            f"{TASK_SELECT} WHERE number = ? AND queue = ? AND {OPEN} ORDER BY created_at, task_id LIMIT 1",
            (number, queue, *OPEN_CALLBACK_STATES),
        ))

    def update_callback(self, task: CallbackTask, event: CallbackEvent | None) -> None:
        """Write every field of the task with task.task_id (updated_at as
        given) and the event, together. An unknown task_id changes nothing
        (logged)."""
        check_task(task)
        assignments = ", ".join(f"{name} = ?" for name in TASK_FIELDS[1:])
        with self._db.transaction() as run:
            changed = run(
                f"UPDATE callback_tasks SET {assignments} WHERE task_id = ?", (*task_values(task)[1:], task.task_id)
            ).rowcount
            if changed and event is not None:
                run(INSERT_EVENT, event_values(event))
        if not changed:
            log.warning("callback task %s is unknown: update (%s) ignored", task.task_id, task.state)

    def claim_callback(
        self, task_id: str, agent: str, at: float, from_states: tuple[str, ...]
    ) -> CallbackTask | None:
        """Atomically make `agent` the task's holder: only when it is open,
        in one of `from_states` and held by nobody or by `agent` already.
        Of two agents (or two services) claiming at once exactly one wins.
        The winner gets the task as now stored (state "claimed", updated_at
        `at`) and a "claimed" event is written; anyone else gets None."""
        if not from_states:
            return None
        with self._db.transaction() as run:
            won = run(
                "UPDATE callback_tasks SET state = ?, agent = ?, updated_at = ? WHERE task_id = ?"
                f" AND closed_at IS NULL AND state IN ({', '.join('?' * len(from_states))})"
                " AND (agent = '' OR agent = ?)",
                (CB_CLAIMED, agent, at, task_id, *from_states, agent),
            ).rowcount
            if not won:
                return None
            run(INSERT_EVENT, event_values(CallbackEvent(task_id, at, EVENT_CLAIMED, agent, "")))
            return first_task(run(f"{TASK_SELECT} WHERE task_id = ?", (task_id,)).rows)

    def open_callbacks(self, queue: str | None = None) -> list[CallbackTask]:
        """Every open task (of one queue), by due_at, then task_id."""
        only, of_queue = ("", ()) if queue is None else (" AND queue = ?", (queue,))
        return all_tasks(self._db.rows(
            f"{TASK_SELECT} WHERE {OPEN}{only} ORDER BY due_at, task_id", (*OPEN_CALLBACK_STATES, *of_queue)
        ))

    def callbacks_due(self, now: float, limit: int, queue: str | None = None) -> list[CallbackTask]:
        """Up to `limit` "waiting" tasks with due_at <= now (of one queue or
        all), in line order: priority DESC, then arrival_at ASC (then task_id)."""
        if limit <= 0:
            return []
        only_queue = " AND queue = ?" if queue is not None else ""
        params: tuple[object, ...] = (CB_WAITING, now, queue, limit) if queue is not None else (CB_WAITING, now, limit)
        return all_tasks(self._db.rows(
            f"{TASK_SELECT} WHERE closed_at IS NULL AND state = ? AND due_at <= ?{only_queue}"
            " ORDER BY priority DESC, arrival_at, task_id LIMIT ?",
            params,
        ))

    def due_counts(self, now: float) -> dict[str, int]:
        """queue -> its "waiting" tasks with due_at <= now (callbacks_due's
        tasks, counted); queues without any are left out."""
        rows = self._db.rows(
            "SELECT queue, COUNT(*) FROM callback_tasks WHERE closed_at IS NULL AND state = ? AND due_at <= ?"
            " GROUP BY queue",
            (CB_WAITING, now),
        )
        return {str(queue): int(count) for queue, count in rows}

    def callbacks_closed(self, start: float, end: float) -> list[CallbackTask]:
        """Tasks closed in [start, end), by closed_at, then task_id."""
        return all_tasks(self._db.rows(
            f"{TASK_SELECT} WHERE closed_at >= ? AND closed_at < ? ORDER BY closed_at, task_id", (start, end)
        ))

    def callback_events(self, task_id: str) -> list[CallbackEvent]:
        """The task's events, oldest first (equal times in the order written)."""
        rows = self._db.rows(f"{EVENT_SELECT} WHERE task_id = ? ORDER BY happened_at, seq", (task_id,))
        return [CallbackEvent(str(t), float(at), str(kind), str(agent), str(detail)) for t, at, kind, agent, detail
                in rows]

    def count_callback_requests(self, number: str, since: float) -> int:
        """How many times `number` asked for a callback (events "requested"
        and "merged" at or after `since`, of tasks for that number, in any
        queue): the per-number request limit."""
        rows = self._db.rows(
            "SELECT COUNT(*) FROM callback_events e JOIN callback_tasks t ON t.task_id = e.task_id"
            " WHERE t.number = ? AND e.kind IN (?, ?) AND e.happened_at >= ?",
            (number, EVENT_REQUESTED, EVENT_MERGED, since),
        )
        return int(rows[0][0])

    def callback_stats(self, start: float, end: float, queue: str | None) -> CallbackStats:
        """Callback counts over [start, end) (of one queue or all):

        - requested: tasks created in the period;
        - attempted: tasks whose first attempt was in the period;
        - reached / failed: tasks closed in the period as "done" / "failed"
          (cancelled tasks count as neither);
        - open: tasks created before `end` and still open at `end`;
        - success_rate: reached / (reached + failed), None when both are 0;
        - avg_seconds_to_first_attempt / avg_seconds_to_reached: over the
          attempted / reached tasks, from when the customer began waiting
          for the call (the later of created_at and arrival_at: the request
          for in-queue and missed tasks, the booked time for scheduled and
          web ones); None when there are none.
        """
        only, of_queue = ("", ()) if queue is None else (" AND queue = ?", (queue,))
        [(requested,)] = self._db.rows(
            f"SELECT COUNT(*) FROM callback_tasks WHERE created_at >= ? AND created_at < ?{only}",
            (start, end, *of_queue),
        )
        [(attempted, to_first)] = self._db.rows(
            f"SELECT COUNT(*), AVG({waited('first_attempt_at')}) FROM callback_tasks"
            f" WHERE first_attempt_at >= ? AND first_attempt_at < ?{only}",
            (start, end, *of_queue),
        )
        [(reached, failed, to_reached)] = self._db.rows(
            "SELECT COALESCE(SUM(CASE WHEN state = ? THEN 1 ELSE 0 END), 0),"
            " COALESCE(SUM(CASE WHEN state = ? THEN 1 ELSE 0 END), 0),"
            f" AVG(CASE WHEN state = ? AND reached_at IS NOT NULL THEN {waited('reached_at')} END)"
            f" FROM callback_tasks WHERE closed_at >= ? AND closed_at < ?{only}",
            (CB_DONE, CB_FAILED, CB_DONE, start, end, *of_queue),
        )
        [(still_open,)] = self._db.rows(
            f"SELECT COUNT(*) FROM callback_tasks WHERE created_at < ? AND (closed_at IS NULL OR closed_at >= ?){only}",
            (end, end, *of_queue),
        )
        closed = int(reached) + int(failed)
        return CallbackStats(
            requested=int(requested),
            attempted=int(attempted),
            reached=int(reached),
            failed=int(failed),
            open=int(still_open),
            success_rate=int(reached) / closed if closed else None,
            avg_seconds_to_first_attempt=optional_float(to_first),
            avg_seconds_to_reached=optional_float(to_reached),
        )

    # -- the blacklist

    def set_callback_block(self, number: str, reason: str, until: float | None) -> None:
        """Refuse callbacks to `number` until `until` (None: for good);
        replaces an existing entry."""
        self._db.write(
            "INSERT INTO callback_blocks (number, reason, blocked_until) VALUES (?, ?, ?)"
            " ON CONFLICT (number) DO UPDATE SET reason = excluded.reason, blocked_until = excluded.blocked_until",
            (number, reason, until),
        )

    def remove_callback_block(self, number: str) -> None:
        """Allow callbacks to `number` again (no-op when not blocked)."""
        self._db.write("DELETE FROM callback_blocks WHERE number = ?", (number,))

    def callback_blocks(self) -> dict[str, tuple[str, float | None]]:
        """Every block, expired or not: number -> (reason, until)."""
        rows = self._db.rows("SELECT number, reason, blocked_until FROM callback_blocks ORDER BY number")
        return {str(number): (str(reason), optional_float(until)) for number, reason, until in rows}

    def is_callback_blocked(self, number: str, now: float) -> bool:
        """Whether `number` is blocked at `now` (an entry whose until is <=
        now no longer blocks)."""
        return bool(self._db.rows(
            "SELECT 1 FROM callback_blocks WHERE number = ? AND (blocked_until IS NULL OR blocked_until > ?)",
            (number, now),
        ))


def check_task(task: CallbackTask) -> None:
    """Refuse (ValueError) a task whose state is unknown, or whose closed_at
    disagrees with its state: the open-task index and the reports rely on
    closed_at being None exactly while the task is open."""
    if task.state not in OPEN_CALLBACK_STATES + CLOSED_CALLBACK_STATES:
        raise ValueError(f"callback task {task.task_id}: unknown state {task.state!r}")
    if task.is_open != (task.closed_at is None):
        raise ValueError(
            f"callback task {task.task_id}: state {task.state!r} with closed_at {task.closed_at!r}"
            " (closed_at must be set exactly when the task is closed)"
        )


def waited(column: str) -> str:
    """SQL for the seconds from WAIT_START to `column` (0 when earlier:
    a customer called before their booked time did not wait)."""
    return f"(CASE WHEN {column} > {WAIT_START} THEN {column} - {WAIT_START} ELSE 0 END)"


def task_values(task: CallbackTask) -> tuple[object, ...]:
    return tuple(getattr(task, name) for name in TASK_FIELDS)


def event_values(event: CallbackEvent) -> tuple[object, ...]:
    """INSERT_EVENT's parameters."""
    return (event.task_id, event.at, event.kind, event.agent, event.detail, event.task_id)


def optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


# How to read each field's column back, by the field's declared type
# (explicitly: SQLite keeps whatever type a value was written with).
READ_AS: dict[str, Callable[[Any], Any]] = {"str": str, "int": int, "float": float, "float | None": optional_float}
TASK_READERS = tuple(READ_AS[str(field.type)] for field in fields(CallbackTask))


def callback_task(row: Sequence[Any]) -> CallbackTask:
    """A callback_tasks row (TASK_COLUMNS order) as a CallbackTask."""
    return CallbackTask(*(read(value) for read, value in zip(TASK_READERS, row, strict=True)))


def first_task(rows: list[tuple[Any, ...]]) -> CallbackTask | None:
    return callback_task(rows[0]) if rows else None


def all_tasks(rows: list[tuple[Any, ...]]) -> list[CallbackTask]:
    return [callback_task(row) for row in rows]

