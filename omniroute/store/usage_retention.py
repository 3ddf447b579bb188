"""Usage retention (USAGE_RETENTION_DAYS): usage rows and request logs older than that are
deleted in batches of BATCH_ROWS, each batch its own short transaction, so neither the usage
writer nor a dashboard query waits long behind it; one call deletes at most about `limit_rows`,
so a large backlog is worked off over several calls between the writer's saves. The hourly
rollups (usage_hourly) are kept: charts and totals over older periods keep their numbers."""

from __future__ import annotations

import datetime as dt

from ..clock import utcnow
from .models import RequestLog, UsageRecord

BATCH_ROWS = 5000


def delete_usage_older_than(
    database, days: float, limit_rows: int, batch_rows: int = BATCH_ROWS
) -> int:
    """Delete usage rows and request logs created more than `days` ago, at most about
    `limit_rows` of them; how many went (`limit_rows` or more: some may be left)."""
    cutoff = utcnow() - dt.timedelta(days=days)
    removed = 0
    for model in (UsageRecord, RequestLog):
        while removed < limit_rows:
            with database.connection_context(), database.atomic():
                oldest = model.select(model.id).where(model.created_at < cutoff).limit(batch_rows)
                deleted = model.delete().where(model.id.in_(oldest)).execute()
            removed += deleted
            if deleted < batch_rows:
                break
    return removed
