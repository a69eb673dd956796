"""The store: one database and a repository per feature, on SQLite or
PostgreSQL.

Contract of every repository method: a write is committed (durable) before
the method returns, so the service may acknowledge to desktops right after;
every failure is a StoreError (never an engine's own exception type); the
service calls from one worker thread, but the store may be created on
another (the database's lock keeps a store used from more threads sane).
"""

from __future__ import annotations

from types import TracebackType

from .agents_sql import Agents
from .audit_sql import AuditTrail
from .callback_sql import Callbacks
from .calls_sql import Calls
from .database import Database
from .engines import Engine, open_engine
from .missed_sql import MissedOffers
from .provisioning_sql import Enrollments, ProvisionedSettings
from .quality_sql import CallQualities
from .schema import migrate
from .survey_sql import Surveys
from .wrapup_sql import WrapUps


def open_store(url: str) -> Store:
    """Open (and migrate) the store at `url`:

    - "sqlite:///absolute/path.sqlite3" or "sqlite:///:memory:";
    - "postgresql://user:password@host:port/database" (or postgres://), with
      anything libpq takes in the query string, e.g. ?host=/run/postgresql
      for a Unix socket folder.

    Raises StoreError (without the password) when the URL is not usable or
    the database cannot be reached or migrated."""
    engine = open_engine(url)
    try:
        migrate(engine)
    except BaseException:
        engine.close()
        raise
    return Store(engine)


class Store:
    """The desk service's records, by feature. Usable as a context manager
    (closes on exit); closing twice is harmless."""

    def __init__(self, engine: Engine) -> None:
        self.db = Database(engine)
        self.agents = Agents(self.db)
        self.calls = Calls(self.db)
        self.callbacks = Callbacks(self.db)
        self.wrapups = WrapUps(self.db)
        self.surveys = Surveys(self.db)
        self.missed = MissedOffers(self.db)
        self.quality = CallQualities(self.db)
        self.enrollments = Enrollments(self.db)
        self.provisioned = ProvisionedSettings(self.db)
        self.audit = AuditTrail(self.db)

    def __repr__(self) -> str:
        return f"<Store {self.db.description}>"

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()


__all__ = ["Store", "open_store"]
