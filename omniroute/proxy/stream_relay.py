"""Relay a provider's stream to the client the moment each event is whole.

Two shapes, one loop:
- passthrough (client and provider speak the same format): the provider's SSE events are
  forwarded as the raw bytes it sent, watched by the format's passthrough_stream for usage and
  for the stream's end (Chat looks only inside events that carry usage, and drops the usage-only
  chunk the gateway asked for when the client did not; see formats/passthrough.py);
- translation: the provider's events are decoded into canonical events and encoded in the
  client's format.
A network failure mid-stream becomes an in-band error in the client's format, and so does a
stream the provider closed before its terminal event (`[DONE]` or a finish_reason,
`message_delta`/`message_stop`, `response.completed`/`incomplete`/`failed`, a `finishReason`):
the translating sink gets canonical.cut_stream_error() from the decoder, the passthrough sink
asks its watch. A client that goes away closes the provider's response at once
(waitress raises at the next write). `captured` copies what goes out into the request log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..errors import GatewayError
from ..formats import canonical as c
from ..formats.model_echo import echo_model
from ..formats.registry import FORMATS, PROVIDER_FORMATS, Registry
from ..formats.sse import SSESplitter
from ..usage.request_log import Capture
from ..usage.trace import RequestTrace
from .attempts import CLIENT_CLOSED_STATUS, Answer
from .callbacks import StreamReader
from .transport import network_error


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

    def __init__(self, wire_format: str, formats: Registry = PROVIDER_FORMATS):
        self._decoder = formats[wire_format].stream_decoder()

    def feed(self, data: bytes) -> list[c.StreamEvent]:
        return self._decoder.feed(data)

    def close(self) -> list[c.StreamEvent]:
        return self._decoder.close()


class PassthroughSink:
    """Forwards raw events, watched by the format's passthrough_stream: usage taps, whether
    the stream ended properly, and the in-band error that continues it (for Responses,
    `response.failed` carrying the provider's response id and next sequence number)."""

    def __init__(
        self,
        wire_format: str,
        request: c.Request,
        strip_usage_chunk: bool,
        formats: Registry = FORMATS,
        echo: str | None = None,
    ):
        self._watch = formats[wire_format].passthrough_stream(request, strip_usage_chunk)
        self._echo = echo  # the client's model id, to name in place of the provider's

    def write(self, events: list[bytes], trace: RequestTrace) -> bytes:
        forwarded = self._watch.forward(events)
        for event in forwarded.decoded:
            _record_usage(event, trace)
        trace.output_chars += forwarded.text_chars
        trace.set_usage(forwarded.usage)
        if self._echo is None:
            return forwarded.data
        return echo_model(forwarded.data, self._echo)

    def error(self, error: GatewayError) -> bytes:
        return self._watch.error_event(as_stream_error(error))

    def finish(self, trace: RequestTrace) -> bytes:
        """Nothing for a stream that ended properly; the in-band error for one cut short."""
        if self._watch.complete():
            return b""
        error = GatewayError(c.CUT_STREAM_MESSAGE, status=502, code="stream_truncated")
        trace.fail(error.status, error.message)
        return self.error(error)


class TranslatingSink:
    """Encodes canonical events in the client's format."""

    def __init__(self, client_format: str, request: c.Request, formats: Registry = FORMATS):
        self._encoder = formats[client_format].stream_encoder(request)

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
