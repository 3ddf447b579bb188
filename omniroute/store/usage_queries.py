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
    """Insert a batch with one prepared statement (`executemany`); a key some rows lack is NULL
    in them. peewee's insert_many builds the SQL value by value in Python, which costs the
    request threads GIL time under load; this does not."""
    if not rows:
        return
    names = sorted(set().union(*rows))
    columns = [UsageRecord._meta.fields[name].column_name for name in names]
    database = UsageRecord._meta.database
    statement = 'INSERT INTO "{}" ({}) VALUES ({})'.format(  # SQLite and PostgreSQL quoting
        UsageRecord._meta.table_name,
        ", ".join(f'"{column}"' for column in columns),
        ", ".join([database.param] * len(columns)),
    )
    with database.atomic():
        database.cursor().executemany(statement, [[row.get(n) for n in names] for row in rows])


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
