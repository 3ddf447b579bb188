"""Gemini streaming, provider side (POST …:streamGenerateContent?alt=sse) → canonical events.

The wire: SSE events `data: {GenerateContentResponse}` with no event names and no [DONE].
Each chunk's first candidate holds the new parts: text and thought text arrive as deltas, a
functionCall arrives whole in one chunk; the last chunk has finishReason and the final
(cumulative) usageMetadata. An error mid-stream is a chunk `data: {"error": {...}}`.

StreamDecoder (provider bytes → events): MessageStart on the first chunk (usage = its prompt
tokens); a text block per run of text parts, a thinking block per run of thought parts (a
signature on a thought part ends its block with a signature delta); a tool_use block per
functionCall (BlockStart, the whole args JSON as one arguments BlockDelta, BlockStop); an
image block per inlineData. A signature on a non-thought part becomes, as in non-streamed
answers, a thinking block holding only that signature just before the part's own block. The
chunk with finishReason closes the open block and ends with MessageDelta (stop reason, usage)
and MessageStop; an error chunk becomes StreamError. close() after a stream that stopped before
its finishReason gives canonical.cut_stream_error() (never a made-up clean stop).

The client side is stream_encoder.py.
"""

from __future__ import annotations

import json
from typing import Any

from ...errors import InvalidRequestError
from ...unique_ids import unique_hex
from ..canonical import (
    BlockDelta,
    BlockStart,
    BlockStop,
    MessageDelta,
    MessageStart,
    MessageStop,
    Part,
    StreamError,
    StreamEvent,
    TextPart,
    ThinkingPart,
    ToolUsePart,
    Usage,
    cut_stream_error,
)
from ..sse import SSESplitter, event_fields
from . import NAME
from .parts import CallIds, parse_part
from .vocabulary import (
    field,
    stop_reason_of,
    usage_from_metadata,
)


class StreamDecoder:
    """Gemini SSE bytes, as they arrive, → canonical stream events."""

    def __init__(self) -> None:
        self._splitter = SSESplitter()
        self._ids = CallIds.unique()
        self._started = False
        self._finished = False
        self._next_index = 0
        self._open: tuple[str, int] | None = None  # ("text" | "thinking", block index)
        self._usage: Usage | None = None
        self._has_calls = False

    def feed(self, data: bytes) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for raw in self._splitter.feed(data):
            events.extend(self._event(raw))
        return events

    def close(self) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        rest = self._splitter.pending()
        self._splitter = SSESplitter()
        if rest.strip():
            events.extend(self._event(rest))
        if not self._finished:  # no finishReason came: the stream was cut short
            self._finished = True
            events.append(cut_stream_error())
        return events

    def _event(self, raw: bytes) -> list[StreamEvent]:
        if self._finished:
            return []
        _, data = event_fields(raw)
        if not data.strip() or data.strip() == b"[DONE]":
            return []
        try:
            chunk = json.loads(data)
        except ValueError:
            return self._fail(502, "Gemini sent a stream chunk that is not JSON", "api_error")
        if not isinstance(chunk, dict):
            return self._fail(502, "Gemini sent a stream chunk that is not an object", "api_error")
        error = chunk.get("error")
        if error is not None:
            return self._error(error)
        return self._chunk(chunk)

    def _error(self, error: Any) -> list[StreamEvent]:
        error = error if isinstance(error, dict) else {"message": str(error)}
        code = error.get("code")
        status = code if isinstance(code, int) and 400 <= code < 600 else 502
        message = error.get("message")
        kind = error.get("status")
        return self._fail(
            status,
            message if isinstance(message, str) and message else "Gemini stream error",
            kind if isinstance(kind, str) and kind else "api_error",
        )

    def _fail(self, status: int, message: str, kind: str) -> list[StreamEvent]:
        self._finished = True
        return [StreamError(status=status, message=message, type=kind)]

    def _chunk(self, chunk: dict) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        usage = usage_from_metadata(field(chunk, "usageMetadata"))
        if usage is not None:
            self._usage = usage
        if not self._started:
            events.append(self._start(chunk, usage))
        candidates = field(chunk, "candidates")
        candidate = candidates[0] if isinstance(candidates, list) and candidates else None
        candidate = candidate if isinstance(candidate, dict) else {}
        parts = field(field(candidate, "content"), "parts")
        for part in parts if isinstance(parts, list) else ():
            events.extend(self._part(part))
        finish = field(candidate, "finishReason")
        if finish:
            events.extend(self._finish(finish))
        elif not candidate and field(field(chunk, "promptFeedback"), "blockReason"):
            events.extend(self._finish("SAFETY"))
        return events

    def _start(self, chunk: dict, usage: Usage | None) -> MessageStart:
        self._started = True
        response_id = field(chunk, "responseId")
        model = field(chunk, "modelVersion")
        return MessageStart(
            id=response_id if isinstance(response_id, str) and response_id else _new_id(),
            model=model if isinstance(model, str) else "",
            usage=Usage(usage.input_tokens, cache_read_tokens=usage.cache_read_tokens)
            if usage
            else None,
        )

    def _part(self, raw: Any) -> list[StreamEvent]:
        try:
            parts = parse_part(raw, "part", self._ids)
        except InvalidRequestError:
            return []
        thought = field(raw, "thought") is True
        events: list[StreamEvent] = []
        for part in parts:
            if isinstance(part, ThinkingPart):
                events.extend(self._thinking(part, thought))
            elif isinstance(part, TextPart):
                events.extend(self._open_block("text"))
                events.append(BlockDelta(self._index(), text=part.text))
            else:
                events.extend(self._whole(part))
        return events

    def _thinking(self, part: ThinkingPart, thought: bool) -> list[StreamEvent]:
        """A thought part continues the open thinking block; a signature on another part gets
        a block of its own. A signature ends its block."""
        if not part.text and not part.signature:
            return []
        events = self._open_block("thinking") if thought else self._open_block("thinking", True)
        if part.text:
            events.append(BlockDelta(self._index(), text=part.text))
        if part.signature:
            events.append(BlockDelta(self._index(), signature=part.signature))
            events.extend(self._close_block())
        return events

    def _whole(self, part: Part) -> list[StreamEvent]:
        events = self._close_block()
        index = self._new_index()
        if isinstance(part, ToolUsePart):
            self._has_calls = True
            events.append(BlockStart(index, ToolUsePart(id=part.id, name=part.name, arguments="")))
            events.append(BlockDelta(index, arguments=part.arguments))
        else:
            events.append(BlockStart(index, part))
        events.append(BlockStop(index))
        return events

    def _open_block(self, kind: str, fresh: bool = False) -> list[StreamEvent]:
        if self._open is not None and self._open[0] == kind and not fresh:
            return []
        events = self._close_block()
        index = self._new_index()
        self._open = (kind, index)
        start = TextPart("") if kind == "text" else ThinkingPart(origin=NAME)
        events.append(BlockStart(index, start))
        return events

    def _close_block(self) -> list[StreamEvent]:
        if self._open is None:
            return []
        index = self._open[1]
        self._open = None
        return [BlockStop(index)]

    def _index(self) -> int:
        return self._open[1] if self._open else -1

    def _new_index(self) -> int:
        self._next_index += 1
        return self._next_index - 1

    def _finish(self, finish: Any) -> list[StreamEvent]:
        self._finished = True
        events = self._close_block()
        stop = stop_reason_of(finish, self._has_calls)
        events.append(MessageDelta(stop_reason=stop, usage=self._usage))
        events.append(MessageStop())
        return events


def _new_id() -> str:
    return f"gemini-{unique_hex()}"
