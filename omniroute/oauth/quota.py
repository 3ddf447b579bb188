"""Quota windows of a signed-in subscription account, as its provider last reported them.

    QuotaWindow    one window: its name ("5h", "7d", "7d_oi", …), the fraction used (0–1), when
                   it resets (unix seconds) and whether the provider refuses because of it
    QuotaSnapshot  every window one answer reported and when it was read; `exhausted` when the
                   whole account is refused until `resets_at` (a spent 5-hour or weekly window),
                   as opposed to one model's own window (Claude's `7d_oi`)
    QuotaBook      the latest snapshot per connection, in memory (the request path reads
                   nothing from the database); each new one is handed to `save(connection id,
                   snapshot)` at most once per `min_interval` seconds per account, and at once
                   when the account becomes exhausted or usable again, so the card and Home show
                   bars that are at most that old without a database write per request.

The readers of each provider's signals are in quota_headers.py (answers) and quota_poll.py (the
providers' usage endpoints, read on demand).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

SAVE_INTERVAL_SECONDS = 30.0

SaveSnapshot = Callable[[int, "QuotaSnapshot"], object]


@dataclass(frozen=True)
class QuotaWindow:
    name: str
    used: float | None = None  # fraction of the window used, 0–1
    resets_at: float | None = None  # unix seconds
    exhausted: bool = False  # the provider refuses requests until it resets

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "used": self.used,
            "resetsAt": self.resets_at,
            "exhausted": self.exhausted,
        }


@dataclass(frozen=True)
class QuotaSnapshot:
    provider: str  # OAuthProvider.id
    windows: tuple[QuotaWindow, ...]
    taken_at: float  # unix seconds
    exhausted: bool = False  # the whole account is refused until `resets_at`
    resets_at: float | None = None  # when an exhausted account may be used again

    def window(self, name: str) -> QuotaWindow | None:
        return next((window for window in self.windows if window.name == name), None)

    def rest_seconds(self, now: float) -> float | None:
        """Seconds until an exhausted account may be used again (None: not known)."""
        if self.resets_at is None:
            return None
        return max(0.0, self.resets_at - now)

    def as_json(self) -> dict:
        """The snapshot as the store keeps it and the API shows it (camelCase)."""
        return {
            "provider": self.provider,
            "takenAt": self.taken_at,
            "exhausted": self.exhausted,
            "resetsAt": self.resets_at,
            "windows": [window.as_json() for window in self.windows],
        }


class QuotaBook:
    """The latest QuotaSnapshot per connection, saved at a bounded rate (see the docstring)."""

    def __init__(
        self,
        save: SaveSnapshot | None = None,
        clock: Callable[[], float] = time.time,
        min_interval: float = SAVE_INTERVAL_SECONDS,
    ):
        self._save = save
        self._clock = clock
        self._min_interval = min_interval
        self._latest: dict[int, QuotaSnapshot] = {}
        self._saved: dict[int, tuple[float, bool]] = {}  # connection → (when, exhausted)
        self._lock = threading.Lock()

    def note(self, connection_id: int, snapshot: QuotaSnapshot, save_now: bool = False) -> None:
        """Keep `snapshot` as the connection's latest; save it when the throttle allows (at
        once with `save_now`: a snapshot read on purpose from the provider's usage endpoint)."""
        now = self._clock()
        with self._lock:
            self._latest[connection_id] = snapshot
            due = self._save is not None and (save_now or self._due(connection_id, snapshot, now))
            if due:
                self._saved[connection_id] = (now, snapshot.exhausted)
        if due and self._save is not None:
            self._save(connection_id, snapshot)

    def latest(self, connection_id: int) -> QuotaSnapshot | None:
        return self._latest.get(connection_id)

    def forget(self, connection_id: int) -> None:
        """Drop what is known of a connection (it was deleted or signed in anew)."""
        with self._lock:
            self._latest.pop(connection_id, None)
            self._saved.pop(connection_id, None)

    def _due(self, connection_id: int, snapshot: QuotaSnapshot, now: float) -> bool:
        saved = self._saved.get(connection_id)
        if saved is None:
            return True
        when, exhausted = saved
        return exhausted != snapshot.exhausted or now - when >= self._min_interval
