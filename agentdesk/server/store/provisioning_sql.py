"""Zero-touch provisioning on SQL (schema version 7): one-time enrollment
codes (their hashes only) and the settings an administrator gives
desktops, for the whole site or one agent.

Redeeming is one conditional UPDATE (unused and unexpired, else nothing):
of two redemptions at once, from one service or two, the database lets
exactly one through, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .database import Database

SITE = "site"  # the scope of site-wide settings; every other scope is an agent ID

_ENROLLMENT = "SELECT code_hash, agent, created_by, created_at, expires_at, used_at, used_from FROM enrollments"


@dataclass(frozen=True)
class EnrollmentRecord:
    code_hash: str  # SHA-256 (hex) of the code; the code itself is never stored
    agent: str
    created_by: str  # who made it: a team lead's agent ID, or the server's administrator
    created_at: float
    expires_at: float
    used_at: float | None = None
    used_from: str = ""  # the client address that redeemed it


@dataclass(frozen=True)
class ScopeSettings:
    """One scope's settings: values by name, and the names desktops may not change."""

    settings: dict[str, Any] = field(default_factory=dict)
    locked: frozenset[str] = frozenset()


class Enrollments:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add_enrollments(self, records: Sequence[EnrollmentRecord]) -> None:
        """Store a batch: all of it or, on a failure, none."""
        with self._db.transaction() as run:
            for r in records:
                run("INSERT INTO enrollments (code_hash, agent, created_by, created_at, expires_at, used_at,"
                    " used_from) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (r.code_hash, r.agent, r.created_by, r.created_at, r.expires_at, r.used_at, r.used_from))

    def enrollment(self, code_hash: str) -> EnrollmentRecord | None:
        rows = self._db.rows(f"{_ENROLLMENT} WHERE code_hash = ?", (code_hash,))
        return _enrollment(rows[0]) if rows else None

    def redeem(self, code_hash: str, at: float, client: str) -> bool:
        """Mark the enrollment used by `client` at `at`; False (and nothing
        changed) when it is unknown, used already or expired by then."""
        return self._db.write(
            "UPDATE enrollments SET used_at = ?, used_from = ?"
            " WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?", (at, client, code_hash, at)) == 1

    def enrollments_since(self, since: float) -> list[EnrollmentRecord]:
        """Enrollments made at or after `since`, newest first."""
        rows = self._db.rows(f"{_ENROLLMENT} WHERE created_at >= ? ORDER BY created_at DESC, agent", (since,))
        return [_enrollment(row) for row in rows]

    def purge_enrollments(self, expired_before: float) -> int:
        """Forget enrollments that expired before `expired_before`; how many."""
        return self._db.write("DELETE FROM enrollments WHERE expires_at < ?", (expired_before,))


class ProvisionedSettings:
    def __init__(self, db: Database) -> None:
        self._db = db

    def scope_settings(self, scope: str) -> ScopeSettings:
        """The settings of `scope` (SITE or an agent ID); empty when none were given."""
        rows = self._db.rows("SELECT setting, value, locked FROM provisioned_settings WHERE scope = ?"
                             " ORDER BY setting", (scope,))
        values = {str(name): json.loads(value) for name, value, _ in rows if value is not None}
        return ScopeSettings(values, frozenset(str(name) for name, _, locked in rows if locked))

    def replace_scope(self, scope: str, value: ScopeSettings) -> None:
        """`value` becomes the whole of `scope`'s settings, in one step."""
        names = sorted(set(value.settings) | value.locked)
        with self._db.transaction() as run:
            run("DELETE FROM provisioned_settings WHERE scope = ?", (scope,))
            for name in names:
                stored = json.dumps(value.settings[name]) if name in value.settings else None
                run("INSERT INTO provisioned_settings (scope, setting, value, locked) VALUES (?, ?, ?, ?)",
                    (scope, name, stored, int(name in value.locked)))


def _enrollment(row: Sequence[Any]) -> EnrollmentRecord:
    code_hash, agent, created_by, created_at, expires_at, used_at, used_from = row
    return EnrollmentRecord(str(code_hash), str(agent), str(created_by), float(created_at), float(expires_at),
                            None if used_at is None else float(used_at), str(used_from))
