"""Logging at server start: LOG_LEVEL and LOG_FORMAT, lines to stderr off the request threads.

`configure_logging(settings)` is called by `python app.py` (app.py) before the app is built.
`create_app()` never calls it: an app made as a library (the tests' gateways, an embedder) keeps
its host's logging, and its records go wherever the host's handlers send them.

Records are handed to a queue and written by one background thread (QueueListener), so a
request thread never waits on a slow or blocked stderr. LOG_LEVEL applies to OmniRoute's own
loggers (`omniroute.*`); the root logger, which libraries log to, stays at INFO or above, since
some libraries print request URLs at DEBUG (a query string may carry a Gemini `key=`).
"""

from __future__ import annotations

import atexit
import copy
import logging
import queue
import sys
from collections.abc import Mapping
from logging.handlers import QueueHandler, QueueListener
from typing import Any, TextIO

from .formatters import JsonFormatter, TextFormatter

OWN_LOGGER = "omniroute"  # also Flask's app.logger (the app is named after the package)
RENDER_EXCEPTION = logging.Formatter()


class _Handoff(QueueHandler):
    """Queues a copy of a record with its message and traceback rendered in the thread that
    logged it (its arguments may change later; other handlers keep the record as it was)."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        ready = copy.copy(record)
        ready.msg, ready.args = record.getMessage(), None
        if record.exc_info:
            ready.exc_text = record.exc_text or RENDER_EXCEPTION.formatException(record.exc_info)
            ready.exc_info = None
        return ready


class LogOutput:
    """The configured output: the root logger's queue handler and the thread that writes."""

    def __init__(self, handler: QueueHandler, listener: QueueListener) -> None:
        self.handler = handler
        self.listener = listener
        self.closed = False

    def close(self) -> None:
        """Detach the handler, write every queued line and stop the writer (once)."""
        if self.closed:
            return
        self.closed = True
        logging.getLogger().removeHandler(self.handler)
        self.listener.stop()


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

    writer = logging.StreamHandler(stream or sys.stderr)
    writer.setFormatter(formatter_for(settings["LOG_FORMAT"]))
    records: queue.SimpleQueue = queue.SimpleQueue()
    handler = _Handoff(records)
    listener = QueueListener(records, writer)
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
    listener.start()
    output = LogOutput(handler, listener)
    atexit.register(output.close)  # lines queued before an unexpected exit are still written
    return output
