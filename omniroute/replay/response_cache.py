"""The response cache: canonical answers to deterministic requests, kept in memory for a while.

Bounded in entries and in bytes (the size of the answer as its client received it), each entry
kept `ttl` seconds; the least recently used entry goes first when a bound is reached. An answer
bigger than the whole byte budget is not kept. Thread-safe; O(1) per lookup. Counters (entries,
bytes, hits, misses) feed the Health card through `stats()`.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from ..formats import canonical as c
from .bounded_table import BoundedTable


@dataclass(frozen=True)
class CachedAnswer:
    """An answer worth giving again: the canonical response, who answered it and what it cost."""

    response: c.Response
    provider: str | None
    model: str | None
    cost_usd: float
    size: int  # bytes, as the client that filled the entry received it


@dataclass
class _Entry:
    answer: CachedAnswer
    expires: float


class ResponseCache(BoundedTable):
    def __init__(
        self,
        max_entries: int,
        max_bytes: int,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ):
        super().__init__(max_entries, max_bytes)
        self.ttl = ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def skipped(self) -> bool:
        """True while a shared store behind the cache does not answer (REDIS_URL)."""
        return False

    def get(self, key: str) -> CachedAnswer | None:
        """The answer kept under `key` (counted as a hit), or None (a miss)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.expires <= self._clock():
                self._remove(key)
                entry = None
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.answer

    def put(self, key: str, answer: CachedAnswer) -> bool:
        """Keep `answer` under `key`, evicting the least recently used entries past a bound;
        False when it cannot be kept (bigger than the byte budget, or the cache holds none)."""
        if answer.size > self.max_bytes or self.max_entries <= 0 or self.ttl <= 0:
            return False
        with self._lock:
            now = self._clock()
            self._drop_expired(now)
            if key in self._entries:
                self._remove(key)
            self._entries[key] = _Entry(answer, now + self.ttl)
            self.bytes += answer.size
            self._shrink()
        return True

    def resize(self, max_entries: int, max_bytes: int, ttl_seconds: float) -> None:
        """New bounds (the settings changed): entries past them go at once; a new TTL applies
        to entries kept from now on."""
        with self._lock:
            self.max_entries, self.max_bytes, self.ttl = max_entries, max_bytes, ttl_seconds
            self._shrink()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def _shrink(self) -> None:
        while self._entries and (
            len(self._entries) > self.max_entries or self.bytes > self.max_bytes
        ):
            key = next(iter(self._entries))
            self._remove(key)

    def _drop_expired(self, now: float) -> None:
        """The expired entries at the old end (a hit moves an entry to the new end, so this
        sweep may stop early; `get` drops what it misses)."""
        while self._entries:
            key, entry = next(iter(self._entries.items()))
            if entry.expires > now:
                return
            self._remove(key)

    def _remove(self, key: str) -> None:
        entry = self._entries.pop(key)
        self.bytes -= entry.answer.size
