"""The two downloads: the `.sqlite` snapshot (secrets stay sealed) and the export-all `.tar.gz`
(no credentials at all). Each is built in a private temporary file in DATA_DIR that is unlinked
at once: the open file handed to the response is its only reference, so nothing is left behind
whether the download completes or not."""

from __future__ import annotations

import os
import tempfile
from typing import IO

from ..clock import utcnow
from ..store.migrations import LATEST_VERSION
from ..version import __version__
from .archive import build_archive
from .secret_free import remove_secrets
from .snapshot import write_snapshot

EXPORT_NOTE = (
    "Secrets in this file stay encrypted: they open only with this instance's storage key "
    "(STORAGE_ENCRYPTION_KEY or DATA_DIR/storage.key); its /v1 API keys work only with this "
    "instance's API_KEY_SECRET (or DATA_DIR/api-key-secret)."
)
ARCHIVE_NOTE = "No credentials: provider keys, OAuth tokens and API keys are not in this archive."


def export_file_name(suffix: str) -> str:
    return f"omniroute-{utcnow().strftime('%Y%m%dT%H%M%SZ')}{suffix}"


def export_snapshot(database, data_dir: str) -> IO[bytes]:
    """An open, already unlinked `.sqlite` snapshot of `database`."""
    with tempfile.TemporaryDirectory(prefix=".export-", dir=data_dir) as work:
        path = os.path.join(work, "omniroute.sqlite")
        write_snapshot(database, path)
        return open(path, "rb")  # noqa: SIM115 — the response closes it


def export_archive(database, data_dir: str, config: dict) -> IO[bytes]:
    """An open, already unlinked export-all `.tar.gz`: the snapshot without secrets, `config`
    (the configuration bundle) and the manifest."""
    with tempfile.TemporaryDirectory(prefix=".export-", dir=data_dir) as work:
        database_path = os.path.join(work, "omniroute.sqlite")
        write_snapshot(database, database_path)
        remove_secrets(database_path)
        archive = open(os.path.join(work, "export.tar.gz"), "w+b")  # noqa: SIM115
        manifest = {
            "app": "omniroute",
            "appVersion": __version__,
            "schemaVersion": LATEST_VERSION,
            "createdAt": utcnow().isoformat(timespec="seconds") + "Z",
        }
        build_archive(archive, database_path, config, manifest)
        archive.seek(0)
        return archive
