"""Chat Completions requests ⇄ canonical Request: peek_request (the envelope the gateway relies
on, checked without a full parse), parse_request and build_request."""

from __future__ import annotations

from typing import Any

from ...errors import InvalidRequestError
from .. import canonical as c
from ..dropped import log_dropped
from ..envelopes import Envelope
from ..signatures import keep_own
from . import NAME
from .parts import (
    assistant_message,
    parse_message_parts,
    parse_tool_choice,
    parse_tools,
    tool_messages,
    user_content,
)


def peek_request(
    body: Any, url_model: str | None = None, url_stream: bool | None = None
) -> Envelope:
    """Check the parts of a Chat Completions body the gateway relies on (400 when wrong).
    The model and the stream choice are always the body's: Chat URLs name neither."""
    if not isinstance(body, dict):
        raise InvalidRequestError("request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise InvalidRequestError("'model' is required and must be a string", param="model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidRequestError(
            "'messages' is required and must be a non-empty array", param="messages"
        )
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise InvalidRequestError(
                f"messages[{index}] must be an object with a 'role'", param=f"messages[{index}]"
            )
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise InvalidRequestError("'stream' must be a boolean", param="stream")
    options = body.get("stream_options")
    if options is not None and not isinstance(options, dict):
        raise InvalidRequestError("'stream_options' must be an object", param="stream_options")
    include_usage = bool(stream and options and options.get("include_usage"))
    return Envelope(body, model.strip(), stream, include_usage)


def parse_request(body: Any) -> c.Request:
    envelope = peek_request(body)
    system, messages = _parse_messages(body["messages"])
    tools = parse_tools(body.get("tools"))
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        raise InvalidRequestError("'max_tokens' must be a positive integer", param="max_tokens")
    stop = body.get("stop")
    stop = (stop,) if isinstance(stop, str) else tuple(s for s in stop or () if isinstance(s, str))
    effort = body.get("reasoning_effort")
    return c.Request(
        model=envelope.model,
        messages=messages,
        system=system,
        tools=tools,
        tool_choice=parse_tool_choice(body.get("tool_choice")),
        max_tokens=max_tokens,
        temperature=_number(body, "temperature"),
        top_p=_number(body, "top_p"),
        stop=stop,
        stream=envelope.stream,
        include_usage=envelope.include_usage,
        reasoning=_parse_reasoning(effort),
        response_format=_parse_response_format(body.get("response_format")),
        parallel_tool_calls=body.get("parallel_tool_calls"),
        user=body.get("user") if isinstance(body.get("user"), str) else None,
    )


def _parse_reasoning(effort: Any) -> c.Reasoning | None:
    """reasoning_effort → Reasoning; "none" means no thinking at all (for every provider)."""
    if not isinstance(effort, str):
        return None
    return c.Reasoning(effort=effort, enabled=effort != "none")


def _parse_messages(raw: list) -> tuple[tuple[c.TextPart, ...], tuple[c.Message, ...]]:
    system: list[c.TextPart] = []
    messages: list[c.Message] = []
    for index, message in enumerate(raw):
        role = message["role"]
        parts = parse_message_parts(message, index)
        if role in ("system", "developer"):
            texts = tuple(p for p in parts if isinstance(p, c.TextPart))
            if messages:
                messages.append(c.Message("system", texts))
            else:
                system.extend(texts)
        elif role == "tool":
            if (
                messages
                and messages[-1].role == "user"
                and all(isinstance(p, c.ToolResultPart) for p in messages[-1].parts)
            ):
                messages[-1] = c.Message("user", messages[-1].parts + parts)
            else:
                messages.append(c.Message("user", parts))
        elif role in ("user", "assistant"):
            messages.append(c.Message(role, parts))
        else:
            raise InvalidRequestError(
                f"messages[{index}].role '{role}' is not a Chat Completions role",
                param=f"messages[{index}].role",
            )
    return tuple(system), tuple(messages)


def _number(body: dict, key: str) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRequestError(f"'{key}' must be a number", param=key)
    return value


def _parse_response_format(value: Any) -> c.ResponseFormat | None:
    if not isinstance(value, dict):
        return None
    kind = value.get("type")
    if kind == "json_schema" and isinstance(value.get("json_schema"), dict):
        spec = value["json_schema"]
        return c.ResponseFormat(
            "json_schema", spec.get("schema"), spec.get("name"), spec.get("strict")
        )
    if kind in ("json_object", "text"):
        return c.ResponseFormat(kind)
    return None


def build_request(request: c.Request) -> dict:
    log_dropped(request, NAME)
    request = keep_own(request, NAME)  # Chat has no signatures: any there was is logged
    messages: list[dict] = []
    if request.system:
        messages.append({"role": "system", "content": request.system_text})
    for message in request.messages:
        if message.role == "system":
            messages.append({"role": "system", "content": message.text})
        elif message.role == "assistant":
            messages.append(assistant_message(message.parts))
        else:
            messages.extend(tool_messages(message.parts))
            rest = [p for p in message.parts if not isinstance(p, c.ToolResultPart)]
            if rest:
                messages.append({"role": "user", "content": user_content(rest)})
    body: dict[str, Any] = {"model": request.model, "messages": messages}
    _add_options(body, request)
    return body


def _add_options(body: dict, request: c.Request) -> None:
    if request.max_tokens is not None:
        key = request.traits.token_field if request.traits is not None else "max_tokens"
        body[key] = request.max_tokens
    for key in ("temperature", "top_p", "parallel_tool_calls", "user"):
        if getattr(request, key) is not None:
            body[key] = getattr(request, key)
    if request.stop:
        body["stop"] = list(request.stop)
    if request.tools:
        body["tools"] = [_tool_json(tool) for tool in request.tools]
        if request.tool_choice is not None:
            body["tool_choice"] = _tool_choice_json(request.tool_choice)
    effort = _effort_out(request.reasoning)
    if effort:
        body["reasoning_effort"] = effort
    if request.response_format is not None and request.response_format.kind != "text":
        body["response_format"] = _response_format_json(request.response_format)
    if request.stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}


def _effort_out(reasoning: c.Reasoning | None) -> str | None:
    if reasoning is None:
        return None
    if reasoning.is_off:
        return "none" if reasoning.effort == "none" else None
    return reasoning.effort or c.effort_for_budget(reasoning.budget_tokens)


def _tool_json(tool: c.Tool) -> dict:
    function: dict[str, Any] = {"name": tool.name, "parameters": tool.parameters}
    if tool.description:
        function["description"] = tool.description
    if tool.strict is not None:
        function["strict"] = tool.strict
    return {"type": "function", "function": function}


def _tool_choice_json(choice: c.ToolChoice) -> Any:
    if choice.mode == "tool" and choice.name:
        return {"type": "function", "function": {"name": choice.name}}
    return choice.mode if choice.mode in ("auto", "none", "required") else "auto"


def _response_format_json(fmt: c.ResponseFormat) -> dict:
    if fmt.kind == "json_schema":
        spec: dict[str, Any] = {"name": fmt.name or "response", "schema": fmt.schema or {}}
        if fmt.strict is not None:
            spec["strict"] = fmt.strict
        return {"type": "json_schema", "json_schema": spec}
    return {"type": "json_object"}
