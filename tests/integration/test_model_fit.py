"""What reaches a provider is what its model accepts: the capability table consulted by translation.

Each test sends a real client request through a real gateway to the fake upstream and reads what
arrived: sampling parameters a model refuses are left out, a reasoning setting reaches only a
model that takes one (with an effort it knows), the output cap is the model's own limit, JSON
schemas arrive as JSON Schema, several text parts stay apart, and the answer names the model the
client asked for while X-OmniRoute-Model names the provider's.
"""

from __future__ import annotations

import json
import logging

import pytest
import requests

from tests.fake_upstream import Behavior

GEMINI_DEFAULTS = {"temperature": 0, "topP": 1}  # what the Gemini CLI sends by default


def gemini_call(gateway, model: str, body: dict) -> requests.Response:
    url = f"{gateway.url}/v1beta/models/{model}:generateContent"
    return requests.post(url, json=body, timeout=30)


def gemini_body(text: str = "hello", **config) -> dict:
    body: dict = {"contents": [{"role": "user", "parts": [{"text": text}]}]}
    if config:
        body["generationConfig"] = config
    return body


def chat_call(gateway, body: dict) -> requests.Response:
    return requests.post(gateway.url + "/v1/chat/completions", json=body, timeout=30)


@pytest.fixture
def providers(gateway, upstream):
    """OpenAI and Anthropic catalog providers, both served by the fake upstream."""
    gateway.add_connection(upstream.url, provider="openai")
    gateway.add_connection(upstream.url, provider="anthropic", apiKey="sk-ant-test-0001")
    return gateway


def test_claude_45_gets_the_temperature_without_top_p(providers, upstream):
    response = gemini_call(providers, "anthropic/claude-sonnet-4-5", gemini_body(**GEMINI_DEFAULTS))
    assert response.status_code == 200, response.text
    sent = upstream.requests_for("anthropic")[-1].body
    assert sent["temperature"] == 0 and "top_p" not in sent


def test_an_older_claude_gets_both_sampling_parameters(providers, upstream):
    response = gemini_call(
        providers, "anthropic/claude-opus-4-20250514", gemini_body(**GEMINI_DEFAULTS)
    )
    assert response.status_code == 200, response.text
    sent = upstream.requests_for("anthropic")[-1].body
    assert (sent["temperature"], sent["top_p"]) == (0, 1)


def test_a_thinking_level_is_not_sent_to_a_model_that_does_not_reason(providers, upstream, caplog):
    config = {"thinkingConfig": {"thinkingLevel": "HIGH"}}
    with caplog.at_level(logging.INFO, logger="omniroute.formats.dropped"):
        response = gemini_call(providers, "openai/gpt-4o-mini", gemini_body(**config))
    assert response.status_code == 200, response.text
    sent = upstream.requests_for("openai")[-1].body
    assert "reasoning_effort" not in sent
    assert "the reasoning setting" in caplog.text and "gpt-4o-mini" in caplog.text


def test_a_reasoning_model_gets_its_effort_and_no_sampling(providers, upstream):
    config = {"thinkingConfig": {"thinkingLevel": "HIGH"}, "maxOutputTokens": 500}
    response = gemini_call(providers, "openai/gpt-5", gemini_body(**config, **GEMINI_DEFAULTS))
    assert response.status_code == 200, response.text
    sent = upstream.requests_for("openai")[-1].body
    assert sent["reasoning_effort"] == "high"
    assert "top_p" not in sent and "temperature" not in sent
    assert sent["max_completion_tokens"] == 500 and "max_tokens" not in sent


def test_an_effort_the_model_does_not_know_becomes_the_nearest(providers, upstream):
    body = {
        "model": "anthropic/claude-sonnet-4-5",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "hi"}],
        "output_config": {"effort": "max"},
        "thinking": {"type": "adaptive"},
    }
    upstream.add(Behavior(text="ok"))
    response = requests.post(
        providers.url + "/v1/messages", json={**body, "model": "openai/gpt-5"}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert upstream.requests_for("openai")[-1].body["reasoning_effort"] == "high"


def test_chat_to_claude_without_max_tokens_gets_the_models_limit(providers, upstream):
    body = {"model": "anthropic/claude-sonnet-4-5", "messages": [{"role": "user", "content": "hi"}]}
    assert chat_call(providers, body).status_code == 200
    assert upstream.requests_for("anthropic")[-1].body["max_tokens"] == 64000
    body["model"] = "anthropic/claude-opus-4-1"
    assert chat_call(providers, body).status_code == 200
    assert upstream.requests_for("anthropic")[-1].body["max_tokens"] == 32000


def test_a_cap_above_the_models_limit_is_lowered(providers, upstream):
    body = {
        "model": "anthropic/claude-opus-4-1",
        "max_tokens": 100000,
        "messages": [{"role": "user", "content": "hi"}],
    }
    assert chat_call(providers, body).status_code == 200
    assert upstream.requests_for("anthropic")[-1].body["max_tokens"] == 32000


UPPER_SCHEMA = {
    "type": "OBJECT",
    "properties": {
        "city": {"type": "STRING"},
        "tags": {"type": "ARRAY", "items": {"type": "STRING"}},
    },
    "required": ["city"],
}
LOWER_SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["city"],
}


@pytest.mark.parametrize("key", ["responseJsonSchema", "responseSchema"])
def test_gemini_schemas_arrive_as_json_schema(providers, upstream, gateway, key):
    config = {"responseMimeType": "application/json", key: UPPER_SCHEMA}
    upstream.add(Behavior(text='{"city": "Oslo"}'))
    response = gemini_call(providers, "openai/gpt-4o-mini", gemini_body(**config))
    assert response.status_code == 200, response.text
    sent = upstream.requests_for("openai")[-1].body
    assert sent["response_format"]["json_schema"]["schema"] == LOWER_SCHEMA
    response = gemini_call(providers, "anthropic/claude-sonnet-4-5", gemini_body(**config))
    assert response.status_code == 200, response.text
    sent = upstream.requests_for("anthropic")[-1].body
    assert sent["output_config"]["format"]["schema"] == LOWER_SCHEMA


def test_gemini_tool_parameters_arrive_as_json_schema(providers, upstream):
    body = gemini_body()
    body["tools"] = [
        {
            "functionDeclarations": [
                {"name": "weather", "description": "d", "parametersJsonSchema": UPPER_SCHEMA}
            ]
        }
    ]
    response = gemini_call(providers, "openai/gpt-4o-mini", body)
    assert response.status_code == 200, response.text
    sent = upstream.requests_for("openai")[-1].body
    assert sent["tools"][0]["function"]["parameters"] == LOWER_SCHEMA


def test_text_parts_stay_apart(providers, upstream):
    body = {"contents": [{"role": "user", "parts": [{"text": "first line"}, {"text": "second"}]}]}
    response = gemini_call(providers, "openai/gpt-4o-mini", body)
    assert response.status_code == 200, response.text
    content = upstream.requests_for("openai")[-1].body["messages"][-1]["content"]
    assert content == [{"type": "text", "text": "first line"}, {"type": "text", "text": "second"}]


@pytest.mark.parametrize("stream", [False, True])
def test_the_answer_names_the_requested_model(providers, upstream, stream):
    upstream.add(Behavior(text="hi there"))
    body = {
        "model": "openai/gpt-4o-mini",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": stream,
    }
    response = requests.post(
        providers.url + "/v1/chat/completions", json=body, timeout=30, stream=stream
    )
    assert response.status_code == 200
    assert response.headers["X-OmniRoute-Model"] == "gpt-4o-mini"
    if stream:
        chunks = [
            json.loads(line[6:])
            for line in response.iter_lines(decode_unicode=True)
            if line.startswith("data: {")
        ]
        assert chunks and {chunk["model"] for chunk in chunks} == {"openai/gpt-4o-mini"}
    else:
        assert response.json()["model"] == "openai/gpt-4o-mini"
    translated = {"model": "anthropic/claude-sonnet-4-5", "messages": body["messages"]}
    answer = chat_call(providers, translated)
    assert answer.json()["model"] == "anthropic/claude-sonnet-4-5"
    assert answer.headers["X-OmniRoute-Model"] == "claude-sonnet-4-5"


def test_a_passed_through_body_is_fitted_to_its_model_too(providers, upstream):
    """Same API on both sides (the body is not parsed), yet a combo or fallback may send it to a
    model that refuses what the client wrote for another."""
    base = {"messages": [{"role": "user", "content": "hi"}]}
    reasoning = {"model": "openai/gpt-5", "temperature": 0.2, "top_p": 0.5, "max_tokens": 99}
    assert chat_call(providers, {**base, **reasoning}).status_code == 200
    sent = upstream.requests_for("openai")[-1].body
    assert "temperature" not in sent and "top_p" not in sent and "max_tokens" not in sent
    assert sent["max_completion_tokens"] == 99
    effort = {"model": "openai/gpt-5", "reasoning_effort": "xhigh"}
    assert chat_call(providers, {**base, **effort}).status_code == 200
    assert upstream.requests_for("openai")[-1].body["reasoning_effort"] == "high"
    plain = {"model": "openai/gpt-4o-mini", "reasoning_effort": "high", "temperature": 0.2}
    assert chat_call(providers, {**base, **plain}).status_code == 200
    sent = upstream.requests_for("openai")[-1].body
    assert "reasoning_effort" not in sent and sent["temperature"] == 0.2
    claude = {
        "model": "anthropic/claude-sonnet-4-5",
        "max_tokens": 100,
        "temperature": 0.5,
        "top_p": 0.9,
        "messages": base["messages"],
    }
    response = requests.post(providers.url + "/v1/messages", json=claude, timeout=30)
    assert response.status_code == 200, response.text
    sent = upstream.requests_for("anthropic")[-1].body
    assert sent["temperature"] == 0.5 and "top_p" not in sent


def test_a_passed_through_gemini_body_is_fitted(gateway, upstream):
    gateway.add_connection(upstream.url, provider="gemini", apiKey="gm-key-0001")
    config = {"thinkingConfig": {"thinkingBudget": 1024}, "maxOutputTokens": 999999, "topP": 1}
    response = gemini_call(gateway, "gemini/gemini-2.0-flash", gemini_body(**config))
    assert response.status_code == 200, response.text
    sent = upstream.requests_for("gemini")[-1].body["generationConfig"]
    assert sent == {"maxOutputTokens": 8192, "topP": 1}
