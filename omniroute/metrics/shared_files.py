"""Counters shared by the workers of one supervisor, so /metrics adds up every worker's
requests whichever worker answers the scrape.

The supervisor gives its workers one fresh directory (SHARED_METRICS_ENV, the variable
prometheus-client's multiprocess mode reads when it is first imported); each worker's counters
and histograms are then kept in memory-mapped files there, and a scrape merges every file —
those of workers since replaced too, so totals never go backwards while the supervisor runs.
The gauges read at scrape time (breakers, quota windows, queue depth, requests in flight) stay
the answering worker's view.
"""

from __future__ import annotations

import os
import shutil
import tempfile

SHARED_METRICS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def shared_metrics_dir() -> str | None:
    """The directory this process's counters are shared through, if it is one of several."""
    return os.environ.get(SHARED_METRICS_ENV) or None


def make_shared_metrics_dir() -> str:
    """A fresh, private directory for one supervisor's workers (removed with `remove`)."""
    return tempfile.mkdtemp(prefix="omniroute-metrics-")


def remove(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
