"""The usage writer's database: rows made storable, and a batch saved in one transaction.

`usage.writer.UsageWriter` batches and retries and knows nothing of peewee; it is handed a
`UsageBatchStore` (by `services.build_services`), which cleans each row for its columns
(`usage_storable`) and saves a batch — the usage rows, their hourly rollups, their API keys'
last use and their request logs, and now and then the pruning of old logs — all or nothing;
and, for USAGE_RETENTION_DAYS, deletes old rows in batches (`usage_retention`).
"""

from __future__ import annotations

from typing import Any

from .request_logs import insert_request_logs, prune_request_logs
from .usage_queries import insert_usage_rows
from .usage_retention import delete_usage_older_than
from .usage_rollups import add_rollups, rollup, touch_api_keys
from .usage_storable import make_storable


class UsageBatchStore:
    def __init__(self, database: Any):
        self._database = database

    make_storable = staticmethod(make_storable)  # on the writer thread: no extra call

    def save(
        self,
        rows: list[dict],
        logs: list[dict],
        rows_per_insert: int,
        prune_logs_older_than_hours: float | None = None,
    ) -> None:
        """Insert the rows (`rows_per_insert` per statement), add their rollups, touch their
        keys, insert the request logs and prune old logs when asked: one transaction."""
        with self._database.connection_context(), self._database.atomic():
            for start in range(0, len(rows), rows_per_insert):
                insert_usage_rows(rows[start : start + rows_per_insert])
            add_rollups(rollup(rows))
            touch_api_keys(rows)
            if logs:
                insert_request_logs(logs)
            if prune_logs_older_than_hours is not None:
                prune_request_logs(prune_logs_older_than_hours)

    def delete_older_than(self, days: float, limit_rows: int) -> int:
        """Usage rows and request logs older than `days`, up to about `limit_rows` (batched;
        rollups are kept)."""
        return delete_usage_older_than(self._database, days, limit_rows)
