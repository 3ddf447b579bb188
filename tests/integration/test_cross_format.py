"""All 16 client-format × provider-format pairs through a real gateway to the fake upstream.

The provider of each format is a provider node (`up-<format>/…`) pointing at the fake upstream;
the client side is written with the fake's independent probes (tests/fakes/probe.py), so a
translation bug cannot cancel itself out. Each pair is checked for text, streams, tool calls and
tool results, thinking, usage (no phantom tokens) and errors in the caller's own shape.
"""

from __future__ import annotations

import json

import pytest
import requests

from tests.fake_upstream import Behavior
from tests.fakes import probe
from tests.stream_samples import CUT_STREAMS, INTERLEAVED_CALLS

FORMATS = probe.FORMATS
PAIRS = [
    pytest.param(client, provider, id=f"{client}-to-{provider}")
    for client in FORMATS
    for provider in FORMATS
]
GATEWAY_PATHS = {
    "openai": "/v1/chat/completions",
    "anthropic": "/v1/messages",
    "responses": "/v1/responses",
}


@pytest.fixture
def nodes(gateway, upstream):
    """One provider node per wire format, all served by the fake upstream."""
    for fmt in FORMATS:
        gateway.add_node(f"up-{fmt}", upstream.url, fmt, f"sk-node-{fmt}")
    return gateway


def send(gateway, client: str, provider: str, turns: list, stream: bool = False):
    model = f"up-{provider}/{probe.MODEL}"
    body = probe.body_for(client, turns, stream)
    if client == "gemini":
        action = "streamGenerateContent?alt=sse" if stream else "generateContent"
        url = f"{gateway.url}/v1beta/models/{model}:{action}"
    else:
        body["model"] = model
        url = gateway.url + GATEWAY_PATHS[client]
    return requests.post(url, json=body, stream=stream, timeout=30)


def hello(client: str) -> list:
    return [probe.user_turn(client, "hello there")]


@pytest.mark.parametrize("client, provider", PAIRS)
def test_text_and_usage(nodes, upstream, client, provider):
    upstream.add(Behavior(usage=(40, 9), cached_tokens=30))
    response = send(nodes, client, provider, hello(client))
    assert response.status_code == 200, response.text
    body = response.json()
    assert probe.answer_text(client, body) == "echo: hello there"
    prompt, completion, cached, _ = probe.totals(client, body)
    assert (prompt, completion) == (40, 9)  # exactly what the provider reported
    assert cached == 30
    sent = upstream.requests_for(provider)[-1]
    assert sent.model == probe.MODEL and sent.api_key == f"sk-node-{provider}"


@pytest.mark.parametrize("client, provider", PAIRS)
def test_stream_text_and_thinking(nodes, upstream, client, provider):
    upstream.add(Behavior(thinking="pondering deeply", chunks=["one", " two", " three"]))
    response = send(nodes, client, provider, hello(client), stream=True)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/event-stream")
    text, thinking, calls = probe.streamed(client, probe.sse_events(response))
    assert text == "one two three"
    assert thinking == "pondering deeply"
    assert calls == []


@pytest.mark.parametrize("client, provider", PAIRS)
def test_tool_call_and_result_round_trip(nodes, upstream, client, provider):
    upstream.add(Behavior(tool_calls=[("get_weather", '{"city": "Paris"}')]), times=1)
    first = send(nodes, client, provider, hello(client))
    assert first.status_code == 200, first.text
    [(name, args, call_id)] = probe.answer_calls(client, first.json())
    assert (name, args) == ("get_weather", {"city": "Paris"})
    turns = hello(client) + probe.tool_round(client, name, args, call_id, "sunny and 21C")
    second = send(nodes, client, provider, turns)
    assert second.status_code == 200, second.text
    assert probe.answer_text(client, second.json()) == "tool said: sunny and 21C"
    assert "sunny and 21C" in json.dumps(upstream.requests_for(provider)[-1].body)


@pytest.mark.parametrize("client, provider", PAIRS)
def test_streamed_tool_call(nodes, upstream, client, provider):
    upstream.add(Behavior(tool_calls=[("get_weather", '{"city": "Oslo"}')]))
    response = send(nodes, client, provider, hello(client), stream=True)
    assert response.status_code == 200, response.text
    _, _, calls = probe.streamed(client, probe.sse_events(response))
    assert [(name, json.loads(args)) for name, args in calls] == [("get_weather", {"city": "Oslo"})]


ERROR_SHAPES = {
    "openai": lambda body: body["error"]["message"],
    "responses": lambda body: body["error"]["message"],
    "anthropic": lambda body: body["type"] == "error" and body["error"]["message"],
    "gemini": lambda body: body["error"]["code"] and body["error"]["message"],
}


@pytest.mark.parametrize("client, provider", PAIRS)
def test_provider_errors_reach_the_client_in_its_own_shape(nodes, upstream, client, provider):
    upstream.add(Behavior(status=429, error_message="slow down please"))
    response = send(nodes, client, provider, hello(client))
    assert response.status_code == 429
    assert "slow down please" in ERROR_SHAPES[client](response.json())


@pytest.mark.parametrize("client", FORMATS)
def test_bad_bodies_get_400_in_the_callers_shape(nodes, client):
    model = f"up-{'openai' if client != 'openai' else 'anthropic'}/{probe.MODEL}"
    url = (
        f"{nodes.url}/v1beta/models/{model}:generateContent"
        if client == "gemini"
        else nodes.url + GATEWAY_PATHS[client]
    )
    for raw in (b"{broken", b"[]"):
        response = requests.post(url, data=raw, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, (raw, response.text)
        assert ERROR_SHAPES[client](response.json())


def test_mid_stream_failure_is_an_in_band_error_in_each_format(nodes, upstream):
    for client in FORMATS:
        upstream.add(Behavior(chunks=["a", "b", "c", "d"], reset_after_chunks=3), times=1)
        response = send(nodes, client, "openai", hello(client), stream=True)
        assert response.status_code == 200
        raw = response.content.decode()
        marker = {
            "openai": '"error"',
            "anthropic": "event: error",
            "responses": "response.failed",
            "gemini": '"error"',
        }[client]
        assert marker in raw, (client, raw[-500:])


def _ends_in_error(client: str, events: list) -> bool:
    """The caller's own in-band error is the last thing, and no clean ending came before it."""
    data = [d for _, d in events]
    if client == "openai":
        finished = [
            d
            for d in data
            if isinstance(d, dict) and any(c["finish_reason"] for c in d.get("choices", []))
        ]
        return data[-1] == "[DONE]" and "error" in data[-2] and not finished
    if client == "anthropic":
        kinds = [d["type"] for d in data]
        return kinds[-1] == "error" and "message_stop" not in kinds and "message_delta" not in kinds
    if client == "responses":
        kinds = [d["type"] for d in data]
        return kinds[-1] == "response.failed" and "response.completed" not in kinds
    finished = [d for d in data if "candidates" in d and d["candidates"][0].get("finishReason")]
    return "error" in data[-1] and not finished


def test_a_stream_cut_short_ends_in_an_error_for_every_pair(nodes, upstream):
    """A clean close before [DONE] / message_stop / response.completed / finishReason is not a
    success: translated or passed through, the caller gets its own in-band error."""
    for provider, raw in CUT_STREAMS.items():
        for client in FORMATS:
            upstream.add(Behavior(raw_body=raw), times=1)
            response = send(nodes, client, provider, hello(client), stream=True)
            assert response.status_code == 200, (client, provider, response.text)
            events = probe.sse_events(response)
            assert _ends_in_error(client, events), (client, provider, events[-3:])
            text, _, _ = probe.streamed(client, [e for e in events if _not_error(client, e)])
            assert text == "hal", (client, provider)


def _not_error(client: str, event: tuple) -> bool:
    _, data = event
    return not (isinstance(data, dict) and (data.get("type") == "error" or "error" in data))


def test_interleaved_parallel_tool_calls_keep_every_argument(nodes, upstream):
    for client in FORMATS:
        upstream.add(Behavior(raw_body=INTERLEAVED_CALLS), times=1)
        response = send(nodes, client, "openai", hello(client), stream=True)
        assert response.status_code == 200, (client, response.text)
        _, _, calls = probe.streamed(client, probe.sse_events(response))
        assert [(name, json.loads(args)) for name, args in calls] == [
            ("get_weather", {"city": "Paris"}),
            ("get_time", {"zone": "CET"}),
        ], client
