"""Request translation: reasoning effort ⇄ thinking budgets, "none", features a provider cannot
take (dropped with a log line), whitespace text for Anthropic and Gemini multi-type schemas."""

from __future__ import annotations

import logging

import pytest

from omniroute.formats import canonical as c
from omniroute.formats.anthropic.wire import WIRE as anthropic_messages
from omniroute.formats.gemini.schema import sanitize_schema
from omniroute.formats.gemini.wire import WIRE as gemini
from omniroute.formats.openai_chat.wire import WIRE as openai_chat
from omniroute.formats.responses.wire import WIRE as openai_responses

TARGETS = {
    "openai": openai_chat,
    "anthropic": anthropic_messages,
    "responses": openai_responses,
    "gemini": gemini,
}


def _chat(**fields) -> c.Request:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], **fields}
    return openai_chat.parse_request(body)


def _thinking_of(target: str, body: dict):
    if target == "anthropic":
        return body.get("thinking")
    if target == "gemini":
        return body.get("generationConfig", {}).get("thinkingConfig")
    if target == "responses":
        return body.get("reasoning")
    return body.get("reasoning_effort")


@pytest.mark.parametrize("target", TARGETS)
def test_reasoning_effort_none_means_no_thinking_for_every_target(target: str) -> None:
    request = _chat(reasoning_effort="none")
    assert request.reasoning is not None and request.reasoning.is_off
    body = TARGETS[target].build_request(request)
    expected = {
        "openai": "none",
        "anthropic": {"type": "disabled"},
        "responses": {"effort": "none"},
        "gemini": {"thinkingBudget": 0},
    }[target]
    assert _thinking_of(target, body) == expected
    if target == "anthropic":
        assert "output_config" not in body


@pytest.mark.parametrize(
    ("effort", "budget"),
    [("minimal", 1024), ("low", 2048), ("medium", 8192), ("high", 24576), ("xhigh", 32768)],
)
def test_chat_effort_becomes_the_readme_budget(effort: str, budget: int) -> None:
    request = _chat(reasoning_effort=effort, max_tokens=40000)
    anthropic = anthropic_messages.build_request(request)
    assert anthropic["thinking"] == {"type": "enabled", "budget_tokens": budget}
    assert anthropic["max_tokens"] == 40000 and "output_config" not in anthropic
    config = gemini.build_request(request)["generationConfig"]
    assert config["thinkingConfig"] == {"thinkingBudget": min(budget, 24576)}
    assert "thinkingLevel" not in config["thinkingConfig"]


def test_responses_effort_without_max_tokens_gets_room_for_the_answer() -> None:
    body = {"model": "m", "input": "hi", "reasoning": {"effort": "high", "summary": "auto"}}
    request = openai_responses.parse_request(body)
    anthropic = anthropic_messages.build_request(request)
    assert anthropic["thinking"] == {"type": "enabled", "budget_tokens": 24576}
    assert anthropic["max_tokens"] == 24576 + 4096
    config = gemini.build_request(request)["generationConfig"]["thinkingConfig"]
    assert config == {"includeThoughts": True, "thinkingBudget": 24576}


def test_anthropic_thinking_shown_to_a_gemini_provider() -> None:
    shown = {"type": "enabled", "budget_tokens": 3000}
    for thinking, include in ((shown, True), ({**shown, "display": "omitted"}, False)):
        body = {"model": "m", "max_tokens": 9000, "messages": [], "thinking": thinking}
        config = gemini.build_request(anthropic_messages.parse_request(body))
        expected = {"thinkingBudget": 3000, **({"includeThoughts": True} if include else {})}
        assert config["generationConfig"]["thinkingConfig"] == expected


# ---------------------------------------------------------------------------------------------
# Dropped with a log line


WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}


@pytest.mark.parametrize("target", ["openai", "responses", "gemini"])
def test_anthropic_server_tools_are_dropped_with_a_log_line(target, caplog) -> None:
    body = {
        "model": "m",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": "hi"}],
        "tools": [WEB_SEARCH, {"name": "f", "input_schema": {"type": "object"}}],
    }
    request = anthropic_messages.parse_request(body)
    with caplog.at_level(logging.INFO, logger="omniroute.formats"):
        built = TARGETS[target].build_request(request)
    assert "web_search_20250305" not in str(built)
    assert "'web_search_20250305'" in caplog.text and "dropping" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="omniroute.formats"):
        same = anthropic_messages.build_request(request)
    assert same["tools"][0] == WEB_SEARCH and "dropping" not in caplog.text


@pytest.mark.parametrize("target", ["openai", "responses", "anthropic"])
def test_gemini_google_search_is_dropped_with_a_log_line(target, caplog) -> None:
    body = {
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
        "tools": [{"googleSearch": {}}, {"functionDeclarations": [{"name": "f"}]}],
    }
    request = gemini.parse_request(body)
    request = c.Request(**{**vars(request), "model": "m"})
    with caplog.at_level(logging.INFO, logger="omniroute.formats"):
        built = TARGETS[target].build_request(request)
    assert "googleSearch" not in str(built)
    assert "'googleSearch'" in caplog.text
    assert gemini.build_request(request)["tools"][-1] == {"googleSearch": {}}


def test_json_object_format_for_anthropic_is_dropped_with_a_log_line(caplog) -> None:
    request = _chat(response_format={"type": "json_object"})
    with caplog.at_level(logging.INFO, logger="omniroute.formats"):
        built = anthropic_messages.build_request(request)
    assert "output_config" not in built
    assert "json_object" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="omniroute.formats"):
        gemini.build_request(request)
    assert caplog.text == ""  # Gemini has a JSON mode: nothing dropped


# ---------------------------------------------------------------------------------------------
# Anthropic rejects whitespace-only text blocks


def test_whitespace_text_beside_tool_calls_is_not_sent_to_anthropic() -> None:
    body = {
        "model": "m",
        "messages": [
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "content": "\n\n  ",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "w", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
        ],
    }
    built = anthropic_messages.build_request(openai_chat.parse_request(body))
    assistant = built["messages"][1]
    assert assistant["role"] == "assistant"
    assert [block["type"] for block in assistant["content"]] == ["tool_use"]


# ---------------------------------------------------------------------------------------------
# Gemini: several types become anyOf branches that keep their own keywords


def test_multi_type_schema_keywords_move_into_their_branch() -> None:
    schema = {
        "type": "object",
        "properties": {
            "paths": {
                "type": ["array", "string", "null"],
                "description": "one path or many",
                "items": {"type": "string", "minLength": 1},
                "maxItems": 5,
                "minLength": 2,
                "enum": ["a", "b"],
            },
            "spec": {
                "type": ["object", "integer"],
                "properties": {"x": {"type": "number"}},
                "required": ["x"],
                "minimum": 0,
            },
        },
    }
    out = sanitize_schema(schema)["properties"]
    assert out["paths"] == {
        "description": "one path or many",
        "nullable": True,
        "anyOf": [
            {"type": "array", "items": {"type": "string", "minLength": 1}, "maxItems": 5},
            {"type": "string", "enum": ["a", "b"], "minLength": 2},
        ],
    }
    assert out["spec"] == {
        "anyOf": [
            {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]},
            {"type": "integer", "minimum": 0},
        ]
    }
