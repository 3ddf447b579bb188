"""The Costs overview (/costs): spend today, over the last 7 and 30 days and this calendar month,
a forecast for the month, and the last 30 days' cost by provider and by model.

Days are UTC days; "7 days" is today and the six before it. The forecast is an estimate: the
month's spend so far divided by the days of the month begun (today counts as one) times the days
in the month. Two rollup queries: one for the sums of every window, one group query for the
breakdowns."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _

from ...store.usage_rollups import hour_of
from ...store.usage_series import Spend, spend_since
from ...store.usage_totals import UsageTotals, breakdown, usage_groups
from ..charts import Share, donut, shares_of
from ..formatting import money

WINDOWS = (1, 7, 30)  # days
BREAKDOWN_DAYS = 30
TOP_MODELS = 20


@dataclass(frozen=True)
class Forecast:
    month_to_date: float
    days_elapsed: int
    days_in_month: int

    @property
    def amount(self) -> float:
        return self.month_to_date / self.days_elapsed * self.days_in_month


def month_forecast(month_to_date: float, today: dt.date) -> Forecast:
    """The calendar month's spend extrapolated from its first `today.day` days."""
    return Forecast(month_to_date, today.day, calendar.monthrange(today.year, today.month)[1])


def day_start(moment: dt.datetime, days_back: int = 0) -> dt.datetime:
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - dt.timedelta(days=days_back)


def spend_windows(now: dt.datetime) -> tuple[dict[int, Spend], Forecast]:
    """{days: requests and cost} for today, the last 7 and 30 days, and the month's forecast."""
    end = hour_of(now) + dt.timedelta(hours=1)
    starts = {str(days): day_start(now, days - 1) for days in WINDOWS}
    starts["month"] = day_start(now).replace(day=1)
    spend = spend_since(starts, end)
    windows = {days: spend[str(days)] for days in WINDOWS}
    return windows, month_forecast(spend["month"].cost_usd, now.date())


@dataclass(frozen=True)
class CostLine:
    label: str
    totals: UsageTotals
    fraction: float  # of the period's cost


def cost_lines(groups, group_by: str, limit: int | None = None) -> list[CostLine]:
    """The period's groups folded by `group_by`, most expensive first (the first `limit`)."""
    rows = breakdown(groups, group_by)
    total = sum(t.cost_usd for _key, t in rows) or 1.0
    return [
        CostLine("/".join(k for k in key if k) or "—", t, t.cost_usd / total)
        for key, t in rows[:limit]
    ]


def overview(now: dt.datetime) -> dict:
    windows, forecast = spend_windows(now)
    end = hour_of(now) + dt.timedelta(hours=1)
    groups = usage_groups(day_start(now, BREAKDOWN_DAYS - 1), end)
    by_provider = cost_lines(groups, "provider")
    shares: list[Share] = shares_of([(line.label, line.totals.cost_usd) for line in by_provider])
    return {
        "windows": windows,
        "forecast": forecast,
        "breakdown_days": BREAKDOWN_DAYS,
        "by_provider": by_provider,
        "by_model": cost_lines(groups, "model", TOP_MODELS),
        "cost_shares": shares,
        "cost_donut": donut(shares, _("Cost by provider"), money),
    }
