"""The one background writer for usage rows: request threads enqueue, one thread batches inserts.

`submit()` costs a queue put and nothing else: the writer sleeps between rounds instead of
waiting on the queue, so a request never wakes it (a wake-up per request would take the GIL
from the request threads just as they answer). Every USAGE_FLUSH_SECONDS, or as soon as a batch
is full, it saves whatever has queued in one multi-row INSERT; `flush()` and `stop()` wake it
at once, and `stop()` drains the queue before returning, so a graceful shutdown loses nothing and
a crash loses at most the last interval. With each batch it adds the hourly rollups and the API
keys' last use, in the same transaction.
"""

from __future__ import annotations

import logging
import queue
import threading

from ..store.request_logs import insert_request_logs, prune_request_logs
from ..store.usage_queries import insert_usage_rows
from ..store.usage_rollups import add_rollups, rollup, touch_api_keys

log = logging.getLogger(__name__)
PRUNE_EVERY_BATCHES = 50
_STOP = object()


class _Flush:
    """A marker: once the writer reaches it, everything queued before it has been written."""

    def __init__(self) -> None:
        self.done = threading.Event()


class UsageWriter:
    def __init__(
        self, database, flush_seconds: float = 1.0, batch_size: int = 500, log_hours: float = 24
    ):
        self._database = database
        self._flush_seconds = flush_seconds
        self._batch_size = batch_size
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.rows_written = 0
        self._log_hours = log_hours
        self._batches_with_logs = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="usage-writer", daemon=True)
            self._thread.start()

    def submit(self, row: dict) -> None:
        self._queue.put(row)
        if self._queue.qsize() >= self._batch_size:
            self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Write every queued row, then end the writer thread."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._wake.set()
            self._thread.join(timeout)
            self._thread = None
        else:
            self._write(self._drain([]))

    def flush(self, timeout: float = 5.0) -> bool:
        """Block until every row submitted before this call is written; False on time-out."""
        if self._thread is None:
            self._write(self._drain([]))
            return True
        marker = _Flush()
        self._queue.put(marker)
        self._wake.set()
        return marker.done.wait(timeout)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            self._wake.wait(self._flush_seconds)
            self._wake.clear()
            flushes: list[_Flush] = []
            rows = self._drain([], flushes)
            stopping = _STOP in flushes
            self._write(rows)
            for marker in flushes:
                if marker is not _STOP:
                    marker.done.set()

    def _drain(self, rows: list, markers: list | None = None) -> list:
        """Everything queued: the rows (appended to `rows`) and the flush and stop markers
        (to `markers`, or flush markers set done at once when there is no list)."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return rows
            if isinstance(item, dict):
                rows.append(item)
            elif markers is not None:
                markers.append(item)
            elif isinstance(item, _Flush):
                item.done.set()

    def _write(self, rows: list) -> None:
        if not rows:
            return
        logs = [_log_row(row) for row in rows if "_log" in row]
        try:
            with self._database.connection_context(), self._database.atomic():
                for start in range(0, len(rows), self._batch_size):
                    insert_usage_rows(rows[start : start + self._batch_size])
                add_rollups(rollup(rows))
                touch_api_keys(rows)
                if logs:
                    insert_request_logs(logs)
                    self._batches_with_logs += 1
                    if self._batches_with_logs % PRUNE_EVERY_BATCHES == 1:
                        prune_request_logs(self._log_hours)
        except Exception:  # a broken database must not kill the writer thread
            log.exception("could not save %d usage rows", len(rows))
            return
        self.rows_written += len(rows)


def _log_row(row: dict) -> dict:
    """The request-log row riding on a usage row (taken off it: it is not a usage column)."""
    log_entry = row.pop("_log")
    return {
        **log_entry,
        "request_id": row["request_id"],
        "created_at": row["created_at"],
        "api_key_id": row.get("api_key_id"),
        "endpoint": row["endpoint"],
        "requested_model": row.get("requested_model"),
        "provider": row.get("provider"),
        "status": row["status"],
    }
