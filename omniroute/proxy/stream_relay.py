"""Relay an upstream SSE stream to the client event by event, the moment each event is whole.

Events are forwarded as the raw bytes the provider sent. The relay only looks inside an event
that mentions usage, to record tokens (and to drop the usage-only chunk the gateway asked for
when the client did not). A network failure mid-stream becomes an in-band error event; a client
that goes away closes the upstream response at once (waitress raises at the next write).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from ..formats.openai_chat import error_event, usage_tokens
from ..formats.sse import event_fields
from ..usage.trace import RequestTrace
from .attempts import READ_SIZE, Answer
from .upstream import network_error

CLIENT_CLOSED_STATUS = 499


def relay_chat_stream(
    answer: Answer,
    trace: RequestTrace,
    strip_usage_chunk: bool,
    on_done: Callable[[RequestTrace], None],
) -> Iterator[bytes]:
    response = answer.response
    splitter = answer.splitter
    assert splitter is not None
    try:
        trace.mark_first_token()
        out = _process(answer.first_events, trace, strip_usage_chunk)
        if out:
            yield out
        while True:
            try:
                chunk = response.raw.read1(READ_SIZE)
            except Exception as exc:
                error = network_error(exc, answer.attempt.spec.id, "stream interrupted")
                trace.fail(error.status, error.message)
                yield error_event(error)
                return
            if not chunk:
                break
            out = _process(splitter.feed(chunk), trace, strip_usage_chunk)
            if out:
                yield out
        tail = splitter.pending()
        if tail.strip():
            yield tail
    except GeneratorExit:
        trace.fail(CLIENT_CLOSED_STATUS, "client closed the connection")
        raise
    finally:
        response.close()
        on_done(trace)


def _process(events: list[bytes], trace: RequestTrace, strip_usage_chunk: bool) -> bytes:
    kept = []
    for event in events:
        if b'"usage"' in event:
            chunk = _json_data(event)
            if chunk is not None and chunk.get("usage"):
                trace.set_tokens(usage_tokens(chunk["usage"]))
                if strip_usage_chunk and not chunk.get("choices"):
                    continue
        kept.append(event)
    return b"".join(kept)


def _json_data(event: bytes) -> dict | None:
    _, data = event_fields(event)
    try:
        chunk = json.loads(data)
    except ValueError:
        return None
    return chunk if isinstance(chunk, dict) else None
