"""The envelope of a client request: what routing needs, read before (or instead of) a full parse.

A request passed through to a provider of its own format is never fully parsed (that happens
only when translating), so each format's `peek_request` is what stands between a malformed body
and the provider: it checks the top-level shape the gateway relies on (the list of turns must be
a list of objects) — each failure a 400 naming the field, as the full parse would give — and
reads the model, whether to stream and whether the client asked for stream usage.

`peek_with(check)` makes that function for a format whose model and stream choice are body
fields, or given by the URL (Gemini: the caller passes them); OpenAI Chat has its own
(openai_chat/request.py). `body_with_model` and `body_as_sent` are the two usual passthrough
bodies: the client's body with the provider's model id, or untouched (the model is in the URL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidRequestError


@dataclass
class Envelope:
    """What routing and the stream relay need from a request, without a full parse."""

    body: dict
    model: str
    stream: bool
    include_usage: bool = False


EnvelopeCheck = Callable[[dict], None]


def turns(value: object, name: str, what: str) -> list:
    """`value` as a non-empty list of objects (the turns of a conversation), or a 400."""
    if not isinstance(value, list) or not value:
        raise InvalidRequestError(f"'{name}' is required and must be {what}", param=name)
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise InvalidRequestError(f"'{name}[{index}]' must be an object", param=name)
    return value


def peek_with(check: EnvelopeCheck):
    """The peek_request of a format whose envelope `check` validates (the model and stream
    choice read from the body unless the URL gives them)."""

    def peek_request(
        body: Any, url_model: str | None = None, url_stream: bool | None = None
    ) -> Envelope:
        if not isinstance(body, dict):
            raise InvalidRequestError("request body must be a JSON object")
        check(body)
        model = url_model if url_model is not None else body.get("model")
        if not isinstance(model, str) or not model.strip():
            raise InvalidRequestError("'model' is required and must be a string", param="model")
        stream = url_stream if url_stream is not None else body.get("stream")
        if stream is not None and not isinstance(stream, bool):
            raise InvalidRequestError("'stream' must be a boolean", param="stream")
        return Envelope(body, model.strip(), bool(stream))

    return peek_request


def body_with_model(envelope: Envelope, model: str, ask_usage: bool) -> dict:
    """The client's body for a provider of its format: only the model id changed."""
    return {**envelope.body, "model": model}


def body_as_sent(envelope: Envelope, model: str, ask_usage: bool) -> dict:
    """The client's body untouched (the model goes in the provider's URL)."""
    return envelope.body
