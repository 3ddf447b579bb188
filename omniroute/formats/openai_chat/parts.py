"""Chat Completions message content, finish reasons and usage ⇄ canonical (for the request,
response and stream modules).

Content may be a string or a list of parts (`text`, `image_url`, `file`); assistant messages add
`tool_calls` and, DeepSeek-style, `reasoning_content`; `role:"tool"` messages are tool results.
"""

from __future__ import annotations

import json
from typing import Any

from ...errors import InvalidRequestError
from .. import canonical as c

_DATA_URL_PREFIX = "data:"
FINISH_TO_STOP: dict[str, c.StopReason] = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "refusal",
}
STOP_TO_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
    "pause_turn": "stop",
    "error": "stop",
}


def parse_message_parts(message: dict, index: int) -> tuple[c.Part, ...]:
    role = message.get("role")
    where = f"messages[{index}]"
    if role == "tool":
        return (
            c.ToolResultPart(
                tool_use_id=str(message.get("tool_call_id") or ""),
                content=tuple(
                    p
                    for p in _content_parts(message.get("content"), where)
                    if isinstance(p, c.TextPart | c.ImagePart)
                ),
                name=message.get("name") if isinstance(message.get("name"), str) else None,
            ),
        )
    parts: list[c.Part] = []
    reasoning = message.get("reasoning_content")
    if isinstance(reasoning, str) and reasoning:
        parts.append(c.ThinkingPart(text=reasoning))
    parts.extend(_content_parts(message.get("content"), where))
    calls = message.get("tool_calls")
    if calls is not None:
        if not isinstance(calls, list):
            raise InvalidRequestError(
                f"{where}.tool_calls must be an array", param=f"{where}.tool_calls"
            )
        parts.extend(_tool_call(call, f"{where}.tool_calls[{i}]") for i, call in enumerate(calls))
    return tuple(parts)


def _content_parts(content: Any, where: str) -> list[c.Part]:
    if content is None:
        return []
    if isinstance(content, str):
        return [c.TextPart(content)] if content else []
    if not isinstance(content, list):
        raise InvalidRequestError(
            f"{where}.content must be a string or an array", param=f"{where}.content"
        )
    parts: list[c.Part] = []
    for i, item in enumerate(content):
        if not isinstance(item, dict):
            raise InvalidRequestError(
                f"{where}.content[{i}] must be an object", param=f"{where}.content[{i}]"
            )
        kind = item.get("type")
        if kind in ("text", "input_text", "output_text") and isinstance(item.get("text"), str):
            parts.append(c.TextPart(item["text"], item.get("cache_control")))
        elif kind == "image_url":
            parts.append(_image(item.get("image_url"), f"{where}.content[{i}]"))
        elif kind == "file" and isinstance(item.get("file"), dict):
            parts.append(_document(item["file"]))
        elif kind == "refusal" and isinstance(item.get("refusal"), str):
            parts.append(c.TextPart(item["refusal"]))
    return parts


def _image(value: Any, where: str) -> c.ImagePart:
    url = value.get("url") if isinstance(value, dict) else value
    if not isinstance(url, str) or not url:
        raise InvalidRequestError(f"{where}.image_url.url is required", param=f"{where}.image_url")
    detail = value.get("detail") if isinstance(value, dict) else None
    if url.startswith(_DATA_URL_PREFIX) and ";base64," in url:
        media_type, data = url[len(_DATA_URL_PREFIX) :].split(";base64,", 1)
        return c.ImagePart(media_type=media_type or None, data=data, detail=detail)
    return c.ImagePart(url=url, detail=detail)


def _document(file: dict) -> c.DocumentPart:
    data = file.get("file_data")
    media_type = None
    if isinstance(data, str) and data.startswith(_DATA_URL_PREFIX) and ";base64," in data:
        media_type, data = data[len(_DATA_URL_PREFIX) :].split(";base64,", 1)
    return c.DocumentPart(
        media_type=media_type,
        data=data if isinstance(data, str) else None,
        name=file.get("filename"),
    )


def _tool_call(call: Any, where: str) -> c.ToolUsePart:
    function = call.get("function") if isinstance(call, dict) else None
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        raise InvalidRequestError(f"{where} needs function.name", param=where)
    arguments = function.get("arguments")
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments if arguments is not None else {})
    return c.ToolUsePart(
        id=str(call.get("id") or ""), name=function["name"], arguments=arguments or "{}"
    )


def parse_tools(value: Any) -> tuple[c.Tool, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidRequestError("'tools' must be an array", param="tools")
    tools = []
    for i, tool in enumerate(value):
        function = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise InvalidRequestError(f"tools[{i}] needs function.name", param=f"tools[{i}]")
        parameters = function.get("parameters")
        tools.append(
            c.Tool(
                name=function["name"],
                description=function.get("description") or "",
                parameters=parameters
                if isinstance(parameters, dict)
                else {"type": "object", "properties": {}},
                strict=function.get("strict") if isinstance(function.get("strict"), bool) else None,
            )
        )
    return tuple(tools)


def parse_tool_choice(value: Any) -> c.ToolChoice | None:
    if value in ("auto", "none", "required"):
        return c.ToolChoice(mode=value)
    if isinstance(value, dict):
        name = (value.get("function") or {}).get("name")
        if isinstance(name, str):
            return c.ToolChoice(mode="tool", name=name)
    return None


def assistant_message(parts: tuple[c.Part, ...]) -> dict:
    texts = [p.text for p in parts if isinstance(p, c.TextPart)]
    calls = [p for p in parts if isinstance(p, c.ToolUsePart)]
    thinking = "".join(p.text for p in parts if isinstance(p, c.ThinkingPart))
    message: dict[str, Any] = {"role": "assistant"}
    if len(texts) > 1:  # separate parts, as they came: joining them would run words together
        message["content"] = [{"type": "text", "text": text} for text in texts]
    elif texts or not calls:
        message["content"] = texts[0] if texts else ""
    if calls:
        message["tool_calls"] = [
            {"id": p.id, "type": "function", "function": {"name": p.name, "arguments": p.arguments}}
            for p in calls
        ]
    if thinking:
        message["reasoning_content"] = thinking
    return message


def tool_messages(parts: tuple[c.Part, ...]) -> list[dict]:
    return [
        {
            "role": "tool",
            "tool_call_id": p.tool_use_id,
            "content": user_content(p.content),
        }
        for p in parts
        if isinstance(p, c.ToolResultPart)
    ]


def user_content(parts) -> str | list[dict]:
    """A string when the content is one plain text (or nothing), else a list of Chat content
    parts (several texts stay separate parts)."""
    if len(parts) <= 1 and all(isinstance(p, c.TextPart) and not p.cache_control for p in parts):
        return parts[0].text if parts else ""
    content: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, c.TextPart):
            content.append({"type": "text", "text": part.text})
        elif isinstance(part, c.ImagePart):
            image: dict[str, Any] = {"url": part.data_url}
            if part.detail:
                image["detail"] = part.detail
            content.append({"type": "image_url", "image_url": image})
        elif isinstance(part, c.DocumentPart) and part.data:
            content.append(
                {
                    "type": "file",
                    "file": {
                        "filename": part.name or "document",
                        "file_data": _data_url(part.media_type or "application/pdf", part.data),
                    },
                }
            )
    return content


def usage_of(body: Any) -> c.Usage | None:
    usage = body.get("usage") if isinstance(body, dict) else None
    if not isinstance(usage, dict):
        return None
    prompt_details = usage.get("prompt_tokens_details") or {}
    completion_details = usage.get("completion_tokens_details") or {}
    return c.Usage(
        input_tokens=_int(usage.get("prompt_tokens")),
        output_tokens=_int(usage.get("completion_tokens")),
        cache_read_tokens=_int(
            prompt_details.get("cached_tokens") or usage.get("prompt_cache_hit_tokens")
        ),
        cache_write_tokens=_int(prompt_details.get("cache_write_tokens")),
        reasoning_tokens=_int(completion_details.get("reasoning_tokens")),
    )


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def usage_json(usage: c.Usage) -> dict:
    """OpenAI's usage object; the detail objects are always present, as OpenAI sends them."""
    return {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cache_read_tokens},
        "completion_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
    }


def _data_url(media_type: str, data: str) -> str:
    return f"{_DATA_URL_PREFIX}{media_type};base64,{data}"
