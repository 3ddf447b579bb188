"""Stream translation at decoder level: interleaved parallel tool calls, streams cut short, and
stop reasons with no clean equivalent. (The same cases through a real gateway are in
tests/integration/test_cross_format.py.)"""

from __future__ import annotations

import json

import pytest

from omniroute.formats import canonical as c
from omniroute.formats.anthropic.wire import WIRE as anthropic_messages
from omniroute.formats.gemini.wire import WIRE as gemini
from omniroute.formats.openai_chat.wire import WIRE as openai_chat
from omniroute.formats.responses.wire import WIRE as openai_responses
from omniroute.proxy.stream_relay import PassthroughSink
from omniroute.usage.trace import RequestTrace
from tests.stream_samples import CUT_STREAMS, INTERLEAVED_CALLS, chat_chunk, tool_call_delta

DECODERS = {
    "openai": openai_chat,
    "anthropic": anthropic_messages,
    "responses": openai_responses,
    "gemini": gemini,
}


def _decode_piecewise(raw: bytes) -> list[c.StreamEvent]:
    decoder = openai_chat.stream_decoder()
    events: list[c.StreamEvent] = []
    for line in raw.split(b"\n\n"):
        if line:
            events += decoder.feed(line + b"\n\n")
    return events + decoder.close()


def _assert_blocks_never_interleave(events: list[c.StreamEvent]) -> dict[int, str]:
    """Every delta goes to the one open block; returns each tool block's whole arguments."""
    open_block, arguments = None, {}
    for event in events:
        if isinstance(event, c.BlockStart):
            assert open_block is None, f"block {event.index} starts inside {open_block}"
            open_block = event.index
            if isinstance(event.part, c.ToolUsePart):
                arguments[event.index] = event.part.arguments
        elif isinstance(event, c.BlockDelta):
            assert event.index == open_block
            if event.index in arguments:
                arguments[event.index] += event.arguments
        elif isinstance(event, c.BlockStop):
            assert event.index == open_block
            open_block = None
    assert open_block is None
    return arguments


def test_interleaved_tool_call_deltas_are_all_kept_in_order() -> None:
    events = _decode_piecewise(INTERLEAVED_CALLS)
    arguments = _assert_blocks_never_interleave(events)
    starts = [e.part for e in events if isinstance(e, c.BlockStart)]
    assert [(p.id, p.name) for p in starts] == [("call_0", "get_weather"), ("call_1", "get_time")]
    assert [json.loads(a) for a in arguments.values()] == [{"city": "Paris"}, {"zone": "CET"}]
    assert events[-2:] == [c.MessageDelta("tool_use"), c.MessageStop()]


@pytest.mark.parametrize("client", ["anthropic", "responses", "gemini", "openai"])
def test_interleaved_tool_calls_encode_whole_for_every_client(client: str) -> None:
    request = c.Request(model="m", messages=(), stream=True)
    encoder = DECODERS[client].stream_encoder(request)
    out = b"".join(encoder.encode(e) for e in _decode_piecewise(INTERLEAVED_CALLS))
    out += encoder.close()
    text = out.decode()
    for fragment in ("Paris", "CET", "get_weather", "get_time"):
        assert fragment in text, (client, fragment)
    if client == "anthropic":  # content blocks one after the other: start, deltas, stop
        payloads = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]
        open_block = None
        for payload in payloads:
            if payload["type"] == "content_block_start":
                assert open_block is None
                open_block = payload["index"]
            elif payload["type"] in ("content_block_delta", "content_block_stop"):
                assert payload["index"] == open_block
                open_block = None if payload["type"] == "content_block_stop" else open_block


def test_sequential_tool_calls_still_stream_as_they_come() -> None:
    """A call whose arguments are whole is closed as soon as the next call starts."""
    decoder = openai_chat.stream_decoder()
    decoder.feed(chat_chunk({"role": "assistant"}))
    decoder.feed(chat_chunk(tool_call_delta(0, '{"a": 1}', "f")))
    events = decoder.feed(chat_chunk(tool_call_delta(1, '{"b":', "g")))
    assert [type(e) for e in events] == [c.BlockStop, c.BlockStart, c.BlockDelta]
    assert events[1].part.name == "g" and events[2].arguments == '{"b":'


@pytest.mark.parametrize("provider", list(CUT_STREAMS))
def test_a_stream_cut_short_decodes_to_an_error_not_a_stop(provider: str) -> None:
    decoder = DECODERS[provider].stream_decoder()
    events = decoder.feed(CUT_STREAMS[provider]) + decoder.close()
    assert events[-1] == c.cut_stream_error()
    assert not any(isinstance(e, c.MessageDelta | c.MessageStop) for e in events)
    assert decoder.close() == []


def test_chat_stream_with_finish_reason_but_no_done_ends_cleanly() -> None:
    decoder = openai_chat.stream_decoder()
    decoder.feed(chat_chunk({"content": "hi"}) + chat_chunk({}, "length"))
    assert decoder.close()[-2:] == [c.MessageDelta("max_tokens"), c.MessageStop()]


def test_stop_reason_error_is_an_error_for_a_chat_client() -> None:
    encoder = openai_chat.stream_encoder(c.Request(model="m", messages=(), stream=True))
    out = b"".join(
        encoder.encode(e)
        for e in (c.MessageStart("x", "m"), c.MessageDelta("error"), c.MessageStop())
    )
    chunks = [line[6:] for line in out.decode().splitlines() if line.startswith("data: ")]
    assert chunks[-1] == "[DONE]" and "error" in json.loads(chunks[-2])
    assert not any('"finish_reason":"stop"' in chunk for chunk in chunks)


def _passthrough_finish(events: list[bytes]) -> bytes:
    """What the passthrough sink adds after relaying `events` of a Chat stream."""
    sink = PassthroughSink("openai", c.Request(model="m", messages=(), stream=True), False)
    trace = RequestTrace(endpoint="chat.completions")
    sink.write(events, trace)
    return sink.finish(trace)


def test_passthrough_chat_ended_by_a_finish_reason_then_several_events_is_complete() -> None:
    usage = b'data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}\n\n'
    extra = b'data: {"choices":[],"prompt_filter_results":[]}\n\n'
    events = [chat_chunk({"content": "hi"}), chat_chunk({}, "stop"), extra, usage, extra]
    assert _passthrough_finish(events) == b""  # no [DONE], but the finish_reason went by


def test_passthrough_chat_cut_before_its_finish_reason_gets_an_error() -> None:
    events = [chat_chunk({"content": "hi"}), chat_chunk({"content": " there"})]
    tail = _passthrough_finish(events)
    assert b'"error"' in tail and tail.rstrip().endswith(b"data: [DONE]")
