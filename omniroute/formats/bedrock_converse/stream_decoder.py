"""ConverseStream's event-stream frames → canonical stream events.

Events: messageStart {role}; contentBlockStart {start.toolUse {toolUseId, name},
contentBlockIndex} (only tool calls have one: a text or reasoning block begins with its first
delta); contentBlockDelta {delta {text} | {toolUse.input} | {reasoningContent {text} |
{signature} | {redactedContent}}, contentBlockIndex}; contentBlockStop; messageStop
{stopReason}; metadata {usage, metrics} — after messageStop, so the canonical MessageDelta
(stop reason and usage) and MessageStop come once metadata is in (or at close() without it).
An exception frame is a StreamError; a stream cut before messageStop is
canonical.cut_stream_error().
"""

from __future__ import annotations

from typing import Any

from ..canonical import (
    BlockDelta,
    BlockStart,
    BlockStop,
    MessageDelta,
    MessageStart,
    MessageStop,
    Part,
    RedactedThinkingPart,
    StopReason,
    StreamError,
    StreamEvent,
    TextPart,
    ThinkingPart,
    ToolUsePart,
    cut_stream_error,
)
from . import NAME
from .eventstream import Frame, FrameError, FrameReader
from .vocabulary import error_message, exception_status, message_id, stop_from_wire, usage_from_wire


class StreamDecoder:
    def __init__(self) -> None:
        self._reader = FrameReader()
        self._indexes: dict[int, int] = {}  # Bedrock's contentBlockIndex → canonical index
        self._open: set[int] = set()
        self._started = False
        self._stop: StopReason | None = None
        self._stopped = False
        self._done = False

    def feed(self, data: bytes) -> list[StreamEvent]:
        if self._done:
            return []
        try:
            frames = self._reader.feed(data)
        except FrameError as error:
            self._done = True
            return [
                StreamError(502, f"Bedrock's event stream is broken: {error}", code="bad_stream")
            ]
        events: list[StreamEvent] = []
        for frame in frames:
            events.extend(self._frame(frame))
            if self._done:
                break
        return events

    def close(self) -> list[StreamEvent]:
        if self._done:
            return []
        self._done = True
        if self._stopped:
            return [*self._close_blocks(), MessageDelta(stop_reason=self._stop), MessageStop()]
        return [cut_stream_error()]

    # -----------------------------------------------------------------------------------------

    def _frame(self, frame: Frame) -> list[StreamEvent]:
        if frame.message_type != "event":
            self._done = True
            message = error_message(frame.payload) or frame.kind or "Bedrock stream error"
            return [StreamError(exception_status(frame.kind), message, code=frame.kind or None)]
        payload = frame.payload if isinstance(frame.payload, dict) else {}
        events: list[StreamEvent] = []
        if not self._started and frame.kind != "messageStart":
            events.append(self._message_start())
        handler = _HANDLERS.get(frame.kind)
        if handler is not None:
            events.extend(handler(self, payload))
        return events

    def _message_start(self) -> StreamEvent:
        self._started = True
        return MessageStart(id=message_id(), model="")

    def _on_message_start(self, payload: dict) -> list[StreamEvent]:
        return [] if self._started else [self._message_start()]

    def _begin(self, wire_index: Any, part: Part) -> tuple[int, list[StreamEvent]]:
        key = wire_index if isinstance(wire_index, int) else len(self._indexes)
        if key in self._indexes:
            return self._indexes[key], []
        index = self._indexes[key] = len(self._indexes)
        self._open.add(index)
        return index, [BlockStart(index, part)]

    def _on_block_start(self, payload: dict) -> list[StreamEvent]:
        start = payload.get("start") or {}
        tool = start.get("toolUse") if isinstance(start, dict) else None
        if not isinstance(tool, dict):
            return []
        part = ToolUsePart(
            id=str(tool.get("toolUseId", "")), name=str(tool.get("name", "")), arguments=""
        )
        return self._begin(payload.get("contentBlockIndex"), part)[1]

    def _on_block_delta(self, payload: dict) -> list[StreamEvent]:
        delta = payload.get("delta") or {}
        wire_index = payload.get("contentBlockIndex")
        if not isinstance(delta, dict):
            return []
        if isinstance(delta.get("text"), str):
            index, events = self._begin(wire_index, TextPart(""))
            return [*events, BlockDelta(index, text=delta["text"])]
        tool = delta.get("toolUse")
        if isinstance(tool, dict):
            index, events = self._begin(wire_index, ToolUsePart(id="", name="", arguments=""))
            return [*events, BlockDelta(index, arguments=str(tool.get("input", "")))]
        reasoning = delta.get("reasoningContent")
        if isinstance(reasoning, dict):
            return self._reasoning(wire_index, reasoning)
        return []

    def _reasoning(self, wire_index: Any, reasoning: dict) -> list[StreamEvent]:
        if isinstance(reasoning.get("redactedContent"), str):
            part = RedactedThinkingPart(reasoning["redactedContent"], origin=NAME)
            return self._begin(wire_index, part)[1]
        index, events = self._begin(wire_index, ThinkingPart("", origin=NAME))
        if isinstance(reasoning.get("text"), str):
            events.append(BlockDelta(index, text=reasoning["text"]))
        if isinstance(reasoning.get("signature"), str):
            events.append(BlockDelta(index, signature=reasoning["signature"]))
        return events

    def _on_block_stop(self, payload: dict) -> list[StreamEvent]:
        index = self._indexes.get(payload.get("contentBlockIndex"))  # type: ignore[arg-type]
        if index is None or index not in self._open:
            return []
        self._open.discard(index)
        return [BlockStop(index)]

    def _close_blocks(self) -> list[StreamEvent]:
        events: list[StreamEvent] = [BlockStop(index) for index in sorted(self._open)]
        self._open.clear()
        return events

    def _on_message_stop(self, payload: dict) -> list[StreamEvent]:
        self._stop = stop_from_wire(payload.get("stopReason")) or "end_turn"
        self._stopped = True
        return []

    def _on_metadata(self, payload: dict) -> list[StreamEvent]:
        if not self._stopped:
            return []
        self._done = True
        usage = usage_from_wire(payload.get("usage"))
        return [
            *self._close_blocks(),
            MessageDelta(stop_reason=self._stop, usage=usage),
            MessageStop(),
        ]


_HANDLERS = {
    "messageStart": StreamDecoder._on_message_start,
    "contentBlockStart": StreamDecoder._on_block_start,
    "contentBlockDelta": StreamDecoder._on_block_delta,
    "contentBlockStop": StreamDecoder._on_block_stop,
    "messageStop": StreamDecoder._on_message_stop,
    "metadata": StreamDecoder._on_metadata,
}
