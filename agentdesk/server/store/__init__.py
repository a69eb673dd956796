"""The desk service's storage: agents' desired queue state, queue call
records, agents' transfers, the VIP list, login tokens and callback tasks,
in SQLite (default) or PostgreSQL.

    store = open_store("sqlite:///var/lib/agentdesk/desk.sqlite3")
    store = open_store("postgresql://desk:secret@db.example:5432/agentdesk")
"""

from __future__ import annotations

from .records import (
    CallbackEvent,
    CallbackStats,
    CallbackTask,
    CallEntry,
    CallRecord,
    DayStats,
    Membership,
    PauseState,
    StoreError,
    TokenRecord,
    TransferRecord,
)
from .sql import Store, open_store

__all__ = [
    "CallEntry",
    "CallRecord",
    "CallbackEvent",
    "CallbackStats",
    "CallbackTask",
    "DayStats",
    "Membership",
    "PauseState",
    "Store",
    "StoreError",
    "TokenRecord",
    "TransferRecord",
    "open_store",
]
