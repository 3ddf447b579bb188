"""Request counts for the Combos and API keys pages: today (UTC) and the last 7 days (today and
the six days before it), one grouped query per page, never one per row.

A key's counts come from the hourly rollups (usage_hourly, by api_key_id); a combo's from the
usage rows whose requested model is the combo's name (index usage_records_requested_time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from peewee import Case, fn

from .models import UsageHourly, UsageRecord

WEEK_DAYS = 7


@dataclass(frozen=True)
class RequestCounts:
    today: int = 0
    week: int = 0


NO_REQUESTS = RequestCounts()


def count_windows(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(start of today, start of the 7-day window), both at UTC midnight."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return today, today - dt.timedelta(days=WEEK_DAYS - 1)


def _counts(rows) -> dict:
    return {group: RequestCounts(int(today or 0), int(week or 0)) for group, today, week in rows}


def requests_per_key(now: dt.datetime) -> dict[int, RequestCounts]:
    """Each API key's requests (key id → counts); keys without requests are absent."""
    today, week = count_windows(now)
    H = UsageHourly
    rows = (
        H.select(
            H.api_key_id,
            fn.SUM(Case(None, [((H.hour >= today), H.requests)], 0)),
            fn.SUM(H.requests),
        )
        .where(H.hour >= week, H.api_key_id != 0)
        .group_by(H.api_key_id)
        .tuples()
    )
    return _counts(rows)


def requests_per_model_asked(names: Iterable[str], now: dt.datetime) -> dict[str, RequestCounts]:
    """Requests that asked for each of `names` (a combo's name) → counts; absent: none."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    today, week = count_windows(now)
    U = UsageRecord
    rows = (
        U.select(
            U.requested_model,
            fn.SUM(Case(None, [((U.created_at >= today), 1)], 0)),
            fn.COUNT(U.id),
        )
        .where(U.requested_model.in_(wanted), U.created_at >= week)
        .group_by(U.requested_model)
        .tuples()
    )
    return _counts(rows)
