"""Management API for database export, import and backups: /api/db-backups.

- `GET /api/db-backups/export`: a consistent `.sqlite` snapshot taken while the gateway serves;
  secrets in it stay sealed and open only with this instance's storage key (X-OmniRoute-Note).
- `GET /api/db-backups/exportAll`: a `.tar.gz` of the database without any credential,
  `config.json` (the configuration bundle) and `manifest.json` (versions, checksums, time).
- `POST /api/db-backups/import` (multipart `file`, at most 100 MB): a `.sqlite` replaces the
  database after integrity, table and schema-version checks and an automatic backup; a `.tar.gz`
  from exportAll restores the configuration. Anything wrong is a 400 naming the problem
  (`corrupt_database`, `missing_tables`, `newer_schema`, `unsafe_archive`, …; 413 `too_large`)
  and nothing changes. The answer counts the accounts whose secrets this instance cannot open.
- `GET|POST /api/db-backups`: the automatic backups (name, size, created, reason) and the storage
  facts; make one now. `GET|DELETE /api/db-backups/<name>`, `POST /api/db-backups/<name>/restore`.
"""

from __future__ import annotations

from typing import IO

from flask import Blueprint, current_app, jsonify, send_file

from ...backups import operations
from ...backups.errors import BackupError
from ...backups.exports import (
    ARCHIVE_NOTE,
    EXPORT_NOTE,
    export_archive,
    export_file_name,
    export_snapshot,
)
from ...sync.config_bundle import config_bundle
from ..security import field_error, json_error
from .upload import allow_large_upload, import_uploaded_file

bp = Blueprint("backups", __name__, url_prefix="/db-backups")

NOTE_HEADER = "X-OmniRoute-Note"


def _services():
    return current_app.extensions["omniroute"]


@bp.url_value_preprocessor
def large_upload(endpoint: str | None, _values) -> None:
    allow_large_upload(endpoint)


def backup_error(error: BackupError):
    return json_error(error.status, error.message, "invalid_request_error", error.code)


def _download(stream: IO[bytes], name: str, mimetype: str, note: str):
    response = send_file(stream, mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers[NOTE_HEADER] = note
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export")
def export_database():
    """Download a consistent .sqlite snapshot (secrets stay sealed with the storage key)."""
    services = _services()
    stream = export_snapshot(services.database, services.settings["DATA_DIR"])
    return _download(stream, export_file_name(".sqlite"), "application/vnd.sqlite3", EXPORT_NOTE)


@bp.get("/exportAll")
def export_everything():
    """Download a .tar.gz: the database without credentials, config.json, manifest.json."""
    services = _services()
    with services.database.connection_context():
        config = config_bundle(services)
    stream = export_archive(services.database, services.settings["DATA_DIR"], config)
    return _download(stream, export_file_name(".tar.gz"), "application/gzip", ARCHIVE_NOTE)


@bp.post("/import")
def import_upload():
    """Import a .sqlite (replaces the database) or an exportAll .tar.gz (the configuration)."""
    try:
        outcome = import_uploaded_file(_services())
    except BackupError as error:
        if error.code == "file":
            return field_error("file", error.message)
        return backup_error(error)
    return jsonify(outcome.as_api())


@bp.get("")
def list_backups():
    """The automatic and manual backups, newest first, and the storage facts."""
    services = _services()
    return jsonify(
        {
            "data": [backup.as_api() for backup in operations.list_backups(services)],
            "storage": operations.storage_info(services),
        }
    )


@bp.post("")
def create_backup():
    """Make a backup of the database now."""
    backup = operations.create_backup(_services(), "manual")
    return jsonify(backup.as_api()), 201


@bp.get("/<name>")
def download_backup(name: str):
    """Download one backup."""
    try:
        path = operations.backup_path(_services(), name)
    except BackupError as error:
        return backup_error(error)
    return _download(open(path, "rb"), name, "application/vnd.sqlite3", EXPORT_NOTE)  # noqa: SIM115


@bp.post("/<name>/restore")
def restore_backup(name: str):
    """Make one backup the live database (a pre-restore backup is taken first)."""
    try:
        outcome = operations.restore_backup(_services(), name)
    except BackupError as error:
        return backup_error(error)
    return jsonify(outcome.as_api())


@bp.delete("/<name>")
def delete_backup(name: str):
    """Delete one backup."""
    try:
        operations.delete_backup(_services(), name)
    except BackupError as error:
        return backup_error(error)
    return "", 204
