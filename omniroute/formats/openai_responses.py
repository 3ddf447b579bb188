"""OpenAI Responses API (`POST /v1/responses`) ⇄ the canonical model.

Requests. `input` is a string (one user message) or a list of items; it may be left out only
with previous_response_id, conversation or prompt. `instructions` and the system/developer
messages that open `input` become `Request.system`; later ones stay in place as
`Message(role="system")`. Consecutive assistant items (reasoning, assistant messages,
function_call) form one assistant message, so a reasoning item travels with the text and calls
that follow it; consecutive `function_call_output` items form one user message of
ToolResultParts (named after their call). Item types with no canonical form (web_search_call,
custom_tool_call, item_reference…) and file_id images/files are dropped with a log line.

Function tools become canonical tools (`strict` left unset stays unset: the API then uses strict
mode when the schema allows). The function tools nested in a `namespace` tool become
`<namespace>--<name>` (see responses_stream) when that name can be split back unambiguously,
otherwise they are dropped with a log line, as are the other tool types (web_search,
file_search, custom, mcp…): other formats cannot take them.

What the canonical model cannot hold is kept in `Request.extra` and read back by build_request:

- `responses.<key>`: every top-level field not mapped (store, include, prompt_cache_key,
  client_metadata, previous_response_id, metadata, truncation, service_tier…), sent back as is;
- `responses.text.<key>`: `text` options besides the format (verbosity), and
  `responses.text.format.description`;
- `responses.tools.original` / `responses.tools.digest`: the client's tool list, reused verbatim
  while the canonical tools are unchanged; `responses.tools.namespaced` ({flat name: [namespace,
  name]}) and `responses.tools.namespaces` ({namespace: description});
- `responses.tool_choice.raw`: a tool_choice with no canonical form (allowed_tools, hosted…);
- `responses.input.system_layout`: where the system parts came from ([source, part count, item
  id], source "instructions" or a message role); `responses.input.item_ids`: the input items' ids
  ("call:<call_id>" → "fc_…", "output:<call_id>" → its id, "msg:<digest>:<n>" → "msg_…").

Answers, usage, errors and streams: see responses_stream.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections import Counter
from dataclasses import replace
from typing import Any

from ..errors import GatewayError, InvalidRequestError
from . import canonical as c
from .responses_stream import (
    StreamDecoder,
    StreamEncoder,
    flat_tool_name,
    output_items,
    parts_of_output,
    response_id,
    response_object,
    split_tool_name,
    stop_reason_of,
    thinking_of,
    tool_choice_echo,
    tool_use_of,
    usage_from_wire,
    valid_namespace,
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

NAME = "responses"
log = logging.getLogger(__name__)

_HANDLED = frozenset(
    {
        "model",
        "input",
        "instructions",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "max_output_tokens",
        "temperature",
        "top_p",
        "reasoning",
        "text",
        "stream",
        "user",
    }
)
_STATEFUL = ("previous_response_id", "conversation", "prompt")
_ROLES = {"user": "user", "assistant": "assistant", "system": "system", "developer": "system"}
_TOOL_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DATA_URL_RE = re.compile(r"^data:([^;,]*)(?:;[^,]*)?;base64,(.*)$", re.DOTALL)


def _bad(message: str, param: str) -> InvalidRequestError:
    return InvalidRequestError(message, param=param)


# ---------------------------------------------------------------------------------------------
# parse_request


def parse_request(body: Any) -> c.Request:
    if not isinstance(body, dict):
        raise InvalidRequestError("request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise _bad("'model' is required and must be a string", "model")
    extra: dict[str, Any] = {
        f"responses.{key}": value
        for key, value in body.items()
        if key not in _HANDLED and "." not in key  # dotted keys are this module's own
    }
    tools = _parse_tools(body.get("tools"), extra)
    system, messages = _parse_input(body, extra)
    stream = _typed(body, "stream", bool, "a boolean")
    parallel = _typed(body, "parallel_tool_calls", bool, "a boolean")
    choice = _parse_tool_choice(body.get("tool_choice"), extra)
    if choice is not None and parallel is not None:
        choice = replace(choice, disable_parallel=not parallel)
    return c.Request(
        model=model.strip(),
        messages=messages,
        system=system,
        tools=tools,
        tool_choice=choice,
        max_tokens=_positive_int(body, "max_output_tokens"),
        temperature=_number(body, "temperature"),
        top_p=_number(body, "top_p"),
        stream=bool(stream),
        include_usage=bool(stream),
        reasoning=_parse_reasoning(body.get("reasoning")),
        response_format=_parse_text(body.get("text"), extra),
        parallel_tool_calls=parallel,
        user=_typed(body, "user", str, "a string"),
        extra=extra,
    )


def _typed(body: dict, key: str, kind: type, what: str) -> Any:
    value = body.get(key)
    if value is not None and type(value) is not kind:
        raise _bad(f"'{key}' must be {what}", key)
    return value


def _number(body: dict, key: str) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(f"'{key}' must be a number", key)
    return value


def _positive_int(body: dict, key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _bad(f"'{key}' must be a positive integer", key)
    return value


def _optional_str(value: Any, param: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _bad(f"'{param}' must be a string", param)
    return value


def _parse_reasoning(raw: Any) -> c.Reasoning | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _bad("'reasoning' must be an object", "reasoning")
    effort = _optional_str(raw.get("effort"), "reasoning.effort")
    summary = raw.get("summary", raw.get("generate_summary"))
    summary = _optional_str(summary, "reasoning.summary")
    return c.Reasoning(effort=effort, summary=summary, enabled=effort != "none")


def _parse_text(raw: Any, extra: dict) -> c.ResponseFormat | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _bad("'text' must be an object", "text")
    for key, value in raw.items():
        if key != "format":
            extra[f"responses.text.{key}"] = value
    fmt = raw.get("format")
    if fmt is None:
        return None
    kind = fmt.get("type") if isinstance(fmt, dict) else None
    if kind not in ("text", "json_object", "json_schema"):
        raise _bad("'text.format.type' must be text, json_object or json_schema", "text.format")
    schema, strict = fmt.get("schema"), fmt.get("strict")
    if schema is not None and not isinstance(schema, dict):
        raise _bad("'text.format.schema' must be an object", "text.format.schema")
    if strict is not None and not isinstance(strict, bool):
        raise _bad("'text.format.strict' must be a boolean", "text.format.strict")
    if isinstance(fmt.get("description"), str):
        extra["responses.text.format.description"] = fmt["description"]
    name = _optional_str(fmt.get("name"), "text.format.name")
    return c.ResponseFormat(kind=kind, schema=schema, name=name, strict=strict)


# -- tools ------------------------------------------------------------------------------------


def _parse_tools(raw: Any, extra: dict) -> tuple[c.Tool, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _bad("'tools' must be an array", "tools")
    for index, tool in enumerate(raw):
        if not isinstance(tool, dict) or not isinstance(tool.get("type"), str):
            raise _bad(f"tools[{index}] must be an object with a 'type'", f"tools[{index}]")
    plain = {t["name"] for t in raw if t["type"] == "function" and isinstance(t.get("name"), str)}
    tools: list[c.Tool] = []
    namespaced: dict[str, list[str]] = {}
    descriptions: dict[str, str] = {}
    for index, tool in enumerate(raw):
        if tool["type"] == "function":
            tools.append(_function_tool(tool, f"tools[{index}]"))
        elif tool["type"] == "namespace":
            found = _namespace_tools(tool, f"tools[{index}]", plain, namespaced)
            tools.extend(found)
            if found:
                descriptions[tool["name"]] = str(tool.get("description") or "")
        else:
            log.info("responses: dropping %r tool (other formats cannot take it)", tool["type"])
    extra["responses.tools.original"] = raw
    extra["responses.tools.digest"] = _digest(tuple(tools))
    if namespaced:
        extra["responses.tools.namespaced"] = namespaced
        extra["responses.tools.namespaces"] = descriptions
    return tuple(tools)


def _function_tool(tool: dict, where: str) -> c.Tool:
    if not isinstance(tool.get("name"), str) or not tool["name"]:
        raise _bad(f"{where}.name is required and must be a string", f"{where}.name")
    parameters = tool.get("parameters")
    if parameters is not None and not isinstance(parameters, dict):
        raise _bad(f"{where}.parameters must be an object", f"{where}.parameters")
    strict = tool.get("strict")
    if strict is not None and not isinstance(strict, bool):
        raise _bad(f"{where}.strict must be a boolean", f"{where}.strict")
    description = _optional_str(tool.get("description"), f"{where}.description")
    return c.Tool(
        name=tool["name"],
        description=description or "",
        parameters=parameters if parameters is not None else {"type": "object", "properties": {}},
        strict=strict,
    )


def _namespace_tools(tool: dict, where: str, plain: set, namespaced: dict) -> list[c.Tool]:
    """The function tools of a namespace, flattened, or none when their names cannot be mapped
    back to the namespace."""
    namespace, members = tool.get("name"), tool.get("tools")
    if not isinstance(namespace, str) or not isinstance(members, list):
        raise _bad(f"{where} needs a 'name' and a 'tools' array", where)
    if not valid_namespace(namespace):
        log.info("responses: dropping namespace %r: its name cannot prefix tool names", namespace)
        return []
    found = []
    for index, member in enumerate(members):
        if not isinstance(member, dict) or member.get("type") != "function":
            log.info("responses: dropping a non-function tool in namespace %r", namespace)
            continue
        tool_obj = _function_tool(member, f"{where}.tools[{index}]")
        flat = flat_tool_name(namespace, tool_obj.name)
        if not _TOOL_NAME_RE.match(flat) or flat in plain or flat in namespaced:
            log.info(
                "responses: dropping %s from namespace %r: no usable flat name", flat, namespace
            )
            continue
        namespaced[flat] = [namespace, tool_obj.name]
        found.append(replace(tool_obj, name=flat))
    return found


def _digest(value: Any) -> str:
    return hashlib.sha256(repr(value).encode("utf-8", "replace")).hexdigest()


def _parse_tool_choice(raw: Any, extra: dict) -> c.ToolChoice | None:
    if raw is None:
        return None
    if raw in ("auto", "none", "required"):
        return c.ToolChoice(mode=raw)
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise _bad("'tool_choice' must be auto, none, required or an object", "tool_choice")
    if raw["type"] == "function":
        if not isinstance(raw.get("name"), str) or not raw["name"]:
            raise _bad("'tool_choice.name' is required", "tool_choice.name")
        return c.ToolChoice(mode="tool", name=flat_tool_name(raw.get("namespace"), raw["name"]))
    log.info("responses: tool_choice of type %r has no canonical form", raw["type"])
    extra["responses.tool_choice.raw"] = raw
    return None


# -- input ------------------------------------------------------------------------------------


def _parse_input(body: dict, extra: dict) -> tuple[tuple[c.TextPart, ...], tuple[c.Message, ...]]:
    system: list[c.TextPart] = []
    layout: list[list] = []
    instructions = _optional_str(body.get("instructions"), "instructions")
    if instructions:
        system.append(c.TextPart(instructions))
        layout.append(["instructions", 1, None])
    raw = body.get("input")
    if isinstance(raw, str):
        raw = [{"type": "message", "role": "user", "content": raw}]
    elif raw is None and any(body.get(k) for k in _STATEFUL):
        raw = []  # the conversation lives at the provider
    elif not isinstance(raw, list):
        raise _bad("'input' is required and must be a string or an array of items", "input")
    builder = _InputBuilder()
    for index, item in enumerate(raw):
        where = f"input[{index}]"
        kind = _item_type(item, where)
        parts = _leading_system(item, where) if kind == "message" and not builder.started else None
        if parts is not None:
            system.extend(parts)
            layout.append([item["role"], len(parts), _id_of(item)])
        else:
            builder.add(kind, item, where)
    if layout and any(entry[0] != "instructions" or entry[2] for entry in layout):
        extra["responses.input.system_layout"] = layout
    if builder.ids:
        extra["responses.input.item_ids"] = builder.ids
    return tuple(system), builder.finish()


def _item_type(item: Any, where: str) -> str:
    if not isinstance(item, dict):
        raise _bad(f"{where} must be an object", where)
    kind = item.get("type")
    if kind is None and "role" in item:
        return "message"
    if not isinstance(kind, str):
        raise _bad(f"{where}.type is required and must be a string", f"{where}.type")
    return kind


def _id_of(item: dict) -> str | None:
    value = item.get("id")
    return value if isinstance(value, str) and value else None


def _role_of(item: dict) -> str | None:
    role = item.get("role")
    return _ROLES.get(role) if isinstance(role, str) else None


def _leading_system(item: dict, where: str) -> list[c.TextPart] | None:
    """The text of a system/developer message that opens the input; None for anything else."""
    if _role_of(item) != "system":
        return None
    parts = _content_parts(item.get("content"), where, "system")
    if all(isinstance(part, c.TextPart) for part in parts):
        return parts  # type: ignore[return-value]
    return None


def _content_parts(content: Any, where: str, role: str) -> list[c.Part]:
    if isinstance(content, str):
        return [c.TextPart(content)]
    if not isinstance(content, list):
        raise _bad(f"{where}.content must be a string or an array", f"{where}.content")
    parts = []
    for index, part in enumerate(content):
        found = _content_part(part, f"{where}.content[{index}]")
        if found is not None:
            parts.append(found)
    return parts


def _content_part(part: Any, where: str) -> c.Part | None:
    if not isinstance(part, dict) or not isinstance(part.get("type"), str):
        raise _bad(f"{where} must be an object with a 'type'", where)
    kind = part["type"]
    if kind in ("input_text", "output_text", "text", "refusal"):
        text = part.get("refusal" if kind == "refusal" else "text")
        if not isinstance(text, str):
            raise _bad(f"{where}.text must be a string", f"{where}.text")
        return c.TextPart(text)
    if kind == "input_image":
        return _image_part(part, where)
    if kind == "input_file":
        return _file_part(part, where)
    log.info("responses: dropping a %r content part (no canonical form)", kind)
    return None


def _image_part(part: dict, where: str) -> c.ImagePart | None:
    url = _optional_str(part.get("image_url"), f"{where}.image_url")
    detail = _optional_str(part.get("detail"), f"{where}.detail")
    if not url:
        log.info("responses: dropping an input_image given by file_id (no canonical form)")
        return None
    match = _DATA_URL_RE.match(url)
    if match:
        return c.ImagePart(media_type=match[1] or None, data=match[2], detail=detail)
    return c.ImagePart(url=url, detail=detail)


def _file_part(part: dict, where: str) -> c.DocumentPart | None:
    data = _optional_str(part.get("file_data"), f"{where}.file_data")
    url = _optional_str(part.get("file_url"), f"{where}.file_url")
    name = _optional_str(part.get("filename"), f"{where}.filename")
    if data:
        match = _DATA_URL_RE.match(data)
        media_type, payload = (match[1] or None, match[2]) if match else (None, data)
        return c.DocumentPart(media_type=media_type, data=payload, name=name)
    if url:
        return c.DocumentPart(url=url, name=name)
    log.info("responses: dropping an input_file given by file_id (no canonical form)")
    return None


def _message_key(role: str, parts: list[c.Part] | tuple[c.Part, ...]) -> str:
    texts = [part.text for part in parts if isinstance(part, c.TextPart)]
    digest = hashlib.sha1(json.dumps([role, texts]).encode("utf-8", "replace")).hexdigest()
    return f"msg:{digest[:16]}"


class _InputBuilder:
    """Folds input items into canonical messages (see the module docstring)."""

    def __init__(self) -> None:
        self.messages: list[c.Message] = []
        self.ids: dict[str, str] = {}
        self.started = False
        self._run: tuple[str, list[c.Part]] | None = None  # ("assistant"|"results", parts)
        self._names: dict[str, str] = {}
        self._seen: Counter[str] = Counter()

    def add(self, kind: str, item: dict, where: str) -> None:
        self.started = True
        if kind == "message":
            self._message(item, where)
        elif kind == "function_call":
            self._function_call(item, where)
        elif kind == "function_call_output":
            self._function_output(item, where)
        elif kind == "reasoning":
            if item.get("summary") is not None and not isinstance(item["summary"], list):
                raise _bad(f"{where}.summary must be an array", f"{where}.summary")
            _optional_str(item.get("encrypted_content"), f"{where}.encrypted_content")
            self._extend("assistant", thinking_of(item))
        else:
            log.info("responses: dropping input item of type %r (no canonical form)", kind)

    def _message(self, item: dict, where: str) -> None:
        role = _role_of(item)
        if role is None:
            raise _bad(
                f"{where}.role must be user, assistant, system or developer", f"{where}.role"
            )
        parts = _content_parts(item.get("content"), where, role)
        if not parts:
            return
        self._remember_id(item, _message_key(role, parts))
        if role == "assistant":
            self._extend("assistant", *parts)
        else:
            self._flush()
            self.messages.append(c.Message(role=role, parts=tuple(parts)))  # type: ignore[arg-type]

    def _remember_id(self, item: dict, key: str) -> None:
        self._seen[key] += 1
        if _id_of(item):
            self.ids[f"{key}:{self._seen[key]}"] = item["id"]

    def _function_call(self, item: dict, where: str) -> None:
        for field in ("call_id", "name"):
            if not isinstance(item.get(field), str) or not item[field]:
                raise _bad(f"{where}.{field} is required and must be a string", f"{where}.{field}")
        _optional_str(item.get("namespace"), f"{where}.namespace")
        part = tool_use_of(item)
        self._names[part.id] = part.name
        if _id_of(item):
            self.ids[f"call:{part.id}"] = item["id"]
        self._extend("assistant", part)

    def _function_output(self, item: dict, where: str) -> None:
        call_id, output = item.get("call_id"), item.get("output")
        if not isinstance(call_id, str) or not call_id:
            raise _bad(f"{where}.call_id is required and must be a string", f"{where}.call_id")
        if isinstance(output, str):
            content: list[c.Part] = [c.TextPart(output)] if output else []
        elif isinstance(output, list):
            content = _content_parts(output, f"{where}.output", "user")
        else:
            raise _bad(f"{where}.output must be a string or an array", f"{where}.output")
        if _id_of(item):
            self.ids[f"output:{call_id}"] = item["id"]
        kept = tuple(p for p in content if isinstance(p, c.TextPart | c.ImagePart))
        if len(kept) < len(content):
            log.info("responses: dropping a file from a function_call_output (no canonical form)")
        name = self._names.get(call_id)
        self._extend("results", c.ToolResultPart(tool_use_id=call_id, content=kept, name=name))

    def _extend(self, run: str, *parts: c.Part) -> None:
        if self._run is None or self._run[0] != run:
            self._flush()
            self._run = (run, [])
        self._run[1].extend(parts)

    def _flush(self) -> None:
        if self._run is not None and self._run[1]:
            role = "assistant" if self._run[0] == "assistant" else "user"
            self.messages.append(c.Message(role=role, parts=tuple(self._run[1])))
        self._run = None

    def finish(self) -> tuple[c.Message, ...]:
        self._flush()
        return tuple(self.messages)


# ---------------------------------------------------------------------------------------------
# build_request


def build_request(request: c.Request) -> dict:
    extra = request.extra
    body: dict[str, Any] = {"model": request.model}
    instructions, leading = _build_system(request)
    if instructions is not None:
        body["instructions"] = instructions
    body["input"] = leading + _build_input(request)
    tools = _build_tools(request)
    if tools:
        body["tools"] = tools
    _set(body, "tool_choice", _build_tool_choice(request))
    _set(body, "parallel_tool_calls", _parallel(request))
    _set(body, "max_output_tokens", request.max_tokens)
    _set(body, "temperature", request.temperature)
    _set(body, "top_p", request.top_p)
    _set(body, "reasoning", _build_reasoning(request.reasoning))
    _set(body, "text", _build_text(request))
    _set(body, "stream", True if request.stream else None)
    _set(body, "user", request.user)
    for key, value in extra.items():
        field = key[len("responses.") :]
        if key.startswith("responses.") and "." not in field and field not in _HANDLED:
            body[field] = value
    return body


def _set(body: dict, key: str, value: Any) -> None:
    if value is not None:
        body[key] = value


def _build_system(request: c.Request) -> tuple[str | None, list[dict]]:
    parts = request.system
    if not parts:
        return None, []
    layout = request.extra.get("responses.input.system_layout")
    if not _layout_fits(layout, len(parts)):
        return "\n\n".join(part.text for part in parts), []
    instructions, items, position = None, [], 0
    for source, count, item_id in layout:
        texts = [part.text for part in parts[position : position + count]]
        position += count
        if source == "instructions":
            instructions = "\n\n".join(texts)
            continue
        item = {"type": "message", "role": source}
        item["content"] = [{"type": "input_text", "text": text} for text in texts]
        if item_id:
            item["id"] = item_id
        items.append(item)
    return instructions, items


def _layout_fits(layout: Any, count: int) -> bool:
    if not isinstance(layout, list):
        return False
    valid = all(
        isinstance(entry, list)
        and len(entry) == 3
        and entry[0] in ("instructions", "system", "developer")
        and isinstance(entry[1], int)
        for entry in layout
    )
    return valid and sum(entry[1] for entry in layout) == count


def _build_input(request: c.Request) -> list[dict]:
    ids = request.extra.get("responses.input.item_ids") or {}
    namespaced = request.extra.get("responses.tools.namespaced") or {}
    seen: Counter[str] = Counter()
    items: list[dict] = []
    for message in request.messages:
        content: list[c.Part] = []
        for part in message.parts:
            if isinstance(part, c.TextPart | c.ImagePart | c.DocumentPart):
                content.append(part)
                continue
            items.extend(_message_items(message.role, content, ids, seen))
            content = []
            item = _part_item(part, ids, namespaced)
            if item is not None:
                items.append(item)
        items.extend(_message_items(message.role, content, ids, seen))
    return items


def _message_items(role: str, parts: list[c.Part], ids: dict, seen: Counter) -> list[dict]:
    if not parts:
        return []
    wire_role = {"system": "developer"}.get(role, role)
    content = [p for p in (_wire_part(part, role) for part in parts) if p is not None]
    if not content:
        return []
    key = _message_key(role, parts)
    seen[key] += 1
    item: dict[str, Any] = {"type": "message", "role": wire_role, "content": content}
    if ids.get(f"{key}:{seen[key]}"):
        item["id"] = ids[f"{key}:{seen[key]}"]
    return [item]


def _wire_part(part: c.Part, role: str) -> dict | None:
    if isinstance(part, c.TextPart):
        return {"type": "output_text" if role == "assistant" else "input_text", "text": part.text}
    if role == "assistant":
        log.info("responses: dropping a %s part from an assistant message", part.type)
        return None
    if isinstance(part, c.ImagePart) and (part.data or part.url):
        image: dict[str, Any] = {"type": "input_image", "image_url": part.data_url}
        if part.detail:
            image["detail"] = part.detail
        return image
    if isinstance(part, c.DocumentPart) and part.data:
        media = part.media_type or "application/pdf"
        name = part.name or "document" + (".pdf" if media == "application/pdf" else "")
        return {"type": "input_file", "filename": name, "file_data": _data_url(media, part.data)}
    if isinstance(part, c.DocumentPart) and part.url:
        document = {"type": "input_file", "file_url": part.url}
        return {**document, "filename": part.name} if part.name else document
    return None


def _data_url(media_type: str, data: str) -> str:
    return f"data:{media_type};base64,{data}"


def _part_item(part: c.Part, ids: dict, namespaced: dict) -> dict | None:
    if isinstance(part, c.ToolUsePart):
        namespace, name = split_tool_name(part.name, namespaced)
        item = {"type": "function_call", "call_id": part.id, "name": name}
        item["arguments"] = part.arguments
        if namespace:
            item["namespace"] = namespace
        return _with_id(item, ids.get(f"call:{part.id}"))
    if isinstance(part, c.ToolResultPart):
        item = {"type": "function_call_output", "call_id": part.tool_use_id}
        item["output"] = _tool_output(part)
        return _with_id(item, ids.get(f"output:{part.tool_use_id}"))
    if isinstance(part, c.ThinkingPart) and (part.encrypted or (part.id and not part.signature)):
        item = {"type": "reasoning", "summary": []}
        if part.text:
            item["summary"] = [{"type": "summary_text", "text": part.text}]
        if part.encrypted:
            item["encrypted_content"] = part.encrypted
        return _with_id(item, part.id)
    # thinking signed by another provider (and redacted thinking) means nothing to this one
    log.info("responses: dropping a %s part (a Responses provider cannot take it)", part.type)
    return None


def _with_id(item: dict, item_id: str | None) -> dict:
    return {"id": item_id, **item} if item_id else item


def _tool_output(part: c.ToolResultPart) -> str | list[dict]:
    if not part.content:
        return ""
    if len(part.content) == 1 and isinstance(part.content[0], c.TextPart):
        return part.content[0].text
    return [p for p in (_wire_part(item, "user") for item in part.content) if p is not None]


def _build_tools(request: c.Request) -> list[dict]:
    extra = request.extra
    original = extra.get("responses.tools.original")
    if isinstance(original, list) and extra.get("responses.tools.digest") == _digest(request.tools):
        return original
    namespaced = extra.get("responses.tools.namespaced") or {}
    descriptions = extra.get("responses.tools.namespaces") or {}
    tools: list[dict] = []
    groups: dict[str, dict] = {}
    for tool in request.tools:
        namespace, name = split_tool_name(tool.name, namespaced)
        function = {"type": "function", "name": name}
        if tool.description:
            function["description"] = tool.description
        function["parameters"] = tool.parameters
        if tool.strict is not None:  # unset: strict when the schema allows it
            function["strict"] = tool.strict
        if namespace is None:
            tools.append(function)
            continue
        if namespace not in groups:
            groups[namespace] = {"type": "namespace", "name": namespace, "tools": []}
            groups[namespace]["description"] = descriptions.get(namespace, "")
            tools.append(groups[namespace])
        groups[namespace]["tools"].append(function)
    return tools


def _build_tool_choice(request: c.Request) -> str | dict | None:
    if request.tool_choice is None:
        raw = request.extra.get("responses.tool_choice.raw")
        return raw if isinstance(raw, dict) else None
    namespaced = request.extra.get("responses.tools.namespaced") or {}
    return tool_choice_echo(request.tool_choice, namespaced)


def _parallel(request: c.Request) -> bool | None:
    if request.parallel_tool_calls is not None:
        return request.parallel_tool_calls
    choice = request.tool_choice
    if choice is not None and choice.disable_parallel is not None:
        return not choice.disable_parallel
    return None


def _build_reasoning(reasoning: c.Reasoning | None) -> dict | None:
    if reasoning is None:
        return None
    effort = reasoning.effort
    if effort is None and reasoning.enabled:
        effort = c.effort_for_budget(reasoning.budget_tokens)
    wire = {}
    if effort:
        wire["effort"] = effort
    if reasoning.summary:
        wire["summary"] = reasoning.summary
    return wire or None


def _build_text(request: c.Request) -> dict | None:
    text: dict[str, Any] = {}
    fmt = request.response_format
    if fmt is not None:
        text["format"] = {"type": fmt.kind}
        if fmt.kind == "json_schema":
            text["format"]["name"] = fmt.name or "response"
            text["format"]["schema"] = fmt.schema or {"type": "object"}
            if fmt.strict is not None:
                text["format"]["strict"] = fmt.strict
            description = request.extra.get("responses.text.format.description")
            if isinstance(description, str):
                text["format"]["description"] = description
    for key, value in request.extra.items():
        field = key[len("responses.text.") :]
        if key.startswith("responses.text.") and "." not in field:
            text[field] = value
    return text or None


# ---------------------------------------------------------------------------------------------
# Answers, usage, errors


def parse_response(body: Any) -> c.Response:
    if not isinstance(body, dict):
        raise GatewayError("the provider's answer is not a Responses object", status=502)
    if isinstance(body.get("error"), dict) and body.get("status") != "completed":
        message = str(body["error"].get("message") or "the provider's response failed")
        raise GatewayError(message, status=502, code=str(body["error"].get("code") or "") or None)
    parts = parts_of_output(body.get("output"))
    has_calls = any(isinstance(part, c.ToolUsePart) for part in parts)
    created = body.get("created_at")
    return c.Response(
        id=str(body.get("id") or ""),
        model=str(body.get("model") or ""),
        parts=tuple(parts),
        stop_reason=stop_reason_of(body, has_calls),
        usage=usage_from_wire(body.get("usage")),
        created=created if isinstance(created, int) and not isinstance(created, bool) else None,
    )


def build_response(response: c.Response) -> dict:
    """The Responses answer; a tool name `<namespace>--<name>` is split back into a namespaced
    call (there is no request here to look the namespace up in)."""
    return response_object(
        response_id(response.id),
        response.model,
        response.created or int(time.time()),
        output_items(response.parts),
        response.usage,
        response.stop_reason,
    )


def usage_of(body: Any) -> c.Usage | None:
    if not isinstance(body, dict):
        return None
    if "usage" not in body and isinstance(body.get("response"), dict):
        body = body["response"]
    return usage_from_wire(body.get("usage"))


def error_body(error: GatewayError) -> dict:
    return {
        "error": {
            "message": error.message,
            "type": error.type,
            "code": error.code,
            "param": error.param,
        }
    }


def parse_error(raw: bytes) -> tuple[str, str | None, str | None]:
    """(message, type, code) of a provider's error: an error body, an `error` stream event or a
    failed response; anything else gives its text."""
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        payload = None
    error = payload if isinstance(payload, dict) and payload.get("type") == "error" else None
    if isinstance(payload, dict) and error is None:
        error = payload.get("error")
        response = payload.get("response")
        if error is None and isinstance(response, dict):
            error = response.get("error")
    if isinstance(error, dict):
        code = error.get("code")
        kind = error.get("type") if error.get("type") != "error" else None
        return (
            str(error.get("message") or "no error message"),
            str(kind) if kind else None,
            str(code) if code is not None else None,
        )
    if isinstance(error, str) and error:
        return error, None, None
    text = raw[:500].decode("utf-8", "replace").strip()
    return text or "no error message", None, None
