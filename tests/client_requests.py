"""Requests to every client-API endpoint in its own wire format, and checks of the caller-shaped
error answers, for the edge and fuzz tests (tests/integration/test_client_edge.py and
test_client_fuzz.py).

`add_nodes` makes one provider node per wire format (`edge-<format>/…`), all served by the fake
upstream; `ENDPOINTS` builds each endpoint's request for a model id and a body; `error_shape`
checks that an error answer is JSON in the shape of the endpoint's format and returns its message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import requests

FORMATS = ("openai", "anthropic", "responses", "gemini")
MODEL = "fake-1"


def node_model(fmt: str, model: str = MODEL) -> str:
    return f"edge-{fmt}/{model}"


def add_nodes(gateway, upstream_url: str) -> None:
    for fmt in FORMATS:
        gateway.add_node(f"edge-{fmt}", upstream_url, fmt, f"sk-edge-{fmt}")


@dataclass(frozen=True)
class Endpoint:
    name: str
    wire_format: str  # the shape its errors come in
    path: Callable[[str], str]  # model id -> path (Gemini: the model is in it)
    body: Callable[[str], dict]  # model id -> a valid body

    def url(self, gateway_url: str, model: str) -> str:
        return gateway_url + self.path(model)

    def post(self, gateway_url: str, model: str, body=None, **kwargs) -> requests.Response:
        """POST a valid body for `model` (or `body`: JSON-encoded unless bytes)."""
        payload = self.body(model) if body is None else body
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
        return requests.post(
            self.url(gateway_url, model), data=data, headers=headers, timeout=30, **kwargs
        )


def _chat(model: str) -> dict:
    return {"model": model, "messages": [{"role": "user", "content": "hi"}]}


def _messages(model: str) -> dict:
    return {"model": model, "max_tokens": 32, "messages": [{"role": "user", "content": "hi"}]}


def _input(model: str) -> dict:
    return {"model": model, "input": "hi"}


def _gemini_path(action: str) -> Callable[[str], str]:
    return lambda model: f"/v1beta/models/{quote(model, safe='')}:{action}"


def _gemini_body(model: str) -> dict:
    return {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}


ENDPOINTS = {
    endpoint.name: endpoint
    for endpoint in (
        Endpoint("chat", "openai", lambda m: "/v1/chat/completions", _chat),
        Endpoint("chat-unprefixed", "openai", lambda m: "/chat/completions", _chat),
        Endpoint("messages", "anthropic", lambda m: "/v1/messages", _messages),
        Endpoint("messages-beta", "anthropic", lambda m: "/v1/messages?beta=true", _messages),
        Endpoint(
            "count_tokens",
            "anthropic",
            lambda m: "/v1/messages/count_tokens",
            lambda m: {"model": m, "messages": [{"role": "user", "content": "hi"}]},
        ),
        Endpoint(
            "responses",
            "responses",
            lambda m: "/v1/responses",
            lambda m: {"model": m, "input": "hi"},
        ),
        Endpoint(
            "gemini",
            "gemini",
            _gemini_path("generateContent"),
            _gemini_body,
        ),
        Endpoint(
            "gemini-stream",
            "gemini",
            lambda m: _gemini_path("streamGenerateContent")(m) + "?alt=sse",
            _gemini_body,
        ),
        Endpoint(
            "embeddings",
            "openai",
            lambda m: "/v1/embeddings",
            lambda m: {"model": m, "input": "hi"},
        ),
        Endpoint(
            "images",
            "openai",
            lambda m: "/v1/images/generations",
            lambda m: {"model": m, "prompt": "a cat"},
        ),
        Endpoint(
            "provider-chat", "openai", lambda m: "/v1/providers/edge-openai/chat/completions", _chat
        ),
    )
}


def error_shape(wire_format: str, response: requests.Response) -> str:
    """The error message of `response`, checked with `check_error_shape`."""
    return check_error_shape(
        wire_format, response.status_code, response.headers["Content-Type"], response.content
    )


def check_error_shape(wire_format: str, status: int, content_type: str, content: bytes) -> str:
    """The error message, after checking the answer is JSON in `wire_format`'s error shape:
    OpenAI/Responses `{"error": {"message", "type", ...}}`, Anthropic `{"type": "error",
    "error": {"type", "message"}}`, Gemini `{"error": {"code", "message", "status"}}`."""
    assert (content_type or "").startswith("application/json"), (status, content[:300])
    body = json.loads(content)
    error = body["error"]
    if wire_format == "anthropic":
        assert body["type"] == "error" and isinstance(error["type"], str), body
    elif wire_format == "gemini":
        assert error["code"] == status and isinstance(error["status"], str), body
    else:
        assert isinstance(error["type"], str), body
    assert isinstance(error["message"], str) and error["message"], body
    return error["message"]
