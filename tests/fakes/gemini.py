"""Gemini generateContent, hand-written from the REST reference (`models/{model}:generateContent`).

Non-stream: a `GenerateContentResponse` — `candidates[0].content` (role "model") with parts: a
thought part (`{"text", "thought": true}`), a text part, `functionCall {name, args}` parts (the
first carrying a `thoughtSignature` only this dialect issues) — plus `finishReason`,
`usageMetadata`, `modelVersion`, `responseId`. `:streamGenerateContent?alt=sse` sends the same
as `data: {chunk}` events separated by CRLF CRLF (as Google does): one chunk per thought piece
and per text piece, the function calls in one chunk, `finishReason` and the final
`usageMetadata` on the last chunk (earlier chunks carry the prompt-only running usage, as the
real API's cumulative usage does); without `alt=sse` the chunks come as one JSON array. Usage
omits zero `thoughtsTokenCount` and `cachedContentTokenCount`, as the real API does;
`candidatesTokenCount` excludes thoughts. Errors: `{"error": {"code", "message", "status"}}`.
"""

from __future__ import annotations

import json

from tests.fakes.script import Conversation, Reply
from tests.fakes.validation.signatures import issue
from tests.fakes.wire import Frame, sse

FORMAT = "gemini"
STREAM_END = b""
STATUSES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


def conversation(body: dict) -> Conversation:
    contents = [c for c in body.get("contents") or [] if isinstance(c, dict)]
    user_text = ""
    for content in reversed(contents):
        texts = [t for t in _texts(content) if t]
        if content.get("role", "user") == "user" and texts:
            user_text = " ".join(texts)
            break
    tool_result = None
    if contents:
        responses = [
            p["functionResponse"]
            for p in contents[-1].get("parts") or []
            if isinstance(p, dict) and isinstance(p.get("functionResponse"), dict)
        ]
        if responses:
            tool_result = _response_text(responses[-1].get("response"))
    return Conversation(user_text, tool_result)


def _texts(content: dict) -> list[str]:
    parts = content.get("parts") or []
    return [
        p["text"]
        for p in parts
        if isinstance(p, dict) and isinstance(p.get("text"), str) and not p.get("thought")
    ]


def _response_text(response) -> str:
    if isinstance(response, dict):
        for key in ("output", "result", "content", "text"):
            if isinstance(response.get(key), str):
                return response[key]
    return json.dumps(response)


def usage(reply: Reply, final: bool = True) -> dict:
    """The whole answer's usage; not `final`: an earlier stream chunk's running usage."""
    prompt, completion = reply.prompt_tokens, reply.completion_tokens
    metadata: dict = {"promptTokenCount": prompt, "totalTokenCount": prompt}
    if final:
        metadata["candidatesTokenCount"] = completion - reply.reasoning_tokens
        metadata["totalTokenCount"] = prompt + completion
        if reply.reasoning_tokens:
            metadata["thoughtsTokenCount"] = reply.reasoning_tokens
    if reply.cached_tokens:
        metadata["cachedContentTokenCount"] = reply.cached_tokens
    metadata["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": prompt}]
    return metadata


def _call_parts(reply: Reply) -> list[dict]:
    parts = []
    for index, (name, arguments) in enumerate(reply.tool_calls):
        try:
            args = json.loads(arguments)
        except ValueError:
            args = {}
        part: dict = {
            "functionCall": {"name": name, "args": args if isinstance(args, dict) else {}}
        }
        if index == 0:
            part["thoughtSignature"] = issue(FORMAT, reply.serial)
        parts.append(part)
    return parts


def _chunk(reply: Reply, parts: list[dict], final: bool, with_usage: bool) -> dict:
    candidate: dict = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if final:
        candidate["finishReason"] = "STOP"
    chunk: dict = {"candidates": [candidate]}
    if with_usage:
        chunk["usageMetadata"] = usage(reply, final)
    chunk["modelVersion"] = reply.model
    chunk["responseId"] = f"fake-response-{reply.serial}"
    return chunk


def answer(reply: Reply) -> dict:
    parts = []
    if reply.thinking is not None:
        parts.append({"text": reply.thinking, "thought": True})
    if reply.text is not None:
        parts.append({"text": reply.text})
    parts += _call_parts(reply)
    return _chunk(reply, parts, final=True, with_usage=True)


def chunks(reply: Reply) -> list[dict]:
    """The stream's chunks, as `alt=sse` events or (without it) one JSON array."""
    groups = [[{"text": piece, "thought": True}] for piece in reply.thinking_pieces]
    groups += [[{"text": piece}] for piece in reply.pieces]
    if reply.tool_calls:
        groups.append(_call_parts(reply))
    groups = groups or [[{"text": ""}]]
    last = len(groups) - 1
    return [
        _chunk(reply, parts, final=i == last, with_usage=reply.usage_in_stream)
        for i, parts in enumerate(groups)
    ]


def stream(reply: Reply) -> list[Frame]:
    return [sse(chunk, newline="\r\n") for chunk in chunks(reply)]


def error(status: int, message: str) -> dict:
    name = STATUSES.get(status, "INVALID_ARGUMENT" if status < 500 else "INTERNAL")
    return {"error": {"code": status, "message": message, "status": name}}


def key_error() -> tuple[int, dict]:
    """What Google answers for a wrong key: 400 INVALID_ARGUMENT with reason API_KEY_INVALID."""
    message = "API key not valid. Please pass a valid API key."
    body = error(400, message)
    body["error"]["details"] = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "API_KEY_INVALID",
            "domain": "googleapis.com",
            "metadata": {"service": "generativelanguage.googleapis.com"},
        }
    ]
    return 400, body
