"""The one background writer for usage rows: request threads enqueue, one thread batches inserts.

`submit()` costs a queue put and nothing else: the writer sleeps between rounds instead of
waiting on the queue, so a request never wakes it (a wake-up per request would take the GIL
from the request threads just as they answer). Every USAGE_FLUSH_SECONDS, or as soon as a batch
is full, it saves whatever has queued in one multi-row INSERT; `flush()` and `stop()` wake it
at once, and `stop()` drains the queue before returning, so a graceful shutdown loses nothing and
a crash loses at most the last interval. With each batch it adds the hourly rollups and the API
keys' last use, in the same transaction.

No good row is lost to a bad one: the writer makes each row storable before its batch is
observed and saved (the store cleans it for its columns, on the writer thread: a request thread
only queues it; `storable()` cleans a row at once for a caller that shows it before it is
saved), and when a batch's transaction fails anyway the rows are saved one by one, each with its
rollup, key touch and request log. A row the database still refuses is appended as one
JSON line to `usage-dead-letter.jsonl` in DATA_DIR (mode 0600), logged and counted
(`dead_letters`, shown on Health).

Retention (USAGE_RETENTION_DAYS, `retention_days`; 0 keeps everything): on its first round and
then every RETENTION_EVERY_SECONDS, the writer has the store delete the usage rows and request
logs older than that, in batches, between two saves; at most RETENTION_ROWS_PER_ROUND in one
round, the rest in the rounds after it, so saving new rows is never held up long.

The writer knows nothing of the database: it is handed a `UsageStore`
(`store.usage_batches.UsageBatchStore`, wired in services.py) that cleans rows and saves batches.
An `observe(rows)` callback, when given, sees each batch on the writer thread before it is saved:
the metrics count requests, tokens and cost there, off the request threads.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)
PRUNE_EVERY_BATCHES = 50
RETENTION_EVERY_SECONDS = 3600.0
RETENTION_ROWS_PER_ROUND = 50_000
DEAD_LETTER_FILE = "usage-dead-letter.jsonl"
_STOP = object()


class UsageStore(Protocol):
    """Where usage rows are saved."""

    def make_storable(self, row: dict) -> dict:
        """Clean `row` in place to what its columns can hold; returns it."""
        ...

    def save(
        self,
        rows: list[dict],
        logs: list[dict],
        rows_per_insert: int,
        prune_logs_older_than_hours: float | None = None,
    ) -> None:
        """The rows, their rollups, their keys' last use and their request logs (and pruning
        old logs when asked): one transaction, all or nothing."""
        ...

    def delete_older_than(self, days: float, limit_rows: int) -> int:
        """Delete usage rows and request logs older than `days`, up to about `limit_rows`
        (rollups stay); how many."""
        ...


class _Flush:
    """A marker: once the writer reaches it, everything queued before it has been written."""

    def __init__(self) -> None:
        self.done = threading.Event()


class UsageWriter:
    def __init__(
        self,
        store: UsageStore,
        flush_seconds: float = 1.0,
        batch_size: int = 500,
        log_hours: float = 24,
        data_dir: str | None = None,
        observe: Callable[[list[dict]], None] | None = None,
        retention_days: float = 0,
    ):
        self._store = store
        self._observe = observe  # sees each batch on this thread before it is saved (metrics)
        self._flush_seconds = flush_seconds
        self._batch_size = batch_size
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.rows_written = 0
        self._log_hours = log_hours
        self._batches_with_logs = 0
        self.dead_letters = 0  # rows the database refused, since start
        self.dead_letter_path = os.path.join(data_dir, DEAD_LETTER_FILE) if data_dir else None
        self._retention_days = retention_days
        self._retain_after = 0.0  # monotonic time of the next retention run

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="usage-writer", daemon=True)
            self._thread.start()

    @property
    def queued(self) -> int:
        """Rows (and markers) waiting for the writer."""
        return self._queue.qsize()

    def storable(self, row: dict) -> dict:
        """Clean `row` in place as it will be saved (the writer's own cleaning then keeps it as
        it is); returns it."""
        return self._store.make_storable(row)

    def submit(self, row: dict) -> None:
        """Queue `row` (it is made storable on the writer thread; do not change it after)."""
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
            if not stopping:
                self._retain_if_due()

    def _retain_if_due(self) -> None:
        """Delete the rows past USAGE_RETENTION_DAYS, at most every RETENTION_EVERY_SECONDS."""
        if self._retention_days <= 0 or time.monotonic() < self._retain_after:
            return
        self._retain_after = time.monotonic() + RETENTION_EVERY_SECONDS
        try:
            removed = self._store.delete_older_than(self._retention_days, RETENTION_ROWS_PER_ROUND)
        except Exception as error:  # tried again at the next run; saving rows goes on
            log.warning("could not delete usage older than the retention (%s)", _first_line(error))
            return
        if removed >= RETENTION_ROWS_PER_ROUND:
            self._retain_after = 0.0  # more left: go on next round
        if removed:
            log.info("deleted %d usage rows and request logs past the retention", removed)

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
        for row in rows:
            self._make_storable(row)
        if self._observe is not None:
            try:
                self._observe(rows)
            except Exception:  # the rows are saved whatever their observer does
                log.exception("could not observe a batch of %d usage rows", len(rows))
        entries = [(row, row.pop("_log", None)) for row in rows]
        try:
            self._save(entries)
        except Exception as error:  # a broken database or one bad row: save what can be saved
            log.warning(
                "could not save a batch of %d usage rows (%s); saving them one by one",
                len(rows),
                _first_line(error),
            )
            self._save_one_by_one(entries)
            return
        self.rows_written += len(rows)

    def _make_storable(self, row: dict) -> None:
        """Clean `row` for its columns; a row that cannot be cleaned goes on as it is (the
        database refuses it, and it is saved alone or dead-lettered like any refused row)."""
        try:
            self._store.make_storable(row)
        except Exception as error:
            log.warning("could not clean usage row %s (%s)", _describe(row), _first_line(error))

    def _save(self, entries: list[tuple[dict, dict | None]]) -> None:
        """Rows, their rollups, their keys' last use and their request logs: one transaction."""
        rows = [row for row, _ in entries]
        logs = [_log_row(row, entry) for row, entry in entries if entry is not None]
        batches_with_logs = self._batches_with_logs + (1 if logs else 0)
        prune = bool(logs) and batches_with_logs % PRUNE_EVERY_BATCHES == 1
        self._store.save(rows, logs, self._batch_size, self._log_hours if prune else None)
        self._batches_with_logs = batches_with_logs

    def _save_one_by_one(self, entries: list[tuple[dict, dict | None]]) -> None:
        """Each row with its rollup, key touch and request log in its own transaction; a row
        the database still refuses goes to the dead-letter file."""
        for row, entry in entries:
            try:
                self._save([(row, entry)])
            except Exception as error:
                self._dead_letter(row, entry, error)
            else:
                self.rows_written += 1

    def _dead_letter(self, row: dict, entry: dict | None, error: Exception) -> None:
        self.dead_letters += 1
        reason, which = _first_line(error), _describe(row)
        if self.dead_letter_path is None:
            log.error("usage row %s could not be saved (%s)", which, reason)
            return
        try:
            append_dead_letter(self.dead_letter_path, row, entry, reason)
        except Exception as failure:  # a full disk, or a value JSON cannot hold: log it, go on
            log.error("usage row %s could not be saved (%s) nor kept: %s", which, reason, failure)
            return
        log.error(
            "usage row %s could not be saved (%s); kept in %s", which, reason, self.dead_letter_path
        )


def _describe(row: dict) -> str:
    """Which row: its request id, or its endpoint and time (never a body or a key)."""
    return row.get("request_id") or f"{row.get('endpoint')} at {row.get('created_at')}"


def _first_line(error: Exception) -> str:
    """The error's class and the first line of its message (later lines may quote values)."""
    lines = str(error).splitlines()
    return f"{type(error).__name__}: {lines[0][:200] if lines else ''}"


def append_dead_letter(path: str, row: dict, entry: dict | None, reason: str) -> None:
    """One JSON line for a row the database refused; the file is created readable by us only."""
    line = {"failedAt": dt.datetime.now(dt.UTC).isoformat(), "reason": reason, "row": row}
    if entry is not None:
        line["requestLog"] = entry
    data = (json.dumps(line, default=str) + "\n").encode("ascii")
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, data)
    finally:
        os.close(descriptor)


def _log_row(row: dict, entry: dict) -> dict:
    """The request-log row for a usage row, from the bodies that rode on it (`_log`)."""
    return {
        **entry,
        "request_id": row.get("request_id"),
        "created_at": row.get("created_at"),
        "api_key_id": row.get("api_key_id"),
        "endpoint": row.get("endpoint"),
        "requested_model": row.get("requested_model"),
        "provider": row.get("provider"),
        "status": row.get("status"),
    }
