"""Wiring: with REDIS_URL set, the shared implementations replace the in-process ones behind the
same interfaces (services.py calls the three functions below; the pipeline does not change).

`install_shared_state` swaps the parts of a built Services and re-points every holder of the
old object: the rate limiter, the breakers, the cooldowns, the routing state (round-robin
cursors), both lockouts (the login lockout is also held by Services, the API-key one by the
client authenticator), the replay gate's idempotency table and response cache, the affinity
table and the live monitor. Then the event listener starts, reading what other processes stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..usage.budgets import BudgetLedger

if TYPE_CHECKING:
    from .client import SharedRedis
    from .events import SharedEvents

# The shared implementations import redis (~70 ms, several MB): each function below imports
# them only when REDIS_URL is set, so a gateway without Redis never loads it.


@dataclass
class SharedState:
    redis: SharedRedis
    events: SharedEvents

    def health(self) -> dict[str, Any]:
        return self.redis.health()

    def close(self) -> None:
        self.events.close()
        self.redis.close()


def connect_shared_state(settings: dict[str, Any]) -> SharedRedis | None:
    """The shared client, None without REDIS_URL; SettingsError (exit 2) when unreachable."""
    if not settings.get("REDIS_URL"):
        return None
    from .client import connect

    return connect(settings)


def budget_ledger(
    shared: SharedRedis | None, load_spent: Callable[[int, dt.datetime], float]
) -> BudgetLedger:
    if shared is None:
        return BudgetLedger(load_spent)
    from .budgets import SharedBudgetLedger

    return SharedBudgetLedger(shared, load_spent)


def install_shared_state(services: Any, shared: SharedRedis | None) -> None:
    """Swap the per-process state of a built Services for the shared one."""
    if shared is None:
        return
    from .breakers import SharedBreakers
    from .events import SharedEvents
    from .idempotency import SharedIdempotencyTable
    from .monitor import SharedLiveMonitor
    from .rate_limits import SharedRateLimiter
    from .response_cache import SharedResponseCache
    from .resting import SharedCooldowns, SharedLockout
    from .routing import SharedAffinityTable, SharedRoutingState

    events = SharedEvents(shared)
    services.shared_state = SharedState(shared, events)
    resilience = services.resilience
    workers = int(services.settings.get("WEB_CONCURRENCY") or 1)
    resilience.limiter = SharedRateLimiter(shared, workers)
    resilience.breakers = SharedBreakers(
        shared, events, resilience.breakers.profiles, resilience.clock
    )
    resilience.cooldowns = SharedCooldowns(shared, events, resilience.clock)
    services.pipeline.state = SharedRoutingState(shared, resilience=resilience)
    resilience.login_lockout = SharedLockout(shared, events, "login", resilience.login_lockout)
    resilience.key_lockout = SharedLockout(shared, events, "api-key", resilience.key_lockout)
    services.login_lockout = resilience.login_lockout
    services.client_auth.lockout = resilience.key_lockout
    replay = services.pipeline.replay
    if replay is not None:
        replay.idempotency = SharedIdempotencyTable(shared, replay.idempotency)
        replay.cache = SharedResponseCache(shared, replay.cache)
    affinity = services.pipeline.affinity
    if affinity is not None:
        affinity.table = SharedAffinityTable(shared, affinity.table)
    services.monitor = services.pipeline.monitor = SharedLiveMonitor(events)
    events.start()
