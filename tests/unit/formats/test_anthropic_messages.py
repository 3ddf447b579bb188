"""The Anthropic Messages format: requests, answers, usage, errors and both stream directions."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest

from omniroute.errors import (
    AuthenticationError,
    GatewayError,
    InvalidRequestError,
    ModelNotFoundError,
    PayloadTooLargeError,
    ServiceUnavailableError,
    UpstreamStatusError,
    UpstreamTimeoutError,
)
from omniroute.formats.anthropic.request_build import DEFAULT_MAX_TOKENS
from omniroute.formats.anthropic.wire import WIRE as am
from omniroute.formats.canonical import (
    BlockDelta,
    BlockStart,
    BlockStop,
    DocumentPart,
    ImagePart,
    Message,
    MessageDelta,
    MessageStart,
    MessageStop,
    Reasoning,
    RedactedThinkingPart,
    Request,
    Response,
    ResponseFormat,
    StreamError,
    TextPart,
    ThinkingPart,
    Tool,
    ToolChoice,
    ToolResultPart,
    ToolUsePart,
    Usage,
    cut_stream_error,
)
from omniroute.formats.sse import SSESplitter, event_fields
from tests.formats.anthropic_samples import (
    RESPONSE,
    RICH_REQUEST,
    STREAM,
    STREAM_TEXT,
    STREAM_THINKING,
    STREAM_TOOL_INPUT,
)
from tests.formats.client_fixtures import client_records, missing_fixtures_message


def _client_bodies() -> list[Any]:
    return [
        pytest.param(record["body"], id=f"{stem}-{number}")
        for stem, number, record in client_records()
        if record["path"].startswith("/v1/messages") and record["body"] is not None
    ]


CLIENT_BODIES = _client_bodies()


def _request(**kwargs: Any) -> Request:
    kwargs.setdefault("model", "claude-x")
    kwargs.setdefault("messages", (Message("user", (TextPart("hi"),)),))
    return Request(**kwargs)


def _folded(body: dict) -> dict:
    """What build_request must send for a client body: the same body, with mid-conversation
    system messages folded into the end of the top-level system, and max_tokens always set."""
    expected = copy.deepcopy(body)
    folded: list[dict] = []
    kept = []
    for message in body["messages"]:
        if message["role"] != "system":
            kept.append(message)
            continue
        content = message["content"]
        folded += [{"type": "text", "text": content}] if isinstance(content, str) else content
    expected["messages"] = kept
    if folded:
        system = body.get("system") or []
        system = [{"type": "text", "text": system}] if isinstance(system, str) else system
        expected["system"] = system + folded
    expected.setdefault("max_tokens", DEFAULT_MAX_TOKENS)
    return expected


# ---------------------------------------------------------------------------------------------
# Captured client requests


def test_fixtures_hold_anthropic_requests() -> None:
    assert not missing_fixtures_message(), missing_fixtures_message()
    assert len(CLIENT_BODIES) >= 15  # Claude Code (5) + two Python SDK captures


@pytest.mark.parametrize("body", CLIENT_BODIES)
def test_client_request_survives_a_same_format_hop(body: dict) -> None:
    request = am.parse_request(copy.deepcopy(body))
    built = am.build_request(request)
    assert built == _folded(body)  # byte-for-byte except the documented folding
    again = am.parse_request(built)
    kept = tuple(m for m in request.messages if m.role != "system")
    assert again.messages == kept
    folded_text = tuple(p for m in request.messages if m.role == "system" for p in m.parts)
    assert again.system == request.system + folded_text
    for name in ("tools", "tool_choice", "reasoning", "user", "stop", "stream", "model"):
        assert getattr(again, name) == getattr(request, name), name


@pytest.mark.parametrize("body", [b for b in CLIENT_BODIES if "claude-code" in b.id])
def test_claude_code_request_maps_to_canonical(body: dict) -> None:
    raw = body
    request = am.parse_request(raw)
    roles = [m.role for m in request.messages]
    assert roles[:2] == ["user", "system"]  # the mid-conversation system message stays in place
    assert request.system[1].cache_control == {"type": "ephemeral"}
    assert len(request.system) == len(raw["system"])
    assert request.reasoning is not None and request.reasoning.budget_tokens is None
    assert request.reasoning.effort == raw["output_config"]["effort"]
    assert request.max_tokens == raw["max_tokens"] and request.stream is True
    assert request.user == raw["metadata"]["user_id"]
    assert request.extra["anthropic.context_management"] == raw["context_management"]
    assert [t.name for t in request.tools] == [t["name"] for t in raw["tools"]]
    assert all(
        t.parameters == s["input_schema"] for t, s in zip(request.tools, raw["tools"], strict=True)
    )
    if len(request.messages) == 4:
        thinking, tool_use = request.messages[2].parts
        assert thinking == ThinkingPart("Fake reasoning.", signature="fake-signature")
        wire_tool = raw["messages"][2]["content"][1]
        assert isinstance(tool_use, ToolUsePart) and tool_use.id == wire_tool["id"]
        assert tool_use.input == wire_tool["input"]
        (result,) = request.messages[3].parts
        assert isinstance(result, ToolResultPart) and result.tool_use_id == wire_tool["id"]
        assert result.text == "1\tsecret-file-content-42\n2\t"
        assert result.cache_control == {"type": "ephemeral"}


def test_claude_code_extra_fields_are_kept() -> None:
    found = [b.values[0] for b in CLIENT_BODIES if "2.1.330" in b.id]
    assert found, missing_fixtures_message() or "no claude-code 2.1.330 client fixture"
    body = found[0]
    request = am.parse_request(body)
    assert request.extra["anthropic.thinking"] == {"type": "adaptive", "display": "omitted"}
    assert request.extra["anthropic.tool_fields"] == {
        "DeferredToolPlaceholder": {"defer_loading": True}
    }
    assert request.extra["anthropic.message_fields"] == [
        [1, {"output_config": {"effort": "medium"}}]
    ]
    built = am.build_request(request)
    assert built["thinking"] == {"type": "adaptive", "display": "omitted"}
    assert built["tools"][-2]["defer_loading"] is True


# ---------------------------------------------------------------------------------------------
# A request using every block kind


def test_rich_request_round_trips_exactly() -> None:
    request = am.parse_request(copy.deepcopy(RICH_REQUEST))
    assert am.build_request(request) == RICH_REQUEST
    assert am.parse_request(am.build_request(request)) == request


def test_built_body_shares_nothing_with_the_request() -> None:
    request = am.parse_request(copy.deepcopy(RICH_REQUEST))
    built = am.build_request(request)
    built["messages"][0]["content"][-1]["source"]["file_id"] = "changed"
    built["tools"][1]["max_uses"] = 99
    built["context_management"]["edits"].clear()
    assert am.build_request(request) == RICH_REQUEST


def test_rich_request_canonical_view() -> None:
    request = am.parse_request(copy.deepcopy(RICH_REQUEST))
    user, assistant, results, _ = request.messages
    assert user.parts[1] == ImagePart(media_type="image/jpeg", data="/9j/4AAQ")
    assert user.parts[2] == ImagePart(
        url="https://example.com/cat.png", cache_control={"type": "ephemeral"}
    )
    assert user.parts[3] == DocumentPart(media_type="application/pdf", data="JVBE", name="spec.pdf")
    assert user.parts[4] == DocumentPart(media_type="text/plain", data="aMOpbGxvCg==")
    assert len(user.parts) == 6  # the file-source document has no canonical part
    assert [p.type for p in assistant.parts] == [
        "thinking",
        "redacted_thinking",
        "text",
        "tool_use",
        "tool_use",
    ]
    assert assistant.parts[3] == ToolUsePart(
        "toolu_01", "get_weather", '{"city":"Paris","units":["c"]}'
    )
    first, second, thanks = results.parts
    assert isinstance(first, ToolResultPart) and first.text == "sunny"
    assert isinstance(first.content[1], ImagePart) and first.cache_control is not None
    assert isinstance(second, ToolResultPart) and second.is_error and second.content == ()
    assert thanks == TextPart("Thanks.")
    assert request.tools[0].cache_control == {"type": "ephemeral"}
    assert [t.name for t in request.tools] == ["get_weather", "noop"]  # web search is a server tool
    assert request.tool_choice == ToolChoice("auto", None, disable_parallel=True)
    assert request.parallel_tool_calls is False
    assert request.reasoning == Reasoning(effort="xhigh", budget_tokens=4096)
    assert request.response_format == ResponseFormat("json_schema", schema={"type": "object"})
    assert request.extra["anthropic.service_tier"] == "auto"
    assert request.extra["anthropic.server_tools"][0][0] == 1


def test_unknown_blocks_are_kept_in_place() -> None:
    body = copy.deepcopy(RICH_REQUEST)
    request = am.parse_request(body)
    raw = request.extra["anthropic.raw_blocks"]
    assert [(i, pos, block["type"]) for i, pos, block in raw] == [
        (0, 6, "document"),
        (1, 3, "server_tool_use"),
        (1, 3, "web_search_tool_result"),
    ]


def test_positional_extras_are_ignored_once_messages_change() -> None:
    request = am.parse_request(copy.deepcopy(RICH_REQUEST))
    trimmed = Request(**{**vars(request), "messages": request.messages[1:]})
    assistant, results, _ = am.build_request(trimmed)["messages"]
    assert [block["type"] for block in assistant["content"]] == [
        "thinking",
        "redacted_thinking",
        "text",
        "tool_use",
        "tool_use",
    ]
    assert assistant["content"][2] == {"type": "text", "text": "Searching."}  # no citations
    assert results["content"][1] == {
        "type": "tool_result",
        "tool_use_id": "toolu_02",
        "is_error": True,
    }


def test_server_tools_are_not_canonical_tools() -> None:
    body = {"model": "m", "messages": [], "tools": [{"type": "bash_20250124", "name": "bash"}]}
    request = am.parse_request(body)
    assert request.tools == ()
    assert am.build_request(request)["tools"] == [{"type": "bash_20250124", "name": "bash"}]


@pytest.mark.parametrize(
    ("thinking", "effort", "expected"),
    [
        ({"type": "enabled", "budget_tokens": 2000}, None, Reasoning(budget_tokens=2000)),
        ({"type": "adaptive"}, "high", Reasoning(effort="high")),
        ({"type": "adaptive"}, None, Reasoning()),
        ({"type": "disabled"}, None, Reasoning(enabled=False)),
        (None, "low", Reasoning(effort="low")),
        (None, "max", Reasoning(effort="xhigh")),
        (None, None, None),
    ],
)
def test_thinking_and_effort_map_to_reasoning(thinking: Any, effort: Any, expected: Any) -> None:
    body: dict[str, Any] = {"model": "m", "max_tokens": 8000, "messages": []}
    if thinking:
        body["thinking"] = thinking
    if effort:
        body["output_config"] = {"effort": effort}
    request = am.parse_request(body)
    assert request.reasoning == expected
    built = am.build_request(request)
    assert built.get("thinking") == thinking  # an effort alone does not switch thinking on
    assert built.get("output_config", {}).get("effort") == effort


def test_message_level_fields_ride_along() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi", "x_note": 1}]}
    request = am.parse_request(body)
    assert am.build_request(request)["messages"] == body["messages"]


# ---------------------------------------------------------------------------------------------
# Building for Anthropic from canonical requests of any origin


def test_max_tokens_always_set() -> None:
    assert am.build_request(_request())["max_tokens"] == 4096
    assert am.build_request(_request(max_tokens=77))["max_tokens"] == 77


def test_empty_text_beside_tool_use_is_dropped_and_user_turns_merged() -> None:
    call_a = ToolUsePart("call_a", "read", '{"path":"a"}')
    call_b = ToolUsePart("call_b", "read", "")
    messages = (
        Message("user", (TextPart("read both"),)),
        Message("assistant", (TextPart(""), call_a, call_b)),
        Message("user", (ToolResultPart("call_a", (TextPart("A"),)),)),
        Message("user", (TextPart("and?"),)),
        Message("user", (ToolResultPart("call_b", (), is_error=True),)),
    )
    built = am.build_request(_request(messages=messages))
    assert built["messages"] == [
        {"role": "user", "content": "read both"},
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "call_a", "name": "read", "input": {"path": "a"}},
                {"type": "tool_use", "id": "call_b", "name": "read", "input": {}},
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "call_a", "content": "A"},
                {"type": "tool_result", "tool_use_id": "call_b", "is_error": True},
                {"type": "text", "text": "and?"},
            ],
        },
    ]


def test_mid_conversation_system_message_is_folded_into_system() -> None:
    messages = (
        Message("user", (TextPart("one"),)),
        Message("system", (TextPart("env", cache_control={"type": "ephemeral"}),)),
        Message("user", (TextPart("two"),)),
    )
    built = am.build_request(_request(messages=messages, system=(TextPart("base"),)))
    assert built["system"] == [
        {"type": "text", "text": "base"},
        {"type": "text", "text": "env", "cache_control": {"type": "ephemeral"}},
    ]
    assert built["messages"] == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}],
        }
    ]
    plain = am.build_request(_request(system=(TextPart("just this"),)))
    assert plain["system"] == "just this"


def test_thinking_needs_a_signature_for_anthropic() -> None:
    parts = (
        ThinkingPart("from another provider"),
        ThinkingPart("ok", signature="s"),
        TextPart("a"),
    )
    built = am.build_request(_request(messages=(Message("assistant", parts),)))
    assert built["messages"][0]["content"] == [
        {"type": "thinking", "thinking": "ok", "signature": "s"},
        {"type": "text", "text": "a"},
    ]
    only = am.build_request(_request(messages=(Message("assistant", parts[:1]),)))
    assert only["messages"] == []


@pytest.mark.parametrize(
    ("budget", "max_tokens", "sent_budget", "sent_max"),
    # without the client's max_tokens: the budget plus 4096 for the answer, at most 32000
    [
        (20000, 8000, 7999, 8000),
        (500, 1000, 1024, 1025),
        (2048, None, 2048, 6144),
        (30000, None, 30000, 32000),
        (40000, None, 31999, 32000),
    ],
)
def test_thinking_budget_fits_max_tokens(
    budget: int, max_tokens: int | None, sent_budget: int, sent_max: int
) -> None:
    built = am.build_request(
        _request(reasoning=Reasoning(budget_tokens=budget), max_tokens=max_tokens)
    )
    assert built["thinking"] == {"type": "enabled", "budget_tokens": sent_budget}
    assert built["max_tokens"] == sent_max
    assert sent_budget < built["max_tokens"]


@pytest.mark.parametrize(
    ("reasoning", "max_tokens", "thinking", "sent_max"),
    [
        # an effort becomes the README's budget (minimal 1,024 … xhigh 32,768), never adaptive:
        # Claude Sonnet 4.5 / Opus 4.5 reject {"type": "adaptive"}
        (Reasoning(effort="minimal"), None, {"type": "enabled", "budget_tokens": 1024}, 5120),
        (Reasoning(effort="low"), 10000, {"type": "enabled", "budget_tokens": 2048}, 10000),
        (Reasoning(effort="medium"), None, {"type": "enabled", "budget_tokens": 8192}, 12288),
        (Reasoning(effort="high"), 30000, {"type": "enabled", "budget_tokens": 24576}, 30000),
        (Reasoning(effort="high"), 2000, {"type": "enabled", "budget_tokens": 1999}, 2000),
        (Reasoning(effort="xhigh"), None, {"type": "enabled", "budget_tokens": 31999}, 32000),
        (Reasoning(effort="xhigh"), 64000, {"type": "enabled", "budget_tokens": 32768}, 64000),
        (Reasoning(), None, {"type": "enabled", "budget_tokens": 8192}, 12288),
        (Reasoning(effort="none"), None, {"type": "disabled"}, 4096),
        (Reasoning(effort="none", enabled=False), 100, {"type": "disabled"}, 100),
        (Reasoning(enabled=False), None, {"type": "disabled"}, 4096),
    ],
)
def test_reasoning_from_other_formats(
    reasoning: Reasoning, max_tokens: int | None, thinking: dict, sent_max: int
) -> None:
    built = am.build_request(_request(reasoning=reasoning, max_tokens=max_tokens))
    assert built["thinking"] == thinking
    assert built["max_tokens"] == sent_max
    assert "output_config" not in built  # effort is a newer-model parameter: not invented
    if thinking["type"] == "enabled":
        assert 1024 <= thinking["budget_tokens"] < built["max_tokens"]


def test_adaptive_thinking_passes_through_only_for_the_client_that_sent_it() -> None:
    body = {
        "model": "m",
        "max_tokens": 9000,
        "messages": [{"role": "user", "content": "hi"}],
        "thinking": {"type": "adaptive"},
        "output_config": {"effort": "high"},
    }
    built = am.build_request(am.parse_request(body))
    assert built["thinking"] == {"type": "adaptive"}
    assert built["output_config"] == {"effort": "high"}
    assert built["max_tokens"] == 9000


def test_sampling_parameters_that_thinking_rejects_are_not_sent() -> None:
    sampling = {"temperature": 0.2, "top_p": 0.5, "top_k": 40}
    thinking_on = am.build_request(_request(reasoning=Reasoning(effort="high"), **sampling))
    assert not {"temperature", "top_p", "top_k"} & thinking_on.keys()
    kept = am.build_request(
        _request(reasoning=Reasoning(effort="high"), temperature=1.0, top_p=0.97)
    )
    assert (kept["temperature"], kept["top_p"]) == (1.0, 0.97)
    plain = am.build_request(_request(temperature=1.6, top_p=0.5, top_k=40))
    assert (plain["temperature"], plain["top_p"], plain["top_k"]) == (1.0, 0.5, 40)


def test_images_and_documents_from_other_formats() -> None:
    parts = (
        ImagePart(url="data:image/webp;base64,UklGR"),
        ImagePart(url="https://x/y.png", detail="high"),
        DocumentPart(media_type="text/csv", data="YSxiCg==", name="t.csv"),
        DocumentPart(media_type="application/pdf", data="JVBE"),
        ImagePart(),
    )
    built = am.build_request(_request(messages=(Message("user", parts),)))
    assert built["messages"][0]["content"] == [
        {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/webp", "data": "UklGR"},
        },
        {"type": "image", "source": {"type": "url", "url": "https://x/y.png"}},
        {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": "a,b\n"},
            "title": "t.csv",
        },
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"},
        },
    ]


@pytest.mark.parametrize(
    ("choice", "parallel", "expected"),
    [
        (ToolChoice("required"), None, {"type": "any"}),
        (ToolChoice("tool", "f"), None, {"type": "tool", "name": "f"}),
        (ToolChoice("tool"), None, {"type": "any"}),
        (ToolChoice("none", disable_parallel=True), None, {"type": "none"}),
        (None, False, {"type": "auto", "disable_parallel_tool_use": True}),
        (ToolChoice("auto"), True, {"type": "auto", "disable_parallel_tool_use": False}),
        (None, None, None),
    ],
)
def test_tool_choice(choice: Any, parallel: Any, expected: Any) -> None:
    tools = (Tool("f", parameters={"properties": {"a": {"type": "string"}}}),)
    built = am.build_request(
        _request(tools=tools, tool_choice=choice, parallel_tool_calls=parallel)
    )
    assert built.get("tool_choice") == expected
    assert built["tools"] == [
        {"name": "f", "input_schema": {"type": "object", "properties": {"a": {"type": "string"}}}}
    ]
    assert "tool_choice" not in am.build_request(_request(tool_choice=choice))


def test_other_canonical_fields() -> None:
    fmt = ResponseFormat("json_schema", schema={"type": "object"}, name="x")
    built = am.build_request(
        _request(
            user="u1",
            stop=("END",),
            stream=True,
            response_format=fmt,
            tools=(Tool("s", strict=True),),
            extra={"openai.store": True, "anthropic.service_tier": "standard_only"},
        )
    )
    assert built["metadata"] == {"user_id": "u1"}
    assert built["stop_sequences"] == ["END"] and built["stream"] is True
    assert built["output_config"] == {
        "format": {"type": "json_schema", "schema": {"type": "object"}}
    }
    assert built["tools"][0]["strict"] is True
    assert built["service_tier"] == "standard_only" and "store" not in built
    assert am.build_request(_request(response_format=ResponseFormat("json_object"))).keys() == {
        "model",
        "max_tokens",
        "messages",
    }


# ---------------------------------------------------------------------------------------------
# Answers and usage


def test_response_parses_to_canonical() -> None:
    response = am.parse_response(copy.deepcopy(RESPONSE))
    assert response.id == RESPONSE["id"] and response.model == RESPONSE["model"]
    assert response.parts == (
        ThinkingPart("The user wants weather.", signature="EqQBCgIYAhIM"),
        RedactedThinkingPart("EmwKAhgBEgy3va3pzix/LafPsn4a"),
        TextPart("Let me check."),
        ToolUsePart(
            "toolu_01A09q90qw90lq917835lq9",
            "get_weather",
            '{"location":"San Francisco, CA","unit":"celsius"}',
        ),
    )
    assert response.stop_reason == "tool_use" and response.stop_sequence is None
    assert response.usage == Usage(
        input_tokens=2095 + 18000 + 120,
        output_tokens=503,
        cache_read_tokens=18000,
        cache_write_tokens=120,
    )


def test_response_round_trips() -> None:
    assert am.build_response(am.parse_response(copy.deepcopy(RESPONSE))) == RESPONSE


def test_response_from_another_provider() -> None:
    response = Response(
        id="",
        model="gpt-x",
        parts=(ThinkingPart("hmm"), TextPart(""), TextPart("hi"), ImagePart(url="u")),
        stop_reason=None,
        usage=Usage(input_tokens=10, output_tokens=3, cache_read_tokens=4),
    )
    built = am.build_response(response)
    assert built["id"].startswith("msg_")
    assert built["content"] == [
        {"type": "thinking", "thinking": "hmm", "signature": ""},
        {"type": "text", "text": "hi"},
    ]
    assert built["stop_reason"] == "end_turn"
    assert built["usage"] == {
        "input_tokens": 6,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 4,
        "output_tokens": 3,
    }


def test_response_drops_blocks_it_cannot_represent() -> None:
    body = copy.deepcopy(RESPONSE)
    body["content"] = [
        {"type": "server_tool_use", "id": "s", "name": "web_search", "input": {}},
        {"type": "text"},
        "junk",
        {"type": "text", "text": "ok", "citations": [{"type": "char_location"}]},
    ]
    assert am.parse_response(body).parts == (TextPart("ok"),)


@pytest.mark.parametrize("body", [None, [], {"content": "x"}, {"type": "message"}])
def test_unreadable_response_is_a_gateway_error(body: Any) -> None:
    with pytest.raises(GatewayError) as caught:
        am.parse_response(body)
    assert caught.value.status == 502 and not isinstance(caught.value, InvalidRequestError)


@pytest.mark.parametrize(
    "reason", ["end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal", "pause_turn"]
)
def test_stop_reasons_map_one_to_one(reason: str) -> None:
    body = {**RESPONSE, "stop_reason": reason}
    response = am.parse_response(body)
    assert response.stop_reason == reason
    assert am.build_response(response)["stop_reason"] == reason


def test_unknown_stop_reasons() -> None:
    body = {**RESPONSE, "stop_reason": "model_context_window_exceeded"}
    assert am.parse_response(body).stop_reason == "max_tokens"
    response = Response(id="m", model="x", parts=(), stop_reason="error")
    assert am.build_response(response)["stop_reason"] == "end_turn"


@pytest.mark.parametrize(
    ("wire", "canonical"),
    [
        (
            {
                "input_tokens": 5,
                "cache_read_input_tokens": 100,
                "cache_creation_input_tokens": 20,
                "output_tokens": 9,
            },
            Usage(125, 9, cache_read_tokens=100, cache_write_tokens=20),
        ),
        (
            {
                "input_tokens": 5,
                "cache_read_input_tokens": 0,
                "cache_creation_input_tokens": 0,
                "output_tokens": 9,
            },
            Usage(5, 9),
        ),
    ],
)
def test_usage_converts_both_ways_without_phantom_tokens(wire: dict, canonical: Usage) -> None:
    assert am.usage_of({"usage": wire}) == canonical
    assert am.build_response(Response("m", "x", (), usage=canonical))["usage"] == wire


def test_usage_edge_cases() -> None:
    assert am.usage_of({}) is None and am.usage_of([]) is None  # type: ignore[arg-type]
    assert am.usage_of({"usage": {"input_tokens": 3, "cache_read_input_tokens": None}}) == Usage(3)
    assert am.usage_of({"usage": {"input_tokens": "3", "output_tokens": True}}) == Usage()
    odd = Usage(input_tokens=2, cache_read_tokens=5)  # a provider that under-reports input
    assert am.build_response(Response("m", "x", (), usage=odd))["usage"]["input_tokens"] == 0


# ---------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, "invalid_request_error"),
        (401, "authentication_error"),
        (403, "permission_error"),
        (404, "not_found_error"),
        (413, "request_too_large"),
        (429, "rate_limit_error"),
        (500, "api_error"),
        (529, "overloaded_error"),
        (503, "overloaded_error"),
        (504, "timeout_error"),
        (502, "api_error"),
        (422, "invalid_request_error"),
    ],
)
def test_error_body_type_follows_status(status: int, kind: str) -> None:
    body = am.error_body(GatewayError("boom", status=status))
    assert body == {"type": "error", "error": {"type": kind, "message": "boom"}}


def test_error_body_for_gateway_errors() -> None:
    assert (
        am.error_body(InvalidRequestError("bad", param="x"))["error"]["type"]
        == "invalid_request_error"
    )
    assert am.error_body(AuthenticationError("no"))["error"]["type"] == "authentication_error"
    assert am.error_body(ModelNotFoundError("m?"))["error"]["type"] == "not_found_error"
    assert am.error_body(PayloadTooLargeError("big"))["error"]["type"] == "request_too_large"
    assert am.error_body(ServiceUnavailableError("busy"))["error"]["type"] == "overloaded_error"
    assert (
        am.error_body(UpstreamTimeoutError("slow", provider="p"))["error"]["type"]
        == "timeout_error"
    )
    overloaded = UpstreamStatusError(
        "Overloaded", provider="p", upstream_status=529, upstream_type="overloaded_error"
    )
    assert overloaded.status == 502
    assert am.error_body(overloaded)["error"] == {
        "type": "overloaded_error",
        "message": "Overloaded",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"r"}',
            ("Overloaded", "overloaded_error", None),
        ),
        (
            b'{"error":{"message":"m","type":"invalid_request_error","code":"x"}}',
            ("m", "invalid_request_error", None),
        ),
        (b'{"error":"plain"}', ("plain", None, None)),
        (b'{"message":"top"}', ("top", None, None)),
        (b"<html>502 Bad Gateway</html>", ("<html>502 Bad Gateway</html>", None, None)),
        (b"", ("no error message", None, None)),
        (b"\xff\xfe", ("\ufffd\ufffd", None, None)),
        (b"[1]", ("[1]", None, None)),
    ],
)
def test_parse_error(raw: bytes, expected: tuple) -> None:
    assert am.parse_error(raw) == expected


# ---------------------------------------------------------------------------------------------
# Stream decoding


def _decode_in_pieces(data: bytes, seed: int) -> list:
    rng = random.Random(seed)
    decoder = am.stream_decoder()
    events: list = []
    position = 0
    while position < len(data):
        step = rng.randint(1, 7)
        events += decoder.feed(data[position : position + step])
        position += step
    return events + decoder.close()


def _merge_deltas(events: list) -> dict[int, dict[str, str]]:
    merged: dict[int, dict[str, str]] = {}
    for event in events:
        if isinstance(event, BlockDelta):
            block = merged.setdefault(event.index, {"text": "", "arguments": "", "signature": ""})
            block["text"] += event.text
            block["arguments"] += event.arguments
            block["signature"] += event.signature
    return merged


@pytest.mark.parametrize("seed", range(5))
def test_stream_decodes_in_tiny_network_chunks(seed: int) -> None:
    events = _decode_in_pieces(STREAM, seed)
    whole = am.stream_decoder()
    assert events == whole.feed(STREAM) + whole.close()
    usage_start = Usage(135, 1, cache_read_tokens=100, cache_write_tokens=10)
    assert events[0] == MessageStart("msg_01Stream", "claude-sonnet-4-5", usage_start)
    starts = [e for e in events if isinstance(e, BlockStart)]
    assert starts == [
        BlockStart(0, ThinkingPart("")),
        BlockStart(1, TextPart("")),
        BlockStart(2, ToolUsePart("toolu_01T1x", "get_weather", "")),
    ]  # the server_tool_use block is skipped and the rest renumbered
    merged = _merge_deltas(events)
    assert merged[0] == {"text": STREAM_THINKING, "arguments": "", "signature": "EqQBCgIYAhIMsig=="}
    assert merged[1]["text"] == STREAM_TEXT
    assert json.loads(merged[2]["arguments"]) == STREAM_TOOL_INPUT
    assert [e.index for e in events if isinstance(e, BlockStop)] == [0, 1, 2]
    final = Usage(135, 87, cache_read_tokens=100, cache_write_tokens=10)
    assert events[-2:] == [MessageDelta("tool_use", None, final), MessageStop()]
    assert not any(
        isinstance(e, BlockDelta) and not (e.text or e.arguments or e.signature) for e in events
    )


def test_stream_decodes_crlf_events() -> None:
    crlf = STREAM.replace(b"\n", b"\r\n")
    assert _decode_in_pieces(crlf, 9) == _decode_in_pieces(STREAM, 3)


def _sse(*events: tuple[str, dict]) -> bytes:
    return b"".join(
        f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events
    )


START = (
    "message_start",
    {
        "type": "message_start",
        "message": {"id": "msg_1", "model": "c", "usage": {"input_tokens": 7, "output_tokens": 1}},
    },
)


def test_stream_error_event() -> None:
    decoder = am.stream_decoder()
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    events = decoder.feed(_sse(START, ("error", error), START))
    assert events[1:] == [StreamError(529, "Overloaded", "overloaded_error")]
    assert decoder.close() == []


def test_cut_stream_ends_in_an_error_on_close() -> None:
    """A stream cut before message_delta is an error, not a made-up stop (the client must not
    take a half answer for a whole one)."""
    decoder = am.stream_decoder()
    block = {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "tool_use", "id": "t", "name": "f", "input": {}},
    }
    delta = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "input_json_delta", "partial_json": '{"a":'},
    }
    events = decoder.feed(
        _sse(START, ("content_block_start", block), ("content_block_delta", delta))
    )
    assert events[-1] == BlockDelta(0, arguments='{"a":')
    assert decoder.close() == [cut_stream_error()]
    assert decoder.close() == []


def test_stream_whose_message_stop_is_missing_ends_cleanly() -> None:
    """After message_delta the answer is whole: a missing message_stop is no error."""
    decoder = am.stream_decoder()
    text = {"type": "content_block_start", "index": 0, "content_block": {"type": "text"}}
    end = {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {}}
    events = decoder.feed(_sse(START, ("content_block_start", text), ("message_delta", end)))
    assert [type(e) for e in events[-1:]] == [MessageDelta]
    assert BlockStop(0) in events and decoder.close() == [MessageStop()]


def test_stream_without_any_event() -> None:
    decoder = am.stream_decoder()
    assert decoder.feed(b": keepalive\n\n") == []
    (error,) = decoder.close()
    assert isinstance(error, StreamError) and error.status == 502


def test_last_event_without_blank_line_is_read_on_close() -> None:
    decoder = am.stream_decoder()
    delta = {
        "type": "message_delta",
        "delta": {"stop_reason": "end_turn"},
        "usage": {"output_tokens": 4},
    }
    body = (
        _sse(START, ("message_delta", delta))
        + b'event: message_stop\ndata: {"type":"message_stop"}'
    )
    events = decoder.feed(body)
    assert events[-1] == MessageDelta("end_turn", None, Usage(7, 4))
    assert decoder.close() == [MessageStop()]


def test_tool_call_without_input_deltas_gets_empty_object() -> None:
    decoder = am.stream_decoder()
    block = {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "tool_use", "id": "t", "name": "f", "input": {}},
    }
    stop = {"type": "content_block_stop", "index": 0}
    events = decoder.feed(_sse(START, ("content_block_start", block), ("content_block_stop", stop)))
    assert events[-2:] == [BlockDelta(0, arguments="{}"), BlockStop(0)]


def test_usage_from_either_stream_event_survives() -> None:
    start = (
        "message_start",
        {
            "type": "message_start",
            "message": {"id": "m", "model": "c", "usage": {"input_tokens": 0, "output_tokens": 0}},
        },
    )
    delta = {
        "type": "message_delta",
        "delta": {"stop_reason": "max_tokens"},
        "usage": {"input_tokens": 9, "cache_read_input_tokens": 3, "output_tokens": 5},
    }
    events = am.stream_decoder().feed(_sse(start, ("message_delta", delta)))
    assert events[-1] == MessageDelta("max_tokens", None, Usage(12, 5, cache_read_tokens=3))
    delta_zero = {
        "type": "message_delta",
        "delta": {"stop_reason": "end_turn"},
        "usage": {"input_tokens": 0, "output_tokens": 5},
    }
    events = am.stream_decoder().feed(_sse(START, ("message_delta", delta_zero)))
    assert events[-1].usage == Usage(7, 5)


# ---------------------------------------------------------------------------------------------
# Stream encoding


def _wire_events(data: bytes) -> list[tuple[str, dict]]:
    splitter = SSESplitter()
    raw = splitter.feed(data)
    assert splitter.pending() == b""
    events = []
    for item in raw:
        name, payload = event_fields(item)
        assert name is not None
        events.append((name, json.loads(payload)))
    return events


_DELTA_TYPES = {
    "text": {"text_delta"},
    "thinking": {"thinking_delta", "signature_delta"},
    "tool_use": {"input_json_delta"},
    "redacted_thinking": set(),
}


def assert_valid_anthropic_stream(events: list[tuple[str, dict]]) -> None:
    """What an Anthropic SDK relies on: start, ping, strictly sequential blocks, one end."""
    names = [name for name, _ in events]
    assert all(payload["type"] == name for name, payload in events)
    if names[-1] == "error":
        assert names.count("error") == 1
        assert set(events[-1][1]["error"]) == {"type", "message"}
        events, names = events[:-1], names[:-1]
        if not events:
            return
    else:
        assert names[-2:] == ["message_delta", "message_stop"]
        assert names.count("message_delta") == names.count("message_stop") == 1
    assert names[:2] == ["message_start", "ping"]
    assert names.count("message_start") == 1
    open_kind: str | None = None
    next_index = 0
    for name, payload in events[2:]:
        if name == "content_block_start":
            assert open_kind is None and payload["index"] == next_index
            open_kind = payload["content_block"]["type"]
        elif name == "content_block_delta":
            assert open_kind is not None and payload["index"] == next_index
            assert payload["delta"]["type"] in _DELTA_TYPES[open_kind]
        elif name == "content_block_stop":
            assert open_kind is not None and payload["index"] == next_index
            open_kind, next_index = None, next_index + 1
        else:
            assert open_kind is None and name in ("message_delta", "message_stop")


def _encode(events: list, request: Request | None = None, close: bool = True) -> bytes:
    encoder = am.stream_encoder(request or _request())
    data = b"".join(encoder.encode(event) for event in events)
    return data + (encoder.close() if close else b"")


CANONICAL_STREAM = [
    MessageStart("msg_abc", "claude-x", Usage(130, 1, cache_read_tokens=100, cache_write_tokens=5)),
    BlockStart(0, ThinkingPart("")),
    BlockDelta(0, text="Hmm, "),
    BlockDelta(0, text="weather."),
    BlockDelta(0, signature="sig=="),
    BlockStop(0),
    BlockStart(1, TextPart("")),
    BlockDelta(1, text="Checking ☀"),
    BlockStop(1),
    BlockStart(2, ToolUsePart("toolu_1", "get_weather", "")),
    BlockDelta(2, arguments='{"city":'),
    BlockDelta(2, arguments=' "Paris"}'),
    BlockStop(2),
    BlockStart(3, RedactedThinkingPart("opaque")),
    BlockStop(3),
    MessageDelta("tool_use", None, Usage(130, 42, cache_read_tokens=100, cache_write_tokens=5)),
    MessageStop(),
]


def test_encode_then_decode_round_trips() -> None:
    data = _encode(CANONICAL_STREAM)
    wire = _wire_events(data)
    assert_valid_anthropic_stream(wire)
    assert wire[0][1]["message"]["usage"] == {
        "input_tokens": 25,
        "cache_creation_input_tokens": 5,
        "cache_read_input_tokens": 100,
        "output_tokens": 1,
    }
    assert wire[-2][1] == {
        "type": "message_delta",
        "delta": {"stop_reason": "tool_use", "stop_sequence": None},
        "usage": {
            "input_tokens": 25,
            "cache_creation_input_tokens": 5,
            "cache_read_input_tokens": 100,
            "output_tokens": 42,
        },
    }
    assert _decode_in_pieces(data, 1) == CANONICAL_STREAM


def test_decode_encode_decode_is_stable() -> None:
    events = _decode_in_pieces(STREAM, 2)
    data = _encode(events)
    wire = _wire_events(data)
    assert_valid_anthropic_stream(wire)
    assert _decode_in_pieces(data, 4) == events
    blocks = [p["content_block"]["type"] for n, p in wire if n == "content_block_start"]
    assert blocks == ["thinking", "text", "tool_use"]


def test_encoder_synthesizes_message_start() -> None:
    request = _request(model="claude-requested")
    wire = _wire_events(_encode([BlockStart(0, TextPart("")), BlockDelta(0, text="hi")], request))
    assert_valid_anthropic_stream(wire)
    message = wire[0][1]["message"]
    assert message["id"].startswith("msg_") and message["model"] == "claude-requested"
    assert message["content"] == [] and message["stop_reason"] is None
    assert [n for n, _ in wire] == [
        "message_start",
        "ping",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert wire[-2][1]["delta"]["stop_reason"] == "end_turn"


def test_encoder_holds_interleaved_blocks_back() -> None:
    events = [
        MessageStart("m", "c"),
        BlockStart(0, TextPart("")),
        BlockDelta(0, text="Let me "),
        BlockStart(1, ToolUsePart("t1", "f", "")),
        BlockDelta(1, arguments='{"a":'),
        BlockDelta(0, text="check."),
        BlockStart(2, ToolUsePart("t2", "g", '{"b":2}')),
        BlockDelta(1, arguments="1}"),
        MessageDelta("tool_use"),
        MessageStop(),
    ]
    wire = _wire_events(_encode(events, close=False))
    assert_valid_anthropic_stream(wire)
    decoded = am.stream_decoder().feed(_encode(events))
    merged = _merge_deltas(decoded)
    assert merged[0]["text"] == "Let me check."
    assert merged[1]["arguments"] == '{"a":1}' and merged[2]["arguments"] == '{"b":2}'
    tools = [
        e.part for e in decoded if isinstance(e, BlockStart) and isinstance(e.part, ToolUsePart)
    ]
    assert [(t.id, t.name) for t in tools] == [("t1", "f"), ("t2", "g")]


def test_encoder_completes_a_truncated_stream() -> None:
    encoder = am.stream_encoder(_request())
    data = encoder.encode(MessageStart("m", "c", Usage(10, 1)))
    data += encoder.encode(BlockStart(0, ToolUsePart("t", "f", "")))
    data += encoder.encode(BlockDelta(0, arguments='{"x"'))
    tail = encoder.close()
    assert [n for n, _ in _wire_events(tail)] == [
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert_valid_anthropic_stream(_wire_events(data + tail))
    assert encoder.close() == b"" and encoder.encode(MessageStop()) == b""


def test_encoder_with_no_events_still_sends_a_message() -> None:
    wire = _wire_events(am.stream_encoder(_request()).close())
    assert_valid_anthropic_stream(wire)
    assert [n for n, _ in wire] == ["message_start", "ping", "message_delta", "message_stop"]


def test_stream_error_ends_the_stream() -> None:
    encoder = am.stream_encoder(_request())
    head = encoder.encode(MessageStart("m", "c")) + encoder.encode(BlockStart(0, TextPart("")))
    error = encoder.encode(StreamError(529, "Overloaded", "overloaded_error"))
    assert error == (
        b'event: error\ndata: {"type":"error","error":'
        b'{"type":"overloaded_error","message":"Overloaded"}}\n\n'
    )
    assert encoder.encode(BlockDelta(0, text="late")) == b"" and encoder.close() == b""
    assert_valid_anthropic_stream(_wire_events(head + error))
    only = am.stream_encoder(_request()).encode(StreamError(502, "down"))
    assert [n for n, _ in _wire_events(only)] == ["error"]


def test_cut_upstream_becomes_an_error_event() -> None:
    decoder = am.stream_decoder()
    cut = decoder.feed(_sse(START)) + decoder.close()
    wire = _wire_events(_encode(cut))
    assert_valid_anthropic_stream(wire)
    assert wire[-1][0] == "error" and wire[-1][1]["error"]["type"] == "api_error"


def test_message_deltas_are_merged_into_one() -> None:
    events = [
        BlockStart(0, TextPart("hi")),
        MessageDelta("max_tokens"),
        MessageDelta(None, None, Usage(3, 2)),  # OpenAI sends usage in a chunk of its own
        MessageStop(),
    ]
    wire = _wire_events(_encode(events))
    assert_valid_anthropic_stream(wire)
    delta = wire[-2][1]
    assert delta["delta"]["stop_reason"] == "max_tokens"
    assert delta["usage"]["input_tokens"] == 3 and delta["usage"]["output_tokens"] == 2
    assert wire[3][1]["delta"] == {"type": "text_delta", "text": "hi"}


def _random_canonical_events(rng: random.Random) -> list:
    parts = [
        TextPart(""),
        ThinkingPart(""),
        ToolUsePart("t", "f", ""),
        RedactedThinkingPart("r"),
        ImagePart(url="u"),
        TextPart("pre"),
    ]
    events: list = []
    for _ in range(rng.randint(0, 25)):
        index = rng.randint(0, 4)
        events.append(
            rng.choice(
                [
                    MessageStart("m", "c", Usage(5, 1)),
                    BlockStart(index, rng.choice(parts)),
                    BlockDelta(index, text="x"),
                    BlockDelta(index, arguments="{"),
                    BlockDelta(index, signature="s"),
                    BlockStop(index),
                    MessageDelta(
                        rng.choice([None, "end_turn", "error", "tool_use"]), None, Usage(5, 2)
                    ),
                    MessageStop(),
                    StreamError(500, "e"),
                ]
            )
        )
    return events


@pytest.mark.parametrize("seed", range(10))
def test_encoder_output_is_always_valid(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        events = _random_canonical_events(rng)
        assert_valid_anthropic_stream(_wire_events(_encode(events)))


# ---------------------------------------------------------------------------------------------
# Malformed input


MALFORMED: list[tuple[Any, str | None]] = [
    (None, None),
    ([], None),
    ("{}", None),
    ({}, "model"),
    ({"model": "", "messages": []}, "model"),
    ({"model": "  ", "messages": []}, "model"),
    ({"model": 5, "messages": []}, "model"),
    ({"model": "m"}, "messages"),
    ({"model": "m", "messages": {}}, "messages"),
    ({"model": "m", "messages": [5]}, "messages[0]"),
    ({"model": "m", "messages": [{"role": "bot", "content": "x"}]}, "messages[0].role"),
    ({"model": "m", "messages": [{"role": ["user"], "content": "x"}]}, "messages[0].role"),
    ({"model": "m", "messages": [{"role": "user"}]}, "messages[0].content"),
    ({"model": "m", "messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
    ({"model": "m", "messages": [{"role": "user", "content": [5]}]}, "messages[0].content[0]"),
    (
        {"model": "m", "messages": [{"role": "user", "content": [{"type": 5}]}]},
        "messages[0].content[0]",
    ),
    (
        {"model": "m", "messages": [{"role": "user", "content": [{"type": "text"}]}]},
        "messages[0].content[0].text",
    ),
    (
        {"model": "m", "messages": [{"role": "user", "content": [{"type": "text", "text": 1}]}]},
        "messages[0].content[0].text",
    ),
    (
        {
            "model": "m",
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "a", "cache_control": "e"}]}
            ],
        },
        "messages[0].content[0].cache_control",
    ),
    (
        {"model": "m", "messages": [{"role": "user", "content": [{"type": "image"}]}]},
        "messages[0].content[0].source",
    ),
    (
        {
            "model": "m",
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "image", "source": {"type": "base64", "media_type": "image/png"}}
                    ],
                }
            ],
        },
        "messages[0].content[0].source.data",
    ),
    (
        {
            "model": "m",
            "messages": [
                {
                    "role": "user",
                    "content": [{"type": "image", "source": {"type": "url", "url": 3}}],
                }
            ],
        },
        "messages[0].content[0].source.url",
    ),
    (
        {
            "model": "m",
            "messages": [
                {"role": "user", "content": [{"type": "document", "source": {"type": "text"}}]}
            ],
        },
        "messages[0].content[0].source.data",
    ),
    (
        {
            "model": "m",
            "messages": [
                {"role": "assistant", "content": [{"type": "tool_use", "name": "f", "input": {}}]}
            ],
        },
        "messages[0].content[0].id",
    ),
    (
        {
            "model": "m",
            "messages": [
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": "t", "name": "f", "input": []}],
                }
            ],
        },
        "messages[0].content[0].input",
    ),
    (
        {"model": "m", "messages": [{"role": "user", "content": [{"type": "tool_result"}]}]},
        "messages[0].content[0].tool_use_id",
    ),
    (
        {
            "model": "m",
            "messages": [
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": "t", "content": 5}],
                }
            ],
        },
        "messages[0].content[0].content",
    ),
    (
        {
            "model": "m",
            "messages": [
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": "t", "content": [7]}],
                }
            ],
        },
        "messages[0].content[0].content[0]",
    ),
    (
        {
            "model": "m",
            "messages": [
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": "t", "is_error": "yes"}],
                }
            ],
        },
        "messages[0].content[0].is_error",
    ),
    (
        {
            "model": "m",
            "messages": [
                {"role": "assistant", "content": [{"type": "thinking", "signature": "s"}]}
            ],
        },
        "messages[0].content[0].thinking",
    ),
    (
        {
            "model": "m",
            "messages": [
                {
                    "role": "assistant",
                    "content": [{"type": "thinking", "thinking": "t", "signature": 1}],
                }
            ],
        },
        "messages[0].content[0].signature",
    ),
    (
        {
            "model": "m",
            "messages": [{"role": "assistant", "content": [{"type": "redacted_thinking"}]}],
        },
        "messages[0].content[0].data",
    ),
    ({"model": "m", "messages": [], "max_tokens": 0}, "max_tokens"),
    ({"model": "m", "messages": [], "max_tokens": -5}, "max_tokens"),
    ({"model": "m", "messages": [], "max_tokens": "10"}, "max_tokens"),
    ({"model": "m", "messages": [], "max_tokens": True}, "max_tokens"),
    ({"model": "m", "messages": [], "max_tokens": 1.5}, "max_tokens"),
    ({"model": "m", "messages": [], "temperature": "hot"}, "temperature"),
    ({"model": "m", "messages": [], "top_p": [1]}, "top_p"),
    ({"model": "m", "messages": [], "top_k": 1.5}, "top_k"),
    ({"model": "m", "messages": [], "stop_sequences": "END"}, "stop_sequences"),
    ({"model": "m", "messages": [], "stop_sequences": [1]}, "stop_sequences"),
    ({"model": "m", "messages": [], "stream": "yes"}, "stream"),
    ({"model": "m", "messages": [], "system": 5}, "system"),
    ({"model": "m", "messages": [], "system": [{"type": "image"}]}, "system[0]"),
    ({"model": "m", "messages": [], "system": [{"type": "text"}]}, "system[0].text"),
    ({"model": "m", "messages": [], "tools": {}}, "tools"),
    ({"model": "m", "messages": [], "tools": [5]}, "tools[0]"),
    ({"model": "m", "messages": [], "tools": [{"description": "d"}]}, "tools[0].name"),
    (
        {"model": "m", "messages": [], "tools": [{"name": "f", "input_schema": []}]},
        "tools[0].input_schema",
    ),
    ({"model": "m", "messages": [], "tools": [{"name": "f", "type": 5}]}, "tools[0].type"),
    ({"model": "m", "messages": [], "tool_choice": "auto"}, "tool_choice"),
    ({"model": "m", "messages": [], "tool_choice": {"type": "maybe"}}, "tool_choice.type"),
    ({"model": "m", "messages": [], "tool_choice": {"type": ["auto"]}}, "tool_choice.type"),
    ({"model": "m", "messages": [], "tool_choice": {"type": "tool"}}, "tool_choice.name"),
    (
        {
            "model": "m",
            "messages": [],
            "tool_choice": {"type": "auto", "disable_parallel_tool_use": 1},
        },
        "tool_choice.disable_parallel_tool_use",
    ),
    ({"model": "m", "messages": [], "thinking": "on"}, "thinking"),
    ({"model": "m", "messages": [], "thinking": {"type": "sometimes"}}, "thinking.type"),
    ({"model": "m", "messages": [], "thinking": {"type": "enabled"}}, "thinking.budget_tokens"),
    (
        {"model": "m", "messages": [], "thinking": {"type": "enabled", "budget_tokens": "1k"}},
        "thinking.budget_tokens",
    ),
    ({"model": "m", "messages": [], "metadata": []}, "metadata"),
    ({"model": "m", "messages": [], "metadata": {"user_id": 5}}, "metadata.user_id"),
    ({"model": "m", "messages": [], "output_config": {"effort": 5}}, "output_config.effort"),
    ({"model": "m", "messages": [], "output_config": "high"}, "output_config"),
]


@pytest.mark.parametrize(("body", "param"), MALFORMED)
def test_malformed_body_is_a_400(body: Any, param: str | None) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        am.parse_request(body)
    assert caught.value.status == 400
    assert caught.value.param == param


def test_minimal_and_lenient_bodies_parse() -> None:
    request = am.parse_request({"model": " claude ", "messages": []})
    assert request.model == "claude" and request.max_tokens is None and request.messages == ()
    unknown = {"type": "container_upload", "file_id": "f"}
    body = {"model": "m", "messages": [{"role": "user", "content": [unknown]}]}
    request = am.parse_request(body)
    assert request.messages == (Message("user", ()),)
    assert am.build_request(request)["messages"] == [{"role": "user", "content": [unknown]}]


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


JUNK: list[Any] = [
    None,
    0,
    -1,
    2.5,
    True,
    "",
    "x",
    [],
    [1],
    [None],
    {},
    {"type": 5},
    {"type": "text"},
]


def _mutate(body: Any, rng: random.Random) -> Any:
    for _ in range(rng.randint(1, 3)):
        paths = _paths(body)
        if not paths:
            return rng.choice(JUNK)
        *parents, last = rng.choice(paths)
        target = body
        for key in parents:
            target = target[key]
        if isinstance(target, dict) and rng.random() < 0.3:
            del target[last]
        else:
            target[last] = copy.deepcopy(rng.choice(JUNK))
    return body


@pytest.mark.parametrize("seed", range(20))
def test_fuzzed_bodies_never_crash(seed: int) -> None:
    rng = random.Random(seed)
    bases = [RICH_REQUEST] + [param.values[0] for param in CLIENT_BODIES[:3]]
    for _ in range(150):
        body = _mutate(copy.deepcopy(rng.choice(bases)), rng)
        try:
            request = am.parse_request(body)
        except InvalidRequestError:
            continue
        am.build_request(request)
        am.parse_request(am.build_request(request))


@pytest.mark.parametrize("seed", range(10))
def test_fuzzed_answers_never_crash(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(100):
        body = _mutate(copy.deepcopy(RESPONSE), rng)
        try:
            response = am.parse_response(body)
        except GatewayError as error:
            assert error.status == 502
            continue
        am.build_response(response)
        am.usage_of(body)


@pytest.mark.parametrize("seed", range(30))
def test_fuzzed_streams_decode_and_re_encode_validly(seed: int) -> None:
    rng = random.Random(seed)
    events = []
    for name, payload in _wire_events(STREAM):
        if rng.random() < 0.15:
            payload = _mutate(payload, rng)
        if rng.random() > 0.05:
            events.append((name, payload))
    data = _sse(*events)
    if rng.random() < 0.5:
        data = data[: rng.randint(0, len(data))]  # the connection drops
    decoded = _decode_in_pieces(data, seed)
    assert_valid_anthropic_stream(_wire_events(_encode(decoded)))
    noise = bytes(rng.randrange(256) for _ in range(200))
    decoder = am.stream_decoder()
    decoder.feed(noise + b"\n\n" + noise)
    decoder.close()
