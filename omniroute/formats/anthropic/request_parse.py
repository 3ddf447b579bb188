"""An Anthropic Messages request body → canonical Request, validated as it is read; and the
envelope check a passed-through body gets instead.

A malformed body raises InvalidRequestError naming the field. What has no canonical home is kept
in `anthropic.*` Request.extra keys (listed in the package docstring) so that request_build can
restore it on a same-format hop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..canonical import (
    Message,
    Part,
    Reasoning,
    Request,
    ResponseFormat,
    Role,
    TextPart,
    Tool,
    ToolChoice,
)
from ..envelopes import turns
from ..signatures import received
from . import NAME
from .blocks import parse_block, text_part
from .validation import (
    cache_control_of,
    checked_field,
    fail,
    is_bool,
    is_dict,
    is_int,
    is_number,
    is_str,
    is_str_list,
)
from .vocabulary import CHOICE_FROM_WIRE, EFFORT_FROM_WIRE, EMPTY_SCHEMA, INTERNAL_EXTRA_KEYS

# fmt: off
_KNOWN_FIELDS = frozenset((
    "model", "messages", "system", "tools", "tool_choice", "max_tokens", "temperature", "top_p",
    "top_k", "stop_sequences", "stream", "metadata", "thinking", "output_config",
))
# fmt: on
_ROLES: tuple[Role, ...] = ("user", "assistant", "system")


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


def check_envelope(body: dict) -> None:
    """The shape a body passed through untouched must have (Messages and count_tokens alike):
    `messages`, a non-empty array of objects with a string `role`."""
    messages = turns(body.get("messages"), "messages", "a non-empty array of messages")
    for index, message in enumerate(messages):
        if not isinstance(message.get("role"), str):
            where = f"messages[{index}].role"
            fail(f"'{where}' must be a string", where)


def parse_request(body: dict) -> Request:
    """An Anthropic Messages body → canonical Request; a bad body raises InvalidRequestError."""
    if not isinstance(body, dict):
        fail("request body must be a JSON object", None)
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        fail("'model' is required and must be a non-empty string", "model")
    max_tokens = checked_field(body, "max_tokens", is_int, "a positive integer")
    if max_tokens is not None and max_tokens < 1:
        fail("'max_tokens' must be a positive integer", "max_tokens")
    leftovers = _Leftovers()
    messages = _parse_messages(body.get("messages"), leftovers)
    tools = _parse_tools(body.get("tools"), leftovers)
    choice = _parse_tool_choice(body.get("tool_choice"))
    metadata = checked_field(body, "metadata", is_dict, "an object")
    thinking = checked_field(body, "thinking", is_dict, "an object")
    output_config = checked_field(body, "output_config", is_dict, "an object")
    stream = bool(checked_field(body, "stream", is_bool, "a boolean"))
    extra = _top_level_extra(body, thinking)
    leftovers.store(extra, len(messages))
    return Request(
        model=model.strip(),
        messages=messages,
        system=_parse_system(body.get("system")),
        tools=tools,
        tool_choice=choice,
        max_tokens=max_tokens,
        temperature=checked_field(body, "temperature", is_number, "a number"),
        top_p=checked_field(body, "top_p", is_number, "a number"),
        top_k=checked_field(body, "top_k", is_int, "an integer"),
        stop=tuple(checked_field(body, "stop_sequences", is_str_list, "an array of strings") or ()),
        stream=stream,
        include_usage=True,  # an Anthropic client always gets usage
        reasoning=_parse_reasoning(thinking, output_config),
        response_format=_parse_format(output_config),
        parallel_tool_calls=_parallel_of(choice),
        user=checked_field(metadata or {}, "user_id", is_str, "a string", "metadata"),
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
        if key not in _KNOWN_FIELDS and key not in INTERNAL_EXTRA_KEYS
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
        fail("'system' must be a string or an array of text blocks", "system")
    parts = []
    for index, block in enumerate(value):
        path = f"system[{index}]"
        if not isinstance(block, dict) or block.get("type") != "text":
            fail(f"'{path}' must be a text block", path)
        parts.append(text_part(block, path))
    return tuple(parts)


def _parse_messages(value: object, leftovers: _Leftovers) -> tuple[Message, ...]:
    if not isinstance(value, list):
        fail("'messages' is required and must be an array", "messages")
    messages = []
    for index, message in enumerate(value):
        path = f"messages[{index}]"
        if not isinstance(message, dict):
            fail(f"'{path}' must be an object", path)
        role = message.get("role")
        if not isinstance(role, str) or role not in _ROLES:
            fail(f"'{path}.role' must be user, assistant or system", f"{path}.role")
        parts = _parse_content(message.get("content"), index, path, leftovers)
        others = {k: v for k, v in message.items() if k not in ("role", "content")}
        if others:
            leftovers.message_fields.append([index, others])
        messages.append(Message(role=role, parts=parts))
    return tuple(messages)


def _parse_content(
    content: object, index: int, path: str, leftovers: _Leftovers
) -> tuple[Part, ...]:
    if isinstance(content, str):
        return (TextPart(content),)
    if not isinstance(content, list):
        fail(f"'{path}.content' must be a string or an array of blocks", f"{path}.content")
    parts: list[Part] = []
    for position, block in enumerate(content):
        part, fields = parse_block(block, f"{path}.content[{position}]")
        if part is None:
            leftovers.raw_blocks.append([index, len(parts), block])
            continue
        if fields:
            leftovers.block_fields.append([index, len(parts), part.type, fields])
        parts.append(received(part, NAME))
    return tuple(parts)


def _parse_tools(value: object, leftovers: _Leftovers) -> tuple[Tool, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        fail("'tools' must be an array", "tools")
    tools = []
    for index, tool in enumerate(value):
        path = f"tools[{index}]"
        if not isinstance(tool, dict):
            fail(f"'{path}' must be an object", path)
        kind = checked_field(tool, "type", is_str, "a string", path)
        if kind not in (None, "custom"):  # a server tool (web search, bash, …)
            leftovers.server_tools.append([index, tool])
            continue
        tools.append(_parse_custom_tool(tool, path, leftovers))
    return tuple(tools)


def _parse_custom_tool(tool: dict, path: str, leftovers: _Leftovers) -> Tool:
    name = checked_field(tool, "name", is_str, "a string", path, required=True)
    schema = checked_field(tool, "input_schema", is_dict, "an object", path)
    parsed = Tool(
        name=name,
        description=checked_field(tool, "description", is_str, "a string", path) or "",
        parameters=schema if schema is not None else dict(EMPTY_SCHEMA),
        strict=checked_field(tool, "strict", is_bool, "a boolean", path),
        cache_control=cache_control_of(tool, path),
    )
    known = ("name", "description", "input_schema", "strict", "cache_control")
    fields = {k: v for k, v in tool.items() if k not in known}
    if fields:
        leftovers.tool_fields[name] = fields
    return parsed


def _parse_tool_choice(value: object) -> ToolChoice | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        fail("'tool_choice' must be an object", "tool_choice")
    kind = value.get("type")
    mode = CHOICE_FROM_WIRE.get(kind) if isinstance(kind, str) else None
    if mode is None:
        fail("'tool_choice.type' must be auto, any, tool or none", "tool_choice.type")
    path = "tool_choice"
    name = checked_field(value, "name", is_str, "a string", path, required=mode == "tool")
    disable = checked_field(value, "disable_parallel_tool_use", is_bool, "a boolean", path)
    return ToolChoice(mode=mode, name=name if mode == "tool" else None, disable_parallel=disable)


def _parse_reasoning(thinking: dict | None, output_config: dict | None) -> Reasoning | None:
    effort = checked_field(output_config or {}, "effort", is_str, "a string", "output_config")
    effort = EFFORT_FROM_WIRE.get(effort, effort) if effort else None
    if thinking is None:
        return Reasoning(effort=effort) if effort else None
    kind = thinking.get("type")
    if kind == "enabled":
        budget = checked_field(thinking, "budget_tokens", is_int, "an integer", "thinking", True)
        return Reasoning(effort=effort, budget_tokens=budget)
    if kind == "adaptive":
        return Reasoning(effort=effort)
    if kind == "disabled":
        return Reasoning(effort=effort, enabled=False)
    fail("'thinking.type' must be enabled, adaptive or disabled", "thinking.type")


def _parse_format(output_config: dict | None) -> ResponseFormat | None:
    fmt = (output_config or {}).get("format")
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        return None
    schema = fmt.get("schema")
    return ResponseFormat(kind="json_schema", schema=schema if isinstance(schema, dict) else None)
