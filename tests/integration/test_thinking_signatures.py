"""A Gemini client's tool loop with includeThoughts, through the real gateway, to an Anthropic
provider (the strict fake refuses a thinking block Anthropic did not sign, and a tool loop that
does not start with one while thinking is on).

Claude's thinking reaches the Gemini client with its signature wrapped and comes back to
Anthropic exactly as Anthropic issued it; a Gemini client's own signatures (real ones, or the
documented stand-in "skip_thought_signature_validator") never reach Anthropic, and without a
thinking block of Anthropic's the second turn goes with thinking off.
"""

from __future__ import annotations

import json

import pytest
import requests

from omniroute.formats.signatures import unwrap, wrap
from tests.fake_upstream import Behavior
from tests.fakes import probe
from tests.fakes.validation.signatures import issued_by

MODEL = "claude-sonnet-4-5"
ROUTED = f"up-anthropic/{MODEL}"
QUESTION = {"role": "user", "parts": [{"text": "What is the weather in Paris?"}]}
TOOLS = [
    {
        "functionDeclarations": [
            {
                "name": "get_weather",
                "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}},
            }
        ]
    }
]
CONFIG = {"thinkingConfig": {"includeThoughts": True}}


@pytest.fixture
def claude(gateway, upstream):
    """A gateway with an Anthropic provider node served by the fake upstream."""
    gateway.add_node("up-anthropic", upstream.url, "anthropic", "sk-node-anthropic")
    return gateway


def ask(gateway, contents: list, stream: bool = False) -> requests.Response:
    action = "streamGenerateContent?alt=sse" if stream else "generateContent"
    body = {"contents": contents, "tools": TOOLS, "generationConfig": CONFIG}
    url = f"{gateway.url}/v1beta/models/{ROUTED}:{action}"
    return requests.post(url, json=body, stream=stream, timeout=30)


def first_turn(gateway, upstream, stream: bool = False) -> list[dict]:
    """The model's parts of turn one: Claude thinks, then calls get_weather."""
    upstream.add(
        Behavior(
            thinking="Paris needs a lookup.", tool_calls=[("get_weather", '{"city": "Paris"}')]
        ),
        times=1,
    )
    response = ask(gateway, [QUESTION], stream)
    assert response.status_code == 200, response.text
    if not stream:
        return response.json()["candidates"][0]["content"]["parts"]
    events = probe.sse_events(response)
    return [part for _, chunk in events for part in chunk["candidates"][0]["content"]["parts"]]


def answer_of(parts: list[dict]) -> dict:
    """The tool's answer to the call among `parts`, as a Gemini client sends it."""
    call = next(part["functionCall"] for part in parts if "functionCall" in part)
    response = {"name": call["name"], "response": {"output": "sunny and 21C"}}
    if "id" in call:
        response["id"] = call["id"]
    return {"role": "user", "parts": [{"functionResponse": response}]}


def sent_to_claude(upstream) -> dict:
    return upstream.requests_for("anthropic")[-1].body


@pytest.mark.parametrize("stream", [False, True], ids=["answer", "stream"])
def test_claude_thinking_makes_the_round_trip_through_a_gemini_client(claude, upstream, stream):
    parts = first_turn(claude, upstream, stream)
    signed = [part["thoughtSignature"] for part in parts if part.get("thoughtSignature")]
    assert len(signed) == 1
    issuer, signature = unwrap(signed[0], "gemini")
    assert issuer == "anthropic" and issued_by("anthropic", signature)
    assert not issued_by("anthropic", signed[0])  # the client sees it wrapped

    second = ask(claude, [QUESTION, {"role": "model", "parts": parts}, answer_of(parts)])
    assert second.status_code == 200, second.text
    assert "sunny and 21C" in second.json()["candidates"][0]["content"]["parts"][0]["text"]
    sent = sent_to_claude(upstream)
    assert sent["thinking"]["type"] == "enabled"
    thinking = sent["messages"][1]["content"][0]
    assert thinking == {
        "type": "thinking",
        "thinking": "Paris needs a lookup.",
        "signature": signature,
    }
    assert upstream.strict_refusals == []


def test_gemini_signatures_never_reach_claude_and_thinking_goes_off(claude, upstream):
    """Gemini CLI's way: no thought parts sent back, the stand-in signature on the call."""
    parts = first_turn(claude, upstream)
    calls = [
        {**part, "thoughtSignature": "skip_thought_signature_validator"}
        for part in parts
        if "functionCall" in part
    ]
    thought = {"text": "earlier", "thought": True, "thoughtSignature": "CiQB0e2Kb7gemini=="}
    model_turn = {"role": "model", "parts": [thought, *calls]}
    second = ask(claude, [QUESTION, model_turn, answer_of(parts)])
    assert second.status_code == 200, second.text
    sent = sent_to_claude(upstream)
    assert "thinking" not in sent
    text = json.dumps(sent)
    assert "skip_thought_signature_validator" not in text and "CiQB0e2Kb7gemini==" not in text
    kinds = [block["type"] for block in sent["messages"][1]["content"]]
    assert kinds == ["tool_use"]
    assert upstream.strict_refusals == []


def test_a_body_giving_back_another_formats_signature_is_not_passed_through(claude, upstream):
    """An Anthropic client whose earlier turn a Gemini provider answered (a combo) holds a wrapped
    Gemini signature: even to an Anthropic provider the body is translated, so Claude never sees
    it (passed through, the strict fake would refuse the request)."""
    foreign = wrap("gemini", "R2VtaW5pU2lnbmF0dXJl")
    body = {
        "model": ROUTED,
        "max_tokens": 2000,
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "messages": [
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "look it up", "signature": foreign},
                    {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}},
                ],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "sun"}],
            },
        ],
    }
    response = requests.post(claude.url + "/v1/messages", json=body, timeout=30)
    assert response.status_code == 200, response.text
    sent = upstream.requests_for("anthropic")[-1].body
    assert foreign not in json.dumps(sent)
    assert "thinking" not in sent  # no block of Claude's own: thinking off for this turn
    assert response.json()["content"][-1]["text"] == "tool said: sun"
