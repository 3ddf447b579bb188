"""Canonical stream events → ConverseStream event-stream frames (the translator's view of a
Bedrock stream, and what a same-format watch would write for an in-band error).

A text or reasoning block has no contentBlockStart on the wire (its first delta opens it); a
tool call's carries its id and name; a redacted reasoning block is one delta. MessageDelta
gives messageStop then metadata (usage); a StreamError becomes an exception frame.
"""

from __future__ import annotations

from ..canonical import (
    BlockDelta,
    BlockStart,
    BlockStop,
    MessageDelta,
    MessageStart,
    MessageStop,
    RedactedThinkingPart,
    Request,
    StreamError,
    StreamEvent,
    ThinkingPart,
    ToolUsePart,
)
from .eventstream import event_frame, exception_frame
from .vocabulary import exception_for_status, stop_to_wire, usage_to_wire


class StreamEncoder:
    def __init__(self, request: Request | None = None) -> None:
        self._kinds: dict[int, str] = {}
        self._stopped = False

    def encode(self, event: StreamEvent) -> bytes:
        if isinstance(event, MessageStart):
            return event_frame("messageStart", {"role": "assistant"})
        if isinstance(event, BlockStart):
            return self._start(event)
        if isinstance(event, BlockDelta):
            return self._delta(event)
        if isinstance(event, BlockStop):
            return event_frame("contentBlockStop", {"contentBlockIndex": event.index})
        if isinstance(event, MessageDelta):
            return self._finish(event)
        if isinstance(event, MessageStop):
            return b"" if self._stopped else self._finish(MessageDelta())
        if isinstance(event, StreamError):
            self._stopped = True
            return exception_frame(exception_for_status(event.status), event.message)
        return b""

    def close(self) -> bytes:
        return b""

    def _start(self, event: BlockStart) -> bytes:
        part = event.part
        self._kinds[event.index] = part.type
        if isinstance(part, ToolUsePart):
            start = {"toolUse": {"toolUseId": part.id, "name": part.name}}
            return event_frame(
                "contentBlockStart", {"start": start, "contentBlockIndex": event.index}
            )
        if isinstance(part, RedactedThinkingPart):
            delta = {"reasoningContent": {"redactedContent": part.data}}
            return event_frame(
                "contentBlockDelta", {"delta": delta, "contentBlockIndex": event.index}
            )
        if isinstance(part, ThinkingPart) and part.text:
            delta = {"reasoningContent": {"text": part.text}}
            return event_frame(
                "contentBlockDelta", {"delta": delta, "contentBlockIndex": event.index}
            )
        return b""

    def _delta(self, event: BlockDelta) -> bytes:
        kind = self._kinds.get(event.index, "text")
        frames: list[dict] = []
        if kind == "tool_use" and event.arguments:
            frames.append({"toolUse": {"input": event.arguments}})
        elif kind == "thinking":
            if event.text:
                frames.append({"reasoningContent": {"text": event.text}})
            if event.signature:
                frames.append({"reasoningContent": {"signature": event.signature}})
        elif event.text:
            frames.append({"text": event.text})
        return b"".join(
            event_frame("contentBlockDelta", {"delta": delta, "contentBlockIndex": event.index})
            for delta in frames
        )

    def _finish(self, event: MessageDelta) -> bytes:
        if self._stopped:
            return b""
        self._stopped = True
        stop = event_frame("messageStop", {"stopReason": stop_to_wire(event.stop_reason)})
        metadata = {"usage": usage_to_wire(event.usage), "metrics": {"latencyMs": 0}}
        return stop + event_frame("metadata", metadata)
