"""How a queue_calls row reads: the column list and its conversion, shared
by the SQL parts that select queue calls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .records import CallRecord

CALL_COLUMNS = (
    "uniqueid, linkedid, queue, number, name, joined_at, position, vip,"
    " agent, connected_at, ended_at, hold_seconds, talk_seconds, outcome"
)


def call_record(row: Sequence[Any]) -> CallRecord:
    """A queue_calls row (CALL_COLUMNS order) as a CallRecord; converts
    explicitly because SQLite keeps whatever type a value was written with."""
    uniqueid, linkedid, queue, number, name, joined_at, position, vip = row[:8]
    agent, connected_at, ended_at, hold_seconds, talk_seconds, outcome = row[8:]
    return CallRecord(
        uniqueid=str(uniqueid),
        linkedid=str(linkedid),
        queue=str(queue),
        number=str(number),
        name=str(name),
        joined_at=float(joined_at),
        position=int(position),
        vip=bool(vip),
        agent=str(agent),
        connected_at=None if connected_at is None else float(connected_at),
        ended_at=None if ended_at is None else float(ended_at),
        hold_seconds=None if hold_seconds is None else int(hold_seconds),
        talk_seconds=None if talk_seconds is None else int(talk_seconds),
        outcome=str(outcome),
    )
