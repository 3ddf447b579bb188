"""Secrets kept as files in DATA_DIR: created once with mode 0600, read on every later start.

The storage key, the session-signing secret and the API-key HMAC secret live here (or come from
their environment variables) so that none of them is ever written to the database.
"""

from __future__ import annotations

import os
import secrets


def ensure_data_dir(path: str) -> None:
    os.makedirs(path, mode=0o700, exist_ok=True)


def write_private_file(path: str, content: str) -> bool:
    """Create `path` with mode 0600 holding `content`; False if it already exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
    return True


def read_or_create_secret(data_dir: str, filename: str, nbytes: int = 32) -> str:
    """The secret stored in DATA_DIR/filename, generating it on first use."""
    path = os.path.join(data_dir, filename)
    write_private_file(path, secrets.token_hex(nbytes) + "\n")
    with open(path, encoding="utf-8") as handle:
        value = handle.read().strip()
    if not value:
        raise RuntimeError(f"{path} is empty: delete it to generate a new secret")
    return value
