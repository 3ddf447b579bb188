"""Query functions for the live dashboard sessions, kept as rows of `app_settings`.

Each logged-in browser has one row, `dashboard_session:<digest>` → when it was last seen (Unix
seconds), where the digest is the SHA-256 of the session's random id: the cookie carries the id,
the database only its digest. One row per session means a login, a logout and a revocation each
touch their own rows, so processes sharing the database never overwrite each other's sessions.

Every function runs on the `database` it is given rather than on the one the models were last
bound to, so each app checks its own sessions even when several run in one process.
"""

from __future__ import annotations

from .models import AppSetting

KEY_PREFIX = "dashboard_session:"


def _key(digest: str) -> str:
    return KEY_PREFIX + digest


def add_session(database, digest: str, seen_at: float) -> None:
    query = AppSetting.insert(key=_key(digest), value=repr(seen_at)).on_conflict_ignore()
    query.execute(database)


def session_seen_at(database, digest: str) -> float | None:
    """When the session was last seen, or None when it is not live."""
    row = AppSetting.select().where(AppSetting.key == _key(digest)).first(database)
    return None if row is None else float(row.value)


def touch_session(database, digest: str, seen_at: float) -> None:
    AppSetting.update(value=repr(seen_at)).where(AppSetting.key == _key(digest)).execute(database)


def sessions_least_recent_first(database) -> list[tuple[str, float]]:
    """(digest, last seen) of every live session, the longest unseen first."""
    rows = AppSetting.select().where(AppSetting.key.startswith(KEY_PREFIX)).execute(database)
    seen = sorted((float(row.value), row.key[len(KEY_PREFIX) :]) for row in rows)
    return [(digest, seen_at) for seen_at, digest in seen]


def delete_sessions(database, digests: list[str]) -> int:
    if not digests:
        return 0
    keys = [_key(digest) for digest in digests]
    return AppSetting.delete().where(AppSetting.key.in_(keys)).execute(database)
