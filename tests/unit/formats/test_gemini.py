"""The Gemini wire format: requests, answers, schemas, errors and streams, without network."""

from __future__ import annotations

import copy
import json
import random
from dataclasses import replace

import pytest

from omniroute.errors import (
    AuthenticationError,
    GatewayError,
    InvalidRequestError,
    ModelNotFoundError,
    PayloadTooLargeError,
    ServiceUnavailableError,
    UpstreamTimeoutError,
)
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
from omniroute.formats.gemini.parts import SYNTHETIC_ID_PREFIX
from omniroute.formats.gemini.schema import sanitize_schema, to_json_schema
from omniroute.formats.gemini.wire import WIRE as gemini
from tests.formats import gemini_samples as samples

# ---------------------------------------------------------------------------------------------
# Requests


@pytest.mark.parametrize("name", sorted(samples.GOLDEN_REQUESTS))
def test_golden_request_round_trips(name):
    body = samples.GOLDEN_REQUESTS[name]
    original = copy.deepcopy(body)
    request = gemini.parse_request(body)
    assert request.model == "" and request.stream is False
    assert gemini.build_request(request) == original
    assert body == original  # parsing does not modify the body


def test_multi_turn_maps_to_canonical_fields():
    request = gemini.parse_request(samples.MULTI_TURN)
    assert [m.role for m in request.messages] == ["user", "assistant", "user"]
    assert request.messages[2].text == "Tell me a joke.Short please."
    assert request.system_text == "You are terse.\n\nNo emojis."
    assert (request.max_tokens, request.temperature, request.top_p, request.top_k) == (
        256,
        0.2,
        0.9,
        40,
    )
    assert request.stop == ("END",)
    assert request.extra["gemini.generationConfig"] == {"candidateCount": 1, "seed": 7}
    assert request.extra["gemini.safetySettings"] == samples.MULTI_TURN["safetySettings"]
    assert request.extra["gemini.cachedContent"] == "cachedContents/abc123"


def test_function_calls_without_ids_get_stable_ids_matched_by_name_in_order():
    request = gemini.parse_request(samples.TOOLS_NO_IDS)
    calls = request.messages[1].parts
    results = request.messages[2].parts
    assert [c.id for c in calls] == [SYNTHETIC_ID_PREFIX + "0", SYNTHETIC_ID_PREFIX + "1"]
    assert [r.tool_use_id for r in results] == [c.id for c in calls]
    assert calls[1].input == {"city": "Rome", "unit": "C"}
    assert results[0].text == '{"temp":21}' and results[1].text == "rainy"
    assert all(r.name == "get_weather" and not r.is_error for r in results)
    assert gemini.parse_request(samples.TOOLS_NO_IDS) == request  # stable
    assert "gemini.functionIds" not in request.extra
    assert request.extra["gemini.tools"] == [{"googleSearch": {}}]
    assert request.tool_choice == ToolChoice("auto")
    built = gemini.build_request(request)
    assert "id" not in json.dumps(built["contents"])  # synthesized ids never reach Gemini


def test_function_ids_are_kept_and_sent_back_only_when_the_client_used_them():
    request = gemini.parse_request(samples.TOOLS_WITH_IDS)
    call, result = request.messages[1].parts[0], request.messages[2].parts[0]
    assert call == ToolUsePart(id="fc-1", name="get_weather", arguments='{"city":"Oslo"}')
    assert result.tool_use_id == "fc-1" and result.is_error and result.text == "service down"
    assert request.extra["gemini.functionIds"] is True
    assert request.tool_choice == ToolChoice("tool", name="get_weather")
    assert "gemini.toolConfig" not in request.extra


def test_snake_case_input_parses_like_camel_case():
    camel = gemini.parse_request(samples.TOOLS_WITH_IDS)
    snake = gemini.parse_request(samples.TOOLS_WITH_IDS_SNAKE)
    assert snake == camel
    assert gemini.build_request(snake) == samples.TOOLS_WITH_IDS


def test_snake_case_generation_config_is_emitted_in_camel_case():
    body = {
        "contents": [{"parts": [{"text": "hi"}]}],
        "system_instruction": {"parts": [{"text": "sys"}]},
        "generation_config": {
            "max_output_tokens": 10,
            "top_k": 3,
            "response_mime_type": "application/json",
            "thinking_config": {"thinking_budget": 0},
            "presence_penalty": 0.5,
        },
        "safety_settings": [],
    }
    request = gemini.parse_request(body)
    assert request.max_tokens == 10 and request.top_k == 3
    assert request.response_format == ResponseFormat("json_object")
    assert request.reasoning == Reasoning(enabled=False)
    assert gemini.build_request(request) == {
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
        "systemInstruction": {"parts": [{"text": "sys"}]},
        "generationConfig": {
            "maxOutputTokens": 10,
            "topK": 3,
            "responseMimeType": "application/json",
            "thinkingConfig": {"thinkingBudget": 0},
            "presencePenalty": 0.5,
        },
        "safetySettings": [],
    }


def test_media_parts():
    parts = gemini.parse_request(samples.MEDIA).messages[0].parts
    assert parts[1] == ImagePart(media_type="image/png", data="iVBORw0KGgo=")
    assert parts[2] == ImagePart(media_type="image/jpeg", url="gs://bucket/cat.jpg")
    assert parts[3] == DocumentPart(media_type="application/pdf", url="https://x.test/a.pdf")
    assert parts[4] == DocumentPart(media_type="audio/mp3", data="SUQz")


def test_thought_signatures_become_thinking_parts_before_their_part():
    request = gemini.parse_request(samples.THINKING)
    assert request.messages[1].parts == (
        ThinkingPart(text="The user wants a plan.", signature="sigA"),
        ThinkingPart(text="Check the weather first."),
        ThinkingPart(signature="sigT"),
        TextPart("Let me check."),
        ThinkingPart(signature="sigF"),
        ToolUsePart(id=SYNTHETIC_ID_PREFIX + "0", name="get_weather", arguments='{"city":"Lima"}'),
        ThinkingPart(signature="sigEnd"),
    )
    assert request.reasoning == Reasoning(budget_tokens=2048, summary="auto")


def test_json_schema_response_format():
    request = gemini.parse_request(samples.JSON_SCHEMA)
    fmt = request.response_format
    assert fmt.kind == "json_schema"
    assert fmt.schema["properties"]["note"] == {"type": ["string", "null"]}
    assert request.reasoning == Reasoning(effort="low")
    raw = gemini.parse_request(samples.JSON_SCHEMA_RAW)
    assert raw.response_format.schema["additionalProperties"] is False
    assert raw.extra["gemini.responseJsonSchema"] is True
    assert raw.extra["gemini.parametersJsonSchema"] == ["plot"]


def test_upper_case_openapi_types_become_json_schema():
    body = {
        "contents": [{"parts": [{"text": "x"}]}],
        "tools": [
            {
                "functionDeclarations": [
                    {
                        "name": "f",
                        "parameters": {
                            "type": "OBJECT",
                            "properties": {
                                "a": {"type": "ARRAY", "items": {"type": "INTEGER"}},
                                "b": {"type": "STRING", "nullable": True},
                            },
                        },
                    }
                ]
            }
        ],
    }
    tool = gemini.parse_request(body).tools[0]
    assert tool.parameters == {
        "type": "object",
        "properties": {
            "a": {"type": "array", "items": {"type": "integer"}},
            "b": {"type": ["string", "null"]},
        },
    }


@pytest.mark.parametrize(
    ("config", "choice", "kept"),
    [
        ({"mode": "NONE"}, ToolChoice("none"), False),
        ({"mode": "any"}, ToolChoice("required"), False),
        ({"mode": "ANY", "allowedFunctionNames": ["a", "b"]}, ToolChoice("required"), True),
        ({"mode": "VALIDATED"}, ToolChoice("auto"), True),
        ({}, ToolChoice("auto"), False),
    ],
)
def test_tool_config_modes(config, choice, kept):
    body = {
        "contents": [{"parts": [{"text": "x"}]}],
        "toolConfig": {"functionCallingConfig": config},
    }
    request = gemini.parse_request(body)
    assert request.tool_choice == choice
    assert ("gemini.toolConfig" in request.extra) is kept
    if kept:
        assert gemini.build_request(request)["toolConfig"] == body["toolConfig"]


def test_thinking_config_variants():
    def reasoning(config):
        body = {
            "contents": [{"parts": [{"text": "x"}]}],
            "generationConfig": {"thinkingConfig": config},
        }
        return gemini.parse_request(body).reasoning

    assert reasoning({"thinkingBudget": -1}) == Reasoning()
    assert reasoning({"thinkingBudget": 0}) == Reasoning(enabled=False)
    assert reasoning({"thinkingLevel": "HIGH"}) == Reasoning(effort="high")
    assert reasoning({"includeThoughts": True}) == Reasoning(summary="auto")

    def built(value):
        request = Request(model="m", messages=(Message("user", (TextPart("x"),)),), reasoning=value)
        return gemini.build_request(request)["generationConfig"]["thinkingConfig"]

    assert built(Reasoning()) == {"thinkingBudget": -1}
    # an effort becomes thinkingBudget (Gemini 2.5 rejects thinkingLevel), from the README's
    # table, capped at 24,576 (Gemini 2.5 Flash's largest budget)
    assert built(Reasoning(effort="minimal")) == {"thinkingBudget": 1024}
    assert built(Reasoning(effort="low")) == {"thinkingBudget": 2048}
    assert built(Reasoning(effort="high")) == {"thinkingBudget": 24576}
    assert built(Reasoning(effort="xhigh")) == {"thinkingBudget": 24576}
    assert built(Reasoning(effort="none")) == {"thinkingBudget": 0}
    assert built(Reasoning(effort="medium", summary="detailed")) == {
        "includeThoughts": True,
        "thinkingBudget": 8192,
    }
    assert built(Reasoning(budget_tokens=500, effort="low")) == {"thinkingBudget": 500}
    assert built(Reasoning(enabled=False, summary="auto")) == {"thinkingBudget": 0}


def test_a_gemini_clients_own_thinking_config_is_sent_back_unchanged():
    for config in ({"thinkingLevel": "HIGH"}, {"thinkingBudget": 32768, "includeThoughts": True}):
        body = {
            "contents": [{"parts": [{"text": "x"}]}],
            "generationConfig": {"thinkingConfig": config},
        }
        built = gemini.build_request(gemini.parse_request(body))
        assert built["generationConfig"] == {"thinkingConfig": config}


def test_build_request_from_another_format():
    """A canonical request as another format would produce it (ids, names, system, schemas)."""
    request = Request(
        model="gemini-2.5-pro",
        system=(TextPart("Be nice."),),
        messages=(
            Message("user", (TextPart("Look", cache_control={"type": "ephemeral"}),)),
            Message("system", (TextPart("Mid-conversation rule."),)),
            Message(
                "user",
                (
                    ImagePart(url="data:image/webp;base64,AAAA"),
                    ImagePart(url="https://x.test/a.png"),
                ),
            ),
            Message(
                "assistant",
                (
                    ThinkingPart(text="thought", encrypted="opaque"),
                    ThinkingPart(encrypted="only-encrypted"),
                    ToolUsePart(id="call_abc", name="lookup", arguments='{"q": "x"}'),
                ),
            ),
            Message(
                "user",
                (
                    ToolResultPart("call_abc", content=(TextPart("found"), ImagePart(data="QQ=="))),
                    ToolResultPart("call_abc", content=(TextPart('{"n": 1}'),)),
                    ToolResultPart("call_abc", content=(TextPart("boom"),), is_error=True),
                ),
            ),
        ),
        tools=(
            Tool("lookup", "Search", {"type": "object", "properties": {}}),
            Tool(
                "strict_tool",
                parameters={
                    "type": "object",
                    "properties": {"q": {"type": "string", "default": "x"}},
                    "required": ["q"],
                    "additionalProperties": False,
                },
                strict=True,
            ),
        ),
        tool_choice=ToolChoice("required"),
        response_format=ResponseFormat(
            "json_schema", schema={"type": "object", "additionalProperties": False}, name="r"
        ),
        stream=True,
    )
    body = gemini.build_request(request)
    assert body["systemInstruction"] == {
        "parts": [{"text": "Be nice."}, {"text": "Mid-conversation rule."}]
    }
    assert [c["role"] for c in body["contents"]] == ["user", "user", "model", "user"]
    assert body["contents"][1]["parts"] == [
        {"inlineData": {"mimeType": "image/webp", "data": "AAAA"}},
        {"fileData": {"mimeType": "image/png", "fileUri": "https://x.test/a.png"}},
    ]
    assert body["contents"][2]["parts"] == [
        {"thought": True, "text": "thought"},
        {"functionCall": {"name": "lookup", "args": {"q": "x"}}},
    ]
    assert body["contents"][3]["parts"] == [
        {"functionResponse": {"name": "lookup", "response": {"output": "found"}}},
        {"inlineData": {"mimeType": "image/jpeg", "data": "QQ=="}},
        {"functionResponse": {"name": "lookup", "response": {"n": 1}}},
        {"functionResponse": {"name": "lookup", "response": {"error": "boom"}}},
    ]
    assert body["tools"] == [
        {
            "functionDeclarations": [
                {"name": "lookup", "description": "Search"},
                {
                    "name": "strict_tool",
                    "parameters": {
                        "type": "object",
                        "properties": {"q": {"type": "string"}},
                        "required": ["q"],
                    },
                },
            ]
        }
    ]
    assert body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    assert body["generationConfig"] == {
        "responseMimeType": "application/json",
        "responseSchema": {"type": "object"},
    }
    assert "model" not in body and "stream" not in body


def test_tool_result_name_falls_back_and_no_thinking_left_dangling():
    request = Request(
        model="m",
        messages=(
            Message("assistant", (ThinkingPart(signature="s1"), ThinkingPart(signature="s2"))),
            Message("user", (ToolResultPart("unknown_id", content=(TextPart("x"),)),)),
        ),
    )
    body = gemini.build_request(request)
    assert body["contents"][0]["parts"] == [
        {"text": "", "thoughtSignature": "s1"},
        {"text": "", "thoughtSignature": "s2"},
    ]
    assert body["contents"][1]["parts"][0]["functionResponse"]["name"] == "unknown_id"


# ---------------------------------------------------------------------------------------------
# Validation and fuzzing


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ([], None),
        ({}, "contents"),
        ({"contents": "hi"}, "contents"),
        ({"contents": []}, "contents"),
        ({"contents": ["x"]}, "contents[0]"),
        ({"contents": [{"role": "assistant", "parts": []}]}, "contents[0].role"),
        ({"contents": [{"role": ["user"], "parts": []}]}, "contents[0].role"),
        ({"contents": [{"parts": {"text": "x"}}]}, "contents[0].parts"),
        ({"contents": [{"parts": ["x"]}]}, "contents[0].parts[0]"),
        ({"contents": [{"parts": [{"text": 5}]}]}, "contents[0].parts[0].text"),
        (
            {"contents": [{"parts": [{"text": "a", "thought": "yes"}]}]},
            "contents[0].parts[0].thought",
        ),
        ({"contents": [{"parts": [{"inlineData": "x"}]}]}, "contents[0].parts[0].inlineData"),
        (
            {"contents": [{"parts": [{"inlineData": {"mimeType": "image/png"}}]}]},
            "contents[0].parts[0].inlineData.data",
        ),
        (
            {"contents": [{"parts": [{"fileData": {"mimeType": "image/png"}}]}]},
            "contents[0].parts[0].fileData.fileUri",
        ),
        (
            {"contents": [{"parts": [{"functionCall": {"args": {}}}]}]},
            "contents[0].parts[0].functionCall.name",
        ),
        (
            {"contents": [{"parts": [{"functionCall": {"name": "f", "args": [1]}}]}]},
            "contents[0].parts[0].functionCall.args",
        ),
        (
            {"contents": [{"parts": [{"functionResponse": {"name": "f", "response": "ok"}}]}]},
            "contents[0].parts[0].functionResponse.response",
        ),
        (
            {"contents": [{"parts": [{"text": "a", "thoughtSignature": 1}]}]},
            "contents[0].parts[0].thoughtSignature",
        ),
        ({"contents": [{"parts": []}], "systemInstruction": 3}, "systemInstruction.parts"),
        (
            {"contents": [{"parts": []}], "systemInstruction": {"parts": [{}]}},
            "systemInstruction.parts[0].text",
        ),
        ({"contents": [{"parts": []}], "tools": {}}, "tools"),
        ({"contents": [{"parts": []}], "tools": [1]}, "tools[0]"),
        (
            {"contents": [{"parts": []}], "tools": [{"functionDeclarations": {}}]},
            "tools[0].functionDeclarations",
        ),
        (
            {"contents": [{"parts": []}], "tools": [{"functionDeclarations": [{"name": ""}]}]},
            "tools[0].functionDeclarations[0].name",
        ),
        (
            {
                "contents": [{"parts": []}],
                "tools": [{"functionDeclarations": [{"name": "f", "parameters": []}]}],
            },
            "tools[0].functionDeclarations[0].parameters",
        ),
        ({"contents": [{"parts": []}], "toolConfig": []}, "toolConfig"),
        (
            {"contents": [{"parts": []}], "toolConfig": {"functionCallingConfig": {"mode": "X"}}},
            "toolConfig.functionCallingConfig.mode",
        ),
        (
            {
                "contents": [{"parts": []}],
                "toolConfig": {"functionCallingConfig": {"allowedFunctionNames": "f"}},
            },
            "toolConfig.functionCallingConfig.allowedFunctionNames",
        ),
        ({"contents": [{"parts": []}], "generationConfig": 1}, "generationConfig"),
        (
            {"contents": [{"parts": []}], "generationConfig": {"maxOutputTokens": "10"}},
            "generationConfig.maxOutputTokens",
        ),
        (
            {"contents": [{"parts": []}], "generationConfig": {"topK": 1.5}},
            "generationConfig.topK",
        ),
        (
            {"contents": [{"parts": []}], "generationConfig": {"temperature": True}},
            "generationConfig.temperature",
        ),
        (
            {"contents": [{"parts": []}], "generationConfig": {"stopSequences": "END"}},
            "generationConfig.stopSequences",
        ),
        (
            {"contents": [{"parts": []}], "generationConfig": {"responseMimeType": 1}},
            "generationConfig.responseMimeType",
        ),
        (
            {
                "contents": [{"parts": []}],
                "generationConfig": {"responseMimeType": "application/json", "responseSchema": 1},
            },
            "generationConfig.responseSchema",
        ),
        (
            {"contents": [{"parts": []}], "generationConfig": {"thinkingConfig": []}},
            "generationConfig.thinkingConfig",
        ),
        (
            {
                "contents": [{"parts": []}],
                "generationConfig": {"thinkingConfig": {"includeThoughts": "yes"}},
            },
            "generationConfig.thinkingConfig.includeThoughts",
        ),
    ],
)
def test_malformed_bodies_name_the_field(body, param):
    with pytest.raises(InvalidRequestError) as caught:
        gemini.parse_request(body)
    assert caught.value.status == 400
    assert caught.value.param == param


_JUNK = [None, 0, -1, 1.5, True, "", "x", [], [1], {}, {"a": 1}, [{}], {"text": 1}]


def _mutations(value, rng, depth=0):
    """A copy of value with one randomly chosen node replaced by junk (or deleted)."""
    if depth > 0 and rng.random() < 0.25:
        return rng.choice(_JUNK)
    if isinstance(value, dict) and value:
        key = rng.choice(list(value))
        out = dict(value)
        if rng.random() < 0.1:
            del out[key]
        else:
            out[key] = _mutations(value[key], rng, depth + 1)
        return out
    if isinstance(value, list) and value:
        index = rng.randrange(len(value))
        out = list(value)
        out[index] = _mutations(value[index], rng, depth + 1)
        return out
    return rng.choice(_JUNK)


def test_fuzzed_request_bodies_never_raise_anything_but_invalid_request():
    rng = random.Random(1234)
    bodies = list(samples.GOLDEN_REQUESTS.values()) + [samples.TOOLS_WITH_IDS_SNAKE]
    accepted = rejected = 0
    for _ in range(4000):
        body = _mutations(rng.choice(bodies), rng)
        try:
            request = gemini.parse_request(body)
        except InvalidRequestError as exc:
            assert exc.status == 400
            rejected += 1
            continue
        accepted += 1
        json.dumps(gemini.build_request(request))  # and what was accepted builds
    assert accepted > 100 and rejected > 100


def test_fuzzed_responses_and_streams_never_raise():
    rng = random.Random(99)
    for _ in range(2000):
        body = _mutations(rng.choice([samples.RESPONSE, samples.PLAIN_RESPONSE]), rng)
        response = gemini.parse_response(body)
        json.dumps(gemini.build_response(response))
        gemini.usage_of(body if isinstance(body, dict) else {})
    for _ in range(300):
        chunk = _mutations(rng.choice(samples.STREAM_CHUNKS), rng)
        decoder = gemini.stream_decoder()
        events = decoder.feed(b"data: " + json.dumps(chunk).encode() + b"\n\n") + decoder.close()
        encoder = gemini.stream_encoder(Request(model="m", messages=()))
        for event in events:
            encoder.encode(event)
        encoder.close()
    garbage = bytes(rng.randrange(256) for _ in range(5000))
    decoder = gemini.stream_decoder()
    decoder.feed(garbage)
    decoder.close()


# ---------------------------------------------------------------------------------------------
# Schema sanitizer


def _nested(keyword_schema: dict) -> dict:
    """keyword_schema placed at the top, inside a property, inside items and inside anyOf."""
    return {
        "type": "object",
        **keyword_schema,
        "properties": {
            "p": {"type": "string", **keyword_schema},
            "list": {"type": "array", "items": {"type": "string", **keyword_schema}},
            "either": {"anyOf": [{"type": "string", **keyword_schema}, {"type": "integer"}]},
        },
    }


@pytest.mark.parametrize(
    "keyword",
    [
        {"additionalProperties": False},
        {"$schema": "https://json-schema.org/draft/2020-12/schema"},
        {"$id": "urn:x"},
        {"$comment": "c"},
        {"uniqueItems": True},
        {"prefixItems": [{"type": "string"}]},
        {"patternProperties": {"^x": {"type": "string"}}},
        {"exclusiveMinimum": 0},
        {"exclusiveMaximum": 10},
        {"multipleOf": 2},
        {"default": "d"},
        {"examples": ["e"]},
        {"example": "e"},
        {"deprecated": True},
        {"readOnly": True},
        {"writeOnly": True},
        {"title": "T"},
        {"x-google-extension": 1},
        {"x-order": 3},
        {"not": {"type": "null"}},
        {"if": {}, "then": {}, "else": {}},
        {"propertyNames": {"pattern": "^a"}},
        {"unevaluatedProperties": False},
        {"contentEncoding": "base64", "contentMediaType": "image/png"},
        {"dependentRequired": {"a": ["b"]}},
        {"strict": True},
    ],
)
def test_sanitizer_drops_keyword_everywhere(keyword):
    out = sanitize_schema(_nested(keyword))
    text = json.dumps(out)
    for key in keyword:
        assert f'"{key}"' not in text
    assert out["properties"]["p"]["type"] == "string"
    assert out["properties"]["list"]["items"]["type"] == "string"
    assert out["properties"]["either"]["anyOf"][0]["type"] == "string"


def test_sanitizer_keeps_supported_keywords_and_property_names_that_look_like_keywords():
    schema = {
        "type": "object",
        "description": "d",
        "properties": {
            "title": {"type": "string", "minLength": 1, "maxLength": 5, "pattern": "^a"},
            "x-id": {"type": "integer", "minimum": 0, "maximum": 9, "format": "int64"},
            "default": {"type": "number", "format": "double"},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 3},
            "when": {"type": "string", "format": "date-time"},
        },
        "required": ["title", "x-id"],
        "minProperties": 1,
        "maxProperties": 5,
        "propertyOrdering": ["title", "x-id"],
    }
    assert sanitize_schema(schema) == schema


def test_sanitizer_does_not_modify_its_input():
    schema = _nested({"additionalProperties": False, "const": "a"})
    before = copy.deepcopy(schema)
    sanitize_schema(schema)
    assert schema == before


def test_sanitizer_type_lists_become_nullable():
    assert sanitize_schema({"type": ["string", "null"]}) == {"type": "string", "nullable": True}
    assert sanitize_schema({"type": ["null", "INTEGER"]}) == {"type": "integer", "nullable": True}
    assert sanitize_schema({"type": "null"}) == {"nullable": True}
    assert sanitize_schema({"type": ["string", "integer", "null"]}) == {
        "nullable": True,
        "anyOf": [{"type": "string"}, {"type": "integer"}],
    }
    nested = sanitize_schema(
        {"type": "object", "properties": {"a": {"type": ["array", "null"], "items": {}}}}
    )
    assert nested["properties"]["a"] == {"type": "array", "nullable": True, "items": {}}


def test_sanitizer_any_of_null_branch_collapses():
    schema = {"anyOf": [{"type": "string", "description": "s"}, {"type": "null"}]}
    assert sanitize_schema(schema) == {"type": "string", "description": "s", "nullable": True}
    both = {"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}
    assert sanitize_schema(both) == {
        "nullable": True,
        "anyOf": [{"type": "string"}, {"type": "integer"}],
    }


def test_sanitizer_arrays_get_items():
    schema = {
        "type": "object",
        "properties": {
            "bare": {"type": "array"},
            "nested": {"type": "array", "items": {"type": "array"}},
            "tuple": {"type": "array", "items": [{"type": "number"}, {"type": "string"}]},
            "prefix": {"type": "array", "prefixItems": [{"type": "boolean"}]},
        },
    }
    props = sanitize_schema(schema)["properties"]
    assert props["bare"] == {"type": "array", "items": {}}
    assert props["nested"] == {"type": "array", "items": {"type": "array", "items": {}}}
    assert props["tuple"] == {"type": "array", "items": {"type": "number"}}
    assert props["prefix"] == {"type": "array", "items": {"type": "boolean"}}


def test_sanitizer_const_enum_and_format():
    assert sanitize_schema({"const": "on"}) == {"type": "string", "enum": ["on"]}
    assert sanitize_schema({"type": "string", "const": "on"}) == {"type": "string", "enum": ["on"]}
    assert sanitize_schema({"const": 3}) == {}
    assert sanitize_schema({"type": "integer", "enum": [1, 2]}) == {"type": "integer"}
    assert sanitize_schema({"type": "string", "enum": ["a", None]}) == {
        "type": "string",
        "enum": ["a"],
        "nullable": True,
    }
    assert sanitize_schema({"enum": ["a", "b"]}) == {"type": "string", "enum": ["a", "b"]}
    assert sanitize_schema({"type": "string", "format": "email"}) == {"type": "string"}
    assert sanitize_schema({"type": "integer", "format": "int32"}) == {
        "type": "integer",
        "format": "int32",
    }
    assert sanitize_schema({"type": "number", "format": "int32"}) == {"type": "number"}


def test_sanitizer_inlines_refs_and_merges_all_of():
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {
            "Point": {"type": "object", "properties": {"x": {"type": "number"}}, "title": "P"},
            "Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}},
        },
        "definitions": {"Name": {"type": "string", "minLength": 1}},
        "properties": {
            "at": {"$ref": "#/$defs/Point", "description": "where"},
            "name": {"$ref": "#/definitions/Name"},
            "list": {"type": "array", "items": {"$ref": "#/$defs/Point"}},
            "node": {"$ref": "#/$defs/Node"},
            "remote": {"$ref": "https://example.com/schema.json", "type": "string"},
            "both": {
                "allOf": [
                    {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                    {"properties": {"b": {"type": "integer"}}, "required": ["b"]},
                ]
            },
        },
    }
    props = sanitize_schema(schema)["properties"]
    assert props["at"] == {
        "type": "object",
        "description": "where",
        "properties": {"x": {"type": "number"}},
    }
    assert props["name"] == {"type": "string", "minLength": 1}
    assert props["list"]["items"] == {"type": "object", "properties": {"x": {"type": "number"}}}
    assert props["node"] == {
        "type": "object",
        "properties": {"next": {"type": "object"}},  # the recursion is cut after one level
    }
    assert props["remote"] == {"type": "string"}
    assert props["both"] == {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
    }


def test_sanitizer_required_only_names_defined_properties_and_depth_is_bounded():
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a", "zz"]}
    assert sanitize_schema(schema)["required"] == ["a"]
    deep: dict = {"type": "string"}
    for _ in range(200):
        deep = {"type": "object", "properties": {"d": deep}}
    json.dumps(sanitize_schema(deep))  # no RecursionError
    assert sanitize_schema("not a schema") == {}


def test_to_json_schema_inverts_the_openapi_subset():
    schema = {
        "type": "OBJECT",
        "properties": {"a": {"anyOf": [{"type": "STRING"}], "nullable": True}},
        "nullable": False,
    }
    assert to_json_schema(schema) == {
        "type": "object",
        "properties": {"a": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
    }


# ---------------------------------------------------------------------------------------------
# Answers


def test_golden_response_parses_and_builds_back():
    response = gemini.parse_response(samples.RESPONSE)
    assert response.id == "resp-1" and response.model == "gemini-2.5-pro"
    assert response.stop_reason == "tool_use"
    assert response.usage == Usage(
        input_tokens=120, output_tokens=55, cache_read_tokens=100, reasoning_tokens=25
    )
    call = response.parts[4]
    assert response.parts[:4] == (
        ThinkingPart(text="Thinking about Paris."),
        ThinkingPart(signature="sigT"),
        TextPart("Let me look that up."),
        ThinkingPart(signature="sigF"),
    )
    assert call.name == "get_weather" and call.input == {"city": "Paris"}
    assert call.id.startswith(SYNTHETIC_ID_PREFIX)
    assert gemini.build_response(response) == samples.RESPONSE


def test_response_call_ids_are_unique_across_answers():
    first = gemini.parse_response(samples.RESPONSE).parts[4].id
    second = gemini.parse_response(samples.RESPONSE).parts[4].id
    assert first != second


def test_plain_response_and_no_phantom_tokens():
    response = gemini.parse_response(samples.PLAIN_RESPONSE)
    assert response.stop_reason == "max_tokens"
    assert response.usage == Usage(input_tokens=5, output_tokens=3)
    assert gemini.build_response(response) == samples.PLAIN_RESPONSE
    assert gemini.usage_of(samples.PLAIN_RESPONSE) == Usage(input_tokens=5, output_tokens=3)
    assert gemini.usage_of({"candidates": []}) is None


def test_usage_building_subtracts_reasoning_from_candidates():
    response = Response(
        id="x",
        model="m",
        parts=(TextPart("a"),),
        usage=Usage(input_tokens=10, output_tokens=7, cache_read_tokens=3, reasoning_tokens=4),
    )
    assert gemini.build_response(response)["usageMetadata"] == {
        "promptTokenCount": 10,
        "candidatesTokenCount": 3,
        "cachedContentTokenCount": 3,
        "thoughtsTokenCount": 4,
        "totalTokenCount": 17,
    }
    assert gemini.usage_of({"usageMetadata": {"promptTokenCount": 8, "toolUsePromptTokenCount": 2}})
    assert gemini.usage_of(
        {"usageMetadata": {"promptTokenCount": 8, "toolUsePromptTokenCount": 2}}
    ) == Usage(input_tokens=10)


@pytest.mark.parametrize(
    ("finish", "calls", "stop"),
    [
        ("STOP", False, "end_turn"),
        ("STOP", True, "tool_use"),
        ("MAX_TOKENS", False, "max_tokens"),
        ("SAFETY", False, "refusal"),
        ("RECITATION", False, "refusal"),
        ("PROHIBITED_CONTENT", False, "refusal"),
        ("OTHER", False, "refusal"),
        ("MALFORMED_FUNCTION_CALL", False, "error"),
    ],
)
def test_finish_reasons(finish, calls, stop):
    parts = [{"functionCall": {"name": "f", "args": {}}}] if calls else [{"text": "t"}]
    body = {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": finish}]}
    assert gemini.parse_response(body).stop_reason == stop


@pytest.mark.parametrize(
    ("stop", "finish"),
    [
        ("end_turn", "STOP"),
        ("tool_use", "STOP"),
        ("stop_sequence", "STOP"),
        ("max_tokens", "MAX_TOKENS"),
        ("refusal", "SAFETY"),
        ("error", "OTHER"),
        (None, "STOP"),
    ],
)
def test_stop_reasons_to_finish_reasons(stop, finish):
    response = Response(id="x", model="m", parts=(), stop_reason=stop)
    assert gemini.build_response(response)["candidates"][0]["finishReason"] == finish


def test_blocked_prompt_is_a_refusal():
    body = {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 4}}
    response = gemini.parse_response(body)
    assert response.parts == () and response.stop_reason == "refusal"
    assert response.usage == Usage(input_tokens=4)


def test_foreign_tool_ids_are_shown_to_gemini_clients():
    response = Response(
        id="msg_1",
        model="claude",
        parts=(ToolUsePart(id="toolu_1", name="f", arguments='{"a":1}'),),
        stop_reason="tool_use",
    )
    part = gemini.build_response(response)["candidates"][0]["content"]["parts"][0]
    assert part == {"functionCall": {"name": "f", "args": {"a": 1}, "id": "toolu_1"}}


# ---------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (InvalidRequestError("bad"), 400, "INVALID_ARGUMENT"),
        (AuthenticationError("who"), 401, "UNAUTHENTICATED"),
        (GatewayError("no", status=403), 403, "PERMISSION_DENIED"),
        (ModelNotFoundError("gone"), 404, "NOT_FOUND"),
        (PayloadTooLargeError("big"), 413, "INVALID_ARGUMENT"),
        (GatewayError("slow down", status=429), 429, "RESOURCE_EXHAUSTED"),
        (GatewayError("oops"), 500, "INTERNAL"),
        (ServiceUnavailableError("busy"), 503, "UNAVAILABLE"),
        (UpstreamTimeoutError("late", provider="p"), 504, "DEADLINE_EXCEEDED"),
    ],
)
def test_error_body(error, code, status):
    body = gemini.error_body(error)
    assert body == {"error": {"code": code, "message": error.message, "status": status}}


def test_error_body_names_the_field():
    body = gemini.error_body(InvalidRequestError("bad role", param="contents[0].role"))
    violation = body["error"]["details"][0]["fieldViolations"][0]
    assert violation == {"field": "contents[0].role", "description": "bad role"}


def test_parse_error_shapes():
    expected = (
        "Resource has been exhausted (e.g. check quota).",
        "RESOURCE_EXHAUSTED",
        "RATE_LIMIT_EXCEEDED",
    )
    assert gemini.parse_error(json.dumps(samples.ERROR_BODY).encode()) == expected
    assert gemini.parse_error(json.dumps([samples.ERROR_BODY]).encode()) == expected
    plain = {"error": {"code": 400, "message": "Bad key", "status": "INVALID_ARGUMENT"}}
    assert gemini.parse_error(json.dumps(plain).encode()) == ("Bad key", "INVALID_ARGUMENT", None)
    assert gemini.parse_error(b"<html>502 Bad Gateway</html>") == (
        "<html>502 Bad Gateway</html>",
        None,
        None,
    )
    assert gemini.parse_error(b"") == ("no error message", None, None)
    assert gemini.parse_error(b'{"error": "flat"}') == ("flat", None, None)
    assert gemini.parse_error(b'{"error": {}}')[0] == "no error message"
    assert gemini.parse_error(b"\xff\xfe")[1] is None


# ---------------------------------------------------------------------------------------------
# Streams


def _transcript() -> bytes:
    return b"".join(
        b"data: " + json.dumps(c, ensure_ascii=False).encode() + b"\r\n\r\n"
        for c in samples.STREAM_CHUNKS
    )


def _normalize_ids(events):
    """Synthesized tool ids are random per stream: replace them by their order."""
    out, seen = [], {}
    for event in events:
        if isinstance(event, BlockStart) and isinstance(event.part, ToolUsePart):
            part = event.part
            if part.id.startswith(SYNTHETIC_ID_PREFIX):
                seen.setdefault(part.id, f"synthetic-{len(seen)}")
                event = replace(event, part=replace(part, id=seen[part.id]))
        out.append(event)
    return out


EXPECTED_STREAM = [
    MessageStart(id="r1", model="gemini-2.5-flash", usage=Usage(input_tokens=10)),
    BlockStart(0, ThinkingPart()),
    BlockDelta(0, text="Thinking"),
    BlockDelta(0, text=" more"),
    BlockStop(0),
    BlockStart(1, ThinkingPart()),
    BlockDelta(1, signature="sigT"),
    BlockStop(1),
    BlockStart(2, TextPart("")),
    BlockDelta(2, text="Héllo"),
    BlockDelta(2, text=" wörld ✓"),
    BlockStop(2),
    BlockStart(3, ThinkingPart()),
    BlockDelta(3, signature="sigF"),
    BlockStop(3),
    BlockStart(4, ToolUsePart(id="synthetic-0", name="get_weather", arguments="")),
    BlockDelta(4, arguments='{"city":"Paris"}'),
    BlockStop(4),
    MessageDelta(
        stop_reason="tool_use",
        usage=Usage(input_tokens=10, output_tokens=25, cache_read_tokens=4, reasoning_tokens=5),
    ),
    MessageStop(),
]


def test_stream_decodes_whole_transcript():
    decoder = gemini.stream_decoder()
    events = decoder.feed(_transcript())
    assert decoder.close() == []
    assert _normalize_ids(events) == EXPECTED_STREAM


@pytest.mark.parametrize("seed", range(5))
def test_stream_decodes_transcript_fed_one_to_seven_bytes_at_a_time(seed):
    rng = random.Random(seed)
    data, events, at = _transcript(), [], 0
    decoder = gemini.stream_decoder()
    while at < len(data):
        size = rng.randint(1, 7)
        events.extend(decoder.feed(data[at : at + size]))
        at += size
    events.extend(decoder.close())
    assert _normalize_ids(events) == EXPECTED_STREAM


def test_stream_without_trailing_blank_line_or_finish_ends_in_an_error_on_close():
    chunk = {"candidates": [{"content": {"parts": [{"text": "partial"}]}}], "responseId": "r"}
    decoder = gemini.stream_decoder()
    assert decoder.feed(b"data: " + json.dumps(chunk).encode()) == []
    events = decoder.close()
    assert [type(e).__name__ for e in events] == [
        "MessageStart",
        "BlockStart",
        "BlockDelta",
        "StreamError",
    ]
    assert events[-1] == cut_stream_error()  # no finishReason: cut short, not a clean stop
    assert gemini.stream_decoder().close() == [cut_stream_error()]


def test_stream_error_chunk_becomes_stream_error():
    decoder = gemini.stream_decoder()
    first = {"candidates": [{"content": {"parts": [{"text": "a"}]}}]}
    events = decoder.feed(
        b"data: " + json.dumps(first).encode() + b"\n\n"
        b"data: " + json.dumps(samples.ERROR_BODY).encode() + b"\n\n"
        b"data: " + json.dumps(first).encode() + b"\n\n"
    )
    assert events[-1] == StreamError(
        status=429,
        message="Resource has been exhausted (e.g. check quota).",
        type="RESOURCE_EXHAUSTED",
    )
    assert decoder.close() == []
    bad = gemini.stream_decoder().feed(b"data: {not json\n\n")
    assert len(bad) == 1 and isinstance(bad[0], StreamError) and bad[0].status == 502


def test_stream_blocked_prompt():
    decoder = gemini.stream_decoder()
    chunk = {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}}
    events = decoder.feed(b"data: " + json.dumps(chunk).encode() + b"\n\n")
    assert events[-2].stop_reason == "refusal" and events[-1] == MessageStop()


def _assemble(events):
    """(parts, stop reason, usage, errors) told by a canonical event sequence."""
    parts, open_parts, stop, usage, errors = [], {}, None, None, []
    for event in events:
        if isinstance(event, BlockStart):
            open_parts[event.index] = {"part": event.part, "text": "", "args": "", "sig": None}
        elif isinstance(event, BlockDelta):
            block = open_parts[event.index]
            block["text"] += event.text
            block["args"] += event.arguments
            block["sig"] = event.signature or block["sig"]
        elif isinstance(event, BlockStop):
            block = open_parts.pop(event.index)
            part = block["part"]
            if isinstance(part, TextPart):
                part = TextPart(block["text"])
            elif isinstance(part, ThinkingPart):
                part = ThinkingPart(text=block["text"], signature=block["sig"])
            elif isinstance(part, ToolUsePart):
                part = (part.id, part.name, json.loads(block["args"] or "{}"))
            parts.append(part)
        elif isinstance(event, MessageDelta):
            stop, usage = event.stop_reason, event.usage
        elif isinstance(event, StreamError):
            errors.append((event.status, event.message))
    return parts, stop, usage, errors


def _through_gemini(events, request=None):
    encoder = gemini.stream_encoder(request or Request(model="gemini-x", messages=()))
    wire = b"".join(encoder.encode(e) for e in events) + encoder.close()
    decoder = gemini.stream_decoder()
    decoded = []
    for at in range(0, len(wire), 5):
        decoded.extend(decoder.feed(wire[at : at + 5]))
    return wire, decoded + decoder.close()


ANTHROPIC_LIKE = [
    MessageStart(id="msg_1", model="claude-x", usage=Usage(input_tokens=50, cache_read_tokens=10)),
    BlockStart(0, ThinkingPart()),
    BlockDelta(0, text="Let me "),
    BlockDelta(0, text="think."),
    BlockDelta(0, signature="anth-sig"),
    BlockStop(0),
    BlockStart(1, TextPart("")),
    BlockDelta(1, text="Hi "),
    BlockDelta(1, text="there"),
    BlockStop(1),
    BlockStart(2, ToolUsePart(id="toolu_1", name="search", arguments="")),
    BlockDelta(2, arguments='{"q":'),
    BlockDelta(2, arguments=' "cats", "n"'),
    BlockDelta(2, arguments=": 3}"),
    BlockStop(2),
    BlockStart(3, ToolUsePart(id="toolu_2", name="search", arguments="")),
    BlockDelta(3, arguments='{"q": "dogs"}'),
    BlockStop(3),
    MessageDelta(stop_reason="tool_use", usage=Usage(output_tokens=30, reasoning_tokens=8)),
    MessageStop(),
]


def test_encoder_decoder_round_trip_with_split_tool_arguments():
    wire, decoded = _through_gemini(ANTHROPIC_LIKE)
    assert _assemble(decoded) == (
        [
            ThinkingPart(text="Let me think.", signature="anth-sig"),
            TextPart("Hi there"),
            ("toolu_1", "search", {"q": "cats", "n": 3}),
            ("toolu_2", "search", {"q": "dogs"}),
        ],
        "tool_use",
        Usage(input_tokens=50, output_tokens=30, cache_read_tokens=10, reasoning_tokens=8),
        [],
    )
    assert decoded[0] == MessageStart(
        id="msg_1", model="claude-x", usage=Usage(input_tokens=50, cache_read_tokens=10)
    )
    chunks = [json.loads(line[6:]) for line in wire.split(b"\n\n") if line]
    assert all(c["responseId"] == "msg_1" for c in chunks)
    calls = [
        p["functionCall"]
        for c in chunks
        for p in c["candidates"][0]["content"]["parts"]
        if "functionCall" in p
    ]
    assert calls == [
        {"name": "search", "args": {"q": "cats", "n": 3}, "id": "toolu_1"},
        {"name": "search", "args": {"q": "dogs"}, "id": "toolu_2"},
    ]
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"
    assert chunks[-1]["usageMetadata"] == {
        "promptTokenCount": 50,
        "candidatesTokenCount": 22,
        "cachedContentTokenCount": 10,
        "thoughtsTokenCount": 8,
        "totalTokenCount": 80,
    }


def test_gemini_transcript_survives_decode_encode_decode():
    first = gemini.stream_decoder()
    events = first.feed(_transcript()) + first.close()
    wire, again = _through_gemini(events)
    assert _assemble(_normalize_ids(again)) == _assemble(_normalize_ids(events))
    assert b"call_gemini" not in wire  # synthesized ids stay inside the gateway
    assert b'"thoughtSignature":"sigF"' in wire


def test_signature_only_thinking_attaches_to_next_part_and_trails_at_the_end():
    events = [
        MessageStart(id="r", model="m"),
        BlockStart(0, ThinkingPart()),
        BlockDelta(0, signature="s-text"),
        BlockStop(0),
        BlockStart(1, TextPart("")),
        BlockDelta(1, text="answer"),
        BlockStop(1),
        BlockStart(2, ThinkingPart()),
        BlockDelta(2, signature="s-end"),
        BlockStop(2),
        MessageDelta(stop_reason="end_turn", usage=Usage(3, 4)),
        MessageStop(),
    ]
    wire, decoded = _through_gemini(events)
    chunks = [json.loads(line[6:]) for line in wire.split(b"\n\n") if line]
    assert chunks[0]["candidates"][0]["content"]["parts"] == [
        {"text": "answer", "thoughtSignature": "s-text"}
    ]
    assert chunks[-1]["candidates"][0]["content"]["parts"] == [
        {"text": "", "thoughtSignature": "s-end"}
    ]
    assert _assemble(decoded)[0] == [
        ThinkingPart(signature="s-text"),
        TextPart("answer"),
        ThinkingPart(signature="s-end"),
    ]


def test_max_tokens_text_stream_and_image_block():
    events = [
        MessageStart(id="c1", model="gpt-x"),
        BlockStart(0, TextPart("")),
        BlockDelta(0, text="cut o"),
        BlockStop(0),
        BlockStart(1, ImagePart(media_type="image/png", data="AAAA")),
        BlockStop(1),
        MessageDelta(stop_reason="max_tokens", usage=Usage(input_tokens=2, output_tokens=9)),
        MessageStop(),
    ]
    _, decoded = _through_gemini(events)
    assert _assemble(decoded) == (
        [TextPart("cut o"), ImagePart(media_type="image/png", data="AAAA")],
        "max_tokens",
        Usage(input_tokens=2, output_tokens=9),
        [],
    )


def test_encoder_stream_error_is_gemini_error_chunk_and_ends_stream():
    encoder = gemini.stream_encoder(Request(model="m", messages=()))
    encoder.encode(MessageStart(id="r", model="m"))
    assert encoder.encode(BlockStart(0, TextPart(""))) == b""
    text = encoder.encode(BlockDelta(0, text="par"))
    error = encoder.encode(StreamError(status=503, message="upstream broke"))
    assert text.startswith(b"data: {")
    assert error == (
        b'data: {"error":{"code":503,"message":"upstream broke","status":"UNAVAILABLE"}}\n\n'
    )
    assert encoder.encode(BlockDelta(0, text="more")) == b""
    assert encoder.close() == b""
    decoder = gemini.stream_decoder()
    decoded = decoder.feed(text + error) + decoder.close()
    assert decoded[-1] == StreamError(status=503, message="upstream broke", type="UNAVAILABLE")


def test_encoder_close_ends_a_stream_that_did_not_end():
    encoder = gemini.stream_encoder(Request(model="gemini-fallback", messages=()))
    out = encoder.encode(MessageStart(id="r", model=""))
    out += encoder.encode(BlockStart(0, ToolUsePart(id="t1", name="f", arguments="")))
    out += encoder.encode(BlockDelta(0, arguments='{"a": [1, 2]'))  # cut short: invalid JSON
    out += encoder.close()
    chunks = [json.loads(line[6:]) for line in out.split(b"\n\n") if line]
    assert chunks[0]["candidates"][0]["content"]["parts"] == [
        {"functionCall": {"name": "f", "args": {}, "id": "t1"}}
    ]
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"
    assert chunks[-1]["modelVersion"] == "gemini-fallback"
    assert encoder.close() == b""
    empty = gemini.stream_encoder(Request(model="m", messages=())).close()
    assert json.loads(empty[6:])["candidates"][0]["finishReason"] == "STOP"


def test_module_interface():
    assert gemini.name == "gemini"
    for name in (
        "parse_request",
        "build_request",
        "parse_response",
        "build_response",
        "usage_of",
        "error_body",
        "parse_error",
        "stream_decoder",
        "stream_encoder",
    ):
        assert callable(getattr(gemini, name))
