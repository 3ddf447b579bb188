"""Progress events through a real gateway (PROGRESS_INTERVAL_SECONDS=0.05) and the fake upstream
streaming slowly: with `X-OmniRoute-Progress: true` every client format gets them on the wire in
its own form (a `: progress {...}` comment; a `data: {"progress": {...}}` chunk for Gemini), with
tokens and elapsed ms that grow, on the passthrough and the translated path and in place of the
keep-alive comments while a provider is silent; the answer's text stays whole; the openai SDK
(Chat and Responses) and the anthropic SDK (with strict response validation) read such streams
without an error or an unknown event. Without the header nothing changes."""

from __future__ import annotations

import json
import re

import anthropic
import httpx2
import openai
import pytest
import requests

from tests.client_requests import FORMATS, add_nodes, node_model
from tests.fake_upstream import Behavior
from tests.fakes import probe
from tests.gateway_harness import start_gateway

PROGRESS = {"X-OmniRoute-Progress": "true"}
PATHS = {
    "openai": "/v1/chat/completions",
    "anthropic": "/v1/messages",
    "responses": "/v1/responses",
}
CHUNKS = [f"piece-{n:02d} of the answer, " for n in range(8)]
TEXT = "".join(CHUNKS)
EVENT_END = re.compile(r"\r\n\r\n|\n\n")


def slow_stream() -> Behavior:
    return Behavior(chunks=CHUNKS, chunk_interval=0.1)


@pytest.fixture(scope="module")
def progress_gateway(tmp_path_factory, upstream_server):
    running = start_gateway(
        str(tmp_path_factory.mktemp("progress") / "data"),
        PROGRESS_INTERVAL_SECONDS=0.05,
        STREAM_KEEPALIVE_SECONDS=0.2,
    )
    add_nodes(running, upstream_server.url)
    yield running
    running.stop()


@pytest.fixture
def gateway(progress_gateway, upstream):
    """The module's gateway, the fake upstream reset for this test."""
    return progress_gateway


def post(gateway, client: str, provider: str, headers: dict, stream: bool = True):
    model = node_model(provider)
    body = probe.ask_body(client, model, "hello there", stream=stream)
    if client == "gemini":
        action = "streamGenerateContent?alt=sse" if stream else "generateContent"
        url = f"{gateway.url}/v1beta/models/{model}:{action}"
        body.pop("model", None)
    else:
        url = gateway.url + PATHS[client]
    return requests.post(url, json=body, headers=headers, stream=stream, timeout=30)


def split(raw: str) -> tuple[list[dict], list[tuple[str | None, dict | str]]]:
    """(the progress payloads, the other events as (name, data)) of a raw SSE body."""
    progress, events = [], []
    for block in filter(str.strip, EVENT_END.split(raw)):
        name, data = None, None
        for line in block.splitlines():
            if line.startswith(": progress "):
                progress.append(json.loads(line[len(": progress ") :]))
            elif line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                text = line[len("data: ") :]
                data = text if text == "[DONE]" else json.loads(text)
        if isinstance(data, dict) and set(data) == {"progress"}:
            progress.append(data["progress"])
        elif data is not None:
            events.append((name, data))
    return progress, events


def assert_growing(progress: list[dict], tokens_grow: bool = True) -> None:
    assert len(progress) >= 2, progress
    assert all(set(p) == {"tokens", "elapsed_ms"} for p in progress)
    tokens = [p["tokens"] for p in progress]
    elapsed = [p["elapsed_ms"] for p in progress]
    assert tokens == sorted(tokens) and elapsed == sorted(elapsed)
    assert elapsed[-1] > elapsed[0]
    if tokens_grow:
        assert tokens[-1] > tokens[0]


def other(fmt: str) -> str:
    return "openai" if fmt == "anthropic" else "anthropic"


@pytest.mark.parametrize("path", ["passthrough", "translated"])
@pytest.mark.parametrize("client", FORMATS)
def test_progress_events_in_each_formats_form(gateway, upstream, client, path):
    upstream.add(slow_stream())
    provider = client if path == "passthrough" else other(client)
    response = post(gateway, client, provider, PROGRESS)
    assert response.status_code == 200, response.text
    raw = response.content.decode()
    progress, events = split(raw)
    assert_growing(progress)
    assert probe.streamed(client, events)[0] == TEXT
    if client == "gemini":
        assert ": progress" not in raw  # a comment would stall Google's stream readers
    else:
        assert '"progress"' not in raw.replace(": progress {", "")  # comments only


@pytest.mark.parametrize("client", FORMATS)
def test_progress_events_stand_in_for_the_keepalives(gateway, upstream, client):
    upstream.add(Behavior(first_event_delay=1.0))
    response = post(gateway, client, client, PROGRESS)
    assert response.status_code == 200
    raw = response.content.decode()
    assert ": keep-alive" not in raw
    progress, events = split(raw)
    assert_growing(progress, tokens_grow=False)
    assert progress[0]["tokens"] == 0  # nothing streamed yet
    assert probe.streamed(client, events)[0] == "echo: hello there"


def test_without_the_header_nothing_changes(gateway, upstream):
    upstream.add(slow_stream())
    raw = post(gateway, "openai", "openai", {}).content.decode()
    assert "progress" not in raw
    assert probe.streamed("openai", split(raw)[1])[0] == TEXT


def test_a_request_that_is_not_streamed_is_answered_as_always(gateway, upstream):
    response = post(gateway, "anthropic", "openai", PROGRESS, stream=False)
    assert response.status_code == 200
    assert response.json()["content"][0]["text"] == "echo: hello there"


class TeeStream(httpx2.SyncByteStream):
    def __init__(self, inner, wire: bytearray):
        self.inner, self.wire = inner, wire

    def __iter__(self):
        for part in self.inner:
            self.wire.extend(part)
            yield part

    def close(self) -> None:
        self.inner.close()


class TeeTransport(httpx2.HTTPTransport):
    """Keeps a copy of every answer's bytes as the SDK reads them (the raw wire)."""

    def __init__(self) -> None:
        super().__init__()
        self.wire = bytearray()

    def handle_request(self, request):
        response = super().handle_request(request)
        response.stream = TeeStream(response.stream, self.wire)
        return response


def wire_progress(transport: TeeTransport) -> list[dict]:
    return split(transport.wire.decode())[0]


def openai_client(gateway, transport: TeeTransport) -> openai.OpenAI:
    """The openai SDK asking for progress, its wire copied into `transport`."""
    return openai.OpenAI(
        base_url=gateway.v1,
        api_key="unused",
        max_retries=0,
        default_headers=PROGRESS,
        http_client=httpx2.Client(transport=transport),
    )


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_the_openai_sdk_reads_a_chat_stream_with_progress(gateway, upstream, provider):
    upstream.add(slow_stream())
    transport = TeeTransport()
    client = openai_client(gateway, transport)
    chunks = list(
        client.chat.completions.create(
            model=node_model(provider),
            messages=[{"role": "user", "content": "hello there"}],
            stream=True,
        )
    )
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == TEXT
    assert_growing(wire_progress(transport))


@pytest.mark.parametrize("provider", ["responses", "anthropic"])
def test_the_openai_sdk_reads_a_responses_stream_with_progress(gateway, upstream, provider):
    upstream.add(slow_stream())
    transport = TeeTransport()
    client = openai_client(gateway, transport)
    events = list(
        client.responses.create(model=node_model(provider), input="hello there", stream=True)
    )
    assert all(event.type.startswith("response.") for event in events)
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == TEXT
    assert events[-1].type == "response.completed"
    assert_growing(wire_progress(transport))


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_the_anthropic_sdk_reads_a_stream_with_progress_strictly(gateway, upstream, provider):
    transport = TeeTransport()
    client = anthropic.Anthropic(
        base_url=gateway.url,
        api_key="unused",
        max_retries=0,
        default_headers=PROGRESS,
        http_client=httpx2.Client(transport=transport),
        _strict_response_validation=True,
    )
    question = {
        "model": node_model(provider),
        "max_tokens": 64,
        "messages": [{"role": "user", "content": "hello there"}],
    }
    upstream.add(slow_stream())
    raw_events = list(client.messages.create(**question, stream=True))
    known = {
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    }
    assert {event.type for event in raw_events} <= known
    assert_growing(wire_progress(transport))
    upstream.add(slow_stream())
    with client.messages.stream(**question) as answer:
        assert answer.get_final_text() == TEXT
