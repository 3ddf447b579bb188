"""OpenAI Chat Completions ⇄ canonical: requests, responses, usage, streams, errors."""

from __future__ import annotations

import dataclasses
import json

import pytest

from omniroute.errors import InvalidRequestError, UpstreamUnreachableError
from omniroute.formats import canonical as c
from omniroute.formats.openai_chat.wire import WIRE as chat
from omniroute.providers.capabilities import traits_for
from tests.formats.client_fixtures import client_records, missing_fixtures_message


def chat_fixture_bodies():
    return [
        pytest.param(record["body"], id=f"{stem}-{number}")
        for stem, number, record in client_records()
        if record["path"].startswith("/v1/chat/completions")
    ]


@pytest.mark.parametrize("body", chat_fixture_bodies())
def test_fixture_requests_round_trip(body):
    request = chat.parse_request(body)
    rebuilt = chat.build_request(request)
    reparsed = chat.parse_request(rebuilt)
    # Built streams always ask the provider for usage; everything else survives as it was.
    assert dataclasses.replace(reparsed, include_usage=request.include_usage) == request
    assert reparsed.include_usage == request.stream
    assert rebuilt["messages"][-1]["role"] == body["messages"][-1]["role"]
    if "tools" in body:
        assert rebuilt["tools"] == body["tools"]


def test_fixtures_exist():
    assert len(chat_fixture_bodies()) >= 4, missing_fixtures_message()


def test_system_developer_and_mid_conversation_system():
    request = chat.parse_request(
        {
            "model": "m",
            "messages": [
                {"role": "system", "content": "be brief"},
                {"role": "developer", "content": [{"type": "text", "text": "and kind"}]},
                {"role": "user", "content": "hi"},
                {"role": "system", "content": "reminder"},
            ],
        }
    )
    assert [p.text for p in request.system] == ["be brief", "and kind"]
    assert [m.role for m in request.messages] == ["user", "system"]
    built = chat.build_request(request)
    assert built["messages"][0] == {"role": "system", "content": "be brief\n\nand kind"}
    assert built["messages"][-1] == {"role": "system", "content": "reminder"}


def test_tool_results_merge_and_split_back():
    body = {
        "model": "m",
        "messages": [
            {"role": "user", "content": "weather in two cities"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "a",
                        "type": "function",
                        "function": {"name": "w", "arguments": '{"c":1}'},
                    },
                    {
                        "id": "b",
                        "type": "function",
                        "function": {"name": "w", "arguments": '{"c":2}'},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "a", "content": "sun"},
            {"role": "tool", "tool_call_id": "b", "content": "rain"},
        ],
    }
    request = chat.parse_request(body)
    results = request.messages[-1]
    assert results.role == "user"
    assert [(p.tool_use_id, p.text) for p in results.parts] == [("a", "sun"), ("b", "rain")]
    calls = request.messages[1].parts
    assert [p.arguments for p in calls] == ['{"c":1}', '{"c":2}']  # byte for byte
    assert chat.build_request(request)["messages"][2:] == body["messages"][2:]


def test_images_reasoning_effort_and_json_format():
    request = chat.parse_request(
        {
            "model": "gpt-5",
            "max_completion_tokens": 50,
            "reasoning_effort": "high",
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "x", "schema": {"type": "object"}, "strict": True},
            },
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "what is it"},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                        {
                            "type": "image_url",
                            "image_url": {"url": "https://x/y.png", "detail": "low"},
                        },
                    ],
                }
            ],
        }
    )
    image, url_image = request.messages[0].parts[1:]
    assert (image.media_type, image.data) == ("image/png", "AAAA")
    assert (url_image.url, url_image.detail) == ("https://x/y.png", "low")
    assert request.reasoning.effort == "high" and request.max_tokens == 50
    built = chat.build_request(dataclasses.replace(request, traits=traits_for("gpt-5")))
    assert built["max_completion_tokens"] == 50 and built["reasoning_effort"] == "high"
    assert built["response_format"]["json_schema"]["strict"] is True
    assert built["messages"][0]["content"][1]["image_url"]["url"] == "data:image/png;base64,AAAA"


def test_budget_becomes_effort_for_chat_providers():
    request = c.Request(
        model="deepseek-chat",
        messages=(c.Message("user", (c.TextPart("x"),)),),
        max_tokens=10,
        reasoning=c.Reasoning(budget_tokens=6000),
    )
    built = chat.build_request(request)
    assert built["reasoning_effort"] == "medium" and built["max_tokens"] == 10


def test_response_usage_with_cache_and_reasoning():
    body = {
        "id": "chatcmpl-1",
        "model": "m",
        "created": 5,
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "reasoning_content": "hmm",
                    "tool_calls": [
                        {
                            "id": "t",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{}"},
                        }
                    ],
                },
            }
        ],
        "usage": {
            "prompt_tokens": 100,
            "completion_tokens": 20,
            "prompt_tokens_details": {"cached_tokens": 60},
            "completion_tokens_details": {"reasoning_tokens": 5},
        },
    }
    response = chat.parse_response(body)
    assert response.stop_reason == "tool_use"
    assert response.usage == c.Usage(100, 20, 60, 0, 5)
    assert isinstance(response.parts[0], c.ThinkingPart)
    rebuilt = chat.build_response(response)
    assert rebuilt["usage"]["prompt_tokens"] == 100
    assert (
        rebuilt["choices"][0]["message"]["tool_calls"]
        == body["choices"][0]["message"]["tool_calls"]
    )
    assert rebuilt["choices"][0]["finish_reason"] == "tool_calls"


@pytest.mark.parametrize(
    "body, param",
    [
        ([], None),
        ({"messages": []}, "model"),
        ({"model": "m"}, "messages"),
        ({"model": "m", "messages": ["x"]}, "messages[0]"),
        ({"model": "m", "messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
        ({"model": "m", "messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
        (
            {"model": "m", "messages": [{"role": "assistant", "tool_calls": [{}]}]},
            "messages[0].tool_calls[0]",
        ),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}], "tools": [{}]}, "tools[0]"),
        (
            {"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": -1},
            "max_tokens",
        ),
        (
            {"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": "hot"},
            "temperature",
        ),
    ],
)
def test_malformed_requests_are_invalid_request_errors(body, param):
    with pytest.raises(InvalidRequestError) as caught:
        chat.parse_request(body)
    assert caught.value.param == param


def sse(*chunks) -> bytes:
    return b"".join(b"data: " + json.dumps(x).encode() + b"\n\n" for x in chunks) + (
        b"data: [DONE]\n\n"
    )


def delta(**fields):
    return {
        "id": "c1",
        "model": "m",
        "choices": [{"index": 0, "delta": fields, "finish_reason": None}],
    }


def test_stream_decoder_in_small_pieces():
    raw = sse(
        delta(role="assistant", content=""),
        delta(reasoning_content="think"),
        delta(content="Hel"),
        delta(content="lo"),
        delta(
            tool_calls=[
                {
                    "index": 0,
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "f", "arguments": '{"a"'},
                }
            ]
        ),
        delta(tool_calls=[{"index": 0, "function": {"arguments": ":1}"}}]),
        {"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
        {"id": "c1", "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4}},
    )
    decoder = chat.stream_decoder()
    events = []
    for i in range(0, len(raw), 5):
        events += decoder.feed(raw[i : i + 5])
    events += decoder.close()
    assert events[0] == c.MessageStart("c1", "m")
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        "MessageStart",
        "BlockStart",
        "BlockDelta",
        "BlockStop",
        "BlockStart",
        "BlockDelta",
        "BlockDelta",
        "BlockStop",
        "BlockStart",
        "BlockDelta",
        "BlockDelta",
        "BlockStop",
        "MessageDelta",
        "MessageStop",
    ]
    assert events[8].part.name == "f" and events[8].part.id == "call_1"
    assert events[9].arguments + events[10].arguments == '{"a":1}'
    assert events[-2] == c.MessageDelta("tool_use", usage=c.Usage(3, 4))


def test_stream_encoder_then_decoder_round_trip():
    request = c.Request(model="client-model", messages=(), stream=True, include_usage=True)
    encoder = chat.stream_encoder(request)
    events = [
        c.MessageStart("x", "m"),
        c.BlockStart(0, c.ThinkingPart()),
        c.BlockDelta(0, text="why"),
        c.BlockStop(0),
        c.BlockStart(1, c.TextPart("")),
        c.BlockDelta(1, text="hi"),
        c.BlockStop(1),
        c.BlockStart(2, c.ToolUsePart("t1", "f", "")),
        c.BlockDelta(2, arguments="{}"),
        c.BlockStop(2),
        c.MessageDelta("tool_use", usage=c.Usage(7, 8)),
        c.MessageStop(),
    ]
    raw = b"".join(encoder.encode(e) for e in events) + encoder.close()
    assert raw.endswith(b"data: [DONE]\n\n") and raw.count(b"[DONE]") == 1
    decoded = chat.stream_decoder().feed(raw)
    assert [e for e in decoded if isinstance(e, c.BlockDelta)] == [
        c.BlockDelta(0, text="why"),
        c.BlockDelta(1, text="hi"),
        c.BlockDelta(2, arguments="{}"),
    ]
    assert decoded[-2] == c.MessageDelta("tool_use", usage=c.Usage(7, 8))


def test_encoder_closes_a_truncated_stream_and_reports_errors():
    encoder = chat.stream_encoder(c.Request(model="m", messages=()))
    raw = (
        encoder.encode(c.BlockStart(0, c.TextPart("")))
        + encoder.encode(c.BlockDelta(0, text="partial"))
        + encoder.close()
    )
    assert raw.endswith(b"data: [DONE]\n\n") and b'"finish_reason":"stop"' in raw
    failing = chat.stream_encoder(c.Request(model="m", messages=()))
    out = failing.encode(c.StreamError(502, "boom", "upstream_error", "upstream_unreachable"))
    assert b'"code": "upstream_unreachable"' in out and out.endswith(b"data: [DONE]\n\n")
    assert failing.close() == b""


def test_errors():
    error = UpstreamUnreachableError("down", provider="p")
    assert chat.error_body(error)["error"]["code"] == "upstream_unreachable"
    assert chat.parse_error(b'{"error": {"message": "bad", "type": "t", "code": 7}}') == (
        "bad",
        "t",
        "7",
    )
    assert chat.parse_error(b"plain text")[0] == "plain text"
