"""Gauges read when /metrics is scraped, from the state the gateway already keeps in memory:
each provider's circuit breaker, each account's rest, the quota windows of subscription
accounts, the usage writer's queue and the requests in flight. Nothing is counted for them
on the request path; a scrape reads the routing table's snapshot and the resilience state.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from ..providers.accounts import OAUTH_ACCOUNT, ActiveConnection, account_key
from ..resilience.breakers import CLOSED, HALF_OPEN, OPEN
from ..routing.table import RoutingTable
from .sources import Admission, LiveSources, RoutingSnapshot

__all__ = ["Admission", "LiveCollector", "LiveSources", "RoutingSnapshot"]

BREAKER_STATES = (CLOSED, HALF_OPEN, OPEN)
ACCOUNT_LABELS = ("provider", "account_id", "account")


class LiveCollector:
    """A prometheus-client collector: `collect()` builds the families at each scrape."""

    def __init__(self, sources: LiveSources):
        self.sources = sources

    def collect(self) -> Iterator[Metric]:
        table = self.sources.routes.snapshot()
        accounts = [
            (route.spec.id, account)
            for route in table.usable_routes()
            for account in route.accounts
        ]
        yield from self._breakers(table)
        yield self._cooldowns(accounts)
        yield from self._quotas(accounts)
        yield from self._queues()

    def _breakers(self, table: RoutingTable) -> Iterator[Metric]:
        breakers = {item["provider"]: item for item in self.sources.resilience.breakers.snapshot()}
        providers = sorted({route.spec.id for route in table.usable_routes()} | set(breakers))
        state = GaugeMetricFamily(
            "omniroute_breaker_state",
            "Circuit breaker of each provider: 1 for its state (closed, half_open, open).",
            labels=("provider", "state"),
        )
        retry = GaugeMetricFamily(
            "omniroute_breaker_retry_seconds",
            "Seconds until an open breaker lets a probe through (0 when not open).",
            labels=("provider",),
        )
        for provider in providers:
            breaker = breakers.get(provider, {"state": CLOSED, "retryInSeconds": 0.0})
            for name in BREAKER_STATES:
                state.add_metric((provider, name), 1.0 if breaker["state"] == name else 0.0)
            retry.add_metric((provider,), float(breaker["retryInSeconds"]))
        yield state
        yield retry

    def _cooldowns(self, accounts: list[tuple[str, ActiveConnection]]) -> Metric:
        resting: dict = {}
        for account, _model, left, _reason in self.sources.resilience.cooldowns.active():
            resting[account] = max(left, resting.get(account, 0.0))
        family = GaugeMetricFamily(
            "omniroute_account_cooldown_seconds",
            "Seconds each account still rests after a provider refused it (0: usable).",
            labels=ACCOUNT_LABELS,
        )
        for provider, account in accounts:
            key = account_key(account)
            family.add_metric((provider, str(key), account.name), resting.get(key, 0.0))
        return family

    def _quotas(self, accounts: list[tuple[str, ActiveConnection]]) -> Iterator[Metric]:
        used = GaugeMetricFamily(
            "omniroute_quota_used_ratio",
            "Share (0-1) of each quota window a subscription account has used, as its "
            "provider last reported.",
            labels=(*ACCOUNT_LABELS, "window"),
        )
        resets = GaugeMetricFamily(
            "omniroute_quota_resets_timestamp_seconds",
            "When each quota window of a subscription account resets (unix time).",
            labels=(*ACCOUNT_LABELS, "window"),
        )
        exhausted = GaugeMetricFamily(
            "omniroute_quota_exhausted",
            "1 while a subscription account is refused until its quota resets.",
            labels=ACCOUNT_LABELS,
        )
        for provider, account in accounts:
            if account.auth_kind != OAUTH_ACCOUNT or account.id is None:
                continue
            snapshot = self.sources.quotas.latest(account.id)
            if snapshot is None:
                continue
            labels = (provider, str(account.id), account.name)
            exhausted.add_metric(labels, 1.0 if snapshot.exhausted else 0.0)
            for window in snapshot.windows:
                if window.used is not None:
                    used.add_metric((*labels, window.name), float(window.used))
                if window.resets_at is not None:
                    resets.add_metric((*labels, window.name), float(window.resets_at))
        yield from (used, resets, exhausted)

    def _queues(self) -> Iterator[Metric]:
        usage = self.sources.usage
        yield GaugeMetricFamily(
            "omniroute_usage_queue_depth",
            "Usage rows waiting for the background writer.",
            value=usage.queued,
        )
        yield CounterMetricFamily(
            "omniroute_usage_rows_written",
            "Usage rows saved since start.",
            value=usage.rows_written,
        )
        yield CounterMetricFamily(
            "omniroute_usage_dead_letters",
            "Usage rows the database refused since start (kept in the dead-letter file).",
            value=usage.dead_letters,
        )
        admission = self.sources.admission
        if admission is not None:
            yield GaugeMetricFamily(
                "omniroute_in_flight_requests",
                "Client API requests being answered now.",
                value=admission.in_flight,
            )
            yield CounterMetricFamily(
                "omniroute_admission_refusals",
                "Client API requests refused with 503 because MAX_IN_FLIGHT were in flight.",
                value=admission.refused,
            )
