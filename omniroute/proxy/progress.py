"""Progress events in a streamed answer, for a client that asks with `X-OmniRoute-Progress: true`.

Each event tells the output tokens so far and the milliseconds since the request arrived. The
token count is an estimate from the text streamed to the client (about 4 characters a token, see
usage/estimate.py), or the provider's own count when it has reported a larger one; it never goes
down from one event to the next. At most one event goes out per PROGRESS_INTERVAL_SECONDS (the
gateway setting), between two relayed chunks — so always between two whole events of the
client's format — and, while a slow provider has not started, in place of the keep-alive comments
(proxy/keepalive.py).

The form is the one each format's clients skip without a word, checked against the clients'
own stream readers:
- OpenAI Chat, OpenAI Responses, Anthropic Messages: an SSE comment,
  `: progress {"tokens":N,"elapsed_ms":M}`. Every SSE parser drops comment lines. A named
  `event: progress` with data would not be safe: the openai SDK hands every event that has data
  to user code as a chunk (a Chat chunk with no `choices`, a Responses event of an unknown type),
  and the anthropic SDK (2.x) does too (an event of type "progress", and an
  APIResponseValidationError with strict response validation).
- Gemini: a `data: {"progress":{"tokens":N,"elapsed_ms":M}}` chunk. Google's JS SDK
  (@google/genai, and Gemini CLI with it) does not parse SSE: it takes `data: …` lines from the
  start of what it has read, so a comment or a named event stalls the stream. A data chunk with
  no `candidates` is a chunk with no text, parts or usage, which Gemini CLI passes over.
Without the header nothing of this runs: the pipeline reads one header.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator

from ..usage.estimate import CHARS_PER_TOKEN
from ..usage.trace import RequestTrace
from .upstream_call import HeaderLookup

PROGRESS_HEADER = "X-OmniRoute-Progress"
PROGRESS_INTERVAL_SECONDS = 1.0  # the default of the PROGRESS_INTERVAL_SECONDS setting
_YES = frozenset({"true", "1", "yes", "on"})
_AS_DATA_CHUNK = frozenset({"gemini"})  # formats whose clients read data chunks only


def wants_progress(headers: HeaderLookup | None) -> bool:
    """Whether the client asked for progress events (`X-OmniRoute-Progress: true`)."""
    if headers is None:
        return False
    value = headers.get(PROGRESS_HEADER)
    return value is not None and value.strip().lower() in _YES


def progress_event(wire_format: str, tokens: int, elapsed_ms: int) -> bytes:
    """One progress event in the form `wire_format`'s clients skip (see the module docstring)."""
    if wire_format in _AS_DATA_CHUNK:
        payload = {"progress": {"tokens": tokens, "elapsed_ms": elapsed_ms}}
        return b"data: " + _compact(payload) + b"\n\n"
    return b": progress " + _compact({"tokens": tokens, "elapsed_ms": elapsed_ms}) + b"\n\n"


def estimated_output_tokens(trace: RequestTrace) -> int:
    """Output tokens so far: the text streamed to the client over CHARS_PER_TOKEN, or the
    provider's count when it reported more."""
    estimate = math.ceil(trace.output_chars / CHARS_PER_TOKEN)
    return max(estimate, trace.usage.output_tokens or 0)


class ProgressMeter:
    """The progress events of one streamed request, at most one per `interval` seconds."""

    def __init__(self, wire_format: str, trace: RequestTrace, interval: float):
        self.wire_format = wire_format
        self.interval = interval
        self._trace = trace
        self._last = trace.started  # the first event is due one interval after arrival
        self._tokens = 0

    def due(self) -> bytes:
        """An event when an interval has passed since the last one, else b""."""
        if time.perf_counter() - self._last < self.interval:
            return b""
        return self.event()

    def event(self) -> bytes:
        """An event now."""
        self._last = time.perf_counter()
        self._tokens = max(self._tokens, estimated_output_tokens(self._trace))
        elapsed_ms = round(self._trace.elapsed_ms())
        return progress_event(self.wire_format, self._tokens, elapsed_ms)


def with_progress(relay: Iterator[bytes], meter: ProgressMeter) -> Iterator[bytes]:
    """The relay's chunks with a progress event before each chunk after the first, when one is
    due. A client that hangs up closes this generator: the relay is closed with it."""
    try:
        started = False
        for chunk in relay:
            if started:
                tick = meter.due()
                if tick:
                    yield tick
            started = True
            yield chunk
    finally:
        close = getattr(relay, "close", None)
        if close is not None:
            close()


def meter_for(
    headers: HeaderLookup | None, wire_format: str, trace: RequestTrace, interval: float
) -> ProgressMeter | None:
    """A meter when the client asked for progress events, else None."""
    if not wants_progress(headers):
        return None
    return ProgressMeter(wire_format, trace, interval)


def _compact(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode("ascii")
