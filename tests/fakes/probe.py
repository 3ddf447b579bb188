"""Client-side probes for the fake upstream: requests in each wire format, and readers for
their answers and SSE streams.

Written from the providers' documentation, independently of the fake's own renderers, so tests
can check the fake (and, through the gateway, translations) against them: `ask` sends a user turn
in a format, `answer_text` / `answer_calls` read a non-stream answer, `sse_events` + `streamed`
reassemble a stream, `tool_round` builds the call-and-result turns a client sends back, `totals`
reads usage as (prompt incl. cached, completion incl. reasoning, cached, reasoning).
"""

from __future__ import annotations

import json

import requests

FORMATS = ["openai", "anthropic", "responses", "gemini"]
MODEL = "fake-1"


PATHS = {
    "openai": "/v1/chat/completions",
    "anthropic": "/anything/v1/messages",  # any prefix before the API path works
    "responses": "/v1/responses",
}


def endpoint(upstream, fmt: str, stream: bool = False, model: str = MODEL) -> str:
    root = upstream.url.removesuffix("/v1")
    if fmt == "gemini":
        action = "streamGenerateContent?alt=sse" if stream else "generateContent"
        return f"{root}/v1beta/models/{model}:{action}"
    return root + PATHS[fmt]


def user_turn(fmt: str, text: str) -> dict:
    if fmt == "openai":
        return {"role": "user", "content": text}
    if fmt == "anthropic":
        return {"role": "user", "content": [{"type": "text", "text": text}]}
    if fmt == "responses":
        return {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": text}],
        }
    return {"role": "user", "parts": [{"text": text}]}


def body_for(fmt: str, turns: list, stream: bool = False, model: str = MODEL) -> dict:
    if fmt == "gemini":
        return {"contents": turns}
    if fmt == "anthropic":
        return {"model": model, "max_tokens": 64, "messages": turns, "stream": stream}
    key = "input" if fmt == "responses" else "messages"
    return {"model": model, key: turns, "stream": stream}


def add_system(fmt: str, body: dict, text: str) -> None:
    """Give `body` (in `fmt`) the client's own system prompt `text`."""
    if fmt == "openai":
        body["messages"] = [{"role": "system", "content": text}, *body["messages"]]
    elif fmt == "anthropic":
        body["system"] = text
    elif fmt == "responses":
        body["instructions"] = text
    else:
        body["systemInstruction"] = {"parts": [{"text": text}]}


def ask_body(fmt: str, model: str, text: str, stream: bool = False) -> dict:
    """A one-turn request in `fmt` for `model`."""
    return body_for(fmt, [user_turn(fmt, text)], stream, model)


def key_headers(fmt: str, key: str = "sk-good") -> dict:
    name = {"anthropic": "x-api-key", "gemini": "x-goog-api-key"}.get(fmt, "Authorization")
    return {name: f"Bearer {key}" if name == "Authorization" else key}


def ask(upstream, fmt: str, text: str = "hello there", stream: bool = False, **kwargs):
    body = body_for(fmt, [user_turn(fmt, text)], stream)
    return requests.post(
        endpoint(upstream, fmt, stream),
        json=body,
        headers=key_headers(fmt),
        stream=stream,
        **kwargs,
    )


def sse_events(response) -> list[tuple[str | None, dict | str]]:
    """(event name, parsed data) of each SSE event, framed by blank lines (CRLF ones for Gemini)."""
    raw = response.content.decode()
    separator = "\r\n\r\n" if "\r\n" in raw else "\n\n"
    events = []
    for block in filter(None, raw.split(separator)):
        name, data = None, None
        for line in block.splitlines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                text = line[len("data: ") :]
                data = text if text == "[DONE]" else json.loads(text)
        events.append((name, data))
    return events


def answer_text(fmt: str, body: dict) -> str | None:
    if fmt == "openai":
        return body["choices"][0]["message"]["content"]
    if fmt == "anthropic":
        return "".join(b["text"] for b in body["content"] if b["type"] == "text") or None
    if fmt == "responses":
        messages = [i for i in body["output"] if i["type"] == "message"]
        return "".join(p["text"] for m in messages for p in m["content"]) or None
    parts = body["candidates"][0]["content"]["parts"]
    return "".join(p["text"] for p in parts if "text" in p and not p.get("thought")) or None


def answer_calls(fmt: str, body: dict) -> list[tuple[str, dict, str]]:
    """(name, arguments, id) of each tool call in a non-stream answer."""
    if fmt == "openai":
        calls = body["choices"][0]["message"].get("tool_calls") or []
        return [
            (c["function"]["name"], json.loads(c["function"]["arguments"]), c["id"]) for c in calls
        ]
    if fmt == "anthropic":
        return [
            (b["name"], b["input"], b["id"]) for b in body["content"] if b["type"] == "tool_use"
        ]
    if fmt == "responses":
        calls = [i for i in body["output"] if i["type"] == "function_call"]
        return [(c["name"], json.loads(c["arguments"]), c["call_id"]) for c in calls]
    parts = body["candidates"][0]["content"]["parts"]
    return [
        (p["functionCall"]["name"], p["functionCall"]["args"], "")
        for p in parts
        if "functionCall" in p
    ]


def tool_round(fmt: str, name: str, args: dict, call_id: str, result: str) -> list:
    """The assistant's call and the tool's result, as the client sends them back."""
    if fmt == "openai":
        function = {"name": name, "arguments": json.dumps(args)}
        call = {
            "role": "assistant",
            "tool_calls": [{"id": call_id, "type": "function", "function": function}],
        }
        return [call, {"role": "tool", "tool_call_id": call_id, "content": result}]
    if fmt == "anthropic":
        use = {"type": "tool_use", "id": call_id, "name": name, "input": args}
        output = [
            {
                "type": "tool_result",
                "tool_use_id": call_id,
                "content": [{"type": "text", "text": result}],
            }
        ]
        return [{"role": "assistant", "content": [use]}, {"role": "user", "content": output}]
    if fmt == "responses":
        call = {
            "type": "function_call",
            "call_id": call_id,
            "name": name,
            "arguments": json.dumps(args),
        }
        return [call, {"type": "function_call_output", "call_id": call_id, "output": result}]
    call = {"role": "model", "parts": [{"functionCall": {"name": name, "args": args}}]}
    response = {"functionResponse": {"name": name, "response": {"output": result}}}
    return [call, {"role": "user", "parts": [response]}]


def totals(fmt: str, body: dict) -> tuple[int, int, int, int]:
    """(prompt incl. cached, completion incl. reasoning, cached, reasoning) from an answer."""
    if fmt == "openai":
        u = body["usage"]
        details = (
            u["prompt_tokens_details"]["cached_tokens"],
            u["completion_tokens_details"]["reasoning_tokens"],
        )
        return (u["prompt_tokens"], u["completion_tokens"], *details)
    if fmt == "anthropic":
        u = body["usage"]
        cached = u["cache_read_input_tokens"]
        return (
            u["input_tokens"] + cached + u["cache_creation_input_tokens"],
            u["output_tokens"],
            cached,
            -1,
        )
    if fmt == "responses":
        u = body["usage"]
        assert u["total_tokens"] == u["input_tokens"] + u["output_tokens"]
        reasoning = u["output_tokens_details"]["reasoning_tokens"]
        return (
            u["input_tokens"],
            u["output_tokens"],
            u["input_tokens_details"]["cached_tokens"],
            reasoning,
        )
    u = body["usageMetadata"]
    thoughts = u.get("thoughtsTokenCount", 0)
    assert u["totalTokenCount"] == u["promptTokenCount"] + u["candidatesTokenCount"] + thoughts
    completion = u["candidatesTokenCount"] + thoughts
    return (u["promptTokenCount"], completion, u.get("cachedContentTokenCount", 0), thoughts)


def streamed(fmt: str, events: list) -> tuple[str, str, list[tuple[str, str]]]:
    """(text, thinking, [(tool name, arguments JSON)]) reassembled from a stream's events."""
    text, thinking, calls = "", "", {}
    for _, data in events:
        if fmt == "openai" and data != "[DONE]" and data["choices"]:
            delta = data["choices"][0]["delta"]
            text += delta.get("content") or ""
            thinking += delta.get("reasoning_content") or ""
            for call in delta.get("tool_calls") or []:
                name, args = calls.get(call["index"], ("", ""))
                function = call.get("function") or {}
                calls[call["index"]] = (
                    name + function.get("name", ""),
                    args + function.get("arguments", ""),
                )
        elif fmt == "anthropic" and data["type"] == "content_block_start":
            if data["content_block"]["type"] == "tool_use":
                calls[data["index"]] = (data["content_block"]["name"], "")
        elif fmt == "anthropic" and data["type"] == "content_block_delta":
            delta = data["delta"]
            text += delta.get("text", "")
            thinking += delta.get("thinking", "")
            if delta["type"] == "input_json_delta":
                name, args = calls[data["index"]]
                calls[data["index"]] = (name, args + delta["partial_json"])
        elif fmt == "responses" and data["type"] == "response.output_item.done":
            if data["item"]["type"] == "function_call":
                calls[data["output_index"]] = (data["item"]["name"], data["item"]["arguments"])
        elif fmt == "responses" and data["type"].endswith("text.delta"):
            if "summary" in data["type"]:
                thinking += data["delta"]
            else:
                text += data["delta"]
        elif fmt == "gemini":
            for part in data["candidates"][0]["content"]["parts"]:
                if "functionCall" in part:
                    calls[len(calls)] = (
                        part["functionCall"]["name"],
                        json.dumps(part["functionCall"]["args"]),
                    )
                elif part.get("thought"):
                    thinking += part["text"]
                else:
                    text += part.get("text", "")
    return text, thinking, [calls[k] for k in sorted(calls)]
