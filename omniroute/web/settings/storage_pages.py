"""Settings → Advanced → System & Storage: the data folder and database, export, import, the
automatic backups (make one, download, restore, delete) and sync between instances.

GET /settings/storage (htmx: the section; otherwise back to the Advanced tab); POST
/settings/storage/backups, /backups/<name>/restore, /backups/<name>/delete, /import (multipart
`file`) and /sync. Every action goes through what `/api/db-backups` and `/api/sync` do
(backups/operations.py, web/backups/upload.py, sync/puller.py). With htmx the section swaps in
place; without JavaScript a form posts and redirects back to the tab with what happened (or
redraws the tab with the error). Downloads are plain links to the API (the session is enough
for a GET).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request
from flask_babel import lazy_gettext as _l

from ...backups import operations
from ...backups.errors import BackupError
from ...backups.exports import ARCHIVE_NOTE, EXPORT_NOTE
from ...sync.publisher import publisher_token
from ..backups.upload import LIMIT_MB, allow_large_upload, import_uploaded_file
from ..dashboard.pages import is_fragment_request
from .proxy_pages import advanced_tab_url
from .security_sections import register_state

bp = Blueprint("storage", __name__, url_prefix="/settings/storage")
SLUG = "system-storage"
TEMPLATE = "partials/settings/system_storage.html"
STATE = "storage_state"
DONE_MESSAGES = {
    "created": _l("Backup made."),
    "restored": _l("Backup restored. The backup taken just before is in the list."),
    "deleted": _l("Backup deleted."),
    "imported": _l("Imported. A backup of what it replaced is in the list."),
    "synced": _l("Sync finished."),
}
KEY_NEEDED_MESSAGE = _l(
    "%(count)d accounts cannot open their key with this instance's storage key: add their "
    "keys again (they are marked “key needed”)."
)


def _services():
    return current_app.extensions["omniroute"]


def storage_state(**state: Any) -> dict:
    """The section's view state: storage facts, backups, sync, and what just happened."""
    services = _services()
    done = state.pop("done", request.args.get("storage"))
    needing = state.pop("needing", request.args.get("needing", type=int))
    return {
        "info": operations.storage_info(services),
        "backups": operations.list_backups(services),
        "sync": services.sync.status(),
        "sync_token": publisher_token(services.settings),
        "export_note": EXPORT_NOTE,
        "archive_note": ARCHIVE_NOTE,
        "limit_mb": LIMIT_MB,
        "message": DONE_MESSAGES.get(done or ""),
        "key_needed": KEY_NEEDED_MESSAGE % {"count": needing} if needing else None,
        "error": None,
        **state,
    }


register_state(bp, STATE, storage_state)


BACKUP_ERROR_TEXT = {
    "file": _l("Choose a .sqlite database or a .tar.gz backup archive to import."),
    "too_large": _l("The file is larger than the import limit."),
    "invalid_bundle": _l("The archive's configuration file cannot be read."),
    "corrupt_archive": _l("The file is not a readable backup archive."),
    "unsafe_archive": _l("The archive holds paths outside its own folder: nothing was imported."),
    "checksum_mismatch": _l("A file in the archive does not match its checksum: it was changed."),
    "corrupt_database": _l("The file is not a readable SQLite database."),
    "missing_tables": _l("The database is not an OmniRoute database."),
    "unexpected_schema": _l("The database holds objects an OmniRoute database never has."),
    "newer_schema": _l("The database comes from a newer OmniRoute: upgrade OmniRoute first."),
    "migration_failed": _l("The database cannot be upgraded to this version of OmniRoute."),
    "invalid_name": _l("That is not the name of a backup."),
    "not_found": _l("That backup does not exist (any more)."),
}


def backup_error_text(error: BackupError) -> str:
    """What went wrong, in the reader's language (the JSON API keeps the detailed English)."""
    text = BACKUP_ERROR_TEXT.get(error.code)
    return str(text) if text is not None else error.message


def answer(done: str | None = None, error: str | None = None, status: int = 200, **extra):
    """The section for htmx (200, so htmx swaps it). Without JavaScript: back to the tab saying
    what was done, or the tab redrawn with the error and `status`."""
    if is_fragment_request():
        return render_template(TEMPLATE, **{STATE: storage_state(done=done, error=error, **extra)})
    if error is None:
        args = {"storage": done, **{k: v for k, v in extra.items() if v}}
        return redirect(advanced_tab_url(**args) + f"#{SLUG}")
    from .pages import render_tab  # the tab page (settings/pages.py) draws the whole tab

    state = storage_state(done=done, error=error, **extra)
    return render_tab("advanced", status, **{STATE: state})[0], status


@bp.url_value_preprocessor
def large_upload(endpoint: str | None, _values) -> None:
    allow_large_upload(endpoint)


@bp.get("")
def storage_section():
    if not is_fragment_request():
        return redirect(advanced_tab_url() + f"#{SLUG}")
    return answer()


@bp.post("/backups")
def create_backup():
    operations.create_backup(_services(), "manual")
    return answer("created")


@bp.post("/backups/<name>/restore")
def restore_backup(name: str):
    try:
        outcome = operations.restore_backup(_services(), name)
    except BackupError as error:
        return answer(error=backup_error_text(error), status=error.status)
    return answer("restored", needing=outcome.accounts_needing_key)


@bp.post("/backups/<name>/delete")
def delete_backup(name: str):
    try:
        operations.delete_backup(_services(), name)
    except BackupError as error:
        return answer(error=backup_error_text(error), status=error.status)
    return answer("deleted")


@bp.post("/import")
def import_backup():
    try:
        outcome = import_uploaded_file(_services())
    except BackupError as error:
        return answer(error=backup_error_text(error), status=error.status)
    return answer("imported", needing=outcome.accounts_needing_key)


@bp.post("/sync")
def sync_now():
    outcome = _services().sync.pull_now()
    if not outcome.ok:
        return answer(error=outcome.error, status=409 if outcome.outcome == "off" else 502)
    return answer("synced")
