"""Anthropic Messages streaming, provider side: SSE with `event:` names → canonical events.

StreamDecoder: message_start → MessageStart; content blocks → BlockStart/BlockDelta/BlockStop
renumbered from 0 (server-tool blocks such as `server_tool_use` or `web_search_tool_result` and
`citations_delta` cannot be represented and are skipped); a tool_use block that streamed no
`input_json_delta` gets `"{}"` (or its start `input`) as arguments; usage of message_start and
message_delta is merged (largest value of each counter, so gateways that send 0 in one of them do
not erase the other) into every MessageDelta; `ping` is ignored; `error` → StreamError. close()
ends a stream whose message_stop never came: after a message_delta (the answer is whole) open
blocks stop and MessageStop follows; without one the stream was cut short and close() gives
canonical.cut_stream_error() (a StreamError, never a made-up stop reason).

The client side is stream_encoder.py.
"""

from __future__ import annotations

import json

from ..canonical import (
    BlockDelta,
    BlockStart,
    BlockStop,
    MessageDelta,
    MessageStart,
    MessageStop,
    Part,
    RedactedThinkingPart,
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
from .validation import is_int
from .vocabulary import dumps, status_for_type, stop_reason_from_wire, usage_from_wire


def _start_part(block: object) -> tuple[Part, str] | None:
    """(empty canonical part, text the start already carries) for a content_block_start."""
    if not isinstance(block, dict):
        return None
    kind = block.get("type")
    if kind == "text":
        return TextPart(""), _text(block.get("text"))
    if kind == "thinking":
        return ThinkingPart("", origin=NAME), _text(block.get("thinking"))
    if kind == "tool_use":
        tool = ToolUsePart(id=_text(block.get("id")), name=_text(block.get("name")), arguments="")
        given = block.get("input")
        return tool, dumps(given) if isinstance(given, dict) and given else ""
    if kind == "redacted_thinking":
        return RedactedThinkingPart(_text(block.get("data")), origin=NAME), ""
    return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


class StreamDecoder:
    """Anthropic SSE bytes, fed as they arrive, → canonical StreamEvents."""

    def __init__(self) -> None:
        self._splitter = SSESplitter()
        self._usage: dict[str, int] = {}
        self._blocks: dict[int, int] = {}  # wire index → canonical index (open blocks)
        self._tools: dict[int, tuple[bool, str]] = {}  # canonical → (arguments seen, start input)
        self._next = 0
        self._started = self._delta_sent = self._ended = self._closed = False
        self._handlers = {
            "message_start": self._message_start,
            "content_block_start": self._block_start,
            "content_block_delta": self._block_delta,
            "content_block_stop": self._block_stop,
            "message_delta": self._message_delta,
            "message_stop": self._message_stop,
            "error": self._error,
        }

    def feed(self, data: bytes) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for raw in self._splitter.feed(data):
            events.extend(self._event(raw))
        return events

    def close(self) -> list[StreamEvent]:
        if self._closed:
            return []
        self._closed = True
        events = self._event(self._splitter.pending())  # a last event without its blank line
        if self._ended:
            return events
        self._ended = True
        if not self._delta_sent:
            return [*events, cut_stream_error()]
        return [*events, *self._stop_open_blocks(), MessageStop()]

    def _event(self, raw: bytes) -> list[StreamEvent]:
        name, data = event_fields(raw)
        if self._ended or not data.strip():
            return []
        try:
            payload = json.loads(data)
        except ValueError:
            return []
        if not isinstance(payload, dict):
            return []
        kind = payload.get("type") if isinstance(payload.get("type"), str) else name
        handler = self._handlers.get(kind or "")
        return handler(payload) if handler else []

    def _ensure_started(self, message: object = None) -> list[StreamEvent]:
        if self._started:
            return []
        self._started = True
        message = message if isinstance(message, dict) else {}
        self._merge_usage(message.get("usage"))
        usage = self._merged_usage() if self._usage else None
        ident, model = _text(message.get("id")), _text(message.get("model"))
        return [MessageStart(id=ident, model=model, usage=usage)]

    def _message_start(self, payload: dict) -> list[StreamEvent]:
        return self._ensure_started(payload.get("message"))

    def _block_start(self, payload: dict) -> list[StreamEvent]:
        events = self._ensure_started()
        index, started = payload.get("index"), _start_part(payload.get("content_block"))
        if not isinstance(index, int) or index in self._blocks or started is None:
            return events
        part, initial = started
        canonical = self._next
        self._next += 1
        self._blocks[index] = canonical
        events.append(BlockStart(canonical, part))
        if isinstance(part, ToolUsePart):
            self._tools[canonical] = (False, initial)
        elif initial:
            events.append(BlockDelta(canonical, text=initial))
        return events

    def _block_delta(self, payload: dict) -> list[StreamEvent]:
        index, delta = payload.get("index"), payload.get("delta")
        canonical = self._blocks.get(index) if isinstance(index, int) else None
        if canonical is None or not isinstance(delta, dict):
            return []
        kind = delta.get("type")
        if kind == "text_delta":
            text = _text(delta.get("text"))
        elif kind == "thinking_delta":
            text = _text(delta.get("thinking"))
        elif kind == "signature_delta":
            signature = _text(delta.get("signature"))
            return [BlockDelta(canonical, signature=signature)] if signature else []
        elif kind == "input_json_delta" and canonical in self._tools:
            piece = _text(delta.get("partial_json"))
            if not piece:
                return []
            self._tools[canonical] = (True, "")
            return [BlockDelta(canonical, arguments=piece)]
        else:
            return []
        return [BlockDelta(canonical, text=text)] if text else []

    def _block_stop(self, payload: dict) -> list[StreamEvent]:
        index = payload.get("index")
        if not isinstance(index, int) or index not in self._blocks:
            return []
        return self._stop_block(index)

    def _stop_block(self, index: int) -> list[StreamEvent]:
        canonical = self._blocks.pop(index)
        events: list[StreamEvent] = []
        seen, start_input = self._tools.pop(canonical, (True, ""))
        if not seen:
            events.append(BlockDelta(canonical, arguments=start_input or "{}"))
        events.append(BlockStop(canonical))
        return events

    def _stop_open_blocks(self) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for index in sorted(self._blocks):
            events.extend(self._stop_block(index))
        return events

    def _message_delta(self, payload: dict) -> list[StreamEvent]:
        events = self._ensure_started() + self._stop_open_blocks()
        self._merge_usage(payload.get("usage"))
        delta = payload.get("delta")
        delta = delta if isinstance(delta, dict) else {}
        sequence = delta.get("stop_sequence")
        self._delta_sent = True
        events.append(
            MessageDelta(
                stop_reason=stop_reason_from_wire(delta.get("stop_reason")),
                stop_sequence=sequence if isinstance(sequence, str) else None,
                usage=self._merged_usage(),
            )
        )
        return events

    def _message_stop(self, payload: dict) -> list[StreamEvent]:
        events = self._ensure_started() + self._stop_open_blocks()
        if not self._delta_sent:
            events.append(MessageDelta(stop_reason="end_turn", usage=self._merged_usage()))
        self._ended = True
        return [*events, MessageStop()]

    def _error(self, payload: dict) -> list[StreamEvent]:
        error = payload.get("error")
        error = error if isinstance(error, dict) else {}
        kind = error.get("type")
        kind = kind if isinstance(kind, str) else "api_error"
        message = _text(error.get("message")) or "upstream stream error"
        self._ended = True
        return [StreamError(status=status_for_type(kind), message=message, type=kind)]

    def _merge_usage(self, raw: object) -> None:
        if not isinstance(raw, dict):
            return
        for key, value in raw.items():
            if is_int(value):
                self._usage[key] = max(self._usage.get(key, 0), value)

    def _merged_usage(self) -> Usage:
        return usage_from_wire(self._usage) or Usage()
