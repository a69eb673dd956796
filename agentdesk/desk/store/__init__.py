"""The desk service's storage: agents' desired queue state, queue call
records, the VIP list and login tokens, in SQLite (default) or PostgreSQL.

    store = open_store("sqlite:///var/lib/agentdesk/desk.sqlite3")
    store = open_store("postgresql://desk:secret@db.example:5432/agentdesk")
"""

from __future__ import annotations

from .base import Store
from .records import (
    ABANDONED,
    ANSWERED,
    WAITING,
    CallEntry,
    CallRecord,
    DayStats,
    Membership,
    PauseState,
    StoreError,
    TokenRecord,
)
from .sql import open_store

__all__ = [
    "ABANDONED",
    "ANSWERED",
    "WAITING",
    "CallEntry",
    "CallRecord",
    "DayStats",
    "Membership",
    "PauseState",
    "Store",
    "StoreError",
    "TokenRecord",
    "open_store",
]
