"""RoutingState: what the strategies remember between requests. In memory, per process.

Round-robin positions, sticky counts, when each account was last used, recent failures per
account and recent requests per combo target (both decaying with a five-minute half-life), and
the random source (seedable, so tests can fix the sequence); plus the resilience state the
planner consults (breakers, cooldowns: resilience/state.py). Nothing here touches the database;
a restart starts fresh, which every strategy tolerates.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Hashable, Sequence

from ..resilience.state import ResilienceState

HALF_LIFE_SECONDS = 300.0


class DecayingCounter:
    """Counts that halve every HALF_LIFE_SECONDS: "recent" without keeping timestamps."""

    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self._values: dict[Hashable, tuple[float, float]] = {}

    def add(self, key: Hashable, amount: float = 1.0) -> None:
        self._values[key] = (self.get(key) + amount, self._clock())

    def get(self, key: Hashable) -> float:
        value, at = self._values.get(key, (0.0, 0.0))
        if not value:
            return 0.0
        return value * math.pow(0.5, (self._clock() - at) / HALF_LIFE_SECONDS)


class RoutingState:
    def __init__(
        self,
        rng: random.Random | None = None,
        clock=time.monotonic,
        resilience: ResilienceState | None = None,
    ):
        self.rng = rng or random.Random()
        self.clock = clock
        self.resilience = resilience or ResilienceState(clock=clock)
        self.cooldowns = self.resilience.cooldowns
        self._lock = threading.Lock()
        self._rotation: dict[Hashable, int] = {}
        self._sticky: dict[Hashable, tuple[Hashable, int]] = {}
        self._last_used: dict[Hashable, float] = {}
        self._failures = DecayingCounter(clock)
        self._target_use = DecayingCounter(clock)

    def next_rotation(self, key: Hashable) -> int:
        """0, 1, 2, … per key: where a round-robin over `key` starts this time."""
        with self._lock:
            position = self._rotation.get(key, 0)
            self._rotation[key] = position + 1
        return position

    def sticky_choice(
        self,
        key: Hashable,
        candidates: Sequence[Hashable],
        limit: int,
        ring: Sequence[Hashable] | None = None,
    ) -> int:
        """Index of the candidate to use: the current one until it served `limit` calls in a
        row (or is no longer a candidate), then the first candidate after it in `ring` (the
        full rotation, candidates or not; default: the candidates)."""
        ring = candidates if ring is None else ring
        with self._lock:
            current, served = self._sticky.get(key, (None, 0))
            if current in candidates and served < limit:
                index = candidates.index(current)
            elif current in ring:
                index = candidates.index(_next_in_ring(current, ring, candidates))
            else:
                index = self._rotation.get(key, 0) % len(candidates)
            chosen = candidates[index]
            served = served + 1 if chosen == current else 1
            self._sticky[key] = (chosen, served)
            self._rotation[key] = index + 1
        return index

    def random_sample(self, items: list) -> list:
        with self._lock:
            self.rng.shuffle(items)  # Fisher–Yates
        return items

    def random_value(self) -> float:
        with self._lock:
            return self.rng.random()

    def note_used(self, account: Hashable) -> None:
        self._last_used[account] = self.clock()

    def last_used(self, account: Hashable) -> float:
        return self._last_used.get(account, float("-inf"))

    def note_failure(self, account: Hashable) -> None:
        with self._lock:
            self._failures.add(account)

    def recent_failures(self, account: Hashable) -> float:
        return self._failures.get(account)

    def note_target(self, combo: str, model: str) -> None:
        with self._lock:
            self._target_use.add((combo, model))

    def target_use(self, combo: str, model: str) -> float:
        return self._target_use.get((combo, model))


def _next_in_ring(current: Hashable, ring: Sequence[Hashable], candidates: Sequence[Hashable]):
    """The first candidate after `current` in `ring`, wrapping around (current itself last)."""
    start = ring.index(current) + 1
    following = [*ring[start:], *ring[:start]]
    return next((item for item in following if item in candidates), candidates[0])
