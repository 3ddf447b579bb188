"""Amazon Bedrock Converse ⇄ canonical: requests, answers, usage, stop reasons, reasoning
signatures and the event-stream decoder and encoder (frames read by botocore's parser)."""

from __future__ import annotations

import base64
import json
import struct

import pytest

from omniroute.formats import canonical as c
from omniroute.formats import signatures
from omniroute.formats.bedrock_converse.eventstream import encode_frame, event_frame
from omniroute.formats.bedrock_converse.wire import WIRE, upstream_path
from omniroute.formats.registry import FORMATS, PROVIDER_FORMATS
from tests.fakes.bedrock import stream_frames

CLAUDE = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
PNG = base64.b64encode(b"\x89PNG fake").decode()


def _user(*parts: c.Part) -> c.Message:
    return c.Message("user", parts)


def test_it_is_a_provider_format_only():
    assert "bedrock" in PROVIDER_FORMATS and "bedrock" not in FORMATS
    assert WIRE.client_paths == () and WIRE.model_in_url
    assert upstream_path(CLAUDE, False) == (
        "/model/global.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse"
    )
    assert upstream_path("arn:aws:bedrock:us-east-1:1:inference-profile/x", True).endswith(
        "inference-profile%2Fx/converse-stream"
    )


def test_a_request_round_trips_through_converse():
    request = c.Request(
        model="amazon.nova-pro-v1:0",
        system=(c.TextPart("Be brief.", cache_control={"type": "ephemeral"}),),
        messages=(
            _user(c.TextPart("What is in this image?"), c.ImagePart("image/png", PNG)),
            c.Message("assistant", (c.ToolUsePart("t1", "look", '{"q":"cat"}'),)),
            _user(c.ToolResultPart("t1", (c.TextPart("a cat"),), is_error=True)),
        ),
        tools=(c.Tool("look", "Looks", {"type": "object", "properties": {"q": {}}}),),
        tool_choice=c.ToolChoice("required"),
        max_tokens=100,
        temperature=0.5,
        top_p=0.9,
        stop=("END",),
    )
    body = WIRE.build_request(request)
    assert body["system"] == [{"text": "Be brief."}, {"cachePoint": {"type": "default"}}]
    assert body["inferenceConfig"] == {
        "maxTokens": 100, "temperature": 0.5, "topP": 0.9, "stopSequences": ["END"],
    }  # fmt: skip
    assert body["messages"][0]["content"][1] == {
        "image": {"format": "png", "source": {"bytes": PNG}}
    }
    assert body["messages"][1]["content"] == [
        {"toolUse": {"toolUseId": "t1", "name": "look", "input": {"q": "cat"}}}
    ]
    assert body["messages"][2]["content"] == [
        {"toolResult": {"toolUseId": "t1", "content": [{"text": "a cat"}], "status": "error"}}
    ]
    assert body["toolConfig"]["toolChoice"] == {"any": {}}
    assert body["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"] == {
        "json": {"type": "object", "properties": {"q": {}}}
    }
    back = WIRE.parse_request(body)
    assert back.messages == request.messages and back.system == request.system
    assert back.tools == request.tools and back.tool_choice == request.tool_choice
    assert (back.max_tokens, back.temperature, back.top_p, back.stop) == (100, 0.5, 0.9, ("END",))
    assert WIRE.build_request(back) == body


def test_turns_alternate_tool_results_come_first_and_blank_text_is_left_out():
    request = c.Request(
        model="m",
        messages=(
            _user(c.TextPart("  ")),
            _user(c.TextPart("hi")),
            c.Message("system", (c.TextPart("Mid-way rule."),)),
            c.Message("assistant", (c.ToolUsePart("t1", "f"),)),
            _user(c.TextPart("and")),
            _user(c.ToolResultPart("t1", (c.TextPart('{"ok": true}'),))),
        ),
    )
    body = WIRE.build_request(request)
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert body["messages"][0]["content"] == [{"text": "hi"}]
    assert body["system"] == [{"text": "Mid-way rule."}]
    last = body["messages"][2]["content"]
    assert last[0] == {"toolResult": {"toolUseId": "t1", "content": [{"json": {"ok": True}}]}}
    assert last[1] == {"text": "and"}


def test_reasoning_goes_to_anthropic_models_as_a_thinking_budget():
    hi = (_user(c.TextPart("hi")),)
    thinking = WIRE.build_request(
        c.Request(model=CLAUDE, messages=hi, temperature=0.2, reasoning=c.Reasoning("high"))
    )
    assert thinking["additionalModelRequestFields"] == {
        "thinking": {"type": "enabled", "budget_tokens": 24576}
    }
    assert thinking["inferenceConfig"] == {"maxTokens": 24576 + 4096}  # no temperature
    nova = WIRE.build_request(
        c.Request(model="amazon.nova-lite-v1:0", messages=hi, reasoning=c.Reasoning("high"))
    )
    assert "additionalModelRequestFields" not in nova
    top_k = WIRE.build_request(c.Request(model=CLAUDE, messages=hi, top_k=5))
    assert top_k["additionalModelRequestFields"] == {"top_k": 5}


def test_signatures_go_back_only_to_bedrock():
    own = c.ThinkingPart("hmm", signature="sig-1", origin="bedrock")
    anthropic = c.ThinkingPart("other", signature="sig-a", origin="anthropic")
    redacted = c.RedactedThinkingPart("opaque", origin="bedrock")
    request = c.Request(
        model=CLAUDE,
        messages=(
            _user(c.TextPart("hi")),
            c.Message("assistant", (own, redacted, anthropic, c.TextPart("yes"))),
            _user(c.TextPart("again")),
        ),
    )
    assistant = WIRE.build_request(request)["messages"][1]["content"]
    assert assistant == [
        {"reasoningContent": {"reasoningText": {"text": "hmm", "signature": "sig-1"}}},
        {"reasoningContent": {"redactedContent": "opaque"}},
        {"text": "yes"},  # Anthropic's signature is not Bedrock's: left out
    ]
    # a client of another format carries Bedrock's signature wrapped, and gives it back
    wrapped = signatures.shown(own, "anthropic")
    assert isinstance(wrapped, c.ThinkingPart) and wrapped.signature != "sig-1"
    assert signatures.received(wrapped, "anthropic") == own


def test_an_answer_its_usage_and_stop_reasons():
    answer = {
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {"reasoningContent": {"reasoningText": {"text": "t", "signature": "s"}}},
                    {"text": "Hello"},
                    {"toolUse": {"toolUseId": "u1", "name": "f", "input": {"a": 1}}},
                ],
            }
        },
        "stopReason": "tool_use",
        "usage": {
            "inputTokens": 10, "outputTokens": 5, "totalTokens": 22,
            "cacheReadInputTokens": 4, "cacheWriteInputTokens": 3,
        },
    }  # fmt: skip
    response = WIRE.parse_response(answer)
    assert response.parts == (
        c.ThinkingPart("t", signature="s", origin="bedrock"),
        c.TextPart("Hello"),
        c.ToolUsePart("u1", "f", '{"a":1}'),
    )
    assert response.parts[0].origin == "bedrock"
    assert response.stop_reason == "tool_use"
    assert response.usage == c.Usage(17, 5, cache_read_tokens=4, cache_write_tokens=3)
    built = WIRE.build_response(response)
    assert built["usage"]["inputTokens"] == 10 and built["output"] == answer["output"]


@pytest.mark.parametrize(
    ("wire", "canonical"),
    [
        ("end_turn", "end_turn"),
        ("tool_use", "tool_use"),
        ("max_tokens", "max_tokens"),
        ("stop_sequence", "stop_sequence"),
        ("guardrail_intervened", "refusal"),
        ("content_filtered", "refusal"),
        ("model_context_window_exceeded", "max_tokens"),
    ],
)
def test_stop_reasons(wire, canonical):
    answer = {"output": {"message": {"role": "assistant", "content": []}}, "stopReason": wire}
    assert WIRE.parse_response(answer).stop_reason == canonical


def test_errors_are_read_from_bedrocks_message_shape():
    assert WIRE.parse_error(b'{"message": "Too many requests"}')[0] == "Too many requests"
    assert WIRE.parse_error(b'{"Message": "Denied"}')[0] == "Denied"
    assert WIRE.parse_error(b"gateway timeout")[0] == "gateway timeout"


def _decode(data: bytes, step: int = 7) -> list[c.StreamEvent]:
    decoder = WIRE.stream_decoder()
    events: list[c.StreamEvent] = []
    for start in range(0, len(data), step):  # bytes arrive in pieces that cut frames
        events += decoder.feed(data[start : start + step])
    return events + decoder.close()


def test_a_stream_decodes_from_event_stream_frames():
    blocks = [
        {"reasoningContent": {"reasoningText": {"text": "think", "signature": "sig-9"}}},
        {"text": "Hello there"},
        {"toolUse": {"toolUseId": "u1", "name": "f", "input": {"a": 1}}},
    ]
    counts = {"inputTokens": 3, "outputTokens": 4, "cacheReadInputTokens": 2}
    events = _decode(b"".join(stream_frames(blocks, "tool_use", counts)))
    assert isinstance(events[0], c.MessageStart)
    starts = [e for e in events if isinstance(e, c.BlockStart)]
    assert [s.index for s in starts] == [0, 1, 2]
    assert starts[0].part == c.ThinkingPart("", origin="bedrock")
    assert starts[2].part == c.ToolUsePart("u1", "f", "")
    deltas = [e for e in events if isinstance(e, c.BlockDelta)]
    assert "".join(d.text for d in deltas if d.index == 1) == "Hello there"
    assert "".join(d.signature for d in deltas if d.index == 0) == "sig-9"
    assert json.loads("".join(d.arguments for d in deltas if d.index == 2)) == {"a": 1}
    assert events[-2] == c.MessageDelta("tool_use", usage=c.Usage(5, 4, cache_read_tokens=2))
    assert events[-1] == c.MessageStop()


def test_the_encoder_writes_what_the_decoder_reads():
    events = [
        c.MessageStart("m1", "x"),
        c.BlockStart(0, c.ThinkingPart("")),
        c.BlockDelta(0, text="hm"),
        c.BlockDelta(0, signature="sig"),
        c.BlockStop(0),
        c.BlockStart(1, c.TextPart("")),
        c.BlockDelta(1, text="Hi"),
        c.BlockStop(1),
        c.BlockStart(2, c.ToolUsePart("u", "f", "")),
        c.BlockDelta(2, arguments='{"a":'),
        c.BlockDelta(2, arguments="2}"),
        c.BlockStop(2),
        c.MessageDelta("tool_use", usage=c.Usage(9, 3, cache_write_tokens=4)),
        c.MessageStop(),
    ]
    encoder = WIRE.stream_encoder(c.Request(model="x", messages=()))
    data = b"".join(encoder.encode(event) for event in events) + encoder.close()
    decoded = _decode(data, step=11)
    assert isinstance(decoded[0], c.MessageStart)  # Converse streams carry no id: a new one
    expected = list(events[1:])
    expected[0] = c.BlockStart(0, c.ThinkingPart("", origin="bedrock"))  # Bedrock issued it
    assert decoded[1:] == expected


def test_a_cut_stream_a_bad_checksum_and_an_exception_frame_are_errors():
    whole = b"".join(stream_frames([{"text": "Hello"}], "end_turn", {"inputTokens": 1}))
    cut = _decode(whole[: len(whole) // 2])
    assert cut[-1] == c.cut_stream_error()

    frame = bytearray(event_frame("messageStart", {"role": "assistant"}))
    frame[-1] ^= 0xFF  # the message CRC no longer matches
    broken = _decode(bytes(frame))
    assert isinstance(broken[-1], c.StreamError) and broken[-1].status == 502

    headers = {
        ":exception-type": "throttlingException",
        ":content-type": "application/json",
        ":message-type": "exception",
    }
    throttled = encode_frame(headers, b'{"message": "Too many tokens"}')
    error = _decode(event_frame("messageStart", {"role": "assistant"}) + throttled)[-1]
    assert error == c.StreamError(429, "Too many tokens", code="throttlingException")


def test_the_frame_writer_matches_the_event_stream_layout():
    frame = encode_frame({":event-type": "x"}, b"{}")
    total, headers_length = struct.unpack(">II", frame[:8])
    assert total == len(frame) and headers_length == 1 + 11 + 1 + 2 + 1
