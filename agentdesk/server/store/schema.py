"""The store's schema, one for SQLite and PostgreSQL, and its migrations.

Plain portable SQL only: TEXT, INTEGER (booleans as 0/1) and DOUBLE
PRECISION (epoch seconds: PostgreSQL's REAL would round them to minutes).
Each migration runs once, in order, inside one transaction with the
schema_version row that records it, so a crash mid-way leaves the old
version intact.
"""

from __future__ import annotations

import logging
import time

from .engines import Engine
from .records import StoreError

log = logging.getLogger("agentdesk.server.store")

VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    applied_at DOUBLE PRECISION NOT NULL
)"""

# MIGRATIONS[n - 1] brings the schema from version n - 1 to n. Never edit a
# released migration: append a new one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE memberships (
            agent TEXT NOT NULL,
            queue TEXT NOT NULL,
            phone TEXT NOT NULL,
            since DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (agent, queue)
        )""",
        """CREATE TABLE pause_states (
            agent TEXT PRIMARY KEY,
            paused INTEGER NOT NULL,
            reason TEXT NOT NULL,
            since DOUBLE PRECISION NOT NULL
        )""",
        """CREATE TABLE queue_calls (
            uniqueid TEXT PRIMARY KEY,
            linkedid TEXT NOT NULL,
            queue TEXT NOT NULL,
            number TEXT NOT NULL,
            name TEXT NOT NULL,
            joined_at DOUBLE PRECISION NOT NULL,
            position INTEGER NOT NULL,
            vip INTEGER NOT NULL,
            agent TEXT NOT NULL,
            connected_at DOUBLE PRECISION,
            ended_at DOUBLE PRECISION,
            hold_seconds INTEGER,
            talk_seconds INTEGER,
            outcome TEXT NOT NULL
        )""",
        "CREATE INDEX queue_calls_by_number ON queue_calls (number, joined_at)",
        "CREATE INDEX queue_calls_by_queue ON queue_calls (queue, joined_at)",
        # Partial index (both engines have them): open calls are few.
        "CREATE INDEX queue_calls_open ON queue_calls (joined_at) WHERE ended_at IS NULL",
        """CREATE TABLE vip_numbers (
            number TEXT PRIMARY KEY,
            note TEXT NOT NULL
        )""",
        """CREATE TABLE login_tokens (
            token_hash TEXT PRIMARY KEY,
            agent TEXT NOT NULL,
            role TEXT NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX login_tokens_by_expiry ON login_tokens (expires_at)",
    ),
    (
        # Agents' transfers (agentdesk/server/transfers.py), for the transfer
        # rate KPI; `uniqueid` finds the transfer a returned call belongs to.
        """CREATE TABLE transfers (
            transfer_id TEXT PRIMARY KEY,
            made_at DOUBLE PRECISION NOT NULL,
            kind TEXT NOT NULL,
            agent TEXT NOT NULL,
            phone TEXT NOT NULL,
            call_key TEXT NOT NULL,
            uniqueid TEXT NOT NULL,
            queue TEXT NOT NULL,
            target TEXT NOT NULL,
            result TEXT NOT NULL
        )""",
        "CREATE INDEX transfers_by_time ON transfers (made_at)",
        "CREATE INDEX transfers_by_uniqueid ON transfers (uniqueid, made_at)",
    ),
    (
        # Callback tasks (agentdesk/server/store/callback_sql.py).
        # IF NOT EXISTS: a database rolled back to an older version by hand
        # (tests/server/store/test_store.py does) may still have these tables.
        """CREATE TABLE IF NOT EXISTS callback_tasks (
            task_id TEXT PRIMARY KEY,
            queue TEXT NOT NULL,
            number TEXT NOT NULL,
            name TEXT NOT NULL,
            topic TEXT NOT NULL,
            notes TEXT NOT NULL,
            origin TEXT NOT NULL,
            state TEXT NOT NULL,
            priority INTEGER NOT NULL,
            arrival_at DOUBLE PRECISION NOT NULL,
            due_at DOUBLE PRECISION NOT NULL,
            window_end DOUBLE PRECISION,
            attempts INTEGER NOT NULL,
            max_attempts INTEGER NOT NULL,
            last_outcome TEXT NOT NULL,
            agent TEXT NOT NULL,
            preferred_agent TEXT NOT NULL,
            request_key TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            closed_at DOUBLE PRECISION,
            first_attempt_at DOUBLE PRECISION,
            reached_at DOUBLE PRECISION,
            created_by TEXT NOT NULL
        )""",
        # Open tasks are few next to closed ones: the task list and the due
        # tasks read only this partial index.
        "CREATE INDEX IF NOT EXISTS callback_tasks_open ON callback_tasks (state, due_at) WHERE closed_at IS NULL",
        "CREATE INDEX IF NOT EXISTS callback_tasks_by_number ON callback_tasks (number, queue)",
        # One task per request: a replayed request (IVR retry, AstDB import,
        # web resubmission) finds the key taken.
        "CREATE UNIQUE INDEX IF NOT EXISTS callback_tasks_by_request ON callback_tasks (request_key)"
        " WHERE request_key <> ''",
        # Reports over a period.
        "CREATE INDEX IF NOT EXISTS callback_tasks_by_creation ON callback_tasks (created_at)",
        "CREATE INDEX IF NOT EXISTS callback_tasks_closed ON callback_tasks (closed_at) WHERE closed_at IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS callback_tasks_attempted ON callback_tasks (first_attempt_at)"
        " WHERE first_attempt_at IS NOT NULL",
        # `seq` orders a task's events that share a time (insertion order).
        """CREATE TABLE IF NOT EXISTS callback_events (
            task_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            happened_at DOUBLE PRECISION NOT NULL,
            kind TEXT NOT NULL,
            agent TEXT NOT NULL,
            detail TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS callback_events_by_task ON callback_events (task_id, seq)",
        "CREATE INDEX IF NOT EXISTS callback_events_by_time ON callback_events (happened_at)",
        """CREATE TABLE IF NOT EXISTS callback_blocks (
            number TEXT PRIMARY KEY,
            reason TEXT NOT NULL,
            blocked_until DOUBLE PRECISION
        )""",
    ),
    (
        # After-call work (after_call_records.py): one row per agent
        # and queue call, its session written by the service and its record
        # (disposition...) by the desktop, once.
        """CREATE TABLE IF NOT EXISTS wrapups (
            uniqueid TEXT NOT NULL,
            agent TEXT NOT NULL,
            linkedid TEXT NOT NULL,
            queue TEXT NOT NULL,
            number TEXT NOT NULL,
            started_at DOUBLE PRECISION NOT NULL,
            deadline_at DOUBLE PRECISION NOT NULL,
            state TEXT NOT NULL,
            ended_at DOUBLE PRECISION,
            end_reason TEXT NOT NULL,
            disposition TEXT NOT NULL,
            notes TEXT NOT NULL,
            first_contact_resolved INTEGER NOT NULL,
            follow_up_at DOUBLE PRECISION,
            callback_task TEXT NOT NULL,
            saved_at DOUBLE PRECISION,
            PRIMARY KEY (uniqueid, agent)
        )""",
        "CREATE INDEX IF NOT EXISTS wrapups_active ON wrapups (agent) WHERE state = 'active'",
        "CREATE INDEX IF NOT EXISTS wrapups_by_agent ON wrapups (agent, started_at)",
        "CREATE INDEX IF NOT EXISTS wrapups_by_number ON wrapups (number, started_at)",
        "CREATE INDEX IF NOT EXISTS wrapups_by_time ON wrapups (started_at)",
        # Post-call surveys: one per caller channel.
        """CREATE TABLE IF NOT EXISTS surveys (
            uniqueid TEXT PRIMARY KEY,
            linkedid TEXT NOT NULL,
            queue TEXT NOT NULL,
            agent TEXT NOT NULL,
            number TEXT NOT NULL,
            language TEXT NOT NULL,
            score INTEGER,
            resolved INTEGER,
            status TEXT NOT NULL,
            started_at DOUBLE PRECISION NOT NULL,
            finished_at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS surveys_by_agent ON surveys (agent, finished_at)",
        "CREATE INDEX IF NOT EXISTS surveys_by_queue ON surveys (queue, finished_at)",
        "CREATE INDEX IF NOT EXISTS surveys_by_linkedid ON surveys (linkedid)",
    ),
    (
        # Queue offers an agent did not answer (missed_sql.py), one row per
        # offer: the day's count per agent is a report's figure.
        """CREATE TABLE IF NOT EXISTS missed_offers (
            agent TEXT NOT NULL,
            queue TEXT NOT NULL,
            uniqueid TEXT NOT NULL,
            offered_at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS missed_offers_by_time ON missed_offers (offered_at, agent)",
    ),
    (
        # Call quality as the agent's desktop measured it (quality_sql.py):
        # one row per agent and call leg (`call_id`, the leg's SIP Call-ID);
        # `uniqueid` is the queue call it belongs to ('' for other calls).
        """CREATE TABLE IF NOT EXISTS call_quality (
            agent TEXT NOT NULL,
            call_id TEXT NOT NULL,
            uniqueid TEXT NOT NULL,
            started_at DOUBLE PRECISION NOT NULL,
            ended_at DOUBLE PRECISION NOT NULL,
            level TEXT NOT NULL,
            reason TEXT NOT NULL,
            mos_min DOUBLE PRECISION NOT NULL,
            mos_avg DOUBLE PRECISION NOT NULL,
            loss_pct DOUBLE PRECISION NOT NULL,
            remote_loss_pct DOUBLE PRECISION,
            jitter_avg_ms DOUBLE PRECISION NOT NULL,
            jitter_max_ms DOUBLE PRECISION NOT NULL,
            rtt_avg_ms DOUBLE PRECISION,
            codec TEXT NOT NULL,
            transport TEXT NOT NULL,
            srtp TEXT NOT NULL,
            samples INTEGER NOT NULL,
            received_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (agent, call_id)
        )""",
        "CREATE INDEX IF NOT EXISTS call_quality_by_agent ON call_quality (agent, started_at)",
        "CREATE INDEX IF NOT EXISTS call_quality_by_uniqueid ON call_quality (uniqueid) WHERE uniqueid <> ''",
    ),
    (
        # Zero-touch provisioning (provisioning_sql.py). An enrollment is a
        # one-time code for one agent, kept as its SHA-256 only: a copied
        # database redeems nothing. `used_from` is the address that redeemed
        # it ('' while unused).
        """CREATE TABLE IF NOT EXISTS enrollments (
            code_hash TEXT PRIMARY KEY,
            agent TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL,
            used_at DOUBLE PRECISION,
            used_from TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS enrollments_by_creation ON enrollments (created_at)",
        # Settings an administrator gives desktops: `scope` is 'site' or an
        # agent ID; `value` is JSON, NULL for a setting locked at whatever
        # the desktop has.
        """CREATE TABLE IF NOT EXISTS provisioned_settings (
            scope TEXT NOT NULL,
            setting TEXT NOT NULL,
            value TEXT,
            locked INTEGER NOT NULL,
            PRIMARY KEY (scope, setting)
        )""",
    ),
    (
        # Team leads' actions on agents and callers (audit_sql.py), kept
        # for review: `detail` is a JSON object, `result` "ok" or why it failed.
        """CREATE TABLE IF NOT EXISTS audit_log (
            id TEXT PRIMARY KEY,
            at DOUBLE PRECISION NOT NULL,
            lead TEXT NOT NULL,
            action TEXT NOT NULL,
            agent TEXT NOT NULL,
            queue TEXT NOT NULL,
            call TEXT NOT NULL,
            session TEXT NOT NULL,
            detail TEXT NOT NULL,
            result TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS audit_log_by_time ON audit_log (at)",
        "CREATE INDEX IF NOT EXISTS audit_log_by_agent ON audit_log (agent, at)",
        "CREATE INDEX IF NOT EXISTS audit_log_by_session ON audit_log (session)",
        # A pause a team lead asked for at the end of the agent's current
        # call: kept here so a restart between the ask and the call's end
        # does not lose it.
        """CREATE TABLE IF NOT EXISTS pending_pauses (
            agent TEXT PRIMARY KEY,
            reason TEXT NOT NULL,
            note TEXT NOT NULL,
            lead TEXT NOT NULL,
            at DOUBLE PRECISION NOT NULL
        )""",
        # A team lead's penalty for the agent in the queue, passed back to
        # Asterisk whenever the service logs the agent in again.
        "ALTER TABLE memberships ADD COLUMN penalty INTEGER NOT NULL DEFAULT 0",
    ),
)

LATEST = len(MIGRATIONS)


def migrate(engine: Engine) -> int:
    """Bring the database to LATEST; returns the version found on opening.

    Refuses (StoreError) a database written by a newer AgentDesk rather
    than guess at a schema it does not know."""
    with engine.transaction():
        engine.lock_schema()
        engine.run(VERSION_TABLE)
        found = _current_version(engine)
        if found > LATEST:
            raise StoreError(
                f"the {engine.description} has schema version {found}, newer than this AgentDesk knows"
                f" ({LATEST}): upgrade AgentDesk"
            )
        for version in range(found + 1, LATEST + 1):
            try:
                _apply(engine, version)
            except StoreError as error:
                # The transaction rolls back every step: the data stays at `found`.
                raise StoreError(
                    f"upgrading the {engine.description} from schema version {found} failed at version "
                    f"{version}; nothing was changed and the data is as before. {error}"
                ) from error
    if found < LATEST:
        log.info("store schema migrated from version %d to %d (%s)", found, LATEST, engine.description)
    return found


def _current_version(engine: Engine) -> int:
    rows = engine.run("SELECT MAX(version) FROM schema_version").rows
    value = rows[0][0] if rows else None
    return int(value) if value is not None else 0


def _apply(engine: Engine, version: int) -> None:
    for statement in MIGRATIONS[version - 1]:
        engine.run(statement)
    engine.run("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (version, time.time()))
