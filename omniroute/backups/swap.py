"""Make a checked `.sqlite` copy the live database, atomically, while the gateway keeps serving.

SQLite: the online backup API copies the file into the live database in one step under its write
lock; other connections see the old content or the new, never a mix, and writers wait (busy
timeout) for the moment it takes. PostgreSQL: one transaction deletes every table's rows and
inserts the copy's, then moves each id sequence past the largest id.

The dashboard sessions live now are carried into the copy first, so whoever imports or restores
stays logged in (the copy's own sessions, from another time or instance, are dropped).
"""

from __future__ import annotations

import sqlite3

from .secret_free import SESSION_SETTING_PREFIX
from .snapshot import (
    live_sqlite_path,
    open_sqlite,
    quoted,
    sqlite_columns,
    sqlite_tables,
    with_closing,
    with_closing_pair,
)

BATCH_ROWS = 1000


def replace_live_database(database, copy_path: str) -> None:
    """Replace the content of `database` (SQLite or PostgreSQL) by the `.sqlite` at `copy_path`."""
    sessions = _live_sessions(database)
    with_closing(open_sqlite(copy_path), lambda copy: _carry_sessions(copy, sessions))
    live_path = live_sqlite_path(database)
    if live_path is None:
        with_closing(open_sqlite(copy_path), lambda copy: _replace_postgres(database, copy))
        return
    page_size = with_closing(open_sqlite(live_path), _page_size)
    with_closing(open_sqlite(copy_path), lambda copy: _match_page_size(copy, page_size))
    with_closing_pair(open_sqlite(copy_path), open_sqlite(live_path), _backup)


def _live_sessions(database) -> list[tuple[str, str]]:
    with database.connection_context():
        cursor = database.execute_sql(
            f"SELECT key, value FROM app_settings WHERE key LIKE {database.param}",
            (SESSION_SETTING_PREFIX + "%",),
        )
        return [(key, value) for key, value in cursor.fetchall()]


def _carry_sessions(copy: sqlite3.Connection, sessions: list[tuple[str, str]]) -> None:
    with copy:
        copy.execute("DELETE FROM app_settings WHERE key LIKE ?", (SESSION_SETTING_PREFIX + "%",))
        copy.executemany("INSERT INTO app_settings (key, value) VALUES (?, ?)", sessions)


def _backup(copy: sqlite3.Connection, live: sqlite3.Connection) -> None:
    copy.backup(live)


def _page_size(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA page_size").fetchone()[0])


def _match_page_size(copy: sqlite3.Connection, page_size: int) -> None:
    """A WAL database cannot change its page size: give the copy the live database's."""
    if _page_size(copy) != page_size:
        copy.execute(f"PRAGMA page_size = {int(page_size)}")
        copy.execute("VACUUM")


def _replace_postgres(database, copy: sqlite3.Connection) -> None:
    with database.connection_context(), database.atomic():
        tables = [name for name in sqlite_tables(copy) if database.table_exists(name)]
        for table in tables:
            database.execute_sql(f"DELETE FROM {quoted(table)}")
        for table in tables:
            _insert_table(database, copy, table)
            _advance_sequence(database, table)


def _insert_table(database, copy: sqlite3.Connection, table: str) -> None:
    kinds = {column.name: column.data_type for column in database.get_columns(table)}
    columns = [name for name in sqlite_columns(copy, table) if name in kinds]
    booleans = [kinds[name] == "boolean" for name in columns]
    names = ", ".join(quoted(name) for name in columns)
    marks = ", ".join("%s" for _ in columns)
    statement = f"INSERT INTO {quoted(table)} ({names}) VALUES ({marks})"
    cursor = copy.execute(f"SELECT {names} FROM {quoted(table)}")
    while rows := cursor.fetchmany(BATCH_ROWS):
        database.cursor().executemany(statement, [_as_postgres(row, booleans) for row in rows])


def _as_postgres(row: tuple, booleans: list[bool]) -> tuple:
    """SQLite's 0/1 as PostgreSQL booleans where the column is one."""
    return tuple(
        bool(value) if is_bool and value is not None else value
        for value, is_bool in zip(row, booleans, strict=True)
    )


def _advance_sequence(database, table: str) -> None:
    if "id" not in {column.name for column in database.get_columns(table)}:
        return
    sequence = database.execute_sql(
        "SELECT pg_get_serial_sequence(%s, 'id')", (quoted(table),)
    ).fetchone()[0]
    if sequence:
        database.execute_sql(
            f"SELECT setval(%s, COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {quoted(table)}",
            (sequence,),
        )
