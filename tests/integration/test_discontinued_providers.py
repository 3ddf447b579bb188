"""Discontinued services (iFlow, Qwen Code's free tier) are never sent a request: a model of
theirs is a 410 in the caller's shape, a combo skips them, their accounts are not listed, and
their connection test calls nothing."""

from __future__ import annotations

import requests

from tests.integration.test_fallback_rules import add_combo

HELLO = [{"role": "user", "content": "hi"}]


def test_a_discontinued_providers_model_is_a_410_in_the_callers_shape(gateway, upstream):
    gateway.add_connection(upstream.url, provider="iflow", apiKey="sk-iflow")
    chat = requests.post(
        gateway.v1 + "/chat/completions",
        json={"model": "if/kimi-k2-thinking", "messages": HELLO},
        timeout=10,
    )
    assert chat.status_code == 410
    error = chat.json()["error"]
    assert error["code"] == "provider_discontinued" and "2026-04-17" in error["message"]
    messages = requests.post(
        gateway.v1 + "/messages",
        json={"model": "qw/qwen3-coder-plus", "max_tokens": 5, "messages": HELLO},
        timeout=10,
    )
    assert messages.status_code == 410
    assert messages.json()["type"] == "error"
    assert "2026-04-15" in messages.json()["error"]["message"]
    scoped = requests.post(
        gateway.v1 + "/providers/if/chat/completions",
        json={"model": "kimi-k2-thinking", "messages": HELLO},
        timeout=10,
    )
    assert scoped.status_code == 410
    assert upstream.requests == []


def test_a_combo_skips_a_discontinued_target_and_its_accounts_are_not_listed(gateway, upstream):
    gateway.add_connection(upstream.url, provider="iflow", apiKey="sk-iflow")
    gateway.add_connection(upstream.url, provider="glm", apiKey="sk-glm")
    add_combo(gateway, "old-guide", ["if/kimi-k2-thinking", "glm/glm-4.7"])
    answer = requests.post(
        gateway.v1 + "/chat/completions",
        json={"model": "old-guide", "messages": HELLO},
        timeout=10,
    )
    assert answer.status_code == 200
    assert answer.headers["X-OmniRoute-Provider"] == "glm"
    assert [request.api_key for request in upstream.requests] == ["sk-glm"]
    listed = {
        entry["id"] for entry in requests.get(gateway.v1 + "/models", timeout=10).json()["data"]
    }
    assert "glm/glm-4.7" in listed
    assert not any(model.startswith(("if/", "qw/")) for model in listed)


def test_a_discontinued_connections_test_sends_nothing(gateway, upstream):
    created = gateway.add_connection(upstream.url, provider="qwen", apiKey="sk-qwen")
    with gateway.admin() as admin:
        result = admin.post(f"{gateway.url}/api/providers/{created['id']}/test").json()
    assert result["ok"] is False and "discontinued" in result["error"]
    assert upstream.requests == []
