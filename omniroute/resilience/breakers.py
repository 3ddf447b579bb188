"""Circuit breakers, one per provider (a provider node counts as a provider). In memory.

    CLOSED ──(threshold failures within the window, and at least half the calls)──► OPEN
      ▲                                                │ cooldown passes
      │ the probe succeeds                             ▼
      └────────────────────────────────────────── HALF_OPEN ── the probe fails ──► OPEN again,
                                                   (one probe)                     cooldown × 2
                                                                                   (up to the cap)
What counts as a failure: a timeout, a connection error, a 5xx, a 429. A 4xx caused by the
request (400, 404, 413, 422…) and 401/402/403 (one account's key, not the provider) do not.
While OPEN, the planner leaves the provider out; while HALF_OPEN exactly one request (the probe)
may go through. Successes count too while CLOSED: a provider that fails some calls but answers
most of them (a partial failure, which fallback absorbs) keeps its breaker closed; the breaker is
for providers that are down. Once the cooldown has passed, the breaker reports half-open.

Profiles by the provider's tier (editable, Settings → Resilience): subscription 8 failures in
60 s, cooldown 60 s; API key, cheap and free 12 in 30 s, cooldown 30 s; local 2 in 15 s,
cooldown 15 s. A re-opened breaker doubles its cooldown, capped at 16 × the profile's.
Memory is bounded: a breaker keeps at most HISTORY_FACTOR × `threshold` recent outcomes, and
there is one breaker per provider.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"
COOLDOWN_CAP_FACTOR = 16
HISTORY_FACTOR = 4
MIN_FAILURE_SHARE = 0.5


@dataclass(frozen=True)
class BreakerProfile:
    failure_threshold: int
    window_seconds: float
    cooldown_seconds: float


DEFAULT_PROFILES = {
    "subscription": BreakerProfile(8, 60.0, 60.0),
    "api-key": BreakerProfile(12, 30.0, 30.0),
    "local": BreakerProfile(2, 15.0, 15.0),
}
TIER_PROFILE = {"subscription": "subscription", "local": "local"}  # others use "api-key"


def profile_name(tier: str) -> str:
    return TIER_PROFILE.get(tier, "api-key")


def counts_as_failure(status: int | None) -> bool:
    """None stands for a timeout or a connection error."""
    return status is None or status == 429 or status >= 500


class CircuitBreaker:
    def __init__(self, profile: BreakerProfile, profile_name: str = "api-key"):
        self.profile = profile
        self.profile_name = profile_name
        self.state = CLOSED
        self.outcomes: deque[tuple[float, bool]] = deque(maxlen=_history(profile))
        self.cooldown = profile.cooldown_seconds
        self.opened_at = 0.0
        self.probing = False
        self.total_failures = 0

    def set_profile(self, profile: BreakerProfile) -> None:
        """Run with a changed profile from now on (the failure memory follows its threshold,
        so a raised threshold can still be reached)."""
        self.profile = profile
        self.outcomes = deque(self.outcomes, maxlen=_history(profile))

    @property
    def failures(self) -> list[float]:
        """Times of the failures still remembered (within the last window's outcomes)."""
        return [at for at, ok in self.outcomes if not ok]

    def allow(self, now: float) -> bool:
        if self.state == CLOSED:
            return True
        if self.state == OPEN and now >= self.opened_at + self.cooldown:
            self.state, self.probing = HALF_OPEN, False
        if self.state == HALF_OPEN and not self.probing:
            self.probing = True
            return True
        return False

    def available(self, now: float) -> bool:
        """Would `allow` let a request through (without taking the probe)?"""
        if self.state == CLOSED:
            return True
        if self.state == OPEN:
            return now >= self.opened_at + self.cooldown
        return not self.probing

    def success(self, now: float) -> None:
        if self.state != CLOSED:
            self.state, self.probing = CLOSED, False
            self.cooldown = self.profile.cooldown_seconds
            self.outcomes.clear()
        else:
            self.outcomes.append((now, True))

    def failure(self, now: float) -> None:
        self.total_failures += 1
        if self.state == HALF_OPEN:
            cap = self.profile.cooldown_seconds * COOLDOWN_CAP_FACTOR
            self._open(now, min(self.cooldown * 2, cap))
            return
        if self.state == OPEN:
            return
        self.outcomes.append((now, False))
        while self.outcomes and now - self.outcomes[0][0] > self.profile.window_seconds:
            self.outcomes.popleft()
        failed = sum(1 for _, ok in self.outcomes if not ok)
        if failed >= self.profile.failure_threshold and failed >= MIN_FAILURE_SHARE * len(
            self.outcomes
        ):
            self._open(now, self.profile.cooldown_seconds)

    def state_at(self, now: float) -> str:
        """The state as the next request would find it (OPEN past its cooldown is half-open)."""
        if self.state == OPEN and now >= self.opened_at + self.cooldown:
            return HALF_OPEN
        return self.state

    def retry_in(self, now: float) -> float:
        return max(0.0, self.opened_at + self.cooldown - now) if self.state == OPEN else 0.0

    def _open(self, now: float, cooldown: float) -> None:
        self.state, self.probing = OPEN, False
        self.opened_at, self.cooldown = now, cooldown
        self.outcomes.clear()


class Breakers:
    """Every provider's breaker, made on first use with the profile its tier names."""

    def __init__(self, profiles=None, clock: Callable[[], float] = time.monotonic):
        self.profiles = dict(profiles or DEFAULT_PROFILES)
        self.clock = clock
        self._breakers: dict[str, CircuitBreaker] = {}
        self._lock = threading.Lock()

    def _get(self, provider: str, tier: str) -> CircuitBreaker:
        breaker = self._breakers.get(provider)
        if breaker is None:
            name = profile_name(tier)
            breaker = CircuitBreaker(self.profiles[name], name)
            self._breakers[provider] = breaker
        return breaker

    def available(self, provider: str) -> bool:
        breaker = self._breakers.get(provider)
        return breaker is None or breaker.available(self.clock())

    def allow(self, provider: str, tier: str) -> bool:
        with self._lock:
            return self._get(provider, tier).allow(self.clock())

    def record(self, provider: str, tier: str, status: int | None) -> None:
        """The outcome of one call: a status, or None for a timeout/connection error."""
        with self._lock:
            breaker = self._get(provider, tier)
            if counts_as_failure(status):
                breaker.failure(self.clock())
            elif status is not None and status < 400:
                breaker.success(self.clock())
            elif breaker.state == HALF_OPEN:
                breaker.success(self.clock())  # the provider answered; the request was at fault

    def release(self, provider: str) -> None:
        """A call let through ended without an outcome: if it was the half-open probe, the
        next request may probe instead (a probe never stays out forever)."""
        with self._lock:
            breaker = self._breakers.get(provider)
            if breaker is not None and breaker.state == HALF_OPEN:
                breaker.probing = False

    def retry_in(self, provider: str) -> float:
        breaker = self._breakers.get(provider)
        return 0.0 if breaker is None else breaker.retry_in(self.clock())

    def set_profiles(self, profiles: dict[str, BreakerProfile]) -> None:
        with self._lock:
            self.profiles = dict(profiles)
            for breaker in self._breakers.values():
                breaker.set_profile(self.profiles.get(breaker.profile_name, breaker.profile))

    def reset(self, provider: str | None = None) -> None:
        with self._lock:
            if provider is None:
                self._breakers.clear()
            else:
                self._breakers.pop(provider, None)

    def snapshot(self) -> list[dict]:
        now = self.clock()
        with self._lock:
            items = sorted(self._breakers.items())
            return [
                {
                    "provider": provider,
                    "state": b.state_at(now),
                    "probing": b.probing,
                    "recentFailures": len(b.failures),
                    "totalFailures": b.total_failures,
                    "retryInSeconds": round(b.retry_in(now), 1),
                    "cooldownSeconds": b.cooldown,
                }
                for provider, b in items
            ]


def _history(profile: BreakerProfile) -> int:
    return max(1, HISTORY_FACTOR * profile.failure_threshold)
