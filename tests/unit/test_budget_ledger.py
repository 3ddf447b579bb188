"""The budget ledger on a fake clock: spend reserved and settled per key, warnings, refusals past
the limit, and each period resetting at its boundary (UTC days, Mondays, months). Budgets through
a real gateway: tests/integration/test_costs_budgets.py."""

from __future__ import annotations

import datetime as dt

import pytest

from omniroute.usage.budgets import Budget, BudgetExceeded, BudgetLedger, period_bounds
from tests.fake_clock import FakeClock


def test_ledger_periods_reset_at_their_boundaries():
    loads = []

    def spent_since(key_id, start):
        loads.append(start)
        return 1.0  # what the database says was spent before the ledger started

    clock = FakeClock(dt.datetime(2025, 12, 31, 23, 59))
    ledger = BudgetLedger(spent_since, clock)
    ledger.set_budgets(
        [Budget(1, 5.0, "daily"), Budget(2, 5.0, "weekly"), Budget(3, 5.0, "monthly")]
    )
    for key in (1, 2, 3):
        held = ledger.reserve(key, 2.0)
        ledger.settle(key, held, 3.5)
    assert [ledger.status(k)["spent"] for k in (1, 2, 3)] == [4.5, 4.5, 4.5]
    assert ledger.status(1)["resetAt"] == "2026-01-01T00:00:00Z"
    assert ledger.status(2)["resetAt"] == "2026-01-05T00:00:00Z"  # the next Monday
    assert ledger.status(3)["resetAt"] == "2026-01-01T00:00:00Z"
    assert ledger.status(1)["warning"] is True  # 90% ≥ the default 80%
    ledger.reserve(1, 1.0)  # 4.5 + 0 < 5: may start, holds 1.0 until it ends
    with pytest.raises(BudgetExceeded) as refused:
        ledger.reserve(1, 0.1)  # 4.5 + 1.0 ≥ 5
    assert refused.value.reset == dt.datetime(2026, 1, 1)
    clock.now = dt.datetime(2026, 1, 1, 0, 0)  # midnight: a new day and a new month
    assert ledger.status(1)["spent"] == 1.0 and ledger.status(1)["reserved"] == 1.0
    assert ledger.status(3)["spent"] == 1.0 and ledger.status(2)["spent"] == 4.5
    assert loads[-2:] == [dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 1)]
    ledger.settle(1, 1.0, 0.25)  # the request in flight ends in the new day
    assert ledger.status(1)["spent"] == 1.25 and ledger.status(1)["reserved"] == 0
    clock.now = dt.datetime(2026, 1, 5, 0, 0)
    assert ledger.status(2)["spent"] == 1.0
    assert ledger.status(2)["resetAt"] == "2026-01-12T00:00:00Z"
    assert period_bounds("monthly", dt.datetime(2024, 2, 29, 12)) == (
        dt.datetime(2024, 2, 1),
        dt.datetime(2024, 3, 1),
    )
