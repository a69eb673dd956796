"""Agents on SQL: the queues each agent wants (re-applied to Asterisk after
a restart), their pauses, and sign-in tokens (hashed)."""

from __future__ import annotations

from .database import Database
from .records import Membership, PauseState, TokenRecord


class Agents:
    """Agents' desired queue state, their pauses and their sign-in tokens."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- agents' desired queue state

    def add_membership(self, agent: str, queue: str, phone: str, at: float) -> None:
        """Agent wants calls of `queue` on `phone`; replaces the phone and
        time of an existing membership of the same agent and queue (its
        penalty stays)."""
        self._db.write(
            "INSERT INTO memberships (agent, queue, phone, since) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (agent, queue) DO UPDATE SET phone = excluded.phone, since = excluded.since",
            (agent, queue, phone, at),
        )

    def remove_membership(self, agent: str, queue: str) -> None:
        """Agent no longer wants calls of `queue` (no-op when not a member)."""
        self._db.write("DELETE FROM memberships WHERE agent = ? AND queue = ?", (agent, queue))

    def memberships(self, agent: str | None = None) -> list[Membership]:
        """All memberships (or one agent's), ordered by agent then queue."""
        select = "SELECT agent, queue, phone, since, penalty FROM memberships"
        order = " ORDER BY agent, queue"
        if agent is None:
            rows = self._db.rows(select + order)
        else:
            rows = self._db.rows(select + " WHERE agent = ?" + order, (agent,))
        return [Membership(str(a), str(q), str(p), float(s), int(n)) for a, q, p, s, n in rows]

    def set_penalty(self, agent: str, queue: str, penalty: int) -> bool:
        """The agent's penalty in `queue`; False when they are not a member of it."""
        return self._db.write("UPDATE memberships SET penalty = ? WHERE agent = ? AND queue = ?",
                              (penalty, agent, queue)) > 0

    def set_pause(self, agent: str, paused: bool, reason: str, at: float) -> None:
        """Record the agent's wish to be paused (with a reason) or not."""
        self._db.write(
            "INSERT INTO pause_states (agent, paused, reason, since) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (agent) DO UPDATE SET paused = excluded.paused, reason = excluded.reason,"
            " since = excluded.since",
            (agent, int(paused), reason, at),
        )

    def pause_states(self) -> dict[str, PauseState]:
        """Every agent's last pause wish, by agent."""
        rows = self._db.rows("SELECT agent, paused, reason, since FROM pause_states ORDER BY agent")
        return {str(a): PauseState(str(a), bool(p), str(r), float(s)) for a, p, r, s in rows}

    # -- login tokens

    def save_token(self, token: TokenRecord) -> None:
        """Store a login; a token with the same hash is replaced."""
        self._db.write(
            "INSERT INTO login_tokens (token_hash, agent, role, expires_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (token_hash) DO UPDATE SET agent = excluded.agent, role = excluded.role,"
            " expires_at = excluded.expires_at",
            (token.token_hash, token.agent, token.role, token.expires_at),
        )

    def get_token(self, token_hash: str) -> TokenRecord | None:
        """The login with this hash, expired or not (the caller checks
        expires_at), or None."""
        rows = self._db.rows(
            "SELECT token_hash, agent, role, expires_at FROM login_tokens WHERE token_hash = ?", (token_hash,)
        )
        return TokenRecord(str(rows[0][0]), str(rows[0][1]), str(rows[0][2]), float(rows[0][3])) if rows else None

    def delete_token(self, token_hash: str) -> None:
        """Forget a login (log-out); no-op when unknown."""
        self._db.write("DELETE FROM login_tokens WHERE token_hash = ?", (token_hash,))

    def purge_tokens(self, now: float) -> int:
        """Forget every login with expires_at <= now; returns how many."""
        return self._db.write("DELETE FROM login_tokens WHERE expires_at <= ?", (now,))
