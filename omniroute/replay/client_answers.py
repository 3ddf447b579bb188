"""A client's answer read back into a canonical Response, and a canonical Response told again in
any client's wire format.

Capture reads what the pipeline sent the client, with the client format's own parser: a whole
JSON body with `parse_response`, an SSE stream with the format's stream decoder (the stream is
copied as it is relayed — the client's bytes are never held back — and read once it ended).
Replay builds the body with `build_response`, or synthesizes the stream with the format's
stream encoder from the response's events (translator/streams.py).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Iterator

from ..errors import GatewayError
from ..formats import canonical as c
from ..formats.registry import FORMATS
from ..translator.streams import assemble, response_events

UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError, GatewayError)


def answer_of_body(wire_format: str, body: bytes) -> c.Response | None:
    """The canonical Response a whole JSON answer in `wire_format` tells (None: unreadable)."""
    try:
        return FORMATS[wire_format].parse_response(json.loads(body))
    except UNREADABLE:
        return None


def answer_of_stream(wire_format: str, data: bytes) -> c.Response | None:
    """The canonical Response an SSE stream in `wire_format` tells; None when it is unreadable
    or carries an error (an in-band error event, a cut stream)."""
    try:
        decoder = FORMATS[wire_format].stream_decoder()
        events = decoder.feed(data) + decoder.close()
    except UNREADABLE:
        return None
    if not events or any(isinstance(event, c.StreamError) for event in events):
        return None
    response = assemble(events)
    return None if response.stop_reason == "error" else response


def teed(chunks: Iterable[bytes], on_end: Callable[[bytes | None], None]) -> Iterator[bytes]:
    """The chunks as they come, copied: at the end `on_end(everything sent)`, or `on_end(None)`
    when the stream did not run to its end (the client left, the relay failed)."""
    copied: list[bytes] = []
    finished = False
    try:
        for chunk in chunks:
            copied.append(chunk)
            yield chunk
        finished = True
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()  # a client that hung up closes this generator: pass it on
        on_end(b"".join(copied) if finished else None)


def replayed_body(wire_format: str, response: c.Response, request: c.Request) -> bytes:
    """`response` as the body (or, for a streamed `request`, the whole SSE stream) a client of
    `wire_format` expects, naming the model the client asked for."""
    response = dataclasses.replace(response, model=request.model)
    client_format = FORMATS[wire_format]
    if not request.stream:
        answer = client_format.build_response(response)
        return json.dumps(answer, ensure_ascii=False).encode("utf-8")
    encoder = client_format.stream_encoder(request)
    events = response_events(response)
    return b"".join(encoder.encode(event) for event in events) + encoder.close()
