"""Start-up checks that turn a wrong setting into one clear line instead of a later failure.

- The storage key must open the secrets already in the database: a DATA_DIR restarted with a
  different STORAGE_ENCRYPTION_KEY (or a replaced storage.key) would otherwise start and then
  fail every /v1 call. A canary sealed with the key is kept in `app_settings`; a database from
  before the canary is checked against one stored provider key instead.
- HOSTNAME and PORT must be bindable: an unknown host or a port in use names the variable.
Each failure is a `SettingsError`, which `app.py` prints and exits with code 2 for.
"""

from __future__ import annotations

import errno
import os
import socket

from .settings import SettingsError
from .store.app_settings import get_app_setting, set_app_setting
from .store.connections import sample_stored_key
from .store.secret_box import SecretBox, SecretBoxError

CANARY_KEY = "storage_key_canary"
CANARY_TEXT = "omniroute storage key canary"


def check_storage_key(box: SecretBox, database, settings: dict) -> None:
    """Raise SettingsError unless `box` opens what is stored; seal the canary on first start."""
    with database.connection_context():
        canary = get_app_setting(CANARY_KEY)
        sealed = canary if canary is not None else sample_stored_key()
        if sealed is not None:
            try:
                box.decrypt(sealed)
            except SecretBoxError:
                raise SettingsError(_wrong_key_message(settings)) from None
        if canary is None:
            set_app_setting(CANARY_KEY, box.encrypt(CANARY_TEXT))


def _wrong_key_message(settings: dict) -> str:
    key_file = os.path.join(settings["DATA_DIR"], "storage.key")
    source = (
        "STORAGE_ENCRYPTION_KEY is set but is not"
        if settings["STORAGE_ENCRYPTION_KEY"]
        else f"STORAGE_ENCRYPTION_KEY is unset, and the key file {key_file} does not hold"
    )
    return (
        f"{source} the key the secrets in this database were saved with. Set "
        f"STORAGE_ENCRYPTION_KEY to that key (or restore {key_file}); without it the stored "
        "provider keys cannot be decrypted."
    )


def listen_error(error: Exception, host: str, port: int) -> SettingsError | None:
    """The SettingsError for a failure to listen on HOSTNAME:PORT, or None if it is another."""
    if isinstance(error, ValueError) and "host/port" in str(error):  # waitress's resolve failed
        return SettingsError(f"HOSTNAME={host!r} is not an address this machine can resolve")
    if not isinstance(error, OSError):
        return None
    if error.errno == errno.EADDRINUSE:
        return SettingsError(f"PORT={port} is already in use on {host}; choose another PORT")
    if error.errno == errno.EACCES:
        return SettingsError(f"PORT={port} needs privileges this process lacks; use 1024 or above")
    if error.errno == errno.EADDRNOTAVAIL:
        return SettingsError(f"HOSTNAME={host!r} is not an address of this machine")
    if isinstance(error, socket.gaierror):
        return SettingsError(f"HOSTNAME={host!r} cannot be resolved: {error.strerror}")
    return None
