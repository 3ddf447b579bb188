"""Canonical stream events → the full OpenAI Responses SSE event sequence (StreamEncoder).

response.created … and response.completed / response.incomplete / response.failed, with
`sequence_number` counting from 0: Codex CLI needs all of it before it prints anything. A failed
stream carries a `response.error.code` clients act on (context window, quota, rate limits).
Item conventions: see output.py.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, replace
from typing import Any

from .. import canonical as c
from ..signatures import streamed
from ..sse import encode_event
from . import NAME
from .output import (
    encrypted_content_of,
    function_call_item,
    message_item,
    new_id,
    output_text_part,
    reasoning_item,
    response_id,
    response_object,
    summary_text_part,
)
from .tools import tool_choice_echo


def merge_usage(old: c.Usage | None, new: c.Usage | None) -> c.Usage | None:
    """Counts reported in several events (start and end) are running totals: keep the largest."""
    if old is None or new is None:
        return new or old
    return c.Usage(
        *(max(a, b) for a, b in zip(_usage_fields(old), _usage_fields(new), strict=True))
    )


def _usage_fields(usage: c.Usage) -> tuple[int, ...]:
    return (
        usage.input_tokens,
        usage.output_tokens,
        usage.cache_read_tokens,
        usage.cache_write_tokens,
        usage.reasoning_tokens,
    )


_CONTEXT_RE = re.compile(r"context (length|window)|prompt is too long|maximum context", re.I)
# response.error codes clients act on (Codex: context window, quota, retry-after on rate limits)
_KNOWN_CODES = frozenset(
    {
        "server_error",
        "rate_limit_exceeded",
        "invalid_prompt",
        "context_length_exceeded",
        "insufficient_quota",
        "usage_not_included",
    }
)


def _error_code(event: c.StreamError) -> str:
    """The `response.error.code` for a canonical error."""
    if event.code in _KNOWN_CODES:
        return event.code
    if event.status == 429:
        return "rate_limit_exceeded"
    if event.status in (400, 413) and _CONTEXT_RE.search(event.message):
        return "context_length_exceeded"
    return "invalid_prompt" if 400 <= event.status < 500 else "server_error"


@dataclass
class _OutBlock:
    kind: str  # "text" | "tool" | "thinking"
    output_index: int
    item: dict
    text: str = ""
    start: c.ThinkingPart | c.RedactedThinkingPart | None = None  # a thinking block's start
    signature: str = ""  # signature deltas (a Responses block's: its encrypted_content)
    summary_open: bool = False
    done: bool = False


class StreamEncoder:
    """Each text block becomes a message item, each tool_use block a function_call item, each
    thinking block a reasoning item (its text as one summary part). Blocks still open when the
    message ends are closed first; close() finishes a stream whose events stopped early."""

    def __init__(self, request: c.Request) -> None:
        self._request = request
        self._namespaced = request.extra.get("responses.tools.namespaced") or {}
        self._seq = 0
        self._id = ""
        self._model = request.model
        self._created = int(time.time())
        self._started = False
        self._finished = False
        self._blocks: dict[int, _OutBlock] = {}
        self._output: list[dict] = []
        self._usage: c.Usage | None = None
        self._stop: str | None = None

    def encode(self, event: c.StreamEvent) -> bytes:
        if self._finished:
            return b""
        out = b"" if self._started else self._begin(event)
        if isinstance(event, c.BlockStart):
            out += self._block_start(event.index, event.part)
        elif isinstance(event, c.BlockDelta):
            out += self._block_delta(event)
        elif isinstance(event, c.BlockStop):
            out += self._block_stop(event.index)
        elif isinstance(event, c.MessageDelta):
            self._stop = event.stop_reason or self._stop
            self._usage = merge_usage(self._usage, event.usage)
        elif isinstance(event, c.MessageStop):
            out += self._end()
        elif isinstance(event, c.StreamError):
            out += self._fail(event)
        return out

    def close(self) -> bytes:
        if self._finished:
            return b""
        return (b"" if self._started else self._begin(c.MessageStop())) + self._end()

    # -- framing ---------------------------------------------------------------------------

    def _emit(self, kind: str, **fields: Any) -> bytes:
        payload = {"type": kind, "sequence_number": self._seq, **fields}
        self._seq += 1
        return encode_event(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), kind)

    def _response(self, stop_reason: str | None) -> dict:
        return response_object(
            self._id,
            self._model,
            self._created,
            list(self._output),
            self._usage,
            stop_reason,
            parallel_tool_calls=self._request.parallel_tool_calls is not False,
            tool_choice=tool_choice_echo(self._request.tool_choice, self._namespaced),
        )

    def _begin(self, event: c.StreamEvent) -> bytes:
        self._started = True
        start = event if isinstance(event, c.MessageStart) else None
        self._id = response_id(start.id if start else None)
        self._model = (start.model if start else "") or self._request.model
        self._usage = start.usage if start else None
        snapshot = self._response(None)
        snapshot.update(status="in_progress", usage=None)
        return self._emit("response.created", response=snapshot) + self._emit(
            "response.in_progress", response=snapshot
        )

    def _end(self) -> bytes:
        out = b"".join(self._block_stop(index) for index in sorted(self._blocks))
        self._finished = True
        stop = self._stop or ("tool_use" if self._has_calls() else "end_turn")
        response = self._response(stop)
        kind = {"incomplete": "response.incomplete", "failed": "response.failed"}.get(
            response["status"], "response.completed"
        )
        return out + self._emit(kind, response=response)

    def _fail(self, event: c.StreamError) -> bytes:
        self._finished = True
        response = self._response(None)
        response.update(
            status="failed", error={"code": _error_code(event), "message": event.message}
        )
        return self._emit("response.failed", response=response)

    def _has_calls(self) -> bool:
        return any(item.get("type") == "function_call" for item in self._output)

    # -- blocks ----------------------------------------------------------------------------

    def _block_start(self, index: int, part: c.Part) -> bytes:
        if index in self._blocks:
            return b""
        if isinstance(part, c.TextPart):
            return self._text_start(index, part.text)
        if isinstance(part, c.ToolUsePart):
            return self._tool_start(index, part)
        if isinstance(part, c.ThinkingPart | c.RedactedThinkingPart):
            return self._thinking_start(index, part)
        return b""  # images…: nothing a Responses client can take

    def _add_item(self, index: int, kind: str, item: dict) -> tuple[_OutBlock, bytes]:
        block = _OutBlock(kind, len(self._output), item)
        self._blocks[index] = block
        self._output.append(item)
        added = self._emit(
            "response.output_item.added", output_index=block.output_index, item=dict(item)
        )
        return block, added

    def _text_start(self, index: int, text: str) -> bytes:
        item = message_item(new_id("msg"), [], status="in_progress")
        block, out = self._add_item(index, "text", item)
        out += self._emit(
            "response.content_part.added",
            item_id=item["id"],
            output_index=block.output_index,
            content_index=0,
            part=output_text_part(""),
        )
        return out + self._text_delta(block, text)

    def _tool_start(self, index: int, part: c.ToolUsePart) -> bytes:
        item = function_call_item(
            c.ToolUsePart(part.id, part.name, ""), self._namespaced, status="in_progress"
        )
        block, out = self._add_item(index, "tool", item)
        return out + self._arguments_delta(block, part.arguments)

    def _thinking_start(self, index: int, part: c.ThinkingPart | c.RedactedThinkingPart) -> bytes:
        """Signature deltas are this format's encrypted_content on a Responses block (one whose
        part has no origin counts as one when it has an item id), another format's signature
        otherwise."""
        if isinstance(part, c.ThinkingPart) and part.origin is None and part.id:
            part = replace(part, origin=NAME)
        own_id = part.id if isinstance(part, c.ThinkingPart) and part.origin == NAME else None
        item = reasoning_item(own_id or new_id("rs"), "", None)
        block, out = self._add_item(index, "thinking", item)
        block.start = part
        return out + self._summary_delta(block, getattr(part, "text", ""))

    def _block_delta(self, event: c.BlockDelta) -> bytes:
        block = self._blocks.get(event.index)
        if block is None:
            if not event.text:
                return b""
            return self._block_start(event.index, c.TextPart(event.text))
        if block.done:
            return b""
        if block.kind == "text":
            return self._text_delta(block, event.text)
        if block.kind == "tool":
            return self._arguments_delta(block, event.arguments)
        block.signature += event.signature
        return self._summary_delta(block, event.text)

    def _text_delta(self, block: _OutBlock, text: str) -> bytes:
        if not text:
            return b""
        block.text += text
        return self._emit(
            "response.output_text.delta",
            item_id=block.item["id"],
            output_index=block.output_index,
            content_index=0,
            delta=text,
            logprobs=[],
        )

    def _arguments_delta(self, block: _OutBlock, arguments: str) -> bytes:
        if not arguments:
            return b""
        block.text += arguments
        return self._emit(
            "response.function_call_arguments.delta",
            item_id=block.item["id"],
            output_index=block.output_index,
            delta=arguments,
        )

    def _summary_delta(self, block: _OutBlock, text: str) -> bytes:
        if not text:
            return b""
        out = b""
        if not block.summary_open:
            block.summary_open = True
            out += self._emit(
                "response.reasoning_summary_part.added",
                **self._where(block),
                summary_index=0,
                part=summary_text_part(""),
            )
        block.text += text
        return out + self._emit(
            "response.reasoning_summary_text.delta",
            **self._where(block),
            summary_index=0,
            delta=text,
        )

    def _where(self, block: _OutBlock) -> dict:
        return {"item_id": block.item["id"], "output_index": block.output_index}

    def _block_stop(self, index: int) -> bytes:
        block = self._blocks.get(index)
        if block is None or block.done:
            return b""
        block.done = True
        if block.kind == "text":
            out = self._text_done(block)
        elif block.kind == "tool":
            out = self._tool_done(block)
        else:
            out = self._thinking_done(block)
        self._output[block.output_index] = block.item
        return out + self._emit(
            "response.output_item.done", output_index=block.output_index, item=block.item
        )

    def _text_done(self, block: _OutBlock) -> bytes:
        where = {**self._where(block), "content_index": 0}
        block.item = message_item(block.item["id"], [block.text])
        out = self._emit("response.output_text.done", **where, text=block.text, logprobs=[])
        return out + self._emit(
            "response.content_part.done", **where, part=output_text_part(block.text)
        )

    def _tool_done(self, block: _OutBlock) -> bytes:
        block.item = {**block.item, "status": "completed", "arguments": block.text}
        return self._emit(
            "response.function_call_arguments.done",
            **self._where(block),
            name=block.item["name"],
            arguments=block.text,
        )

    def _thinking_done(self, block: _OutBlock) -> bytes:
        out = b""
        if block.summary_open:
            where = {**self._where(block), "summary_index": 0}
            out += self._emit("response.reasoning_summary_text.done", **where, text=block.text)
            out += self._emit(
                "response.reasoning_summary_part.done",
                **where,
                part=summary_text_part(block.text),
            )
        start = block.start
        if isinstance(start, c.ThinkingPart):
            start = streamed(start, block.signature)
        encrypted = encrypted_content_of(start) if start is not None else None
        block.item = reasoning_item(block.item["id"], block.text, encrypted)
        return out
