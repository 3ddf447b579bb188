"""Anthropic Messages API (`POST /v1/messages`) ↔ the canonical model.

Requests (parse_request: wire → canonical, build_request: canonical → wire):
- `system` (a string, or text blocks with cache_control) ↔ Request.system.
- Message content (a string or blocks): text, image (base64 or url source), document (base64,
  url, or a plain-text source ↔ DocumentPart(media_type="text/plain", base64 data)), tool_use,
  tool_result (string or text/image block content, is_error), thinking (+ signature) and
  redacted_thinking map to canonical parts; cache_control rides along where canonical has it.
- A message with role "system" in the middle of the conversation (Claude Code sends them) stays
  in place as Message(role="system"). build_request FOLDS such messages — their text blocks, in
  order, with their cache_control — into the end of the top-level `system`: the Messages API
  only accepts role "system" there under a beta header this module cannot see. Their position
  and any per-message fields (e.g. a per-turn `output_config`) are lost on that hop.
- build_request always sends `max_tokens` (Anthropic requires it): request.max_tokens, or
  DEFAULT_MAX_TOKENS (4096). A thinking budget is kept ≥ 1024 and < max_tokens (max_tokens grows
  if it must). It drops what Anthropic rejects: empty text blocks, thinking blocks without a
  signature (e.g. reasoning from another provider), and — with thinking on — temperature other
  than 1, top_k and top_p < 0.95; temperature is clamped to [0, 1]. Consecutive messages of one
  role are merged (tool results from OpenAI arrive as separate user messages), tool_result blocks
  first, and a lone plain text block is sent as string content.
- thinking {enabled, budget_tokens} / {adaptive} / {disabled} ↔ Reasoning (budget; adaptive =
  enabled without budget; disabled = enabled False); output_config.effort ↔ Reasoning.effort
  (Anthropic "max" ↔ "xhigh", canonical "minimal" → "low"); output_config.format json_schema ↔
  ResponseFormat; metadata.user_id ↔ Request.user; tool_choice {auto|any|tool|none} ↔
  ToolChoice, disable_parallel_tool_use ↔ ToolChoice.disable_parallel and parallel_tool_calls.

Request.extra keys this module writes, read back only by its own build_request (a same-format
hop restores them; other formats ignore them, so they are dropped across formats):
  anthropic.<field>         any top-level body field with no canonical home, verbatim
                            (context_management, container, service_tier, mcp_servers, …)
  anthropic.metadata        the client's `metadata` object
  anthropic.output_config   the client's `output_config` (effort/format are re-derived)
  anthropic.thinking        the client's `thinking` object, None when it sent none (then no
                            thinking is built even though an effort makes a Reasoning)
  anthropic.server_tools    [[position, tool]]: non-custom tools (web_search_20250305, bash_…)
  anthropic.tool_fields     {tool name: custom-tool fields with no canonical home}
  anthropic.raw_blocks      [[message index, part position, block]]: blocks with no canonical
                            part (server_tool_use, web_search_tool_result, file sources, …)
  anthropic.block_fields    [[message index, part index, part type, fields]]: leftover fields
                            of mapped blocks (citations, document title/context/cache_control,
                            tool_result content holding non-text blocks, …)
  anthropic.message_fields  [[message index, fields]]: leftover fields of messages
  anthropic.message_count   how many messages those positions refer to; positional keys are
                            applied only while the request still has that many messages

Responses: content blocks, stop reasons (1:1 with canonical) and usage (Anthropic input_tokens
excludes cache reads and writes, canonical includes them) convert both ways; server-tool blocks
and citations in a provider's answer are dropped. error_body picks the Anthropic error type from
the status. Streaming lives in anthropic_stream (StreamDecoder, StreamEncoder re-exported here).
"""

from __future__ import annotations

import base64
import copy
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn

from ..errors import GatewayError, InvalidRequestError
from .anthropic_stream import (
    StreamDecoder,
    StreamEncoder,
    error_payload,
    error_type_for,
    stop_reason_from_wire,
    stop_reason_to_wire,
    usage_from_wire,
    usage_to_wire,
)
from .canonical import (
    DocumentPart,
    ImagePart,
    Message,
    Part,
    Reasoning,
    RedactedThinkingPart,
    Request,
    Response,
    ResponseFormat,
    TextPart,
    ThinkingPart,
    Tool,
    ToolChoice,
    ToolResultPart,
    ToolUsePart,
    Usage,
)

__all__ = [
    "NAME",
    "StreamDecoder",
    "StreamEncoder",
    "build_request",
    "build_response",
    "error_body",
    "parse_error",
    "parse_request",
    "parse_response",
    "usage_of",
]

NAME = "anthropic"
DEFAULT_MAX_TOKENS = 4096
MIN_THINKING_BUDGET = 1024

# fmt: off
_KNOWN_FIELDS = frozenset((
    "model", "messages", "system", "tools", "tool_choice", "max_tokens", "temperature", "top_p",
    "top_k", "stop_sequences", "stream", "metadata", "thinking", "output_config",
))
# extra keys this module gives a meaning of its own (never copied back as body fields)
_INTERNAL = frozenset((
    "metadata", "output_config", "thinking", "server_tools", "tool_fields", "raw_blocks",
    "block_fields", "message_fields", "message_count",
))
# fmt: on
_ROLES = ("user", "assistant", "system")
_EFFORT_IN = {"max": "xhigh"}
_EFFORT_OUT = {"minimal": "low"}
_EFFORTS = frozenset({"low", "medium", "high", "xhigh", "max"})
_CHOICE_IN = {"auto": "auto", "any": "required", "tool": "tool", "none": "none"}
_CHOICE_OUT = {"auto": "auto", "required": "any", "tool": "tool", "none": "none"}
_EMPTY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}}

# ---------------------------------------------------------------------------------------------
# Validation helpers


def _fail(message: str, param: str | None) -> NoReturn:
    raise InvalidRequestError(message, param=param)


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_dict(value: object) -> bool:
    return isinstance(value, dict)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _field(
    obj: dict,
    key: str,
    check: Callable[[object], bool],
    what: str,
    path: str = "",
    required: bool = False,
) -> Any:
    """obj[key] if it passes `check`; None if absent (unless required); else a 400 naming it."""
    value = obj.get(key)
    param = f"{path}.{key}" if path else key
    if value is None:
        if required:
            _fail(f"'{param}' is required", param)
        return None
    if not check(value):
        _fail(f"'{param}' must be {what}", param)
    return value


def _cache(block: dict, path: str) -> dict | None:
    return _field(block, "cache_control", _is_dict, "an object", path)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------------------------------------
# Content blocks → parts. Each parser returns (part or None when kept raw, the keys it consumed).

_Parsed = tuple[Part | None, frozenset[str]]


def _text_part(block: dict, path: str) -> TextPart:
    text = _field(block, "text", _is_str, "a string", path, required=True)
    return TextPart(text, cache_control=_cache(block, path))


def _parse_text(block: dict, path: str) -> _Parsed:
    return _text_part(block, path), frozenset({"type", "text", "cache_control"})


def _parse_image(block: dict, path: str) -> _Parsed:
    source = _field(block, "source", _is_dict, "an object", path, required=True)
    where, kind = f"{path}.source", source.get("type")
    cache = _cache(block, path)
    if kind == "base64":
        media = _field(source, "media_type", _is_str, "a string", where, required=True)
        data = _field(source, "data", _is_str, "a string", where, required=True)
        part = ImagePart(media_type=media, data=data, cache_control=cache)
    elif kind == "url":
        url = _field(source, "url", _is_str, "a string", where, required=True)
        part = ImagePart(url=url, cache_control=cache)
    else:
        return None, frozenset()
    return part, frozenset({"type", "source", "cache_control"})


def _parse_document(block: dict, path: str) -> _Parsed:
    source = _field(block, "source", _is_dict, "an object", path, required=True)
    where, kind = f"{path}.source", source.get("type")
    title = _field(block, "title", _is_str, "a string", path)
    if kind in ("base64", "text"):
        data = _field(source, "data", _is_str, "a string", where, required=True)
        if kind == "text":
            media, data = "text/plain", base64.b64encode(data.encode("utf-8")).decode("ascii")
        else:
            media = _field(source, "media_type", _is_str, "a string", where, required=True)
        part = DocumentPart(media_type=media, data=data, name=title)
    elif kind == "url":
        url = _field(source, "url", _is_str, "a string", where, required=True)
        part = DocumentPart(url=url, name=title)
    else:
        return None, frozenset()
    return part, frozenset({"type", "source", "title"})


def _parse_tool_use(block: dict, path: str) -> _Parsed:
    ident = _field(block, "id", _is_str, "a string", path, required=True)
    name = _field(block, "name", _is_str, "a string", path, required=True)
    value = _field(block, "input", _is_dict, "an object", path)
    part = ToolUsePart(ident, name, _dumps(value or {}), cache_control=_cache(block, path))
    return part, frozenset({"type", "id", "name", "input", "cache_control"})


def _parse_tool_result(block: dict, path: str) -> _Parsed:
    tool_use_id = _field(block, "tool_use_id", _is_str, "a string", path, required=True)
    is_error = _field(block, "is_error", _is_bool, "a boolean", path)
    content, consumed = block.get("content"), {"type", "tool_use_id", "is_error", "cache_control"}
    items: tuple[TextPart | ImagePart, ...] = ()
    if isinstance(content, str):
        items, complete = (TextPart(content),), True
    elif isinstance(content, list):
        items, complete = _result_items(content, f"{path}.content")
    elif content is None:
        complete = True
    else:
        _fail(f"'{path}.content' must be a string or an array", f"{path}.content")
    if complete:  # otherwise the original content travels in anthropic.block_fields
        consumed.add("content")
    part = ToolResultPart(tool_use_id, items, bool(is_error), cache_control=_cache(block, path))
    return part, frozenset(consumed)


def _result_items(content: list, path: str) -> tuple[tuple[TextPart | ImagePart, ...], bool]:
    """(text and image items, whether that is all of them) of a tool_result's block content."""
    items: list[TextPart | ImagePart] = []
    complete = True
    for index, item in enumerate(content):
        where = f"{path}[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            _fail(f"'{where}' must be a content block object with a 'type'", where)
        if item["type"] == "text":
            items.append(_text_part(item, where))
            continue
        image = _parse_image(item, where)[0] if item["type"] == "image" else None
        if isinstance(image, ImagePart):
            items.append(image)
        else:
            complete = False
    return tuple(items), complete


def _parse_thinking(block: dict, path: str) -> _Parsed:
    text = _field(block, "thinking", _is_str, "a string", path, required=True)
    signature = _field(block, "signature", _is_str, "a string", path)
    consumed = frozenset({"type", "thinking", "signature"})
    return ThinkingPart(text=text, signature=signature), consumed


def _parse_redacted(block: dict, path: str) -> _Parsed:
    data = _field(block, "data", _is_str, "a string", path, required=True)
    return RedactedThinkingPart(data), frozenset({"type", "data"})


_BLOCK_PARSERS: dict[str, Callable[[dict, str], _Parsed]] = {
    "text": _parse_text,
    "image": _parse_image,
    "document": _parse_document,
    "tool_use": _parse_tool_use,
    "tool_result": _parse_tool_result,
    "thinking": _parse_thinking,
    "redacted_thinking": _parse_redacted,
}


def _parse_block(block: object, path: str) -> tuple[Part | None, dict]:
    """(canonical part or None if the block has none, the block's fields the part lacks)."""
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        _fail(f"'{path}' must be a content block object with a 'type'", path)
    parser = _BLOCK_PARSERS.get(block["type"])
    part, consumed = parser(block, path) if parser else (None, frozenset())
    if part is None:
        return None, {}
    return part, {key: value for key, value in block.items() if key not in consumed}


# ---------------------------------------------------------------------------------------------
# parse_request


@dataclass
class _Leftovers:
    """What a parsed request carries beside the canonical fields (see anthropic.* keys)."""

    raw_blocks: list[list] = field(default_factory=list)
    block_fields: list[list] = field(default_factory=list)
    message_fields: list[list] = field(default_factory=list)
    server_tools: list[list] = field(default_factory=list)
    tool_fields: dict[str, dict] = field(default_factory=dict)

    def store(self, extra: dict[str, Any], message_count: int) -> None:
        positional = self.raw_blocks or self.block_fields or self.message_fields
        for key, value in vars(self).items():
            if value:
                extra[f"anthropic.{key}"] = value
        if positional:
            extra["anthropic.message_count"] = message_count


def parse_request(body: dict) -> Request:
    """An Anthropic Messages body → canonical Request; a bad body raises InvalidRequestError."""
    if not isinstance(body, dict):
        _fail("request body must be a JSON object", None)
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        _fail("'model' is required and must be a non-empty string", "model")
    max_tokens = _field(body, "max_tokens", _is_int, "a positive integer")
    if max_tokens is not None and max_tokens < 1:
        _fail("'max_tokens' must be a positive integer", "max_tokens")
    leftovers = _Leftovers()
    messages = _parse_messages(body.get("messages"), leftovers)
    tools = _parse_tools(body.get("tools"), leftovers)
    choice = _parse_tool_choice(body.get("tool_choice"))
    metadata = _field(body, "metadata", _is_dict, "an object")
    thinking = _field(body, "thinking", _is_dict, "an object")
    output_config = _field(body, "output_config", _is_dict, "an object")
    stream = bool(_field(body, "stream", _is_bool, "a boolean"))
    extra = _top_level_extra(body, thinking)
    leftovers.store(extra, len(messages))
    return Request(
        model=model.strip(),
        messages=messages,
        system=_parse_system(body.get("system")),
        tools=tools,
        tool_choice=choice,
        max_tokens=max_tokens,
        temperature=_field(body, "temperature", _is_number, "a number"),
        top_p=_field(body, "top_p", _is_number, "a number"),
        top_k=_field(body, "top_k", _is_int, "an integer"),
        stop=tuple(_field(body, "stop_sequences", _is_str_list, "an array of strings") or ()),
        stream=stream,
        include_usage=True,  # an Anthropic client always gets usage
        reasoning=_parse_reasoning(thinking, output_config),
        response_format=_parse_format(output_config),
        parallel_tool_calls=_parallel_of(choice),
        user=_field(metadata or {}, "user_id", _is_str, "a string", "metadata"),
        extra=extra,
    )


def _parallel_of(choice: ToolChoice | None) -> bool | None:
    if choice is None or choice.disable_parallel is None:
        return None
    return not choice.disable_parallel


def _top_level_extra(body: dict, thinking: dict | None) -> dict[str, Any]:
    extra = {
        f"anthropic.{key}": value
        for key, value in body.items()
        if key not in _KNOWN_FIELDS and key not in _INTERNAL
    }
    for key in ("metadata", "output_config"):
        if body.get(key) is not None:
            extra[f"anthropic.{key}"] = body[key]
    extra["anthropic.thinking"] = thinking
    return extra


def _parse_system(value: object) -> tuple[TextPart, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (TextPart(value),)
    if not isinstance(value, list):
        _fail("'system' must be a string or an array of text blocks", "system")
    parts = []
    for index, block in enumerate(value):
        path = f"system[{index}]"
        if not isinstance(block, dict) or block.get("type") != "text":
            _fail(f"'{path}' must be a text block", path)
        parts.append(_text_part(block, path))
    return tuple(parts)


def _parse_messages(value: object, leftovers: _Leftovers) -> tuple[Message, ...]:
    if not isinstance(value, list):
        _fail("'messages' is required and must be an array", "messages")
    messages = []
    for index, message in enumerate(value):
        path = f"messages[{index}]"
        if not isinstance(message, dict):
            _fail(f"'{path}' must be an object", path)
        role = message.get("role")
        if not isinstance(role, str) or role not in _ROLES:
            _fail(f"'{path}.role' must be user, assistant or system", f"{path}.role")
        parts = _parse_content(message.get("content"), index, path, leftovers)
        others = {k: v for k, v in message.items() if k not in ("role", "content")}
        if others:
            leftovers.message_fields.append([index, others])
        messages.append(Message(role=role, parts=parts))  # type: ignore[arg-type]
    return tuple(messages)


def _parse_content(
    content: object, index: int, path: str, leftovers: _Leftovers
) -> tuple[Part, ...]:
    if isinstance(content, str):
        return (TextPart(content),)
    if not isinstance(content, list):
        _fail(f"'{path}.content' must be a string or an array of blocks", f"{path}.content")
    parts: list[Part] = []
    for position, block in enumerate(content):
        part, fields = _parse_block(block, f"{path}.content[{position}]")
        if part is None:
            leftovers.raw_blocks.append([index, len(parts), block])
            continue
        if fields:
            leftovers.block_fields.append([index, len(parts), part.type, fields])
        parts.append(part)
    return tuple(parts)


def _parse_tools(value: object, leftovers: _Leftovers) -> tuple[Tool, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        _fail("'tools' must be an array", "tools")
    tools = []
    for index, tool in enumerate(value):
        path = f"tools[{index}]"
        if not isinstance(tool, dict):
            _fail(f"'{path}' must be an object", path)
        kind = _field(tool, "type", _is_str, "a string", path)
        if kind not in (None, "custom"):  # a server tool (web search, bash, …)
            leftovers.server_tools.append([index, tool])
            continue
        name = _field(tool, "name", _is_str, "a string", path, required=True)
        schema = _field(tool, "input_schema", _is_dict, "an object", path)
        tools.append(
            Tool(
                name=name,
                description=_field(tool, "description", _is_str, "a string", path) or "",
                parameters=schema if schema is not None else dict(_EMPTY_SCHEMA),
                strict=_field(tool, "strict", _is_bool, "a boolean", path),
                cache_control=_cache(tool, path),
            )
        )
        known = ("name", "description", "input_schema", "strict", "cache_control")
        fields = {k: v for k, v in tool.items() if k not in known}
        if fields:
            leftovers.tool_fields[name] = fields
    return tuple(tools)


def _parse_tool_choice(value: object) -> ToolChoice | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        _fail("'tool_choice' must be an object", "tool_choice")
    kind = value.get("type")
    mode = _CHOICE_IN.get(kind) if isinstance(kind, str) else None
    if mode is None:
        _fail("'tool_choice.type' must be auto, any, tool or none", "tool_choice.type")
    name = _field(value, "name", _is_str, "a string", "tool_choice", required=mode == "tool")
    disable = _field(value, "disable_parallel_tool_use", _is_bool, "a boolean", "tool_choice")
    return ToolChoice(mode=mode, name=name if mode == "tool" else None, disable_parallel=disable)  # type: ignore[arg-type]


def _parse_reasoning(thinking: dict | None, output_config: dict | None) -> Reasoning | None:
    effort = _field(output_config or {}, "effort", _is_str, "a string", "output_config")
    effort = _EFFORT_IN.get(effort, effort) if effort else None
    if thinking is None:
        return Reasoning(effort=effort) if effort else None
    kind = thinking.get("type")
    if kind == "enabled":
        budget = _field(thinking, "budget_tokens", _is_int, "an integer", "thinking", True)
        return Reasoning(effort=effort, budget_tokens=budget)
    if kind == "adaptive":
        return Reasoning(effort=effort)
    if kind == "disabled":
        return Reasoning(effort=effort, enabled=False)
    _fail("'thinking.type' must be enabled, adaptive or disabled", "thinking.type")


def _parse_format(output_config: dict | None) -> ResponseFormat | None:
    fmt = (output_config or {}).get("format")
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        return None
    schema = fmt.get("schema")
    return ResponseFormat(kind="json_schema", schema=schema if isinstance(schema, dict) else None)


# ---------------------------------------------------------------------------------------------
# Parts → content blocks


def _with_cache(block: dict, cache_control: dict | None) -> dict:
    if cache_control is not None:
        block["cache_control"] = cache_control
    return block


def _text_block(part: TextPart) -> dict:
    return _with_cache({"type": "text", "text": part.text}, part.cache_control)


def _source(media_type: str, data: str | None, url: str | None) -> dict | None:
    if data is not None:
        return {"type": "base64", "media_type": media_type, "data": data}
    if url and url.startswith("data:") and ";base64," in url:
        head, payload = url[5:].split(";base64,", 1)
        return {"type": "base64", "media_type": head or media_type, "data": payload}
    return {"type": "url", "url": url} if url else None


def _image_block(part: ImagePart) -> dict | None:
    source = _source(part.media_type or "image/png", part.data, part.url)
    return _with_cache({"type": "image", "source": source}, part.cache_control) if source else None


def _document_block(part: DocumentPart) -> dict | None:
    media = part.media_type or "application/pdf"
    source = _source(media, part.data, part.url)
    if source and media.startswith("text/") and part.data is not None:
        try:
            text = base64.b64decode(part.data, validate=True).decode("utf-8")
            source = {"type": "text", "media_type": "text/plain", "data": text}
        except ValueError:
            pass  # not base64 text after all: send it as the base64 source built above
    if source is None:
        return None
    block: dict[str, Any] = {"type": "document", "source": source}
    if part.name:
        block["title"] = part.name
    return block


def _tool_use_block(part: ToolUsePart, cache: bool = True) -> dict:
    block = {"type": "tool_use", "id": part.id, "name": part.name, "input": part.input}
    return _with_cache(block, part.cache_control if cache else None)


def _tool_result_block(part: ToolResultPart) -> dict:
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": part.tool_use_id}
    items = part.content
    if len(items) == 1 and isinstance(items[0], TextPart) and items[0].cache_control is None:
        block["content"] = items[0].text
    elif items:
        blocks = [
            _text_block(item) if isinstance(item, TextPart) else _image_block(item)
            for item in items
            if not isinstance(item, TextPart) or item.text
        ]
        block["content"] = [b for b in blocks if b is not None]
    if part.is_error:
        block["is_error"] = True
    return _with_cache(block, part.cache_control)


def _request_block(part: Part) -> dict | None:
    """A part as a request content block; None for what Anthropic would reject."""
    if isinstance(part, TextPart):
        return _text_block(part) if part.text else None
    if isinstance(part, ImagePart):
        return _image_block(part)
    if isinstance(part, DocumentPart):
        return _document_block(part)
    if isinstance(part, ToolUsePart):
        return _tool_use_block(part)
    if isinstance(part, ToolResultPart):
        return _tool_result_block(part)
    if isinstance(part, ThinkingPart):
        if not part.signature:
            return None
        return {"type": "thinking", "thinking": part.text, "signature": part.signature}
    if isinstance(part, RedactedThinkingPart):
        return {"type": "redacted_thinking", "data": part.data}
    return None


def _response_block(part: Part) -> dict | None:
    """A part as an assistant answer block (thinking without a signature is still shown)."""
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text} if part.text else None
    if isinstance(part, ThinkingPart):
        if not part.text and not part.signature:
            return None
        return {"type": "thinking", "thinking": part.text, "signature": part.signature or ""}
    if isinstance(part, ToolUsePart):
        return _tool_use_block(part, cache=False)
    if isinstance(part, RedactedThinkingPart):
        return {"type": "redacted_thinking", "data": part.data}
    return None


# ---------------------------------------------------------------------------------------------
# build_request


@dataclass
class _Positional:
    """anthropic.raw_blocks / block_fields / message_fields, indexed for building."""

    raw: dict[tuple[int, int], list[dict]] = field(default_factory=dict)
    fields: dict[tuple[int, int], tuple[str, dict]] = field(default_factory=dict)
    messages: dict[int, dict] = field(default_factory=dict)

    @classmethod
    def of(cls, request: Request) -> _Positional:
        extra, found = request.extra, cls()
        if extra.get("anthropic.message_count") != len(request.messages):
            return found
        for index, position, block in extra.get("anthropic.raw_blocks") or ():
            found.raw.setdefault((index, position), []).append(block)
        for index, position, kind, fields in extra.get("anthropic.block_fields") or ():
            found.fields[(index, position)] = (kind, fields)
        for index, fields in extra.get("anthropic.message_fields") or ():
            found.messages[index] = fields
        return found


def build_request(request: Request) -> dict:
    """A canonical Request → an Anthropic Messages body for a provider."""
    own = {k: copy.deepcopy(v) for k, v in request.extra.items() if k.startswith("anthropic.")}
    request = replace(request, extra=own)  # the body must not share objects with the request
    thinking, max_tokens = _build_thinking(request, request.max_tokens or DEFAULT_MAX_TOKENS)
    messages, folded = _build_messages(request)
    body: dict[str, Any] = {"model": request.model, "max_tokens": max_tokens}
    system = _build_system(request.system, folded)
    if system:
        body["system"] = system
    body["messages"] = messages
    tools = _build_tools(request)
    if tools:
        body["tools"] = tools
        choice = _build_tool_choice(request)
        if choice:
            body["tool_choice"] = choice
    metadata = dict(request.extra.get("anthropic.metadata") or {})
    if request.user:
        metadata["user_id"] = request.user
    if metadata:
        body["metadata"] = metadata
    if request.stop:
        body["stop_sequences"] = list(request.stop)
    body.update(_sampling(request, thinking is not None and thinking["type"] != "disabled"))
    if request.stream:
        body["stream"] = True
    if thinking:
        body["thinking"] = thinking
    output_config = _build_output_config(request)
    if output_config:
        body["output_config"] = output_config
    for key, value in request.extra.items():
        name = key[len("anthropic.") :] if key.startswith("anthropic.") else ""
        if name and name not in _INTERNAL and name not in body:
            body[name] = value
    return body


def _build_messages(request: Request) -> tuple[list[dict], list[dict]]:
    """(alternating wire messages, text blocks of system messages to fold into `system`)."""
    positional = _Positional.of(request)
    out: list[dict] = []
    folded: list[dict] = []
    for index, message in enumerate(request.messages):
        blocks = _build_blocks(message.parts, index, positional)
        if message.role == "system":
            folded.extend(block for block in blocks if block.get("type") == "text")
        elif not blocks:
            continue
        elif out and out[-1]["role"] == message.role:
            out[-1]["content"].extend(blocks)
        else:
            fields = positional.messages.get(index, {})
            out.append({**fields, "role": message.role, "content": blocks})
    return [_finish_message(message) for message in out], folded


def _build_blocks(parts: tuple[Part, ...], index: int, positional: _Positional) -> list[dict]:
    blocks: list[dict] = []
    for position, part in enumerate(parts):
        blocks.extend(positional.raw.get((index, position), ()))
        block = _request_block(part)
        if block is None:
            continue
        kind, fields = positional.fields.get((index, position), ("", {}))
        if kind == part.type:
            block.update(fields)
        blocks.append(block)
    blocks.extend(positional.raw.get((index, len(parts)), ()))
    return blocks


def _finish_message(message: dict) -> dict:
    """Tool results first in a user turn; a lone plain text block as string content."""
    content = message["content"]
    if message["role"] == "user":
        content.sort(key=lambda block: block.get("type") != "tool_result")  # stable
    if len(content) == 1 and content[0].keys() == {"type", "text"} and content[0]["type"] == "text":
        message["content"] = content[0]["text"]
    return message


def _build_system(system: tuple[TextPart, ...], folded: list[dict]) -> str | list[dict] | None:
    blocks = [_text_block(part) for part in system if part.text] + folded
    if not blocks:
        return None
    if len(blocks) == 1 and blocks[0].keys() == {"type", "text"}:
        return blocks[0]["text"]
    return blocks


def _build_tools(request: Request) -> list[dict]:
    fields = request.extra.get("anthropic.tool_fields") or {}
    tools: list[dict] = []
    for tool in request.tools:
        schema = tool.parameters or dict(_EMPTY_SCHEMA)
        wire: dict[str, Any] = {"name": tool.name}
        if tool.description:
            wire["description"] = tool.description
        wire["input_schema"] = schema if "type" in schema else {"type": "object", **schema}
        if tool.strict:
            wire["strict"] = True
        wire = _with_cache(wire, tool.cache_control)
        wire.update(fields.get(tool.name, {}))
        tools.append(wire)
    for position, tool in request.extra.get("anthropic.server_tools") or ():
        tools.insert(min(position, len(tools)), tool)
    return tools


def _build_tool_choice(request: Request) -> dict | None:
    choice = request.tool_choice
    disable = choice.disable_parallel if choice else None
    if disable is None and request.parallel_tool_calls is not None:
        disable = not request.parallel_tool_calls
    if choice is None and disable is None:
        return None
    mode = choice.mode if choice else "auto"
    if mode == "tool" and not (choice and choice.name):
        mode = "required"
    wire: dict[str, Any] = {"type": _CHOICE_OUT[mode]}
    if mode == "tool" and choice:
        wire["name"] = choice.name
    if disable is not None and mode != "none":
        wire["disable_parallel_tool_use"] = disable
    return wire


def _build_thinking(request: Request, max_tokens: int) -> tuple[dict | None, int]:
    """(thinking object or None, max_tokens large enough for its budget)."""
    reasoning = request.reasoning
    original = request.extra.get("anthropic.thinking")
    if reasoning is None or ("anthropic.thinking" in request.extra and original is None):
        return None, max_tokens
    thinking: dict[str, Any]
    if not reasoning.enabled:
        thinking = {"type": "disabled"}
    elif reasoning.budget_tokens is not None:
        budget = max(MIN_THINKING_BUDGET, min(reasoning.budget_tokens, max_tokens - 1))
        max_tokens = max(max_tokens, budget + 1)
        thinking = {"type": "enabled", "budget_tokens": budget}
    else:
        thinking = {"type": "adaptive"}
    if isinstance(original, dict) and original.get("type") == thinking["type"]:
        thinking = {**original, **thinking}  # keeps e.g. "display"
    return thinking, max_tokens


def _sampling(request: Request, thinking_on: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    temperature, top_p = request.temperature, request.top_p
    if temperature is not None and (not thinking_on or temperature == 1):
        out["temperature"] = min(max(temperature, 0.0), 1.0)
    if top_p is not None and (not thinking_on or top_p >= 0.95):
        out["top_p"] = top_p
    if request.top_k is not None and not thinking_on:
        out["top_k"] = request.top_k
    return out


def _build_output_config(request: Request) -> dict:
    original = request.extra.get("anthropic.output_config")
    config = dict(original) if isinstance(original, dict) else {}
    effort = _effort_out(request.reasoning, config.get("effort"))
    config.pop("effort", None)
    if effort:
        config["effort"] = effort
    fmt, given = request.response_format, config.pop("format", None)
    if fmt is not None and fmt.kind == "json_schema" and fmt.schema is not None:
        base = given if isinstance(given, dict) else {}
        config["format"] = {**base, "type": "json_schema", "schema": fmt.schema}
    return config


def _effort_out(reasoning: Reasoning | None, original: object) -> str | None:
    if reasoning is None or not reasoning.effort:
        return None
    effort = reasoning.effort
    if isinstance(original, str) and _EFFORT_IN.get(original, original) == effort:
        return original  # the client's own spelling ("max")
    effort = _EFFORT_OUT.get(effort, effort)
    return effort if effort in _EFFORTS else None


# ---------------------------------------------------------------------------------------------
# Responses, usage, errors


def parse_response(body: dict) -> Response:
    """A provider's non-streamed Anthropic message → canonical Response."""
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, list):
        raise GatewayError("the provider's answer is not an Anthropic message", status=502)
    parts: list[Part] = []
    for index, block in enumerate(content):
        try:
            part, _ = _parse_block(block, f"content[{index}]")
        except InvalidRequestError:
            continue  # a malformed block in an answer is skipped, not a client error
        if part is not None:
            parts.append(part)
    sequence, ident, model = body.get("stop_sequence"), body.get("id"), body.get("model")
    return Response(
        id=ident if isinstance(ident, str) else "",
        model=model if isinstance(model, str) else "",
        parts=tuple(parts),
        stop_reason=stop_reason_from_wire(body.get("stop_reason")),
        stop_sequence=sequence if isinstance(sequence, str) else None,
        usage=usage_from_wire(body.get("usage")),
    )


def build_response(response: Response) -> dict:
    """A canonical Response → the message an Anthropic client expects."""
    content = [block for part in response.parts if (block := _response_block(part))]
    return {
        "id": response.id or f"msg_{uuid.uuid4().hex[:24]}",
        "type": "message",
        "role": "assistant",
        "model": response.model,
        "content": content,
        "stop_reason": stop_reason_to_wire(response.stop_reason),
        "stop_sequence": response.stop_sequence,
        "usage": usage_to_wire(response.usage),
    }


def usage_of(body: dict) -> Usage | None:
    return usage_from_wire(body.get("usage")) if isinstance(body, dict) else None


def error_body(error: GatewayError) -> dict:
    """{"type": "error", "error": {type, message}}, the type chosen by error.status (a 5xx keeps
    an upstream overloaded_error / timeout_error type, which clients retry on)."""
    kind = error_type_for(error.status)
    if error.status >= 500 and error.type in ("overloaded_error", "timeout_error"):
        kind = error.type
    return error_payload(kind, error.message)


def parse_error(raw: bytes) -> tuple[str, str | None, str | None]:
    """(message, type, code) of a provider's error body; Anthropic errors have no code."""
    try:
        payload = json.loads(raw)
    except ValueError:
        text = raw[:500].decode("utf-8", "replace").strip()
        return text or "no error message", None, None
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict):
        message, kind = error.get("message"), error.get("type")
        return (
            message if isinstance(message, str) and message else "no error message",
            kind if isinstance(kind, str) else None,
            None,
        )
    if isinstance(error, str):
        return error, None, None
    if isinstance(payload, dict) and isinstance(payload.get("message"), str):
        return payload["message"], None, None
    return raw[:500].decode("utf-8", "replace"), None, None
