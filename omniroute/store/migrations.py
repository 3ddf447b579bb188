"""Run the schema migrations (migration_steps.MIGRATIONS) at start-up: in order, each once, each
in its own transaction, under a lock so that several processes starting together on one
database apply each migration exactly once.

The lock: on SQLite every migration runs in a `BEGIN EXCLUSIVE` transaction that first re-reads
which versions are applied (a second process waits for the first one's transaction, then sees
its version recorded and skips it); on PostgreSQL the whole run holds a session-level advisory
lock on its connection (DDL in PostgreSQL is transactional but concurrent `CREATE TABLE`s still
collide), and re-reads the applied versions once it holds it. A start with nothing to apply takes
no lock at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from peewee import DatabaseProxy, PostgresqlDatabase

from ..clock import utcnow
from .migration_steps import DIALECT_TYPES, LATEST_VERSION, MIGRATIONS, Migration
from .models import SchemaMigration

__all__ = ["DIALECT_TYPES", "LATEST_VERSION", "MIGRATIONS", "applied_versions", "migrate"]

# pg_advisory_lock's key: b"omnirout" read as a big-endian 64-bit integer
MIGRATION_LOCK_KEY = 0x6F6D6E69726F7574
# how long a SQLite process waits for another one's migration (a backfill can take minutes)
SQLITE_MIGRATION_WAIT_MS = 600_000


def dialect_of(database) -> str:
    """The SQL dialect of `database`, or of the database a model proxy stands for."""
    target = database.obj if isinstance(database, DatabaseProxy) else database
    return "postgresql" if isinstance(target, PostgresqlDatabase) else "sqlite"


def applied_versions(database) -> set[int]:
    if not database.table_exists("schema_migrations"):
        return set()
    return {row.version for row in SchemaMigration.select(SchemaMigration.version)}


def migrate(database, upto: int | None = None) -> list[int]:
    """Apply every pending migration (up to `upto`); returns the versions this call applied."""
    wanted = [m for m in MIGRATIONS if upto is None or m.version <= upto]
    with database.connection_context():
        if {m.version for m in wanted} <= applied_versions(database):
            return []
        with migration_lock(database):
            return [m.version for m in wanted if _apply_unless_applied(database, m)]


@contextmanager
def migration_lock(database) -> Iterator[None]:
    """Hold the lock that serialises migrations across processes, on this thread's connection.

    PostgreSQL: a session-level advisory lock, released at the end (or when the process dies).
    SQLite: the lock is each migration's exclusive transaction; this only lets a process wait
    that long for another one's migration instead of the usual busy timeout."""
    if dialect_of(database) == "postgresql":
        database.execute_sql("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
        try:
            yield
        finally:
            database.execute_sql("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))
        return
    previous_ms = database.execute_sql("PRAGMA busy_timeout").fetchone()[0]
    database.execute_sql(f"PRAGMA busy_timeout = {SQLITE_MIGRATION_WAIT_MS}")
    try:
        yield
    finally:
        database.execute_sql(f"PRAGMA busy_timeout = {int(previous_ms)}")


def _exclusive_transaction(database):
    """A transaction no other writer can run beside (SQLite: BEGIN EXCLUSIVE; PostgreSQL runs
    inside the advisory lock already)."""
    if dialect_of(database) == "postgresql":
        return database.atomic()
    return database.atomic("EXCLUSIVE")


def _apply_unless_applied(database, migration: Migration) -> bool:
    """Apply `migration` in one transaction unless it is recorded already; True if applied."""
    types = DIALECT_TYPES[dialect_of(database)]
    with _exclusive_transaction(database):
        database.create_tables([SchemaMigration])  # IF NOT EXISTS
        if migration.version in applied_versions(database):
            return False
        for statement in migration.statements:
            database.execute_sql(statement.format(**types))
        SchemaMigration.create(version=migration.version, name=migration.name, applied_at=utcnow())
    return True
