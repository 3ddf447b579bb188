"""Requests for the response cache and idempotency tests: one question in each client wire
format (the same meaning in all four, so they share a cache key), sent to a real gateway, and
the gateway's replay options set the way Settings → AI saves them."""

from __future__ import annotations

import requests

from omniroute.store.replay_options import ReplayOptions, save_replay_options
from tests.fakes import probe

MODEL = "openai/gpt-4o-mini"
FORMATS = probe.FORMATS
PATHS = {
    "openai": "/v1/chat/completions",
    "anthropic": "/v1/messages",
    "responses": "/v1/responses",
}
MAX_TOKENS_FIELD = {
    "openai": "max_tokens",
    "anthropic": "max_tokens",
    "responses": "max_output_tokens",
}


def question(
    fmt: str,
    text: str = "what is two plus two",
    temperature: float | None = 0,
    stream: bool = False,
) -> tuple[str, dict]:
    """(path, body) asking `text` in `fmt`, with 64 output tokens at most."""
    turn = probe.user_turn(fmt, text)
    if fmt == "gemini":
        config: dict = {"maxOutputTokens": 64}
        if temperature is not None:
            config["temperature"] = temperature
        action = "streamGenerateContent?alt=sse" if stream else "generateContent"
        return f"/v1beta/models/{MODEL}:{action}", {"contents": [turn], "generationConfig": config}
    key = "input" if fmt == "responses" else "messages"
    body: dict = {"model": MODEL, key: [turn], MAX_TOKENS_FIELD[fmt]: 64, "stream": stream}
    if temperature is not None:
        body["temperature"] = temperature
    return PATHS[fmt], body


def ask(gateway, fmt: str, headers: dict | None = None, **kwargs) -> requests.Response:
    path, body = question(fmt, **kwargs)
    return requests.post(gateway.url + path, json=body, headers=headers or {}, timeout=30)


def text_of(fmt: str, response: requests.Response) -> str:
    """The answer's text, from a whole JSON body or from a stream's events."""
    if response.headers["Content-Type"].startswith("text/event-stream"):
        return probe.streamed(fmt, probe.sse_events(response))[0]
    return probe.answer_text(fmt, response.json()) or ""


def set_replay_options(gateway, **changes) -> None:
    with gateway.services.database.connection_context():
        save_replay_options(ReplayOptions(**changes))
    gateway.services.pipeline.replay.options.invalidate()


def upstream_calls(upstream) -> int:
    return len(upstream.requests)
