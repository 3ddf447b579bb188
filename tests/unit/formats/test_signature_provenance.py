"""Thinking signatures reach only the provider that issued them (formats/signatures.py).

A provider's answer names its issuer on every signed part; a client of another format gets the
signature wrapped and gives it back; a provider request keeps only its own format's signatures
(the rest dropped and logged), and an Anthropic request leaves `thinking` out when the tool loop
in progress lacks the thinking block Anthropic requires first. Checked both ways between every
pair of formats that carry signatures, non-streamed and streamed.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import replace

import pytest

from omniroute.formats import canonical as c
from omniroute.formats import dropped
from omniroute.formats.gemini.parts import SKIP_SIGNATURE
from omniroute.formats.model_traits import ModelTraits
from omniroute.formats.registry import FORMATS
from omniroute.formats.signatures import WRAPPED_PREFIX, holds_wrapped, keep_own, unwrap, wrap

ANTHROPIC, GEMINI, RESPONSES, CHAT = (
    FORMATS[n] for n in ("anthropic", "gemini", "responses", "openai")
)
CLAUDE = "claude-sonnet-4-5"
ANTHROPIC_SIG = "EqQBCkYIBhgCKkDxZ3+fake/anthropic+signature=="
GEMINI_SIG = "CiQB0e2Kb7fake/gemini+thought+signature=="
REDACTED_DATA = "EmwKAhgBEgy3va3pzix/LafPsn4a"
ENCRYPTED = "gAAAAABpFfake_responses_encrypted_content=="
THOUGHT = "Paris weather needs a lookup."
WEATHER_DECLARATION = {
    "name": "get_weather",
    "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}},
}
GEMINI_TOOLS = [{"functionDeclarations": [WEATHER_DECLARATION]}]
WEATHER_TOOL = {
    "name": "get_weather",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}
INCLUDE_THOUGHTS = {"thinkingConfig": {"includeThoughts": True}}
GEMINI_3 = ModelTraits(reasoning=True, thinking="level")
GEMINI_25 = ModelTraits(reasoning=True, thinking="budget")


# ---------------------------------------------------------------------------------------------
# Answers of each provider, and what a client of each format sends back


def anthropic_answer(*blocks: dict) -> dict:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": CLAUDE,
        "content": list(blocks),
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 5},
    }


THINKING_BLOCK = {"type": "thinking", "thinking": THOUGHT, "signature": ANTHROPIC_SIG}
REDACTED_BLOCK = {"type": "redacted_thinking", "data": REDACTED_DATA}
TOOL_USE = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
GEMINI_CALL = {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}


def gemini_answer(*parts: dict) -> dict:
    return {
        "candidates": [
            {"content": {"role": "model", "parts": list(parts)}, "finishReason": "STOP"}
        ],
        "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5},
        "modelVersion": "gemini-3-pro-preview",
    }


def responses_answer() -> dict:
    reasoning = {
        "id": "rs_1",
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": THOUGHT}],
        "encrypted_content": ENCRYPTED,
    }
    call = {
        "id": "fc_1",
        "type": "function_call",
        "status": "completed",
        "call_id": "call_1",
        "name": "get_weather",
        "arguments": '{"city": "Paris"}',
    }
    return {"id": "resp_1", "status": "completed", "model": "gpt-5", "output": [reasoning, call]}


def gemini_loop(model_parts: list[dict], tools: bool = True) -> dict:
    """A Gemini client's second turn: the question, the model's turn, the tool's answer."""
    response = {"functionResponse": {"name": "get_weather", "response": {"output": "sunny"}}}
    body = {
        "contents": [
            {"role": "user", "parts": [{"text": "What is the weather in Paris?"}]},
            {"role": "model", "parts": model_parts},
            {"role": "user", "parts": [response]},
        ],
        "generationConfig": INCLUDE_THOUGHTS,
    }
    if tools:
        body["tools"] = GEMINI_TOOLS
    return body


def anthropic_loop(assistant: list[dict], call_id: str) -> dict:
    """An Anthropic client's second turn, with thinking on."""
    result = {"type": "tool_result", "tool_use_id": call_id, "content": "sunny"}
    return {
        "model": CLAUDE,
        "max_tokens": 4096,
        "thinking": {"type": "enabled", "budget_tokens": 2048},
        "tools": [WEATHER_TOOL],
        "messages": [
            {"role": "user", "content": "What is the weather in Paris?"},
            {"role": "assistant", "content": assistant},
            {"role": "user", "content": [result]},
        ],
    }


def responses_loop(output: list[dict]) -> dict:
    """A Responses client's second turn: the answer's items given back, then the result."""
    items = [{k: v for k, v in item.items() if k != "status"} for item in output]
    call_id = next(item["call_id"] for item in items if item["type"] == "function_call")
    return {
        "model": "some-model",
        "reasoning": {"effort": "medium"},
        "input": [
            {"role": "user", "content": "What is the weather in Paris?"},
            *items,
            {"type": "function_call_output", "call_id": call_id, "output": "sunny"},
        ],
    }


def to_claude(request: c.Request) -> dict:
    return ANTHROPIC.build_request(replace(request, model=CLAUDE))


def blocks(body: dict, kinds: tuple[str, ...] = ("thinking", "redacted_thinking")) -> list[dict]:
    return [
        block
        for message in body["messages"]
        if isinstance(message["content"], list)
        for block in message["content"]
        if block["type"] in kinds
    ]


def model_parts(body: dict) -> list[dict]:
    return [
        part
        for content in body["contents"]
        if content["role"] == "model"
        for part in content["parts"]
    ]


# ---------------------------------------------------------------------------------------------
# The wrapped form


def test_a_wrapped_value_names_its_issuer_and_survives_a_bytes_round_trip():
    wrapped = wrap("anthropic", ANTHROPIC_SIG)
    assert wrapped.startswith(WRAPPED_PREFIX) and "#" not in wrapped
    base64.b64decode(wrapped, validate=True)  # valid base64, as Gemini's bytes field wants
    assert unwrap(wrapped, "gemini") == ("anthropic", ANTHROPIC_SIG)
    # an SDK holding it as bytes may send it back in the URL-safe alphabet, without padding
    resent = base64.urlsafe_b64encode(base64.b64decode(wrapped)).decode().rstrip("=")
    assert unwrap(resent, "gemini") == ("anthropic", ANTHROPIC_SIG)


@pytest.mark.parametrize("value", [GEMINI_SIG, SKIP_SIGNATURE, WRAPPED_PREFIX + "AAAA", "x#y"])
def test_a_value_that_is_not_wrapped_belongs_to_the_clients_own_format(value):
    assert unwrap(value, "gemini") == ("gemini", value)


# ---------------------------------------------------------------------------------------------
# Gemini client → Anthropic provider (the defect)


def test_gemini_signatures_never_reach_anthropic_and_thinking_is_switched_off(caplog):
    thought = {"text": "I should look it up.", "thought": True, "thoughtSignature": GEMINI_SIG}
    call = {**GEMINI_CALL, "thoughtSignature": SKIP_SIGNATURE}
    request = GEMINI.parse_request(gemini_loop([thought, call]))
    assert request.reasoning is not None and not request.reasoning.is_off  # includeThoughts
    with caplog.at_level(logging.INFO, logger=dropped.log.name):
        body = to_claude(request)
    assert "thinking" not in body
    assert blocks(body) == []
    sent = json.dumps(body)
    assert SKIP_SIGNATURE not in sent and GEMINI_SIG not in sent
    assert blocks(body, ("tool_use",))[0]["name"] == "get_weather"  # the loop itself goes on
    assert "2 thinking signature(s) from gemini for anthropic" in caplog.text
    assert "dropping thinking for anthropic" in caplog.text


def test_thinking_stays_on_when_the_turn_in_progress_holds_no_tool_call():
    """An earlier tool loop without Anthropic's thinking does not matter once the user asks
    something new."""
    call = {**GEMINI_CALL, "thoughtSignature": SKIP_SIGNATURE}
    body = gemini_loop([call])
    body["contents"] += [
        {"role": "model", "parts": [{"text": "It is sunny."}]},
        {"role": "user", "parts": [{"text": "And in Oslo?"}]},
    ]
    sent = to_claude(GEMINI.parse_request(body))
    assert sent["thinking"]["type"] == "enabled"
    assert blocks(sent) == []


def test_each_drop_is_logged_once_per_request(caplog):
    call = {**GEMINI_CALL, "thoughtSignature": SKIP_SIGNATURE}
    request = replace(GEMINI.parse_request(gemini_loop([call])), drops=dropped.DropNotes("req-1"))
    with caplog.at_level(logging.INFO, logger=dropped.log.name):
        to_claude(request)
        to_claude(request)  # a second attempt of the same request
    lines = [r.getMessage() for r in caplog.records if "from gemini" in r.getMessage()]
    assert lines == ["req-1 dropping 1 thinking signature(s) from gemini for anthropic: "
                     "only the provider that issued it accepts it"]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Anthropic's signatures through clients of every other format, and back


def test_anthropic_thinking_survives_a_gemini_client_exactly():
    answer = GEMINI.build_response(
        ANTHROPIC.parse_response(anthropic_answer(THINKING_BLOCK, TOOL_USE))
    )
    parts = answer["candidates"][0]["content"]["parts"]
    thought, call = parts
    assert thought["thought"] is True and thought["text"] == THOUGHT
    assert thought["thoughtSignature"] != ANTHROPIC_SIG  # wrapped: only Anthropic may read it
    base64.b64decode(thought["thoughtSignature"], validate=True)
    sent = to_claude(GEMINI.parse_request(gemini_loop(parts)))
    assert sent["messages"][1]["content"][0] == THINKING_BLOCK
    assert sent["thinking"]["type"] == "enabled"
    # and a client that keeps signatures as bytes gives it back re-encoded: still restored
    resent = base64.urlsafe_b64encode(base64.b64decode(thought["thoughtSignature"])).decode()
    again = to_claude(
        GEMINI.parse_request(gemini_loop([{**thought, "thoughtSignature": resent}, call]))
    )
    assert again["messages"][1]["content"][0] == THINKING_BLOCK


def test_a_gemini_client_that_drops_thought_parts_gets_thinking_switched_off():
    answer = GEMINI.build_response(
        ANTHROPIC.parse_response(anthropic_answer(THINKING_BLOCK, TOOL_USE))
    )
    calls = [part for part in answer["candidates"][0]["content"]["parts"] if "functionCall" in part]
    sent = to_claude(GEMINI.parse_request(gemini_loop(calls)))
    assert "thinking" not in sent and blocks(sent) == []


def test_anthropic_thinking_survives_a_responses_client_exactly():
    answer = ANTHROPIC.parse_response(anthropic_answer(THINKING_BLOCK, TOOL_USE))
    output = RESPONSES.build_response(answer)["output"]
    reasoning = output[0]
    assert reasoning["type"] == "reasoning" and reasoning["encrypted_content"] != ANTHROPIC_SIG
    sent = to_claude(RESPONSES.parse_request(responses_loop(output)))
    assert sent["messages"][1]["content"][0] == THINKING_BLOCK
    assert sent["thinking"]["type"] == "enabled"
    # …and a Responses provider is not sent Anthropic's signature
    back = RESPONSES.build_request(RESPONSES.parse_request(responses_loop(output)))
    assert [item["type"] for item in back["input"]] == [
        "message",
        "function_call",
        "function_call_output",
    ]


@pytest.mark.parametrize("client", [GEMINI, RESPONSES], ids=lambda w: w.name)
def test_redacted_thinking_survives_a_client_of_another_format(client):
    answer = ANTHROPIC.parse_response(anthropic_answer(REDACTED_BLOCK, TOOL_USE))
    built = client.build_response(answer)
    if client is GEMINI:
        request = GEMINI.parse_request(gemini_loop(built["candidates"][0]["content"]["parts"]))
    else:
        request = RESPONSES.parse_request(responses_loop(built["output"]))
    sent = to_claude(request)
    assert sent["messages"][1]["content"][0] == REDACTED_BLOCK
    assert sent["thinking"]["type"] == "enabled"


def test_a_chat_client_never_sees_a_signature():
    answer = CHAT.build_response(
        ANTHROPIC.parse_response(anthropic_answer(THINKING_BLOCK, TOOL_USE))
    )
    assert ANTHROPIC_SIG not in json.dumps(answer)
    assert answer["choices"][0]["message"]["reasoning_content"] == THOUGHT


# ---------------------------------------------------------------------------------------------
# Gemini's and Responses' signatures through an Anthropic client, and back


def test_gemini_thought_signature_survives_an_anthropic_client_exactly():
    answer = ANTHROPIC.build_response(
        GEMINI.parse_response(gemini_answer({**GEMINI_CALL, "thoughtSignature": GEMINI_SIG}))
    )
    thinking, tool_use = answer["content"]
    assert thinking["type"] == "thinking" and thinking["signature"] != GEMINI_SIG
    request = ANTHROPIC.parse_request(anthropic_loop(answer["content"], tool_use["id"]))
    built = GEMINI.build_request(request)
    assert model_parts(built) == [{**GEMINI_CALL, "thoughtSignature": GEMINI_SIG}]
    # an Anthropic provider is not sent it: the loop goes on without thinking
    sent = to_claude(request)
    assert blocks(sent) == [] and "thinking" not in sent


def test_responses_reasoning_survives_an_anthropic_client_exactly():
    answer = ANTHROPIC.build_response(RESPONSES.parse_response(responses_answer()))
    thinking, tool_use = answer["content"]
    assert thinking["thinking"] == THOUGHT and ENCRYPTED not in thinking["signature"]
    request = ANTHROPIC.parse_request(anthropic_loop(answer["content"], tool_use["id"]))
    body = RESPONSES.build_request(request)
    [reasoning] = [item for item in body["input"] if item["type"] == "reasoning"]
    assert reasoning["id"] == "rs_1" and reasoning["encrypted_content"] == ENCRYPTED
    assert reasoning["summary"] == [{"type": "summary_text", "text": THOUGHT}]


# ---------------------------------------------------------------------------------------------
# Same format: untouched


def test_a_client_of_the_issuers_format_gets_the_signature_untouched():
    anthropic = ANTHROPIC.build_response(
        ANTHROPIC.parse_response(anthropic_answer(THINKING_BLOCK, TOOL_USE))
    )
    assert anthropic["content"][0] == THINKING_BLOCK
    signed_call = {**GEMINI_CALL, "thoughtSignature": GEMINI_SIG}
    gemini = GEMINI.build_response(GEMINI.parse_response(gemini_answer(signed_call)))
    assert gemini["candidates"][0]["content"]["parts"][0]["thoughtSignature"] == GEMINI_SIG
    responses = RESPONSES.build_response(RESPONSES.parse_response(responses_answer()))
    assert responses["output"][0]["encrypted_content"] == ENCRYPTED


def test_a_translated_same_format_request_keeps_its_signatures():
    request = ANTHROPIC.parse_request(anthropic_loop([THINKING_BLOCK, TOOL_USE], "toolu_1"))
    sent = ANTHROPIC.build_request(request)
    assert sent["messages"][1]["content"][0] == THINKING_BLOCK
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    gemini = GEMINI.build_request(
        GEMINI.parse_request(gemini_loop([{**GEMINI_CALL, "thoughtSignature": GEMINI_SIG}]))
    )
    assert model_parts(gemini) == [{**GEMINI_CALL, "thoughtSignature": GEMINI_SIG}]


# ---------------------------------------------------------------------------------------------
# Gemini 3 wants a signature on the calls of the turn in progress


def test_gemini_3_gets_the_documented_stand_in_for_calls_whose_signature_was_dropped():
    request = ANTHROPIC.parse_request(anthropic_loop([THINKING_BLOCK, TOOL_USE], "toolu_1"))
    gemini_3 = GEMINI.build_request(replace(request, traits=GEMINI_3))
    assert model_parts(gemini_3) == [
        {"thought": True, "text": THOUGHT},
        {**GEMINI_CALL, "thoughtSignature": SKIP_SIGNATURE},
    ]
    gemini_25 = GEMINI.build_request(replace(request, traits=GEMINI_25))
    assert model_parts(gemini_25)[1] == GEMINI_CALL  # older models take unsigned calls


def test_the_stand_in_goes_only_on_the_turn_in_progress_and_never_over_a_real_signature():
    body = gemini_loop([{**GEMINI_CALL, "thoughtSignature": GEMINI_SIG}, dict(GEMINI_CALL)])
    oslo_call = {"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}}
    rain = {"functionResponse": {"name": "get_weather", "response": {"output": "rain"}}}
    body["contents"][3:] = [
        {"role": "model", "parts": [{"text": "It is sunny."}]},
        {"role": "user", "parts": [{"text": "And in Oslo?"}]},
        {"role": "model", "parts": [oslo_call]},
        {"role": "user", "parts": [rain]},
    ]
    body["contents"][2]["parts"].append(dict(body["contents"][2]["parts"][0]))
    built = GEMINI.build_request(replace(GEMINI.parse_request(body), traits=GEMINI_3))
    first, _, oslo = (c for c in built["contents"] if c["role"] == "model")
    assert [p.get("thoughtSignature") for p in first["parts"]] == [GEMINI_SIG, None]
    assert oslo["parts"][0]["thoughtSignature"] == SKIP_SIGNATURE


# ---------------------------------------------------------------------------------------------
# The provider-side filter


def test_keep_own_keeps_the_text_of_foreign_thinking_and_parts_made_by_code():
    request = c.Request(
        model="m",
        messages=(
            c.Message("user", (c.TextPart("hi"),)),
            c.Message(
                "assistant",
                (
                    c.ThinkingPart("a", signature="s1", origin="anthropic"),
                    c.RedactedThinkingPart("r", origin="anthropic"),
                    c.ThinkingPart("b", signature="s2", origin="gemini"),
                    c.ThinkingPart("c", signature="made-by-code"),
                    c.TextPart("ok"),
                ),
            ),
        ),
    )
    assert keep_own(request, "anthropic").messages[1].parts[:2] == request.messages[1].parts[:2]
    kept = keep_own(request, "gemini").messages[1].parts
    assert kept == (
        c.ThinkingPart("a"),
        c.ThinkingPart("b", signature="s2"),
        c.ThinkingPart("c", signature="made-by-code"),
        c.TextPart("ok"),
    )
    assert kept[1].origin == "gemini" and kept[0].origin is None
    assert keep_own(request, "gemini").messages[0] is request.messages[0]


def test_a_signature_marked_before_provenance_was_kept_goes_to_no_provider():
    """Reasoning items written by an older gateway ("omniroute:signature:…") name no issuer."""
    item = {
        "type": "reasoning",
        "id": "rs_9",
        "summary": [],
        "encrypted_content": "omniroute:signature:" + ANTHROPIC_SIG,
    }
    body = responses_loop(
        [
            item,
            {
                "type": "function_call",
                "call_id": "call_1",
                "name": "get_weather",
                "arguments": "{}",
            },
        ]
    )
    sent = to_claude(RESPONSES.parse_request(body))
    assert ANTHROPIC_SIG not in json.dumps(sent) and "thinking" not in sent


# ---------------------------------------------------------------------------------------------
# Streams: decoders name the issuer, encoders wrap another format's signature


def named(name: str, **fields) -> tuple[str, dict]:
    """An SSE event whose data's `type` is its name (Anthropic and Responses streams)."""
    return name, {"type": name, **fields}


def sse(*events: tuple[str | None, dict]) -> bytes:
    out = b""
    for name, data in events:
        head = f"event: {name}\n" if name else ""
        out += f"{head}data: {json.dumps(data)}\n\n".encode()
    return out


def anthropic_stream() -> bytes:
    def delta(index: int, **payload) -> tuple[str, dict]:
        return named("content_block_delta", index=index, delta=payload)

    message = {**anthropic_answer(), "content": [], "stop_reason": None}
    thinking = {"type": "thinking", "thinking": "", "signature": ""}
    tool = {**TOOL_USE, "input": {}}
    return sse(
        named("message_start", message=message),
        named("content_block_start", index=0, content_block=thinking),
        delta(0, type="thinking_delta", thinking=THOUGHT[:10]),
        delta(0, type="thinking_delta", thinking=THOUGHT[10:]),
        delta(0, type="signature_delta", signature=ANTHROPIC_SIG),
        named("content_block_stop", index=0),
        named("content_block_start", index=1, content_block=tool),
        delta(1, type="input_json_delta", partial_json='{"city": "Paris"}'),
        named("content_block_stop", index=1),
        named("message_delta", delta={"stop_reason": "tool_use"}, usage={"output_tokens": 5}),
        named("message_stop"),
    )


def relay(provider, client, raw: bytes, request: c.Request | None = None) -> list[dict]:
    """The provider's stream as the client's SSE events (their JSON data)."""
    decoder = provider.stream_decoder()
    encoder = client.stream_encoder(request or c.Request(model="m", messages=(), stream=True))
    events = decoder.feed(raw) + decoder.close()
    out = b"".join(encoder.encode(event) for event in events) + encoder.close()
    datas = [line[6:] for line in out.decode().splitlines() if line.startswith("data: ")]
    return [json.loads(data) for data in datas if data.strip() != "[DONE]"]


def test_a_streamed_anthropic_signature_survives_a_gemini_client():
    chunks = relay(ANTHROPIC, GEMINI, anthropic_stream())
    parts = [
        p
        for chunk in chunks
        for p in chunk.get("candidates", [{}])[0].get("content", {}).get("parts", [])
    ]
    signed = [p for p in parts if p.get("thoughtSignature")]
    assert len(signed) == 1 and signed[0]["thoughtSignature"] != ANTHROPIC_SIG
    assert [p["text"] for p in parts if p.get("thought")] == [THOUGHT[:10], THOUGHT[10:], ""]
    sent = to_claude(GEMINI.parse_request(gemini_loop(parts)))  # the parts as the client got them
    assert sent["messages"][1]["content"][0] == THINKING_BLOCK


def test_a_streamed_anthropic_signature_survives_a_responses_client():
    events = relay(ANTHROPIC, RESPONSES, anthropic_stream())
    done = [e["item"] for e in events if e.get("type") == "response.output_item.done"]
    assert done[0]["type"] == "reasoning" and done[0]["encrypted_content"] != ANTHROPIC_SIG
    sent = to_claude(RESPONSES.parse_request(responses_loop(done)))
    assert sent["messages"][1]["content"][0] == THINKING_BLOCK


def test_a_streamed_anthropic_signature_reaches_an_anthropic_client_untouched():
    events = relay(ANTHROPIC, ANTHROPIC, anthropic_stream())
    signatures = [
        e["delta"]["signature"]
        for e in events
        if e.get("delta", {}).get("type") == "signature_delta"
    ]
    assert signatures == [ANTHROPIC_SIG]


def anthropic_blocks(events: list[dict]) -> list[dict]:
    """The content blocks an Anthropic client puts together from a stream."""
    content: list[dict] = []
    for event in events:
        if event["type"] == "content_block_start":
            content.append(dict(event["content_block"]))
        elif event["type"] == "content_block_delta":
            block, delta = content[-1], event["delta"]
            if delta["type"] == "thinking_delta":
                block["thinking"] += delta["thinking"]
            elif delta["type"] == "signature_delta":
                block["signature"] += delta["signature"]
            elif delta["type"] == "input_json_delta":
                block["partial"] = block.get("partial", "") + delta["partial_json"]
    for block in content:
        if "partial" in block:
            block["input"] = json.loads(block.pop("partial"))
    return content


def test_a_streamed_gemini_signature_survives_an_anthropic_client():
    chunk = gemini_answer(
        {"text": THOUGHT, "thought": True}, {**GEMINI_CALL, "thoughtSignature": GEMINI_SIG}
    )
    content = anthropic_blocks(relay(GEMINI, ANTHROPIC, sse((None, chunk))))
    signatures = [
        block["signature"]
        for block in content
        if block["type"] == "thinking" and block["signature"]
    ]
    assert len(signatures) == 1 and signatures[0] != GEMINI_SIG
    tool_use = next(block for block in content if block["type"] == "tool_use")
    built = GEMINI.build_request(ANTHROPIC.parse_request(anthropic_loop(content, tool_use["id"])))
    assert model_parts(built)[-1] == {**GEMINI_CALL, "thoughtSignature": GEMINI_SIG}


def test_streamed_responses_reasoning_survives_an_anthropic_client():
    item = responses_answer()["output"][0]
    call = responses_answer()["output"][1]
    created = {"id": "resp_1", "model": "gpt-5", "status": "in_progress", "output": []}
    opened = {"id": "rs_1", "type": "reasoning", "summary": []}
    raw = sse(
        named("response.created", response=created),
        named("response.output_item.added", output_index=0, item=opened),
        named("response.output_item.done", output_index=0, item=item),
        named("response.output_item.done", output_index=1, item=call),
        named("response.completed", response=responses_answer()),
    )
    content = anthropic_blocks(relay(RESPONSES, ANTHROPIC, raw))
    assert content[0]["thinking"] == THOUGHT and ENCRYPTED not in content[0]["signature"]
    body = RESPONSES.build_request(ANTHROPIC.parse_request(anthropic_loop(content, "call_1")))
    [reasoning] = [i for i in body["input"] if i["type"] == "reasoning"]
    assert (reasoning["id"], reasoning["encrypted_content"]) == ("rs_1", ENCRYPTED)


def test_a_body_giving_back_another_formats_signature_is_told_apart():
    """Such a body cannot be passed through even to a provider of the client's own format."""
    answer = GEMINI.build_response(ANTHROPIC.parse_response(anthropic_answer(THINKING_BLOCK)))
    foreign = gemini_loop(answer["candidates"][0]["content"]["parts"])
    assert holds_wrapped(foreign)
    own = gemini_loop([{**GEMINI_CALL, "thoughtSignature": GEMINI_SIG}])
    assert not holds_wrapped(own)
    assert not holds_wrapped(anthropic_loop([THINKING_BLOCK, TOOL_USE], "toolu_1"))
