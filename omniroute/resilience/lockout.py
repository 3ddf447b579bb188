"""Lock an identifier (a client IP) out after too many failures inside a window.

Used for the dashboard login (5 failures in 15 minutes lock that address for 15 minutes) and for
/v1 callers presenting wrong API keys when keys are required (10 in 5 minutes → 15 minutes).
State is in memory, guarded by one lock, and bounded: at most MAX_TRACKED identifiers with
recent failures and at most MAX_TRACKED locks are remembered (expired locks go first, then the
oldest); `locked()` lists what is locked for the Health page and `unlock()` lifts a lock.
"""

from __future__ import annotations

import threading
import time
from collections import deque

MAX_TRACKED = 10_000


def api_key_lockout() -> Lockout:
    """For /v1 callers presenting wrong API keys: 10 in 5 minutes lock the address 15 minutes."""
    return Lockout(max_failures=10, window_seconds=300, lock_seconds=900)


class Lockout:
    def __init__(
        self,
        max_failures: int = 5,
        window_seconds: float = 900,
        lock_seconds: float = 900,
        clock=time.monotonic,
    ):
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self.lock_seconds = lock_seconds
        self._clock = clock
        self._failures: dict[str, deque] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def has_locks(self) -> bool:
        """Cheap check for the hot path: is anything (possibly expired) locked?"""
        return bool(self._locked_until)

    def retry_after(self, identifier: str) -> float:
        """Seconds until `identifier` may try again (0 when it is not locked)."""
        with self._lock:
            until = self._locked_until.get(identifier)
            if until is None:
                return 0.0
            remaining = until - self._clock()
            if remaining <= 0:
                del self._locked_until[identifier]
                return 0.0
            return remaining

    def record_failure(self, identifier: str) -> float:
        """Count a failure; returns the lock's remaining seconds if this failure locked it."""
        now = self._clock()
        with self._lock:
            if identifier not in self._failures and len(self._failures) >= MAX_TRACKED:
                self._failures.pop(next(iter(self._failures)))
            failures = self._failures.setdefault(identifier, deque(maxlen=self.max_failures))
            failures.append(now)
            while failures and failures[0] <= now - self.window_seconds:
                failures.popleft()
            if len(failures) >= self.max_failures:
                self._make_room(now)
                self._locked_until[identifier] = now + self.lock_seconds
                failures.clear()
                return self.lock_seconds
            return 0.0

    def _make_room(self, now: float) -> None:
        """Keep fewer than MAX_TRACKED locks: drop expired ones, then the oldest (lock held)."""
        if len(self._locked_until) < MAX_TRACKED:
            return
        for identifier in [i for i, until in self._locked_until.items() if until <= now]:
            del self._locked_until[identifier]
        while len(self._locked_until) >= MAX_TRACKED:
            self._locked_until.pop(next(iter(self._locked_until)))

    def record_success(self, identifier: str) -> None:
        with self._lock:
            self._failures.pop(identifier, None)

    def unlock(self, identifier: str) -> None:
        with self._lock:
            self._locked_until.pop(identifier, None)
            self._failures.pop(identifier, None)

    def locked(self) -> dict[str, float]:
        now = self._clock()
        with self._lock:
            return {k: until - now for k, until in self._locked_until.items() if until > now}
