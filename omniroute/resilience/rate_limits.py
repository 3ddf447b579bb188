"""Per-account rate limits: requests per minute, a minimum gap between calls, and a cap on
concurrent calls. In memory, thread-safe, bounded.

`acquire` returns a Permit when the account may be called now, or after waiting in the
account's bounded queue no longer than `max_wait`; otherwise None, and the caller moves on to
another account (or answers 429 with Retry-After = `wait_estimate`). A permit is released when
the call ends (for a stream: when the stream ends), which frees a concurrency slot.

Limits learned from upstream headers tighten an account's window: `x-ratelimit-limit-requests`
or `anthropic-ratelimit-requests-limit` below the configured requests per minute lower it for
that account (never raise it).

Memory: per account, at most `requests_per_minute` start times; one entry per account.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

WINDOW_SECONDS = 60.0
LEARNED_LIMIT_HEADERS = ("x-ratelimit-limit-requests", "anthropic-ratelimit-requests-limit")


@dataclass(frozen=True)
class RateLimits:
    requests_per_minute: int = 60
    min_gap_ms: int = 350
    max_concurrent: int = 6
    max_wait_ms: int = 2000  # the longest a request waits in the queue for this account
    max_queue: int = 32  # requests waiting at once for this account; more move on at once


class _Account:
    def __init__(self):
        self.starts: deque[float] = deque()
        self.last_start = -math.inf
        self.in_flight = 0
        self.waiting = 0
        self.learned_rpm: int | None = None

    def wait_needed(self, now: float, limits: RateLimits) -> float:
        """Seconds until a call may start (inf: until a running call ends)."""
        if self.in_flight >= limits.max_concurrent:
            return math.inf
        wait = max(0.0, self.last_start + limits.min_gap_ms / 1000.0 - now)
        while self.starts and now - self.starts[0] >= WINDOW_SECONDS:
            self.starts.popleft()
        rpm = min(limits.requests_per_minute, self.learned_rpm or limits.requests_per_minute)
        if len(self.starts) >= rpm:
            wait = max(wait, self.starts[-rpm] + WINDOW_SECONDS - now)
        return wait

    def start(self, now: float, limits: RateLimits) -> None:
        self.starts.append(now)
        while len(self.starts) > limits.requests_per_minute:
            self.starts.popleft()
        self.last_start = now
        self.in_flight += 1


class Permit:
    def __init__(self, limiter: RateLimiter, account: Hashable):
        self._limiter, self._account, self._released = limiter, account, False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._limiter._release(self._account)


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._accounts: dict[Hashable, _Account] = {}
        self._condition = threading.Condition()

    def acquire(self, account: Hashable, limits: RateLimits) -> Permit | None:
        deadline = self._clock() + limits.max_wait_ms / 1000.0
        with self._condition:
            state = self._accounts.setdefault(account, _Account())
            if state.waiting >= limits.max_queue:
                return None
            state.waiting += 1
            try:
                while True:
                    now = self._clock()
                    wait = state.wait_needed(now, limits)
                    if wait <= 0:
                        state.start(now, limits)
                        return Permit(self, account)
                    left = deadline - now
                    if left <= 0 or (wait != math.inf and wait > left):
                        return None
                    self._condition.wait(min(wait, left))
            finally:
                state.waiting -= 1

    def wait_estimate(self, account: Hashable, limits: RateLimits) -> float:
        """Seconds until the account could start a call (a running call's end counts as 1 s)."""
        with self._condition:
            state = self._accounts.get(account)
            if state is None:
                return 0.0
            wait = state.wait_needed(self._clock(), limits)
        return 1.0 if wait == math.inf else wait

    def learn(self, account: Hashable, headers: Mapping[str, str]) -> None:
        for name in LEARNED_LIMIT_HEADERS:
            value = headers.get(name)
            if value and value.strip().isdecimal() and int(value) > 0:
                with self._condition:
                    state = self._accounts.setdefault(account, _Account())
                    learned = int(value)
                    state.learned_rpm = min(learned, state.learned_rpm or learned)
                return

    def snapshot(self) -> dict[Hashable, dict]:
        now = self._clock()
        with self._condition:
            return {
                account: {
                    "inFlight": state.in_flight,
                    "waiting": state.waiting,
                    "lastMinute": sum(1 for t in state.starts if now - t < WINDOW_SECONDS),
                    "learnedRpm": state.learned_rpm,
                }
                for account, state in self._accounts.items()
            }

    def _release(self, account: Hashable) -> None:
        with self._condition:
            state = self._accounts.get(account)
            if state is not None and state.in_flight > 0:
                state.in_flight -= 1
            self._condition.notify_all()
