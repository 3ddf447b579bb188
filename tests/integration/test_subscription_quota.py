"""Quota windows and the three refusals of subscription accounts, end to end.

A real gateway calls the strict fake Claude and Codex upstreams (tests/fakes/subscriptions.py),
which report their windows on every answer and can be told to spend one until a reset time.
The gateway's routing state, its quota book and the fake share one clock the test moves, so
"rest until the reset, then come back" is checked without waiting:
- a spent window rests the whole account until it resets and the request goes on to the next
  account or combo target (the guide's maximize-claude: subscription, cheap key, free model);
- one model at capacity rests only that model on that account;
- a request that is not entitled is answered with the refusal: nothing rests, nothing rotates.
"""

from __future__ import annotations

import pytest
import requests

from tests.fake_clock import FakeClock
from tests.fake_upstream import Behavior
from tests.fakes import probe
from tests.fakes.subscriptions import SubscriptionUpstream, signed_in_gateway

START = 1_900_000_000.0
CLAUDE, CODEX = "cc/claude-opus-4-6", "cx/gpt-5.2-codex"
HOUR = 3600.0


@pytest.fixture(scope="module")
def fake_server():
    server = SubscriptionUpstream().start()
    yield server
    server.stop()


@pytest.fixture
def signed_in(gateway, fake_server):
    fake_server.reset()
    yield signed_in_gateway(gateway, fake_server, FakeClock(START))
    fake_server.reset()


def chat(gateway, model: str, stream: bool = False) -> requests.Response:
    body = {"model": model, "messages": [{"role": "user", "content": "hello"}], "stream": stream}
    return requests.post(gateway.v1 + "/chat/completions", json=body, timeout=30)


def provider_of(response: requests.Response) -> str:
    assert response.status_code == 200, response.text
    return response.headers["X-OmniRoute-Provider"]


def bearers(fake, provider: str) -> list[str]:
    return [r.headers["authorization"][7:] for r in fake.requests_to(provider)]


def add_combo(gateway, name: str, models: list[str]) -> None:
    with gateway.admin() as session:
        body = {"name": name, "models": models, "strategy": "priority"}
        response = session.post(gateway.url + "/api/combos", json=body)
    assert response.status_code == 201, response.text


# -- quota windows are read from every answer ---------------------------------------------------
def test_claude_windows_are_read_from_an_ordinary_answer_and_saved_at_a_bounded_rate(signed_in):
    account = signed_in.sign_in("claude-code", "sk-ant-oat-1", "claude pro")
    assert provider_of(chat(signed_in.gateway, CLAUDE)) == "claude-code"
    snapshot = signed_in.quotas.latest(account)
    assert snapshot is not None and not snapshot.exhausted
    five_hours, week = snapshot.window("5h"), snapshot.window("7d")
    assert (five_hours.used, week.used) == (0.25, 0.1)
    assert five_hours.resets_at == START + 2.5 * HOUR
    assert [cid for cid, _ in signed_in.saved] == [account]

    signed_in.fake.used["5h"] = 0.5
    signed_in.clock.advance(10)
    chat(signed_in.gateway, CLAUDE)
    assert signed_in.quotas.latest(account).window("5h").used == 0.5  # kept in memory at once
    assert len(signed_in.saved) == 1  # …and saved no more than every 30 s
    signed_in.clock.advance(30)
    chat(signed_in.gateway, CLAUDE)
    assert len(signed_in.saved) == 2


def test_codex_windows_are_named_by_their_length(signed_in):
    account = signed_in.sign_in("codex", "codex-1", "plus", {"chatgpt_account_id": "ws-1"})
    assert provider_of(chat(signed_in.gateway, CODEX, stream=True)) == "codex"
    snapshot = signed_in.quotas.latest(account)
    assert [(w.name, w.used) for w in snapshot.windows] == [("5h", 0.25), ("7d", 0.1)]
    assert snapshot.window("7d").resets_at == START + 10080 * 30


# -- a spent window: the account rests until the reset, the request goes on ---------------------
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_maximize_claude_falls_through_while_the_window_is_spent_and_returns_after(
    signed_in, upstream, stream
):
    gateway, fake, clock = signed_in.gateway, signed_in.fake, signed_in.clock
    account = signed_in.sign_in("claude-code", "sk-ant-oat-1", "claude pro")
    gateway.add_connection(upstream.url, provider="glm", name="glm", apiKey="sk-glm")
    gateway.add_connection(upstream.url, provider="ollama-local", name="local", apiKey="sk-local")
    add_combo(gateway, "maximize-claude", [CLAUDE, "glm/glm-4.7", "ollama-local/qwen2.5-coder"])
    fake.exhaust("claude", "sk-ant-oat-1", until=START + 2 * HOUR)

    # 1. the subscription's 5-hour window is spent: the cheap key answers
    first = chat(gateway, "maximize-claude", stream)
    assert provider_of(first) == "glm"
    assert first.headers["X-OmniRoute-Fallback-Attempts"] == "1"
    assert signed_in.cooling() == {(account, None): pytest.approx(2 * HOUR)}  # the whole account
    assert signed_in.quotas.latest(account).exhausted

    # 2. while it rests, the subscription is not asked at all
    clock.advance(HOUR)
    second = chat(gateway, "maximize-claude", stream)
    assert provider_of(second) == "glm"
    assert second.headers["X-OmniRoute-Fallback-Attempts"] == "0"
    assert len(fake.requests_to("claude")) == 1

    # 3. after the reset the subscription answers again
    clock.advance(HOUR + 1)
    assert provider_of(chat(gateway, "maximize-claude", stream)) == "claude-code"
    assert len(fake.requests_to("claude")) == 2
    assert not signed_in.quotas.latest(account).exhausted


def test_a_spent_weekly_window_rests_until_the_week_resets(signed_in):
    first = signed_in.sign_in("claude-code", "sk-ant-oat-1", "first")
    signed_in.sign_in("claude-code", "sk-ant-oat-2", "second")
    signed_in.fake.exhaust("claude", "sk-ant-oat-1", until=START + 50 * HOUR, window="7d")
    assert provider_of(chat(signed_in.gateway, CLAUDE)) == "claude-code"
    assert bearers(signed_in.fake, "claude") == ["sk-ant-oat-1", "sk-ant-oat-2"]
    assert signed_in.cooling() == {(first, None): pytest.approx(50 * HOUR)}


def test_codex_usage_limit_rests_the_account_until_resets_at(signed_in):
    first = signed_in.sign_in("codex", "codex-1", "first", {"chatgpt_account_id": "ws-1"})
    signed_in.sign_in("codex", "codex-2", "second", {"chatgpt_account_id": "ws-2"})
    signed_in.fake.exhaust("codex", "codex-1", until=START + 3 * HOUR)
    assert provider_of(chat(signed_in.gateway, CODEX)) == "codex"
    assert bearers(signed_in.fake, "codex") == ["codex-1", "codex-2"]
    assert signed_in.cooling() == {(first, None): pytest.approx(3 * HOUR)}
    snapshot = signed_in.quotas.latest(first)
    assert snapshot.exhausted and snapshot.resets_at == START + 3 * HOUR


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_a_refusal_inside_a_200_stream_before_any_output_falls_back(signed_in, stream):
    first = signed_in.sign_in("codex", "codex-1", "first", {"chatgpt_account_id": "ws-1"})
    signed_in.sign_in("codex", "codex-2", "second", {"chatgpt_account_id": "ws-2"})
    signed_in.fake.exhaust("codex", "codex-1", until=START + HOUR, in_stream=True)
    response = chat(signed_in.gateway, CODEX, stream)
    assert provider_of(response) == "codex"
    assert "usage limit" not in response.text
    if stream:
        assert probe.streamed("openai", probe.sse_events(response))[0] == "echo: hello"
    else:
        assert probe.answer_text("openai", response.json()) == "echo: hello"
    assert bearers(signed_in.fake, "codex") == ["codex-1", "codex-2"]
    assert signed_in.cooling() == {(first, None): pytest.approx(HOUR)}


def test_every_account_spent_is_a_429_with_the_earliest_reset(signed_in):
    signed_in.sign_in("claude-code", "sk-ant-oat-1", "first")
    signed_in.sign_in("claude-code", "sk-ant-oat-2", "second")
    signed_in.fake.exhaust("claude", "sk-ant-oat-1", until=START + 2 * HOUR)
    signed_in.fake.exhaust("claude", "sk-ant-oat-2", until=START + HOUR)
    refused = chat(signed_in.gateway, CLAUDE)
    assert refused.status_code == 429
    later = chat(signed_in.gateway, CLAUDE)  # nothing is called while both rest
    assert later.status_code == 429
    assert int(later.headers["Retry-After"]) == pytest.approx(HOUR, abs=2)
    assert len(signed_in.fake.requests_to("claude")) == 2


# -- one model at capacity: only that model rests ------------------------------------------------
def test_a_model_at_capacity_rests_only_that_model_on_that_account(signed_in):
    account = signed_in.sign_in("claude-code", "sk-ant-oat-1", "first")
    signed_in.sign_in("claude-code", "sk-ant-oat-2", "second")
    busy = Behavior(status=429, error_message="Selected model is at capacity. Try another model.")
    signed_in.fake.add(busy, model="claude-opus-4-6", api_key="sk-ant-oat-1")
    assert provider_of(chat(signed_in.gateway, CLAUDE)) == "claude-code"
    assert bearers(signed_in.fake, "claude") == ["sk-ant-oat-1", "sk-ant-oat-2"]
    assert set(signed_in.cooling()) == {(account, "claude-opus-4-6")}

    other_model = chat(signed_in.gateway, "cc/claude-haiku-4-5-20251001")
    assert provider_of(other_model) == "claude-code"
    assert bearers(signed_in.fake, "claude")[-1] == "sk-ant-oat-1"  # the account still serves


# -- a request that is not entitled: answered with the refusal, nothing rests or rotates --------
def test_a_request_not_entitled_is_answered_without_resting_or_rotating(signed_in):
    signed_in.sign_in("claude-code", "sk-ant-oat-1", "first")
    signed_in.sign_in("claude-code", "sk-ant-oat-2", "second")
    fast = Behavior(status=429, error_message="Usage credits are required for fast mode.")
    signed_in.fake.add(fast, model="claude-opus-4-6")
    refused = chat(signed_in.gateway, CLAUDE)
    assert refused.status_code == 429
    assert "Usage credits are required" in refused.json()["error"]["message"]
    assert bearers(signed_in.fake, "claude") == ["sk-ant-oat-1"]
    assert signed_in.cooling() == {}
    breakers = signed_in.gateway.services.pipeline.state.resilience.breakers.snapshot()
    assert all(breaker["recentFailures"] == 0 for breaker in breakers)
