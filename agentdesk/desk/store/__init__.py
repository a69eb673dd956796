"""The desk service's storage: agents' desired queue state, queue call
records, agents' transfers, the VIP list and login tokens, in SQLite (default) or PostgreSQL.

    store = open_store("sqlite:///var/lib/agentdesk/desk.sqlite3")
    store = open_store("postgresql://desk:secret@db.example:5432/agentdesk")
"""

from __future__ import annotations

from .base import Store
from .records import (
    ABANDONED,
    ACCEPTED,
    ANSWERED,
    ATTENDED,
    BLIND,
    CONFERENCE,
    FAILED,
    RETURNED,
    VOICEMAIL,
    WAITING,
    CallEntry,
    CallRecord,
    DayStats,
    Membership,
    PauseState,
    StoreError,
    TokenRecord,
    TransferRecord,
)
from .sql import open_store

__all__ = [
    "ABANDONED",
    "ACCEPTED",
    "ANSWERED",
    "ATTENDED",
    "BLIND",
    "CONFERENCE",
    "FAILED",
    "RETURNED",
    "VOICEMAIL",
    "WAITING",
    "CallEntry",
    "CallRecord",
    "DayStats",
    "Membership",
    "PauseState",
    "Store",
    "StoreError",
    "TokenRecord",
    "TransferRecord",
    "open_store",
]
