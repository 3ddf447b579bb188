"""Anthropic Messages, hand-written from the API reference (`POST /v1/messages`, `count_tokens`).

Non-stream: a `message` object whose content is a thinking block (with a signature only this
dialect issues, `tests.fakes.validation.signatures`), a text block and tool_use blocks, in that
order. Stream: named SSE events `message_start` (the message with empty content), `ping`, then
per block `content_block_start` / `content_block_delta` (`thinking_delta` pieces and one
`signature_delta`; `text_delta`; `input_json_delta` in at least two pieces) /
`content_block_stop`, then `message_delta` (stop_reason, cumulative usage) and `message_stop`.
Usage reports cached prompt tokens as `cache_read_input_tokens` and only the rest as
`input_tokens`, so totals match the other formats. Errors:
`{"type": "error", "error": {"type", "message"}, "request_id"}`.
"""

from __future__ import annotations

import json

from tests.fakes.script import Conversation, Reply, parts_text
from tests.fakes.validation.signatures import issue
from tests.fakes.wire import Frame, sse

FORMAT = "anthropic"
STREAM_END = b""
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}


def conversation(body: dict) -> Conversation:
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    user_text = ""
    for message in reversed(messages):
        if message.get("role") == "user" and parts_text(message.get("content")):
            user_text = parts_text(message.get("content"))
            break
    turns = [m for m in messages if m.get("role") != "system"]  # Claude Code sends some
    tool_result = None
    if turns and turns[-1].get("role") == "user" and isinstance(turns[-1].get("content"), list):
        results = [
            b
            for b in turns[-1]["content"]
            if isinstance(b, dict) and b.get("type") == "tool_result"
        ]
        if results:
            tool_result = parts_text(results[-1].get("content"), joiner="\n")
    return Conversation(user_text, tool_result)


def count_tokens(body: dict) -> dict:
    """A deterministic count: the characters of every string in system, messages, tools // 4."""
    parts = [body.get(k) for k in ("system", "messages", "tools")]
    return {"input_tokens": max(1, _characters(parts) // 4)}


def _characters(value) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_characters(v) for v in value.values())
    if isinstance(value, list):
        return sum(_characters(v) for v in value)
    return 0


def _usage(reply: Reply, output_tokens: int) -> dict:
    return {
        "input_tokens": reply.prompt_tokens - reply.cached_tokens,
        "output_tokens": output_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": reply.cached_tokens,
    }


def _tool_input(arguments: str) -> dict:
    try:
        value = json.loads(arguments)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _message(reply: Reply, content: list, stop_reason: str | None) -> dict:
    return {
        "id": f"msg_fake_{reply.serial}",
        "type": "message",
        "role": "assistant",
        "model": reply.model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
    }


def _stop_reason(reply: Reply) -> str:
    return "tool_use" if reply.tool_calls else "end_turn"


def signature(reply: Reply) -> str:
    """The thinking block's signature: one only this dialect issues (the validator checks)."""
    return issue(FORMAT, reply.serial)


def _tool_id(reply: Reply, index: int) -> str:
    return f"toolu_fake_{reply.serial}_{index}"


def answer(reply: Reply) -> dict:
    content: list[dict] = []
    if reply.thinking is not None:
        content.append(
            {"type": "thinking", "thinking": reply.thinking, "signature": signature(reply)}
        )
    if reply.text is not None:
        content.append({"type": "text", "text": reply.text})
    for index, (name, arguments) in enumerate(reply.tool_calls):
        content.append(
            {
                "type": "tool_use",
                "id": _tool_id(reply, index),
                "name": name,
                "input": _tool_input(arguments),
            }
        )
    message = _message(reply, content, _stop_reason(reply))
    message["usage"] = _usage(reply, reply.completion_tokens)
    return message


def stream(reply: Reply) -> list[Frame]:
    start = _message(reply, [], None)
    if reply.usage_in_stream:
        start["usage"] = _usage(reply, min(1, reply.completion_tokens))
    frames = [
        sse({"type": "message_start", "message": start}, "message_start"),
        sse({"type": "ping"}, "ping"),
    ]
    blocks: list[tuple[dict, list[dict]]] = []  # (content_block at start, deltas)
    if reply.thinking is not None:
        deltas = [{"type": "thinking_delta", "thinking": p} for p in reply.thinking_pieces]
        deltas.append({"type": "signature_delta", "signature": signature(reply)})
        blocks.append(({"type": "thinking", "thinking": "", "signature": ""}, deltas))
    if reply.text is not None:
        deltas = [{"type": "text_delta", "text": p} for p in reply.pieces]
        blocks.append(({"type": "text", "text": ""}, deltas))
    for index, (name, arguments) in enumerate(reply.tool_calls):
        half = len(arguments) // 2
        deltas = [
            {"type": "input_json_delta", "partial_json": piece}
            for piece in (arguments[:half], arguments[half:])
        ]
        start_block = {"type": "tool_use", "id": _tool_id(reply, index), "name": name, "input": {}}
        blocks.append((start_block, deltas))
    for index, (block, deltas) in enumerate(blocks):
        frames.append(
            sse(
                {"type": "content_block_start", "index": index, "content_block": block},
                "content_block_start",
            )
        )
        for delta in deltas:
            payload = {"type": "content_block_delta", "index": index, "delta": delta}
            frames.append(sse(payload, "content_block_delta"))
        frames.append(sse({"type": "content_block_stop", "index": index}, "content_block_stop"))
    delta: dict = {
        "type": "message_delta",
        "delta": {"stop_reason": _stop_reason(reply), "stop_sequence": None},
    }
    if reply.usage_in_stream:
        delta["usage"] = {"output_tokens": reply.completion_tokens}
    frames.append(sse(delta, "message_delta"))
    frames.append(sse({"type": "message_stop"}, "message_stop"))
    return frames


def error(status: int, message: str) -> dict:
    kind = ERROR_TYPES.get(status, "invalid_request_error" if status < 500 else "api_error")
    return {
        "type": "error",
        "error": {"type": kind, "message": message},
        "request_id": "req_fake",
    }


def key_error() -> tuple[int, dict]:
    return 401, error(401, "invalid x-api-key")
