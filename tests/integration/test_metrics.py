"""GET /metrics, scraped with the Prometheus text parser after real requests through a real
gateway to the fake upstream: request and error counts, token and cost sums, latency and TTFT
histograms (counted from the usage rows on the writer's thread), the breaker and cooldown
gauges read at scrape time, and who may scrape (METRICS_TOKEN, loopback, METRICS_PUBLIC)."""

from __future__ import annotations

import threading

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.fake_upstream import Behavior
from tests.integration.test_costs_budgets import usage_rows
from tests.integration.test_health_dashboard import open_the_breaker, rest_the_account

CHAT = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
TOKEN = "metrics-token-0123456789"


def client() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def chat(gateway, **extra) -> requests.Response:
    with client() as session:
        return session.post(gateway.v1 + "/chat/completions", json={**CHAT, **extra}, timeout=10)


def scrape(gateway, headers: dict | None = None) -> requests.Response:
    with client() as session:
        return session.get(gateway.url + "/metrics", headers=headers or {}, timeout=10)


def samples(gateway, headers: dict | None = None, flush: bool = True) -> dict[tuple, float]:
    """Every sample of a scrape by (name, sorted labels), after the usage rows are written
    (`flush`, which first waits for the requests in flight to end)."""
    if flush:
        gateway.flush_usage()
    response = scrape(gateway, headers)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: dict, name: str, **labels) -> float:
    return found[(name, tuple(sorted(labels.items())))]


def total(found: dict, name: str, **labels) -> float:
    """The sum of `name` over every series whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, have), v in found.items() if n == name and wanted <= set(have))


def test_requests_tokens_cost_and_latency_are_counted(connected, upstream):
    for _ in range(3):
        assert chat(connected).status_code == 200
    with client() as session:
        streamed = session.post(
            connected.v1 + "/chat/completions", json={**CHAT, "stream": True}, timeout=10
        )
    assert streamed.status_code == 200 and "data: [DONE]" in streamed.text
    found = samples(connected)
    ok = {"endpoint": "chat.completions", "format": "openai", "status": "200"}
    assert value(found, "omniroute_requests_total", **ok) == 4
    usage = {"provider": "openai", "model": "gpt-4o-mini"}
    assert value(found, "omniroute_tokens_total", kind="input", **usage) == 4 * 11
    assert value(found, "omniroute_tokens_total", kind="output", **usage) == 4 * 7
    rows = usage_rows(connected)
    assert len(rows) == 4
    cost = sum(row["costUsd"] for row in rows)
    assert cost > 0
    assert value(found, "omniroute_cost_usd_total", **usage) == pytest.approx(cost)
    latency = "omniroute_request_duration_seconds"
    assert value(found, latency + "_count", provider="openai") == 4
    assert value(found, latency + "_bucket", provider="openai", le="+Inf") == 4
    assert value(found, latency + "_sum", provider="openai") > 0
    ttft = "omniroute_time_to_first_token_seconds"
    assert value(found, ttft + "_count", provider="openai") == 1
    assert value(found, "omniroute_usage_rows_written_total") == 4
    assert value(found, "omniroute_usage_queue_depth") == 0
    assert total(found, "omniroute_errors_total") == 0


def test_failures_are_counted_by_kind_and_status(connected, upstream):
    upstream.add(Behavior(status=400, error_message="bad parameter"), times=1)
    refused_by_provider = chat(connected)
    unknown_model = chat(connected, model="openai/no-such-model-here")
    unknown_path = client().post(connected.v1 + "/no/such/endpoint", json=CHAT, timeout=10)
    assert refused_by_provider.status_code == 400
    assert unknown_path.status_code == 404
    found = samples(connected)
    by_status = "omniroute_requests_total"
    assert value(found, by_status, endpoint="chat.completions", format="openai", status="400") == 1
    assert total(found, by_status, status=str(unknown_model.status_code)) == 1
    assert value(found, "omniroute_refused_requests_total", status="404") == 1
    kinds = {"bad_request": 1, "not_found": 1 + (unknown_model.status_code == 404)}
    for kind, count in kinds.items():
        assert value(found, "omniroute_errors_total", kind=kind) == count


def test_an_open_breaker_shows_at_scrape_time(connected, upstream):
    found = samples(connected)
    assert value(found, "omniroute_breaker_state", provider="openai", state="closed") == 1
    assert value(found, "omniroute_breaker_state", provider="openai", state="open") == 0
    open_the_breaker(connected, upstream, cooldown=60)
    found = samples(connected)
    assert value(found, "omniroute_breaker_state", provider="openai", state="open") == 1
    assert value(found, "omniroute_breaker_state", provider="openai", state="closed") == 0
    assert 0 < value(found, "omniroute_breaker_retry_seconds", provider="openai") <= 60


def test_a_resting_account_shows_its_cooldown(connected, upstream):
    account = {"provider": "openai", "account": "openai test"}
    assert total(samples(connected), "omniroute_account_cooldown_seconds", **account) == 0
    rest_the_account(connected, upstream, seconds=120)
    found = samples(connected)
    assert 60 < total(found, "omniroute_account_cooldown_seconds", **account) <= 120
    assert value(found, "omniroute_errors_total", kind="rate_limited") == 1


def test_requests_in_flight_are_read_at_scrape_time(connected, upstream):
    upstream.add(Behavior(delay=1.5), times=1)
    slow = threading.Thread(target=chat, args=(connected,))
    slow.start()
    try:
        admission = connected.app.wsgi_app
        for _ in range(200):
            if admission.in_flight:
                break
            threading.Event().wait(0.01)
        assert admission.in_flight == 1
        found = samples(connected, flush=False)
        assert value(found, "omniroute_in_flight_requests") == 1
    finally:
        slow.join(10)
    assert value(samples(connected), "omniroute_in_flight_requests") == 0


def test_with_a_token_only_its_bearer_may_scrape(start):
    gateway = start(METRICS_TOKEN=TOKEN)
    assert scrape(gateway).status_code == 401
    wrong = scrape(gateway, {"Authorization": "Bearer not-the-token-at-all"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_metrics_token"
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    found = samples(gateway, {"Authorization": f"Bearer {TOKEN}"})
    assert value(found, "omniroute_usage_queue_depth") == 0


def test_without_a_token_only_loopback_callers_may_scrape(start):
    behind_proxy = start(TRUSTED_PROXY="127.0.0.1")
    assert scrape(behind_proxy).status_code == 200  # the proxy's own loopback address
    remote = {"X-Forwarded-For": "203.0.113.9"}
    refused = scrape(behind_proxy, remote)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "metrics_loopback_only"
    public = start(TRUSTED_PROXY="127.0.0.1", METRICS_PUBLIC=True)
    assert scrape(public, remote).status_code == 200
