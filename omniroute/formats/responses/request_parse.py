"""An OpenAI Responses request body → canonical Request (parse_request), validated as it is
read; and the envelope check a passed-through body gets instead (check_envelope)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...errors import InvalidRequestError
from .. import canonical as c
from ..envelopes import turns
from .fields import (
    HANDLED_FIELDS,
    invalid_field,
    number_field,
    optional_str,
    positive_int_field,
    typed_field,
)
from .input import STATEFUL_FIELDS, parse_input
from .tools import parse_tool_choice, parse_tools


def check_envelope(body: dict) -> None:
    """The shape a body passed through untouched must have: `input`, a string or an array of
    objects (it may be left out only when the conversation lives at the provider:
    `previous_response_id`, `conversation`, `prompt`)."""
    value = body.get("input")
    if isinstance(value, str) or (value is None and any(map(body.get, STATEFUL_FIELDS))):
        return
    if isinstance(value, list) and not value:
        return  # an empty input is the provider's to judge
    turns(value, "input", "a string or an array of items")


def parse_request(body: Any) -> c.Request:
    if not isinstance(body, dict):
        raise InvalidRequestError("request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise invalid_field("'model' is required and must be a string", "model")
    extra: dict[str, Any] = {
        f"responses.{key}": value
        for key, value in body.items()
        if key not in HANDLED_FIELDS and "." not in key  # dotted keys are this format's own
    }
    tools = parse_tools(body.get("tools"), extra)
    system, messages = parse_input(body, extra)
    stream = typed_field(body, "stream", bool, "a boolean")
    parallel = typed_field(body, "parallel_tool_calls", bool, "a boolean")
    choice = parse_tool_choice(body.get("tool_choice"), extra)
    if choice is not None and parallel is not None:
        choice = replace(choice, disable_parallel=not parallel)
    return c.Request(
        model=model.strip(),
        messages=messages,
        system=system,
        tools=tools,
        tool_choice=choice,
        max_tokens=positive_int_field(body, "max_output_tokens"),
        temperature=number_field(body, "temperature"),
        top_p=number_field(body, "top_p"),
        stream=bool(stream),
        include_usage=bool(stream),
        reasoning=_parse_reasoning(body.get("reasoning")),
        response_format=_parse_text(body.get("text"), extra),
        parallel_tool_calls=parallel,
        user=typed_field(body, "user", str, "a string"),
        extra=extra,
    )


def _parse_reasoning(raw: Any) -> c.Reasoning | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise invalid_field("'reasoning' must be an object", "reasoning")
    effort = optional_str(raw.get("effort"), "reasoning.effort")
    summary = raw.get("summary", raw.get("generate_summary"))
    summary = optional_str(summary, "reasoning.summary")
    return c.Reasoning(effort=effort, summary=summary, enabled=effort != "none")


def _parse_text(raw: Any, extra: dict) -> c.ResponseFormat | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise invalid_field("'text' must be an object", "text")
    for key, value in raw.items():
        if key != "format":
            extra[f"responses.text.{key}"] = value
    fmt = raw.get("format")
    if fmt is None:
        return None
    kind = fmt.get("type") if isinstance(fmt, dict) else None
    if kind not in ("text", "json_object", "json_schema"):
        raise invalid_field(
            "'text.format.type' must be text, json_object or json_schema", "text.format"
        )
    schema, strict = fmt.get("schema"), fmt.get("strict")
    if schema is not None and not isinstance(schema, dict):
        raise invalid_field("'text.format.schema' must be an object", "text.format.schema")
    if strict is not None and not isinstance(strict, bool):
        raise invalid_field("'text.format.strict' must be a boolean", "text.format.strict")
    if isinstance(fmt.get("description"), str):
        extra["responses.text.format.description"] = fmt["description"]
    name = optional_str(fmt.get("name"), "text.format.name")
    return c.ResponseFormat(kind=kind, schema=schema, name=name, strict=strict)
