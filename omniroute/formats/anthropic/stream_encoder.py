"""Anthropic Messages streaming, client side: canonical events → SSE with `event:` names.

StreamEncoder: always message_start (synthesized from the request's model and a `msg_…` id if
the first event is not a MessageStart) then `ping`; wire block indexes run from 0 with one block
open at a time: a block started while another is still open is held back (with its deltas) until
that one stops, so interleaved canonical blocks lose nothing. All MessageDeltas are merged into
ONE message_delta (stop reason + final usage in Anthropic semantics), sent with message_stop. A
StreamError, or a final stop_reason "error" (a cut upstream stream), becomes `event: error` and
nothing follows it. The signature of a thinking block another format issued is collected and
sent wrapped (formats/signatures.py) in one signature_delta just before its block stops.
"""

from __future__ import annotations

from ...unique_ids import unique_hex
from ..canonical import (
    BlockDelta,
    BlockStart,
    BlockStop,
    MessageDelta,
    MessageStart,
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
from ..signatures import is_foreign, shown, streamed
from ..sse import encode_event
from . import NAME
from .vocabulary import dumps, error_payload, new_message_id, stop_reason_to_wire, usage_to_wire


def _event_bytes(name: str, payload: dict) -> bytes:
    return encode_event(dumps({"type": name, **payload}), event=name)


def _error_event(error_type: str, message: str) -> bytes:
    return encode_event(dumps(error_payload(error_type, message)), event="error")


def _start_block(part: Part) -> dict | None:
    if isinstance(part, TextPart):
        return {"type": "text", "text": ""}
    if isinstance(part, ThinkingPart):
        return {"type": "thinking", "thinking": "", "signature": ""}
    if isinstance(part, ToolUsePart):
        ident = part.id or f"toolu_{unique_hex()[:24]}"
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
        self._held: dict[int, tuple[BlockStart, list[BlockDelta | BlockStop]]] = {}
        self._seen: set[int] = set()  # every canonical index ever started
        # thinking blocks another format issued: canonical index → (start part, signature so far)
        self._foreign: dict[int, tuple[ThinkingPart, str]] = {}
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
        ident = (event.id if event else "") or new_message_id()
        usage = event.usage if event else None
        self._usage = usage
        message: dict[str, object] = {
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
            self._held[event.index] = (event, [])
            return b""
        return self._open_block(event)

    def _open_block(self, event: BlockStart) -> bytes:
        block = _start_block(event.part)
        if block is None:
            return b""
        self._open, self._kinds[event.index] = event.index, block["type"]
        payload = {"index": self._next_wire, "content_block": block}
        out = _event_bytes("content_block_start", payload)
        part = event.part
        if isinstance(part, ThinkingPart) and is_foreign(part, NAME):
            self._foreign[event.index] = (part, "")
            part = ThinkingPart(part.text)  # its signature goes out wrapped, at the block's end
        initial = _initial_delta(event.index, part)
        return out + (self._delta(initial) if initial else b"")

    def _block_event(self, event: BlockDelta | BlockStop) -> bytes:
        if event.index in self._held:
            self._held[event.index][1].append(event)
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
            if event.signature and event.index in self._foreign:
                start, signature = self._foreign[event.index]
                self._foreign[event.index] = (start, signature + event.signature)
            elif event.signature:
                pieces.append({"type": "signature_delta", "signature": event.signature})
        elif kind == "tool_use" and event.arguments:
            pieces.append({"type": "input_json_delta", "partial_json": event.arguments})
        for delta in pieces:
            out += _event_bytes("content_block_delta", {"index": self._next_wire, "delta": delta})
        return out

    def _close_open(self) -> bytes:
        if self._open is None:
            return b""
        out = self._foreign_signature(self._open)
        self._open = None
        out += _event_bytes("content_block_stop", {"index": self._next_wire})
        self._next_wire += 1
        return out

    def _foreign_signature(self, index: int) -> bytes:
        """The wrapped signature of a thinking block another format issued, if it has one."""
        if index not in self._foreign:
            return b""
        start, signature = self._foreign.pop(index)
        wrapped = shown(streamed(start, signature), NAME)
        if not isinstance(wrapped, ThinkingPart) or not wrapped.signature:
            return b""
        delta = {"type": "signature_delta", "signature": wrapped.signature}
        return _event_bytes("content_block_delta", {"index": self._next_wire, "delta": delta})

    def _drain(self) -> bytes:
        """Replay held blocks while no block is open on the wire."""
        out = b""
        while self._open is None and self._queue:
            index = self._queue.pop(0)
            start, held = self._held.pop(index)
            out += self._open_block(start)
            for event in held:
                if self._open != index:
                    break
                out += self._close_open() if isinstance(event, BlockStop) else self._delta(event)
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
