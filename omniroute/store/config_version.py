"""The configuration's version: a number every configuration change moves, so the other
processes on the same database know to reload what they keep in memory (config_watch.py).

It lives beside the tables, never in them, so a backup, an export, an import or a restore
neither carries nor rolls it back:

- PostgreSQL: the sequence `omniroute_config_version` (a bump is `nextval`, atomic across
  instances and never undone; reading it is one tiny query);
- SQLite (worker processes on one machine): the file DATA_DIR/config-version, one byte appended
  per change (appends are atomic), so the version is the file's size (one stat to read).
"""

from __future__ import annotations

import os
from typing import Protocol

from .migrations import dialect_of, migration_lock

SEQUENCE = "omniroute_config_version"
VERSION_FILE = "config-version"


class ConfigVersion(Protocol):
    def read(self) -> int: ...

    def bump(self) -> None: ...


class SequenceVersion:
    def __init__(self, database):
        self._database = database
        with database.connection_context(), migration_lock(database):  # instances starting together
            database.execute_sql(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")

    def read(self) -> int:
        with self._database.connection_context():
            return int(
                self._database.execute_sql(f"SELECT last_value FROM {SEQUENCE}").fetchone()[0]
            )

    def bump(self) -> None:
        with self._database.connection_context():
            self._database.execute_sql(f"SELECT nextval('{SEQUENCE}')")


class FileVersion:
    def __init__(self, data_dir: str):
        self.path = os.path.join(data_dir, VERSION_FILE)

    def read(self) -> int:
        try:
            return os.stat(self.path).st_size
        except FileNotFoundError:
            return 0

    def bump(self) -> None:
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, b".")
        finally:
            os.close(descriptor)


def config_version(database, data_dir: str) -> ConfigVersion:
    """Where the version of `database`'s configuration is kept."""
    if dialect_of(database) == "postgresql":
        return SequenceVersion(database)
    return FileVersion(data_dir)
