"""Budgets per API key: a spending limit per UTC day, week (from Monday) or month, enforced
before a request starts. In memory; the database is read once per key and period.

A request may start only while spent + reserved < limit. Starting reserves an estimate of its
cost (the prompt at the model's input price plus `max_tokens`, or RESERVED_OUTPUT_TOKENS, at its
output price); finishing settles: the reservation goes, the real cost is added. So concurrent
requests cannot overshoot the limit by more than what is in flight. A refused request gets 402
in the caller's format with the reset time.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

PERIODS = ("daily", "weekly", "monthly")
RESERVED_OUTPUT_TOKENS = 1024


@dataclass(frozen=True)
class Budget:
    key_id: int
    limit: float
    period: str
    warn_percent: int = 80


def period_bounds(period: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[start, reset) of the period containing `now` (naive UTC)."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "daily":
        return day, day + dt.timedelta(days=1)
    if period == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=7)
    start = day.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return start, following


@dataclass
class _Account:
    budget: Budget
    start: dt.datetime
    reset: dt.datetime
    spent: float
    reserved: float = 0.0


class BudgetExceeded(Exception):
    def __init__(self, budget: Budget, spent: float, reset: dt.datetime):
        super().__init__(budget.key_id)
        self.budget, self.spent, self.reset = budget, spent, reset


class BudgetLedger:
    def __init__(
        self,
        load_spent: Callable[[int, dt.datetime], float],
        clock: Callable[[], dt.datetime] | None = None,
    ):
        self._load_spent = load_spent  # (key id, period start) → USD spent since
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))
        self._budgets: dict[int, Budget] = {}
        self._accounts: dict[int, _Account] = {}
        self._lock = threading.Lock()

    def set_budgets(self, budgets: list[Budget]) -> None:
        with self._lock:
            self._budgets = {b.key_id: b for b in budgets}
            self._accounts = {
                k: a for k, a in self._accounts.items() if self._budgets.get(k) == a.budget
            }

    def has_budget(self, key_id: int | None) -> bool:
        return key_id is not None and key_id in self._budgets

    def reserve(self, key_id: int, estimate: float) -> float:
        """Reserve `estimate` USD; raises BudgetExceeded when the key is already at its limit."""
        with self._lock:
            account = self._account(key_id)
            if account.spent + account.reserved >= account.budget.limit:
                raise BudgetExceeded(account.budget, account.spent, account.reset)
            account.reserved += estimate
        return estimate

    def settle(self, key_id: int | None, reserved: float, cost: float) -> None:
        with self._lock:
            if key_id not in self._budgets:
                return
            account = self._account(key_id)
            account.reserved = max(0.0, account.reserved - reserved)
            account.spent += cost

    def status(self, key_id: int) -> dict:
        with self._lock:
            account = self._account(key_id)
            budget, spent = account.budget, account.spent
            used = spent / budget.limit * 100 if budget.limit else 100.0
            return {
                "keyId": key_id,
                "limit": budget.limit,
                "period": budget.period,
                "spent": round(spent, 6),
                "reserved": round(account.reserved, 6),
                "remaining": round(max(0.0, budget.limit - spent), 6),
                "percentUsed": round(used, 1),
                "warnPercent": budget.warn_percent,
                "warning": used >= budget.warn_percent,
                "exceeded": spent >= budget.limit,
                "resetAt": account.reset.isoformat() + "Z",
            }

    def _account(self, key_id: int) -> _Account:
        budget = self._budgets[key_id]
        now = self._clock()
        account = self._accounts.get(key_id)
        if account is None or now >= account.reset or account.budget != budget:
            start, reset = period_bounds(budget.period, now)
            spent = self._load_spent(key_id, start)
            reserved = account.reserved if account is not None else 0.0
            account = _Account(budget, start, reset, spent, reserved)
            self._accounts[key_id] = account
        return account


def reserve_estimate(input_tokens: int, max_tokens: int | None, price) -> float:
    """What to hold for a request before its cost is known (0 when the price is unknown)."""
    if price is None:
        return 0.0
    output = max_tokens if max_tokens else RESERVED_OUTPUT_TOKENS
    return (input_tokens * price.input + output * price.output) / 1_000_000


def seconds_until(reset: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((reset - now).total_seconds()))
