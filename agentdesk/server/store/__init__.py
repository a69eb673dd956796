"""The desk service's storage: agents' desired queue state, queue call
records, agents' transfers, the VIP list, login tokens, callback tasks,
enrollments and provisioned settings, in SQLite (default) or PostgreSQL.

    store = open_store("sqlite:///var/lib/agentdesk/desk.sqlite3")
    store = open_store("postgresql://desk:secret@db.example:5432/agentdesk")
"""

from __future__ import annotations

from .provisioning_sql import SITE, EnrollmentRecord, ScopeSettings
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
    "SITE",
    "CallEntry",
    "CallRecord",
    "CallbackEvent",
    "CallbackStats",
    "CallbackTask",
    "DayStats",
    "EnrollmentRecord",
    "Membership",
    "PauseState",
    "ScopeSettings",
    "Store",
    "StoreError",
    "TokenRecord",
    "TransferRecord",
    "open_store",
]
