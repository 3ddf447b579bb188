"""The strict fake upstream over real HTTP: a body the real API would refuse gets that API's 400
in the format's own shape before any scripted behaviour, and is recorded as usual."""

from __future__ import annotations

import pytest
import requests

from tests.fake_upstream import Behavior
from tests.fakes.probe import answer_text, ask, body_for, endpoint, key_headers, user_turn
from tests.fakes.validation.signatures import issue

# per format: a body the real API refuses, and a piece of the refusal's message
REFUSED = {
    "openai": (
        {"model": "gpt-5", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 9},
        "Use 'max_completion_tokens' instead.",
    ),
    "responses": (
        {"model": "gpt-4o", "input": "hi", "reasoning": {"effort": "high"}},
        "'reasoning.effort' is not supported",
    ),
    "anthropic": (
        {
            "model": "claude-sonnet-4-5",
            "max_tokens": 64,
            "messages": [
                {"role": "user", "content": "weather?"},
                {
                    "role": "assistant",
                    "content": [
                        {"type": "thinking", "thinking": "", "signature": issue("gemini", 1)},
                        {"type": "tool_use", "id": "toolu_1", "name": "w", "input": {}},
                    ],
                },
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1"}]},
            ],
        },
        "Invalid `signature` in `thinking` block",
    ),
    "gemini": (
        {"contents": [{"role": "user", "parts": [{"text": "hi"}]}], "temperature": 0.2},
        'Unknown name "temperature"',
    ),
}


def error_of(fmt: str, body: dict) -> tuple[str, str]:
    """(kind, message) of an error answer in `fmt`'s shape."""
    error = body["error"]
    if fmt == "anthropic":
        assert body["type"] == "error"
        return error["type"], error["message"]
    if fmt == "gemini":
        return error["status"], error["message"]
    return error["type"], error["message"]


@pytest.mark.parametrize("fmt", list(REFUSED))
def test_a_refused_body_gets_the_real_apis_400_before_the_script(upstream, fmt):
    upstream.add(Behavior(text="scripted"), times=1)
    body, says = REFUSED[fmt]
    refused = requests.post(endpoint(upstream, fmt), json=body, headers=key_headers(fmt))
    assert refused.status_code == 400
    kind, message = error_of(fmt, refused.json())
    expected = "INVALID_ARGUMENT" if fmt == "gemini" else "invalid_request_error"
    assert kind == expected and says in message
    assert [r.body for r in upstream.requests] == [body]  # recorded as usual
    assert upstream.strict_refusals == [(fmt, message)]
    # the scripted answer was not spent on the refused request
    assert answer_text(fmt, ask(upstream, fmt).json()) == "scripted"


def test_lenient_mode_lets_a_test_send_what_the_real_api_refuses(upstream):
    body, _ = REFUSED["openai"]
    # lenient on purpose: this test is about the switch itself
    upstream.strict = False
    assert requests.post(endpoint(upstream, "openai"), json=body).status_code == 200
    upstream.reset()
    assert upstream.strict is True
    assert requests.post(endpoint(upstream, "openai"), json=body).status_code == 400


def test_a_signature_the_fake_issued_comes_back_accepted(upstream):
    """A thinking block the fake's Anthropic dialect answered with is valid on the next turn."""
    upstream.add(Behavior(thinking="hmm", tool_calls=[("w", "{}")]))
    first = ask(upstream, "anthropic").json()
    turns = [
        user_turn("anthropic", "hello there"),
        {"role": "assistant", "content": first["content"]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": first["content"][1]["id"]}],
        },
    ]
    body = body_for("anthropic", turns)
    second = requests.post(
        endpoint(upstream, "anthropic"), json=body, headers=key_headers("anthropic")
    )
    assert second.status_code == 200, second.text
    assert upstream.strict_refusals == []
