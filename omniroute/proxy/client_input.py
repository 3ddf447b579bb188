"""What the client API accepts at its edge, checked before anything is sent to a provider.

Every /v1 body is read by `parse_body`, and every model id a client names (in the body, in a
Gemini URL, in a form field) by `check_model_id`; each problem is an InvalidRequestError (400),
which the caller's route renders in its own wire format.

- Not UTF-8 JSON (RFC 8259: no NaN, no Infinity, no number too large for a float), or JSON
  nested deeper than MAX_JSON_DEPTH, is refused: real clients stay near 12 levels (Claude
  Code's and Codex's tool schemas); deeper bodies would overflow the recursive walks of
  translation and re-encoding. The depth is checked level by level, without recursion.
- A lone UTF-16 surrogate (an escaped `\\ud800` with no partner) is refused: it has no UTF-8
  form, so no provider could be sent the request. (Raw bytes cannot carry one: the body must
  be strict UTF-8.) The escapes are found in the raw text, and only in bodies that carry an
  escaped surrogate at all; valid pairs (an emoji from a client escaping non-ASCII) pass.
- Model ids: at most MAX_MODEL_ID_LENGTH characters, no control characters (C0, DEL, C1), no
  surrogates, and nothing that changes a URL they are placed in (`?`, `#`, a `..` segment,
  plainly or percent-encoded). Ids outside Latin-1 (`openai/☃`) are accepted.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ..errors import InvalidRequestError

MAX_JSON_DEPTH = 128
MAX_MODEL_ID_LENGTH = 256
ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
ESCAPED_BACKSLASH = re.compile(rb"\\\\")  # `\\` in JSON text: a backslash, no escape
HIGH = rb"\\u[dD][89abAB][0-9a-fA-F]{2}"
LOW = rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}"
LONE_SURROGATE = re.compile(  # a high one not followed by a low one, or a low one not preceded
    rb"\\u[dD](?:[89abAB][0-9a-fA-F]{2}(?!" + LOW + rb")"
    rb"|[c-fC-F][0-9a-fA-F]{2}(?<!" + HIGH + LOW + rb"))"
)
NOT_IN_MODEL_IDS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff?#]")
DOT_SEGMENTS = frozenset({"..", ".%2e", "%2e.", "%2e%2e"})
CONTAINERS = (dict, list)
BOM = "\ufeff"


def parse_body(raw: bytes) -> Any:
    """The request body as JSON (a 400 when it is not UTF-8 JSON, uses NaN or Infinity, is
    nested too deeply, or holds a lone surrogate)."""
    try:
        body = DECODER.decode(raw.decode("utf-8").removeprefix(BOM))
    except RecursionError:
        raise _too_deep() from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequestError(f"request body is not valid JSON: {exc}") from None
    if isinstance(body, CONTAINERS) and not _within_depth(body, MAX_JSON_DEPTH):
        raise _too_deep()
    if ESCAPED_SURROGATE.search(raw) is not None and _has_lone_surrogate(raw):
        raise InvalidRequestError(
            "request body contains a lone UTF-16 surrogate (an escaped \\ud800-\\udfff without "
            "its pair): such text has no UTF-8 form and cannot be sent to a provider",
            code="invalid_unicode",
        )
    return body


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text[:20]} is too large for a JSON number")
    return value


DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def _too_deep() -> InvalidRequestError:
    return InvalidRequestError(
        f"request body is nested too deeply (more than {MAX_JSON_DEPTH} levels of arrays "
        "and objects)",
        code="json_too_deep",
    )


def _within_depth(value: dict | list, limit: int) -> bool:
    """Whether no array or object in `value` lies more than `limit` levels deep (walked level
    by level, without recursion, stopping at the first level past the limit)."""
    level: list = [value]
    for _ in range(limit):
        below = []
        for node in level:
            for child in node.values() if type(node) is dict else node:
                if type(child) is dict or type(child) is list:
                    below.append(child)
        if not below:
            return True
        level = below
    return False


def _has_lone_surrogate(raw: bytes) -> bool:
    """Whether the JSON text escapes a high surrogate not followed by a low one, or a low one
    not preceded by a high one (what json.loads leaves unpaired). Escaped backslashes are
    masked first, keeping their width, so `\\\\ud800` (a backslash, then text) is no escape."""
    return LONE_SURROGATE.search(ESCAPED_BACKSLASH.sub(b"__", raw)) is not None


def check_model_id(model: str) -> str:
    """`model` when it is an id the gateway can route and place in a URL (see the module
    docstring); a 400 naming the problem (param `model`) otherwise."""
    problem = model_id_problem(model)
    if problem is not None:
        raise InvalidRequestError(f"'model' is not a valid model id: {problem}", param="model")
    return model


def model_id_problem(model: str) -> str | None:
    if len(model) > MAX_MODEL_ID_LENGTH:
        return f"it is {len(model)} characters long; at most {MAX_MODEL_ID_LENGTH} are allowed"
    bad = NOT_IN_MODEL_IDS.search(model)
    if bad is not None:
        char = bad.group()
        if char in "?#":
            return f"it contains {char!r}"
        return f"it contains the character U+{ord(char):04X} at position {bad.start()}"
    if ("." in model or "%" in model) and not DOT_SEGMENTS.isdisjoint(
        part.lower() for part in model.split("/")
    ):
        return "it contains a '..' path segment"
    return None
