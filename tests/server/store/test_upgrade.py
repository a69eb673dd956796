"""An upgrade from the previous store version keeps every row of every
table, on SQLite and PostgreSQL. The rows are made from the tables' own
column lists, so a table added by a later migration is covered without
this test being told about it."""

from __future__ import annotations

import pytest

from agentdesk.server.store import open_store, schema
from agentdesk.server.store.engines import Engine

ROWS_PER_TABLE = 3


def tables_and_columns(engine: Engine) -> dict[str, list[tuple[str, str]]]:
    """Every table but schema_version: its (column, declared type)s in order."""
    if "sqlite" in type(engine).__name__.lower():
        names = [r[0] for r in engine.run("SELECT name FROM sqlite_master WHERE type = 'table'").rows]
        found = {n: [(str(c[1]), str(c[2]).upper()) for c in engine.run(f"PRAGMA table_info({n})").rows]
                 for n in names}
    else:
        rows = engine.run("SELECT table_name, column_name, data_type FROM information_schema.columns "
                          "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position").rows
        found = {}
        for table, column, kind in rows:
            found.setdefault(str(table), []).append((str(column), str(kind).upper()))
    found.pop("schema_version", None)
    return found


def value_for(table: str, column: str, kind: str, row: int) -> object:
    if "INT" in kind:
        return row
    if "DOUBLE" in kind or "REAL" in kind:
        return 1_790_000_000.25 + row
    return f"{table}.{column}.{row}"


def contents(engine: Engine, table: str, columns: list[str]) -> list[tuple[object, ...]]:
    listed = ", ".join(columns)
    return sorted(engine.run(f"SELECT {listed} FROM {table}").rows, key=repr)


def test_an_upgrade_from_the_previous_version_keeps_every_row(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = schema.LATEST - 1
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:previous])
    monkeypatch.setattr(schema, "LATEST", previous)
    old = open_store(store_url)
    engine = old.db.engine
    before: dict[str, list[tuple[object, ...]]] = {}
    with engine.transaction():
        for table, columns in tables_and_columns(engine).items():
            names = [c for c, _ in columns]
            marks = ", ".join("?" for _ in names)
            for row in range(ROWS_PER_TABLE):
                values = [value_for(table, c, kind, row) for c, kind in columns]
                engine.run(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", values)
    for table, columns in tables_and_columns(engine).items():
        before[table] = contents(engine, table, [c for c, _ in columns])
    old.close()
    monkeypatch.undo()

    upgraded = open_store(store_url)
    try:
        engine = upgraded.db.engine
        assert engine.run("SELECT MAX(version) FROM schema_version").rows == [(schema.LATEST,)]
        assert len(before) >= 10 and all(len(rows) == ROWS_PER_TABLE for rows in before.values())
        now = tables_and_columns(engine)
        for table, rows in before.items():
            old_columns = [c for c, _ in tables_and_columns_of(before, table, now)]
            assert contents(engine, table, old_columns) == rows, table
    finally:
        upgraded.close()


def tables_and_columns_of(before: dict[str, list[tuple[object, ...]]], table: str,
                          now: dict[str, list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """The table's columns as the previous version had them (a later
    migration may add columns, never reorder or drop them)."""
    assert table in now, f"the upgrade dropped table {table}"
    width = len(before[table][0])
    return now[table][:width]
