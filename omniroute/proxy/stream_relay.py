"""Relay a provider's stream to the client the moment each event is whole.

Two shapes, one loop:
- passthrough (client and provider speak the same format): the provider's SSE events are
  forwarded as the raw bytes it sent; the relay only looks inside events that carry usage (and
  drops the usage-only Chat chunk the gateway asked for when the client did not);
- translation: the provider's events are decoded into canonical events and encoded in the
  client's format.
A network failure mid-stream becomes an in-band error in the client's format, and so does a
stream the provider closed before its terminal event (`[DONE]` or a finish_reason,
`message_delta`/`message_stop`, `response.completed`/`incomplete`/`failed`, a `finishReason`):
the translating sink gets canonical.cut_stream_error() from the decoder, the passthrough sink
checks what it forwarded. A client that goes away closes the provider's response at once
(waitress raises at the next write). `captured` copies what goes out into the request log.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from ..errors import GatewayError
from ..formats import canonical as c
from ..formats.registry import FORMATS
from ..formats.sse import SSESplitter, encode_event, event_fields
from ..usage.request_log import Capture
from ..usage.trace import RequestTrace
from .attempts import CLIENT_CLOSED_STATUS, Answer, StreamReader
from .upstream import network_error

OPENAI = "openai"
RESPONSES = "responses"


class RawEventReader(StreamReader):
    """Whole SSE events as raw bytes (passthrough)."""

    def __init__(self) -> None:
        self._splitter = SSESplitter()
        self._closed = False

    def feed(self, data: bytes) -> list[bytes]:
        return self._splitter.feed(data)

    def close(self) -> list[bytes]:
        if self._closed:
            return []
        self._closed = True
        tail = self._splitter.pending()
        return [tail] if tail.strip() else []


class DecodingReader(StreamReader):
    """Canonical events decoded from the provider's format (translation)."""

    def __init__(self, wire_format: str):
        self._decoder = FORMATS[wire_format].StreamDecoder()

    def feed(self, data: bytes) -> list[c.StreamEvent]:
        return self._decoder.feed(data)

    def close(self) -> list[c.StreamEvent]:
        return self._decoder.close()


class PassthroughSink:
    """Forwards raw events; taps usage (cheaply for Chat, by decoding for other formats).
    An error continues the provider's stream: for Responses, `response.failed` carries the
    provider's response id and the next sequence number (a fresh encoder would start a second
    response at sequence 0)."""

    def __init__(self, wire_format: str, request: c.Request, strip_usage_chunk: bool):
        self._wire_format = wire_format
        self._format = FORMATS[wire_format]
        self._request = request
        self._strip = strip_usage_chunk
        self._usage_decoder = None if wire_format == OPENAI else self._format.StreamDecoder()
        self._envelope: int | None = None
        self._created: dict | None = None  # Responses: the first event's data
        self._last: bytes = b""  # the last event that carried data
        self._chat_ended = False  # Chat: [DONE], a finish_reason or an error chunk went by

    def write(self, events: list[bytes], trace: RequestTrace) -> bytes:
        self._remember(events)
        if self._usage_decoder is not None:
            for event in self._usage_decoder.feed(b"".join(events)):
                _record_usage(event, trace)
            return b"".join(events)
        kept = []
        for event in events:
            trace.output_chars += self._text_size(event)
            if b'"usage"' in event:
                chunk = _json_data(event)
                if chunk is not None and chunk.get("usage"):
                    trace.set_usage(self._format.usage_of(chunk))
                    if self._strip and not chunk.get("choices"):
                        continue
            kept.append(event)
        return b"".join(kept)

    def _remember(self, events: list[bytes]) -> None:
        for event in events:
            if self._created is None and self._wire_format == RESPONSES:
                self._created = _json_data(event)
            if b"data:" in event:
                self._last = event
                if self._usage_decoder is None and not self._chat_ended:
                    self._chat_ended = _may_end_chat(event) and _chat_ended(event)

    def _text_size(self, event: bytes) -> int:
        """About how many characters of text a Chat chunk carries: its size less the envelope
        measured once, on the first chunk with content (a cheap basis for an estimate)."""
        if self._envelope is None:
            chunk = _json_data(event)
            choices = (chunk or {}).get("choices") or [{}]
            delta = (choices[0].get("delta") or {}) if isinstance(choices[0], dict) else {}
            text = delta.get("content") or delta.get("reasoning_content")
            if not isinstance(text, str) or not text:
                return 0
            self._envelope = len(event) - len(text.encode("utf-8"))
        return max(0, len(event) - self._envelope)

    def error(self, error: GatewayError) -> bytes:
        if self._wire_format == RESPONSES and self._created is not None:
            return responses_failed(self._created, _json_data(self._last) or {}, error)
        encoder = self._format.StreamEncoder(self._request)
        return encoder.encode(as_stream_error(error))

    def finish(self, trace: RequestTrace) -> bytes:
        """Nothing for a stream that ended properly; the in-band error for one cut short."""
        if self._complete():
            return b""
        error = GatewayError(c.CUT_STREAM_MESSAGE, status=502, code="stream_truncated")
        trace.fail(error.status, error.message)
        return self.error(error)

    def _complete(self) -> bool:
        if self._usage_decoder is not None:  # it saw every event: its close() tells
            return not any(isinstance(e, c.StreamError) for e in self._usage_decoder.close())
        return self._chat_ended


def _may_end_chat(event: bytes) -> bool:
    """A cheap look before parsing: could this Chat event end the stream? (Most chunks carry
    `"finish_reason":null`, and none of [DONE], a set finish_reason or an error.)"""
    if b"[DONE]" in event or b'"error"' in event:
        return True
    if b'"finish_reason"' not in event:
        return False
    return b'"finish_reason":null' not in event and b'"finish_reason": null' not in event


def _chat_ended(event: bytes) -> bool:
    """Whether a Chat event ends a stream: [DONE], an error chunk or a finish_reason."""
    _, data = event_fields(event)
    if data.strip() == b"[DONE]":
        return True
    chunk = _json_data(event) or {}
    choices = chunk.get("choices")
    choices = choices if isinstance(choices, list) else []
    finished = any(isinstance(ch, dict) and ch.get("finish_reason") for ch in choices)
    return finished or "error" in chunk


def responses_failed(created: dict, last: dict, error: GatewayError) -> bytes:
    """`response.failed` ending a passed-through Responses stream: the response the provider
    created (its id, model…) marked failed, numbered after the provider's last event."""
    response = created.get("response")
    response = dict(response) if isinstance(response, dict) else {}
    code = "rate_limit_exceeded" if error.status == 429 else "server_error"
    response.update(status="failed", error={"code": code, "message": error.message})
    number = last.get("sequence_number")
    payload = {
        "type": "response.failed",
        "sequence_number": number + 1 if isinstance(number, int) else 0,
        "response": response,
    }
    return encode_event(json.dumps(payload, separators=(",", ":")), "response.failed")


class TranslatingSink:
    """Encodes canonical events in the client's format."""

    def __init__(self, client_format: str, request: c.Request):
        self._encoder = FORMATS[client_format].StreamEncoder(request)

    def write(self, events: list[c.StreamEvent], trace: RequestTrace) -> bytes:
        out = []
        for event in events:
            _record_usage(event, trace)
            if isinstance(event, c.StreamError):
                trace.fail(event.status, event.message)
            out.append(self._encoder.encode(event))
        return b"".join(out)

    def error(self, error: GatewayError) -> bytes:
        return self._encoder.encode(as_stream_error(error))

    def finish(self, trace: RequestTrace) -> bytes:
        return self._encoder.close()


def relay_stream(
    answer: Answer, trace: RequestTrace, sink, on_done: Callable[[RequestTrace], None]
) -> Iterator[bytes]:
    response, reader = answer.response, answer.reader
    assert reader is not None
    try:
        trace.mark_first_token()
        out = sink.write(answer.first_items, trace)
        if out:
            yield out
        while True:
            try:
                chunk = response.read1()
            except Exception as exc:
                error = network_error(exc, answer.attempt.spec.id, "stream interrupted")
                trace.fail(error.status, error.message)
                yield sink.error(error)
                return
            items = reader.feed(chunk) if chunk else reader.close()
            out = sink.write(items, trace)
            if out:
                yield out
            if not chunk:
                break
        out = sink.finish(trace)
        if out:
            yield out
    except GeneratorExit:
        trace.fail(CLIENT_CLOSED_STATUS, "client closed the connection")
        raise
    finally:
        response.close()
        on_done(trace)


def captured(relay: Iterator[bytes], capture: Capture | None) -> Iterator[bytes]:
    """The relay's chunks, copied into the request log's capture (if any) as they go out."""
    if capture is None:
        return relay
    return _copied(relay, capture)


def _copied(relay, capture: Capture) -> Iterator[bytes]:
    try:
        for chunk in relay:
            capture.add(chunk)
            yield chunk
    finally:
        relay.close()  # a client that hung up closes this generator: pass it on


def as_stream_error(error: GatewayError) -> c.StreamError:
    return c.StreamError(error.status, error.message, error.type, error.code)


def _record_usage(event: c.StreamEvent, trace: RequestTrace) -> None:
    if isinstance(event, c.BlockDelta):
        trace.output_chars += len(event.text) + len(event.arguments)
    elif isinstance(event, c.MessageStart | c.MessageDelta) and event.usage is not None:
        trace.merge_usage(event.usage)


def _json_data(event: bytes) -> dict | None:
    _, data = event_fields(event)
    try:
        chunk = json.loads(data)
    except ValueError:
        return None
    return chunk if isinstance(chunk, dict) else None
