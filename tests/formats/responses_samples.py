"""Hand-written OpenAI Responses samples (shapes as the API sends them) for the format tests."""

from __future__ import annotations

import json

ENCRYPTED = "gAAAAABo-encrypted-reasoning-blob=="

# A non-streamed answer: reasoning (two summary parts), a message, a namespaced and a plain call.
RESPONSE = {
    "id": "resp_68af0c",
    "object": "response",
    "created_at": 1756300000,
    "status": "completed",
    "error": None,
    "incomplete_details": None,
    "model": "gpt-5-2025-08-07",
    "output": [
        {
            "id": "rs_01",
            "type": "reasoning",
            "summary": [
                {"type": "summary_text", "text": "**Planning**"},
                {"type": "summary_text", "text": "I will run the command."},
            ],
            "encrypted_content": ENCRYPTED,
        },
        {
            "id": "msg_01",
            "type": "message",
            "status": "completed",
            "role": "assistant",
            "content": [
                {"type": "output_text", "text": "Running it now.", "annotations": []},
            ],
        },
        {
            "id": "fc_01",
            "type": "function_call",
            "status": "completed",
            "arguments": '{"cmd": "echo hi"}',
            "call_id": "call_A1",
            "name": "exec_command",
        },
        {
            "id": "fc_02",
            "type": "function_call",
            "status": "completed",
            "arguments": '{"message":"go"}',
            "call_id": "call_B2",
            "name": "spawn_agent",
            "namespace": "multi_agent_v1",
        },
        {"id": "ws_01", "type": "web_search_call", "status": "completed"},
    ],
    "usage": {
        "input_tokens": 1200,
        "input_tokens_details": {"cached_tokens": 1024},
        "output_tokens": 300,
        "output_tokens_details": {"reasoning_tokens": 256},
        "total_tokens": 1500,
    },
}

INCOMPLETE_RESPONSE = {
    "id": "resp_cut",
    "object": "response",
    "created_at": 1756300001,
    "status": "incomplete",
    "incomplete_details": {"reason": "max_output_tokens"},
    "model": "gpt-5",
    "output": [
        {
            "id": "msg_cut",
            "type": "message",
            "status": "incomplete",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "The answer is", "annotations": []}],
        }
    ],
    "usage": {"input_tokens": 10, "output_tokens": 16, "total_tokens": 26},
}


def _event(payload: dict) -> str:
    return f"event: {payload['type']}\ndata: {json.dumps(payload)}\n\n"


def _stream_events() -> list[dict]:
    base = {"id": "resp_s1", "object": "response", "created_at": 1756300002, "model": "gpt-5"}
    created = {**base, "status": "in_progress", "output": [], "usage": None}
    reasoning = {"id": "rs_s1", "type": "reasoning", "summary": []}
    reasoning_done = {
        **reasoning,
        "summary": [
            {"type": "summary_text", "text": "**Looking**"},
            {"type": "summary_text", "text": "Checking the files."},
        ],
        "encrypted_content": ENCRYPTED,
    }
    message = {"id": "msg_s1", "type": "message", "status": "in_progress", "role": "assistant"}
    text_part = {"type": "output_text", "text": "", "annotations": []}
    done_part = {**text_part, "text": "Héllo, wörld ✓"}
    call = {
        "id": "fc_s1",
        "type": "function_call",
        "status": "in_progress",
        "arguments": "",
        "call_id": "call_S1",
        "name": "exec_command",
    }
    call_done = {**call, "status": "completed", "arguments": '{"cmd":"ls -la"}'}
    rs = {"item_id": "rs_s1", "output_index": 0}
    ms = {"item_id": "msg_s1", "output_index": 1, "content_index": 0}
    fc = {"item_id": "fc_s1", "output_index": 2}
    events = [
        {"type": "response.created", "response": created},
        {"type": "response.in_progress", "response": created},
        {"type": "response.output_item.added", "output_index": 0, "item": reasoning},
        {
            "type": "response.reasoning_summary_part.added",
            **rs,
            "summary_index": 0,
            "part": {"type": "summary_text", "text": ""},
        },
        {
            "type": "response.reasoning_summary_text.delta",
            **rs,
            "summary_index": 0,
            "delta": "**Look",
        },
        {
            "type": "response.reasoning_summary_text.delta",
            **rs,
            "summary_index": 0,
            "delta": "ing**",
        },
        {
            "type": "response.reasoning_summary_text.done",
            **rs,
            "summary_index": 0,
            "text": "**Looking**",
        },
        {
            "type": "response.reasoning_summary_part.done",
            **rs,
            "summary_index": 0,
            "part": {"type": "summary_text", "text": "**Looking**"},
        },
        {
            "type": "response.reasoning_summary_part.added",
            **rs,
            "summary_index": 1,
            "part": {"type": "summary_text", "text": ""},
        },
        {
            "type": "response.reasoning_summary_text.delta",
            **rs,
            "summary_index": 1,
            "delta": "Checking the files.",
        },
        {
            "type": "response.reasoning_summary_part.done",
            **rs,
            "summary_index": 1,
            "part": {"type": "summary_text", "text": "Checking the files."},
        },
        {"type": "response.output_item.done", "output_index": 0, "item": reasoning_done},
        {
            "type": "response.output_item.added",
            "output_index": 1,
            "item": {**message, "content": []},
        },
        {"type": "response.content_part.added", **ms, "part": text_part},
        {"type": "response.output_text.delta", **ms, "delta": "Héllo, ", "logprobs": []},
        {"type": "response.output_text.delta", **ms, "delta": "wörld ✓", "logprobs": []},
        {"type": "response.output_text.done", **ms, "text": "Héllo, wörld ✓", "logprobs": []},
        {"type": "response.content_part.done", **ms, "part": done_part},
        {
            "type": "response.output_item.done",
            "output_index": 1,
            "item": {**message, "status": "completed", "content": [done_part]},
        },
        {"type": "response.output_item.added", "output_index": 2, "item": call},
        {"type": "response.function_call_arguments.delta", **fc, "delta": '{"cmd":'},
        {"type": "response.function_call_arguments.delta", **fc, "delta": '"ls -la"}'},
        {"type": "response.function_call_arguments.done", **fc, "arguments": '{"cmd":"ls -la"}'},
        {"type": "response.output_item.done", "output_index": 2, "item": call_done},
        {
            "type": "response.completed",
            "response": {
                **base,
                "status": "completed",
                "output": [
                    reasoning_done,
                    {**message, "status": "completed", "content": [done_part]},
                    call_done,
                ],
                "usage": {
                    "input_tokens": 5000,
                    "input_tokens_details": {"cached_tokens": 4096},
                    "output_tokens": 120,
                    "output_tokens_details": {"reasoning_tokens": 64},
                    "total_tokens": 5120,
                },
            },
        },
    ]
    for number, event in enumerate(events):
        event["sequence_number"] = number
    return events


STREAM_EVENTS = _stream_events()
STREAM = "".join(_event(event) for event in STREAM_EVENTS).encode("utf-8")

FAILED_STREAM = (
    _event(
        {
            "type": "response.created",
            "sequence_number": 0,
            "response": {"id": "resp_f", "model": "gpt-5", "status": "in_progress", "output": []},
        }
    )
    + _event(
        {
            "type": "response.failed",
            "sequence_number": 1,
            "response": {
                "id": "resp_f",
                "status": "failed",
                "error": {"code": "rate_limit_exceeded", "message": "Slow down"},
            },
        }
    )
).encode("utf-8")

ERROR_EVENT_STREAM = _event(
    {
        "type": "error",
        "sequence_number": 0,
        "code": "server_error",
        "message": "boom",
        "param": None,
    }
).encode("utf-8")
