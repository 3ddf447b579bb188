"""/v1/chat/completions through a real gateway to the fake upstream, with the real openai SDK."""

from __future__ import annotations

import json
import socket
import threading
import time

import openai
import pytest
import requests

from tests.fake_upstream import Behavior
from tests.gateway_harness import start_gateway

MODEL = "openai/gpt-4o-mini"
HELLO = [{"role": "user", "content": "hello there"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get weather",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
        },
    },
}


def sdk(gateway, **kwargs) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.v1, api_key="unused-on-loopback", max_retries=0, **kwargs)


def usage_rows(gateway):
    from omniroute.store.usage_queries import recent_usage

    gateway.flush_usage()
    with gateway.services.database.connection_context():
        return list(reversed(recent_usage(100)))


def test_non_streaming_completion_and_usage_is_recorded(connected, upstream):
    connection_id = connected.add_connection(upstream.url, name="second", priority=5)["id"]
    listed = connected.admin().get(connected.url + "/api/providers").json()["data"]
    [first_id] = [c["id"] for c in listed if c["id"] != connection_id]
    reply = sdk(connected).chat.completions.create(model=MODEL, messages=HELLO)
    assert reply.choices[0].message.content == "echo: hello there"
    assert reply.usage.prompt_tokens == 11
    sent = upstream.chat_requests()[-1]
    assert sent.body["model"] == "gpt-4o-mini"  # the prefix is stripped for the provider
    assert sent.api_key == "sk-test-key-0001"
    assert sent.body["messages"] == HELLO
    row = usage_rows(connected)[-1]
    assert (row.provider, row.model, row.requested_model) == ("openai", "gpt-4o-mini", MODEL)
    assert row.connection_id == first_id  # the account that answered (priority 0)
    assert (row.status, row.prompt_tokens, row.completion_tokens, row.stream) == (200, 11, 7, False)
    assert row.latency_ms > 0 and row.ttft_ms is not None


def test_streaming_completion_without_usage_requested(connected, upstream):
    chunks = list(sdk(connected).chat.completions.create(model=MODEL, messages=HELLO, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "echo: hello there"
    assert all(c.usage is None for c in chunks)  # the gateway's own usage chunk is not shown
    assert upstream.chat_requests()[-1].body["stream_options"] == {"include_usage": True}
    row = usage_rows(connected)[-1]
    assert (row.stream, row.prompt_tokens, row.completion_tokens) == (True, 11, 7)
    assert row.ttft_ms is not None


def test_streaming_include_usage_is_honoured(connected, upstream):
    chunks = list(
        sdk(connected).chat.completions.create(
            model=MODEL, messages=HELLO, stream=True, stream_options={"include_usage": True}
        )
    )
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 7
    assert chunks[-1].choices == []


def test_tools_pass_through_non_streaming(connected, upstream):
    upstream.add(Behavior(tool_calls=[("get_weather", '{"location": "Paris"}')]))
    reply = sdk(connected).chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "weather in Paris?"}],
        tools=[WEATHER_TOOL],
        tool_choice="auto",
    )
    call = reply.choices[0].message.tool_calls[0]
    assert (call.function.name, json.loads(call.function.arguments)) == (
        "get_weather",
        {"location": "Paris"},
    )
    assert reply.choices[0].finish_reason == "tool_calls"
    sent = upstream.chat_requests()[-1].body
    assert sent["tools"] == [WEATHER_TOOL] and sent["tool_choice"] == "auto"


def test_tool_results_and_streamed_tool_calls(connected, upstream):
    upstream.add(Behavior(tool_calls=[("get_weather", '{"location": "Paris"}')]))
    messages = [
        {"role": "user", "content": "weather in Paris?"},
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
    ]
    with sdk(connected).chat.completions.stream(
        model=MODEL, messages=messages, tools=[WEATHER_TOOL]
    ) as stream:
        final = stream.get_final_completion()
    assert final.choices[0].message.tool_calls[0].function.name == "get_weather"
    assert upstream.chat_requests()[-1].body["messages"] == messages


def test_chunks_reach_the_client_as_they_are_produced(connected, upstream):
    upstream.add(Behavior(chunks=["a", "b", "c", "d"], chunk_interval=0.4))
    arrivals = []
    stream = sdk(connected).chat.completions.create(model=MODEL, messages=HELLO, stream=True)
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            arrivals.append((time.monotonic(), chunk.choices[0].delta.content))
    assert [text for _, text in arrivals] == ["a", "b", "c", "d"]
    sent = {text: at for at, text in upstream.stream_log}
    first_arrival = arrivals[0][0]
    last_sent = sent[json.dumps([{"index": 0, "delta": {"content": "d"}, "finish_reason": None}])]
    # "a" reached the client long before the upstream even produced "d": nothing was buffered.
    assert first_arrival < last_sent - 0.8
    assert arrivals[-1][0] - arrivals[0][0] >= 1.0


def test_bare_model_goes_to_the_only_connection(connected, upstream):
    reply = sdk(connected).chat.completions.create(model="my-local-model", messages=HELLO)
    assert reply.choices[0].message.content == "echo: hello there"
    assert upstream.chat_requests()[-1].body["model"] == "my-local-model"


def test_unknown_model_with_several_connections_is_404(connected, upstream):
    connected.add_connection(upstream.url, provider="groq", name="second")
    with pytest.raises(openai.NotFoundError) as caught:
        sdk(connected).chat.completions.create(model="no-such-model", messages=HELLO)
    assert caught.value.body["code"] == "model_not_found"


def test_no_active_connection_is_503(gateway, upstream):
    response = requests.post(
        gateway.v1 + "/chat/completions", json={"model": MODEL, "messages": HELLO}
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "no_active_connection"


@pytest.mark.parametrize(
    "body, param",
    [
        (b"{not json", None),
        (b"[1, 2]", None),
        (json.dumps({"messages": HELLO}).encode(), "model"),
        (json.dumps({"model": MODEL}).encode(), "messages"),
        (json.dumps({"model": MODEL, "messages": HELLO, "stream": "yes"}).encode(), "stream"),
    ],
)
def test_bad_bodies_are_400_in_openai_shape(connected, body, param):
    response = requests.post(
        connected.v1 + "/chat/completions", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"]
    assert error.get("param") == param


LIMIT = 2048
OVER_LIMIT_SHAPES = [  # path, and how each wire format says "413, too large"
    ("/v1/chat/completions", lambda body: body["error"]["code"] == "request_too_large"),
    (
        "/v1/messages?beta=true",
        lambda body: body["type"] == "error" and body["error"]["type"] == "request_too_large",
    ),
    (
        "/v1beta/models/gemini-2.5-flash:generateContent",
        lambda body: body["error"]["code"] == 413 and body["error"]["status"],
    ),
]


def _chunked(total: int):
    for _ in range(total // 512):
        yield b"x" * 512


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(lambda: b"x" * (LIMIT * 3 // 2), id="1.5x"),
        pytest.param(lambda: b"x" * (LIMIT * 3), id="3x"),
        pytest.param(lambda: b"x" * (LIMIT * 20), id="20x"),
        pytest.param(lambda: _chunked(LIMIT * 4), id="chunked-4x"),
    ],
)
def test_body_over_the_limit_is_413_in_the_callers_shape(tmp_path, upstream, body):
    gateway = start_gateway(str(tmp_path / "small"), MAX_BODY_BYTES=LIMIT)
    try:
        gateway.add_connection(upstream.url)
        for path, says_too_large in OVER_LIMIT_SHAPES:
            headers = {"Content-Type": "application/json"}
            # the timeout fails a hung connection; a reset would raise ConnectionError
            response = requests.post(gateway.url + path, data=body(), headers=headers, timeout=5)
            assert response.status_code == 413, (path, response.text)
            assert response.headers["Content-Type"] == "application/json", path
            payload = response.json()
            assert says_too_large(payload), (path, payload)
            assert f"larger than {LIMIT} bytes" in json.dumps(payload)
        assert upstream.requests == []
        small = {"model": MODEL, "messages": HELLO}
        assert requests.post(gateway.v1 + "/chat/completions", json=small).status_code == 200
    finally:
        gateway.stop()


def test_a_chunked_body_just_under_the_limit_is_accepted(tmp_path, upstream):
    gateway = start_gateway(str(tmp_path / "small"), MAX_BODY_BYTES=LIMIT)
    try:
        gateway.add_connection(upstream.url)
        text = json.dumps({"model": MODEL, "messages": HELLO}).encode()
        padded = text[:-1] + b" " * (LIMIT - len(text)) + b"}"  # exactly LIMIT bytes

        def pieces():  # many small chunks: their framing alone passes the limit
            for start in range(0, len(padded), 16):
                yield padded[start : start + 16]

        response = requests.post(gateway.v1 + "/chat/completions", data=pieces(), timeout=5)
        assert response.status_code == 200, response.text
    finally:
        gateway.stop()


def test_upstream_4xx_is_passed_on_with_its_message(connected, upstream):
    upstream.add(Behavior(status=401, error_message="Incorrect API key provided: sk-te***"))
    with pytest.raises(openai.AuthenticationError) as caught:
        sdk(connected).chat.completions.create(model=MODEL, messages=HELLO)
    assert "Incorrect API key provided" in caught.value.message
    assert usage_rows(connected)[-1].status == 401


def test_upstream_429_keeps_retry_after(connected, upstream):
    upstream.add(Behavior(status=429, error_message="slow down", headers={"Retry-After": "7"}))
    response = requests.post(
        connected.v1 + "/chat/completions", json={"model": MODEL, "messages": HELLO}
    )
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert "slow down" in response.json()["error"]["message"]


def test_unreachable_upstream_is_502_naming_the_provider(gateway, upstream):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    gateway.add_connection(f"http://127.0.0.1:{dead_port}/v1")
    response = requests.post(
        gateway.v1 + "/chat/completions", json={"model": MODEL, "messages": HELLO}
    )
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "upstream_unreachable" and "'openai'" in error["message"]


def test_slow_upstream_is_504(tmp_path, upstream):
    gateway = start_gateway(str(tmp_path / "slow"), UPSTREAM_READ_TIMEOUT=0.3)
    try:
        gateway.add_connection(upstream.url)
        upstream.add(Behavior(delay=1.5))
        response = requests.post(
            gateway.v1 + "/chat/completions", json={"model": MODEL, "messages": HELLO}
        )
        assert response.status_code == 504
        error = response.json()["error"]
        assert error["code"] == "upstream_timeout" and "'openai'" in error["message"]
    finally:
        gateway.stop()


def test_failed_account_falls_back_to_the_next_one(connected, upstream):
    connected.add_connection(upstream.url, name="backup", apiKey="sk-backup-key-2", priority=5)
    upstream.add(Behavior(status=500), api_key="sk-test-key-0001")
    reply = sdk(connected).chat.completions.create(model=MODEL, messages=HELLO)
    assert reply.choices[0].message.content == "echo: hello there"
    keys = [r.api_key for r in upstream.chat_requests()]
    # a 500 is transient: the same account once more (the default one retry), then the next
    assert keys == ["sk-test-key-0001", "sk-test-key-0001", "sk-backup-key-2"]


def test_a_400_from_the_request_does_not_fall_back(connected, upstream):
    connected.add_connection(upstream.url, name="backup", apiKey="sk-backup-key-2", priority=5)
    upstream.add(Behavior(status=400, error_message="bad parameter"))
    with pytest.raises(openai.BadRequestError):
        sdk(connected).chat.completions.create(model=MODEL, messages=HELLO)
    assert len(upstream.chat_requests()) == 1


def test_mid_stream_reset_becomes_an_in_band_error(connected, upstream):
    upstream.add(Behavior(chunks=["one", "two", "three"], reset_after_chunks=2))
    response = requests.post(
        connected.v1 + "/chat/completions",
        stream=True,
        json={"model": MODEL, "messages": HELLO, "stream": True},
    )
    assert response.status_code == 200
    events = [e for e in response.text.split("\n\n") if e.strip()]
    assert events[-1] == "data: [DONE]"
    error = json.loads(events[-2][len("data: ") :])["error"]
    assert error["code"] == "upstream_unreachable"
    assert '"one"' in response.text
    assert usage_rows(connected)[-1].status == 502


def test_stream_that_breaks_before_its_first_byte_falls_back(connected, upstream):
    connected.add_connection(upstream.url, name="backup", apiKey="sk-backup-key-2", priority=5)
    upstream.add(Behavior(reset_after_chunks=0), api_key="sk-test-key-0001")
    chunks = list(sdk(connected).chat.completions.create(model=MODEL, messages=HELLO, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    keys = [r.api_key for r in upstream.chat_requests()]
    # a 500 is transient: the same account once more (the default one retry), then the next
    assert keys == ["sk-test-key-0001", "sk-test-key-0001", "sk-backup-key-2"]


def test_client_disconnect_closes_the_upstream_and_frees_the_slot(connected, upstream, monkeypatch):
    # Keep every upstream response referenced (as a cache, a traceback or a cycle might), so the
    # socket closes only when the gateway closes it, never as a side effect of garbage collection.
    client, kept = connected.services.upstream.direct, []  # the transport of route-less calls
    send = client._send
    monkeypatch.setattr(client, "_send", lambda *args: kept.append(send(*args)) or kept[-1])
    upstream.add(Behavior(chunks=[f"c{i}" for i in range(50)], chunk_interval=0.1))  # 5 s
    body = json.dumps({"model": MODEL, "messages": HELLO, "stream": True}).encode()
    host, port = connected.url.replace("http://", "").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: "
        b"application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    assert b"200 OK" in sock.recv(4096)
    sock.close()
    hung_up = time.monotonic()
    deadline = hung_up + 3
    while time.monotonic() < deadline and not upstream.aborted_streams:
        time.sleep(0.02)
    # The gateway closed its upstream connection within a few chunks of the client leaving,
    # long before the 5-second stream would have ended on its own.
    assert upstream.aborted_streams, "the gateway kept the upstream stream open"
    [(closed_at, events_sent)] = upstream.aborted_streams
    assert closed_at - hung_up < 1.5 and events_sent < 20
    admission = connected.app.wsgi_app
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and admission.in_flight:
        time.sleep(0.05)
    assert admission.in_flight == 0
    row = usage_rows(connected)[-1]
    assert row.status == 499


def test_admission_control_answers_503_when_full(tmp_path, upstream):
    gateway = start_gateway(str(tmp_path / "full"), THREADS=8, MAX_IN_FLIGHT=2)
    try:
        gateway.add_connection(upstream.url)
        upstream.add(Behavior(chunks=["x"] * 10, chunk_interval=0.2))
        payload = {"model": MODEL, "messages": HELLO, "stream": True}
        holders = [
            requests.post(gateway.v1 + "/chat/completions", json=payload, stream=True)
            for _ in range(2)
        ]
        refused = requests.post(gateway.v1 + "/chat/completions", json=payload)
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "1"
        assert refused.json()["error"]["code"] == "server_overloaded"
        assert requests.get(gateway.url + "/health").status_code == 200  # dashboard side still up
        for holder in holders:
            assert holder.status_code == 200
            holder.close()
    finally:
        gateway.stop()


@pytest.mark.parametrize("path", ["/chat/completions", "/v1/v1/chat/completions"])
def test_unprefixed_and_doubled_paths_work(connected, path):
    response = requests.post(connected.url + path, json={"model": MODEL, "messages": HELLO})
    assert response.status_code == 200
    assert response.json()["choices"][0]["message"]["content"] == "echo: hello there"


def test_models_lists_connected_providers(connected):
    ids = [m.id for m in sdk(connected).models.list()]
    assert "openai/gpt-4o-mini" in ids
    assert not any(i.startswith("groq/") for i in ids)


def test_head_root_and_health_need_no_login(gateway):
    assert requests.head(gateway.url + "/").status_code == 200
    health = requests.get(gateway.url + "/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"


def test_many_concurrent_streams_all_complete(connected, upstream):
    upstream.add(Behavior(chunks=["p", "q", "r"], chunk_interval=0.05))
    results = []

    def one():
        chunks = sdk(connected).chat.completions.create(model=MODEL, messages=HELLO, stream=True)
        results.append("".join(c.choices[0].delta.content or "" for c in chunks if c.choices))

    threads = [threading.Thread(target=one) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == ["pqr"] * 30


def test_answers_say_which_provider_and_model_answered(connected, upstream):
    connected.add_connection(upstream.url, name="backup", apiKey="sk-backup-key-2", priority=5)
    upstream.add(Behavior(status=503), api_key="sk-test-key-0001")
    for stream in (False, True):
        response = requests.post(
            connected.v1 + "/chat/completions",
            stream=stream,
            json={"model": MODEL, "messages": HELLO, "stream": stream},
        )
        assert response.status_code == 200
        assert response.headers["X-OmniRoute-Provider"] == "openai"
        assert response.headers["X-OmniRoute-Model"] == "gpt-4o-mini"
        # the 503 is tried twice (one same-target retry), then the backup answers
        assert response.headers["X-OmniRoute-Fallback-Attempts"] == "2"
        response.close()
