"""Query functions for API-key budgets (`budgets`) and the spend they are checked against."""

from __future__ import annotations

import datetime as dt

from ..clock import utcnow
from ..usage.budgets import Budget
from . import usage_totals
from .models import Budget as BudgetRow


def load_budgets() -> list[Budget]:
    query = BudgetRow.select().order_by(BudgetRow.api_key_id)
    return [Budget(r.api_key_id, r.limit_usd, r.period, r.warn_percent) for r in query]


def put_budget(budget: Budget) -> None:
    BudgetRow.insert(
        api_key_id=budget.key_id,
        limit_usd=budget.limit,
        period=budget.period,
        warn_percent=budget.warn_percent,
        created_at=utcnow(),
    ).on_conflict(
        conflict_target=[BudgetRow.api_key_id],
        update={
            BudgetRow.limit_usd: budget.limit,
            BudgetRow.period: budget.period,
            BudgetRow.warn_percent: budget.warn_percent,
        },
    ).execute()


def delete_budget(key_id: int) -> bool:
    return bool(BudgetRow.delete().where(BudgetRow.api_key_id == key_id).execute())


def spent_since(key_id: int, start: dt.datetime) -> float:
    """USD the key's requests cost since `start`, a period's first hour: read from the hourly
    rollups, which the writer saves with the rows, so it equals the rows' sum without reading
    a month of them."""
    return usage_totals.spent_since(key_id, start)
