"""An uploaded backup imported: the one path behind `POST /api/db-backups/import` and the
System & Storage form (Settings → Advanced). The upload is at most IMPORT_LIMIT_BYTES; a gzip
file is an exportAll archive (the configuration), anything else a `.sqlite` (the database)."""

from __future__ import annotations

import os
import tempfile

from flask import request

from ...backups import operations
from ...backups.errors import BackupError
from ...backups.limits import IMPORT_LIMIT_BYTES
from ...backups.operations import ConfigHandlers, ImportOutcome
from ...sync.accounts_section import KEY_NEEDED
from ...sync.bundle_errors import BundleError
from ...sync.config_bundle import apply_config_bundle, check_bundle
from .limits import UPLOAD_LIMIT

UPLOAD_ENDPOINTS = ("api.backups.import_upload", "pages.storage.import_backup")
GZIP_MAGIC = b"\x1f\x8b"
LIMIT_MB = IMPORT_LIMIT_BYTES // (1024 * 1024)


def allow_large_upload(endpoint: str | None) -> None:
    """Let an import route take an upload up to its limit (set before the CSRF check reads the
    form, so the app-wide MAX_BODY_BYTES does not refuse it first)."""
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = UPLOAD_LIMIT


def too_large() -> BackupError:
    return BackupError("too_large", f"the file is larger than {LIMIT_MB} MB", 413)


def import_uploaded_file(services) -> ImportOutcome:
    """Import the request's multipart `file`; BackupError says what is wrong (code `too_large`,
    `file`, `invalid_bundle`, or the checks' own), and then nothing changed."""
    if (request.content_length or 0) > UPLOAD_LIMIT:
        raise too_large()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BackupError("file", "send the .sqlite or .tar.gz as the multipart field 'file'")
    with tempfile.TemporaryDirectory(prefix=".upload-", dir=services.settings["DATA_DIR"]) as work:
        path = os.path.join(work, "upload")
        upload.save(path)
        if os.path.getsize(path) > IMPORT_LIMIT_BYTES:
            raise too_large()
        with open(path, "rb") as uploaded:
            is_archive = uploaded.read(2) == GZIP_MAGIC
        try:
            if is_archive:
                return operations.import_archive(services, path, _config_handlers(services))
            return operations.import_database(services, path)
        except BundleError as error:
            raise BackupError("invalid_bundle", f"config.json: {error}") from None


def _config_handlers(services) -> ConfigHandlers:
    def check(bundle: dict) -> object:
        with services.database.connection_context():
            return check_bundle(bundle)

    return ConfigHandlers(
        check=check,
        apply=lambda bundle: apply_config_bundle(bundle, services),
        key_needed_mark=KEY_NEEDED,
    )
