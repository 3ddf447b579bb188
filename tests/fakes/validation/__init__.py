"""Strict request validation for the fake upstream: each wire format refuses what the real API
refuses, per model family, with the real API's error shape and status.

`check(request)` runs the validator of the request's format and returns the first rule it
breaks as an `Invalid` (None when the real API would accept it); `error_body(dialect,
invalid)` renders it as that format's 400 answer. The server calls both before any scripted
behaviour while `FakeUpstream.strict` is on (the default).

One module per format, each listing the rules it enforces with their sources:
`openai_chat`, `responses` (with `openai_shared`), `anthropic` (with `anthropic_messages`),
`gemini` (with `gemini_contents`); `schemas` checks JSON Schema and Gemini Schema, `families`
names the model families and their limits, `signatures` issues and recognises the thinking
signatures each dialect hands out.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from tests.fakes.recording import Recorded
from tests.fakes.validation import anthropic, gemini, openai_chat, responses
from tests.fakes.validation.common import Invalid

VALIDATORS: dict[str, Callable[[Recorded], None]] = {
    "openai": openai_chat.validate,
    "responses": responses.validate,
    "anthropic": anthropic.validate,
    "gemini": gemini.validate,
}
STATUS = 400


def check(request: Recorded) -> Invalid | None:
    """The first rule `request` breaks for its format, or None when the real API accepts it."""
    validator = VALIDATORS.get(request.route.format)
    if validator is None:
        return None
    try:
        validator(request)
    except Invalid as invalid:
        return invalid
    return None


def error_body(dialect: ModuleType, invalid: Invalid) -> dict:
    """`invalid` in the error shape of `dialect` (a tests.fakes format module)."""
    body = dialect.error(STATUS, invalid.message)
    if dialect.FORMAT in ("openai", "responses"):
        body["error"]["param"] = invalid.param
        body["error"]["code"] = invalid.code
    return body


__all__ = ["STATUS", "Invalid", "check", "error_body"]
