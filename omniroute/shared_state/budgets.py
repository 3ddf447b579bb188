"""Budget reservations and settlement shared through Redis: the interface of
usage.budgets.BudgetLedger, exact across every process.

Each key's period is one Redis hash (spent, reserved, in integer nano-USD so sums are exact),
created from the database's figure the first time any process touches the period, and kept a
day past the period's reset. Reserving checks spent + reserved < limit and
limit − spent − reserved ≥ estimate in one Lua script, so however many processes reserve at
once, what they hold never passes the limit; settling replaces the reservation with the real
cost. Failure policy: budgets fail CLOSED — when Redis does not answer, a request from a key
with a budget is refused (503 in the caller's format) rather than spent unchecked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ..errors import ServiceUnavailableError
from ..usage.budgets import BudgetExceeded, BudgetLedger, period_bounds
from .client import SharedRedis, SharedStateUnavailable
from .scripts import BUDGET_RESERVE, BUDGET_SETTLE

NANO = 1_000_000_000
KEEP_AFTER_RESET = dt.timedelta(days=1)
RETRY_AFTER_SECONDS = "5"


def nano(usd: float) -> int:
    return round(usd * NANO)


class SharedBudgetLedger(BudgetLedger):
    def __init__(
        self,
        shared: SharedRedis,
        load_spent: Callable[[int, dt.datetime], float],
        clock: Callable[[], dt.datetime] | None = None,
    ):
        super().__init__(load_spent, clock)
        self.shared = shared
        self._reserve = shared.client.register_script(BUDGET_RESERVE)
        self._settle = shared.client.register_script(BUDGET_SETTLE)

    def reserve(self, key_id: int, estimate: float) -> float:
        budget = self._budgets[key_id]
        start, reset = period_bounds(budget.period, self._clock())
        ttl = int((reset + KEEP_AFTER_RESET - self._clock()).total_seconds())
        try:
            admitted, spent = self.shared.run(
                self._reserve,
                keys=[self._key(key_id, budget.period, start)],
                args=[nano(budget.limit), nano(estimate), self._loaded(key_id, start), ttl],
            )
        except SharedStateUnavailable as error:
            self.shared.failed(error, "budget")
            raise ServiceUnavailableError(
                "the budget of this API key cannot be checked right now (shared state is "
                "unavailable); try again shortly",
                code="budget_unavailable",
                headers={"Retry-After": RETRY_AFTER_SECONDS},
            ) from None
        if not admitted:
            raise BudgetExceeded(budget, int(spent) / NANO, reset)
        return estimate

    def settle(self, key_id: int | None, reserved: float, cost: float) -> None:
        budget = self._budgets.get(key_id) if key_id is not None else None
        if key_id is None or budget is None:
            return
        start, _ = period_bounds(budget.period, self._clock())
        try:
            self.shared.run(
                self._settle,
                keys=[self._key(key_id, budget.period, start)],
                args=[-nano(reserved), nano(cost)],
            )
        except SharedStateUnavailable as error:
            self.shared.failed(error, "budget")  # the database keeps the real cost

    def status(self, key_id: int) -> dict:
        budget = self._budgets[key_id]
        start, _ = period_bounds(budget.period, self._clock())
        status = super().status(key_id)  # this process's view: the fallback figures
        try:
            stored = self.shared.client.hgetall(self._key(key_id, budget.period, start))
        except SharedStateUnavailable as error:
            self.shared.failed(error, "budget")
            return status
        if not stored:
            return status
        spent, reserved = int(stored[b"spent"]) / NANO, int(stored[b"reserved"]) / NANO
        used = spent / budget.limit * 100 if budget.limit else 100.0
        status.update(
            spent=round(spent, 6),
            reserved=round(reserved, 6),
            remaining=round(max(0.0, budget.limit - spent), 6),
            percentUsed=round(used, 1),
            warning=used >= budget.warn_percent,
            exceeded=spent >= budget.limit,
        )
        return status

    def _loaded(self, key_id: int, start: dt.datetime) -> int:
        """What the database says was spent since `start` (read once per period and process)."""
        with self._lock:
            account = self._account(key_id)
            return nano(account.spent) if account.start == start else nano(0.0)

    def _key(self, key_id: int, period: str, start: dt.datetime) -> str:
        return self.shared.key("budget", key_id, period, start.date().isoformat())
