"""What the response cache and the idempotency table share: their bounds (entries, bytes), the
bytes they hold, and the hits and misses counted for the Health card (`stats()`)."""

from __future__ import annotations

import threading


class BoundedTable:
    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        raise NotImplementedError

    def stats(self) -> dict[str, float | int]:
        with self._lock:
            looked_up = self.hits + self.misses
            return {
                "entries": len(self),
                "bytes": self.bytes,
                "hits": self.hits,
                "misses": self.misses,
                "hit_rate": self.hits / looked_up if looked_up else 0.0,
                "max_entries": self.max_entries,
                "max_bytes": self.max_bytes,
            }
