"""OpenAI Responses, output side: output items, usage, the response object and the SSE stream.

Shared by `openai_responses` (non-streamed answers) and the stream classes defined here.

Conventions (see also canonical.py):

- A `reasoning` item is a ThinkingPart: `text` is its summary texts joined with a blank line
  (`"\\n\\n"`; the raw `reasoning_text` content of open-weight models when there is no
  summary), `encrypted` its `encrypted_content`, `id` its "rs_…" id. In a stream the
  encrypted_content (known only at `response.output_item.done`) travels as
  `BlockDelta(signature=…)` just before the thinking block's BlockStop, on a block whose
  BlockStart ThinkingPart carries the item's id.
- Thinking from other formats reaches a Responses client as a reasoning item too, its opaque
  parts inside `encrypted_content` behind a marker so the client's next request gives them back
  where they came from: `omniroute:signature:<s>` ⇄ ThinkingPart.signature (Anthropic thinking
  and Gemini thought signatures; in a stream: the signature deltas of a thinking block whose
  BlockStart has no id), `omniroute:redacted:<data>` ⇄ RedactedThinkingPart.
- A function tool nested in a `namespace` tool is the canonical tool `<namespace>--<name>`
  (NAMESPACE_SEP); a `function_call` item with a `namespace` maps to that name and back. The
  encoder splits names by the request's map (`responses.tools.namespaced`); build_response,
  which has no request, splits at the first separator after a valid namespace.
- `message` items → TextParts (`output_text` and `refusal` parts; annotations and logprobs are
  dropped); `function_call` items → ToolUsePart(id=call_id). Other item types (web_search_call,
  …) have no canonical form and are dropped with a log line.
- Ids the canonical model cannot carry are made up: "resp_…" (from the provider's id when it
  has one), "msg_…", "rs_…", and "fc_…" derived from the call id.

StreamDecoder turns a provider's Responses SSE into canonical events; StreamEncoder turns any
canonical event stream into the full Responses event sequence (response.created … and
response.completed / response.incomplete / response.failed, with `sequence_number` counting
from 0) that Codex CLI needs before it prints anything.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from . import canonical as c
from .sse import SSESplitter, encode_event, event_fields

log = logging.getLogger(__name__)

NAMESPACE_SEP = "--"
SUMMARY_JOIN = "\n\n"
SIGNATURE_PREFIX = "omniroute:signature:"
REDACTED_PREFIX = "omniroute:redacted:"
_NAMESPACE_RE = re.compile(r"^[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*$")
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,200}$")

# ---------------------------------------------------------------------------------------------
# Names, ids, usage, stop reasons


def valid_namespace(namespace: str) -> bool:
    """Whether `namespace` can prefix a flat tool name and be split off again unambiguously."""
    return bool(_NAMESPACE_RE.match(namespace))


def flat_tool_name(namespace: Any, name: str) -> str:
    """The canonical name of a function tool or call, `<namespace>--<name>` when namespaced."""
    if isinstance(namespace, str) and namespace:
        return f"{namespace}{NAMESPACE_SEP}{name}"
    return name


def split_tool_name(name: str, namespaced: dict | None = None) -> tuple[str | None, str]:
    """(namespace, name) of a canonical tool name: from the request's map when given, else by
    the separator (a namespace never contains it)."""
    if namespaced is not None:
        entry = namespaced.get(name)
        return (entry[0], entry[1]) if entry else (None, name)
    head, sep, tail = name.partition(NAMESPACE_SEP)
    if sep and tail and valid_namespace(head):
        return head, tail
    return None, name


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def response_id(source: str | None) -> str:
    if source and source.startswith("resp_"):
        return source
    if source and _ID_RE.match(source):
        return f"resp_{source}"
    return new_id("resp")


def call_item_id(call_id: str) -> str:
    """A stable "fc_…" item id for a call id (the canonical model keeps only the call id)."""
    return "fc_" + (call_id[5:] if call_id.startswith("call_") else call_id)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def usage_from_wire(usage: Any) -> c.Usage | None:
    if not isinstance(usage, dict):
        return None
    inputs = usage.get("input_tokens_details")
    inputs = inputs if isinstance(inputs, dict) else {}
    outputs = usage.get("output_tokens_details")
    return c.Usage(
        input_tokens=_int(usage.get("input_tokens")),
        output_tokens=_int(usage.get("output_tokens")),
        cache_read_tokens=_int(inputs.get("cached_tokens")),
        cache_write_tokens=_int(inputs.get("cache_write_tokens")),
        reasoning_tokens=_int(outputs.get("reasoning_tokens")) if isinstance(outputs, dict) else 0,
    )


def usage_to_wire(usage: c.Usage | None) -> dict | None:
    if usage is None:
        return None
    return {
        "input_tokens": usage.input_tokens,
        "input_tokens_details": {
            "cached_tokens": usage.cache_read_tokens,
            "cache_write_tokens": usage.cache_write_tokens,
        },
        "output_tokens": usage.output_tokens,
        "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        "total_tokens": usage.total_tokens,
    }


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


def stop_reason_of(response: dict, has_tool_calls: bool) -> c.StopReason:
    status = response.get("status")
    details = response.get("incomplete_details")
    reason = details.get("reason") if isinstance(details, dict) else None
    if status == "failed":
        return "error"
    if status == "incomplete" or reason:
        return "refusal" if reason == "content_filter" else "max_tokens"
    return "tool_use" if has_tool_calls else "end_turn"


def _status_of(stop_reason: str | None) -> tuple[str, dict | None]:
    """(status, incomplete_details) of the response object for a canonical stop reason."""
    if stop_reason == "max_tokens":
        return "incomplete", {"reason": "max_output_tokens"}
    if stop_reason == "refusal":
        return "incomplete", {"reason": "content_filter"}
    if stop_reason == "error":
        return "failed", None
    return "completed", None


def error_status(code: Any) -> tuple[int, str]:
    """(HTTP status, error type) for a Responses error code met in a stream."""
    if not isinstance(code, str):
        return 502, "api_error"
    if code in ("rate_limit_exceeded", "insufficient_quota"):
        return 429, "rate_limit_error"
    if code in ("invalid_prompt", "invalid_request_error", "context_length_exceeded"):
        return 400, "invalid_request_error"
    return 502, "api_error"


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
        return event.code  # type: ignore[return-value]
    if event.status == 429:
        return "rate_limit_exceeded"
    if event.status in (400, 413) and _CONTEXT_RE.search(event.message):
        return "context_length_exceeded"
    return "invalid_prompt" if 400 <= event.status < 500 else "server_error"


# ---------------------------------------------------------------------------------------------
# Output items ⇄ parts


def thinking_of(item: dict) -> c.ThinkingPart | c.RedactedThinkingPart:
    """A reasoning item as a ThinkingPart (summary texts, else reasoning_text content), or what
    another format's thinking was before it was wrapped in one (see the module docstring)."""
    texts = _texts(item.get("summary"), "summary_text") or _texts(
        item.get("content"), "reasoning_text"
    )
    encrypted = item.get("encrypted_content")
    encrypted = encrypted if isinstance(encrypted, str) and encrypted else None
    item_id = item["id"] if isinstance(item.get("id"), str) and item["id"] else None
    text = SUMMARY_JOIN.join(texts)
    if encrypted and encrypted.startswith(REDACTED_PREFIX):
        return c.RedactedThinkingPart(encrypted[len(REDACTED_PREFIX) :])
    if encrypted and encrypted.startswith(SIGNATURE_PREFIX):
        return c.ThinkingPart(text, signature=encrypted[len(SIGNATURE_PREFIX) :], id=item_id)
    return c.ThinkingPart(text, encrypted=encrypted, id=item_id)


def encrypted_content_of(part: c.ThinkingPart | c.RedactedThinkingPart) -> str | None:
    """What goes into a reasoning item's `encrypted_content` for a thinking part."""
    if isinstance(part, c.RedactedThinkingPart):
        return REDACTED_PREFIX + part.data
    if part.encrypted:
        return part.encrypted
    return SIGNATURE_PREFIX + part.signature if part.signature else None


def _texts(parts: Any, kind: str) -> list[str]:
    if not isinstance(parts, list):
        return []
    return [
        p["text"]
        for p in parts
        if isinstance(p, dict) and p.get("type", kind) == kind and isinstance(p.get("text"), str)
    ]


def message_texts(item: dict) -> list[str]:
    """Texts of a message output item: output_text parts and refusals."""
    return [text for _, text in content_texts(item)]


def content_texts(item: dict) -> list[tuple[int, str]]:
    """(content index, text) of a message item's output_text and refusal parts."""
    content = item.get("content")
    texts = []
    for position, part in enumerate(content if isinstance(content, list) else []):
        if not isinstance(part, dict):
            continue
        if part.get("type") == "refusal" and isinstance(part.get("refusal"), str):
            texts.append((position, part["refusal"]))
        elif isinstance(part.get("text"), str):
            texts.append((position, part["text"]))
    return texts


def tool_use_of(item: dict) -> c.ToolUsePart:
    arguments = item.get("arguments")
    if not isinstance(arguments, str):
        arguments = "{}" if arguments is None else json.dumps(arguments, ensure_ascii=False)
    return c.ToolUsePart(
        id=str(item.get("call_id") or item.get("id") or ""),
        name=flat_tool_name(item.get("namespace"), str(item.get("name") or "")),
        arguments=arguments,
    )


def parts_of_output(output: Any) -> list[c.Part]:
    """Canonical parts of a response's `output` list (a refusal becomes plain text)."""
    parts: list[c.Part] = []
    for item in output if isinstance(output, list) else []:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind == "message":
            parts.extend(c.TextPart(text) for text in message_texts(item))
        elif kind == "function_call":
            parts.append(tool_use_of(item))
        elif kind == "reasoning":
            parts.append(thinking_of(item))
        else:
            log.info("responses: dropping output item of type %r (no canonical form)", kind)
    return parts


def message_item(item_id: str, texts: list[str], status: str = "completed") -> dict:
    return {
        "id": item_id,
        "type": "message",
        "status": status,
        "role": "assistant",
        "content": [_text_part(text) for text in texts],
    }


def _text_part(text: str) -> dict:
    return {"type": "output_text", "text": text, "annotations": []}


def function_call_item(
    part: c.ToolUsePart, namespaced: dict | None, status: str = "completed"
) -> dict:
    namespace, name = split_tool_name(part.name, namespaced)
    item = {
        "id": call_item_id(part.id),
        "type": "function_call",
        "status": status,
        "arguments": part.arguments,
        "call_id": part.id,
        "name": name,
    }
    if namespace:
        item["namespace"] = namespace
    return item


def reasoning_item(item_id: str, text: str, encrypted: str | None) -> dict:
    item: dict[str, Any] = {
        "id": item_id,
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": text}] if text else [],
    }
    if encrypted:
        item["encrypted_content"] = encrypted
    return item


def output_items(parts: tuple[c.Part, ...], namespaced: dict | None = None) -> list[dict]:
    """Output items for canonical parts: consecutive texts share one message item."""
    items: list[dict] = []
    texts: list[str] = []
    for part in parts:
        if isinstance(part, c.TextPart):
            texts.append(part.text)
            continue
        if texts:
            items.append(message_item(new_id("msg"), texts))
            texts = []
        if isinstance(part, c.ToolUsePart):
            items.append(function_call_item(part, namespaced))
        elif isinstance(part, c.ThinkingPart):
            items.append(
                reasoning_item(part.id or new_id("rs"), part.text, encrypted_content_of(part))
            )
        elif isinstance(part, c.RedactedThinkingPart):
            items.append(reasoning_item(new_id("rs"), "", encrypted_content_of(part)))
    if texts:
        items.append(message_item(new_id("msg"), texts))
    return items


def response_object(
    rid: str,
    model: str,
    created: int,
    output: list[dict],
    usage: c.Usage | None,
    stop_reason: str | None,
    **extra: Any,
) -> dict:
    """A response object with the fields clients require (tools are not echoed back)."""
    status, incomplete = _status_of(stop_reason)
    body = {
        "id": rid,
        "object": "response",
        "created_at": created,
        "status": status,
        "error": None,
        "incomplete_details": incomplete,
        "model": model,
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": usage_to_wire(usage),
    }
    if status == "failed":
        body["error"] = {"code": "server_error", "message": "the model stopped with an error"}
    body.update(extra)
    return body


def tool_choice_echo(choice: c.ToolChoice | None, namespaced: dict | None) -> str | dict:
    if choice is None or choice.mode != "tool":
        return choice.mode if choice is not None else "auto"
    namespace, name = split_tool_name(choice.name or "", namespaced)
    wire = {"type": "function", "name": name}
    return {**wire, "namespace": namespace} if namespace else wire


# ---------------------------------------------------------------------------------------------
# Decoder: a provider's Responses SSE → canonical events


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
        stop = "tool_use" if self._tool_calls else "end_turn"
        return events + self._finish(c.MessageDelta(stop))

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

    # -- events ----------------------------------------------------------------------------

    def _on_created(self, payload: dict) -> list[c.StreamEvent]:
        return self._start(payload.get("response"))

    def _on_item_added(self, payload: dict) -> list[c.StreamEvent]:
        item = payload.get("item")
        if not isinstance(item, dict):
            return []
        key = self._key(payload, item)
        if item.get("type") == "function_call":
            self._tool_calls = True
            part = tool_use_of(item)
            events = self._open((key, -1), "tool", c.ToolUsePart(part.id, part.name, ""))
            return events + self._delta((key, -1), item.get("arguments") or "")
        if item.get("type") == "reasoning":
            return self._open((key, -1), "thinking", c.ThinkingPart(id=_str(item.get("id"))))
        return self._start()

    def _on_part_added(self, payload: dict) -> list[c.StreamEvent]:
        part = payload.get("part")
        if not isinstance(part, dict) or part.get("type") not in ("output_text", "refusal"):
            return []
        key = (self._key(payload), _index(payload.get("content_index")))
        events = self._open(key, "text", c.TextPart(""))
        return events + self._delta(key, part.get("text") or part.get("refusal") or "")

    def _on_text_delta(self, payload: dict) -> list[c.StreamEvent]:
        key = (self._key(payload), _index(payload.get("content_index")))
        events = self._open(key, "text", c.TextPart(""))
        delta = payload.get("delta")
        return events + self._delta(key, delta if isinstance(delta, str) else "")

    def _on_text_done(self, payload: dict) -> list[c.StreamEvent]:
        key = (self._key(payload), _index(payload.get("content_index")))
        return self._rest(key, payload.get("text", payload.get("refusal")))

    def _on_part_done(self, payload: dict) -> list[c.StreamEvent]:
        key = (self._key(payload), _index(payload.get("content_index")))
        part = payload.get("part") if isinstance(payload.get("part"), dict) else {}
        return self._rest(key, part.get("text", part.get("refusal"))) + self._stop(key)

    def _on_arguments_delta(self, payload: dict) -> list[c.StreamEvent]:
        delta = payload.get("delta")
        return self._delta((self._key(payload), -1), delta if isinstance(delta, str) else "")

    def _on_arguments_done(self, payload: dict) -> list[c.StreamEvent]:
        return self._rest((self._key(payload), -1), payload.get("arguments"))

    def _on_summary_part_added(self, payload: dict) -> list[c.StreamEvent]:
        key = (self._key(payload), -1)
        events = self._open(key, "thinking", c.ThinkingPart(id=_str(payload.get("item_id"))))
        if _index(payload.get("summary_index")) > 0 and self._blocks[key].emitted:
            events += self._delta(key, SUMMARY_JOIN)
        return events

    def _on_reasoning_delta(self, payload: dict) -> list[c.StreamEvent]:
        key = (self._key(payload), -1)
        events = self._open(key, "thinking", c.ThinkingPart(id=_str(payload.get("item_id"))))
        delta = payload.get("delta")
        return events + self._delta(key, delta if isinstance(delta, str) else "")

    def _on_item_done(self, payload: dict) -> list[c.StreamEvent]:
        item = payload.get("item")
        if not isinstance(item, dict):
            return []
        key = self._key(payload, item)
        kind = item.get("type")
        if kind == "function_call":
            self._tool_calls = True
            part = tool_use_of(item)
            events = self._open((key, -1), "tool", c.ToolUsePart(part.id, part.name, ""))
            return events + self._rest((key, -1), part.arguments) + self._stop((key, -1))
        if kind == "reasoning":
            part = thinking_of(item)
            if isinstance(part, c.ThinkingPart):
                return self._reasoning_done(key, part)
            return self._reasoning_done(key, c.ThinkingPart(id=_str(item.get("id"))))
        if kind == "message":
            return self._message_done(key, content_texts(item))
        return []

    def _reasoning_done(self, key: str, part: c.ThinkingPart) -> list[c.StreamEvent]:
        events = self._open((key, -1), "thinking", c.ThinkingPart(id=part.id))
        block = self._blocks[(key, -1)]
        if not block.emitted:
            events += self._delta((key, -1), part.text)
        signature = part.encrypted or part.signature
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


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


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


# ---------------------------------------------------------------------------------------------
# Encoder: canonical events → the Responses event sequence a client (Codex CLI) expects


@dataclass
class _OutBlock:
    kind: str  # "text" | "tool" | "thinking"
    output_index: int
    item: dict
    text: str = ""
    encrypted: str | None = None  # a Responses block's encrypted_content
    signature: str = ""  # signature deltas
    foreign: bool = False  # a thinking block from another format (no Responses item id)
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
            part=_text_part(""),
        )
        return out + self._text_delta(block, text)

    def _tool_start(self, index: int, part: c.ToolUsePart) -> bytes:
        item = function_call_item(
            c.ToolUsePart(part.id, part.name, ""), self._namespaced, status="in_progress"
        )
        block, out = self._add_item(index, "tool", item)
        return out + self._arguments_delta(block, part.arguments)

    def _thinking_start(self, index: int, part: c.ThinkingPart | c.RedactedThinkingPart) -> bytes:
        """Signature deltas are encrypted_content on a block that has a Responses item id,
        another format's signature otherwise."""
        own_id = part.id if isinstance(part, c.ThinkingPart) else None
        item = reasoning_item(own_id or new_id("rs"), "", None)
        block, out = self._add_item(index, "thinking", item)
        block.encrypted = encrypted_content_of(part)
        block.foreign = own_id is None
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
                part={"type": "summary_text", "text": ""},
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
        return out + self._emit("response.content_part.done", **where, part=_text_part(block.text))

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
                part={"type": "summary_text", "text": block.text},
            )
        encrypted = block.encrypted
        if block.signature:
            foreign = c.ThinkingPart(signature=block.signature)
            encrypted = encrypted_content_of(foreign) if block.foreign else block.signature
        block.item = reasoning_item(block.item["id"], block.text, encrypted)
        return out
