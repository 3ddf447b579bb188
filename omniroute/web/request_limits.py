"""What the dashboard and /api accept from a request: JSON that can be used, ids that fit.

- JSON bodies: Python's parser recurses, so a body of ~1,000 nested brackets raises
  RecursionError, and a merely deep one makes any code that walks it recurse as deep. A JSON
  string may also spell a lone surrogate (`"\\ud800"`), which no database or upstream can
  encode. The app's request class refuses both with a 400 the error boundaries render
  (JsonTooDeep, UnencodableJson naming where the string is); the size is bounded by
  MAX_BODY_BYTES (413) like every body.
- `<int:…>` in a route matches the ASCII numbers 0 … MAX_ID only: a larger number is no such
  path (404 for every method), never an OverflowError from the database driver.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

from ..proxy.client_input import MAX_JSON_DEPTH  # one limit for every JSON body the app reads

MAX_ID = 2**63 - 1  # the largest id SQLite and PostgreSQL store


class JsonTooDeep(BadRequest):
    api_code = "json_too_deep"
    description = f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels"


class UnencodableJson(BadRequest):
    api_code = "invalid_string"

    def __init__(self, path: str):
        where = path or "the body"
        super().__init__(f"{where}: a string holds a lone UTF-16 surrogate (not valid Unicode)")
        self.param = path or None


def _is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _child_path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def check_json_value(value: Any, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise JsonTooDeep or UnencodableJson for a parsed body that cannot be used (no
    recursion, so any depth is safe to check)."""
    pending: list[tuple[Any, int, str]] = [(value, 1, "")]
    while pending:
        item, depth, path = pending.pop()
        if isinstance(item, str):
            if not _is_encodable(item):
                raise UnencodableJson(path)
            continue
        if not isinstance(item, (dict, list)):
            continue
        if depth > max_depth:
            raise JsonTooDeep()
        entries = item.items() if isinstance(item, dict) else enumerate(item)
        for key, child in entries:
            if isinstance(key, str) and not _is_encodable(key):
                raise UnencodableJson(path)
            pending.append((child, depth + 1, _child_path(path, key)))


class BoundedJsonRequest(Request):
    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        try:
            body = super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            raise JsonTooDeep() from None
        check_json_value(body)
        return body


def digits_up_to(limit: int) -> str:
    """A regex matching the decimal numbers 0 … `limit` (leading zeros allowed), so a larger
    number matches no route at all (werkzeug would answer a converter's refusal with a 405
    when the same path has a rule for another method)."""
    text = str(limit)
    shorter = [f"[0-9]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    same_length = [
        f"{text[:position]}[0-{int(digit) - 1}][0-9]{{{len(text) - position - 1}}}"
        for position, digit in enumerate(text)
        if digit != "0"
    ]
    return "0*(?:" + "|".join([*shorter, *same_length, text]) + ")"


class DatabaseIdConverter(IntegerConverter):
    regex = digits_up_to(MAX_ID)

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int = MAX_ID,
        signed: bool = False,
    ):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install_request_limits(app: Flask) -> None:
    """Call before any blueprint is registered: routes pick their converters when added."""
    app.request_class = BoundedJsonRequest
    app.url_map.converters["int"] = DatabaseIdConverter
