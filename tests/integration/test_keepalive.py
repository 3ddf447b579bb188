"""SSE keep-alive comments while a streamed request waits for a slow provider, through a real
gateway (STREAM_KEEPALIVE_SECONDS=0.2) and the fake upstream's delays: the client hears
`: keep-alive` (a Gemini client: blank lines) before the first event, the answer (or the
failure, as the stream's in-band error event) follows, fallback still happens behind the
comments, and the SDKs ignore the comments."""

from __future__ import annotations

import time

import anthropic
import openai
import pytest
import requests

from tests.client_requests import FORMATS, add_nodes, node_model
from tests.fake_upstream import Behavior
from tests.fakes import probe
from tests.gateway_harness import start_gateway

KEEPALIVE = ": keep-alive"
SLOW = 1.5  # seconds the provider keeps silent: several keep-alive intervals
PATHS = {
    "openai": "/v1/chat/completions",
    "anthropic": "/v1/messages",
    "responses": "/v1/responses",
}


@pytest.fixture(scope="module")
def slow_gateway(tmp_path_factory, upstream_server):
    running = start_gateway(
        str(tmp_path_factory.mktemp("keepalive") / "data"), STREAM_KEEPALIVE_SECONDS=0.2
    )
    add_nodes(running, upstream_server.url)
    yield running
    running.stop()


@pytest.fixture
def keepalive_gateway(slow_gateway, upstream):
    """The module's gateway, the fake upstream reset for this test."""
    return slow_gateway


def stream(gateway, client: str, provider: str, text: str = "hello there"):
    model = node_model(provider)
    body = probe.ask_body(client, model, text, stream=True)
    if client == "gemini":
        url = f"{gateway.url}/v1beta/models/{model}:streamGenerateContent?alt=sse"
        body.pop("model", None)
    else:
        url = gateway.url + PATHS[client]
    return requests.post(url, json=body, stream=True, timeout=30)


def events_of(response) -> list:
    return [event for event in probe.sse_events(response) if event != (None, None)]


def before_first_event(text: str) -> str:
    starts = [text.find(mark) for mark in ("data:", "event:") if mark in text]
    return text[: min(starts)] if starts else text


def assert_kept_alive(client: str, text: str) -> None:
    """Keep-alives came before the first event: `: keep-alive` comments, or for a Gemini client
    blank lines (Google's stream readers stall on a comment)."""
    if client == "gemini":
        assert before_first_event(text).startswith("\n") and KEEPALIVE not in text
    else:
        assert KEEPALIVE in before_first_event(text)


@pytest.mark.parametrize("client", FORMATS)
@pytest.mark.parametrize(
    "slow",
    [Behavior(first_event_delay=SLOW), Behavior(delay=SLOW)],
    ids=["first-event-late", "headers-late"],
)
def test_a_slow_provider_gets_keepalives_before_the_first_event(
    keepalive_gateway, upstream, client, slow
):
    upstream.add(slow)
    response = stream(keepalive_gateway, client, "openai")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    text = response.content.decode()
    assert_kept_alive(client, text)
    assert probe.streamed(client, events_of(response))[0] == "echo: hello there"
    assert len(upstream.requests) == 1


@pytest.mark.parametrize("client", FORMATS)
def test_a_failure_after_keepalives_is_the_streams_error_event(keepalive_gateway, upstream, client):
    upstream.add(Behavior(delay=SLOW, status=400, error_message="the provider refused it"))
    response = stream(keepalive_gateway, client, client)
    assert response.status_code == 200  # committed by the first comment
    text = response.content.decode()
    assert_kept_alive(client, text)
    assert "the provider refused it" in text
    assert "error" in text
    row = usage_rows(keepalive_gateway)[-1]
    assert row.status == 400 and "refused" in row.error


def test_fallback_goes_on_behind_the_keepalives(keepalive_gateway, upstream):
    keepalive_gateway.add_connection(
        upstream.url, name="ka first", apiKey="sk-ka-first", priority=0
    )
    keepalive_gateway.add_connection(
        upstream.url, name="ka second", apiKey="sk-ka-second", priority=5
    )
    upstream.add(Behavior(delay=SLOW, status=429), api_key="sk-ka-first")
    body = probe.ask_body("openai", "openai/gpt-4o", "hello there", stream=True)
    response = requests.post(
        keepalive_gateway.url + "/v1/chat/completions", json=body, stream=True, timeout=30
    )
    text = response.content.decode()
    assert KEEPALIVE in before_first_event(text)
    assert probe.streamed("openai", events_of(response))[0] == "echo: hello there"
    assert [r.api_key for r in upstream.requests] == ["sk-ka-first", "sk-ka-second"]
    row = usage_rows(keepalive_gateway)[-1]
    assert (row.status, row.attempts) == (200, 2)


def test_a_quick_stream_decides_its_headers_as_before(keepalive_gateway, upstream):
    response = stream(keepalive_gateway, "openai", "openai")
    assert response.headers["X-OmniRoute-Provider"] == "edge-openai"
    assert KEEPALIVE not in response.content.decode()


def test_the_sdks_ignore_the_comments(keepalive_gateway, upstream):
    upstream.add(Behavior(first_event_delay=SLOW))
    client = openai.OpenAI(base_url=keepalive_gateway.v1, api_key="unused", max_retries=0)
    chunks = client.chat.completions.create(
        model=node_model("openai"),
        messages=[{"role": "user", "content": "hello there"}],
        stream=True,
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == (
        "echo: hello there"
    )
    upstream.add(Behavior(first_event_delay=SLOW))
    claude = anthropic.Anthropic(base_url=keepalive_gateway.url, api_key="unused", max_retries=0)
    with claude.messages.stream(
        model=node_model("anthropic"),
        max_tokens=64,
        messages=[{"role": "user", "content": "hello there"}],
    ) as answer:
        assert "".join(answer.text_stream) == "echo: hello there"


def test_a_client_that_leaves_while_waiting_is_recorded(keepalive_gateway, upstream):
    upstream.add(Behavior(delay=SLOW))
    response = stream(keepalive_gateway, "openai", "openai")
    first = next(response.iter_content(chunk_size=None))
    assert first.startswith(KEEPALIVE.encode())
    response.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rows = usage_rows(keepalive_gateway)
        if rows and rows[-1].status == 499:
            break
        time.sleep(0.1)
    assert rows[-1].status == 499
    assert rows[-1].provider == "edge-openai"


def usage_rows(gateway):
    from omniroute.store.usage_queries import recent_usage

    gateway.flush_usage()
    with gateway.services.database.connection_context():
        return list(reversed(recent_usage(100)))
