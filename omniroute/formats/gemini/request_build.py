"""A canonical Request → a Gemini generateContent body for a provider (build_request).

The body only: the caller puts request.model in the URL and picks the method (with ?alt=sse)
from request.stream. What parse_request kept in `gemini.*` Request.extra keys (see the package
docstring) puts the request back as the client sent it.
"""

from __future__ import annotations

from typing import Any

from ..canonical import Request, ToolUsePart, budget_for_effort
from ..dropped import log_dropped
from ..signatures import current_turn_start, keep_own
from . import NAME
from .parts import build_parts, is_synthetic_id, sign_first_call, signs_calls
from .request_parse import parse_thinking
from .schema import sanitize_schema
from .vocabulary import EXTRA_PREFIX, INTERNAL_EXTRA_KEYS

_MAX_BUDGET = 24576  # the largest thinkingBudget every Gemini 2.5 model accepts
_DYNAMIC_BUDGET = -1  # "think as much as the model sees fit"


def build_request(request: Request) -> dict:
    """The generateContent body for a Gemini provider (the model goes in the URL)."""
    log_dropped(request, NAME)
    request = keep_own(request, NAME)
    extra = request.extra
    send_ids = bool(extra.get(EXTRA_PREFIX + "functionIds"))

    def emit_id(call_id: str) -> bool:
        return send_ids and not is_synthetic_id(call_id)

    names = {
        part.id: part.name
        for message in request.messages
        for part in message.parts
        if isinstance(part, ToolUsePart)
    }
    contents = []
    signed_from = current_turn_start(request.messages) if signs_calls(request) else None
    for index, message in enumerate(request.messages):
        parts = build_parts(message.parts, names, emit_id) if message.role != "system" else []
        if signed_from is not None and index >= signed_from and message.role == "assistant":
            sign_first_call(parts)
        if parts:
            contents.append(
                {"role": "model" if message.role == "assistant" else "user", "parts": parts}
            )
    body: dict[str, Any] = {"contents": contents}
    system = [{"text": p.text} for p in request.system if p.text]
    for message in request.messages:
        if message.role == "system" and message.text:
            system.append({"text": message.text})
    if system:
        body["systemInstruction"] = {"parts": system}
    _put(body, "tools", _build_tools(request))
    _put(body, "toolConfig", extra.get(EXTRA_PREFIX + "toolConfig") or _tool_config(request))
    _put(body, "generationConfig", _build_generation(request))
    for key, value in extra.items():
        name = key[len(EXTRA_PREFIX) :] if key.startswith(EXTRA_PREFIX) else ""
        if name and name not in INTERNAL_EXTRA_KEYS and name not in body:
            body[name] = value
    return body


def _put(body: dict, key: str, value: Any) -> None:
    if value:
        body[key] = value


def _build_tools(request: Request) -> list[dict]:
    json_names = set(request.extra.get(EXTRA_PREFIX + "parametersJsonSchema") or ())
    declarations = []
    for tool in request.tools:
        declaration: dict[str, Any] = {"name": tool.name}
        if tool.description:
            declaration["description"] = tool.description
        if tool.name in json_names:
            declaration["parametersJsonSchema"] = tool.parameters
        else:
            parameters = sanitize_schema(tool.parameters)
            if set(parameters) - {"type"} and parameters != {"type": "object", "properties": {}}:
                declaration["parameters"] = parameters
        declarations.append(declaration)
    tools = [{"functionDeclarations": declarations}] if declarations else []
    return tools + list(request.extra.get(EXTRA_PREFIX + "tools") or ())


def _tool_config(request: Request) -> dict | None:
    choice = request.tool_choice
    if choice is None:
        return None
    config: dict[str, Any] = {
        "mode": {"auto": "AUTO", "none": "NONE", "required": "ANY", "tool": "ANY"}[choice.mode]
    }
    if choice.mode == "tool" and choice.name:
        config["allowedFunctionNames"] = [choice.name]
    return {"functionCallingConfig": config}


def _build_generation(request: Request) -> dict:
    config: dict[str, Any] = dict(request.extra.get(EXTRA_PREFIX + "generationConfig") or {})
    for key, value in (
        ("maxOutputTokens", request.max_tokens),
        ("temperature", request.temperature),
        ("topP", request.top_p),
        ("topK", request.top_k),
    ):
        if value is not None:
            config[key] = value
    if request.stop:
        config["stopSequences"] = list(request.stop)
    fmt = request.response_format
    if fmt is not None and fmt.kind != "text":
        config["responseMimeType"] = "application/json"
        if fmt.kind == "json_schema" and fmt.schema is not None:
            if request.extra.get(EXTRA_PREFIX + "responseJsonSchema"):
                config["responseJsonSchema"] = fmt.schema
            else:
                config["responseSchema"] = sanitize_schema(fmt.schema)
    _put(config, "thinkingConfig", _thinking_config(request))
    return config


def _thinking_config(request: Request) -> dict:
    """thinkingConfig: the Gemini client's own when the reasoning is unchanged (thinkingLevel
    included); otherwise thinkingBudget, which every Gemini thinking model accepts (Gemini 2.5
    rejects thinkingLevel): the explicit budget, else the effort's (canonical.EFFORT_BUDGETS),
    capped at 24,576; -1 (dynamic) with neither; 0 when thinking is off."""
    reasoning = request.reasoning
    original = request.extra.get(EXTRA_PREFIX + "thinkingConfig")
    if reasoning is None:
        return {}
    if isinstance(original, dict) and parse_thinking(original) == reasoning:
        return dict(original)
    if reasoning.is_off:
        return {"thinkingBudget": 0}
    config: dict[str, Any] = {}
    if _wants_thoughts(request):
        config["includeThoughts"] = True
    budget = reasoning.budget_tokens or budget_for_effort(reasoning.effort)
    config["thinkingBudget"] = min(budget, _MAX_BUDGET) if budget else _DYNAMIC_BUDGET
    return config


def _wants_thoughts(request: Request) -> bool:
    """Whether the client asked to see the reasoning: a reasoning summary (Responses, Gemini's
    includeThoughts), or Anthropic thinking that is not `display: "omitted"`."""
    summary = request.reasoning.summary if request.reasoning else None
    if summary:
        return summary != "none"
    thinking = request.extra.get("anthropic.thinking")
    return isinstance(thinking, dict) and thinking.get("display") != "omitted"
