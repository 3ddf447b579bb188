"""Home as the owner's daily view: today's requests, tokens, errors and spend, each with its last
24 hours as a sparkline; budgets past their warning level; a health chip per provider; a
12-week activity heatmap; and the last 30 days' cost by provider.

Everything is read from the hourly rollups and in-memory state: the polled fragment costs one
rollup query, the full page three more (12 weeks by day, 30 days by provider, budgets)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from ...clock import utcnow
from ...resilience.health_report import build_health_report
from ...store.usage_rollups import hour_of
from ...store.usage_series import daily_requests
from ...store.usage_totals import UsageTotals, breakdown, bucketed, usage_groups, usage_series
from ..charts import Share, activity_heatmap, budget_meter, donut, shares_of, sparkline
from ..charts.svg import plain_number
from ..costs.api_budgets import budget_rows
from ..formatting import money

HOURS = 24
HEATMAP_DAYS = 12 * 7
COST_DAYS = 30
BREAKER_TAGS = {"closed": "ok", "open": "off", "half_open": "warn"}


@dataclass(frozen=True)
class Kpi:
    slug: str  # data-stat
    label: str
    value: str
    chart: Markup


def last_hours(now: dt.datetime, hours: int = HOURS) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the last `hours` whole hours, the current one included."""
    end = hour_of(now) + dt.timedelta(hours=1)
    return end - dt.timedelta(hours=hours), end


def kpis(now: dt.datetime, summary) -> list[Kpi]:
    """Today's figures (since midnight UTC), each with its last 24 hours."""
    start, end = last_hours(now)
    hourly = bucketed(usage_series(start, end), start, end, "hour")
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    spent = sum(t.cost_usd for hour, t in hourly if hour >= midnight)

    def line(name: str, value, fmt=plain_number) -> Markup:
        return sparkline([value(t) for _hour, t in hourly], name, fmt)

    number = plain_number
    requests, tokens, errors = _("Requests"), _("Tokens"), _("Errors")
    return [
        Kpi("requests", _("Requests today"), number(summary.requests),
            line(requests, lambda t: t.requests)),
        Kpi("tokens", _("Tokens today"), number(summary.total_tokens),
            line(tokens, lambda t: t.total_tokens)),
        Kpi("errors", _("Errors today"), number(summary.errors),
            line(errors, lambda t: t.errors)),
        Kpi("spend", _("Spend today"), money(spent),
            line(_("Spend"), lambda t: t.cost_usd, money)),
    ]  # fmt: skip


def heatmap(now: dt.datetime) -> Markup:
    """Requests per day over the last 12 weeks, today included."""
    end = hour_of(now) + dt.timedelta(hours=1)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(
        days=HEATMAP_DAYS - 1
    )
    counts = daily_requests(start, end)
    days = [start.date() + dt.timedelta(days=n) for n in range(HEATMAP_DAYS)]
    return activity_heatmap([(day, counts.get(day, 0)) for day in days], _("Requests"))


def cost_by_provider(now: dt.datetime) -> tuple[list[Share], Markup, UsageTotals]:
    """The last 30 days' cost per provider: shares, their donut, and the total."""
    end = hour_of(now) + dt.timedelta(hours=1)
    groups = usage_groups(end - dt.timedelta(days=COST_DAYS), end)
    per_provider = breakdown(groups, "provider")
    shares = shares_of([(key[0] or "—", totals.cost_usd) for key, totals in per_provider])
    total = sum((totals for _key, totals in per_provider), UsageTotals())
    return shares, donut(shares, _("Cost by provider"), money), total


def budgets_past_warning() -> list[dict]:
    """Budgets at or past their warning level, with a meter each, the fullest first."""
    rows = [row for row in budget_rows() if row["warning"]]
    for row in rows:
        name = row["keyName"] or f"#{row['keyId']}"
        row["meter"] = budget_meter(row["spent"], row["limit"], row["warnPercent"], name, money)
    return sorted(rows, key=lambda row: -row["percentUsed"])


def provider_chips(services) -> list[dict]:
    """A chip per usable provider: its breaker state (closed, open, half-open)."""
    report = build_health_report(services)
    return [
        {"provider": p["provider"], "state": p["state"], "tag": BREAKER_TAGS.get(p["state"], "")}
        for p in report["providers"]
    ]


def daily_view(services) -> dict:
    """What the full Home page adds to the polled fragment."""
    now = utcnow()
    shares, cost_donut, cost_total = cost_by_provider(now)
    return {
        "heatmap": heatmap(now),
        "cost_shares": shares,
        "cost_donut": cost_donut,
        "cost_total": cost_total,
        "cost_days": COST_DAYS,
        "warned_budgets": budgets_past_warning(),
        "provider_chips": provider_chips(services),
    }
