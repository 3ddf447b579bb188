"""In-memory snapshot of the active connections with their decrypted keys.

The proxy reads `snapshot()` on every request without touching the database; any change made
through the management API calls `invalidate()`, and the next reader reloads once.
"""

from __future__ import annotations

import threading

from .connections import ActiveConnection, load_active_connections
from .secret_box import SecretBox


class ConnectionCache:
    def __init__(self, database, box: SecretBox):
        self._database = database
        self._box = box
        self._lock = threading.Lock()
        self._snapshot: tuple[ActiveConnection, ...] | None = None
        self._generation = 0

    def snapshot(self) -> tuple[ActiveConnection, ...]:
        snapshot = self._snapshot
        if snapshot is not None:
            return snapshot
        with self._lock:
            while self._snapshot is None:
                generation = self._generation
                with self._database.connection_context():
                    loaded = load_active_connections(self._box)
                if generation == self._generation:  # no change landed while loading
                    self._snapshot = loaded
            return self._snapshot

    def invalidate(self) -> None:
        self._generation += 1
        self._snapshot = None
