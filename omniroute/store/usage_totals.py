"""Usage totals, time series and breakdowns for the Usage and Costs pages, read from the hourly
rollups (`usage_hourly`, kept by the usage writer in the same transaction as the rows).

A range is [start, end) on whole hours, so the rollups give exactly what a scan of the usage rows
would, at the cost of reading one row per hour, API key, provider and model. No query here
touches usage_records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from peewee import fn

from .models import UsageHourly

GROUP_BY = ("provider", "model", "key")


@dataclass(frozen=True)
class UsageTotals:
    requests: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: float = 0.0
    list_cost_usd: float = 0.0
    latency_ms_sum: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def saved_usd(self) -> float:
        """What subscription and free tiers saved: the list price of their usage."""
        return max(0.0, self.list_cost_usd - self.cost_usd)

    @property
    def avg_latency_ms(self) -> float:
        return self.latency_ms_sum / self.requests if self.requests else 0.0

    def __add__(self, other: UsageTotals) -> UsageTotals:
        return UsageTotals(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(UsageTotals))
        )


COUNTERS = tuple(f.name for f in fields(UsageTotals))
AMOUNTS = ("cost_usd", "list_cost_usd", "latency_ms_sum")


def _sums() -> list:
    return [fn.SUM(getattr(UsageHourly, name)) for name in COUNTERS]


def _totals(values) -> UsageTotals:
    sums = dict(zip(COUNTERS, values, strict=True))
    counts = (int(sums[name] or 0) for name in COUNTERS if name not in AMOUNTS)
    amounts = (float(sums[name] or 0) for name in AMOUNTS)
    return UsageTotals(*counts, *amounts)  # UsageTotals lists its counts, then its AMOUNTS


def _in_range(start: dt.datetime, end: dt.datetime):
    return (UsageHourly.hour >= start) & (UsageHourly.hour < end)


def usage_series(start: dt.datetime, end: dt.datetime) -> dict[dt.datetime, UsageTotals]:
    """{hour: totals} for the hours in [start, end) that saw requests (read in index order)."""
    query = (
        UsageHourly.select(UsageHourly.hour, *_sums())
        .where(_in_range(start, end))
        .group_by(UsageHourly.hour)
        .tuples()
    )
    # peewee's stub keeps the model as the row type after .tuples()
    return {_as_datetime(row[0]): _totals(row[1:]) for row in query}  # type: ignore[index]


@dataclass(frozen=True)
class UsageGroup:
    api_key_id: int  # 0: requests made without a key
    provider: str
    model: str
    totals: UsageTotals


def usage_groups(start: dt.datetime, end: dt.datetime) -> list[UsageGroup]:
    """Totals per API key, provider and model over [start, end): one query, from which every
    breakdown the pages show is folded (`breakdown`)."""
    columns = (UsageHourly.api_key_id, UsageHourly.provider, UsageHourly.model)
    query = (
        UsageHourly.select(*columns, *_sums())
        .where(_in_range(start, end))
        .group_by(*columns)
        .tuples()
    )
    # peewee's stub keeps the model as the row type after .tuples()
    return [UsageGroup(row[0] or 0, row[1] or "", row[2] or "", _totals(row[3:])) for row in query]  # type: ignore[index]


def total_of(groups: list[UsageGroup]) -> UsageTotals:
    return sum((g.totals for g in groups), UsageTotals())


def breakdown(groups: list[UsageGroup], group_by: str) -> list[tuple[tuple, UsageTotals]]:
    """[(group, totals)] most expensive first, then most used: group is (provider,),
    (provider, model) or (API key id,)."""
    if group_by not in GROUP_BY:
        raise ValueError(group_by)
    folded: dict[tuple, UsageTotals] = {}
    for group in groups:
        key = {
            "provider": (group.provider,),
            "model": (group.provider, group.model),
            "key": (group.api_key_id,),
        }[group_by]
        folded[key] = folded.get(key, UsageTotals()) + group.totals
    return sorted(folded.items(), key=lambda item: (-item[1].cost_usd, -item[1].requests, item[0]))


def bucketed(
    series: dict[dt.datetime, UsageTotals], start: dt.datetime, end: dt.datetime, bucket: str
) -> list[tuple[dt.datetime, UsageTotals]]:
    """Every bucket ("hour", or "day" from midnight UTC) of [start, end) with its totals, the
    empty ones too, oldest first."""
    step = dt.timedelta(hours=1) if bucket == "hour" else dt.timedelta(days=1)
    buckets: dict[dt.datetime, UsageTotals] = {}
    moment = start if bucket == "hour" else start.replace(hour=0)
    while moment < end:
        buckets[moment] = UsageTotals()
        moment += step
    for hour, totals in series.items():
        key = hour if bucket == "hour" else hour.replace(hour=0)
        buckets[key] = buckets.get(key, UsageTotals()) + totals
    return sorted(buckets.items())


def spent_since(key_id: int, start: dt.datetime) -> float:
    """USD a key's requests cost from `start` (a whole hour) on."""
    total = (
        UsageHourly.select(fn.SUM(UsageHourly.cost_usd))
        .where((UsageHourly.hour >= start) & (UsageHourly.api_key_id == key_id))
        .scalar()
    )
    return float(total or 0.0)


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def any_request_answered() -> bool:
    """Whether any request was ever answered without an error (first-run onboarding)."""
    return UsageHourly.select().where(UsageHourly.requests > UsageHourly.errors).exists()
