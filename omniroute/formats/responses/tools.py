"""OpenAI Responses tools and tool_choice ⇄ canonical tools, with namespace flattening.

Function tools become canonical tools (`strict` left unset stays unset: the API then uses strict
mode when the schema allows). A function tool nested in a `namespace` tool is the canonical tool
`<namespace>--<name>` (NAMESPACE_SEP) when that name can be split back unambiguously, otherwise it
is dropped, as are the other tool types (web_search, file_search, custom, mcp…): other formats
cannot take them, so each is named in `responses.tools.dropped` for the drop log of a body built
for another format (formats/dropped.py); a Responses body gets the client's tools back. A
`function_call` item or a tool_choice with a `namespace` maps to that flat name and back. Names
are split by the request's map (`responses.tools.namespaced`) when there is one; build_response,
which has no request, splits at the first separator after a valid namespace.

build_tools gives the client's tool list back verbatim while the canonical tools are unchanged
(`responses.tools.original` / `responses.tools.digest`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import Any

from .. import canonical as c
from .fields import invalid_field, optional_str

NAMESPACE_SEP = "--"
_NAMESPACE_RE = re.compile(r"^[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*$")
_TOOL_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# ---------------------------------------------------------------------------------------------
# Namespaced names


def valid_namespace(namespace: str) -> bool:
    """Whether `namespace` can prefix a flat tool name and be split off again unambiguously."""
    return bool(_NAMESPACE_RE.match(namespace))


def flat_tool_name(namespace: Any, name: str) -> str:
    """The canonical name of a function tool or call, `<namespace>--<name>` when namespaced."""
    if isinstance(namespace, str) and namespace:
        return f"{namespace}{NAMESPACE_SEP}{name}"
    return name


def split_tool_name(name: str, namespaced: dict | None = None) -> tuple[str | None, str]:
    """(namespace, name) of a canonical tool name: from the request's map when given, else by
    the separator (a namespace never contains it)."""
    if namespaced is not None:
        entry = namespaced.get(name)
        return (entry[0], entry[1]) if entry else (None, name)
    head, sep, tail = name.partition(NAMESPACE_SEP)
    if sep and tail and valid_namespace(head):
        return head, tail
    return None, name


# ---------------------------------------------------------------------------------------------
# Parsing


def parse_tools(raw: Any, extra: dict) -> tuple[c.Tool, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise invalid_field("'tools' must be an array", "tools")
    for index, tool in enumerate(raw):
        if not isinstance(tool, dict) or not isinstance(tool.get("type"), str):
            raise invalid_field(
                f"tools[{index}] must be an object with a 'type'", f"tools[{index}]"
            )
    plain = {t["name"] for t in raw if t["type"] == "function" and isinstance(t.get("name"), str)}
    tools: list[c.Tool] = []
    dropped: list[str] = []  # what other formats cannot take, for their drop log
    namespaced: dict[str, list[str]] = {}
    descriptions: dict[str, str] = {}
    for index, tool in enumerate(raw):
        if tool["type"] == "function":
            tools.append(_function_tool(tool, f"tools[{index}]"))
        elif tool["type"] == "namespace":
            found = _namespace_tools(tool, f"tools[{index}]", plain, namespaced, dropped)
            tools.extend(found)
            if found:
                descriptions[tool["name"]] = str(tool.get("description") or "")
        else:
            dropped.append(f"the Responses {tool['type']!r} tool")
    extra["responses.tools.original"] = raw
    if dropped:
        extra["responses.tools.dropped"] = dropped
    extra["responses.tools.digest"] = _digest(tuple(tools))
    if namespaced:
        extra["responses.tools.namespaced"] = namespaced
        extra["responses.tools.namespaces"] = descriptions
    return tuple(tools)


def _function_tool(tool: dict, where: str) -> c.Tool:
    if not isinstance(tool.get("name"), str) or not tool["name"]:
        raise invalid_field(f"{where}.name is required and must be a string", f"{where}.name")
    parameters = tool.get("parameters")
    if parameters is not None and not isinstance(parameters, dict):
        raise invalid_field(f"{where}.parameters must be an object", f"{where}.parameters")
    strict = tool.get("strict")
    if strict is not None and not isinstance(strict, bool):
        raise invalid_field(f"{where}.strict must be a boolean", f"{where}.strict")
    description = optional_str(tool.get("description"), f"{where}.description")
    return c.Tool(
        name=tool["name"],
        description=description or "",
        parameters=parameters if parameters is not None else {"type": "object", "properties": {}},
        strict=strict,
    )


def _namespace_tools(
    tool: dict, where: str, plain: set, namespaced: dict, dropped: list
) -> list[c.Tool]:
    """The function tools of a namespace, flattened, or none when their names cannot be mapped
    back to the namespace."""
    namespace, members = tool.get("name"), tool.get("tools")
    if not isinstance(namespace, str) or not isinstance(members, list):
        raise invalid_field(f"{where} needs a 'name' and a 'tools' array", where)
    if not valid_namespace(namespace):
        dropped.append(f"the Responses namespace {namespace!r} (its name cannot prefix tool names)")
        return []
    found = []
    for index, member in enumerate(members):
        if not isinstance(member, dict) or member.get("type") != "function":
            dropped.append(f"a non-function tool in the Responses namespace {namespace!r}")
            continue
        tool_obj = _function_tool(member, f"{where}.tools[{index}]")
        flat = flat_tool_name(namespace, tool_obj.name)
        if not _TOOL_NAME_RE.match(flat) or flat in plain or flat in namespaced:
            dropped.append(f"{flat} of the Responses namespace {namespace!r} (no usable flat name)")
            continue
        namespaced[flat] = [namespace, tool_obj.name]
        found.append(replace(tool_obj, name=flat))
    return found


def _digest(value: Any) -> str:
    return hashlib.sha256(repr(value).encode("utf-8", "replace")).hexdigest()


def parse_tool_choice(raw: Any, extra: dict) -> c.ToolChoice | None:
    if raw is None:
        return None
    if raw in ("auto", "none", "required"):
        return c.ToolChoice(mode=raw)
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise invalid_field(
            "'tool_choice' must be auto, none, required or an object", "tool_choice"
        )
    if raw["type"] == "function":
        if not isinstance(raw.get("name"), str) or not raw["name"]:
            raise invalid_field("'tool_choice.name' is required", "tool_choice.name")
        return c.ToolChoice(mode="tool", name=flat_tool_name(raw.get("namespace"), raw["name"]))
    extra.setdefault("responses.tools.dropped", []).append(
        f"the Responses tool_choice of type {raw['type']!r}"
    )
    extra["responses.tool_choice.raw"] = raw
    return None


# ---------------------------------------------------------------------------------------------
# Building


def build_tools(request: c.Request) -> list[dict]:
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
        function: dict[str, Any] = {"type": "function", "name": name}
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


def build_tool_choice(request: c.Request) -> str | dict | None:
    if request.tool_choice is None:
        raw = request.extra.get("responses.tool_choice.raw")
        return raw if isinstance(raw, dict) else None
    namespaced = request.extra.get("responses.tools.namespaced") or {}
    return tool_choice_echo(request.tool_choice, namespaced)


def tool_choice_echo(choice: c.ToolChoice | None, namespaced: dict | None) -> str | dict:
    """The wire tool_choice for a canonical one ("auto" when there is none)."""
    if choice is None or choice.mode != "tool":
        return choice.mode if choice is not None else "auto"
    namespace, name = split_tool_name(choice.name or "", namespaced)
    wire = {"type": "function", "name": name}
    return {**wire, "namespace": namespace} if namespace else wire
