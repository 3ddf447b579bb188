"""Per-provider hourly series and cost rows for the Health and Costs pages.

Error rates and the Costs export read the hourly rollups (`usage_hourly`); the median latency
needs the rows themselves, so `provider_latency_p50` reads usage_records once over the range (the
created_at index bounds it) and lets the database rank each provider's hour: one query per
chart, never one per point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from peewee import Case, fn

from .migration_steps import DIALECT_TYPES
from .migrations import dialect_of
from .models import UsageHourly, UsageRecord
from .usage_totals import _as_datetime, _in_range


@dataclass(frozen=True)
class ProviderHour:
    requests: int
    errors: int

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0


def provider_hours(
    start: dt.datetime, end: dt.datetime
) -> dict[str, dict[dt.datetime, ProviderHour]]:
    """{provider: {hour: requests and errors}} for the hours in [start, end) that saw requests."""
    query = (
        UsageHourly.select(
            UsageHourly.provider,
            UsageHourly.hour,
            fn.SUM(UsageHourly.requests),
            fn.SUM(UsageHourly.errors),
        )
        .where(_in_range(start, end) & (UsageHourly.provider != ""))
        .group_by(UsageHourly.provider, UsageHourly.hour)
        .tuples()
    )
    series: dict[str, dict[dt.datetime, ProviderHour]] = {}
    for row in query:  # peewee's stub keeps the model as the row type after .tuples()
        provider, hour, requests, errors = row[0], row[1], row[2], row[3]  # type: ignore[index]
        series.setdefault(str(provider), {})[_as_datetime(hour)] = ProviderHour(
            int(requests or 0), int(errors or 0)
        )
    return series


@dataclass(frozen=True)
class Spend:
    requests: int
    cost_usd: float


def spend_since(starts: dict[str, dt.datetime], end: dt.datetime) -> dict[str, Spend]:
    """{name: requests and cost from its start to `end`} for several starts (whole hours) in one
    query: a conditional sum per start over the rollups of the earliest one on."""
    columns = []
    for start in starts.values():
        since = UsageHourly.hour >= start
        columns += [
            fn.SUM(Case(None, [(since, UsageHourly.requests)], 0)),
            fn.SUM(Case(None, [(since, UsageHourly.cost_usd)], 0)),
        ]
    earliest = min(starts.values(), default=end)
    row = UsageHourly.select(*columns).where(_in_range(earliest, end)).tuples().get()
    values = iter(row)  # type: ignore[call-overload]
    return {name: Spend(int(next(values) or 0), float(next(values) or 0.0)) for name in starts}


def daily_requests(start: dt.datetime, end: dt.datetime) -> dict[dt.date, int]:
    """{day: requests} for the UTC days in [start, end) that saw requests, summed by the
    database (`date()` is a function in SQLite and PostgreSQL alike)."""
    day = fn.DATE(UsageHourly.hour)
    query = (
        UsageHourly.select(day, fn.SUM(UsageHourly.requests))
        .where(_in_range(start, end))
        .group_by(day)
        .tuples()
    )
    # peewee's stub keeps the model as the row type after .tuples()
    return {_as_date(row[0]): int(row[1] or 0) for row in query}  # type: ignore[index]


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


MEDIAN_SQL = """
SELECT provider, hour, latency_ms FROM (
    SELECT provider, {created_hour} AS hour, latency_ms,
        ROW_NUMBER() OVER (PARTITION BY provider, {created_hour} ORDER BY latency_ms) AS position,
        COUNT(*) OVER (PARTITION BY provider, {created_hour}) AS counted
    FROM usage_records
    WHERE created_at >= {param} AND created_at < {param}
        AND provider IS NOT NULL AND provider <> '' AND served_from IS NULL
) ranked
WHERE position = (counted + 1) / 2
"""


def provider_latency_p50(
    start: dt.datetime, end: dt.datetime
) -> dict[str, dict[dt.datetime, float]]:
    """{provider: {hour: median latency in ms}} of the requests a provider answered in
    [start, end) (answers from the gateway's own caches left out); the lower median when an
    hour holds an even count."""
    database = UsageRecord._meta.database
    created_hour = DIALECT_TYPES[dialect_of(database)]["created_hour"]
    sql = MEDIAN_SQL.format(created_hour=created_hour, param=database.param)
    series: dict[str, dict[dt.datetime, float]] = {}
    for provider, hour, latency in database.execute_sql(sql, (start, end)).fetchall():
        series.setdefault(provider, {})[_as_datetime(hour)] = float(latency or 0.0)
    return series


@dataclass(frozen=True)
class CostRow:
    """One hour's usage of one API key (0: none), provider and model."""

    hour: dt.datetime
    api_key_id: int
    provider: str
    model: str
    requests: int
    errors: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    list_cost_usd: float


def iter_cost_rows(start: dt.datetime, end: dt.datetime) -> Iterator[CostRow]:
    """Every rollup row in [start, end), oldest hour first, read a day at a time (one short
    query and connection each), so a long export never sits in memory."""
    database = UsageHourly._meta.database
    U = UsageHourly
    day = start
    while day < end:
        upto = min(end, day + dt.timedelta(days=1))
        with database.connection_context():
            rows = list(
                U.select(
                    U.hour,
                    U.api_key_id,
                    U.provider,
                    U.model,
                    U.requests,
                    U.errors,
                    U.prompt_tokens,
                    U.completion_tokens,
                    U.cost_usd,
                    U.list_cost_usd,
                )  # fmt: skip
                .where((U.hour >= day) & (U.hour < upto))
                .order_by(U.hour, U.provider, U.model, U.api_key_id)
                .tuples()
            )
        for row in rows:
            yield CostRow(_as_datetime(row[0]), *row[1:])  # type: ignore[index]
        day = upto
