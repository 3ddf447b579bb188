"""Cooldowns: accounts resting after a provider said so. In memory, thread-safe, per process.

An account is a stored connection (its id) or a provider node (`node:<prefix>`). A cooldown is
either for one model on the account (a 429: quotas and rate limits are usually per model) or for
the whole account (401/402/403: the key itself is refused). The planner never picks an account
while it is cooling; when every candidate is cooling, the caller gets 429 with Retry-After set
to the earliest reset. Saving or re-testing a connection clears its cooldowns (`forget`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

ANY_MODEL = None


class Cooldowns:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._until: dict[tuple[Hashable, str | None], float] = {}
        self._reasons: dict[tuple[Hashable, str | None], str] = {}
        self._lock = threading.Lock()

    def cool(self, account: Hashable, model: str | None, seconds: float, reason: str = "") -> None:
        """Rest `account` (for `model`, or every model when None) for `seconds` from now."""
        until = self._clock() + max(0.0, seconds)
        key = (account, model)
        with self._lock:
            if until > self._until.get(key, 0.0):
                self._until[key] = until
                self._reasons[key] = reason[:300]

    def remaining(self, account: Hashable, model: str | None) -> float:
        """Seconds until the account may serve `model` again (0.0: it may now)."""
        if not self._until:
            return 0.0
        now = self._clock()
        wait = 0.0
        for key in ((account, ANY_MODEL), (account, model)):
            until = self._until.get(key)
            if until is not None:
                if until <= now:
                    self._expire(key, until)
                else:
                    wait = max(wait, until - now)
        return wait

    def forget(self, account: Hashable) -> None:
        with self._lock:
            for key in [key for key in self._until if key[0] == account]:
                del self._until[key]
                self._reasons.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._until.clear()
            self._reasons.clear()

    def active(self) -> list[tuple[Hashable, str | None, float, str]]:
        """(account, model or None, seconds left, reason) for every cooldown still running."""
        now = self._clock()
        with self._lock:
            items = [(key, until, self._reasons.get(key, "")) for key, until in self._until.items()]
        return [(key[0], key[1], until - now, why) for key, until, why in items if until > now]

    def _expire(self, key, until: float) -> None:
        with self._lock:
            if self._until.get(key) == until:
                del self._until[key]
                self._reasons.pop(key, None)
