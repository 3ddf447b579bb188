"""Query functions for usage records: batch inserts from the writer, summaries for the dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import Case, fn

from .models import UsageRecord


@dataclass(frozen=True)
class UsageSummary:
    requests: int
    errors: int
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def insert_usage_rows(rows: list[dict]) -> None:
    if rows:
        UsageRecord.insert_many(rows).execute()


def usage_summary_since(since: dt.datetime) -> UsageSummary:
    errors = fn.SUM(Case(None, [((UsageRecord.status >= 400), 1)], 0))
    row = (
        UsageRecord.select(
            fn.COUNT(UsageRecord.id),
            errors,
            fn.SUM(UsageRecord.prompt_tokens),
            fn.SUM(UsageRecord.completion_tokens),
        )
        .where(UsageRecord.created_at >= since)
        .tuples()
        .get()
    )
    return UsageSummary(*(int(value or 0) for value in row))


def recent_usage(limit: int = 20) -> list[UsageRecord]:
    return list(UsageRecord.select().order_by(UsageRecord.id.desc()).limit(limit))
