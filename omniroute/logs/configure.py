"""Logging at server start: LOG_LEVEL and LOG_FORMAT, lines to stderr off the request threads.

`configure_logging(settings)` is called by `python app.py` (app.py) before the app is built.
`create_app()` never calls it: an app made as a library (the tests' gateways, an embedder) keeps
its host's logging, and its records go wherever the host's handlers send them.

Records are handed to a queue and written by one background thread, so a request thread never
waits on a slow or blocked stderr. The writer wakes every WRITE_INTERVAL seconds and writes
whatever has queued in one write (a request thread never wakes it, and a busy server makes one
system call per batch, not three per line: on a virtual machine a system call can cost more
than the whole request's own work); a line reaches stderr within that interval. LOG_LEVEL
applies to OmniRoute's own loggers (`omniroute.*`); the root logger, which libraries log to,
stays at INFO or above, since some libraries print request URLs at DEBUG (a query string may
carry a Gemini `key=`).
"""

from __future__ import annotations

import atexit
import logging
import queue
import sys
import threading
from collections.abc import Mapping
from logging.handlers import QueueHandler
from typing import Any, TextIO

from .formatters import JsonFormatter, TextFormatter

OWN_LOGGER = "omniroute"  # also Flask's app.logger (the app is named after the package)
RENDER_EXCEPTION = logging.Formatter()
WRITE_INTERVAL = 0.05  # seconds between the writer's batches


class _Handoff(QueueHandler):
    """Queues a copy of a record with its message and traceback rendered in the thread that
    logged it (its arguments may change later; other handlers keep the record as it was)."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        ready = object.__new__(type(record))  # a shallow copy, without copy.copy's detours
        ready.__dict__.update(record.__dict__)
        ready.msg, ready.args = record.getMessage(), None
        if record.exc_info:
            ready.exc_text = record.exc_text or RENDER_EXCEPTION.formatException(record.exc_info)
            ready.exc_info = None
        return ready


class BatchWriter:
    """The thread that formats queued records and writes them to the stream in batches."""

    def __init__(
        self, records: queue.SimpleQueue, stream: TextIO, formatter: logging.Formatter
    ) -> None:
        self.records, self.stream, self.formatter = records, stream, formatter
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="omniroute-log", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Write what is queued and end the thread."""
        self._stop.set()
        self._thread.join(5)
        self.write_pending()

    def _run(self) -> None:
        while not self._stop.wait(WRITE_INTERVAL):
            self.write_pending()

    def write_pending(self) -> None:
        lines = []
        while True:
            try:
                record = self.records.get_nowait()
            except queue.Empty:
                break
            try:
                lines.append(self.formatter.format(record) + "\n")
            except Exception:  # a record that cannot be formatted must not stop the others
                lines.append(f"{record.levelname} {record.name}: (unprintable log record)\n")
        if lines:
            try:
                self.stream.write("".join(lines))
                self.stream.flush()
            except (OSError, ValueError):  # stderr closed or full: the lines are lost, not the app
                pass


class LogOutput:
    """The configured output: the root logger's queue handler and the thread that writes."""

    def __init__(self, handler: QueueHandler, writer: BatchWriter) -> None:
        self.handler = handler
        self.writer = writer
        self.closed = False

    def close(self) -> None:
        """Detach the handler, write every queued line and stop the writer (once)."""
        if self.closed:
            return
        self.closed = True
        logging.getLogger().removeHandler(self.handler)
        self.writer.stop()


def skip_unused_record_attributes() -> None:
    """Stop collecting, for every record, what neither line format shows: the caller's file and
    line, thread, process and multiprocessing names (the Logging HOWTO's "Optimization")."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def formatter_for(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure_logging(settings: Mapping[str, Any], stream: TextIO | None = None) -> LogOutput:
    """Send log records at LOG_LEVEL and above to `stream` (stderr) in LOG_FORMAT."""
    from flask.logging import default_handler  # Flask adds it to app.logger when unconfigured

    records: queue.SimpleQueue = queue.SimpleQueue()
    writer = BatchWriter(records, stream or sys.stderr, formatter_for(settings["LOG_FORMAT"]))
    handler = _Handoff(records)
    level = logging.getLevelName(settings["LOG_LEVEL"])
    skip_unused_record_attributes()
    root = logging.getLogger()
    for previous in [h for h in root.handlers if isinstance(h, _Handoff)]:
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(max(level, logging.INFO))
    own = logging.getLogger(OWN_LOGGER)
    own.setLevel(level)
    own.removeHandler(default_handler)
    writer.start()
    output = LogOutput(handler, writer)
    atexit.register(output.close)  # lines queued before an unexpected exit are still written
    return output
