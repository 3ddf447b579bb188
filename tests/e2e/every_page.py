"""Every dashboard page and tab, on one gateway filled with a week of realistic data (connections,
combos, keys with budgets, about two hundred usage rows with errors, logged requests): the list
the browser suite and the rendered-translations test walk, and how the gateway is filled."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import requests

from omniroute.clock import utcnow
from tests.gateway_harness import Gateway, start_gateway
from tests.integration.stored_usage import store_usage, usage_row


@dataclass(frozen=True)
class DashboardPage:
    name: str  # names the test: "costs-pricing"
    path: str  # may hold {connection}, {combo}, {key}, {request} (filled from the data)
    signed_in: bool = True
    status: int = 200


PAGES = (
    DashboardPage("home", "/"),
    DashboardPage("providers", "/providers"),
    DashboardPage("providers-catalog", "/providers/catalog"),
    DashboardPage("providers-local", "/providers/catalog/local"),
    DashboardPage("provider-openai", "/providers/openai"),
    DashboardPage("providers-subscriptions", "/providers/subscriptions"),
    DashboardPage("connection-edit", "/providers/{connection}/edit"),
    DashboardPage("ai-models", "/admin/ai_models"),
    DashboardPage("ai-models-new", "/admin/ai_models/new"),
    DashboardPage("ai-model-edit", "/admin/ai_models/connection/{connection}/edit"),
    DashboardPage("combos", "/combos"),
    DashboardPage("combos-new", "/combos/new"),
    DashboardPage("combo-edit", "/combos/{combo}/edit"),
    DashboardPage("keys", "/keys"),
    DashboardPage("key-edit", "/keys/{key}/edit"),
    DashboardPage("cli-tools", "/cli-tools"),
    DashboardPage("usage", "/usage"),
    DashboardPage("usage-requests", "/usage/requests"),
    DashboardPage("usage-request-detail", "/usage/requests/{request}"),
    DashboardPage("costs", "/costs"),
    DashboardPage("costs-budgets", "/costs/budgets"),
    DashboardPage("costs-pricing", "/costs/pricing"),
    DashboardPage("translator", "/translator"),
    DashboardPage("translator-chat", "/translator/chat"),
    DashboardPage("translator-bench", "/translator/bench"),
    DashboardPage("translator-monitor", "/translator/monitor"),
    DashboardPage("health", "/dashboard/health"),
    DashboardPage("settings-security", "/settings/security"),
    DashboardPage("settings-routing", "/settings/routing"),
    DashboardPage("settings-resilience", "/settings/resilience"),
    DashboardPage("settings-ai", "/settings/ai"),
    DashboardPage("settings-advanced", "/settings/advanced"),
    DashboardPage("login", "/login", signed_in=False),
    DashboardPage("not-found", "/no-such-page", status=404),
)
PAGE_NAMES = [page.name for page in PAGES]
LIVE_PAGES = {"translator-monitor"}  # hold a server-sent events feed open: never network-idle
FRAGMENT_PAGES = {"providers-catalog"}  # fetch part of their content once loaded (htmx "load")
MODELS = ("gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "deepseek-chat")
ERRORS = {429: "Rate limit reached for requests", 502: "upstream connection reset"}


@dataclass
class FilledGateway:
    gateway: Gateway
    ids: dict[str, str]  # the placeholders of PAGES' paths

    @property
    def url(self) -> str:
        return self.gateway.url

    def path(self, page: DashboardPage) -> str:
        return page.path.format(**self.ids)


def _created(gateway: Gateway, path: str, body: dict) -> dict:
    response = gateway.admin().post(gateway.url + path, json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _usage_rows(now: dt.datetime, key_ids: list[int], connection_ids: list[int]) -> list[dict]:
    """About two hundred rows over seven days: four models, two keys, one in twelve an error."""
    rows = []
    for index in range(196):
        model = MODELS[index % len(MODELS)]
        provider = {"claude": "anthropic", "deepseek": "deepseek"}.get(
            model.split("-")[0], "openai"
        )
        status = (429, 502)[index % 2] if index % 12 == 5 else 200
        rows.append(
            usage_row(
                now - dt.timedelta(hours=index * 0.85, minutes=index % 7),
                provider=provider,
                model=model,
                requested_model=f"{provider}/{model}",
                api_key_id=key_ids[index % len(key_ids)],
                connection_id=connection_ids[index % len(connection_ids)],
                status=status,
                error=ERRORS.get(status),
                prompt_tokens=200 + index * 13,
                completion_tokens=0 if status != 200 else 40 + index * 3,
                cost_usd=0.0 if status != 200 else round(0.002 + (index % 9) * 0.0031, 6),
                latency_ms=120.0 + (index % 17) * 37.5,
                ttft_ms=60.0 + index % 40,
                stream=index % 3 == 0,
            )
        )
    return rows


def fill(gateway: Gateway, upstream_url: str) -> dict[str, str]:
    """Connections, combos, keys with budgets, usage rows and a few real logged requests."""
    connections = [
        gateway.add_connection(upstream_url, name="Work OpenAI"),
        gateway.add_connection(upstream_url, name="Personal OpenAI", apiKey="sk-test-key-0002"),
        gateway.add_connection(upstream_url, provider="anthropic", name="Anthropic team"),
    ]
    combo = _created(
        gateway, "/api/combos", {"name": "fast", "models": ["openai/gpt-4o-mini", "openai/gpt-4o"]}
    )
    _created(gateway, "/api/combos", {"name": "careful", "models": ["anthropic/claude-sonnet-4"]})
    keys = [_created(gateway, "/api/keys", {"name": name}) for name in ("laptop", "ci runner")]
    for key, limit in zip(keys, (0.05, 25.0), strict=True):
        budget = {"keyId": key["id"], "limit": limit, "period": "daily"}
        _created(gateway, "/api/usage/budget", budget)
    ids = [key["id"] for key in keys]
    store_usage(gateway, _usage_rows(utcnow(), ids, [c["id"] for c in connections]))
    for model in ("openai/gpt-4o-mini", "fast", "anthropic/claude-sonnet-4"):
        body = {"model": model, "messages": [{"role": "user", "content": "Hello there"}]}
        headers = {"Authorization": f"Bearer {keys[0]['key']}"}
        requests.post(gateway.v1 + "/chat/completions", json=body, headers=headers, timeout=30)
    gateway.flush_usage()
    log = gateway.admin().get(gateway.url + "/usage/requests").text
    found = re.search(r'href="/usage/requests/([^"?]+)"', log)
    assert found, "the request log links no request detail"
    return {
        "connection": str(connections[0]["id"]),
        "combo": str(combo["id"]),
        "key": str(keys[0]["id"]),
        "request": found.group(1),
    }


@contextmanager
def filled_gateway(data_dir: str, upstream_url: str) -> Iterator[FilledGateway]:
    """A gateway with request logging on, filled with `fill`, stopped on exit."""
    gateway = start_gateway(data_dir, ENABLE_REQUEST_LOGS=True)
    try:
        yield FilledGateway(gateway, fill(gateway, upstream_url))
    finally:
        gateway.stop()
