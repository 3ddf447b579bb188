"""What the API and the dashboard call: list, create, download, restore and delete backups,
import an uploaded `.sqlite` or export-all `.tar.gz`, the storage facts, the start-up backup.

Every change of the database as a whole takes an automatic backup first (`pre-import`,
`pre-restore`), is validated on a temporary copy, swapped in atomically, and followed by
`services.reload()`. The outcome says how many accounts hold secrets this instance's storage key
cannot open (a database from another instance: they show "key needed").
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Protocol

from ..store.database import database_size_bytes
from ..store.migrations import MIGRATIONS, applied_versions
from ..store.secret_box import SecretBox, SecretBoxError
from .archive import read_archive_config
from .folder import Backup, BackupFolder
from .schedule import BackupSchedule
from .snapshot import write_snapshot
from .swap import replace_live_database
from .validation import prepare_upload


class BackupServices(Protocol):
    """The parts of the running gateway (omniroute.services.Services) a backup needs."""

    settings: dict[str, Any]
    database: Any
    box: SecretBox

    def reload(self) -> None: ...


@dataclass(frozen=True)
class ImportOutcome:
    kind: str  # database | configuration
    backup: Backup  # the automatic backup taken first
    accounts_needing_key: int

    def as_api(self) -> dict:
        return {
            "imported": self.kind,
            "backup": self.backup.as_api(),
            "accountsNeedingKey": self.accounts_needing_key,
        }


def folder_of(services: BackupServices) -> BackupFolder:
    return BackupFolder(services.settings["DATA_DIR"])


def list_backups(services: BackupServices) -> list[Backup]:
    return folder_of(services).backups()


def create_backup(services: BackupServices, reason: str = "manual") -> Backup:
    """Write a backup now and prune the folder to BACKUP_KEEP (the new one is always kept)."""
    folder = folder_of(services)
    backup = folder.write(reason, lambda path: write_snapshot(services.database, path))
    folder.prune(max(1, services.settings["BACKUP_KEEP"]))
    return backup


def backup_path(services: BackupServices, name: str) -> str:
    return folder_of(services).file_of(name)


def delete_backup(services: BackupServices, name: str) -> None:
    folder_of(services).delete(name)


def restore_backup(services: BackupServices, name: str) -> ImportOutcome:
    """Make the backup `name` the live database (a `pre-restore` backup is taken first)."""
    source = backup_path(services, name)
    return _replace_from(services, lambda path: shutil.copyfile(source, path), "pre-restore")


def import_database(services: BackupServices, upload_path: str) -> ImportOutcome:
    """Make an uploaded `.sqlite` the live database (a `pre-import` backup is taken first)."""
    return _replace_from(services, lambda path: shutil.copyfile(upload_path, path), "pre-import")


@dataclass(frozen=True)
class ConfigHandlers:
    """How a configuration bundle is checked and applied (the sync's config_bundle module), and
    the mark an account without its credential gets."""

    check: Callable[[dict], object]  # raises, changing nothing, for a bundle it refuses
    apply: Callable[[dict], None]
    key_needed_mark: str


def import_archive(
    services: BackupServices, upload_path: str, handlers: ConfigHandlers
) -> ImportOutcome:
    """Restore the configuration of an export-all archive: accounts arrive without credentials
    (marked "key needed") unless this instance already holds theirs."""
    config, _manifest = read_archive_config(upload_path)
    handlers.check(config)
    backup = create_backup(services, "pre-import")
    handlers.apply(config)
    services.reload()
    return ImportOutcome(
        "configuration", backup, accounts_needing_key(services, handlers.key_needed_mark)
    )


def _replace_from(
    services: BackupServices, fill: Callable[[str], object], reason: str
) -> ImportOutcome:
    with tempfile.TemporaryDirectory(prefix=".import-", dir=services.settings["DATA_DIR"]) as work:
        copy = os.path.join(work, "candidate.sqlite")
        fill(copy)
        prepare_upload(copy)
        backup = create_backup(services, reason)
        replace_live_database(services.database, copy)
    services.reload()
    return ImportOutcome("database", backup, accounts_needing_key(services))


SEALED_COLUMNS = (
    ("provider_connections", "api_key_encrypted"),
    ("provider_connections", "oauth_tokens_encrypted"),
    ("provider_nodes", "api_key_encrypted"),
)


def accounts_needing_key(services: BackupServices, mark: str | None = None) -> int:
    """How many accounts (provider connections and nodes) hold a secret this instance's storage
    key cannot open, or (with `mark`) were marked as lacking their credential."""
    database = services.database
    needing: set[tuple[str, int]] = set()
    with database.connection_context():
        for table, column in SEALED_COLUMNS:
            rows = database.execute_sql(f"SELECT id, {column} FROM {table}").fetchall()
            needing.update((table, i) for i, sealed in rows if _cannot_open(services.box, sealed))
        if mark is not None:
            marked = database.execute_sql(
                f"SELECT id FROM provider_connections WHERE last_test_error = {database.param}",
                (mark,),
            ).fetchall()
            needing.update(("provider_connections", row_id) for (row_id,) in marked)
    return len(needing)


def _cannot_open(box: SecretBox, sealed: str | None) -> bool:
    if not sealed:
        return False
    try:
        box.decrypt(sealed)
    except SecretBoxError:
        return True
    return False


def storage_info(services: BackupServices) -> dict:
    """The facts Settings → System & Storage shows."""
    folder = folder_of(services)
    url = services.settings["DATABASE_URL"]
    return {
        "dataDir": services.settings["DATA_DIR"],
        "backupsDir": folder.path,
        "backend": "sqlite" if url.startswith("sqlite") else "postgresql",
        "databaseSize": database_size_bytes(url),
        "backupIntervalHours": services.settings["BACKUP_INTERVAL_HOURS"],
        "backupKeep": services.settings["BACKUP_KEEP"],
        "backups": len(folder.backups()),
    }


def backup_before_migrations(database, data_dir: str) -> Backup | None:
    """At start-up: a `pre-migration` backup when the database has data and migrations are
    pending (a fresh database has nothing to lose)."""
    with database.connection_context():
        applied = applied_versions(database)
    if not applied or {m.version for m in MIGRATIONS} <= applied:
        return None
    return BackupFolder(data_dir).write("pre-migration", lambda p: write_snapshot(database, p))


def schedule_backups(
    services: BackupServices, submit: Callable[[Callable[[], object]], Future]
) -> BackupSchedule:
    """Start the scheduled backups (BACKUP_INTERVAL_HOURS; 0: none), run by `submit` (the
    fan-out pool's executor)."""

    def newest_scheduled() -> datetime.datetime | None:
        scheduled = [b.created for b in list_backups(services) if b.reason == "scheduled"]
        return max(scheduled, default=None)

    schedule = BackupSchedule(
        services.settings["BACKUP_INTERVAL_HOURS"],
        newest_scheduled,
        lambda: create_backup(services, "scheduled"),
        submit,
        lock_path=os.path.join(folder_of(services).path, ".schedule.lock"),
    )
    schedule.start()
    return schedule
