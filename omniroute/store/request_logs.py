"""Query functions for request logs (`request_logs`): bodies and headers kept when
ENABLE_REQUEST_LOGS is on; and the usage row a request detail names (by request id, or by the
row's own id when no request id was kept)."""

from __future__ import annotations

import datetime as dt

from ..clock import utcnow
from ..usage.request_log import MAX_ROWS
from .models import RequestLog, UsageRecord


def insert_request_logs(rows: list[dict]) -> None:
    RequestLog.insert_many(rows).execute()


def prune_request_logs(hours: float, max_rows: int = MAX_ROWS) -> int:
    """Drop logs older than `hours`, then the oldest beyond `max_rows`; returns how many."""
    removed = (
        RequestLog.delete()
        .where(RequestLog.created_at < utcnow() - dt.timedelta(hours=hours))
        .execute()
    )
    cutoff = (
        RequestLog.select(RequestLog.id).order_by(RequestLog.id.desc()).offset(max_rows).limit(1)
    ).scalar()
    if cutoff is not None:
        removed += RequestLog.delete().where(RequestLog.id <= cutoff).execute()
    return removed


def request_log(request_id: str) -> RequestLog | None:
    return RequestLog.get_or_none(RequestLog.request_id == request_id)


def usage_row(reference: str) -> UsageRecord | None:
    """The usage row whose request id is `reference`, else (all digits) whose id it is."""
    found = UsageRecord.get_or_none(UsageRecord.request_id == reference)
    if found is None and reference.isdigit() and len(reference) <= 18:
        found = UsageRecord.get_or_none(UsageRecord.id == int(reference))
    return found
