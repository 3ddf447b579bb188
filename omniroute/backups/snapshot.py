"""A consistent `.sqlite` copy of the live database, taken while the gateway keeps serving.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies the database as one read
transaction sees it, so rows a writer adds meanwhile are either all in the copy or not at all.
PostgreSQL: a fresh SQLite file gets our schema (as of the migrations the source has) and every
table's rows are copied into it inside one repeatable-read transaction, so one file format moves
between backends. The copy is left in rollback-journal mode: a single self-contained file.
"""

from __future__ import annotations

import contextvars
import datetime
import decimal
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from peewee import SqliteDatabase

from ..store.app_database import AppSqliteDatabase
from ..store.migrations import applied_versions, migrate

Result = TypeVar("Result")
BATCH_ROWS = 1000
LIVE_WAIT_SECONDS = 30.0


def live_sqlite_path(database) -> str | None:
    """The file of a SQLite database; None for PostgreSQL."""
    return database.database if isinstance(database, SqliteDatabase) else None


def open_sqlite(path: str, timeout: float = LIVE_WAIT_SECONDS) -> sqlite3.Connection:
    """A plain connection to a SQLite file (no pool, nothing bound for the models)."""
    return sqlite3.connect(path, timeout=timeout, check_same_thread=False)


def write_snapshot(database, destination: str) -> None:
    """Write a consistent copy of `database` (SQLite or PostgreSQL) to the `.sqlite` file
    `destination` (which must not exist yet)."""
    path = live_sqlite_path(database)
    if path is None:
        with database.connection_context():
            version = max(applied_versions(database), default=0)
        create_schema(destination, version)
        copy_postgres_tables(database, destination)
    else:
        with_closing_pair(open_sqlite(path), open_sqlite(destination), copy_sqlite)
    with_closing(open_sqlite(destination), _single_file)


def copy_sqlite(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    source.backup(target)


def with_closing(connection: sqlite3.Connection, work: Callable[[sqlite3.Connection], Result]):
    try:
        return work(connection)
    finally:
        connection.close()


def with_closing_pair(first: sqlite3.Connection, second: sqlite3.Connection, work) -> None:
    try:
        work(first, second)
    finally:
        first.close()
        second.close()


def _single_file(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA journal_mode=DELETE")


def on_sqlite_file(path: str, work: Callable[[Any], Result]) -> Result:
    """Run `work(database)` with a peewee database on the SQLite file `path`, without changing
    which database this thread's models use (the binding stays inside a copied context)."""

    def run() -> Result:
        database = AppSqliteDatabase(path, pragmas={"busy_timeout": 5000}, check_same_thread=False)
        try:
            return work(database)
        finally:
            database.close_all()

    return contextvars.copy_context().run(run)


def create_schema(path: str, version: int) -> None:
    """Create a fresh SQLite database at `path` of the schema as of migration `version` (the
    source's: a copy taken before pending migrations has the tables they would change)."""
    on_sqlite_file(path, lambda database: migrate(database, upto=version))


def sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [name for (name,) in rows]


def sqlite_columns(connection: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in connection.execute(f"PRAGMA table_info({quoted(table)})")]


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def as_sqlite_value(value: Any) -> Any:
    """A PostgreSQL value as peewee stores it in SQLite."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None).isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def copy_postgres_tables(database, destination: str) -> None:
    """Copy every table the SQLite schema has from PostgreSQL, as one consistent read."""
    target = open_sqlite(destination)
    try:
        with database.connection_context(), database.atomic():
            database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for table in sqlite_tables(target):
                if not database.table_exists(table):
                    continue
                shared = _shared_columns(database, target, table)
                target.execute(f"DELETE FROM {quoted(table)}")
                _insert_rows(target, table, shared, _postgres_rows(database, table, shared))
        target.commit()
    finally:
        target.close()


def _shared_columns(database, target: sqlite3.Connection, table: str) -> list[str]:
    theirs = {column.name for column in database.get_columns(table)}
    return [name for name in sqlite_columns(target, table) if name in theirs]


def _postgres_rows(database, table: str, columns: list[str]) -> Iterator[tuple]:
    names = ", ".join(quoted(name) for name in columns)
    cursor = database.execute_sql(f"SELECT {names} FROM {quoted(table)}")
    while rows := cursor.fetchmany(BATCH_ROWS):
        for row in rows:
            yield tuple(as_sqlite_value(value) for value in row)


def _insert_rows(target: sqlite3.Connection, table: str, columns: list[str], rows) -> None:
    names = ", ".join(quoted(name) for name in columns)
    marks = ", ".join("?" for _ in columns)
    target.executemany(f"INSERT INTO {quoted(table)} ({names}) VALUES ({marks})", rows)
