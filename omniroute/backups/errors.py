"""The one error a backup operation raises: a code the API returns and a message naming the
problem (`BackupError("missing_tables", "…")`). Nothing has changed when it is raised."""

from __future__ import annotations


class BackupError(ValueError):
    """An upload, archive or backup name that cannot be used; `code` is the API's error code."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
