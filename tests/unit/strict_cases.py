"""Cases for the strict fake's validators (tests/unit/test_strict_fakes_*.py): a request that
the real API accepts and one that it refuses, and what the refusal says.

`Case(fmt, good, bad, says, …)` runs the validator of `fmt` directly on a `Recorded` request
(no socket): `good` must pass, `bad` must be refused with a message containing `says` (and, for
the OpenAI formats, the given `param` / `code`). `cases_test(cases)` turns a list of them into
the two parametrized tests a module exposes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import pytest

from tests.fakes import anthropic, gemini, openai_chat, responses
from tests.fakes.recording import Recorded
from tests.fakes.validation import STATUS, check, error_body

PATHS = {
    "openai": "/v1/chat/completions",
    "responses": "/v1/responses",
    "anthropic": "/v1/messages",
    "count_tokens": "/v1/messages/count_tokens",
}
DIALECTS = {d.FORMAT: d for d in (openai_chat, responses, anthropic, gemini)}
_UNSET = object()


@dataclass
class Case:
    fmt: str  # "openai", "responses", "anthropic", "count_tokens" or "gemini"
    good: dict
    bad: dict
    says: str
    model: str = "gemini-2.5-flash"  # Gemini: the model in the URL
    param: object = _UNSET
    code: object = _UNSET
    headers: dict = field(default_factory=dict)


def request(fmt: str, body: object, model: str = "gemini-2.5-flash", headers=None) -> Recorded:
    path = PATHS.get(fmt) or f"/v1beta/models/{model}:generateContent"
    return Recorded("POST", path, {k.lower(): v for k, v in (headers or {}).items()}, body)


def with_(base: dict, **changes) -> dict:
    """A deep copy of `base` with `changes` set (a value of None removes the key)."""
    body = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def cases_test(cases: dict[str, Case]):
    """The module's two tests: each good body accepted, each bad one refused as the API does."""
    ids = list(cases)

    @pytest.mark.parametrize("name", ids)
    def test_the_real_api_accepts_it(name):
        case = cases[name]
        invalid = check(request(case.fmt, case.good, case.model, case.headers))
        assert invalid is None, invalid.message

    @pytest.mark.parametrize("name", ids)
    def test_the_real_api_refuses_it(name):
        case = cases[name]
        invalid = check(request(case.fmt, case.bad, case.model, case.headers))
        assert invalid is not None
        assert case.says in invalid.message, invalid.message
        fmt = "anthropic" if case.fmt == "count_tokens" else case.fmt
        body = error_body(DIALECTS[fmt], invalid)
        assert STATUS == 400
        if fmt in ("openai", "responses"):
            error = body["error"]
            assert (error["message"], error["type"]) == (invalid.message, "invalid_request_error")
            if case.param is not _UNSET:
                assert error["param"] == case.param
            if case.code is not _UNSET:
                assert error["code"] == case.code
        elif fmt == "anthropic":
            assert body["type"] == "error"
            assert body["error"] == {"type": "invalid_request_error", "message": invalid.message}
        else:
            assert body["error"]["code"] == 400
            assert body["error"]["status"] == "INVALID_ARGUMENT"

    return test_the_real_api_accepts_it, test_the_real_api_refuses_it
