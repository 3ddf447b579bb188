"""Open the database named by DATABASE_URL and bind the models to it.

SQLite (the default) runs in WAL mode with synchronous=NORMAL and a busy timeout; its file is
created 0600 (SQLite gives -wal and -shm the file's mode) and looser modes are tightened at
open, so the database is never readable by other users whatever the umask. PostgreSQL uses a
connection pool sized to the server's threads (`pool_size`: THREADS, so request threads never
wait for one another's connection; connections open only when used and close after
STALE_SECONDS idle, and a background thread finding the pool full waits up to
POOL_WAIT_SECONDS). Both are peewee pooled
databases, so a dashboard request borrows a connection and returns it on teardown.
"""

from __future__ import annotations

import os
import stat
from urllib.parse import unquote, urlparse

from .app_database import AppPostgresqlDatabase, AppSqliteDatabase, bind
from .drivers import POSTGRES_SCHEMES
from .models import database_proxy
from .secret_files import write_private_file

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "busy_timeout": 5000,
    "foreign_keys": 1,
}


DEFAULT_POOL_SIZE = 32  # a database opened by a tool or a test rather than the server
STALE_SECONDS = 300
POOL_WAIT_SECONDS = 10


def open_database(url: str, pool_size: int = DEFAULT_POOL_SIZE):
    """Create the peewee database for `url` and point every model at it (PostgreSQL: at most
    `pool_size` connections)."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if parsed.netloc:  # sqlite://relative/path
            path = parsed.netloc + path
        if path not in {":memory:", "/:memory:"}:
            os.makedirs(os.path.dirname(os.path.abspath(path)) or ".", mode=0o700, exist_ok=True)
            keep_private(path)
        database = AppSqliteDatabase(
            path,
            pragmas=SQLITE_PRAGMAS,
            max_connections=64,
            stale_timeout=300,
            check_same_thread=False,
        )
    elif parsed.scheme in POSTGRES_SCHEMES:
        database = AppPostgresqlDatabase(
            unquote(parsed.path.lstrip("/")),
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname,
            port=parsed.port or 5432,
            max_connections=pool_size,
            stale_timeout=STALE_SECONDS,
            timeout=POOL_WAIT_SECONDS,
        )
    else:
        raise ValueError(f"unsupported database URL scheme {parsed.scheme!r}")
    database_proxy.initialize(database)  # the fallback for threads that bound none
    bind(database)
    return database


def keep_private(path: str) -> None:
    """Create the SQLite file `path` 0600 if it is missing (an empty file is an empty database)
    and take group and other permissions off it and its -wal and -shm."""
    write_private_file(path, "")
    for name in (path, path + "-wal", path + "-shm"):
        try:
            mode = stat.S_IMODE(os.stat(name).st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            os.chmod(name, mode & 0o700)


def database_size_bytes(url: str) -> int | None:
    """Size of a SQLite database file (with its WAL); None for other databases."""
    parsed = urlparse(url)
    if parsed.scheme != "sqlite":
        return None
    path = unquote(parsed.path)
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
