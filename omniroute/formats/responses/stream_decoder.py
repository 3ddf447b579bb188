"""A provider's OpenAI Responses SSE stream → canonical stream events (StreamDecoder).

Item and content conventions: see output.py. An `error` event or a `response.failed`
ends the stream with a StreamError whose status comes from the error code (error_status).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from .. import canonical as c
from ..signatures import is_foreign
from ..sse import SSESplitter, event_fields
from . import NAME
from .output import (
    SUMMARY_JOIN,
    content_texts,
    encrypted_content_of,
    nonempty_str,
    stop_reason_of,
    thinking_of,
    tool_use_of,
    usage_from_wire,
)

log = logging.getLogger("omniroute.formats.responses")  # the format's one logger


def error_status(code: Any) -> tuple[int, str]:
    """(HTTP status, error type) for a Responses error code met in a stream."""
    if not isinstance(code, str):
        return 502, "api_error"
    if code in ("rate_limit_exceeded", "insufficient_quota"):
        return 429, "rate_limit_error"
    if code in ("invalid_prompt", "invalid_request_error", "context_length_exceeded"):
        return 400, "invalid_request_error"
    return 502, "api_error"


@dataclass
class _InBlock:
    index: int
    kind: str  # "text" | "tool" | "thinking"
    emitted: str = ""
    open: bool = True


class StreamDecoder:
    """Maps response.* events to canonical events; blocks are keyed by item id (or output index)
    and, for text, content index. Text missing from the deltas is made up from the `.done`
    events, so a provider that only sends whole items still decodes."""

    def __init__(self) -> None:
        self._splitter = SSESplitter()
        self._started = False
        self._finished = False
        self._blocks: dict[tuple[str, int], _InBlock] = {}
        self._item_keys: dict[Any, str] = {}
        self._count = 0
        self._tool_calls = False

    def feed(self, data: bytes) -> list[c.StreamEvent]:
        events: list[c.StreamEvent] = []
        for raw in self._splitter.feed(data):
            events.extend(self._raw_event(raw))
        return events

    def close(self) -> list[c.StreamEvent]:
        events = self._raw_event(self._splitter.pending()) if self._splitter.pending() else []
        if self._finished:
            return events
        self._finished = True  # no response.completed/incomplete/failed: the stream was cut
        return [*events, c.cut_stream_error()]

    def _raw_event(self, raw: bytes) -> list[c.StreamEvent]:
        name, data = event_fields(raw)
        if self._finished or not data.strip() or data.strip() == b"[DONE]":
            return []
        try:
            payload = json.loads(data)
        except ValueError:
            log.info("responses: skipping a stream event that is not JSON")
            return []
        if not isinstance(payload, dict):
            return []
        kind = payload.get("type") if isinstance(payload.get("type"), str) else name
        handler = _DECODERS.get(kind or "")
        return handler(self, payload) if handler else []

    # -- helpers ---------------------------------------------------------------------------

    def _start(self, response: Any = None) -> list[c.StreamEvent]:
        if self._started:
            return []
        self._started = True
        response = response if isinstance(response, dict) else {}
        return [c.MessageStart(str(response.get("id") or ""), str(response.get("model") or ""))]

    def _key(self, payload: dict, item: dict | None = None) -> str:
        """One key per output item, whichever of item id and output index an event names."""
        refs = [("id", (item or {}).get("id")), ("id", payload.get("item_id"))]
        refs.append(("index", payload.get("output_index")))
        refs = [ref for ref in refs if isinstance(ref[1], str | int) and ref[1] != ""]
        for ref in refs:
            if ref in self._item_keys:
                return self._item_keys[ref]
        key = f"item{len(self._item_keys)}"
        for ref in refs:
            self._item_keys[ref] = key
        return key

    def _open(self, key: tuple[str, int], kind: str, part: c.Part) -> list[c.StreamEvent]:
        events = self._start()
        if key in self._blocks:
            return events
        self._blocks[key] = _InBlock(self._count, kind)
        self._count += 1
        return [*events, c.BlockStart(self._blocks[key].index, part)]

    def _delta(self, key: tuple[str, int], text: str) -> list[c.StreamEvent]:
        block = self._blocks.get(key)
        if block is None or not block.open or not text:
            return []
        block.emitted += text
        if block.kind == "tool":
            return [c.BlockDelta(block.index, arguments=text)]
        return [c.BlockDelta(block.index, text=text)]

    def _rest(self, key: tuple[str, int], full: Any) -> list[c.StreamEvent]:
        """The part of `full` the deltas did not deliver (all of it when none came)."""
        block = self._blocks.get(key)
        if block is None or not isinstance(full, str) or not full.startswith(block.emitted):
            return []
        return self._delta(key, full[len(block.emitted) :])

    def _stop(self, key: tuple[str, int]) -> list[c.StreamEvent]:
        block = self._blocks.get(key)
        if block is None or not block.open:
            return []
        block.open = False
        return [c.BlockStop(block.index)]

    def _finish(self, delta: c.MessageDelta) -> list[c.StreamEvent]:
        self._finished = True
        events = self._start()
        for key in sorted(self._blocks, key=lambda k: self._blocks[k].index):
            events += self._stop(key)
        return [*events, delta, c.MessageStop()]

    def _text_key(self, payload: dict) -> tuple[str, int]:
        return (self._key(payload), _index(payload.get("content_index")))

    def _open_call(self, key: str, item: dict) -> tuple[c.ToolUsePart, list[c.StreamEvent]]:
        """Opens the block of a function_call item (arguments not yet sent)."""
        self._tool_calls = True
        part = tool_use_of(item)
        return part, self._open((key, -1), "tool", c.ToolUsePart(part.id, part.name, ""))

    def _open_reasoning(self, payload: dict) -> tuple[tuple[str, int], list[c.StreamEvent]]:
        key = (self._key(payload), -1)
        return key, self._open(
            key, "thinking", c.ThinkingPart(id=nonempty_str(payload.get("item_id")), origin=NAME)
        )

    # -- events ----------------------------------------------------------------------------

    def _on_created(self, payload: dict) -> list[c.StreamEvent]:
        return self._start(payload.get("response"))

    def _on_item_added(self, payload: dict) -> list[c.StreamEvent]:
        item = payload.get("item")
        if not isinstance(item, dict):
            return []
        key = self._key(payload, item)
        if item.get("type") == "function_call":
            _, events = self._open_call(key, item)
            return events + self._delta((key, -1), item.get("arguments") or "")
        if item.get("type") == "reasoning":
            return self._open(
                (key, -1), "thinking", c.ThinkingPart(id=nonempty_str(item.get("id")), origin=NAME)
            )
        return self._start()

    def _on_part_added(self, payload: dict) -> list[c.StreamEvent]:
        part = payload.get("part")
        if not isinstance(part, dict) or part.get("type") not in ("output_text", "refusal"):
            return []
        key = self._text_key(payload)
        events = self._open(key, "text", c.TextPart(""))
        return events + self._delta(key, part.get("text") or part.get("refusal") or "")

    def _on_text_delta(self, payload: dict) -> list[c.StreamEvent]:
        key = self._text_key(payload)
        events = self._open(key, "text", c.TextPart(""))
        return events + self._delta(key, _delta_of(payload))

    def _on_text_done(self, payload: dict) -> list[c.StreamEvent]:
        key = self._text_key(payload)
        return self._rest(key, payload.get("text", payload.get("refusal")))

    def _on_part_done(self, payload: dict) -> list[c.StreamEvent]:
        key = self._text_key(payload)
        part = payload.get("part")
        part = part if isinstance(part, dict) else {}
        return self._rest(key, part.get("text", part.get("refusal"))) + self._stop(key)

    def _on_arguments_delta(self, payload: dict) -> list[c.StreamEvent]:
        return self._delta((self._key(payload), -1), _delta_of(payload))

    def _on_arguments_done(self, payload: dict) -> list[c.StreamEvent]:
        return self._rest((self._key(payload), -1), payload.get("arguments"))

    def _on_summary_part_added(self, payload: dict) -> list[c.StreamEvent]:
        key, events = self._open_reasoning(payload)
        if _index(payload.get("summary_index")) > 0 and self._blocks[key].emitted:
            events += self._delta(key, SUMMARY_JOIN)
        return events

    def _on_reasoning_delta(self, payload: dict) -> list[c.StreamEvent]:
        key, events = self._open_reasoning(payload)
        return events + self._delta(key, _delta_of(payload))

    def _on_item_done(self, payload: dict) -> list[c.StreamEvent]:
        item = payload.get("item")
        if not isinstance(item, dict):
            return []
        key = self._key(payload, item)
        kind = item.get("type")
        if kind == "function_call":
            call, events = self._open_call(key, item)
            return events + self._rest((key, -1), call.arguments) + self._stop((key, -1))
        if kind == "reasoning":
            return self._reasoning_done(key, item)
        if kind == "message":
            return self._message_done(key, content_texts(item))
        return []

    def _reasoning_done(self, key: str, item: dict) -> list[c.StreamEvent]:
        """The end of a reasoning block: its encrypted_content as the block's signature (data
        another format issued, wrapped, names its issuer: see signatures.streamed)."""
        part = thinking_of(item)
        start = c.ThinkingPart(id=nonempty_str(item.get("id")), origin=NAME)
        events = self._open((key, -1), "thinking", start)
        block = self._blocks[(key, -1)]
        if not block.emitted and isinstance(part, c.ThinkingPart):
            events += self._delta((key, -1), part.text)
        if isinstance(part, c.ThinkingPart) and not is_foreign(part, NAME):
            signature = part.encrypted
        else:
            signature = encrypted_content_of(part)
        if signature and block.open:
            events.append(c.BlockDelta(block.index, signature=signature))
        return events + self._stop((key, -1))

    def _message_done(self, key: str, texts: list[tuple[int, str]]) -> list[c.StreamEvent]:
        events: list[c.StreamEvent] = []
        for position, text in texts:
            if (key, position) not in self._blocks and not text:
                continue
            events += self._open((key, position), "text", c.TextPart(""))
            events += self._rest((key, position), text) + self._stop((key, position))
        for (owner, position), _block in list(self._blocks.items()):
            if owner == key and position >= 0:
                events += self._stop((owner, position))
        return events

    def _on_completed(self, payload: dict) -> list[c.StreamEvent]:
        response = payload.get("response")
        response = response if isinstance(response, dict) else {}
        events = self._start(response)
        if not self._blocks:  # a provider that sent only the final response
            events += self._whole_output(response.get("output"))
        has_calls = self._tool_calls or any(
            isinstance(i, dict) and i.get("type") == "function_call"
            for i in response.get("output") or []
        )
        usage = usage_from_wire(response.get("usage"))
        return events + self._finish(
            c.MessageDelta(stop_reason_of(response, has_calls), None, usage)
        )

    def _whole_output(self, output: Any) -> list[c.StreamEvent]:
        events: list[c.StreamEvent] = []
        for position, item in enumerate(output if isinstance(output, list) else []):
            events += self._on_item_done({"item": item, "output_index": position})
        return events

    def _on_failed(self, payload: dict) -> list[c.StreamEvent]:
        response = payload.get("response")
        error = response.get("error") if isinstance(response, dict) else None
        return self._error(error if isinstance(error, dict) else {})

    def _error(self, error: dict) -> list[c.StreamEvent]:
        self._finished = True
        code = error.get("code")
        status, kind = error_status(code)
        message = str(error.get("message") or "the provider's response failed")
        return [c.StreamError(status, message, kind, str(code) if code is not None else None)]


def _index(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _delta_of(payload: dict) -> str:
    delta = payload.get("delta")
    return delta if isinstance(delta, str) else ""


_DECODERS = {
    "response.created": StreamDecoder._on_created,
    "response.in_progress": StreamDecoder._on_created,
    "response.output_item.added": StreamDecoder._on_item_added,
    "response.content_part.added": StreamDecoder._on_part_added,
    "response.output_text.delta": StreamDecoder._on_text_delta,
    "response.refusal.delta": StreamDecoder._on_text_delta,
    "response.output_text.done": StreamDecoder._on_text_done,
    "response.refusal.done": StreamDecoder._on_text_done,
    "response.content_part.done": StreamDecoder._on_part_done,
    "response.function_call_arguments.delta": StreamDecoder._on_arguments_delta,
    "response.function_call_arguments.done": StreamDecoder._on_arguments_done,
    "response.reasoning_summary_part.added": StreamDecoder._on_summary_part_added,
    "response.reasoning_summary_text.delta": StreamDecoder._on_reasoning_delta,
    "response.reasoning_text.delta": StreamDecoder._on_reasoning_delta,
    "response.output_item.done": StreamDecoder._on_item_done,
    "response.completed": StreamDecoder._on_completed,
    "response.incomplete": StreamDecoder._on_completed,
    "response.failed": StreamDecoder._on_failed,
    "error": lambda self, payload: self._error(
        payload["error"] if isinstance(payload.get("error"), dict) else payload
    ),
}
