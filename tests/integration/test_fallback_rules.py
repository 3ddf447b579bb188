"""The fallback rules (omniroute/proxy/attempts.py), one test per rule, end to end.

A real gateway (waitress) talks real HTTP to the fake upstream, scripted to fail the way real
providers fail: a 429 with its reset hint, a refused key, an overloaded server, a hang, a closed
port, a prompt too long for the model, a stream cut short. Every connected account has its own
API key (`sk-acct-<n>`), so a rule can fail one account and the fake's request log tells which
accounts were called, in which order, with which model.
"""

from __future__ import annotations

import json
import socket
import time

import pytest
import requests

from omniroute.resilience.settings import Backoff
from tests.fake_upstream import Behavior
from tests.gateway_harness import start_gateway

MINI = "openai/gpt-4o-mini"
HELLO = [{"role": "user", "content": "hello there"}]
RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
BACKOFF = 0.25  # the first wait before a same-target retry; it doubles for each further one


# -- helpers --------------------------------------------------------------------------------------
def key(n: int) -> str:
    return f"sk-acct-{n}"


def add_accounts(gateway, upstream, count: int, provider: str = "openai") -> list[dict]:
    """`count` accounts of `provider` on the fake upstream, in fill-first order 1, 2, …"""
    return [
        gateway.add_connection(upstream.url, provider=provider, name=f"acct-{n}", apiKey=key(n))
        for n in range(1, count + 1)
    ]


def chat(gateway, model: str = MINI, stream: bool = False, **body) -> requests.Response:
    payload = {"model": model, "messages": HELLO, "stream": stream, **body}
    return requests.post(gateway.v1 + "/chat/completions", json=payload, timeout=30)


def configure(gateway, **settings) -> None:
    with gateway.admin() as session:
        response = session.patch(gateway.url + "/api/settings", json=settings)
    assert response.status_code == 200, response.text


def add_combo(gateway, name: str, models: list[str]) -> None:
    with gateway.admin() as session:
        response = session.post(
            gateway.url + "/api/combos",
            json={"name": name, "models": models, "strategy": "priority"},
        )
    assert response.status_code == 201, response.text


def keys_called(upstream) -> list[str]:
    return [request.api_key for request in upstream.requests]


def calls(upstream) -> list[tuple[str, str]]:
    """(API key, model) of every request the fake upstream received, in order."""
    return [(request.api_key, request.model) for request in upstream.requests]


def chain_of(row) -> list[tuple[str, str, int]]:
    """(account, model, status) of each upstream call in a usage row's attempt chain."""
    return [(c["account"], c["model"], c["status"]) for c in json.loads(row.attempt_chain)]


def cooling(gateway) -> dict[tuple, float]:
    """{(connection id, model or None for the whole account): seconds left}"""
    active = gateway.services.pipeline.state.cooldowns.active()
    return {(account, model): left for account, model, left, _ in active}


def answered_text(response: requests.Response) -> str:
    assert response.status_code == 200, response.text
    return response.json()["choices"][0]["message"]["content"]


def dead_port_url() -> str:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


@pytest.fixture
def slow_gateway(tmp_path):
    """A gateway that gives up on an upstream after 0.3 s without a byte."""
    running = start_gateway(str(tmp_path / "slow"), UPSTREAM_READ_TIMEOUT=0.3)
    yield running
    running.stop()


# -- 429: next account; that model on that account rests for the provider's hint --------------
def test_429_moves_on_and_rests_only_that_model_on_that_account(gateway, upstream):
    first, _ = add_accounts(gateway, upstream, 2)
    limited = Behavior(status=429, error_message="Rate limit reached for gpt-4o-mini")
    upstream.add(limited, api_key=key(1), model="gpt-4o-mini")

    assert answered_text(chat(gateway)) == "echo: hello there"
    assert keys_called(upstream) == [key(1), key(2)]  # a 429 is never retried on the same account
    assert set(cooling(gateway)) == {(first["id"], "gpt-4o-mini")}

    upstream.requests.clear()
    assert chat(gateway).status_code == 200
    assert keys_called(upstream) == [key(2)]  # the resting account is not even asked

    upstream.requests.clear()
    other_model = chat(gateway, model="openai/gpt-4o")
    assert other_model.headers["X-OmniRoute-Fallback-Attempts"] == "0"
    assert calls(upstream) == [(key(1), "gpt-4o")]  # another model on that account still works


@pytest.mark.parametrize(
    ("headers", "message", "seconds"),
    [
        ({"Retry-After": "120"}, None, 120),
        ({"retry-after-ms": "95000"}, None, 95),
        (
            {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2m30s"},
            None,
            150,
        ),
        ({}, "You have reached your usage limit. Your limit will reset after 2h30m.", 9000),
        ({}, "Rate limit reached", Backoff().seconds(1)),  # no hint: the first backoff step
    ],
    ids=["retry-after", "retry-after-ms", "x-ratelimit-reset", "reset-after-text", "no-hint"],
)
def test_the_providers_reset_hint_sets_how_long_the_account_rests(
    gateway, upstream, headers, message, seconds
):
    (account,) = add_accounts(gateway, upstream, 1)
    upstream.add(Behavior(status=429, error_message=message, headers=headers), api_key=key(1))

    refused = chat(gateway)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(int(seconds))
    assert cooling(gateway)[(account["id"], "gpt-4o-mini")] == pytest.approx(seconds, abs=2)

    again = chat(gateway)  # the account is resting: the gateway answers without calling it
    assert again.status_code == 429
    assert again.headers["Retry-After"] == str(int(seconds))
    assert again.json()["error"]["code"] == "rate_limited"
    assert len(upstream.requests) == 1


def test_gemini_retry_delay_in_the_error_body_rests_the_account(gateway, upstream):
    (account,) = add_accounts(gateway, upstream, 1, provider="gemini")
    retry_info = {"@type": RETRY_INFO, "retryDelay": "37s"}
    upstream.add(
        Behavior(status=429, error_message="Quota exceeded", error_details=[retry_info]),
        api_key=key(1),
    )
    url = gateway.url + "/v1beta/models/gemini/gemini-2.5-flash:generateContent"
    body = {"contents": [{"role": "user", "parts": [{"text": "hello"}]}]}

    for _ in range(2):  # the upstream's 429, then the gateway's own without calling it
        response = requests.post(url, json=body, timeout=30)
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "37"
        error = response.json()["error"]  # in Gemini's own error shape
        assert (error["code"], error["status"]) == (429, "RESOURCE_EXHAUSTED")
    assert len(upstream.requests_for("gemini")) == 1
    assert cooling(gateway)[(account["id"], "gemini-2.5-flash")] == pytest.approx(37, abs=5)


# -- every account resting: 429 in the caller's format, Retry-After = the earliest reset ---------
CALLERS = {
    "openai": ("/v1/chat/completions", {"model": MINI, "messages": HELLO}),
    "anthropic": ("/v1/messages", {"model": MINI, "max_tokens": 64, "messages": HELLO}),
    "responses": ("/v1/responses", {"model": MINI, "input": "hello there"}),
    "gemini": (
        f"/v1beta/models/{MINI}:generateContent",
        {"contents": [{"role": "user", "parts": [{"text": "hello there"}]}]},
    ),
}


def assert_rate_limited_shape(fmt: str, body: dict) -> None:
    if fmt == "anthropic":
        assert body["type"] == "error" and body["error"]["type"] == "rate_limit_error"
    elif fmt == "gemini":
        assert (body["error"]["code"], body["error"]["status"]) == (429, "RESOURCE_EXHAUSTED")
    else:
        assert (body["error"]["type"], body["error"]["code"]) == (
            "rate_limit_error",
            "rate_limited",
        )
    message = body["error"]["message"]
    assert "resting" in message and "retry in 45 s" in message


@pytest.mark.parametrize("fmt", list(CALLERS))
def test_all_accounts_resting_is_a_429_in_the_callers_format(gateway, upstream, fmt):
    add_accounts(gateway, upstream, 2)
    upstream.add(Behavior(status=429, headers={"Retry-After": "300"}), api_key=key(1))
    upstream.add(Behavior(status=429, headers={"Retry-After": "45"}), api_key=key(2))
    first = chat(gateway)
    assert (first.status_code, first.headers["Retry-After"]) == (429, "45")  # earliest of the two
    assert keys_called(upstream) == [key(1), key(2)]

    path, body = CALLERS[fmt]
    response = requests.post(gateway.url + path, json=body, timeout=30)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "45"
    assert_rate_limited_shape(fmt, response.json())
    assert len(upstream.requests) == 2  # nobody was called for it


# -- 401, 402, 403: the key is refused, the whole account rests until it is saved again ----------
@pytest.mark.parametrize("status", [401, 402, 403])
def test_a_refused_key_rests_the_whole_account_until_the_connection_is_saved(
    gateway, upstream, status
):
    first, _ = add_accounts(gateway, upstream, 2)
    upstream.add(Behavior(status=status, error_message="key refused"), api_key=key(1))

    assert chat(gateway).headers["X-OmniRoute-Fallback-Attempts"] == "1"
    assert keys_called(upstream) == [key(1), key(2)]
    assert cooling(gateway) == {(first["id"], None): pytest.approx(Backoff().seconds(1), abs=1)}

    upstream.requests.clear()
    assert chat(gateway, model="openai/gpt-4o").status_code == 200
    assert calls(upstream) == [(key(2), "gpt-4o")]  # every model of that account rests

    with gateway.admin() as session:  # the user fixes the key
        saved = session.put(
            f"{gateway.url}/api/providers/{first['id']}", json={"apiKey": "sk-acct-1-renewed"}
        )
    assert saved.status_code == 200
    assert cooling(gateway) == {}
    upstream.requests.clear()
    assert chat(gateway).headers["X-OmniRoute-Fallback-Attempts"] == "0"
    assert keys_called(upstream) == ["sk-acct-1-renewed"]


def test_a_refused_key_is_not_asked_again_for_another_model_of_the_same_request(gateway, upstream):
    add_accounts(gateway, upstream, 1)
    gateway.add_connection(upstream.url, provider="glm", name="glm", apiKey="sk-glm")
    add_combo(gateway, "two-models", ["openai/gpt-4o", MINI, "glm/glm-4.7"])
    upstream.add(Behavior(status=401, error_message="Incorrect API key provided"), api_key=key(1))

    response = chat(gateway, model="two-models")
    assert response.headers["X-OmniRoute-Provider"] == "glm"
    assert calls(upstream) == [(key(1), "gpt-4o"), ("sk-glm", "glm-4.7")]


def test_geminis_invalid_key_400_is_a_refused_key_not_a_bad_request(gateway, upstream):
    first, _ = add_accounts(gateway, upstream, 2, provider="gemini")
    upstream.valid_keys = {key(2)}  # the fake answers other keys as Google does: 400
    url = gateway.url + "/v1beta/models/gemini/gemini-2.5-flash:generateContent"
    body = {"contents": [{"role": "user", "parts": [{"text": "hello"}]}]}

    response = requests.post(url, json=body, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["candidates"][0]["content"]["parts"][0]["text"] == "echo: hello"
    assert keys_called(upstream) == [key(1), key(2)]
    assert set(cooling(gateway)) == {(first["id"], None)}


# -- 408/5xx: the same target again after a backoff (comboRetries times), then next --------------
@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
def test_a_transient_failure_is_retried_once_after_a_backoff_then_next(gateway, upstream, status):
    add_accounts(gateway, upstream, 2)
    upstream.add(Behavior(status=status), api_key=key(1))

    response = chat(gateway)
    assert answered_text(response) == "echo: hello there"
    assert keys_called(upstream) == [key(1), key(1), key(2)]
    first, retry, _ = upstream.requests
    assert retry.at - first.at >= BACKOFF * 0.9
    assert [status for _, _, status in chain_of(gateway.last_usage_row())] == [status, status, 200]
    assert cooling(gateway) == {}  # a plain transient failure rests nobody


@pytest.mark.parametrize(
    ("retries", "expected"),
    [(0, [key(1), key(2)]), (2, [key(1), key(1), key(1), key(2)])],
)
def test_combo_retries_sets_the_number_of_same_target_retries(gateway, upstream, retries, expected):
    add_accounts(gateway, upstream, 2)
    configure(gateway, comboRetries=retries)
    upstream.add(Behavior(status=502), api_key=key(1))

    assert chat(gateway).status_code == 200
    assert keys_called(upstream) == expected
    arrivals = [request.at for request in upstream.requests]
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:], strict=False)]
    for retry, gap in enumerate(gaps[:retries]):  # the backoff doubles: 0.25 s, 0.5 s, …
        assert gap >= BACKOFF * 2**retry * 0.9


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"Retry-After": "30"}, "overloaded"),
        ({"retry-after-ms": "30000"}, "overloaded"),
        ({}, "The service is overloaded, please try again in 30 seconds."),
    ],
    ids=["retry-after", "retry-after-ms", "try-again-text"],
)
def test_a_503_saying_when_to_return_is_not_retried_and_rests_the_account(
    gateway, upstream, headers, message
):
    first, _ = add_accounts(gateway, upstream, 2)
    upstream.add(Behavior(status=503, error_message=message, headers=headers), api_key=key(1))
    assert chat(gateway).status_code == 200
    assert keys_called(upstream) == [key(1), key(2)]
    assert cooling(gateway) == {(first["id"], "gpt-4o-mini"): pytest.approx(30, abs=5)}

    upstream.requests.clear()
    assert chat(gateway).status_code == 200
    assert keys_called(upstream) == [key(2)]


# -- network failures ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stream", "slow"),
    [(False, Behavior(delay=1.0)), (True, Behavior(first_event_delay=1.0))],
    ids=["no-headers-in-time", "no-first-event-in-time"],
)
def test_a_timeout_moves_on_without_calling_the_same_account_again(
    slow_gateway, upstream, stream, slow
):
    add_accounts(slow_gateway, upstream, 2)
    upstream.add(slow, api_key=key(1))

    response = chat(slow_gateway, stream=stream)
    assert response.status_code == 200
    assert response.headers["X-OmniRoute-Fallback-Attempts"] == "1"
    assert "echo" in response.text
    assert keys_called(upstream) == [key(1), key(2)]
    assert chain_of(slow_gateway.last_usage_row()) == [
        ("acct-1", "gpt-4o-mini", 504),
        ("acct-2", "gpt-4o-mini", 200),
    ]


def test_connection_refused_is_retried_then_the_next_account_answers(gateway, upstream):
    gateway.add_connection(dead_port_url(), name="closed-port", apiKey=key(9))
    add_accounts(gateway, upstream, 1)

    response = chat(gateway)
    assert answered_text(response) == "echo: hello there"
    assert response.headers["X-OmniRoute-Fallback-Attempts"] == "2"
    assert keys_called(upstream) == [key(1)]
    assert chain_of(gateway.last_usage_row()) == [
        ("closed-port", "gpt-4o-mini", 502),
        ("closed-port", "gpt-4o-mini", 502),
        ("acct-1", "gpt-4o-mini", 200),
    ]


# -- 4xx caused by the request -------------------------------------------------------------------
def test_a_plain_400_is_returned_as_is_and_nothing_else_is_called(gateway, upstream):
    add_accounts(gateway, upstream, 2)
    gateway.add_connection(upstream.url, provider="glm", name="glm", apiKey="sk-glm")
    add_combo(gateway, "coding", [MINI, "glm/glm-4.7"])
    message = "Invalid value for 'temperature': must be between 0 and 2."
    upstream.add(Behavior(status=400, error_message=message, error_code="invalid_value"))

    response = chat(gateway, model="coding", temperature=2)  # the fake refuses it anyway
    assert response.status_code == 400
    error = response.json()["error"]
    assert message in error["message"] and error["code"] == "invalid_value"
    assert keys_called(upstream) == [key(1)]
    assert cooling(gateway) == {}


def test_a_404_moves_to_the_next_target_with_a_different_model(gateway, upstream):
    add_accounts(gateway, upstream, 2)
    add_combo(gateway, "gpt", ["openai/gpt-4o", MINI])
    upstream.add(
        Behavior(status=404, error_message="The model `gpt-4o` does not exist"), model="gpt-4o"
    )

    response = chat(gateway, model="gpt")
    assert response.headers["X-OmniRoute-Model"] == "gpt-4o-mini"
    # the model is missing, not the account: the other account's gpt-4o is not asked
    assert calls(upstream) == [(key(1), "gpt-4o"), (key(1), "gpt-4o-mini")]


# -- the prompt does not fit: the next target with a larger context ------------------------------
def test_context_length_exceeded_skips_targets_without_a_larger_context(gateway, upstream):
    add_accounts(gateway, upstream, 2)  # gpt-4o-mini: 128k context
    gateway.add_connection(upstream.url, provider="deepseek", name="ds", apiKey="sk-ds")  # 128k
    gateway.add_connection(upstream.url, provider="glm", name="glm", apiKey="sk-glm")  # 200k
    add_combo(gateway, "long", [MINI, "ds/deepseek-chat", "glm/glm-4.7"])
    upstream.add(
        Behavior(
            status=400,
            error_message="This model's maximum context length is 128000 tokens. However, "
            "your messages resulted in 131072 tokens.",
            error_code="context_length_exceeded",
        ),
        model="gpt-4o-mini",
    )

    response = chat(gateway, model="long")
    assert answered_text(response) == "echo: hello there"
    assert response.headers["X-OmniRoute-Provider"] == "glm"
    assert calls(upstream) == [(key(1), "gpt-4o-mini"), ("sk-glm", "glm-4.7")]


def test_anthropic_prompt_too_long_answers_from_a_larger_context_model(gateway, upstream):
    gateway.add_connection(upstream.url, provider="anthropic", name="claude", apiKey="sk-ant")
    gateway.add_connection(upstream.url, provider="claude-code", name="cc", apiKey="sk-cc")
    add_accounts(gateway, upstream, 1)  # openai: gpt-4o 128k, gpt-4.1 1M
    add_combo(
        gateway,
        "big-prompt",
        ["anthropic/claude-sonnet-4-5", "openai/gpt-4o", "cc/claude-opus-4-6", "openai/gpt-4.1"],
    )
    upstream.add(
        Behavior(status=400, error_message="prompt is too long: 215000 tokens > 200000 maximum"),
        api_key="sk-ant",
    )

    response = requests.post(
        gateway.v1 + "/messages",
        json={"model": "big-prompt", "max_tokens": 64, "messages": HELLO},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.json()["type"] == "message"  # answered in the caller's (Anthropic) format
    assert response.json()["content"][0]["text"] == "echo: hello there"
    assert calls(upstream) == [("sk-ant", "claude-sonnet-4-5"), (key(1), "gpt-4.1")]


# -- maxAttempts: a hard cap on upstream calls, retries included ---------------------------------
@pytest.mark.parametrize(
    ("status", "expected", "last"),
    [(429, [1, 2, 3], 3), (500, [1, 1, 2], 2)],
    ids=["rate-limited", "transient-with-retries"],
)
def test_max_attempts_caps_the_upstream_calls(gateway, upstream, status, expected, last):
    add_accounts(gateway, upstream, 5)
    configure(gateway, maxAttempts=3)
    for n in range(1, 6):
        upstream.add(Behavior(status=status, error_message=f"acct-{n} failed"), api_key=key(n))

    response = chat(gateway)
    assert keys_called(upstream) == [key(n) for n in expected]
    assert response.status_code == (429 if status == 429 else 502)
    assert f"acct-{last} failed" in response.json()["error"]["message"]  # the last error


# -- streams: fallback only before the first event -----------------------------------------------
def sse_data(text: str) -> list[str]:
    return [event[len("data: ") :] for event in text.split("\n\n") if event.startswith("data: ")]


def test_a_stream_that_breaks_before_its_first_event_falls_back(gateway, upstream):
    add_accounts(gateway, upstream, 2)
    upstream.add(Behavior(reset_after_chunks=0), api_key=key(1))

    response = chat(gateway, stream=True)
    assert response.status_code == 200
    assert response.headers["X-OmniRoute-Fallback-Attempts"] == "2"  # retried once, then next
    data = sse_data(response.text)
    assert data[-1] == "[DONE]"
    text = "".join(
        json.loads(d)["choices"][0]["delta"].get("content") or ""
        for d in data[:-1]
        if json.loads(d)["choices"]
    )
    assert text == "echo: hello there"
    assert keys_called(upstream) == [key(1), key(1), key(2)]


def test_a_stream_that_breaks_after_its_first_event_ends_in_band(gateway, upstream):
    add_accounts(gateway, upstream, 2)
    upstream.add(Behavior(chunks=["one", "two", "three"], reset_after_chunks=2), api_key=key(1))

    response = chat(gateway, stream=True)
    assert response.status_code == 200
    data = sse_data(response.text)
    assert json.loads(data[-2])["error"]["code"] == "upstream_unreachable"
    assert '"one"' in response.text and '"three"' not in response.text
    assert keys_called(upstream) == [key(1)]  # bytes reached the client: no second call
    row = gateway.last_usage_row()
    assert row.status == 502
    assert chain_of(row) == [("acct-1", "gpt-4o-mini", 200)]


# -- the client hangs up while the gateway waits to retry ----------------------------------------
def test_a_client_that_hangs_up_during_a_backoff_stops_the_attempts(gateway, upstream):
    add_accounts(gateway, upstream, 2)
    configure(gateway, comboRetries=3)  # would wait 0.25 + 0.5 + 1 s between four calls
    upstream.add(Behavior(status=500), api_key=key(1))
    body = json.dumps({"model": MINI, "messages": HELLO}).encode()
    host, port = gateway.url.removeprefix("http://").split(":")

    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
            b"\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        deadline = time.monotonic() + 5
        while not upstream.requests and time.monotonic() < deadline:
            time.sleep(0.01)
    # the socket is closed during the first backoff
    admission = gateway.app.wsgi_app
    deadline = time.monotonic() + 5
    while admission.in_flight and time.monotonic() < deadline:
        time.sleep(0.02)
    assert admission.in_flight == 0
    time.sleep(0.3)
    assert keys_called(upstream) == [key(1)]  # no retry and no other account after it left
    row = gateway.last_usage_row()
    assert row.status == 499
    assert chain_of(row) == [("acct-1", "gpt-4o-mini", 500)]


# -- what was tried is written down ---------------------------------------------------------------
def test_the_attempt_chain_records_every_call_in_order(gateway, upstream):
    add_accounts(gateway, upstream, 3)
    upstream.add(Behavior(status=429, error_message="slow down"), api_key=key(1))
    upstream.add(Behavior(status=500, error_message="boom"), api_key=key(2))

    response = chat(gateway)
    assert response.status_code == 200
    assert response.headers["X-OmniRoute-Fallback-Attempts"] == "3"  # failed calls
    assert response.headers["X-OmniRoute-Provider"] == "openai"
    row = gateway.last_usage_row()
    assert row.attempts == 4
    assert chain_of(row) == [
        ("acct-1", "gpt-4o-mini", 429),
        ("acct-2", "gpt-4o-mini", 500),
        ("acct-2", "gpt-4o-mini", 500),
        ("acct-3", "gpt-4o-mini", 200),
    ]
    entries = json.loads(row.attempt_chain)
    assert {entry["provider"] for entry in entries} == {"openai"}
    assert all(entry["ms"] >= 0 for entry in entries)
    assert "slow down" in entries[0]["error"] and "boom" in entries[1]["error"]
    assert "error" not in entries[-1]


# -- the guide's use cases -----------------------------------------------------------------------
def connect_guide_providers(gateway, upstream, providers: list[str]) -> None:
    for provider in providers:
        gateway.add_connection(upstream.url, provider=provider, name=provider, apiKey=provider)


def test_maximize_claude_subscription_then_cheap_backup_then_free(gateway, upstream):
    connect_guide_providers(gateway, upstream, ["claude-code", "glm", "ollama-local"])
    add_combo(
        gateway,
        "maximize-claude",
        ["cc/claude-opus-4-6", "glm/glm-4.7", "ollama-local/qwen2.5-coder"],
    )

    # 1. the subscription's quota is used up: glm answers, and the quota window is respected
    upstream.add(
        Behavior(
            status=429,
            error_message="Claude usage limit reached. Your limit will reset after 2h30m.",
        ),
        api_key="claude-code",
    )
    first = chat(gateway, model="maximize-claude")
    assert first.headers["X-OmniRoute-Provider"] == "glm"
    assert [r.format for r in upstream.requests] == ["anthropic", "openai"]  # each its own wire
    assert [(k, m) for k, m in calls(upstream)] == [
        ("claude-code", "claude-opus-4-6"),
        ("glm", "glm-4.7"),
    ]

    # 2. glm's balance runs out too: the local model answers; the subscription is not asked again
    upstream.requests.clear()
    upstream.add(Behavior(status=402, error_message="Insufficient balance"), api_key="glm")
    second = chat(gateway, model="maximize-claude")
    assert answered_text(second) == "echo: hello there"
    assert second.headers["X-OmniRoute-Provider"] == "ollama-local"
    assert calls(upstream) == [("glm", "glm-4.7"), ("ollama-local", "qwen2.5-coder")]

    # 3. both rest now: the next request goes straight to the free model
    upstream.requests.clear()
    third = chat(gateway, model="maximize-claude", stream=True)
    assert third.headers["X-OmniRoute-Provider"] == "ollama-local"
    assert third.headers["X-OmniRoute-Fallback-Attempts"] == "0"
    assert calls(upstream) == [("ollama-local", "qwen2.5-coder")]
    resting = {model for (_, model), left in cooling(gateway).items()}
    assert resting == {"claude-opus-4-6", None}  # cc for its model, glm's whole account
    assert max(cooling(gateway).values()) == pytest.approx(9000, abs=5)


def test_always_on_survives_four_failing_layers(slow_gateway, upstream):
    gateway = slow_gateway
    layers = ["claude-code", "codex", "glm", "minimax", "ollama-local"]
    connect_guide_providers(gateway, upstream, layers)
    add_combo(
        gateway,
        "always-on",
        [
            "cc/claude-opus-4-6",
            "cx/gpt-5.2-codex",
            "glm/glm-4.7",
            "minimax/MiniMax-M2.1",
            "ollama-local/qwen2.5-coder",
        ],
    )
    upstream.add(Behavior(status=429, headers={"Retry-After": "600"}), api_key="claude-code")
    upstream.add(Behavior(status=503, error_message="overloaded"), api_key="codex")
    upstream.add(Behavior(status=402, error_message="Insufficient balance"), api_key="glm")
    upstream.add(Behavior(delay=1.0), api_key="minimax")  # hangs past the read timeout

    for stream in (False, True):
        upstream.requests.clear()
        response = chat(gateway, model="always-on", stream=stream)
        assert response.status_code == 200
        assert "echo:" in response.text
        assert response.headers["X-OmniRoute-Provider"] == "ollama-local"
    # the second request skipped the resting layers: only codex (retried) and minimax were tried
    assert keys_called(upstream) == ["codex", "codex", "minimax", "ollama-local"]
    row = gateway.last_usage_row()
    assert [status for _, _, status in chain_of(row)] == [503, 503, 504, 200]
