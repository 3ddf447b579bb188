"""POST /v1/messages/count_tokens through a real gateway: the API key's allowed models apply as on
/v1/messages, the provider's own counter answers when it has one (Anthropic count_tokens on the
fake upstream; Gemini countTokens and OpenAI Responses input_tokens on a small counting server
of this file), and otherwise the documented estimate comes back marked `x-omniroute-estimate`."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

COUNT_PATH = "/v1/messages/count_tokens"
HELLO = [{"role": "user", "content": "hello there"}]  # 11 characters: 3 tokens + 3 framing
HELLO_ESTIMATE = 6


class CountingServer:
    """A real HTTP server on 127.0.0.1 answering Gemini `:countTokens` with `totalTokens` and
    Responses `/responses/input_tokens` with `input_tokens`; it records what it was sent.
    `status` makes every answer that error status instead."""

    def __init__(self):
        self.received: list[tuple[str, dict, dict]] = []  # (path, headers, body)
        self.status = 200
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                headers = {k.lower(): v for k, v in self.headers.items()}
                owner.received.append((self.path, headers, body))
                if owner.status != 200:
                    status, answer = owner.status, {"error": {"code": owner.status}}
                elif self.path.endswith(":countTokens"):
                    status, answer = 200, {"totalTokens": 1234, "promptTokensDetails": []}
                elif self.path.endswith("/responses/input_tokens"):
                    status, answer = 200, {"object": "response.input_tokens", "input_tokens": 777}
                else:
                    status, answer = 404, {"error": "no such path"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def counter():
    server = CountingServer()
    yield server
    server.stop()


@pytest.fixture
def counting(connected, counter):
    """The gateway with OpenAI on the fake upstream and Gemini and Codex on the counting server."""
    connected.add_connection(counter.url + "/gm", provider="gemini", apiKey="gm-key-0001")
    connected.add_connection(counter.url + "/cx", provider="codex", apiKey="cx-key-0001")
    return connected


def count(gateway, model: str, headers=None, **fields) -> requests.Response:
    body = {"model": model, "messages": HELLO, **fields}
    return requests.post(gateway.url + COUNT_PATH, json=body, headers=headers, timeout=30)


def create_key(gateway, **options) -> str:
    with gateway.admin() as session:
        response = session.post(gateway.url + "/api/keys", json={"name": "limited", **options})
    assert response.status_code == 201, response.text
    return response.json()["key"]


def test_count_tokens_applies_the_keys_allowed_models(connected, upstream):
    connected.add_connection(upstream.url, provider="anthropic")
    key = create_key(connected, allowedModels=["openai/gpt-4o-mini"])
    messages = {"model": "anthropic/claude-sonnet-4-5", "max_tokens": 16, "messages": HELLO}
    refused_chat = requests.post(
        connected.v1 + "/messages", json=messages, headers={"x-api-key": key}
    )
    assert refused_chat.status_code == 403
    for headers in ({"x-api-key": key}, {"Authorization": f"Bearer {key}"}):
        refused = count(connected, "anthropic/claude-sonnet-4-5", headers)
        assert refused.status_code == 403, refused.text
        assert refused.json()["type"] == "error"
        assert refused.json()["error"]["type"] == "permission_error"
        assert "anthropic/claude-sonnet-4-5" in refused.json()["error"]["message"]
    assert not [r for r in upstream.requests if r.route.action == "count_tokens"]
    allowed = count(connected, "openai/gpt-4o-mini", {"x-api-key": key})
    assert allowed.status_code == 200 and allowed.json() == {"input_tokens": HELLO_ESTIMATE}


def test_anthropic_provider_counts_itself(connected, upstream):
    connected.add_connection(upstream.url, provider="anthropic")
    response = count(connected, "anthropic/claude-sonnet-4-5", system="be brief")
    assert response.status_code == 200, response.text
    assert "x-omniroute-estimate" not in response.headers
    sent = [r for r in upstream.requests if r.route.action == "count_tokens"]
    assert len(sent) == 1 and sent[0].body["model"] == "claude-sonnet-4-5"
    assert sent[0].body["system"] == "be brief"
    assert response.json()["input_tokens"] >= 1


def test_gemini_provider_counts_with_count_tokens(counting, counter):
    response = count(counting, "gemini/gemini-2.5-flash", system="be brief")
    assert response.status_code == 200, response.text
    assert response.json() == {"input_tokens": 1234}
    assert "x-omniroute-estimate" not in response.headers
    [(path, headers, body)] = counter.received
    assert path == "/gm/models/gemini-2.5-flash:countTokens"
    assert headers["x-goog-api-key"] == "gm-key-0001"
    request = body["generateContentRequest"]
    assert request["model"] == "models/gemini-2.5-flash"
    assert request["contents"] == [{"role": "user", "parts": [{"text": "hello there"}]}]
    assert request["systemInstruction"]["parts"] == [{"text": "be brief"}]


def test_responses_provider_counts_with_input_tokens(counting, counter):
    response = count(counting, "cx/gpt-5.2-codex", system="be brief", max_tokens=64)
    assert response.status_code == 200, response.text
    assert response.json() == {"input_tokens": 777}
    assert "x-omniroute-estimate" not in response.headers
    [(path, headers, body)] = counter.received
    assert path == "/cx/responses/input_tokens"
    assert headers["authorization"] == "Bearer cx-key-0001"
    assert body["model"] == "gpt-5.2-codex" and body["instructions"] == "be brief"
    assert "hello there" in json.dumps(body["input"])
    assert not {"stream", "max_output_tokens", "store"} & set(body)


@pytest.mark.parametrize("model", ["gemini/gemini-2.5-flash", "cx/gpt-5.2-codex"])
def test_a_failing_counter_falls_back_to_the_estimate(counting, counter, model):
    counter.status = 500
    response = count(counting, model)
    assert response.status_code == 200, response.text
    assert response.json() == {"input_tokens": HELLO_ESTIMATE}
    assert response.headers["x-omniroute-estimate"] == "true"
    assert len(counter.received) == 1  # it did ask


def test_a_provider_without_a_counter_gets_the_estimate(connected, upstream):
    response = count(connected, "openai/gpt-4o-mini", system="12345678")  # +2 tokens
    assert response.status_code == 200, response.text
    assert response.json() == {"input_tokens": HELLO_ESTIMATE + 2}
    assert response.headers["x-omniroute-estimate"] == "true"
    assert not upstream.requests  # nothing to ask
