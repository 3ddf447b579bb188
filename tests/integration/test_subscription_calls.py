"""Signed-in subscription accounts answer through every inbound format (subscription_calls.py).

A real gateway calls the strict fake Claude, Codex and Copilot upstreams
(tests/fakes/subscriptions.py), which refuse what their real APIs refuse: an API-key header for an
OAuth token, a Bearer token without the OAuth beta flag or `?beta=true`, a Codex call that is not
streamed, stored, or carries a field the backend does not take, a Copilot call without its editor
headers. So every test that gets an answer also shows the call was shaped as the API needs.
"""

from __future__ import annotations

import json

import pytest
import requests

from omniroute.oauth.grants import NeedsSignIn, TokenUnavailable
from omniroute.providers import PROVIDERS
from omniroute.providers.accounts import OAUTH_ACCOUNT, ActiveConnection
from omniroute.proxy.connection_test import run_connection_test
from tests.fake_clock import FakeClock
from tests.fakes import probe
from tests.fakes.subscriptions import SubscriptionUpstream, signed_in_gateway

INBOUND = [
    pytest.param(fmt, stream, id=f"{fmt}-{'stream' if stream else 'whole'}")
    for fmt in probe.FORMATS
    for stream in (False, True)
]
GATEWAY_PATHS = {
    "openai": "/v1/chat/completions",
    "anthropic": "/v1/messages",
    "responses": "/v1/responses",
}
CLAUDE, CODEX, COPILOT = "cc/claude-opus-4-6", "cx/gpt-5.2-codex", "gh/gpt-5"
COPILOT_CODEX = "gh/gpt-5.3-codex"  # Copilot serves *-codex models only at /responses


@pytest.fixture(scope="module")
def fake_server():
    server = SubscriptionUpstream().start()
    yield server
    server.stop()


@pytest.fixture
def signed_in(gateway, fake_server):
    fake_server.reset()
    yield signed_in_gateway(gateway, fake_server, FakeClock(1_900_000_000.0))
    fake_server.reset()


def ask(gateway, fmt: str, model: str, stream: bool = False, headers=None, **extra):
    body = {**probe.ask_body(fmt, model, "hello there", stream), **extra}
    if fmt == "gemini":
        action = "streamGenerateContent?alt=sse" if stream else "generateContent"
        url = f"{gateway.url}/v1beta/models/{model}:{action}"
        body.pop("model", None)
    else:
        url = gateway.url + GATEWAY_PATHS[fmt]
    return requests.post(url, json=body, headers=headers, stream=stream, timeout=30)


def answered(fmt: str, response, stream: bool) -> str:
    assert response.status_code == 200, response.text
    if stream:
        return probe.streamed(fmt, probe.sse_events(response))[0]
    return probe.answer_text(fmt, response.json())


# -- each provider, each inbound format, streamed and not --------------------------------------
@pytest.mark.parametrize("fmt, stream", INBOUND)
def test_claude_answers_with_bearer_beta_flag_and_beta_query(signed_in, fmt, stream):
    signed_in.sign_in("claude-code", "sk-ant-oat-claude-1", "claude pro")
    response = ask(signed_in.gateway, fmt, CLAUDE, stream)
    assert answered(fmt, response, stream) == "echo: hello there"
    assert signed_in.fake.refusals == []
    [sent] = signed_in.fake.requests_to("claude")
    assert sent.headers["authorization"] == "Bearer sk-ant-oat-claude-1"
    assert "x-api-key" not in sent.headers
    assert sent.query["beta"] == "true"
    assert sent.headers["anthropic-beta"].split(",")[:2] == [
        "claude-code-20250219",
        "oauth-2025-04-20",
    ]
    assert sent.headers["anthropic-version"] == "2023-06-01"


@pytest.mark.parametrize("fmt, stream", INBOUND)
def test_codex_answers_streamed_upstream_with_what_the_backend_accepts(signed_in, fmt, stream):
    extra = {"chatgpt_account_id": "ws-123"}
    signed_in.sign_in("codex", "codex-token-1", "chatgpt plus", extra)
    sampling = {"temperature": 0.2} if fmt in ("openai", "responses") else {}
    response = ask(signed_in.gateway, fmt, CODEX, stream, **sampling)
    assert answered(fmt, response, stream) == "echo: hello there"
    assert signed_in.fake.refusals == []
    [sent] = signed_in.fake.requests_to("codex")
    assert sent.headers["authorization"] == "Bearer codex-token-1"
    assert sent.headers["chatgpt-account-id"] == "ws-123"
    assert sent.headers["originator"] == "codex_cli_rs"
    assert sent.body["store"] is False and sent.body["stream"] is True
    assert isinstance(sent.body["instructions"], str)
    assert "temperature" not in sent.body and "max_output_tokens" not in sent.body


@pytest.mark.parametrize("fmt, stream", INBOUND)
def test_copilot_answers_with_editor_headers_at_the_accounts_api(signed_in, fmt, stream):
    api = signed_in.fake.base_url("copilot")
    signed_in.sign_in("github-copilot", "tid=copilot-1", "octocat", {"api": api}, base="")
    response = ask(signed_in.gateway, fmt, COPILOT, stream)
    assert answered(fmt, response, stream) == "echo: hello there"
    assert signed_in.fake.refusals == []
    [sent] = signed_in.fake.requests_to("copilot")
    assert sent.path == "/copilot/chat/completions"
    assert sent.headers["authorization"] == "Bearer tid=copilot-1"
    assert sent.headers["editor-version"].startswith("vscode/")
    assert sent.headers["copilot-integration-id"] == "vscode-chat"


@pytest.mark.parametrize("fmt, stream", INBOUND)
def test_copilot_codex_models_are_called_at_responses_in_the_responses_format(
    signed_in, fmt, stream
):
    api = signed_in.fake.base_url("copilot")
    signed_in.sign_in("github-copilot", "tid=copilot-1", "octocat", {"api": api}, base="")
    response = ask(signed_in.gateway, fmt, COPILOT_CODEX, stream)
    assert answered(fmt, response, stream) == "echo: hello there"
    assert signed_in.fake.refusals == []
    [sent] = signed_in.fake.requests_to("copilot")
    assert sent.path == "/copilot/responses"
    assert sent.model == "gpt-5.3-codex" and isinstance(sent.body["input"], list)
    assert "messages" not in sent.body and "stream_options" not in sent.body
    assert sent.headers["authorization"] == "Bearer tid=copilot-1"
    assert sent.headers["copilot-integration-id"] == "vscode-chat"


# -- details of each upstream's call ------------------------------------------------------------
def test_claude_calls_carry_no_identity_block_and_no_client_disguise(signed_in):
    signed_in.sign_in("claude-code", "sk-ant-oat-claude-1", "claude pro")
    body = {
        "model": CLAUDE,
        "messages": [
            {"role": "system", "content": "You are a terse assistant."},
            {"role": "user", "content": "hello there"},
        ],
    }
    response = requests.post(signed_in.gateway.v1 + "/chat/completions", json=body, timeout=30)
    assert answered("openai", response, False) == "echo: hello there"
    [sent] = signed_in.fake.requests_to("claude")
    assert sent.body["system"] in (
        "You are a terse assistant.",
        [{"type": "text", "text": "You are a terse assistant."}],
    )
    assert "metadata" not in sent.body
    assert "Claude Code" not in json.dumps(sent.body)
    assert {"x-app", "x-stainless-lang", "anthropic-dangerous-direct-browser-access"}.isdisjoint(
        sent.headers
    )
    assert "claude-cli" not in sent.headers.get("user-agent", "")


def test_claude_keeps_the_clients_beta_flags_after_the_oauth_flag(signed_in):
    signed_in.sign_in("claude-code", "sk-ant-oat-claude-1", "claude pro")
    response = ask(
        signed_in.gateway,
        "anthropic",
        CLAUDE,
        headers={"anthropic-beta": "interleaved-thinking-2025-05-14,oauth-2025-04-20"},
    )
    assert response.status_code == 200, response.text
    [sent] = signed_in.fake.requests_to("claude")
    assert sent.headers["anthropic-beta"] == (
        "claude-code-20250219,oauth-2025-04-20,interleaved-thinking-2025-05-14"
    )


def test_claude_count_tokens_goes_to_the_beta_counter_with_the_token(signed_in):
    signed_in.sign_in("claude-code", "sk-ant-oat-claude-1", "claude pro")
    body = {"model": CLAUDE, "messages": [{"role": "user", "content": "count me please"}]}
    response = requests.post(signed_in.gateway.v1 + "/messages/count_tokens", json=body, timeout=30)
    assert response.status_code == 200, response.text
    assert "x-omniroute-estimate" not in response.headers  # the provider counted
    [sent] = signed_in.fake.requests_to("claude")
    assert sent.path.startswith("/claude/v1/messages/count_tokens?")
    assert sent.query["beta"] == "true"
    assert sent.headers["authorization"] == "Bearer sk-ant-oat-claude-1"


def test_codex_wraps_a_string_input_and_names_the_client_system_prompt_instructions(signed_in):
    signed_in.sign_in("codex", "codex-token-1", "chatgpt plus", {"chatgpt_account_id": "ws-1"})
    body = {
        "model": CODEX,
        "input": "hello there",
        "instructions": "be brief",
        "max_output_tokens": 50,
        "truncation": "auto",
        "store": True,
    }
    response = requests.post(signed_in.gateway.v1 + "/responses", json=body, timeout=30)
    assert response.status_code == 200, response.text
    assert probe.answer_text("responses", response.json()) == "echo: hello there"
    [sent] = signed_in.fake.requests_to("codex")
    assert sent.body["instructions"] == "be brief"
    assert sent.body["input"][0]["content"] == [{"type": "input_text", "text": "hello there"}]
    assert {"max_output_tokens", "truncation"}.isdisjoint(sent.body)


def test_an_api_key_account_of_a_subscription_provider_is_called_as_before(signed_in, upstream):
    signed_in.gateway.add_connection(upstream.url, provider="claude-code", apiKey="sk-cc-key")
    response = ask(signed_in.gateway, "openai", CLAUDE)
    assert answered("openai", response, False) == "echo: hello there"
    [sent] = upstream.requests_for("anthropic")
    assert sent.query.get("beta") is None
    assert signed_in.tokens.asked == []


# -- accounts that cannot be called now are skipped -------------------------------------------
def test_an_account_that_must_sign_in_again_is_skipped_for_the_next(signed_in):
    first = signed_in.sign_in("claude-code", "sk-ant-oat-old", "first")
    signed_in.sign_in("claude-code", "sk-ant-oat-second", "second")
    signed_in.tokens.grants[first] = NeedsSignIn(first, "invalid_grant")
    response = ask(signed_in.gateway, "openai", CLAUDE)
    assert answered("openai", response, False) == "echo: hello there"
    [sent] = signed_in.fake.requests_to("claude")
    assert sent.headers["authorization"] == "Bearer sk-ant-oat-second"


def test_only_accounts_that_must_sign_in_again_is_a_503_saying_so(signed_in):
    first = signed_in.sign_in("claude-code", "sk-ant-oat-old", "first")
    signed_in.tokens.grants[first] = NeedsSignIn(first, "invalid_grant")
    response = ask(signed_in.gateway, "anthropic", CLAUDE)
    assert response.status_code == 503
    error = response.json()["error"]
    assert "must sign in again" in error["message"] and "first" in error["message"]
    assert signed_in.fake.requests == []


def test_a_token_that_cannot_be_renewed_now_falls_back_with_retry_after(signed_in):
    first = signed_in.sign_in("codex", "codex-old", "first", {"chatgpt_account_id": "ws-1"})
    signed_in.tokens.grants[first] = TokenUnavailable(first, "token endpoint answered 503", 42.0)
    response = ask(signed_in.gateway, "responses", CODEX)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "42"
    signed_in.sign_in("codex", "codex-new", "second", {"chatgpt_account_id": "ws-2"})
    assert answered("responses", ask(signed_in.gateway, "responses", CODEX), False)


def test_kiro_stays_refused_with_501_even_when_signed_in(signed_in):
    signed_in.sign_in("claude-code", "sk-ant-oat-claude-1", "claude pro")
    signed_in.sign_in("kiro", "aoa-kiro-token", "builder id", base="http://127.0.0.1:9/v1")
    response = ask(signed_in.gateway, "anthropic", "kr/claude-sonnet-4.5")
    assert response.status_code == 501
    assert "sign-in flow not available yet" in response.json()["error"]["message"]
    assert signed_in.tokens.asked == []


# -- the connection test of a signed-in account (its card's Test button) ------------------------
def test_the_connection_test_uses_the_accounts_token(signed_in):
    connection_id = signed_in.sign_in("claude-code", "sk-ant-oat-claude-1", "claude pro")
    spec = PROVIDERS["claude-code"]
    account = ActiveConnection(
        connection_id,
        "claude-code",
        "claude pro",
        "",
        signed_in.fake.base_url("claude"),
        1,
        OAUTH_ACCOUNT,
    )
    services = signed_in.gateway.services
    prepare = services.pipeline.subscriptions.prepare
    passed = run_connection_test(services.upstream, spec, account, None, prepare=prepare)
    assert passed.ok, passed.error
    signed_in.tokens.grants[connection_id] = NeedsSignIn(connection_id, "invalid_grant")
    refused = run_connection_test(services.upstream, spec, account, None, prepare=prepare)
    assert not refused.ok and refused.hint_code == "sign_in"
    assert len(signed_in.fake.requests_to("claude")) == 1
