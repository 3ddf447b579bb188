"""Gemini requests ⇄ canonical Request: parse_request and build_request of the gemini format.

The mapping, the thought-signature and tool-id conventions and the Request.extra keys are
described in the `gemini` module docstring.
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidRequestError
from .canonical import (
    Message,
    Reasoning,
    Request,
    ResponseFormat,
    Role,
    TextPart,
    Tool,
    ToolChoice,
    ToolUsePart,
    budget_for_effort,
)
from .dropped import log_dropped
from .gemini_schema import sanitize_schema, to_json_schema
from .gemini_wire import (
    CallIds,
    build_parts,
    camel,
    camel_keys,
    field,
    invalid,
    is_synthetic_id,
    optional_str,
    parse_part,
)

_PREFIX = "gemini."
_ROLES: dict[str, Role] = {"user": "user", "model": "assistant", "function": "user"}
_MAPPED = frozenset({"contents", "systemInstruction", "tools", "toolConfig", "generationConfig"})
_INTERNAL = frozenset(
    {
        *_MAPPED,
        "model",
        "functionIds",
        "parametersJsonSchema",
        "responseJsonSchema",
        "thinkingConfig",
    }
)
_SAMPLING = {"maxOutputTokens": int, "temperature": float, "topP": float, "topK": int}
_SCHEMA_FIELDS = ("responseMimeType", "responseSchema", "responseJsonSchema")
_MAX_BUDGET = 24576  # the largest thinkingBudget every Gemini 2.5 model accepts
_DYNAMIC_BUDGET = -1  # "think as much as the model sees fit"


# ---------------------------------------------------------------------------------------------
# Requests: wire → canonical


def parse_request(body: dict) -> Request:
    """A Gemini generateContent body → Request (model "", stream False: they are in the URL)."""
    if not isinstance(body, dict):
        raise InvalidRequestError("request body must be a JSON object")
    extra: dict[str, Any] = {
        _PREFIX + camel(key): value
        for key, value in body.items()
        if isinstance(key, str) and camel(key) not in _INTERNAL
    }
    ids = CallIds()
    messages = _parse_contents(field(body, "contents"), ids)
    if ids.saw_ids:
        extra[_PREFIX + "functionIds"] = True
    return Request(
        model="",
        messages=messages,
        system=_parse_system(field(body, "systemInstruction")),
        tools=_parse_tools(field(body, "tools"), extra),
        tool_choice=_parse_tool_config(field(body, "toolConfig"), extra),
        extra=extra,
        **_parse_generation(field(body, "generationConfig"), extra),
    )


def _parse_contents(contents: Any, ids: CallIds) -> tuple[Message, ...]:
    if not isinstance(contents, list) or not contents:
        raise invalid("'contents' is required and must be a non-empty array", "contents")
    messages = []
    for i, content in enumerate(contents):
        path = f"contents[{i}]"
        if not isinstance(content, dict):
            raise invalid(f"'{path}' must be an object", path)
        role = field(content, "role") or "user"
        if not isinstance(role, str) or role not in _ROLES:
            raise invalid(f'\'{path}.role\' must be "user" or "model"', f"{path}.role")
        raw_parts = field(content, "parts")
        if not isinstance(raw_parts, list):
            raise invalid(f"'{path}.parts' must be an array", f"{path}.parts")
        parts = [
            part
            for j, raw in enumerate(raw_parts)
            for part in parse_part(raw, f"{path}.parts[{j}]", ids)
        ]
        messages.append(Message(role=_ROLES[role], parts=tuple(parts)))
    return tuple(messages)


def _parse_system(value: Any) -> tuple[TextPart, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (TextPart(value),) if value else ()
    parts = field(value, "parts") if isinstance(value, dict) else None
    if not isinstance(parts, list):
        raise invalid("'systemInstruction.parts' must be an array", "systemInstruction.parts")
    texts = []
    for j, part in enumerate(parts):
        text = field(part, "text")
        if not isinstance(text, str):
            path = f"systemInstruction.parts[{j}].text"
            raise invalid(f"'{path}' must be a string", path)
        if text:
            texts.append(TextPart(text))
    return tuple(texts)


def _parse_tools(value: Any, extra: dict[str, Any]) -> tuple[Tool, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise invalid("'tools' must be an array", "tools")
    tools, others, json_names = [], [], []
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise invalid(f"'tools[{i}]' must be an object", f"tools[{i}]")
        rest = {k: v for k, v in camel_keys(entry).items() if k != "functionDeclarations"}
        if rest:
            others.append(rest)
        declarations = field(entry, "functionDeclarations")
        if declarations is None:
            continue
        path = f"tools[{i}].functionDeclarations"
        if not isinstance(declarations, list):
            raise invalid(f"'{path}' must be an array", path)
        for j, declaration in enumerate(declarations):
            tool, from_json_schema = _parse_declaration(declaration, f"{path}[{j}]")
            tools.append(tool)
            if from_json_schema:
                json_names.append(tool.name)
    if others:
        extra[_PREFIX + "tools"] = others
    if json_names:
        extra[_PREFIX + "parametersJsonSchema"] = json_names
    return tuple(tools)


def _parse_declaration(declaration: Any, path: str) -> tuple[Tool, bool]:
    if not isinstance(declaration, dict):
        raise invalid(f"'{path}' must be an object", path)
    name = optional_str(declaration, "name", path)
    if not name:
        raise invalid(f"'{path}.name' is required", f"{path}.name")
    description = optional_str(declaration, "description", path) or ""
    for key in ("parametersJsonSchema", "parameters"):
        schema = field(declaration, key)
        if schema is not None and not isinstance(schema, dict):
            raise invalid(f"'{path}.{key}' must be an object", f"{path}.{key}")
        if schema is not None:
            parameters = schema if key == "parametersJsonSchema" else to_json_schema(schema)
            return Tool(name, description, parameters), key == "parametersJsonSchema"
    return Tool(name, description), False


def _parse_tool_config(value: Any, extra: dict[str, Any]) -> ToolChoice | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid("'toolConfig' must be an object", "toolConfig")
    raw = camel_keys(value)
    config = raw.get("functionCallingConfig")
    if config is not None and not isinstance(config, dict):
        path = "toolConfig.functionCallingConfig"
        raise invalid(f"'{path}' must be an object", path)
    config = camel_keys(config or {})
    if "functionCallingConfig" in raw:
        raw["functionCallingConfig"] = config
    choice, exact = _tool_choice(config)
    if not exact or set(raw) - {"functionCallingConfig"}:
        extra[_PREFIX + "toolConfig"] = raw
    return choice


def _tool_choice(config: dict) -> tuple[ToolChoice | None, bool]:
    """(ToolChoice, whether it says all the config says) for a functionCallingConfig."""
    path = "toolConfig.functionCallingConfig"
    mode = config.get("mode", "AUTO")
    names = config.get("allowedFunctionNames") or []
    if not isinstance(mode, str):
        raise invalid(f"'{path}.mode' must be a string", f"{path}.mode")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        path += ".allowedFunctionNames"
        raise invalid(f"'{path}' must be an array of strings", path)
    exact = set(config) <= {"mode", "allowedFunctionNames"}
    mode = mode.upper()
    if mode == "ANY":
        if len(names) == 1:
            return ToolChoice("tool", name=names[0]), exact
        return ToolChoice("required"), exact and not names
    if mode in ("AUTO", "NONE"):
        return ToolChoice("auto" if mode == "AUTO" else "none"), exact and not names
    if mode in ("VALIDATED", "MODE_UNSPECIFIED"):
        return ToolChoice("auto"), False
    raise invalid(f"'{path}.mode' must be AUTO, ANY, NONE or VALIDATED", f"{path}.mode")


def _parse_generation(value: Any, extra: dict[str, Any]) -> dict[str, Any]:
    """Request keyword arguments from generationConfig; the rest goes to extra."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid("'generationConfig' must be an object", "generationConfig")
    config = camel_keys(value)
    options: dict[str, Any] = {}
    for name, kind in _SAMPLING.items():
        options[name] = _number(config.get(name), kind, f"generationConfig.{name}")
    stop = config.get("stopSequences")
    if stop is not None:
        if not isinstance(stop, list) or not all(isinstance(s, str) for s in stop):
            path = "generationConfig.stopSequences"
            raise invalid(f"'{path}' must be an array of strings", path)
        options["stop"] = tuple(stop)
    options["response_format"] = _parse_response_format(config, extra)
    options["reasoning"] = _parse_thinking(config.get("thinkingConfig"))
    if options["reasoning"] is not None:
        extra[_PREFIX + "thinkingConfig"] = camel_keys(config["thinkingConfig"])
    used = {*_SAMPLING, "stopSequences", "thinkingConfig"}
    if options["response_format"] is not None:
        used.update(_SCHEMA_FIELDS)
    rest = {k: v for k, v in config.items() if k not in used}
    if rest:
        extra[_PREFIX + "generationConfig"] = rest
    renames = {"maxOutputTokens": "max_tokens", "topP": "top_p", "topK": "top_k"}
    return {renames.get(k, k): v for k, v in options.items() if v is not None}


def _number(value: Any, kind: type, path: str) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(f"'{path}' must be a number", path)
    if kind is int:
        if value != int(value):
            raise invalid(f"'{path}' must be an integer", path)
        return int(value)
    return float(value)


def _parse_response_format(config: dict, extra: dict[str, Any]) -> ResponseFormat | None:
    mime = config.get("responseMimeType")
    if mime is not None and not isinstance(mime, str):
        path = "generationConfig.responseMimeType"
        raise invalid(f"'{path}' must be a string", path)
    if mime != "application/json":
        return None
    for key in ("responseJsonSchema", "responseSchema"):
        schema = config.get(key)
        if schema is not None and not isinstance(schema, dict):
            raise invalid(f"'generationConfig.{key}' must be an object", f"generationConfig.{key}")
        if schema is not None and key == "responseJsonSchema":
            extra[_PREFIX + "responseJsonSchema"] = True
            return ResponseFormat("json_schema", schema=schema)
        if schema is not None:
            return ResponseFormat("json_schema", schema=to_json_schema(schema))
    return ResponseFormat("json_object")


def _parse_thinking(value: Any) -> Reasoning | None:
    path = "generationConfig.thinkingConfig"
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid(f"'{path}' must be an object", path)
    budget = _number(field(value, "thinkingBudget"), int, f"{path}.thinkingBudget")
    level = optional_str(value, "thinkingLevel", path)
    include = field(value, "includeThoughts")
    if include is not None and not isinstance(include, bool):
        raise invalid(f"'{path}.includeThoughts' must be a boolean", f"{path}.includeThoughts")
    return Reasoning(
        effort=level.lower() if level else None,
        budget_tokens=int(budget) if budget and budget > 0 else None,
        enabled=budget != 0,
        summary="auto" if include else None,
    )


# ---------------------------------------------------------------------------------------------
# Requests: canonical → wire


def build_request(request: Request) -> dict:
    """The generateContent body for a Gemini provider (the model goes in the URL)."""
    log_dropped(request, "gemini")
    extra = request.extra
    send_ids = bool(extra.get(_PREFIX + "functionIds"))

    def emit_id(call_id: str) -> bool:
        return send_ids and not is_synthetic_id(call_id)

    names = {
        part.id: part.name
        for message in request.messages
        for part in message.parts
        if isinstance(part, ToolUsePart)
    }
    contents = []
    for message in request.messages:
        parts = build_parts(message.parts, names, emit_id) if message.role != "system" else []
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
    _put(body, "toolConfig", extra.get(_PREFIX + "toolConfig") or _tool_config(request))
    _put(body, "generationConfig", _build_generation(request))
    for key, value in extra.items():
        name = key[len(_PREFIX) :] if key.startswith(_PREFIX) else ""
        if name and name not in _INTERNAL and name not in body:
            body[name] = value
    return body


def _put(body: dict, key: str, value: Any) -> None:
    if value:
        body[key] = value


def _build_tools(request: Request) -> list[dict]:
    json_names = set(request.extra.get(_PREFIX + "parametersJsonSchema") or ())
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
    return tools + list(request.extra.get(_PREFIX + "tools") or ())


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
    config: dict[str, Any] = dict(request.extra.get(_PREFIX + "generationConfig") or {})
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
            if request.extra.get(_PREFIX + "responseJsonSchema"):
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
    original = request.extra.get(_PREFIX + "thinkingConfig")
    if reasoning is None:
        return {}
    if isinstance(original, dict) and _parse_thinking(original) == reasoning:
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
