"""Checked access to the fields of an Anthropic request body.

A field of the wrong type raises InvalidRequestError (a 400) whose `param` names the field by its
path in the body (`messages[2].content[0].source.data`), so a client sees what to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, TypeGuard

from ...errors import InvalidRequestError


def fail(message: str, param: str | None) -> NoReturn:
    raise InvalidRequestError(message, param=param)


def is_str(value: object) -> bool:
    return isinstance(value, str)


def is_dict(value: object) -> bool:
    return isinstance(value, dict)


def is_bool(value: object) -> bool:
    return isinstance(value, bool)


def is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def checked_field(
    obj: dict,
    key: str,
    check: Callable[[object], bool],
    what: str,
    path: str = "",
    required: bool = False,
) -> Any:
    """obj[key] if it passes `check`; None if absent (unless required); else a 400 naming it."""
    value = obj.get(key)
    param = f"{path}.{key}" if path else key
    if value is None:
        if required:
            fail(f"'{param}' is required", param)
        return None
    if not check(value):
        fail(f"'{param}' must be {what}", param)
    return value


def cache_control_of(block: dict, path: str) -> dict | None:
    return checked_field(block, "cache_control", is_dict, "an object", path)
