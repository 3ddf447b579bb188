"""Latency telemetry: p50/p95/p99 per provider over a rolling window. In memory, bounded.

Each finished request that reached a provider adds (time, total latency, ok) to that provider's
ring of the last SAMPLES_PER_PROVIDER requests; a summary looks at the samples inside the window
(default five minutes). Percentiles are nearest-rank. Nothing grows with the request count.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

SAMPLES_PER_PROVIDER = 2000
WINDOW_SECONDS = 300.0
MAX_PROVIDERS = 256


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list (share in 0..1)."""
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


class LatencyTelemetry:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._samples: dict[str, deque] = {}
        self._lock = threading.Lock()

    def add(self, provider: str, latency_ms: float, ok: bool) -> None:
        with self._lock:
            ring = self._samples.get(provider)
            if ring is None:
                if len(self._samples) >= MAX_PROVIDERS:
                    return
                ring = self._samples[provider] = deque(maxlen=SAMPLES_PER_PROVIDER)
            ring.append((self._clock(), latency_ms, ok))

    def summary(self, window_seconds: float = WINDOW_SECONDS) -> dict[str, dict]:
        since = self._clock() - window_seconds
        with self._lock:
            rings = {provider: list(ring) for provider, ring in self._samples.items()}
        summary = {}
        for provider, samples in sorted(rings.items()):
            recent = [(latency, ok) for at, latency, ok in samples if at >= since]
            if not recent:
                continue
            latencies = sorted(latency for latency, _ in recent)
            summary[provider] = {
                "count": len(recent),
                "errors": sum(1 for _, ok in recent if not ok),
                "p50": round(percentile(latencies, 0.50), 1),
                "p95": round(percentile(latencies, 0.95), 1),
                "p99": round(percentile(latencies, 0.99), 1),
            }
        return summary

    def reset(self) -> None:
        with self._lock:
            self._samples.clear()
