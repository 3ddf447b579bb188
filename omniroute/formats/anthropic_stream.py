"""Anthropic Messages streaming (SSE with `event:` names) ↔ canonical stream events.

Also holds the vocabulary both halves of the Anthropic format share: usage conversion (Anthropic's
`input_tokens` excludes the cached parts, canonical `input_tokens` includes them), stop reasons and
error types. `anthropic_messages` re-exports the decoder and encoder.

StreamDecoder (provider bytes → canonical): message_start → MessageStart; content blocks →
BlockStart/BlockDelta/BlockStop renumbered from 0 (server-tool blocks such as `server_tool_use` or
`web_search_tool_result` and `citations_delta` cannot be represented and are skipped); a tool_use
block that streamed no `input_json_delta` gets `"{}"` (or its start `input`) as arguments; usage
of message_start and message_delta is merged (largest value of each counter, so gateways that send
0 in one of them do not erase the other) into every MessageDelta; `ping` is ignored; `error` →
StreamError. close() completes a cut stream: open blocks stop, a MessageDelta with stop_reason
"error" (no message_delta came) and MessageStop follow; no event at all → StreamError(502).

StreamEncoder (canonical → client bytes): always message_start (synthesized from the request's
model and a `msg_…` id if the first event is not a MessageStart) then `ping`; wire block indexes
run from 0 with one block open at a time: a block started while another is still open is held
back (with its deltas) until that one stops, so interleaved canonical blocks lose nothing. All
MessageDeltas are merged into ONE message_delta (stop reason + final usage in Anthropic
semantics), sent with message_stop. A StreamError, or a final stop_reason "error" (a cut
upstream stream), becomes `event: error` and nothing follows it.
"""

from __future__ import annotations

import json
import uuid

from .canonical import (
    BlockDelta,
    BlockStart,
    BlockStop,
    MessageDelta,
    MessageStart,
    MessageStop,
    Part,
    RedactedThinkingPart,
    Request,
    StopReason,
    StreamError,
    StreamEvent,
    TextPart,
    ThinkingPart,
    ToolUsePart,
    Usage,
)
from .sse import SSESplitter, encode_event, event_fields

# ---------------------------------------------------------------------------------------------
# Shared vocabulary

_ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    503: "overloaded_error",
    504: "timeout_error",
    529: "overloaded_error",
}
_STATUS_OF_TYPE: dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}
_STOP_REASONS = frozenset(
    {"end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal", "pause_turn"}
)


def error_type_for(status: int) -> str:
    """Anthropic's error type for an HTTP status (other 4xx: invalid_request_error)."""
    if status in _ERROR_TYPES:
        return _ERROR_TYPES[status]
    return "invalid_request_error" if 400 <= status < 500 else "api_error"


def status_for_type(error_type: object) -> int:
    return _STATUS_OF_TYPE.get(error_type, 500) if isinstance(error_type, str) else 500


def error_payload(error_type: str, message: str) -> dict:
    return {"type": "error", "error": {"type": error_type, "message": message}}


def stop_reason_from_wire(value: object) -> StopReason | None:
    """Anthropic's stop reasons are the canonical ones; newer ones map to their nearest."""
    if value is None:
        return None
    if isinstance(value, str) and value in _STOP_REASONS:
        return value  # type: ignore[return-value]
    return "max_tokens" if value == "model_context_window_exceeded" else "end_turn"


def stop_reason_to_wire(value: StopReason | None) -> str:
    """Anthropic has no "error" stop reason: anything it does not know becomes end_turn."""
    return value if value in _STOP_REASONS else "end_turn"  # type: ignore[return-value]


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def usage_from_wire(raw: object) -> Usage | None:
    """Anthropic usage → canonical: the cached parts are added back into input_tokens."""
    if not isinstance(raw, dict):
        return None
    read = _count(raw.get("cache_read_input_tokens"))
    write = _count(raw.get("cache_creation_input_tokens"))
    return Usage(
        input_tokens=_count(raw.get("input_tokens")) + read + write,
        output_tokens=_count(raw.get("output_tokens")),
        cache_read_tokens=read,
        cache_write_tokens=write,
    )


def usage_to_wire(usage: Usage | None) -> dict[str, int]:
    """Canonical usage → Anthropic: input_tokens without the cached parts."""
    usage = usage or Usage()
    cached = usage.cache_read_tokens + usage.cache_write_tokens
    return {
        "input_tokens": max(0, usage.input_tokens - cached),
        "cache_creation_input_tokens": usage.cache_write_tokens,
        "cache_read_input_tokens": usage.cache_read_tokens,
        "output_tokens": usage.output_tokens,
    }


def _dumps(payload: object) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------------------------------------
# Decoder: provider SSE → canonical events


def _start_part(block: object) -> tuple[Part, str] | None:
    """(empty canonical part, text the start already carries) for a content_block_start."""
    if not isinstance(block, dict):
        return None
    kind = block.get("type")
    if kind == "text":
        return TextPart(""), _text(block.get("text"))
    if kind == "thinking":
        return ThinkingPart(""), _text(block.get("thinking"))
    if kind == "tool_use":
        tool = ToolUsePart(id=_text(block.get("id")), name=_text(block.get("name")), arguments="")
        given = block.get("input")
        return tool, _dumps(given) if isinstance(given, dict) and given else ""
    if kind == "redacted_thinking":
        return RedactedThinkingPart(_text(block.get("data"))), ""
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
        if not self._started:
            return [*events, StreamError(502, "the upstream stream ended before any event")]
        events.extend(self._stop_open_blocks())
        if not self._delta_sent:
            events.append(MessageDelta(stop_reason="error", usage=self._merged_usage()))
        self._ended = True
        return [*events, MessageStop()]

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
        delta = payload.get("delta") if isinstance(payload.get("delta"), dict) else {}
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
        error = payload.get("error") if isinstance(payload.get("error"), dict) else {}
        kind = error.get("type") if isinstance(error.get("type"), str) else "api_error"
        message = _text(error.get("message")) or "upstream stream error"
        self._ended = True
        return [StreamError(status=status_for_type(kind), message=message, type=kind)]

    def _merge_usage(self, raw: object) -> None:
        if not isinstance(raw, dict):
            return
        for key, value in raw.items():
            if isinstance(value, int) and not isinstance(value, bool):
                self._usage[key] = max(self._usage.get(key, 0), value)

    def _merged_usage(self) -> Usage:
        return usage_from_wire(self._usage) or Usage()


# ---------------------------------------------------------------------------------------------
# Encoder: canonical events → client SSE


def _event_bytes(name: str, payload: dict) -> bytes:
    return encode_event(_dumps({"type": name, **payload}), event=name)


def _error_event(error_type: str, message: str) -> bytes:
    return encode_event(_dumps(error_payload(error_type, message)), event="error")


def _start_block(part: Part) -> dict | None:
    if isinstance(part, TextPart):
        return {"type": "text", "text": ""}
    if isinstance(part, ThinkingPart):
        return {"type": "thinking", "thinking": "", "signature": ""}
    if isinstance(part, ToolUsePart):
        ident = part.id or f"toolu_{uuid.uuid4().hex[:24]}"
        return {"type": "tool_use", "id": ident, "name": part.name, "input": {}}
    if isinstance(part, RedactedThinkingPart):
        return {"type": "redacted_thinking", "data": part.data}
    return None  # images, documents, tool results are not assistant output


def _initial_delta(index: int, part: Part) -> BlockDelta | None:
    """The content a BlockStart already carries, as a delta (canonical starts are usually empty)."""
    if isinstance(part, TextPart) and part.text:
        return BlockDelta(index, text=part.text)
    if isinstance(part, ThinkingPart) and (part.text or part.signature):
        return BlockDelta(index, text=part.text, signature=part.signature or "")
    if isinstance(part, ToolUsePart) and part.arguments:
        return BlockDelta(index, arguments=part.arguments)
    return None


class StreamEncoder:
    """Canonical StreamEvents → Anthropic SSE for a client of the Messages API."""

    def __init__(self, request: Request) -> None:
        self._model = request.model
        self._started = self._done = False
        self._next_wire = 0
        self._open: int | None = None  # canonical index of the block open on the wire
        self._kinds: dict[int, str] = {}  # canonical index → wire block type
        self._queue: list[int] = []  # blocks started while another was open, in order
        self._held: dict[int, list[StreamEvent]] = {}
        self._seen: set[int] = set()  # every canonical index ever started
        self._stop: tuple[StopReason | None, str | None] = (None, None)
        self._usage: Usage | None = None

    def encode(self, event: StreamEvent) -> bytes:
        if self._done:
            return b""
        if isinstance(event, MessageStart):
            return self._message_start(event)
        if isinstance(event, StreamError):
            self._done = True
            return _error_event(event.type, event.message)
        out = self._message_start(None)
        if isinstance(event, BlockStart):
            return out + self._block_start(event)
        if isinstance(event, BlockDelta | BlockStop):
            return out + self._block_event(event)
        if isinstance(event, MessageDelta):
            return out + self._message_delta(event)
        return out + self._finish()  # MessageStop

    def close(self) -> bytes:
        """Whatever is missing to end the stream properly (nothing if it already ended)."""
        if self._done:
            return b""
        return self._message_start(None) + self._finish()

    def _message_start(self, event: MessageStart | None) -> bytes:
        if self._started:
            return b""
        self._started = True
        ident = (event.id if event else "") or f"msg_{uuid.uuid4().hex[:24]}"
        usage = event.usage if event else None
        self._usage = usage
        message = {
            "id": ident,
            "type": "message",
            "role": "assistant",
            "model": (event.model if event else "") or self._model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": usage_to_wire(usage),
        }
        return _event_bytes("message_start", {"message": message}) + _event_bytes("ping", {})

    def _block_start(self, event: BlockStart) -> bytes:
        if event.index in self._seen:
            return b""
        self._seen.add(event.index)
        if self._open is not None:
            self._queue.append(event.index)
            self._held[event.index] = [event]
            return b""
        return self._open_block(event)

    def _open_block(self, event: BlockStart) -> bytes:
        block = _start_block(event.part)
        if block is None:
            return b""
        self._open, self._kinds[event.index] = event.index, block["type"]
        payload = {"index": self._next_wire, "content_block": block}
        out = _event_bytes("content_block_start", payload)
        initial = _initial_delta(event.index, event.part)
        return out + (self._delta(initial) if initial else b"")

    def _block_event(self, event: BlockDelta | BlockStop) -> bytes:
        if event.index in self._held:
            self._held[event.index].append(event)
            return b""
        if event.index not in self._seen and isinstance(event, BlockDelta) and event.text:
            return self._block_start(BlockStart(event.index, TextPart(""))) + self._block_event(
                event
            )  # text without a BlockStart: open a text block for it
        if event.index != self._open:
            return b""  # a skipped block, or one already closed
        if isinstance(event, BlockStop):
            return self._close_open() + self._drain()
        return self._delta(event)

    def _delta(self, event: BlockDelta) -> bytes:
        kind, out = self._kinds.get(event.index), b""
        pieces: list[dict[str, str]] = []
        if kind == "text" and event.text:
            pieces.append({"type": "text_delta", "text": event.text})
        elif kind == "thinking":
            if event.text:
                pieces.append({"type": "thinking_delta", "thinking": event.text})
            if event.signature:
                pieces.append({"type": "signature_delta", "signature": event.signature})
        elif kind == "tool_use" and event.arguments:
            pieces.append({"type": "input_json_delta", "partial_json": event.arguments})
        for delta in pieces:
            out += _event_bytes("content_block_delta", {"index": self._next_wire, "delta": delta})
        return out

    def _close_open(self) -> bytes:
        if self._open is None:
            return b""
        self._open = None
        out = _event_bytes("content_block_stop", {"index": self._next_wire})
        self._next_wire += 1
        return out

    def _drain(self) -> bytes:
        """Replay held blocks while no block is open on the wire."""
        out = b""
        while self._open is None and self._queue:
            index = self._queue.pop(0)
            held = self._held.pop(index)
            out += self._open_block(held[0])  # type: ignore[arg-type]
            for event in held[1:]:
                if self._open != index:
                    break
                is_stop = isinstance(event, BlockStop)
                out += self._close_open() if is_stop else self._delta(event)  # type: ignore[arg-type]
        return out

    def _close_all(self) -> bytes:
        out = b""
        while True:
            out += self._close_open()
            if not self._queue:
                return out
            out += self._drain()

    def _message_delta(self, event: MessageDelta) -> bytes:
        if event.stop_reason is not None:
            self._stop = (event.stop_reason, event.stop_sequence)
        if event.usage is not None:
            self._usage = event.usage
        return self._close_all()

    def _finish(self) -> bytes:
        out = self._close_all()
        self._done = True
        reason, sequence = self._stop
        if reason == "error":
            message = "the upstream response ended before it was complete"
            return out + _error_event("api_error", message)
        delta = {"stop_reason": stop_reason_to_wire(reason), "stop_sequence": sequence}
        out += _event_bytes("message_delta", {"delta": delta, "usage": usage_to_wire(self._usage)})
        return out + _event_bytes("message_stop", {})
