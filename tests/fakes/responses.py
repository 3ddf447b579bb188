"""OpenAI Responses, hand-written from the API reference (`POST /v1/responses`).

Non-stream: a `response` object whose `output` holds a `reasoning` item (summary text and an
`encrypted_content` only this dialect issues), a `message` item (one `output_text` part) and
`function_call` items, in that order, with usage (`input_tokens_details.cached_tokens`,
`output_tokens_details.reasoning_tokens`). Stream: named SSE events, each with a
`sequence_number` counting from 0 — `response.created`, `response.in_progress`, then per item
`response.output_item.added` ... `response.output_item.done` (reasoning: summary_part.added,
summary_text.delta/.done, summary_part.done; message: content_part.added, output_text.delta/
.done, content_part.done; call: function_call_arguments.delta x2/.done), then
`response.completed` with the whole response. Errors are the OpenAI shape.
"""

from __future__ import annotations

import time

from tests.fakes.openai_chat import error, key_error  # noqa: F401 (same error shape)
from tests.fakes.script import Conversation, Reply, parts_text
from tests.fakes.validation.signatures import issue
from tests.fakes.wire import Frame, sse

FORMAT = "responses"
STREAM_END = b""
TOOL_OUTPUTS = ("function_call_output", "custom_tool_call_output", "local_shell_call_output")


def conversation(body: dict) -> Conversation:
    items = body.get("input")
    if isinstance(items, str):
        return Conversation(items, None)
    items = [i for i in items or [] if isinstance(i, dict)]
    messages = [i for i in items if i.get("type", "message") == "message"]
    user_text = ""
    for message in reversed(messages):
        if message.get("role") == "user" and parts_text(message.get("content")):
            user_text = parts_text(message.get("content"))
            break
    turns = [i for i in items if not (i in messages and i.get("role") in ("system", "developer"))]
    tool_result = None
    if turns and turns[-1].get("type") in TOOL_OUTPUTS:
        tool_result = parts_text(turns[-1].get("output"), joiner="\n")
    return Conversation(user_text, tool_result)


def usage(reply: Reply) -> dict:
    return {
        "input_tokens": reply.prompt_tokens,
        "input_tokens_details": {"cached_tokens": reply.cached_tokens, "cache_write_tokens": 0},
        "output_tokens": reply.completion_tokens,
        "output_tokens_details": {"reasoning_tokens": reply.reasoning_tokens},
        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
    }


def _items(reply: Reply) -> list[dict]:
    """The finished output items."""
    items = []
    if reply.thinking is not None:
        summary = [{"type": "summary_text", "text": reply.thinking}]
        items.append(
            {
                "id": f"rs_fake_{reply.serial}",
                "type": "reasoning",
                "summary": summary,
                "encrypted_content": issue(FORMAT, reply.serial),
            }
        )
    if reply.text is not None:
        items.append(
            {
                "id": f"msg_fake_{reply.serial}",
                "type": "message",
                "status": "completed",
                "role": "assistant",
                "content": [_text_part(reply.text)],
            }
        )
    for index, (name, arguments) in enumerate(reply.tool_calls):
        items.append(
            {
                "id": f"fc_fake_{reply.serial}_{index}",
                "type": "function_call",
                "status": "completed",
                "call_id": f"call_fake_{reply.serial}_{index}",
                "name": name,
                "arguments": arguments,
            }
        )
    return items


def _text_part(text: str) -> dict:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def answer(reply: Reply, status: str = "completed", output: list | None = None) -> dict:
    body = reply.body
    return {
        "id": f"resp_fake_{reply.serial}",
        "object": "response",
        "created_at": int(time.time()),
        "status": status,
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "model": reply.model,
        "output": _items(reply) if output is None else output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": body.get("previous_response_id"),
        "reasoning": {"effort": None, "summary": None, **_dict(body.get("reasoning"))},
        "store": body.get("store", True),
        "temperature": body.get("temperature", 1.0),
        "text": {"format": {"type": "text"}},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [],
        "top_p": body.get("top_p", 1.0),
        "truncation": "disabled",
        "usage": usage(reply) if status == "completed" else None,
        "user": None,
        "metadata": body.get("metadata") or {},
    }


def stream(reply: Reply) -> list[Frame]:
    events: list[dict] = []
    started = answer(reply, status="in_progress", output=[])
    events.append({"type": "response.created", "response": started})
    events.append({"type": "response.in_progress", "response": started})
    for index, item in enumerate(_items(reply)):
        events.extend(_item_events(reply, index, item))
    done = answer(reply)
    if not reply.usage_in_stream:
        done["usage"] = None
    events.append({"type": "response.completed", "response": done})
    frames = []
    for number, event in enumerate(events):
        event["sequence_number"] = number
        frames.append(sse(event, event["type"]))
    return frames


def _item_events(reply: Reply, index: int, item: dict) -> list[dict]:
    where = {"item_id": item["id"], "output_index": index}
    kind = item["type"]
    if kind == "reasoning":
        added = {"id": item["id"], "type": "reasoning", "summary": []}
        part = {"type": "summary_text", "text": item["summary"][0]["text"]}
        at = dict(where, summary_index=0)
        middle = [{"type": "response.reasoning_summary_part.added", **at, "part": _empty(part)}]
        middle += [
            {"type": "response.reasoning_summary_text.delta", **at, "delta": piece}
            for piece in reply.thinking_pieces
        ]
        middle += [
            {"type": "response.reasoning_summary_text.done", **at, "text": part["text"]},
            {"type": "response.reasoning_summary_part.done", **at, "part": part},
        ]
    elif kind == "message":
        added = dict(item, status="in_progress", content=[])
        part = item["content"][0]
        at = dict(where, content_index=0)
        middle = [{"type": "response.content_part.added", **at, "part": _empty(part)}]
        middle += [
            {"type": "response.output_text.delta", **at, "delta": piece, "logprobs": []}
            for piece in reply.pieces
        ]
        middle += [
            {"type": "response.output_text.done", **at, "text": part["text"], "logprobs": []},
            {"type": "response.content_part.done", **at, "part": part},
        ]
    else:
        added = dict(item, status="in_progress", arguments="")
        arguments = item["arguments"]
        half = len(arguments) // 2
        middle = [
            {"type": "response.function_call_arguments.delta", **where, "delta": piece}
            for piece in (arguments[:half], arguments[half:])
        ]
        middle.append(
            {
                "type": "response.function_call_arguments.done",
                **where,
                "name": item["name"],
                "arguments": arguments,
            }
        )
    return [
        {"type": "response.output_item.added", "output_index": index, "item": added},
        *middle,
        {"type": "response.output_item.done", "output_index": index, "item": item},
    ]


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _empty(part: dict) -> dict:
    return dict(part, text="")
