"""Converse request bodies ⇄ canonical Requests (see the package docstring for the mapping)."""

from __future__ import annotations

from typing import Any

from ...errors import InvalidRequestError
from ..canonical import (
    Message,
    Part,
    Reasoning,
    Request,
    TextPart,
    Tool,
    ToolChoice,
    ToolResultPart,
    budget_for_effort,
)
from ..dropped import log_dropped, note_dropped
from ..signatures import keep_own
from . import NAME
from .blocks import CACHE_POINT, blocks_from_parts, parts_from_blocks

EXTRA = f"{NAME}."
ROLES = ("user", "assistant")
DEFAULT_BUDGET = budget_for_effort("medium") or 8192
THINKING_HEADROOM = 4096  # output tokens left for the answer above a thinking budget
_HANDLED = frozenset({"messages", "system", "inferenceConfig", "toolConfig"})


# ---------------------------------------------------------------------------------------------
# Parsing (wire → canonical): the model and the stream choice are the URL's


def parse_request(body: Any) -> Request:
    if not isinstance(body, dict):
        raise InvalidRequestError("request body must be a JSON object")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidRequestError("'messages' must be a non-empty list", param="messages")
    parsed = tuple(_message(item, index) for index, item in enumerate(messages))
    system = body.get("system", [])
    system_parts = [p for p in parts_from_blocks(system, "system") if isinstance(p, TextPart)]
    inference = body.get("inferenceConfig") or {}
    if not isinstance(inference, dict):
        raise InvalidRequestError("'inferenceConfig' must be an object", param="inferenceConfig")
    tools, choice = _tool_config(body.get("toolConfig"))
    extra = {EXTRA + key: value for key, value in body.items() if key not in _HANDLED}
    return Request(
        model="",
        messages=parsed,
        system=tuple(system_parts),
        tools=tools,
        tool_choice=choice,
        max_tokens=inference.get("maxTokens"),
        temperature=inference.get("temperature"),
        top_p=inference.get("topP"),
        top_k=_extra_fields(body).get("top_k"),
        stop=tuple(inference.get("stopSequences") or ()),
        reasoning=_reasoning(_extra_fields(body).get("thinking")),
        extra=extra,
    )


def _message(item: Any, index: int) -> Message:
    path = f"messages[{index}]"
    if not isinstance(item, dict) or item.get("role") not in ROLES:
        raise InvalidRequestError(f"'{path}.role' must be user or assistant", param=path)
    return Message(item["role"], tuple(parts_from_blocks(item.get("content"), f"{path}.content")))


def _tool_config(config: Any) -> tuple[tuple[Tool, ...], ToolChoice | None]:
    if not isinstance(config, dict):
        return (), None
    tools = []
    for entry in config.get("tools") or []:
        spec = entry.get("toolSpec") if isinstance(entry, dict) else None
        if not isinstance(spec, dict):
            continue
        schema = spec.get("inputSchema")
        parameters = schema.get("json") if isinstance(schema, dict) else None
        tools.append(
            Tool(
                name=str(spec.get("name", "")),
                description=str(spec.get("description", "")),
                parameters=parameters if isinstance(parameters, dict) else {"type": "object"},
            )
        )
    choice = config.get("toolChoice")
    if not isinstance(choice, dict):
        return tuple(tools), None
    if "any" in choice:
        return tuple(tools), ToolChoice("required")
    if isinstance(choice.get("tool"), dict):
        return tuple(tools), ToolChoice("tool", name=choice["tool"].get("name"))
    return tuple(tools), ToolChoice("auto")


def _extra_fields(body: dict) -> dict:
    fields = body.get("additionalModelRequestFields")
    return fields if isinstance(fields, dict) else {}


def _reasoning(thinking: Any) -> Reasoning | None:
    if not isinstance(thinking, dict):
        return None
    if thinking.get("type") == "disabled":
        return Reasoning(enabled=False)
    return Reasoning(budget_tokens=thinking.get("budget_tokens"))


# ---------------------------------------------------------------------------------------------
# Building (canonical → wire): the body only; the caller puts the model in the URL


def build_request(request: Request) -> dict:
    request = keep_own(request, NAME)
    body: dict[str, Any] = {
        key[len(EXTRA) :]: value for key, value in request.extra.items() if key.startswith(EXTRA)
    }
    body["messages"] = _messages(request)
    system = _system(request)
    if system:
        body["system"] = system
    extra_fields = dict(body.get("additionalModelRequestFields") or {})
    inference = _inference(request, extra_fields)
    if inference:
        body["inferenceConfig"] = inference
    if extra_fields:
        body["additionalModelRequestFields"] = extra_fields
    tool_config = _tools(request)
    if tool_config:
        body["toolConfig"] = tool_config
    if request.response_format is not None and request.response_format.kind != "text":
        note_dropped(request, NAME, f"response_format {request.response_format.kind}")
    log_dropped(request, NAME)
    return body


def _system(request: Request) -> list[dict]:
    parts: list[Part] = list(request.system)
    for message in request.messages:
        if message.role == "system":
            parts.extend(p for p in message.parts if isinstance(p, TextPart))
    blocks, _ = blocks_from_parts(parts)
    return blocks


def _messages(request: Request) -> list[dict]:
    """Alternating user and assistant turns: one role's consecutive messages merged, tool
    results first in a user turn, messages left with no block dropped."""
    turns: list[tuple[str, list[Part]]] = []
    for message in request.messages:
        if message.role == "system":
            continue
        if turns and turns[-1][0] == message.role:
            turns[-1][1].extend(message.parts)
        else:
            turns.append((message.role, list(message.parts)))
    out: list[dict] = []
    for role, parts in turns:
        if role == "user":
            parts.sort(key=lambda part: not isinstance(part, ToolResultPart))
        blocks, dropped = blocks_from_parts(parts)
        for what in dropped:
            note_dropped(request, NAME, what)
        if blocks and blocks[0] != CACHE_POINT:
            if out and out[-1]["role"] == role:
                out[-1]["content"].extend(blocks)
            else:
                out.append({"role": role, "content": blocks})
    return out


def _is_anthropic(model: str) -> bool:
    return "anthropic." in model


def _inference(request: Request, extra_fields: dict) -> dict:
    inference: dict[str, Any] = {}
    temperature, top_p, max_tokens = request.temperature, request.top_p, request.max_tokens
    thinking = _thinking(request)
    if thinking is not None:
        extra_fields["thinking"] = thinking
        budget = thinking.get("budget_tokens") or 0
        if max_tokens is None or max_tokens <= budget:
            max_tokens = budget + THINKING_HEADROOM
        temperature = top_p = None  # Anthropic models refuse them with thinking on
    if max_tokens is not None:
        inference["maxTokens"] = max_tokens
    if temperature is not None:
        inference["temperature"] = temperature
    if top_p is not None:
        inference["topP"] = top_p
    if request.stop:
        inference["stopSequences"] = list(request.stop)
    if request.top_k is not None:
        if _is_anthropic(request.model):
            extra_fields["top_k"] = request.top_k
        else:
            note_dropped(request, NAME, "top_k")
    return inference


def _thinking(request: Request) -> dict | None:
    reasoning = request.reasoning
    if reasoning is None or reasoning.is_off:
        return None
    if not _is_anthropic(request.model):
        note_dropped(request, NAME, "reasoning settings", "only Anthropic models take them here")
        return None
    budget = reasoning.budget_tokens or budget_for_effort(reasoning.effort) or DEFAULT_BUDGET
    return {"type": "enabled", "budget_tokens": max(1024, budget)}


def _tools(request: Request) -> dict | None:
    if not request.tools:
        return None
    tools = []
    for tool in request.tools:
        spec: dict[str, Any] = {"name": tool.name, "inputSchema": {"json": tool.parameters}}
        if tool.description:
            spec["description"] = tool.description
        tools.append({"toolSpec": spec})
    config: dict[str, Any] = {"tools": tools}
    choice = request.tool_choice
    if choice is None:
        pass
    elif choice.mode == "auto":
        config["toolChoice"] = {"auto": {}}
    elif choice.mode == "required":
        config["toolChoice"] = {"any": {}}
    elif choice.mode == "tool" and choice.name:
        config["toolChoice"] = {"tool": {"name": choice.name}}
    else:
        note_dropped(request, NAME, 'tool_choice "none"', "Converse has no such choice")
    return config
