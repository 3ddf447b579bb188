"""Several processes starting together on one fresh database (a SQLite file, a fresh PostgreSQL
database): each opens it and calls migrate() at the same moment (a barrier), every one of them
succeeds, and each migration is applied by exactly one of them and recorded once.

Without the lock they collide: each sees no schema_migrations, and all but one fail on
`CREATE TABLE` of a table another process has just created (PostgreSQL: "relation … already
exists" or a duplicate pg_type row; SQLite: "table … already exists" or "database is locked").
"""

from __future__ import annotations

import multiprocessing

from omniroute.store.database import open_database
from omniroute.store.migrations import MIGRATIONS, migrate

PROCESSES = 4
WAIT_SECONDS = 90


def migrate_at_the_barrier(url: str, barrier, results) -> None:
    """A process starting up: open the database, wait for the others, migrate."""
    database = open_database(url)
    database.connect()
    try:
        barrier.wait(WAIT_SECONDS)
        results.put(("applied", migrate(database)))
    except Exception as error:
        results.put(("failed", f"{type(error).__name__}: {error}"))
    finally:
        database.close_all()


def migrate_in_processes_started_together(url: str) -> list[tuple[str, object]]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=migrate_at_the_barrier, args=(url, barrier, results))
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    try:
        return [results.get(timeout=WAIT_SECONDS) for _ in processes]
    finally:
        for process in processes:
            process.join(WAIT_SECONDS)
            if process.is_alive():
                process.kill()


def test_processes_starting_together_apply_each_migration_once(database_url):
    outcomes = migrate_in_processes_started_together(database_url)

    assert [kind for kind, _ in outcomes] == ["applied"] * PROCESSES, outcomes
    every_version = [m.version for m in MIGRATIONS]
    assert sorted(v for _, versions in outcomes for v in versions) == every_version
    database = open_database(database_url)
    try:
        with database.connection_context():
            recorded = database.execute_sql("SELECT version FROM schema_migrations").fetchall()
            assert sorted(version for (version,) in recorded) == every_version
            assert database.table_exists("usage_hourly")
        assert migrate(database) == []
    finally:
        database.close_all()
