"""A Gemini request body → canonical Request (parse_request), validated as it is read; and the
envelope check a passed-through body gets instead (check_envelope).

The mapping, the thought-signature and tool-id conventions and the Request.extra keys are
described in the package docstring.
"""

from __future__ import annotations

from typing import Any

from ...errors import InvalidRequestError
from ..canonical import (
    Message,
    Reasoning,
    Request,
    ResponseFormat,
    Role,
    TextPart,
    Tool,
    ToolChoice,
)
from ..envelopes import turns
from ..signatures import received, rejoined
from . import NAME
from .parts import CallIds, parse_part
from .schema import to_json_schema
from .vocabulary import (
    EXTRA_PREFIX,
    INTERNAL_EXTRA_KEYS,
    camel,
    camel_keys,
    field,
    invalid,
    optional_str,
)

_ROLES: dict[str, Role] = {"user": "user", "model": "assistant", "function": "user"}
_SAMPLING = {"maxOutputTokens": int, "temperature": float, "topP": float, "topK": int}
_SCHEMA_FIELDS = ("responseMimeType", "responseSchema", "responseJsonSchema")


def check_envelope(body: dict) -> None:
    """The shape a body passed through untouched must have: `contents`, a non-empty array of
    contents, each with an array of `parts`."""
    contents = turns(body.get("contents"), "contents", "a non-empty array of contents")
    for index, content in enumerate(contents):
        if not isinstance(content.get("parts"), list):
            where = f"contents[{index}].parts"
            raise InvalidRequestError(f"'{where}' must be an array", param=where)


def parse_request(body: dict) -> Request:
    """A Gemini generateContent body → Request (model "", stream False: they are in the URL)."""
    if not isinstance(body, dict):
        raise InvalidRequestError("request body must be a JSON object")
    extra: dict[str, Any] = {
        EXTRA_PREFIX + camel(key): value
        for key, value in body.items()
        if isinstance(key, str) and camel(key) not in INTERNAL_EXTRA_KEYS
    }
    ids = CallIds()
    messages = _parse_contents(field(body, "contents"), ids)
    if ids.saw_ids:
        extra[EXTRA_PREFIX + "functionIds"] = True
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
            received(part, NAME)
            for j, raw in enumerate(raw_parts)
            for part in parse_part(raw, f"{path}.parts[{j}]", ids)
        ]
        parts = rejoined(parts, NAME)  # another format's streamed thinking comes in pieces
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
        extra[EXTRA_PREFIX + "tools"] = others
    if json_names:
        extra[EXTRA_PREFIX + "parametersJsonSchema"] = json_names
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
            # both to JSON Schema: clients send Gemini's upper-case type names in either
            return Tool(name, description, to_json_schema(schema)), key == "parametersJsonSchema"
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
        extra[EXTRA_PREFIX + "toolConfig"] = raw
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
    options["reasoning"] = parse_thinking(config.get("thinkingConfig"))
    if options["reasoning"] is not None:
        extra[EXTRA_PREFIX + "thinkingConfig"] = camel_keys(config["thinkingConfig"])
    used = {*_SAMPLING, "stopSequences", "thinkingConfig"}
    if options["response_format"] is not None:
        used.update(_SCHEMA_FIELDS)
    rest = {k: v for k, v in config.items() if k not in used}
    if rest:
        extra[EXTRA_PREFIX + "generationConfig"] = rest
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
            extra[EXTRA_PREFIX + "responseJsonSchema"] = True
            return ResponseFormat("json_schema", schema=to_json_schema(schema))
        if schema is not None:
            return ResponseFormat("json_schema", schema=to_json_schema(schema))
    return ResponseFormat("json_object")


def parse_thinking(value: Any) -> Reasoning | None:
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
