"""Settings → AI reaches every request: the global system prompt goes before or after the
client's own (a combo's own prompt replacing it, sent once across retries and fallbacks) and the
thinking policy (cap, fixed budget, budget per effort, off) holds, whatever the client's format —
passed-through requests included (while a policy changes requests, they are built, not passed
through)."""

from __future__ import annotations

import pytest
import requests

from tests.fakes import probe
from tests.fakes.script import Behavior

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
        system = [m for m in sent["messages"] if m["role"] in ("system", "developer")]
        return " ".join(str(m["content"]) for m in system)
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


def patch(gateway, changes: dict) -> None:
    answer = gateway.admin().patch(gateway.url + "/api/settings", json=changes)
    assert answer.status_code == 200, answer.text


def anthropic_budget(sent: dict) -> int:
    assert sent["thinking"]["type"] == "enabled", sent.get("thinking")
    assert sent["thinking"]["budget_tokens"] < sent["max_tokens"]
    return sent["thinking"]["budget_tokens"]


@pytest.mark.parametrize("client", probe.FORMATS)
def test_a_fixed_budget_reaches_every_provider_within_the_models_limit(nodes, upstream, client):
    patch(nodes, {"thinkingPolicy": "fixed", "thinkingBudgetFixed": 4096})
    body = probe.body_for(client, [probe.user_turn(client, "no thinking asked")], False)
    if client == "anthropic":  # Anthropic's max_tokens also caps thinking: leave it room
        body["max_tokens"] = 20_000
    assert send(nodes, client, "anthropic", body).status_code == 200
    assert anthropic_budget(upstream.requests_for("anthropic")[-1].body) == 4096
    assert send(nodes, client, "gemini", dict(body)).status_code == 200
    config = upstream.requests_for("gemini")[-1].body["generationConfig"]["thinkingConfig"]
    assert config["thinkingBudget"] == 4096
    # Sonnet 4.5 writes at most 64,000 tokens: a bigger fixed budget is fitted below that
    patch(nodes, {"thinkingBudgetFixed": 100_000})
    assert send(nodes, client, "anthropic", dict(body)).status_code == 200
    sent = upstream.requests_for("anthropic")[-1].body
    assert sent["max_tokens"] <= 64_000
    assert anthropic_budget(sent) < 64_000


def test_the_effort_map_sets_each_levels_budget(nodes, upstream):
    budgets = {"minimal": 1024, "low": 1536, "medium": 6000, "high": 30000, "xhigh": 32768}
    patch(nodes, {"thinkingPolicy": "effort_map", "effortBudgets": budgets})
    for effort in ("low", "high"):
        body = thinking_body("openai")
        body["reasoning_effort"] = effort
        assert send(nodes, "openai", "anthropic", body).status_code == 200
        assert anthropic_budget(upstream.requests_for("anthropic")[-1].body) == budgets[effort]
    body = thinking_body("responses")  # effort "high", to a model that takes levels: kept
    body["model"] = "up-openai/o3"
    response = requests.post(nodes.url + "/v1/responses", json=body, timeout=30)
    assert response.status_code == 200, response.text
    assert upstream.requests_for("openai")[-1].body["reasoning_effort"] == "high"


@pytest.mark.parametrize("client", probe.FORMATS)
def test_the_prompt_can_follow_the_clients_own_in_every_format(nodes, upstream, client):
    patch(nodes, {"globalSystemPrompt": PROMPT, "globalSystemPromptPosition": "after"})
    body = probe.body_for(client, [probe.user_turn(client, "hello")], False)
    probe.add_system(client, body, "Client rules.")
    for provider in probe.FORMATS:
        response = send(nodes, client, provider, dict(body))
        assert response.status_code == 200, (provider, response.text)
        text = system_text(provider, upstream.requests_for(provider)[-1].body)
        assert text.index("Client rules.") < text.index(PROMPT), (provider, text)
        assert text.count(PROMPT) == 1


def add_combo(gateway, name: str, models: list[str], **extra) -> None:
    body = {"name": name, "models": models, **extra}
    response = gateway.admin().post(gateway.url + "/api/combos", json=body)
    assert response.status_code == 201, response.text


def test_a_combos_own_prompt_is_sent_once_across_retries_and_fallbacks(nodes, upstream):
    patch(nodes, {"globalSystemPrompt": PROMPT})
    team = ["up-anthropic/claude-sonnet-4-5", "up-openai/gpt-4o"]
    add_combo(nodes, "team", team, systemPrompt="Team rules.")
    add_combo(nodes, "quiet", ["up-anthropic/claude-sonnet-4-5"], systemPrompt="")
    add_combo(nodes, "plain", ["up-anthropic/claude-sonnet-4-5"])
    body = {"model": "team", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}
    for combo, expected in (("quiet", None), ("plain", PROMPT)):
        answer = requests.post(
            nodes.url + "/v1/messages", json={**body, "model": combo}, timeout=30
        )
        assert answer.status_code == 200, answer.text
        sent = upstream.requests_for("anthropic")[-1].body
        assert (system_text("anthropic", sent) if "system" in sent else None) == expected
    # the first target fails twice (a retry, then the fallback): each call carries the prompt once
    overloaded = Behavior(status=503, error_message="overloaded")
    upstream.add(overloaded, api_key="sk-node-anthropic", times=2)
    response = requests.post(nodes.url + "/v1/messages", json=body, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["X-OmniRoute-Fallback-Attempts"] == "2"
    tried = upstream.requests_for("anthropic")[-2:]
    texts = [system_text("anthropic", call.body) for call in tried]
    texts.append(system_text("openai", upstream.requests_for("openai")[-1].body))
    assert texts == ["Team rules."] * 3
