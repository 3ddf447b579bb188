"""Canonical Request → an OpenAI Responses request body (build_request).

What parse_request kept in `Request.extra` (see the package docstring) puts the request back as the
client sent it: the system parts where they came from (instructions or leading system/developer
messages), the input items' ids, the client's tool list, a tool_choice with no canonical form and
every top-level field not mapped. Parts a Responses provider cannot take (thinking another
provider issued, see formats/signatures.py; redacted thinking; non-text parts of an assistant
message) are dropped with a log line.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any, TypeGuard

from .. import canonical as c
from ..dropped import log_dropped
from ..signatures import keep_own
from . import NAME
from .fields import HANDLED_FIELDS
from .input import message_key
from .output import summary_text_part
from .tools import build_tool_choice, build_tools, split_tool_name

log = logging.getLogger("omniroute.formats.responses")  # the format's one logger


def build_request(request: c.Request) -> dict:
    log_dropped(request, NAME)
    request = keep_own(request, NAME)
    extra = request.extra
    body: dict[str, Any] = {"model": request.model}
    instructions, leading = _build_system(request)
    if instructions is not None:
        body["instructions"] = instructions
    body["input"] = leading + _build_input(request)
    tools = build_tools(request)
    if tools:
        body["tools"] = tools
    _set(body, "tool_choice", build_tool_choice(request))
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
        if key.startswith("responses.") and "." not in field and field not in HANDLED_FIELDS:
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


def _layout_fits(layout: Any, count: int) -> TypeGuard[list[list[Any]]]:
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
    key = message_key(role, parts)
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
        item: dict[str, Any] = {"type": "function_call", "call_id": part.id, "name": name}
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
            item["summary"] = [summary_text_part(part.text)]
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
