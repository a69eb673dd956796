"""Missed queue offers on SQL: each offer an agent's phone rang without
being answered (AMI AgentRingNoAnswer), kept for reports. Periods are
[start, end) in epoch seconds of `offered_at`."""

from __future__ import annotations

from .database import Database


class MissedOffers:
    """One row per missed offer: who, which queue, which caller, when."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add_missed_offer(self, agent: str, queue: str, uniqueid: str, at: float) -> None:
        self._db.write(
            "INSERT INTO missed_offers (agent, queue, uniqueid, offered_at) VALUES (?, ?, ?, ?)",
            (agent, queue, uniqueid, at),
        )

    def missed_offer_counts(self, start: float, end: float, agent: str | None = None) -> dict[str, int]:
        """agent -> how many offers they missed in the period (agents
        without any are left out); only `agent`'s when given."""
        where = "offered_at >= ? AND offered_at < ?"
        params: list[object] = [start, end]
        if agent is not None:
            where += " AND agent = ?"
            params.append(agent)
        rows = self._db.rows(
            f"SELECT agent, COUNT(*) FROM missed_offers WHERE {where} GROUP BY agent ORDER BY agent", params
        )
        return {str(name): int(count) for name, count in rows}
