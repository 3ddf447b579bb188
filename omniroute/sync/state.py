"""The puller's state, kept in the `app_settings` table (key `sync_state`, never in a bundle):
when it last tried and last succeeded, the version it applied, the publisher's last ETag, the
last outcome and the last error. Kept in the database so a restart neither re-applies an old
version nor forgets the error the dashboard shows."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from ..store.app_settings import get_app_setting, set_app_setting

STATE_KEY = "sync_state"


@dataclass(frozen=True)
class SyncState:
    last_attempt_at: str | None = None  # ISO 8601 UTC
    last_success_at: str | None = None
    applied_version: int | None = None
    etag: str | None = None
    last_outcome: str | None = None  # applied | unchanged | not_newer | error
    last_error: str | None = None

    def as_api(self) -> dict[str, Any]:
        return {
            "lastAttemptAt": self.last_attempt_at,
            "lastSuccessAt": self.last_success_at,
            "appliedVersion": self.applied_version,
            "lastOutcome": self.last_outcome,
            "lastError": self.last_error,
        }


def load_sync_state() -> SyncState:
    try:
        stored = json.loads(get_app_setting(STATE_KEY) or "{}")
    except ValueError:
        stored = {}
    if not isinstance(stored, dict):
        return SyncState()
    known = {f.name for f in fields(SyncState)}
    return SyncState(**{name: value for name, value in stored.items() if name in known})


def update_sync_state(**changes: Any) -> SyncState:
    state = replace(load_sync_state(), **changes)
    set_app_setting(STATE_KEY, json.dumps(asdict(state)))
    return state
