"""OpenAI Chat Completions, hand-written from the API reference (`POST /v1/chat/completions`).

Non-stream: a `chat.completion` object. Stream: `data: {chat.completion.chunk}` events — the
role chunk, `delta.reasoning_content` chunks for thinking (the DeepSeek-style field most
OpenAI-compatible reasoning providers use), `delta.content` chunks, tool calls (a header chunk
with id/name, then the arguments in two pieces), the finish chunk, and a usage chunk with empty
`choices` when the request asked `stream_options.include_usage` — then `data: [DONE]`.
Errors: `{"error": {"message", "type", "param", "code"}}`.
"""

from __future__ import annotations

import json
import time

from tests.fakes.script import Conversation, Reply, parts_text
from tests.fakes.wire import Frame, sse

FORMAT = "openai"
STREAM_END = b"data: [DONE]\n\n"


def conversation(body: dict) -> Conversation:
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    user_text = next(
        (parts_text(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), ""
    )
    turns = [m for m in messages if m.get("role") not in ("system", "developer")]
    tool_result = None
    if turns and turns[-1].get("role") in ("tool", "function"):
        tool_result = parts_text(turns[-1].get("content"), joiner="\n")
    return Conversation(user_text, tool_result)


def usage(reply: Reply) -> dict:
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        "prompt_tokens_details": {"cached_tokens": reply.cached_tokens},
        "completion_tokens_details": {"reasoning_tokens": reply.reasoning_tokens},
    }


def _call_id(reply: Reply, index: int) -> str:
    return f"call_{reply.serial}_{index}"


def answer(reply: Reply) -> dict:
    message: dict = {"role": "assistant", "content": reply.text}
    if reply.thinking is not None:
        message["reasoning_content"] = reply.thinking
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": _call_id(reply, i),
                "type": "function",
                "function": {"name": name, "arguments": arguments},
            }
            for i, (name, arguments) in enumerate(reply.tool_calls)
        ]
    return {
        "id": f"chatcmpl-fake-{reply.serial}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": reply.model,
        "choices": [{"index": 0, "message": message, "finish_reason": _finish(reply)}],
        "usage": usage(reply),
    }


def _finish(reply: Reply) -> str:
    return "tool_calls" if reply.tool_calls else "stop"


def stream(reply: Reply) -> list[Frame]:
    base = {
        "id": f"chatcmpl-fake-{reply.serial}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": reply.model,
    }

    def chunk(delta: dict, finish: str | None = None) -> Frame:
        choices = [{"index": 0, "delta": delta, "finish_reason": finish}]
        frame = sse(dict(base, choices=choices))
        return Frame(frame.data, _log(choices))

    frames = [chunk({"role": "assistant", "content": ""})]
    frames += [chunk({"reasoning_content": piece}) for piece in reply.thinking_pieces]
    frames += [chunk({"content": piece}) for piece in reply.pieces]
    for index, (name, arguments) in enumerate(reply.tool_calls):
        header = {
            "index": index,
            "id": _call_id(reply, index),
            "type": "function",
            "function": {"name": name, "arguments": ""},
        }
        frames.append(chunk({"tool_calls": [header]}))
        half = len(arguments) // 2
        for piece in (arguments[:half], arguments[half:]):
            frames.append(
                chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
            )
    frames.append(chunk({}, _finish(reply)))
    options = reply.body.get("stream_options") or {}
    if isinstance(options, dict) and options.get("include_usage") and reply.usage_in_stream:
        payload = dict(base, choices=[], usage=usage(reply))
        frames.append(Frame(sse(payload).data, _log([])))
    return frames


def _log(choices: list) -> str:
    return json.dumps(choices)  # what tests compare in `stream_log`


def error(status: int, message: str) -> dict:
    return {
        "error": {
            "message": message,
            "type": "invalid_request_error" if status < 500 else "server_error",
            "param": None,
            "code": str(status),
        }
    }


def key_error() -> tuple[int, dict]:
    body = error(401, "Incorrect API key provided")
    body["error"]["code"] = "invalid_api_key"
    return 401, body
