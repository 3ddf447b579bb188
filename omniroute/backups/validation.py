"""Check an uploaded `.sqlite` before it may replace the live database, and bring it to our schema.

In order: SQLite can read it and `PRAGMA integrity_check` says ok (`corrupt_database`); it has
the tables every OmniRoute database has (`missing_tables`: a foreign SQLite); it holds no
triggers or views, which our schema never has (`unexpected_schema`); its schema version is at
most ours (`newer_schema`). Then the pending migrations run on it. All of this works on a
temporary copy the caller owns: the live database is not touched.
"""

from __future__ import annotations

import sqlite3

from ..store.migrations import LATEST_VERSION, migrate
from .errors import BackupError
from .snapshot import on_sqlite_file, open_sqlite, sqlite_tables, with_closing

REQUIRED_TABLES = ("provider_connections", "provider_nodes", "combos", "api_keys")
VERSIONS_TABLE = "schema_migrations"


def prepare_upload(path: str) -> int:
    """Validate the `.sqlite` file at `path` and migrate it in place; returns its schema version
    as uploaded. Raises BackupError naming the problem."""
    version = with_closing(open_sqlite(path, timeout=1.0), check_database)
    try:
        on_sqlite_file(path, migrate)
    except Exception as error:  # a database that passed the checks may still refuse the DDL
        raise BackupError("migration_failed", f"the database cannot be migrated: {error}") from None
    with_closing(open_sqlite(path), lambda c: c.execute("PRAGMA journal_mode=DELETE"))
    return version


def check_database(connection: sqlite3.Connection) -> int:
    """The checks, in order; returns the schema version."""
    _check_integrity(connection)
    tables = set(sqlite_tables(connection))
    missing = [name for name in (*REQUIRED_TABLES, VERSIONS_TABLE) if name not in tables]
    if missing:
        raise BackupError(
            "missing_tables",
            f"not an OmniRoute database: it has no {', '.join(missing)} table",
        )
    extras = connection.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')"
    ).fetchall()
    if extras:
        kind, name = extras[0]
        raise BackupError("unexpected_schema", f"the database has a {kind} {name!r}")
    version = _schema_version(connection)
    if version > LATEST_VERSION:
        raise BackupError(
            "newer_schema",
            f"the database has schema version {version}, newer than this OmniRoute's "
            f"{LATEST_VERSION}: upgrade OmniRoute first",
        )
    return version


def _check_integrity(connection: sqlite3.Connection) -> None:
    try:
        result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        raise BackupError("corrupt_database", f"not a readable SQLite database: {error}") from None
    if result != ["ok"]:
        raise BackupError("corrupt_database", f"integrity check failed: {'; '.join(result[:3])}")


def _schema_version(connection: sqlite3.Connection) -> int:
    try:
        row = connection.execute(f"SELECT MAX(version) FROM {VERSIONS_TABLE}").fetchone()
        return int(row[0] or 0)
    except (sqlite3.DatabaseError, TypeError, ValueError):
        raise BackupError("corrupt_database", "the schema version cannot be read") from None
