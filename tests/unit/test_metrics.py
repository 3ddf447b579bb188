"""The metrics' parts without a server: the usage rows' counters (kinds of errors, the bound on
model labels), the gauges read at scrape time (quota windows of a subscription account, an
account's rest) and who may scrape. Scrapes are parsed with the Prometheus text parser."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from omniroute.metrics import usage_metrics
from omniroute.metrics.access import is_loopback, scrape_refusal
from omniroute.metrics.live import LiveSources
from omniroute.metrics.registry import GatewayMetrics
from omniroute.oauth.quota import QuotaBook, QuotaSnapshot, QuotaWindow
from omniroute.providers import PROVIDERS
from omniroute.providers.accounts import OAUTH_ACCOUNT, ActiveConnection
from omniroute.resilience.state import ResilienceState
from omniroute.routing.table import Route, RoutingTable
from omniroute.usage.writer import UsageWriter
from tests.fake_clock import FakeClock

ROW = {
    "endpoint": "messages", "format_in": "anthropic", "provider": "anthropic",
    "model": "claude-sonnet-4-5", "status": 200, "stream": False, "prompt_tokens": 10,
    "completion_tokens": 4, "cache_read_tokens": 3, "cache_write_tokens": 0,
    "reasoning_tokens": 0, "cost_usd": 0.5, "latency_ms": 40.0, "ttft_ms": None,
}  # fmt: skip


class FixedRoutes:
    def __init__(self, table: RoutingTable):
        self.table = table

    def snapshot(self) -> RoutingTable:
        return self.table


class NoStore:
    def make_storable(self, row: dict) -> dict:
        return row

    def save(self, rows, logs, rows_per_insert, prune_logs_older_than_hours=None) -> None:
        pass


def scraped(metrics: GatewayMetrics) -> dict[tuple, float]:
    text = metrics.exposition().decode("utf-8")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: dict, name: str, **labels) -> float:
    return found[(name, tuple(sorted(labels.items())))]


def watched(accounts: tuple[ActiveConnection, ...], clock=None) -> tuple[GatewayMetrics, dict]:
    spec = PROVIDERS["claude-code"]
    table = RoutingTable(
        routes={spec.prefix: Route(spec, accounts), spec.id: Route(spec, accounts)}
    )
    resilience = ResilienceState(clock=clock) if clock else ResilienceState()
    parts = {"resilience": resilience, "quotas": QuotaBook(), "usage": UsageWriter(NoStore())}
    metrics = GatewayMetrics()
    metrics.watch(LiveSources(routes=FixedRoutes(table), **parts))
    return metrics, parts


def subscription_account(connection_id: int = 7, name: str = "work") -> ActiveConnection:
    return ActiveConnection(
        connection_id, "claude-code", name, "", None, 1, auth_kind=OAUTH_ACCOUNT
    )


def test_rows_count_requests_tokens_cost_and_errors():
    metrics = GatewayMetrics()
    failed = {**ROW, "status": 529, "prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0}
    metrics.observe_rows([ROW, dict(ROW), failed, {**ROW, "status": 499, "stream": True}])
    found = scraped(metrics)
    ok = {"endpoint": "messages", "format": "anthropic", "status": "200"}
    assert value(found, "omniroute_requests_total", **ok) == 2
    labels = {"provider": "anthropic", "model": "claude-sonnet-4-5"}
    assert value(found, "omniroute_tokens_total", kind="input", **labels) == 30
    assert value(found, "omniroute_tokens_total", kind="cache_read", **labels) == 12
    assert value(found, "omniroute_cost_usd_total", **labels) == pytest.approx(1.5)
    assert value(found, "omniroute_errors_total", kind="server_error") == 1
    assert value(found, "omniroute_errors_total", kind="client_closed") == 1
    bucket = "omniroute_request_duration_seconds_bucket"
    assert value(found, bucket, provider="anthropic", le="0.025") == 0
    assert value(found, bucket, provider="anthropic", le="0.05") == 4


def test_models_past_the_bound_share_one_label(monkeypatch):
    monkeypatch.setattr(usage_metrics, "MAX_MODELS", 2)
    metrics = GatewayMetrics()
    metrics.observe_rows([{**ROW, "model": f"model-{n}"} for n in range(4)])
    found = scraped(metrics)
    cost = "omniroute_cost_usd_total"
    assert value(found, cost, provider="anthropic", model="model-1") == 0.5
    assert value(found, cost, provider="anthropic", model="other") == 1.0
    assert not [labels for name, labels in found if ("model", "model-3") in labels]


@pytest.mark.parametrize(
    ("status", "kind"),
    [(401, "authentication"), (402, "budget_exceeded"), (429, "rate_limited"),
     (418, "client_error"), (502, "upstream_failed"), (504, "timeout"), (599, "server_error")],
)  # fmt: skip
def test_error_kinds_follow_the_status(status, kind):
    assert usage_metrics.error_kind(status) == kind


def test_quota_windows_of_a_subscription_account_are_read_at_scrape_time():
    metrics, parts = watched((subscription_account(),))
    assert not [key for key in scraped(metrics) if key[0].startswith("omniroute_quota")]
    windows = (QuotaWindow("5h", 0.25, 1_900_000_000.0), QuotaWindow("7d", 1.0, None, True))
    snapshot = QuotaSnapshot("claude-code", windows, 1_800_000_000.0, exhausted=True)
    parts["quotas"].note(7, snapshot)
    found = scraped(metrics)
    account = {"provider": "claude-code", "account_id": "7", "account": "work"}
    assert value(found, "omniroute_quota_used_ratio", window="5h", **account) == 0.25
    assert value(found, "omniroute_quota_used_ratio", window="7d", **account) == 1.0
    resets = "omniroute_quota_resets_timestamp_seconds"
    assert value(found, resets, window="5h", **account) == 1_900_000_000.0
    assert (resets, tuple(sorted({**account, "window": "7d"}.items()))) not in found
    assert value(found, "omniroute_quota_exhausted", **account) == 1


def test_an_account_rest_and_the_queue_are_read_at_scrape_time():
    clock = FakeClock()
    metrics, parts = watched((subscription_account(), subscription_account(8, "home")), clock)
    parts["resilience"].cooldowns.cool(8, "claude-opus-4-6", 30, "429")
    parts["usage"].submit(dict(ROW))
    found = scraped(metrics)
    cooldown = "omniroute_account_cooldown_seconds"
    assert value(found, cooldown, provider="claude-code", account_id="8", account="home") == 30
    assert value(found, cooldown, provider="claude-code", account_id="7", account="work") == 0
    assert value(found, "omniroute_usage_queue_depth") == 1
    assert value(found, "omniroute_breaker_state", provider="claude-code", state="closed") == 1
    assert ("omniroute_in_flight_requests", ()) not in found  # no admission control attached


@pytest.mark.parametrize(
    ("address", "loopback"),
    [("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("::ffff:127.0.0.1", True),
     ("10.0.0.1", False), ("::ffff:10.0.0.1", False), ("", False), ("not an address", False)],
)  # fmt: skip
def test_loopback_addresses(address, loopback):
    assert is_loopback(address) is loopback


def test_who_may_scrape():
    token = "metrics-token-0123456789"
    assert scrape_refusal(token, False, f"Bearer {token}", "203.0.113.9") is None
    assert scrape_refusal(token, False, f"bearer  {token} ", "10.0.0.1") is None
    for wrong in (None, "", "Bearer", f"Basic {token}", f"Bearer {token}x"):
        refusal = scrape_refusal(token, True, wrong, "127.0.0.1")
        assert refusal is not None and refusal.status == 401
    assert scrape_refusal(None, False, None, "127.0.0.1") is None
    refusal = scrape_refusal(None, False, f"Bearer {token}", "203.0.113.9")
    assert refusal is not None and refusal.status == 403
    assert scrape_refusal(None, True, None, "203.0.113.9") is None
