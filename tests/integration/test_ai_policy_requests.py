"""Settings → AI reaches every request: the global system prompt goes first and the thinking
policy holds, whatever the client's format — passed-through requests included (while a policy
changes requests, they are built, not passed through)."""

from __future__ import annotations

import pytest
import requests

from tests.fakes import probe

PROMPT = "Answer in English."


@pytest.fixture
def nodes(gateway, upstream):
    for fmt in probe.FORMATS:
        gateway.add_node(f"up-{fmt}", upstream.url, fmt, f"sk-node-{fmt}")
    return gateway


def send(gateway, client: str, provider: str, body: dict) -> requests.Response:
    model = f"up-{provider}/claude-sonnet-4-5"
    if client == "gemini":
        url = f"{gateway.url}/v1beta/models/{model}:generateContent"
    else:
        body["model"] = model
        url = (
            gateway.url
            + {
                "openai": "/v1/chat/completions",
                "anthropic": "/v1/messages",
                "responses": "/v1/responses",
            }[client]
        )
    return requests.post(url, json=body, timeout=30)


def thinking_body(client: str) -> dict:
    body = probe.body_for(client, [probe.user_turn(client, "think hard")], False)
    if client == "openai":
        body["reasoning_effort"] = "high"
    elif client == "anthropic":
        body.update(max_tokens=20000, thinking={"type": "enabled", "budget_tokens": 16000})
    elif client == "responses":
        body["reasoning"] = {"effort": "high"}
    else:
        body["generationConfig"] = {"thinkingConfig": {"thinkingBudget": 16000}}
    return body


def system_text(provider: str, sent: dict) -> str:
    if provider == "anthropic":
        system = sent.get("system")
        return system if isinstance(system, str) else " ".join(b["text"] for b in system)
    if provider == "openai":
        return str(sent["messages"][0]["content"])
    if provider == "responses":
        return str(sent.get("instructions"))
    return " ".join(p["text"] for p in sent["systemInstruction"]["parts"])


@pytest.mark.parametrize("client", probe.FORMATS)
def test_the_global_prompt_goes_first_and_thinking_is_capped(nodes, upstream, client):
    changes = {"thinkingPolicy": "cap", "thinkingBudgetCap": 2048, "globalSystemPrompt": PROMPT}
    answer = nodes.admin().patch(nodes.url + "/api/settings", json=changes)
    assert answer.status_code == 200, answer.text
    response = send(nodes, client, "anthropic", thinking_body(client))  # same format: passthrough
    assert response.status_code == 200, response.text
    sent = upstream.requests_for("anthropic")[-1].body
    assert system_text("anthropic", sent).startswith(PROMPT)
    assert sent["thinking"]["budget_tokens"] <= 2048


@pytest.mark.parametrize("client", probe.FORMATS)
def test_thinking_off_reaches_every_provider_format(nodes, upstream, client):
    answer = nodes.admin().patch(nodes.url + "/api/settings", json={"thinkingPolicy": "off"})
    assert answer.status_code == 200, answer.text
    for provider in probe.FORMATS:
        response = send(nodes, client, provider, thinking_body(client))
        assert response.status_code == 200, (provider, response.text)
        sent = upstream.requests_for(provider)[-1].body
        assert "reasoning_effort" not in sent or sent["reasoning_effort"] in ("none", "minimal")
        assert sent.get("thinking", {"type": "disabled"})["type"] == "disabled"
        assert (sent.get("reasoning") or {}).get("effort") in (None, "none", "minimal")
        config = (sent.get("generationConfig") or {}).get("thinkingConfig") or {}
        assert config.get("thinkingBudget", 0) == 0


def test_without_a_policy_a_same_format_body_is_passed_through_untouched(nodes, upstream):
    body = thinking_body("anthropic")
    body["metadata"] = {"user_id": "u-1"}
    assert send(nodes, "anthropic", "anthropic", body).status_code == 200
    sent = upstream.requests_for("anthropic")[-1].body
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": 16000}
    assert "system" not in sent
