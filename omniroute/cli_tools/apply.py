"""Apply: write our keys into a tool's config files on this machine, after a diff the user saw.

`plan_apply` reads the files, merges our keys (formats.merge) and returns the unified diff with
a digest; `apply_plan` writes the files only when the confirming digest still matches the files
as they are now, after copying the previous files into DATA_DIR/cli-backups/<tool>/<stamp>/
(a manifest records which files did not exist). `restore_latest` puts the newest backup back
(deleting files that Apply created) and removes that backup.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .catalog import Tool
from .detect import home_path
from .formats import merge
from .snippets import ConfigFile, Target

MANIFEST = "manifest.json"


class NoBackup(LookupError):
    """There is no backup of this tool's files to restore."""


@dataclass(frozen=True)
class FileChange:
    file: ConfigFile
    path: Path
    before: str | None  # None: the file does not exist yet
    after: str


@dataclass(frozen=True)
class Plan:
    tool_id: str
    changes: tuple[FileChange, ...]
    diff: str
    digest: str


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def plan_apply(tool: Tool, target: Target, home: Path) -> Plan:
    """What Apply would write; MergeError when a file cannot take our keys safely."""
    changes = []
    for file in tool.build(target).applicable:
        path = home_path(home, file.path)
        before = read_text(path)
        after = merge(file, before)
        if after != before:
            changes.append(FileChange(file, path, before, after))
    diff = "".join(
        line
        for change in changes
        for line in difflib.unified_diff(
            (change.before or "").splitlines(keepends=True),
            change.after.splitlines(keepends=True),
            fromfile=change.file.path if change.before is not None else "/dev/null",
            tofile=change.file.path,
        )
    )
    digest = hashlib.sha256(f"{tool.id}\n{diff}".encode()).hexdigest()
    return Plan(tool.id, tuple(changes), diff, digest)


def backup_root(data_dir: str, tool_id: str) -> Path:
    return Path(data_dir) / "cli-backups" / tool_id


def apply_plan(plan: Plan, data_dir: str) -> Path | None:
    """Back up the files the plan changes, then write them; the backup folder (None: no change)."""
    if not plan.changes:
        return None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    folder = backup_root(data_dir, plan.tool_id) / stamp
    folder.mkdir(parents=True, mode=0o700)
    entries = []
    for index, change in enumerate(plan.changes):
        existed = change.before is not None
        if existed:
            shutil.copy2(change.path, folder / str(index))
        entries.append({"path": str(change.path), "existed": existed, "copy": str(index)})
    (folder / MANIFEST).write_text(json.dumps({"files": entries}, indent=2))
    for change in plan.changes:
        write_file(change.path, change.after)
    return folder


def write_file(path: Path, text: str) -> None:
    """Write in one step, keeping the file's mode (new files get 0600: they hold keys)."""
    path = path.resolve() if path.is_symlink() else path
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def latest_backup(data_dir: str, tool_id: str) -> Path | None:
    root = backup_root(data_dir, tool_id)
    stamps = sorted(p for p in root.glob("*") if (p / MANIFEST).is_file()) if root.is_dir() else []
    return stamps[-1] if stamps else None


def restore_latest(data_dir: str, tool_id: str) -> list[str]:
    """Put the newest backup back; the paths restored or removed. NoBackup when there is none."""
    folder = latest_backup(data_dir, tool_id)
    if folder is None:
        raise NoBackup(tool_id)
    entries = json.loads((folder / MANIFEST).read_text())["files"]
    for entry in entries:
        path = Path(entry["path"])
        if entry["existed"]:
            write_file(path, (folder / entry["copy"]).read_text(encoding="utf-8"))
        else:
            path.unlink(missing_ok=True)
    shutil.rmtree(folder)
    return [entry["path"] for entry in entries]
