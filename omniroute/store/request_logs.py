"""Query functions for request logs (`request_logs`): bodies kept when ENABLE_REQUEST_LOGS is on."""

from __future__ import annotations

import datetime as dt

from ..clock import utcnow
from ..usage.request_log import MAX_ROWS
from .models import RequestLog


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
