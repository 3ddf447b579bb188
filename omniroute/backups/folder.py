"""The backup folder, DATA_DIR/backups/: names, listing, writing one, keep-N pruning.

A backup is `omniroute-<UTC time to the millisecond>-<reason>.sqlite`, written under a temporary
name and linked under its own once complete (never replacing another), mode 0600 (it holds
sealed secrets). Only names of that exact form are listed, served, restored or deleted, so no
path reaches outside the folder; other files in it (the sync's configuration backups) are left
alone.
"""

from __future__ import annotations

import datetime
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from ..clock import utcnow
from .errors import BackupError

REASONS = ("manual", "scheduled", "pre-import", "pre-restore", "pre-migration")
NAME_PATTERN = re.compile(
    r"^omniroute-(?P<stamp>\d{8}T\d{6}\.\d{3}Z)-(?P<reason>" + "|".join(REASONS) + r")\.sqlite$"
)
STAMP_FORMAT = "%Y%m%dT%H%M%S.%fZ"


@dataclass(frozen=True)
class Backup:
    name: str
    size: int
    created: datetime.datetime  # UTC, naive as the store's times are
    reason: str

    def as_api(self) -> dict:
        return {
            "name": self.name,
            "size": self.size,
            "created": self.created.isoformat(timespec="seconds") + "Z",
            "reason": self.reason,
        }


def backup_name(reason: str, when: datetime.datetime) -> str:
    stamp = when.strftime(STAMP_FORMAT)[:-4] + "Z"  # microseconds → milliseconds
    return f"omniroute-{stamp}-{reason}.sqlite"


class BackupFolder:
    def __init__(self, data_dir: str):
        self.path = os.path.join(data_dir, "backups")

    def backups(self) -> list[Backup]:
        """Every backup, newest first."""
        try:
            names = os.listdir(self.path)
        except FileNotFoundError:
            return []
        found = [self._describe(name) for name in names if NAME_PATTERN.match(name)]
        return sorted((b for b in found if b is not None), key=lambda b: b.name, reverse=True)

    def file_of(self, name: str) -> str:
        """The path of the backup `name`; BackupError (400 bad name, 404 none) otherwise."""
        if not NAME_PATTERN.match(name):
            raise BackupError("invalid_name", f"{name!r} is not a backup name")
        path = os.path.join(self.path, name)
        if not os.path.isfile(path):
            raise BackupError("not_found", f"no backup named {name!r}", status=404)
        return path

    def write(self, reason: str, fill: Callable[[str], None]) -> Backup:
        """A new backup: `fill(path)` writes the `.sqlite` to a path that does not exist yet."""
        if reason not in REASONS:
            raise ValueError(f"unknown backup reason {reason!r}")
        os.makedirs(self.path, mode=0o700, exist_ok=True)
        partial = tempfile.mkdtemp(prefix=".partial-", dir=self.path)
        try:
            staged = os.path.join(partial, "backup.sqlite")
            fill(staged)
            os.chmod(staged, 0o600)
            name = self._publish(staged, reason)
        finally:
            for leftover in os.listdir(partial):
                os.unlink(os.path.join(partial, leftover))
            os.rmdir(partial)
        described = self._describe(name)
        assert described is not None  # just written
        return described

    def _publish(self, staged: str, reason: str) -> str:
        """Link the finished file under its name; two backups in one millisecond get the next
        free one (a link never replaces an existing backup)."""
        when = utcnow()
        while True:
            name = backup_name(reason, when)
            try:
                os.link(staged, os.path.join(self.path, name))
                return name
            except FileExistsError:
                when += datetime.timedelta(milliseconds=1)

    def delete(self, name: str) -> None:
        os.unlink(self.file_of(name))

    def prune(self, keep: int) -> list[str]:
        """Delete all but the `keep` newest backups; returns the names deleted."""
        removed = [backup.name for backup in self.backups()[keep:]]
        for name in removed:
            try:
                os.unlink(os.path.join(self.path, name))
            except FileNotFoundError:
                pass
        return removed

    def _describe(self, name: str) -> Backup | None:
        match = NAME_PATTERN.match(name)
        assert match is not None
        try:
            size = os.path.getsize(os.path.join(self.path, name))
        except FileNotFoundError:  # deleted meanwhile
            return None
        created = datetime.datetime.strptime(match["stamp"][:-1] + "000Z", STAMP_FORMAT)
        return Backup(name, size, created, match["reason"])
