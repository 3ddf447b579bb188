"""Chat Completions streams ⇄ canonical stream events.

Decoder: `chat.completion.chunk` events become blocks in order of appearance — reasoning_content
a thinking block, content a text block, each tool_calls index a tool_use block (parallel calls
whose deltas interleave are untangled by tool_calls.py) — closing the open block when
another starts. finish_reason and the usage chunk are held until `[DONE]`, which yields
MessageDelta + MessageStop. A stream that ends without [DONE] ends the same way if a
finish_reason came; without one it was cut short, and close() gives a StreamError (never a
made-up clean stop).

Encoder: canonical events become chunks with `delta.content`, `delta.reasoning_content` and
`delta.tool_calls`; the finish chunk, the usage chunk (when the client asked for
stream_options.include_usage) and `[DONE]` close the stream. A StreamError becomes an error chunk
followed by `[DONE]`, and so does a stop reason "error" (Chat has no finish_reason for it).
"""

from __future__ import annotations

import json
import time
from typing import Any

from ...unique_ids import unique_hex
from .. import canonical as c
from ..sse import SSESplitter, encode_event, event_fields
from .parts import FINISH_TO_STOP, STOP_TO_FINISH, usage_json, usage_of
from .tool_calls import ToolCallAssembler

DONE_EVENT = b"data: [DONE]\n\n"
_STOPPED_IN_ERROR = "the provider stopped the answer with an error"


class StreamDecoder:
    def __init__(self) -> None:
        self._splitter = SSESplitter()
        self._started = False
        self._finished = False
        self._open: tuple[str, int] | None = None  # (block kind, block index)
        self._blocks = 0
        self._tools = ToolCallAssembler(self._open_tool, lambda: self._blocks - 1)
        self._stop: c.StopReason | None = None
        self._usage: c.Usage | None = None

    def feed(self, data: bytes) -> list[c.StreamEvent]:
        events: list[c.StreamEvent] = []
        for raw in self._splitter.feed(data):
            _, payload = event_fields(raw)
            if not payload or self._finished:
                continue
            if payload.strip() == b"[DONE]":
                events.extend(self._finish())
                continue
            try:
                chunk = json.loads(payload)
            except ValueError:
                continue
            if isinstance(chunk, dict):
                events.extend(self._chunk(chunk))
        return events

    def close(self) -> list[c.StreamEvent]:
        if self._finished:
            return []
        if self._stop is None:  # no finish_reason, no [DONE]: the stream was cut short
            self._finished = True
            return [c.cut_stream_error()]
        return self._finish()

    def _chunk(self, chunk: dict) -> list[c.StreamEvent]:
        if isinstance(chunk.get("error"), dict):
            error = chunk["error"]
            self._finished = True
            return [
                c.StreamError(
                    502,
                    str(error.get("message") or "upstream error"),
                    str(error.get("type") or "api_error"),
                )
            ]
        events: list[c.StreamEvent] = []
        if not self._started:
            self._started = True
            events.append(
                c.MessageStart(str(chunk.get("id") or "chatcmpl"), str(chunk.get("model") or ""))
            )
        usage = usage_of(chunk)
        if usage is not None and chunk.get("usage"):
            self._usage = usage
        for choice in chunk.get("choices") or []:
            if isinstance(choice, dict):
                events.extend(self._delta(choice.get("delta") or {}))
                if choice.get("finish_reason"):
                    self._stop = FINISH_TO_STOP.get(choice["finish_reason"], "end_turn")
        return events

    def _delta(self, delta: dict) -> list[c.StreamEvent]:
        events: list[c.StreamEvent] = []
        reasoning = delta.get("reasoning_content") or delta.get("reasoning")
        if isinstance(reasoning, str) and reasoning:
            events += self._switch("thinking", c.ThinkingPart())
            events.append(c.BlockDelta(self._blocks - 1, text=reasoning))
        content = delta.get("content")
        if isinstance(content, str) and content:
            events += self._switch("text", c.TextPart(""))
            events.append(c.BlockDelta(self._blocks - 1, text=content))
        for call in delta.get("tool_calls") or []:
            if isinstance(call, dict):
                events += self._tools.feed(call)
        return events

    def _open_tool(self, part: c.Part) -> list[c.StreamEvent]:
        return self._switch("tool", part, always=True)

    def _switch(self, kind: str, part: c.Part, always: bool = False) -> list[c.StreamEvent]:
        if self._open is not None and self._open[0] == kind and not always:
            return []
        events: list[c.StreamEvent] = []
        if self._open is not None:
            events.append(c.BlockStop(self._open[1]))
            if self._open[0] == "tool" and kind != "tool":
                self._tools.lost_live()
        self._open = (kind, self._blocks)
        self._blocks += 1
        events.append(c.BlockStart(self._open[1], part))
        return events

    def _finish(self) -> list[c.StreamEvent]:
        self._finished = True
        events: list[c.StreamEvent] = []
        if not self._started:
            events.append(c.MessageStart("chatcmpl", ""))
        events += self._tools.flush()
        if self._open is not None:
            events.append(c.BlockStop(self._open[1]))
            self._open = None
        events.append(c.MessageDelta(self._stop or "end_turn", usage=self._usage))
        events.append(c.MessageStop())
        return events


class StreamEncoder:
    def __init__(self, request: c.Request):
        self._request = request
        self._id = f"chatcmpl-{unique_hex()[:24]}"
        self._created = int(time.time())
        self._model = request.model
        self._started = False
        self._done = False
        self._kinds: dict[int, str] = {}
        self._tool_positions: dict[int, int] = {}
        self._finish: str | None = None
        self._failed = False
        self._usage: c.Usage | None = None

    def encode(self, event: c.StreamEvent) -> bytes:
        if self._done:
            return b""
        if isinstance(event, c.StreamError):
            return self._error(event)
        out = b"" if self._started else self._start(event)
        if isinstance(event, c.BlockStart):
            out += self._block_start(event)
        elif isinstance(event, c.BlockDelta):
            out += self._block_delta(event)
        elif isinstance(event, c.MessageDelta):
            self._finish = STOP_TO_FINISH.get(event.stop_reason or "", "stop")
            self._failed = event.stop_reason == "error"
            self._usage = event.usage or self._usage
        elif isinstance(event, c.MessageStop) and self._failed:
            out += self._error(c.StreamError(502, _STOPPED_IN_ERROR, "api_error"))
        elif isinstance(event, c.MessageStop):
            out += self._end()
        return out

    def close(self) -> bytes:
        if self._done:
            return b""
        return (b"" if self._started else self._start(c.MessageStop())) + self._end()

    def _chunk(self, delta: dict, finish: str | None = None, **extra: Any) -> bytes:
        body = {
            "id": self._id,
            "object": "chat.completion.chunk",
            "created": self._created,
            "model": self._model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return encode_event(json.dumps(body, ensure_ascii=False, separators=(",", ":")))

    def _start(self, event: c.StreamEvent) -> bytes:
        self._started = True
        if isinstance(event, c.MessageStart) and event.usage is not None:
            self._usage = event.usage
        return self._chunk({"role": "assistant", "content": ""})

    def _block_start(self, event: c.BlockStart) -> bytes:
        part = event.part
        if isinstance(part, c.ToolUsePart):
            position = len(self._tool_positions)
            self._tool_positions[event.index] = position
            self._kinds[event.index] = "tool"
            call = {
                "index": position,
                "id": part.id,
                "type": "function",
                "function": {"name": part.name, "arguments": part.arguments or ""},
            }
            return self._chunk({"tool_calls": [call]})
        self._kinds[event.index] = "thinking" if isinstance(part, c.ThinkingPart) else "text"
        return b""

    def _block_delta(self, event: c.BlockDelta) -> bytes:
        kind = self._kinds.get(event.index, "text")
        if kind == "tool" and event.arguments:
            call = {
                "index": self._tool_positions[event.index],
                "function": {"arguments": event.arguments},
            }
            return self._chunk({"tool_calls": [call]})
        if kind == "thinking" and event.text:
            return self._chunk({"reasoning_content": event.text})
        if kind == "text" and event.text:
            return self._chunk({"content": event.text})
        return b""

    def _end(self) -> bytes:
        self._done = True
        out = self._chunk({}, self._finish or "stop")
        if self._request.include_usage:
            body = {
                "id": self._id,
                "object": "chat.completion.chunk",
                "created": self._created,
                "model": self._model,
                "choices": [],
                "usage": usage_json(self._usage or c.Usage()),
            }
            out += encode_event(json.dumps(body, separators=(",", ":")))
        return out + DONE_EVENT

    def _error(self, event: c.StreamError) -> bytes:
        self._done = True
        body = {
            "error": {
                "message": event.message,
                "type": event.type,
                "code": event.code or str(event.status),
            }
        }
        return encode_event(json.dumps(body)) + DONE_EVENT
