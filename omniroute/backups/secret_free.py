"""Take every credential out of a `.sqlite` copy (the export-all archive's database).

Provider keys and OAuth token sets (sealed), provider nodes' keys, the /v1 API keys' hashes, the
dashboard password hash and live sessions, and proxy passwords (sealed inside the `proxies`
setting) are removed; what is left is configuration and metadata. The file is then vacuumed, so
no removed value survives in a free page.
"""

from __future__ import annotations

import json
import sqlite3

from .snapshot import open_sqlite, sqlite_tables, with_closing

PASSWORD_SETTING = "admin_password_hash"  # admin_password.PASSWORD_KEY
SESSION_SETTING_PREFIX = "dashboard_session:"  # store.dashboard_sessions.KEY_PREFIX
PROXIES_SETTING = "proxies"  # proxies.store.PROXIES_KEY
REMOVED_KEY_HASH = "removed:"  # + the key's id: the column is unique and not null

BLANKING_STATEMENTS = (  # (table, statement)
    (
        "provider_connections",
        "UPDATE provider_connections SET api_key_encrypted = '', oauth_tokens_encrypted = NULL",
    ),
    ("provider_nodes", "UPDATE provider_nodes SET api_key_encrypted = NULL"),
    ("api_keys", f"UPDATE api_keys SET key_hash = '{REMOVED_KEY_HASH}' || id"),
    ("app_settings", f"DELETE FROM app_settings WHERE key = '{PASSWORD_SETTING}'"),
    ("app_settings", f"DELETE FROM app_settings WHERE key LIKE '{SESSION_SETTING_PREFIX}%'"),
)


def remove_secrets(path: str) -> None:
    """Blank every credential in the `.sqlite` file at `path`, in place."""
    with_closing(open_sqlite(path), _remove_secrets)


def _remove_secrets(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA secure_delete = ON")
    tables = set(sqlite_tables(connection))
    with connection:
        for table, statement in BLANKING_STATEMENTS:
            if table in tables:
                connection.execute(statement)
        if "app_settings" in tables:
            _remove_proxy_passwords(connection)
    connection.execute("VACUUM")


def _remove_proxy_passwords(connection: sqlite3.Connection) -> None:
    row = connection.execute(
        "SELECT value FROM app_settings WHERE key = ?", (PROXIES_SETTING,)
    ).fetchone()
    if row is None:
        return
    try:
        stored = json.loads(row[0])
    except ValueError:
        stored = {}
    for proxy in _proxy_entries(stored if isinstance(stored, dict) else {}):
        proxy["password"] = None
    connection.execute(
        "UPDATE app_settings SET value = ? WHERE key = ?",
        (json.dumps(stored, sort_keys=True), PROXIES_SETTING),
    )


def _proxy_entries(stored: dict) -> list[dict]:
    entries = [stored.get("global")]
    for table in ("providers", "combos", "keys"):
        group = stored.get(table)
        entries.extend(group.values() if isinstance(group, dict) else [])
    return [entry for entry in entries if isinstance(entry, dict)]
