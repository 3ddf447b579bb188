"""The Health page's trends: per provider, the median latency and the error rate of each of the
last 24 hours as sparklines (hours without requests are gaps). Two queries whatever the number
of providers: the error counts from the hourly rollups, the medians from the usage rows
(store/usage_series.py). Drawn once with the page, not with every poll of the cards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from ...clock import utcnow
from ...store.usage_series import provider_hours, provider_latency_p50
from ..charts import sparkline
from ..dashboard.daily import last_hours
from ..formatting import ms, percent


@dataclass(frozen=True)
class ProviderTrend:
    provider: str
    requests: int
    errors: int
    latency_chart: Markup
    error_chart: Markup


def percentage(value: float) -> str:
    return percent(value, 1)


def provider_trends(now: dt.datetime | None = None) -> list[ProviderTrend]:
    start, end = last_hours(now or utcnow())
    hours = [start + dt.timedelta(hours=i) for i in range((end - start) // dt.timedelta(hours=1))]
    counts, medians = provider_hours(start, end), provider_latency_p50(start, end)
    trends = []
    for provider in sorted(set(counts) | set(medians)):
        seen, p50 = counts.get(provider, {}), medians.get(provider, {})
        rates = [seen[h].error_rate if h in seen else None for h in hours]
        latency_name = _("Median latency of %(provider)s", provider=provider)
        error_name = _("Error rate of %(provider)s", provider=provider)
        trends.append(
            ProviderTrend(
                provider,
                sum(c.requests for c in seen.values()),
                sum(c.errors for c in seen.values()),
                sparkline([p50.get(h) for h in hours], latency_name, ms),
                sparkline(rates, error_name, percentage),
            )
        )
    return trends
