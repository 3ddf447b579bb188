"""Chat Completions passthrough: the body for a Chat provider, and a cheap watch of its stream.

The body is the client's with only the model (and, for a stream, a request for usage) changed.
The stream is forwarded event by event without decoding: the watch looks inside only the events
that may carry usage or end the stream, measures the text by the size of the chunks (their
envelope measured once), and drops the usage-only chunk the gateway asked for when the client
did not. A stream ends properly with [DONE], an error chunk or a finish_reason.
"""

from __future__ import annotations

from ..base import Forwarded
from ..canonical import Request, StreamError
from ..envelopes import Envelope
from ..sse import event_fields, event_json
from .parts import usage_of
from .stream import StreamEncoder


def passthrough_body(envelope: Envelope, model: str, ask_usage: bool) -> dict:
    """The client's body for a Chat Completions provider: only the model (and usage) changed."""
    body = dict(envelope.body)
    body["model"] = model
    if envelope.stream and ask_usage and not envelope.include_usage:
        body["stream_options"] = {**(body.get("stream_options") or {}), "include_usage": True}
    return body


class ChatPassthrough:
    """Watches a Chat stream forwarded untouched (see the module docstring)."""

    def __init__(self, request: Request, strip_usage_chunk: bool):
        self._request = request
        self._strip = strip_usage_chunk
        self._envelope: int | None = None
        self._ended = False  # [DONE], a finish_reason or an error chunk went by

    def forward(self, events: list[bytes]) -> Forwarded:
        for event in events:
            if b"data:" in event and not self._ended:
                self._ended = _may_end(event) and _ends(event)
        kept: list[bytes] = []
        forwarded = Forwarded(b"")
        for event in events:
            forwarded.text_chars += self._text_size(event)
            if b'"usage"' in event:
                chunk = event_json(event)
                if chunk is not None and chunk.get("usage"):
                    forwarded.usage = usage_of(chunk) or forwarded.usage
                    if self._strip and not chunk.get("choices"):
                        continue
            kept.append(event)
        forwarded.data = b"".join(kept)
        return forwarded

    def _text_size(self, event: bytes) -> int:
        """About how many characters of text a chunk carries: its size less the envelope
        measured once, on the first chunk with content (a cheap basis for an estimate)."""
        if self._envelope is None:
            chunk = event_json(event)
            choices = (chunk or {}).get("choices") or [{}]
            delta = (choices[0].get("delta") or {}) if isinstance(choices[0], dict) else {}
            text = delta.get("content") or delta.get("reasoning_content")
            if not isinstance(text, str) or not text:
                return 0
            self._envelope = len(event) - len(text.encode("utf-8"))
        return max(0, len(event) - self._envelope)

    def complete(self) -> bool:
        return self._ended

    def error_event(self, error: StreamError) -> bytes:
        return StreamEncoder(self._request).encode(error)


def _may_end(event: bytes) -> bool:
    """A cheap look before parsing: could this event end the stream? (Most chunks carry
    `"finish_reason":null`, and none of [DONE], a set finish_reason or an error.)"""
    if b"[DONE]" in event or b'"error"' in event:
        return True
    if b'"finish_reason"' not in event:
        return False
    return b'"finish_reason":null' not in event and b'"finish_reason": null' not in event


def _ends(event: bytes) -> bool:
    """Whether an event ends a stream: [DONE], an error chunk or a finish_reason."""
    _, data = event_fields(event)
    if data.strip() == b"[DONE]":
        return True
    chunk = event_json(event) or {}
    choices = chunk.get("choices")
    choices = choices if isinstance(choices, list) else []
    finished = any(isinstance(ch, dict) and ch.get("finish_reason") for ch in choices)
    return finished or "error" in chunk
