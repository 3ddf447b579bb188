"""Hourly usage rollups and API-key last use, kept by the usage writer with each batch.

The dashboard's totals and charts read `usage_hourly` (one row per hour, API key, provider and
model) instead of scanning every usage row, so they stay fast with millions of requests. Each
batch is summed in Python and added with one upsert per group (SQLite ≥ 3.24 and PostgreSQL
both speak `ON CONFLICT … DO UPDATE`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .models import ApiKey, UsageHourly

SUMMED = (
    "prompt_tokens",
    "completion_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "cost_usd",
    "list_cost_usd",
    "latency_ms",
)
GROUP = ("hour", "api_key_id", "provider", "model")


def hour_of(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def rollup(rows: Iterable[dict]) -> list[dict]:
    """Sum usage rows per (hour, API key, provider, model)."""
    groups: dict[tuple, dict] = {}
    for row in rows:
        key = (
            hour_of(row["created_at"]),
            row.get("api_key_id") or 0,
            row.get("provider") or "",
            row.get("model") or "",
        )
        group = groups.get(key)
        if group is None:
            group = groups[key] = dict(zip(GROUP, key, strict=True), requests=0, errors=0)
            group.update(dict.fromkeys(SUMMED, 0))
        group["requests"] += 1
        group["errors"] += 1 if row.get("status", 200) >= 400 else 0
        for name in SUMMED:
            group[name] += row.get(name) or 0
    return list(groups.values())


def add_rollups(groups: list[dict]) -> None:
    if not groups:
        return
    counters = ("requests", "errors", *SUMMED)
    columns = [*GROUP, *(("latency_ms_sum" if c == "latency_ms" else c) for c in counters)]
    database = UsageHourly._meta.database
    table = UsageHourly._meta.table_name
    updates = ", ".join(f'"{c}" = "{table}"."{c}" + excluded."{c}"' for c in columns[4:])
    names = ", ".join(f'"{c}"' for c in columns)
    keys = ", ".join(f'"{c}"' for c in GROUP)
    placeholders = ", ".join([database.param] * len(columns))
    statement = (
        f'INSERT INTO "{table}" ({names}) VALUES ({placeholders}) '
        f"ON CONFLICT ({keys}) DO UPDATE SET {updates}"
    )
    values = [[g[c] for c in GROUP] + [g[c] for c in counters] for g in groups]
    database.cursor().executemany(statement, values)


def touch_api_keys(rows: Iterable[dict]) -> None:
    """Set each key's last use to its newest row in the batch."""
    newest: dict[int, dt.datetime] = {}
    for row in rows:
        key_id = row.get("api_key_id")
        if key_id is not None and (key_id not in newest or row["created_at"] > newest[key_id]):
            newest[key_id] = row["created_at"]
    for key_id, moment in newest.items():
        ApiKey.update(last_used_at=moment).where(ApiKey.id == key_id).execute()
