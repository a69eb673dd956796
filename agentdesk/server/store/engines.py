"""The two database engines behind the store, behind one small interface.

The store's SQL is written once, with `?` placeholders and bound parameters;
each Engine runs it on its own driver (sqlite3, psycopg 3) and turns the
driver's exceptions into StoreError with a password-free message. Outside
`transaction()` every statement commits on its own (autocommit), so a write
is durable when `run` returns.
"""

from __future__ import annotations

import abc
import logging
import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import unquote, urlsplit

from .records import StoreError

if TYPE_CHECKING:
    from psycopg import Connection

log = logging.getLogger("agentdesk.server.store")

CONNECT_TIMEOUT_SECONDS = 10
BUSY_TIMEOUT_SECONDS = 10.0
# Any constant will do: it only serialises schema migrations between services
# opening the same PostgreSQL database at once.
MIGRATION_LOCK_KEY = 0x4A67E5D


class Result(NamedTuple):
    rows: list[tuple[Any, ...]]
    rowcount: int


class Engine(abc.ABC):
    """One open database connection. `description` names the database for
    messages and logs and never contains a password."""

    description: str

    @abc.abstractmethod
    def run(self, sql: str, params: Sequence[object] = ()) -> Result:
        """Run one statement with bound parameters; its rows (if any)."""

    @abc.abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Statements inside commit together, or not at all on an exception."""

    @abc.abstractmethod
    def lock_schema(self) -> None:
        """Inside a transaction: keep other openers from migrating at once."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close the connection; closing twice is harmless."""

    def failure(self, doing: str, error: Exception, secrets: Sequence[str] = ()) -> StoreError:
        """A StoreError for `error`, logged, with every secret scrubbed."""
        detail = str(error).strip() or type(error).__name__
        for secret in secrets:
            detail = detail.replace(secret, "***")
        log.warning("%s %s failed: %s", doing, self.description, detail)
        return StoreError(f"{doing} the {self.description} failed: {detail}")


def open_engine(url: str) -> Engine:
    """The engine for a database URL (see open_store for the forms)."""
    scheme = url.partition(":")[0].lower()
    if scheme == "sqlite":
        return SqliteEngine(sqlite_path(url))
    if scheme in ("postgresql", "postgres"):
        return PostgresEngine(url)
    raise StoreError(
        f"unsupported database URL {redact_url(url)!r}: use sqlite:///absolute/path.sqlite3,"
        " sqlite:///:memory: or postgresql://user:password@host:port/database"
    )


def sqlite_path(url: str) -> str:
    """The file of "sqlite:///absolute/path" (":memory:" for sqlite:///:memory:).

    "sqlite:////absolute/path" (SQLAlchemy's spelling of an absolute path)
    means the same file; relative paths are refused: a service's database
    must not move with its working folder."""
    rest = url[len("sqlite:") :]
    path = "/" + rest.lstrip("/")
    if not rest.startswith("///") or path == "/":
        raise StoreError(
            f"a SQLite URL is sqlite:///absolute/path.sqlite3 or sqlite:///:memory:, not {redact_url(url)!r}")
    return ":memory:" if path == "/:memory:" else path


class SqliteEngine(Engine):
    """A SQLite file in WAL mode with synchronous=FULL: a committed write
    survives a power cut. The connection may be used from another thread
    than the one that opened it (the store serialises calls itself)."""

    def __init__(self, path: str) -> None:
        self.description = "in-memory SQLite database" if path == ":memory:" else f"SQLite database {path}"
        self._closed = False
        try:
            if path != ":memory:":
                _create_private(path)
            self._conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_SECONDS
            )
        except (sqlite3.Error, OSError) as error:
            raise self.failure("opening", error) from error
        try:
            self._tune(path)
        except sqlite3.Error as error:
            self._conn.close()
            raise self.failure("opening", error) from error

    def _tune(self, path: str) -> None:
        mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if path != ":memory:" and str(mode).lower() != "wal":
            log.warning("%s stays in journal mode %s (WAL not available)", self.description, mode)
        self._conn.execute("PRAGMA synchronous=FULL")

    def run(self, sql: str, params: Sequence[object] = ()) -> Result:
        if self._closed:
            raise StoreError(f"the {self.description} is closed")
        try:
            cursor = self._conn.execute(sql, tuple(params))
            return Result(cursor.fetchall(), cursor.rowcount)
        except sqlite3.Error as error:
            raise self.failure("using", error) from error

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # BEGIN IMMEDIATE takes the write lock at once: no deadlock between
        # two writers that both started by reading.
        self.run("BEGIN IMMEDIATE")
        try:
            yield
            self.run("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        try:
            self._conn.rollback()
        except sqlite3.Error as error:
            log.warning("rolling back on the %s failed: %s", self.description, error)

    def lock_schema(self) -> None:
        """BEGIN IMMEDIATE already holds SQLite's single write lock."""

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._conn.close()


class PostgresEngine(Engine):
    """A psycopg 3 connection in autocommit mode. A connection broken by a
    server restart fails the call in progress (StoreError) and is opened
    again on the next call."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._secrets = url_secrets(url)
        self.description = f"PostgreSQL database {redact_url(url)}"
        self._closed = False
        self._conn = self._connect()

    def _connect(self) -> Connection[tuple[Any, ...]]:
        import psycopg  # only deployments on PostgreSQL need the driver
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        try:
            conninfo = self._url
            if "connect_timeout" not in conninfo_to_dict(conninfo):
                conninfo = make_conninfo(conninfo, connect_timeout=CONNECT_TIMEOUT_SECONDS)
            return psycopg.connect(conninfo, autocommit=True)
        except psycopg.Error as error:
            raise self.failure("connecting to", error, self._secrets) from None

    def _connection(self) -> Connection[tuple[Any, ...]]:
        if self._closed:
            raise StoreError(f"the {self.description} is closed")
        if self._conn.closed or self._conn.broken:
            log.warning("the connection to the %s was lost: connecting again", self.description)
            self._conn = self._connect()
        return self._conn

    def run(self, sql: str, params: Sequence[object] = ()) -> Result:
        import psycopg

        conn = self._connection()
        try:
            with conn.cursor() as cursor:
                cursor.execute(pyformat(sql), tuple(params))
                rows = cursor.fetchall() if cursor.description else []
                return Result(rows, cursor.rowcount)
        except psycopg.Error as error:
            raise self.failure("using", error, self._secrets) from error

    @contextmanager
    def transaction(self) -> Iterator[None]:
        import psycopg

        conn = self._connection()
        try:
            with conn.transaction():
                yield
        except psycopg.Error as error:
            raise self.failure("committing to", error, self._secrets) from error

    def lock_schema(self) -> None:
        self.run(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._conn.close()


def pyformat(sql: str) -> str:
    """The store's `?` placeholders in psycopg's `%s` style."""
    if "%" in sql:
        raise ValueError("store SQL must not contain '%' (it would be taken for a placeholder)")
    return sql.replace("?", "%s")


def _create_private(path: str) -> None:
    """A new database file is created readable by its owner only (SQLite
    gives its -wal and -shm files the same mode); an existing one is left
    as it is. Its folder is not made here: a missing one is an error."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))


# libpq's keyword/value form ("host=db password=secret"), the value quoted or not.
_KEYWORD_PASSWORD = re.compile(r"(?i)\bpassword\s*=\s*(?:'(?:[^'\\]|\\.)*'?|\S*)")


def redact_url(url: str) -> str:
    """The URL with its password (in the user part or the query) as ***;
    a libpq keyword/value string with its password as ***."""
    if "://" not in url:
        return _KEYWORD_PASSWORD.sub("password=***", url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unreadable URL)"
    netloc = parts.netloc
    if "@" in netloc:
        user_info, _, host_info = netloc.rpartition("@")
        user, has_password, _ = user_info.partition(":")
        netloc = f"{user}{':***' if has_password else ''}@{host_info}"
    query = re.sub(r"(?i)(^|&)(password)=[^&]*", r"\1\2=***", parts.query)
    return parts._replace(netloc=netloc, query=query).geturl()


def url_secrets(url: str) -> list[str]:
    """Every form of the URL's password that an error message could echo."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    found = [parts.netloc.rpartition("@")[0].partition(":")[2]] if "@" in parts.netloc else []
    found += re.findall(r"(?i)(?:^|&)password=([^&]*)", parts.query)
    secrets = {form for value in found for form in (value, unquote(value)) if value}
    return sorted(secrets, key=len, reverse=True)
