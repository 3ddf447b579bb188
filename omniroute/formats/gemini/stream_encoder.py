"""Gemini streaming, client side: canonical events → Gemini SSE chunks.

The wire: SSE events `data: {GenerateContentResponse}` with no event names and no [DONE].
Each chunk's first candidate holds the new parts: text and thought text arrive as deltas, a
functionCall arrives whole in one chunk; the last chunk has finishReason and the final
(cumulative) usageMetadata. An error mid-stream is a chunk `data: {"error": {...}}`.

StreamEncoder (any canonical events → Gemini SSE): a chunk per text or thinking delta with one
part (the first chunk also carries MessageStart's usage as Gemini's prompt count); a thinking
block's signature goes out when the block stops ({"thought": true, "text": "",
"thoughtSignature": …}) or, for a block with no text, on the next part sent (another format's
signature or redacted thinking wrapped, see formats/signatures.py); a tool call is
buffered until its BlockStop and sent whole as a functionCall (args: the accumulated JSON parsed
to an object; JSON that does not parse to an object gives {}); MessageStop sends the final chunk
with finishReason and usageMetadata. A StreamError becomes `data: {"error": {...}}` in Gemini's
error shape, and the stream ends. close() sends buffered tool calls and the final chunk if
MessageStop never came.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    Request,
    StopReason,
    StreamError,
    StreamEvent,
    TextPart,
    ThinkingPart,
    ToolUsePart,
    Usage,
)
from ..signatures import shown, streamed
from ..sse import encode_event
from . import NAME
from .parts import build_part, is_synthetic_id
from .vocabulary import (
    dumps,
    error_payload,
    finish_reason_of,
    usage_to_metadata,
)


@dataclass
class _Block:
    kind: str  # "text" | "thinking" | "tool" | "other"
    part: Part
    arguments: str = ""
    has_text: bool = False
    signature: str = ""  # the signature deltas of a thinking block


class StreamEncoder:
    """Canonical stream events → Gemini SSE chunks for a Gemini client."""

    def __init__(self, request: Request) -> None:
        self._model = request.model
        self._id = ""
        self._blocks: dict[int, _Block] = {}
        self._pending_signature: str | None = None
        self._start_usage: Usage | None = None
        self._usage: Usage | None = None
        self._stop: StopReason | None = None
        self._done = False
        self._sent = False

    def encode(self, event: StreamEvent) -> bytes:
        if self._done:
            return b""
        if isinstance(event, MessageStart):
            self._id = event.id or self._id
            self._model = event.model or self._model
            self._start_usage = event.usage
        elif isinstance(event, BlockStart):
            self._blocks[event.index] = _block(event.part)
        elif isinstance(event, BlockDelta):
            return self._delta(event)
        elif isinstance(event, BlockStop):
            return self._stop_block(self._blocks.pop(event.index, None))
        elif isinstance(event, MessageDelta):
            self._stop = event.stop_reason or self._stop
            self._usage = event.usage or self._usage
        elif isinstance(event, MessageStop):
            return self._final()
        elif isinstance(event, StreamError):
            self._done = True
            return encode_event(dumps(error_payload(event.status, event.message)))
        return b""

    def close(self) -> bytes:
        if self._done:
            return b""
        out = b"".join(self._stop_block(self._blocks.pop(i)) for i in sorted(self._blocks))
        return out + self._final()

    def _delta(self, event: BlockDelta) -> bytes:
        block = self._blocks.get(event.index)
        if block is None:
            return b""
        if block.kind == "tool":
            block.arguments += event.arguments
            return b""
        if event.signature and block.kind == "thinking":
            block.signature += event.signature
        if not event.text or block.kind not in ("text", "thinking"):
            return b""
        part: dict[str, Any] = {"text": event.text}
        if block.kind == "thinking":
            part = {"thought": True, **part}
            block.has_text = True
        return self._chunk([part])

    def _stop_block(self, block: _Block | None) -> bytes:
        if block is None:
            return b""
        if block.kind == "thinking":
            signature = _signature(block)
            if signature and block.has_text:
                part = {"thought": True, "text": "", "thoughtSignature": signature}
                return self._chunk([part])
            if signature:
                out = self._flush_signature()
                self._pending_signature = signature
                return out
            return b""
        if block.kind == "tool":
            tool = block.part
            if not isinstance(tool, ToolUsePart):
                return b""
            call = ToolUsePart(id=tool.id, name=tool.name, arguments=block.arguments or "{}")
            return self._chunk(build_part(call, {}, _shown))
        if block.kind == "other":
            return self._chunk(build_part(block.part, {}, _shown))
        return b""

    def _flush_signature(self) -> bytes:
        if self._pending_signature is None:
            return b""
        return self._chunk([{"text": ""}])

    def _chunk(self, parts: list[dict], final: bool = False) -> bytes:
        if not parts and not final:
            return b""
        if self._pending_signature and (not parts or "thoughtSignature" not in parts[0]):
            parts = parts or [{"text": ""}]
            parts[0] = {**parts[0], "thoughtSignature": self._pending_signature}
        elif self._pending_signature:
            parts = [{"text": "", "thoughtSignature": self._pending_signature}, *parts]
        self._pending_signature = None
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
        body: dict[str, Any] = {"candidates": [candidate]}
        usage = self._final_usage() if final else None if self._sent else self._start_usage
        if final:
            candidate["finishReason"] = finish_reason_of(self._stop)
        if usage is not None:
            body["usageMetadata"] = usage_to_metadata(usage)
        self._sent = True
        if self._model:
            body["modelVersion"] = self._model
        if self._id:
            body["responseId"] = self._id
        return encode_event(dumps(body))

    def _final(self) -> bytes:
        self._done = True
        parts = [] if self._pending_signature else [{"text": ""}]
        return self._chunk(parts, final=True)

    def _final_usage(self) -> Usage | None:
        start, end = self._start_usage, self._usage
        if start is None or end is None:
            return end or start
        return Usage(
            input_tokens=end.input_tokens or start.input_tokens,
            output_tokens=end.output_tokens or start.output_tokens,
            cache_read_tokens=end.cache_read_tokens or start.cache_read_tokens,
            cache_write_tokens=end.cache_write_tokens or start.cache_write_tokens,
            reasoning_tokens=end.reasoning_tokens or start.reasoning_tokens,
        )


def _block(part: Part) -> _Block:
    if isinstance(part, TextPart):
        return _Block("text", part)
    if isinstance(part, RedactedThinkingPart):
        part = shown(part, NAME)  # another format's redacted thinking: a wrapped signature
    if isinstance(part, ThinkingPart):
        return _Block("thinking", part)
    if isinstance(part, ToolUsePart):
        return _Block("tool", part, arguments=part.arguments)
    return _Block("other", part)


def _signature(block: _Block) -> str | None:
    """A thinking block's thoughtSignature: its own, or another format's wrapped."""
    assert isinstance(block.part, ThinkingPart)
    part = shown(streamed(block.part, block.signature), NAME)
    return part.signature if isinstance(part, ThinkingPart) else None


def _shown(call_id: str) -> bool:
    """Ids a Gemini client may see: all but the ones the gateway made up."""
    return not is_synthetic_id(call_id)
