"""GatewayMetrics: one app's metrics registry (never prometheus-client's global one, so
several apps in one process, as in the tests, keep their figures apart) and its exposition.

prometheus-client and the metric families are loaded by the first usage batch or the first
scrape, not when the app is built: a gateway that serves nothing pays nothing for them.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from .shared_files import shared_metrics_dir
from .sources import Admission, LiveSources

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from .usage_metrics import UsageMetrics

# prometheus_client.CONTENT_TYPE_PLAIN_0_0_4: the text format generate_latest writes
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class GatewayMetrics:
    def __init__(self) -> None:
        self.sources: LiveSources | None = None
        self._built: tuple[CollectorRegistry, UsageMetrics] | None = None
        self._lock = threading.Lock()

    def _parts(self) -> tuple[CollectorRegistry, UsageMetrics]:
        built = self._built
        if built is None:
            with self._lock:
                built = self._built
                if built is None:
                    built = self._built = self._build()
        return built

    def _build(self) -> tuple[CollectorRegistry, UsageMetrics]:
        from prometheus_client import CollectorRegistry

        from .live import LiveCollector
        from .usage_metrics import UsageMetrics

        registry = CollectorRegistry(auto_describe=False)
        counted = registry
        shared = shared_metrics_dir()
        if shared is not None:  # one of several workers: every worker's counts, merged
            from prometheus_client.multiprocess import MultiProcessCollector

            MultiProcessCollector(registry, path=shared)
            counted = CollectorRegistry(auto_describe=False)  # its values live in the files
        if self.sources is not None:
            registry.register(LiveCollector(self.sources))
        return registry, UsageMetrics(counted)

    @property
    def registry(self) -> CollectorRegistry:
        return self._parts()[0]

    @property
    def usage(self) -> UsageMetrics:
        return self._parts()[1]

    def observe_rows(self, rows: list[dict]) -> None:
        """The usage writer's observer: called on its thread with each batch."""
        self.usage.observe(rows)

    def refused(self, status: int) -> None:
        """A client API request refused before the pipeline."""
        self.usage.refused(status)

    def watch(self, sources: LiveSources) -> None:
        """Read these at every scrape (once, when the services are built)."""
        with self._lock:
            self.sources = sources
            if self._built is not None:
                from .live import LiveCollector

                self._built[0].register(LiveCollector(sources))

    def watch_admission(self, admission: Admission) -> None:
        if self.sources is not None:
            self.sources.admission = admission

    def exposition(self) -> bytes:
        from prometheus_client import generate_latest

        return generate_latest(self.registry)
