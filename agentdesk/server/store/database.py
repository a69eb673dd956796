"""One database: an engine (SQLite or PostgreSQL), the lock that keeps it
to one statement or transaction at a time, and its transactions. Every
repository of the store works through it.

Every statement binds its parameters (numbers and names come from callers
and from the PBX); every write outside a transaction is a single
autocommitted statement, so it is durable before the method returns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .engines import Engine, Result

Run = Callable[[str, Sequence[object]], Result]


class Database:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        """The engine itself, outside the lock: for migrations and bulk loads
        before the service runs, never while it does."""
        return self._engine

    @property
    def description(self) -> str:
        """The engine and where it is, without any password."""
        return self._engine.description

    def run(self, sql: str, params: Sequence[object] = ()) -> tuple[list[tuple[Any, ...]], int]:
        with self._lock:
            rows, count = self._engine.run(sql, params)
            return rows, count

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self.run(sql, params)[0]

    def write(self, sql: str, params: Sequence[object]) -> int:
        return self.run(sql, params)[1]

    @contextmanager
    def transaction(self) -> Iterator[Run]:
        """Statements run through the yielded function commit together, or
        not at all on an exception; other calls wait until then."""
        with self._lock, self._engine.transaction():
            yield self._engine.run

    def close(self) -> None:
        with self._lock:
            self._engine.close()
