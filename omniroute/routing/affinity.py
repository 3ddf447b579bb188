"""Session affinity: keep one conversation on the account that last answered it.

A provider's prompt cache lives with the account (and model) that served the conversation's
earlier turns, so a conversation that hops between accounts pays for its whole prompt again.
The affinity table remembers, per conversation — (conversation identity, API key id, requested
model) — which attempt (account, provider, model) answered last. The pin is SOFT: when the plan
still holds that attempt (its account is not cooling down, its provider's breaker is not open,
it was not removed, blocked or left out for its quota), it goes first and the strategy's order
follows it; when it does not, the strategy's order stands and the pin moves to whichever
account answers. Health, quotas and budgets therefore always win over the pin.

The table is bounded (least recently answered conversations go first) and its entries expire
`ttl_seconds` after their last answer. Every operation is O(1) under one lock.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .plan import Attempt

DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_TTL_SECONDS = 3600.0

Conversation = tuple[str, int | None, str]  # (identity, API key id, requested model)


@dataclass(frozen=True)
class AffinityOptions:
    """Settings → AI, session affinity. `header`: one more request header (besides the ones
    known clients send) whose value names the conversation; "" for none."""

    enabled: bool = True
    header: str = ""
    max_entries: int = DEFAULT_MAX_ENTRIES
    ttl_seconds: float = DEFAULT_TTL_SECONDS


def attempt_key(attempt: Attempt) -> Hashable:
    """The account, provider and provider model of an attempt: what a pin names."""
    return (attempt.account, attempt.spec.id, attempt.model)


class AffinityTable:
    """Conversation → the attempt that last answered it; bounded, expiring, thread-safe."""

    def __init__(
        self,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._lock = threading.Lock()
        self._pins: OrderedDict[Hashable, tuple[Hashable, float]] = OrderedDict()
        self._clock = clock
        self.max_entries = max(1, max_entries)
        self.ttl_seconds = ttl_seconds
        self.kept = 0  # answers by the pinned account
        self.moved = 0  # answers by another account while a pin was live

    def resize(self, max_entries: int, ttl_seconds: float) -> None:
        """New bounds; entries past the new maximum go at once (oldest first)."""
        with self._lock:
            self.max_entries = max(1, max_entries)
            self.ttl_seconds = ttl_seconds
            self._evict(self._clock())

    def pinned(self, conversation: Hashable) -> Hashable | None:
        """The attempt key pinned for `conversation`, or None (never pinned, or expired)."""
        with self._lock:
            entry = self._pins.get(conversation)
            if entry is None:
                return None
            if entry[1] <= self._clock():
                del self._pins[conversation]
                return None
            return entry[0]

    def answered(self, conversation: Hashable, key: Hashable) -> None:
        """`key` answered `conversation`: it is the pin from now on (counted as kept or moved)."""
        with self._lock:
            now = self._clock()
            entry = self._pins.pop(conversation, None)
            if entry is not None and entry[1] > now:
                if entry[0] == key:
                    self.kept += 1
                else:
                    self.moved += 1
            self._pins[conversation] = (key, now + self.ttl_seconds)
            self._evict(now)

    def _evict(self, now: float) -> None:
        """Expired entries from the oldest end, then the oldest past the maximum. Entries are
        kept in answering order and all live equally long, so the oldest expire first."""
        pins = self._pins
        while pins:
            oldest = next(iter(pins.values()))
            if oldest[1] > now and len(pins) <= self.max_entries:
                break
            pins.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pins)

    def stats(self) -> dict[str, int]:
        """For the Health page: live entries (expired ones not yet dropped included), answers
        that stayed on the pinned account and answers that moved the pin."""
        return {"entries": len(self._pins), "kept": self.kept, "moved": self.moved}


class OptionsSource(Protocol):
    """The stored options in memory (store.snapshot_cache.SnapshotCache)."""

    def snapshot(self) -> AffinityOptions: ...

    def invalidate(self) -> None: ...


class SessionAffinity:
    """The table and the settings that size it, as the pipeline uses them: the options are read
    once per request (an in-memory snapshot); the table follows their bounds when they change."""

    def __init__(self, options: OptionsSource, clock: Callable[[], float] = time.monotonic):
        self._options = options
        current = options.snapshot()
        self._applied = current
        self.table = AffinityTable(current.max_entries, current.ttl_seconds, clock)

    def options(self) -> AffinityOptions:
        """The current options (the table resized when they changed)."""
        current = self._options.snapshot()
        if current is not self._applied:
            self._applied = current
            self.table.resize(current.max_entries, current.ttl_seconds)
        return current

    def order(self, conversation: Conversation, attempts: Sequence[Attempt]) -> list[Attempt]:
        """`attempts` with the conversation's pinned attempt first when the plan holds it;
        otherwise as the strategy ordered them."""
        attempts = list(attempts)
        pinned = self.table.pinned(conversation)
        if pinned is None:
            return attempts
        return pin_first(attempts, pinned)

    def answered(self, conversation: Conversation, attempt: Attempt) -> None:
        self.table.answered(conversation, attempt_key(attempt))

    def invalidate(self) -> None:
        """The stored options changed (Settings → AI): read them again on the next request."""
        self._options.invalidate()

    def stats(self) -> dict[str, int]:
        return self.table.stats()


def pin_first(attempts: list[Attempt], pinned: Hashable) -> list[Attempt]:
    """The attempt named by `pinned` moved to the front; the others keep their order."""
    for index, attempt in enumerate(attempts):
        if attempt_key(attempt) == pinned:
            if index:
                attempts.insert(0, attempts.pop(index))
            break
    return attempts
