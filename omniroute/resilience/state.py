"""ResilienceState: everything the gateway remembers about failures, behind one interface.

Breakers per provider, cooldowns and backoff levels per account, per-account rate limits, the
login and API-key lockouts, and the settings they run with. In process today (a shared backend
for several instances would implement the same methods); bounded: every structure is keyed by
provider, account or client address, never by request.

Backoff: a 429 without a reset hint, or a refused key (401/402/403), rests the account for
`Backoff.seconds(level)` where level counts that account's failures in a row (5 s, 10 s, 20 s …
up to the cap by default); a success clears the level. A hint from the provider wins.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

from .breakers import Breakers
from .cooldowns import Cooldowns
from .lockout import Lockout, api_key_lockout
from .rate_limits import RateLimiter, RateLimits
from .settings import ResilienceSettings

MAX_LEVEL = 32


class ResilienceState:
    def __init__(
        self,
        settings: ResilienceSettings | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.settings = settings or ResilienceSettings()
        self.clock = clock
        self.cooldowns = Cooldowns(clock)
        self.breakers = Breakers(self.settings.profiles, clock)
        self.limiter = RateLimiter(clock)
        self.login_lockout = Lockout(clock=clock)
        self.key_lockout = api_key_lockout()
        self._levels: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def apply(self, settings: ResilienceSettings) -> None:
        self.settings = settings
        self.breakers.set_profiles(settings.profiles)

    def limits_for(self, tier: str) -> RateLimits | None:
        return self.settings.rate_limits if tier in self.settings.limited_tiers else None

    def rest(self, account: Hashable, model: str | None, hint: float | None, reason: str) -> float:
        """Rest the account (for `model`, or all models when None): the provider's hint, or the
        backoff for its failures in a row. Returns the seconds chosen."""
        with self._lock:
            level = min(MAX_LEVEL, self._levels.get(account, 0) + 1)
            self._levels[account] = level
        seconds = self.settings.backoff.seconds(level) if hint is None else hint
        if seconds > 0:
            self.cooldowns.cool(account, model, seconds, reason)
        return seconds

    def succeeded(self, account: Hashable) -> None:
        if account in self._levels:
            with self._lock:
                self._levels.pop(account, None)

    def reset(self, provider: str | None = None, account: Hashable | None = None) -> None:
        """Forget breakers, cooldowns and backoff: all, one provider's breaker, or one account."""
        if account is not None:
            self.cooldowns.forget(account)
            with self._lock:
                self._levels.pop(account, None)
            return
        self.breakers.reset(provider)
        if provider is None:
            self.cooldowns.clear()
            with self._lock:
                self._levels.clear()

    def backoff_level(self, account: Hashable) -> int:
        return self._levels.get(account, 0)
