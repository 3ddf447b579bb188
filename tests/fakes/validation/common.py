"""What every format's validator shares: the refusal raised at the first rule a request breaks,
and the JSON type names the providers use in their messages.

A validator walks the body and raises `Invalid(message, param, code)` at the first violation;
`tests.fakes.validation.validate` turns it into the format's own error body (OpenAI and
Responses carry `param` and `code`, Anthropic and Gemini only the message) with status 400.
"""

from __future__ import annotations

from collections.abc import Iterable


class Invalid(Exception):
    """A request the real API refuses: 400 with `message` (and OpenAI's `param` and `code`)."""

    def __init__(self, message: str, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code


def json_type(value: object) -> str:
    """The JSON type of a parsed value: object, array, string, integer, number, boolean, null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def dicts(items: object) -> list[tuple[int, dict]]:
    """(index, item) of the objects in a list (nothing when `items` is not a list)."""
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def quoted_list(values: Iterable[str]) -> str:
    """OpenAI's enumeration: 'a', 'b', and 'c' (two: 'a' and 'b')."""
    names = [f"'{v}'" for v in values]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]
