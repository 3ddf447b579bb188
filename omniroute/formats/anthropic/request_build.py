"""A canonical Request → an Anthropic Messages body for a provider.

Folds role "system" messages into the top-level `system`, merges consecutive messages of one
role, always sends `max_tokens`, keeps a thinking budget valid, drops what Anthropic rejects, and
restores the `anthropic.*` Request.extra keys request_parse wrote (see the package docstring,
formats/anthropic/__init__.py, for the rules).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any

from ..canonical import EFFORT_BUDGETS, Part, Reasoning, Request, TextPart, budget_for_effort
from ..dropped import log_dropped
from ..signatures import keep_own
from . import NAME
from .blocks import request_block, text_block, with_cache
from .thinking_turn import fit_thinking_to_turn
from .vocabulary import (
    CHOICE_TO_WIRE,
    EFFORT_FROM_WIRE,
    EFFORT_TO_WIRE,
    EMPTY_SCHEMA,
    INTERNAL_EXTRA_KEYS,
    WIRE_EFFORTS,
)

DEFAULT_MAX_TOKENS = 4096
MIN_THINKING_BUDGET = 1024
DEFAULT_EFFORT = "medium"  # the budget for "think" with no level or budget given
MAX_DERIVED_TOKENS = 32000  # the largest max_tokens every thinking Claude model accepts


@dataclass
class _Positional:
    """anthropic.raw_blocks / block_fields / message_fields, indexed for building."""

    raw: dict[tuple[int, int], list[dict]] = field(default_factory=dict)
    fields: dict[tuple[int, int], tuple[str, dict]] = field(default_factory=dict)
    messages: dict[int, dict] = field(default_factory=dict)

    @classmethod
    def of(cls, request: Request) -> _Positional:
        extra, found = request.extra, cls()
        if extra.get("anthropic.message_count") != len(request.messages):
            return found
        for index, position, block in extra.get("anthropic.raw_blocks") or ():
            found.raw.setdefault((index, position), []).append(block)
        for index, position, kind, fields in extra.get("anthropic.block_fields") or ():
            found.fields[(index, position)] = (kind, fields)
        for index, fields in extra.get("anthropic.message_fields") or ():
            found.messages[index] = fields
        return found


def build_request(request: Request) -> dict:
    """A canonical Request → an Anthropic Messages body for a provider."""
    log_dropped(request, NAME)
    request = fit_thinking_to_turn(keep_own(request, NAME))
    own = {k: copy.deepcopy(v) for k, v in request.extra.items() if k.startswith("anthropic.")}
    request = replace(request, extra=own)  # the body must not share objects with the request
    thinking, max_tokens = _build_thinking(request)
    messages, folded = _build_messages(request)
    body: dict[str, Any] = {"model": request.model, "max_tokens": max_tokens}
    system = _build_system(request.system, folded)
    if system:
        body["system"] = system
    body["messages"] = messages
    tools = _build_tools(request)
    if tools:
        body["tools"] = tools
        choice = _build_tool_choice(request)
        if choice:
            body["tool_choice"] = choice
    metadata = dict(request.extra.get("anthropic.metadata") or {})
    if request.user:
        metadata["user_id"] = request.user
    if metadata:
        body["metadata"] = metadata
    if request.stop:
        body["stop_sequences"] = list(request.stop)
    body.update(_sampling(request, thinking is not None and thinking["type"] != "disabled"))
    if request.stream:
        body["stream"] = True
    if thinking:
        body["thinking"] = thinking
    output_config = _build_output_config(request)
    if output_config:
        body["output_config"] = output_config
    for key, value in request.extra.items():
        name = key[len("anthropic.") :] if key.startswith("anthropic.") else ""
        if name and name not in INTERNAL_EXTRA_KEYS and name not in body:
            body[name] = value
    return body


def _build_messages(request: Request) -> tuple[list[dict], list[dict]]:
    """(alternating wire messages, text blocks of system messages to fold into `system`)."""
    positional = _Positional.of(request)
    out: list[dict] = []
    folded: list[dict] = []
    for index, message in enumerate(request.messages):
        blocks = _build_blocks(message.parts, index, positional)
        if message.role == "system":
            folded.extend(block for block in blocks if block.get("type") == "text")
        elif not blocks:
            continue
        elif out and out[-1]["role"] == message.role:
            out[-1]["content"].extend(blocks)
        else:
            fields = positional.messages.get(index, {})
            out.append({**fields, "role": message.role, "content": blocks})
    return [_finish_message(message) for message in out], folded


def _build_blocks(parts: tuple[Part, ...], index: int, positional: _Positional) -> list[dict]:
    blocks: list[dict] = []
    for position, part in enumerate(parts):
        blocks.extend(positional.raw.get((index, position), ()))
        block = request_block(part)
        if block is None:
            continue
        kind, fields = positional.fields.get((index, position), ("", {}))
        if kind == part.type:
            block.update(fields)
        blocks.append(block)
    blocks.extend(positional.raw.get((index, len(parts)), ()))
    return blocks


def _finish_message(message: dict) -> dict:
    """Tool results first in a user turn; a lone plain text block as string content."""
    content = message["content"]
    if message["role"] == "user":
        content.sort(key=lambda block: block.get("type") != "tool_result")  # stable
    if len(content) == 1 and content[0].keys() == {"type", "text"} and content[0]["type"] == "text":
        message["content"] = content[0]["text"]
    return message


def _build_system(system: tuple[TextPart, ...], folded: list[dict]) -> str | list[dict] | None:
    blocks = [text_block(part) for part in system if part.text] + folded
    if not blocks:
        return None
    if len(blocks) == 1 and blocks[0].keys() == {"type", "text"}:
        return blocks[0]["text"]
    return blocks


def _build_tools(request: Request) -> list[dict]:
    fields = request.extra.get("anthropic.tool_fields") or {}
    tools: list[dict] = []
    for tool in request.tools:
        schema = tool.parameters or dict(EMPTY_SCHEMA)
        wire: dict[str, Any] = {"name": tool.name}
        if tool.description:
            wire["description"] = tool.description
        wire["input_schema"] = schema if "type" in schema else {"type": "object", **schema}
        if tool.strict:
            wire["strict"] = True
        wire = with_cache(wire, tool.cache_control)
        wire.update(fields.get(tool.name, {}))
        tools.append(wire)
    for position, tool in request.extra.get("anthropic.server_tools") or ():
        tools.insert(min(position, len(tools)), tool)
    return tools


def _build_tool_choice(request: Request) -> dict | None:
    choice = request.tool_choice
    disable = choice.disable_parallel if choice else None
    if disable is None and request.parallel_tool_calls is not None:
        disable = not request.parallel_tool_calls
    if choice is None and disable is None:
        return None
    mode = choice.mode if choice else "auto"
    if mode == "tool" and not (choice and choice.name):
        mode = "required"
    wire: dict[str, Any] = {"type": CHOICE_TO_WIRE[mode]}
    if mode == "tool" and choice:
        wire["name"] = choice.name
    if disable is not None and mode != "none":
        wire["disable_parallel_tool_use"] = disable
    return wire


def _build_thinking(request: Request) -> tuple[dict | None, int]:
    """(thinking object or None, max_tokens large enough for its budget).

    Every thinking Claude model accepts {"type": "enabled", "budget_tokens": N}; only some take
    {"type": "adaptive"}, so adaptive is sent only when the client itself sent it. N is the
    explicit budget, else the effort's budget (canonical.EFFORT_BUDGETS), else "medium"'s.
    """
    reasoning, given_max = request.reasoning, request.max_tokens
    original = request.extra.get("anthropic.thinking")
    limit = model_limit(request)
    client_chose_none = "anthropic.thinking" in request.extra and original is None
    if reasoning is None or (client_chose_none and not reasoning.imposed):
        return None, given_max or limit or DEFAULT_MAX_TOKENS
    thinking: dict[str, Any]
    max_tokens = given_max or limit or DEFAULT_MAX_TOKENS
    if reasoning.is_off:
        thinking = {"type": "disabled"}
    elif _is_adaptive(original) and reasoning.budget_tokens is None:
        thinking = {"type": "adaptive"}
    else:
        budget = reasoning.budget_tokens or budget_for_effort(reasoning.effort)
        budget, max_tokens = fit_budget(
            budget or EFFORT_BUDGETS[DEFAULT_EFFORT], given_max or limit, limit
        )
        thinking = {"type": "enabled", "budget_tokens": budget}
    if isinstance(original, dict) and original.get("type") == thinking["type"]:
        thinking = {**original, **thinking}  # keeps e.g. "display"
    return thinking, max_tokens


def _is_adaptive(original: object) -> bool:
    return isinstance(original, dict) and original.get("type") == "adaptive"


def model_limit(request: Request) -> int | None:
    """The target model's output limit, when the capability table knows it."""
    traits = request.traits
    return traits.max_output_tokens if traits is not None and traits.known else None


def fit_budget(budget: int, given_max: int | None, limit: int | None = None) -> tuple[int, int]:
    """(budget_tokens, max_tokens) with 1024 ≤ budget_tokens < max_tokens.

    The client's max_tokens is a ceiling on thinking and answer together (as OpenAI's
    max_completion_tokens is), so the budget is capped to fit it; max_tokens only grows when it
    is below 1025. Without one (and without the model's own `limit`), max_tokens is the budget
    plus DEFAULT_MAX_TOKENS for the answer, at most MAX_DERIVED_TOKENS.
    """
    if given_max is None:
        given_max = min(budget + DEFAULT_MAX_TOKENS, limit or MAX_DERIVED_TOKENS)
    budget = max(MIN_THINKING_BUDGET, min(budget, given_max - 1))
    return budget, max(given_max, budget + 1)


def _sampling(request: Request, thinking_on: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    temperature, top_p = request.temperature, request.top_p
    if temperature is not None and (not thinking_on or temperature == 1):
        out["temperature"] = min(max(temperature, 0.0), 1.0)
    if top_p is not None and (not thinking_on or top_p >= 0.95):
        out["top_p"] = top_p
    if request.top_k is not None and not thinking_on:
        out["top_k"] = request.top_k
    return out


def _build_output_config(request: Request) -> dict:
    original = request.extra.get("anthropic.output_config")
    config = dict(original) if isinstance(original, dict) else {}
    effort = _effort_out(request.reasoning, config.get("effort"))
    config.pop("effort", None)
    if effort:
        config["effort"] = effort
    fmt, given = request.response_format, config.pop("format", None)
    if fmt is not None and fmt.kind == "json_schema" and fmt.schema is not None:
        base = given if isinstance(given, dict) else {}
        config["format"] = {**base, "type": "json_schema", "schema": fmt.schema}
    return config


def _effort_out(reasoning: Reasoning | None, original: object) -> str | None:
    """output_config.effort only for a client that sent one itself (older models reject it)."""
    if reasoning is None or not reasoning.effort or not isinstance(original, str):
        return None
    effort = reasoning.effort
    if EFFORT_FROM_WIRE.get(original, original) == effort:
        return original  # the client's own spelling ("max")
    effort = EFFORT_TO_WIRE.get(effort, effort)
    return effort if effort in WIRE_EFFORTS else None
