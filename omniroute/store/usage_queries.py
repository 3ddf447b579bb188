"""Query functions for usage records: batch inserts from the writer, the home page's summary, and
the Usage page's request log (filters, newest first, keyset pages) and its CSV export.

Totals and charts never scan usage_records: they read the hourly rollups (store.usage_totals).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
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
    # peewee's stub keeps the model as the row type after .tuples()
    return UsageSummary(*(int(value or 0) for value in row))  # type: ignore[attr-defined]


def recent_usage(limit: int = 20) -> list[UsageRecord]:
    return list(UsageRecord.select().order_by(UsageRecord.id.desc()).limit(limit))


# -- the request log: filters, newest first, keyset pages ---------------------------------------

STATUS_FILTERS = ("ok", "error")


@dataclass(frozen=True)
class RequestFilter:
    """Which usage rows to list; None means any. `api_key_id` 0: requests made without a key."""

    provider: str | None = None
    model: str | None = None
    api_key_id: int | None = None
    status: str | None = None  # "ok" (below 400) or "error"
    start: dt.datetime | None = None  # created_at >= start
    end: dt.datetime | None = None  # created_at < end


def _conditions(wanted: RequestFilter) -> list:
    U = UsageRecord
    where = []
    if wanted.provider:
        where.append(U.provider == wanted.provider)
    if wanted.model:
        where.append(U.model == wanted.model)
    if wanted.api_key_id == 0:
        where.append(U.api_key_id.is_null())
    elif wanted.api_key_id is not None:
        where.append(U.api_key_id == wanted.api_key_id)
    if wanted.status == "error":
        where.append(U.status >= 400)  # the partial index usage_records_error_time
    elif wanted.status == "ok":
        where.append(U.status < 400)
    if wanted.start is not None:
        where.append(U.created_at >= wanted.start)
    if wanted.end is not None:
        where.append(U.created_at < wanted.end)
    return where


def _older_than(created_at: dt.datetime, row_id: int) -> list:
    """Rows after (created_at, id) in newest-first order. The first term bounds the index range;
    the second only sorts out rows that share the timestamp."""
    U = UsageRecord
    return [U.created_at <= created_at, (U.created_at < created_at) | (U.id < row_id)]


def _page(where: list, limit: int):
    query = UsageRecord.select()
    if where:
        query = query.where(*where)
    return query.order_by(UsageRecord.created_at.desc(), UsageRecord.id.desc()).limit(limit)


def list_requests(
    wanted: RequestFilter, before: int | None = None, limit: int = 50
) -> list[UsageRecord]:
    """Usage rows matching `wanted`, newest first; `before`: the id of the last row of the
    previous page (keyset pagination: each page costs the same however deep it is)."""
    where = _conditions(wanted)
    if before is not None:
        anchor = UsageRecord.select(UsageRecord.created_at).where(UsageRecord.id == before).scalar()
        if anchor is None:
            return []
        where += _older_than(anchor, before)
    return list(_page(where, limit))


def iter_requests(wanted: RequestFilter, chunk: int = 1000) -> Iterator[UsageRecord]:
    """Every row matching `wanted`, newest first, read `chunk` rows at a time (one short query
    and connection each), so an export of millions of rows never sits in memory or holds a
    read transaction open while the client downloads."""
    database = UsageRecord._meta.database
    where = _conditions(wanted)
    while True:
        with database.connection_context():
            rows = list(_page(where, chunk))
        yield from rows
        if len(rows) < chunk:
            return
        last = rows[-1]
        where = _conditions(wanted) + _older_than(last.created_at, last.id)
