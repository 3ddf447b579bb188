"""Circuit breakers shared through Redis: the interface of resilience.breakers.Breakers.

Each process counts outcomes in its own breakers (the hot path reads memory only). When a
breaker opens or closes, the process stores it (`omniroute:breaker:<provider>`, expiring when
the cooldown ends) and publishes the change; every other process opens or closes its copy at
once, with the cooldown left. A process that starts, or re-subscribes after an outage, reads
the stored breakers. Once the cooldown ends, one process in all sends the probe. Resets (the
dashboard's, a changed connection) travel the same way.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from ..resilience.breakers import CLOSED, HALF_OPEN, OPEN, Breakers, CircuitBreaker
from .client import SharedRedis, SharedStateUnavailable
from .events import SharedEvents

PROBE_SECONDS = 60  # a probe whose process died frees the token after this


class SharedBreakers(Breakers):
    def __init__(
        self,
        shared: SharedRedis,
        events: SharedEvents,
        profiles=None,
        clock: Callable[[], float] = time.monotonic,
    ):
        super().__init__(profiles, clock)
        self.shared, self.events = shared, events
        events.on("breaker", self._apply)
        events.on("breaker-reset", lambda event: Breakers.reset(self, event.get("provider")))
        events.on_connect(self.load)

    def allow(self, provider: str, tier: str) -> bool:
        """As Breakers.allow; a half-open breaker's one probe is one for all processes (a
        token in Redis), so a recovering provider is not probed once per process."""
        if not super().allow(provider, tier):
            return False
        breaker = self._breakers[provider]
        if breaker.state != HALF_OPEN:
            return True
        try:
            won = self.shared.client.set(
                self.shared.key("probe", provider), self.events.origin, nx=True, ex=PROBE_SECONDS
            )
        except SharedStateUnavailable as error:
            self.shared.failed(error, "breakers")
            return True  # this process's own probe, as without Redis
        if not won:
            with self._lock:
                breaker.probing = False  # another process probes; its outcome arrives here
        return bool(won)

    def record(self, provider: str, tier: str, status: int | None) -> None:
        before = self._mark(provider)
        super().record(provider, tier, status)
        breaker = self._breakers[provider]
        if self._mark(provider) == before:
            return
        if before[0] != CLOSED:
            self._forget(provider, "probe")  # the probe's outcome is in
        if breaker.state == OPEN:
            left = breaker.retry_in(self.clock())
            self._store(provider, breaker, left)
            self._publish(provider, breaker, OPEN, left)
        elif breaker.state == CLOSED and before[0] != CLOSED:
            self._forget(provider)
            self._publish(provider, breaker, CLOSED, 0.0)

    def reset(self, provider: str | None = None) -> None:
        super().reset(provider)
        self.events.publish("breaker-reset", provider=provider)
        if provider is not None:
            self._forget(provider)
            return
        try:
            keys = list(self.shared.client.scan_iter(self.shared.key("breaker", "*")))
            if keys:
                self.shared.client.delete(*keys)
        except SharedStateUnavailable as error:
            self.shared.failed(error, "breakers")

    def load(self) -> None:
        """Open every breaker another process stored as open."""
        client = self.shared.client
        for key in client.scan_iter(self.shared.key("breaker", "*")):
            stored, left_ms = client.get(key), client.pttl(key)
            if stored and left_ms > 0:
                self._apply({**json.loads(stored), "state": OPEN, "seconds": left_ms / 1000})

    def _apply(self, event: dict) -> None:
        provider, profile = event["provider"], event["profile"]
        with self._lock:
            breaker = self._breakers.get(provider)
            if breaker is None:
                breaker = CircuitBreaker(self.profiles[profile], profile)
                self._breakers[provider] = breaker
            breaker.probing = False
            breaker.outcomes.clear()
            if event["state"] == OPEN:
                breaker.state, breaker.cooldown = OPEN, event["cooldown"]
                breaker.opened_at = self.clock() - (event["cooldown"] - event["seconds"])
            else:
                breaker.state, breaker.cooldown = CLOSED, breaker.profile.cooldown_seconds

    def _mark(self, provider: str) -> tuple[str, float]:
        breaker = self._breakers.get(provider)
        return (CLOSED, 0.0) if breaker is None else (breaker.state, breaker.opened_at)

    def _publish(self, provider: str, breaker: CircuitBreaker, state: str, left: float) -> None:
        self.events.publish(
            "breaker",
            provider=provider,
            profile=breaker.profile_name,
            state=state,
            cooldown=breaker.cooldown,
            seconds=left,
        )

    def _store(self, provider: str, breaker: CircuitBreaker, left: float) -> None:
        value = json.dumps(
            {"provider": provider, "profile": breaker.profile_name, "cooldown": breaker.cooldown}
        )
        try:
            self.shared.client.set(
                self.shared.key("breaker", provider), value, px=max(1, int(left * 1000))
            )
        except SharedStateUnavailable as error:
            self.shared.failed(error, "breakers")

    def _forget(self, provider: str, kind: str = "breaker") -> None:
        try:
            self.shared.client.delete(self.shared.key(kind, provider))
        except SharedStateUnavailable as error:
            self.shared.failed(error, "breakers")
