"""The dashboard password: set on first run from INITIAL_PASSWORD or generated, then hashed.

A generated password is printed once to the console and written to DATA_DIR/initial-password
(mode 0600). Only its hash is kept in the database. Changing the password replaces the hash and
deletes DATA_DIR/initial-password, which from then on would only hold a stale password.
"""

from __future__ import annotations

import os
import secrets
import sys

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from .store.app_settings import get_app_setting, set_app_setting
from .store.secret_files import write_private_file

PASSWORD_KEY = "admin_password_hash"
INITIAL_PASSWORD_FILE = "initial-password"
# werkzeug's scrypt at its default cost (n=2**15, r=8, p=1). Each stored hash names the
# parameters it was made with ("scrypt:32768:8:1$salt$hash"), and a check reads them from there:
# only new hashes depend on this constant. No setting reaches it; the test harness lowers it.
HASH_METHOD = "scrypt"


def ensure_admin_password(initial_password: str | None, data_dir: str, out=sys.stdout) -> None:
    if get_app_setting(PASSWORD_KEY):
        return
    password = initial_password
    if not password:
        password = secrets.token_urlsafe(12)
        path = os.path.join(data_dir, INITIAL_PASSWORD_FILE)
        if os.path.exists(path):
            os.remove(path)
        write_private_file(path, password + "\n")
        print(
            f"OmniRoute: generated dashboard password: {password}\n"
            f"           (also saved to {path}; change it under Settings)",
            file=out,
            flush=True,
        )
    _store_hash(password)


def set_admin_password(password: str, data_dir: str | None = None) -> None:
    """Change the password (the running app's DATA_DIR unless `data_dir` is given)."""
    _store_hash(password)
    if data_dir is None:
        data_dir = current_app.extensions["omniroute"].settings["DATA_DIR"]
    try:
        os.remove(os.path.join(data_dir, INITIAL_PASSWORD_FILE))
    except FileNotFoundError:
        pass


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def _store_hash(password: str) -> None:
    set_app_setting(PASSWORD_KEY, hash_password(password))


def check_admin_password(password: str) -> bool:
    stored = get_app_setting(PASSWORD_KEY)
    return bool(stored and check_password_hash(stored, password))
