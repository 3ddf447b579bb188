"""Provider streams for the stream translation tests, at decoder level (tests/unit) and through a
real gateway (tests/integration/test_cross_format.py): streams cut short in each format, and
parallel tool calls whose argument deltas interleave."""

from __future__ import annotations

import json

# A provider stream that closes cleanly (no network error) before its terminal event, one per
# provider format: the answer has begun ("hal…") but never finished.
CUT_STREAMS = {
    "openai": b'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m",'
    b'"choices":[{"index":0,"delta":{"role":"assistant","content":"hal"},'
    b'"finish_reason":null}]}\n\n',
    "anthropic": b'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1",'
    b'"type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,'
    b'"usage":{"input_tokens":5,"output_tokens":1}}}\n\n'
    b'event: content_block_start\ndata: {"type":"content_block_start","index":0,'
    b'"content_block":{"type":"text","text":""}}\n\n'
    b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
    b'"delta":{"type":"text_delta","text":"hal"}}\n\n',
    "responses": b'event: response.created\ndata: {"type":"response.created","sequence_number":0,'
    b'"response":{"id":"resp_1","object":"response","model":"m","status":"in_progress",'
    b'"output":[]}}\n\n'
    b'event: response.output_item.added\ndata: {"type":"response.output_item.added",'
    b'"sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message",'
    b'"role":"assistant","status":"in_progress","content":[]}}\n\n'
    b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta",'
    b'"sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,'
    b'"delta":"hal"}\n\n',
    "gemini": b'data: {"candidates":[{"content":{"role":"model","parts":[{"text":"hal"}]}}],'
    b'"modelVersion":"m"}\r\n\r\n',
}


def chat_chunk(delta: dict, finish: str | None = None) -> bytes:
    chunk = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


def tool_call_delta(index: int, arguments: str, name: str | None = None) -> dict:
    call: dict = {"index": index, "function": {"arguments": arguments}}
    if name:
        call.update(id=f"call_{index}", type="function")
        call["function"]["name"] = name
    return {"tool_calls": [call]}


# Two parallel calls whose argument deltas interleave (0, 1, 0, 1), as some providers send them.
INTERLEAVED_CALLS = b"".join(
    [
        chat_chunk({"role": "assistant", "content": None}),
        chat_chunk(tool_call_delta(0, "", "get_weather")),
        chat_chunk(tool_call_delta(1, "", "get_time")),
        chat_chunk(tool_call_delta(0, '{"city":')),
        chat_chunk(tool_call_delta(1, '{"zone":')),
        chat_chunk(tool_call_delta(0, ' "Paris"}')),
        chat_chunk(tool_call_delta(1, ' "CET"}')),
        chat_chunk({}, "tool_calls"),
        b"data: [DONE]\n\n",
    ]
)
