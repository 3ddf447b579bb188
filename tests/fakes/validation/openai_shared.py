"""What OpenAI's two APIs (Chat Completions and Responses) check the same way: number ranges,
parameters a model does not support, structured-output formats and function tools.

SOURCE: OpenAI API reference (Chat Completions, Responses) and the API's messages as reported
verbatim: "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3
instead." (code decimal_above_max_value), "Unsupported parameter: 'top_p' is not supported
with this model." (code unsupported_parameter), "Missing required parameter:
'response_format.json_schema.name'." / "Missing required parameter: 'text.format.name'."
(code missing_required_parameter), "Invalid schema for response_format 'x': …", "Invalid schema
for function 'x': …" (code invalid_function_parameters); names match ^[a-zA-Z0-9_-]{1,64}$.
"""

from __future__ import annotations

import re

from tests.fakes.validation.common import Invalid, is_number, json_type
from tests.fakes.validation.schemas import json_schema_error

NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def check_ranges(body: dict, ranges: tuple) -> None:
    for name, low, high in ranges:
        value = body.get(name)
        if value is None:
            continue
        if not is_number(value):
            raise Invalid(
                f"Invalid type for '{name}': expected a decimal, but got a {json_type(value)} "
                "instead.",
                name,
                "invalid_type",
            )
        if value > high:
            raise Invalid(
                f"Invalid '{name}': decimal above maximum value. Expected a value <= {high}, "
                f"but got {value} instead.",
                name,
                "decimal_above_max_value",
            )
        if value < low:
            raise Invalid(
                f"Invalid '{name}': decimal below minimum value. Expected a value >= {low}, "
                f"but got {value} instead.",
                name,
                "decimal_below_min_value",
            )


def unsupported(name: str) -> Invalid:
    return Invalid(
        f"Unsupported parameter: '{name}' is not supported with this model.",
        name,
        "unsupported_parameter",
    )


def check_named_schema(
    spec: dict, at: str, label: str, param: str, require_schema: bool = False
) -> None:
    """A structured-output format: a valid name and a JSON Schema (Chat and Responses)."""
    name = spec.get("name")
    if name is None:
        raise Invalid(
            f"Missing required parameter: '{at}.name'.", f"{at}.name", "missing_required_parameter"
        )
    if not isinstance(name, str) or not NAME.match(name):
        raise Invalid(
            f"Invalid '{at}.name': string does not match pattern. Expected a string that "
            "matches the pattern '^[a-zA-Z0-9_-]+$'.",
            f"{at}.name",
            "invalid_value",
        )
    schema = spec.get("schema")
    if schema is None and require_schema:
        raise Invalid(
            f"Missing required parameter: '{at}.schema'.",
            f"{at}.schema",
            "missing_required_parameter",
        )
    why = json_schema_error(schema) if schema is not None else None
    if why is not None:
        raise Invalid(f"Invalid schema for {label} '{name}': {why}.", param)


def check_function(function: dict, at: str) -> None:
    """A function tool's name and JSON Schema parameters (Chat and Responses)."""
    name = function.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        raise Invalid(
            f"Invalid '{at}.name': string does not match pattern. Expected a string that "
            "matches the pattern '^[a-zA-Z0-9_-]+$'.",
            f"{at}.name",
            "invalid_value",
        )
    parameters = function.get("parameters")
    why = json_schema_error(parameters) if parameters is not None else None
    if why is not None:
        raise Invalid(
            f"Invalid schema for function '{name}': {why}.",
            f"{at}.parameters",
            "invalid_function_parameters",
        )
