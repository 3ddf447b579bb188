"""The top-level fields of an OpenAI Responses request: which ones the format maps, and checked
access to field values.

A field of the wrong type raises InvalidRequestError (a 400) whose `param` names the field by its
path in the body (`input[2].content[0].image_url`), so a client sees what to fix. A top-level
field not in HANDLED_FIELDS travels in `Request.extra` as `responses.<key>` and build_request
sends it back as is.
"""

from __future__ import annotations

from typing import Any

from ...errors import InvalidRequestError

HANDLED_FIELDS = frozenset(
    {
        "model",
        "input",
        "instructions",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "max_output_tokens",
        "temperature",
        "top_p",
        "reasoning",
        "text",
        "stream",
        "user",
    }
)


def invalid_field(message: str, param: str) -> InvalidRequestError:
    return InvalidRequestError(message, param=param)


def typed_field(body: dict, key: str, kind: type, what: str) -> Any:
    value = body.get(key)
    if value is not None and type(value) is not kind:
        raise invalid_field(f"'{key}' must be {what}", key)
    return value


def number_field(body: dict, key: str) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid_field(f"'{key}' must be a number", key)
    return value


def positive_int_field(body: dict, key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid_field(f"'{key}' must be a positive integer", key)
    return value


def optional_str(value: Any, param: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise invalid_field(f"'{param}' must be a string", param)
    return value
