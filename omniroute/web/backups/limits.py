"""The backup-import paths allowed a body over MAX_BODY_BYTES, and how large (serving.py gives
them to the body-limit parser before the dashboard is built)."""

from __future__ import annotations

from ...backups.limits import IMPORT_LIMIT_BYTES

MULTIPART_SLACK = 1024 * 1024  # the multipart framing around the uploaded file
API_IMPORT_PATH = "/api/db-backups/import"
PAGE_IMPORT_PATH = "/settings/storage/import"
UPLOAD_LIMIT = IMPORT_LIMIT_BYTES + MULTIPART_SLACK
UPLOAD_LIMITS = {API_IMPORT_PATH: UPLOAD_LIMIT, PAGE_IMPORT_PATH: UPLOAD_LIMIT}
