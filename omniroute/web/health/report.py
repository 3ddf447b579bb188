"""The Health page's and `GET /api/health`'s report: the gateway's state
(resilience/health_report.py) and the providers' prompt caches over the last week, read from the
usage rollups (store/prompt_cache.py)."""

from __future__ import annotations

from ...resilience.health_report import build_health_report
from ...store.prompt_cache import prompt_cache_stats


def health_report(services) -> dict:
    report = build_health_report(services)
    report["promptCache"] = prompt_cache_stats().as_json()
    return report
