"""SnapshotCache: an in-memory copy of a query's result for the hot path, reloaded on change.

The proxy reads `snapshot()` on every request without touching the database (active connections
with their decrypted keys, API key hashes); the management API calls `invalidate()` after any
change, and the next reader reloads once. A change that lands while a reload runs triggers
another reload, so a stale result is never kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SnapshotCache(Generic[T]):
    def __init__(self, database, load: Callable[[], T]):
        self._database = database
        self._load = load
        self._lock = threading.Lock()
        self._snapshot: T | None = None
        self._generation = 0

    def snapshot(self) -> T:
        snapshot = self._snapshot
        if snapshot is not None:
            return snapshot
        with self._lock:
            while True:
                snapshot = self._snapshot
                if snapshot is not None:  # loaded by the thread that held the lock
                    return snapshot
                generation = self._generation
                with self._database.connection_context():
                    loaded = self._load()
                if generation != self._generation:
                    continue  # a change landed while loading: load again
                self._snapshot = loaded
                if generation == self._generation:
                    return loaded
                self._snapshot = None  # one landed while storing it (after invalidate's reset)

    def invalidate(self) -> None:
        self._generation += 1
        self._snapshot = None
